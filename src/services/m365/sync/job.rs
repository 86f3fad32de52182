//! The sync as a job: "Sync now", the schedule, and the runner's entry point.

use time::Duration;

use crate::auth::seal::SealKey;
use crate::db::m365_sync as store;
use crate::db::{CustomerScope, Db, MspScope};
use crate::error::{AppError, AppResult};
use crate::integrations::graph::GraphClient;
use crate::model::now;

use super::sync_customer;

/// The job kind of a customer's sync.
pub const JOB_KIND: &str = "m365_sync";

/// The job payload: which customer to sync.
#[derive(serde::Serialize, serde::Deserialize)]
struct SyncJob {
    msp_id: uuid::Uuid,
    customer_id: crate::model::CustomerId,
}

fn job(scope: CustomerScope) -> crate::db::jobs::NewJob {
    crate::db::jobs::NewJob {
        id: crate::model::new_id(),
        msp_id: Some(scope.msp_id()),
        kind: JOB_KIND,
        payload: serde_json::to_string(&SyncJob { msp_id: scope.msp_id(), customer_id: scope.customer_id() })
            .expect("serialisable"),
        summary: format!("sync {}", scope.customer_id()),
        max_attempts: 3,
        dedupe_key: Some(dedupe_key(scope)),
    }
}

/// One sync per customer at a time: while one is queued or running, another is not queued.
pub(super) fn dedupe_key(scope: CustomerScope) -> String {
    format!("{JOB_KIND}:{}", scope.customer_id())
}

/// Staff ask for a sync now: it is queued for the job runner, unless one is queued or running.
pub async fn request(db: &Db, actor: &crate::policy::Actor, customer_id: crate::model::CustomerId) -> AppResult<()> {
    let c = crate::services::customers::get(db, actor, customer_id).await?;
    actor.require(crate::policy::Action::UseConsole, None)?;
    if c.m365_tenant_id.as_deref().is_none_or(|t| t.trim().is_empty()) {
        return Err(AppError::BadRequest("Enter the customer's Microsoft 365 tenant ID first.".into()));
    }
    let scope = actor.customer_scope(&c)?;
    let fx = crate::db::jobs::Effects { jobs: vec![job(scope)], ..Default::default() };
    Ok(crate::db::jobs::write(db, &fx, now()).await?)
}

/// Queues a sync for every customer whose turn it is; each customer's next run moves on
/// when it is queued, so instances never queue one twice.
pub async fn schedule_due(db: &Db, every: Duration) -> AppResult<usize> {
    let t = now();
    let due = store::due(db, t, 100).await?;
    let mut queued = 0;
    for (msp_id, customer_id) in due {
        let Some(customer) = crate::db::customers::find(db, MspScope(msp_id), customer_id.into()).await? else {
            continue;
        };
        let scope = crate::policy::system_scope(&customer);
        if store::claim_turn(db, scope, t, t + every).await? {
            crate::db::jobs::write(db, &crate::db::jobs::Effects { jobs: vec![job(scope)], ..Default::default() }, t)
                .await?;
            queued += 1;
        }
    }
    Ok(queued)
}

/// Runs a queued sync job (the job runner calls this).
pub async fn run_job(
    db: &Db,
    graph: &GraphClient,
    key: Option<&SealKey>,
    every: Duration,
    public_url: &str,
    payload: &str,
) -> Result<(), (bool, String)> {
    let job: SyncJob = serde_json::from_str(payload).map_err(|e| (true, format!("unreadable job: {e}")))?;
    let customer = crate::db::customers::find(db, MspScope(job.msp_id), job.customer_id)
        .await
        .map_err(|e| (false, e.to_string()))?
        .ok_or((true, "the customer no longer exists".to_string()))?;
    let scope = crate::policy::system_scope(&customer);
    match sync_customer(db, graph, key, scope, every, public_url).await {
        Ok(_) => Ok(()),
        Err(AppError::NotFound) => Err((true, "the customer no longer exists".into())),
        Err(e) => Err((false, e.to_string())),
    }
}
