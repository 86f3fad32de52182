//! The sync as the console shows it: permissions, per-area state, and "Test connection".

use time::OffsetDateTime;

use crate::auth::seal::SealKey;
use crate::db::m365_sync as store;
use crate::db::{self, Db};
use crate::error::{AppError, AppResult};
use crate::integrations::graph::{GraphClient, GraphError, SignInAvailability};

use super::credentials;
use crate::model::SyncArea;

/// The Graph application permissions the app registration needs, with what each is for.
pub const PERMISSIONS: &[(&str, &str)] = &[
    ("User.Read.All", "users and their licenses"),
    ("AuditLog.Read.All", "last sign-in (needs Entra ID P1/P2 in the tenant)"),
    ("Organization.Read.All", "licenses and subscriptions"),
    ("SecurityEvents.Read.All", "Secure Score and improvement actions"),
    ("SecurityAlert.Read.All", "security alerts"),
    ("ServiceHealth.Read.All", "service health"),
    ("GroupMember.Read.All", "groups and their members"),
];

/// A customer's sync as the console shows it.
pub struct Status {
    pub customer_id: crate::model::CustomerId,
    pub customer_name: String,
    pub tenant: Option<String>,
    pub next_sync_at: Option<OffsetDateTime>,
    pub sign_ins: bool,
    pub areas: Vec<store::AreaRow>,
    /// A sync is waiting in the queue.
    pub queued: bool,
}

pub async fn status(db: &Db, actor: &crate::policy::Actor, customer_id: crate::model::CustomerId) -> AppResult<Status> {
    let row = crate::services::customers::get(db, actor, customer_id).await?;
    actor.require(crate::policy::Action::UseConsole, None)?;
    let scope = actor.customer_scope(&row)?;
    let (sign_ins, next_sync_at) = db::m365::tenant_state(db, scope).await?.unwrap_or((true, None));
    let mut areas = store::areas(db, scope).await?;
    // Areas of an older version (none today) sort last.
    areas.sort_by_key(|a| SyncArea::parse(&a.area).map_or(usize::MAX, |x| x as usize));
    let queued = db::jobs::live(db, scope.msp(), &super::job::dedupe_key(scope)).await?;
    Ok(Status {
        customer_id: row.id,
        customer_name: row.name,
        tenant: row.m365_tenant_id,
        next_sync_at,
        sign_ins,
        areas,
        queued,
    })
}

/// Every customer of the actor's MSP with its tenant and sync state.
pub async fn connections(db: &Db, actor: &crate::policy::Actor) -> AppResult<Vec<store::ConnectionRow>> {
    actor.require(crate::policy::Action::UseConsole, None)?;
    Ok(store::connections(db, actor.msp()).await?)
}

/// "Test connection": a token, then the first page of each area, each reported on its own
/// with what is missing (wrong tenant id, consent not granted, a permission …).
pub async fn test_connection(
    db: &Db,
    graph: &GraphClient,
    key: Option<&SealKey>,
    actor: &crate::policy::Actor,
    customer_id: crate::model::CustomerId,
) -> AppResult<Vec<(&'static str, Result<String, String>)>> {
    let c = crate::services::customers::get(db, actor, customer_id).await?;
    actor.require(crate::policy::Action::UseConsole, None)?;
    let scope = actor.customer_scope(&c)?;
    let creds = match credentials(db, key, scope).await {
        Ok(c) => c,
        Err(AppError::BadRequest(why)) => return Ok(vec![("Setup", Err(why))]),
        Err(e) => return Err(e),
    };
    if let Err(e) = graph.access_token(&creds).await {
        return Ok(vec![("Sign-in to the tenant", Err(e.to_string()))]);
    }
    let mut out: Vec<(&'static str, Result<String, String>)> =
        vec![("Sign-in to the tenant", Ok("token issued".into()))];
    let users = match graph.users(&creds).await {
        Ok(p) => Ok(match p.sign_in() {
            SignInAvailability::Available => "readable, with last sign-in".to_string(),
            SignInAvailability::NotLicensed => "readable; last sign-in not available (no Entra ID P1/P2)".into(),
            SignInAvailability::PermissionMissing => "readable; last sign-in needs AuditLog.Read.All".into(),
        }),
        Err(e) => Err(e.to_string()),
    };
    out.push(("Users", users));
    let first = |r: Result<Option<usize>, GraphError>| {
        r.map(|n| format!("readable ({} on the first page)", n.unwrap_or(0))).map_err(|e| e.to_string())
    };
    out.push(("Licenses", first(graph.subscribed_skus(&creds).next_page().await.map(|p| p.map(|v| v.len())))));
    out.push(("Secure Score", first(graph.secure_scores(&creds, 1).next_page().await.map(|p| p.map(|v| v.len())))));
    out.push(("Security alerts", first(graph.alerts(&creds).next_page().await.map(|p| p.map(|v| v.len())))));
    out.push(("Service health", first(graph.service_health(&creds).next_page().await.map(|p| p.map(|v| v.len())))));
    out.push(("Groups", first(graph.groups(&creds).next_page().await.map(|p| p.map(|v| v.len())))));
    Ok(out)
}
