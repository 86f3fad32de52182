//! One sync of one customer: the areas in order, each outcome recorded on its own.

use time::Duration;

use crate::auth::seal::SealKey;
use crate::db::m365_sync as store;
use crate::db::{CustomerScope, Db};
use crate::error::{AppError, AppResult};
use crate::integrations::graph::{GraphClient, GraphError};
use crate::model::{now, SyncArea};

use super::{areas, credentials, news, users};

/// What one sync did, per area.
#[derive(Debug, Default)]
pub struct Report {
    /// (area, Ok(what changed) or Err(why it failed))
    pub areas: Vec<(SyncArea, Result<String, String>)>,
    /// The change log lines written.
    pub changes: Vec<String>,
}

impl Report {
    pub fn ok(&self) -> bool {
        self.areas.iter().all(|(_, r)| r.is_ok())
    }
}

/// Syncs one customer now and plans its next run.
pub async fn sync_customer(
    db: &Db,
    graph: &GraphClient,
    key: Option<&SealKey>,
    scope: CustomerScope,
    every: Duration,
    public_url: &str,
) -> AppResult<Report> {
    let started = now();
    store::set_next_sync(db, scope, Some(started + every)).await?;
    let creds = match credentials::credentials(db, key, scope).await {
        Ok(c) => c,
        Err(AppError::BadRequest(why)) => {
            for area in SyncArea::ALL {
                store::record_area(db, scope, area.key(), Some(&why), None, started).await?;
            }
            crate::services::m365::forget(scope.customer_id());
            return Ok(Report { areas: SyncArea::ALL.map(|a| (a, Err(why.clone()))).to_vec(), changes: vec![] });
        }
        Err(e) => return Err(e),
    };
    let mut report = Report::default();
    let users = users::sync_users(db, graph, &creds, scope, started).await;
    let users = match users {
        Ok((summary, changes)) => {
            report.changes = changes;
            Ok(summary)
        }
        Err(e) => Err(e),
    };
    record(db, scope, SyncArea::Users, users, &mut report).await?;
    let r = areas::sync_licenses(db, graph, &creds, scope, started).await;
    record(db, scope, SyncArea::Licenses, r, &mut report).await?;
    let r = areas::sync_security(db, graph, &creds, scope).await;
    record(db, scope, SyncArea::Security, r, &mut report).await?;
    let r = areas::sync_alerts(db, graph, &creds, scope).await;
    record(db, scope, SyncArea::Alerts, r, &mut report).await?;
    let r = areas::sync_health(db, graph, &creds, scope).await;
    record(db, scope, SyncArea::Health, r, &mut report).await?;
    let r = areas::sync_groups(db, graph, &creds, scope).await;
    record(db, scope, SyncArea::Groups, r, &mut report).await?;
    crate::services::m365::forget(scope.customer_id());
    news::tell_tenant_news(db, scope, public_url, &report).await?;
    Ok(report)
}

/// An area's outcome: a Graph failure is the area's error; a database failure stops the sync.
pub(super) enum Failure {
    Graph(GraphError),
    Db(AppError),
}

impl From<GraphError> for Failure {
    fn from(e: GraphError) -> Self {
        Failure::Graph(e)
    }
}

impl From<crate::db::DbError> for Failure {
    fn from(e: crate::db::DbError) -> Self {
        Failure::Db(e.into())
    }
}

async fn record(
    db: &Db,
    scope: CustomerScope,
    area: SyncArea,
    result: Result<String, Failure>,
    report: &mut Report,
) -> AppResult<()> {
    match result {
        Ok(summary) => {
            store::record_area(db, scope, area.key(), None, None, now()).await?;
            report.areas.push((area, Ok(summary)));
        }
        Err(Failure::Graph(e)) => {
            let why = e.to_string();
            tracing::warn!(area = area.key(), customer = %scope.customer_id(), error = %why, "Microsoft 365 sync area failed");
            store::record_area(db, scope, area.key(), Some(&why), None, now()).await?;
            report.areas.push((area, Err(why)));
        }
        Err(Failure::Db(e)) => return Err(e),
    }
    Ok(())
}
