//! Service health: each Microsoft 365 service's status and the incidents and advisories
//! that are still open, with Microsoft's latest update.

use serde::Serialize;

use super::{Freshness, Tenant};
use crate::db::m365 as q;
use crate::db::{Db, Ts};
use crate::error::AppResult;
use crate::model::{Feature, SyncArea};
use crate::policy::Actor;

const FEATURE: Feature = Feature::ServiceHealth;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Service {
    pub name: String,
    /// Microsoft's status, e.g. `serviceOperational`, `serviceDegradation`.
    pub status: String,
    /// The status in words, e.g. "Healthy", "Degraded".
    pub status_label: String,
    pub healthy: bool,
    /// Open incidents and advisories of this service.
    pub incidents: i64,
    pub advisories: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Issue {
    /// Microsoft's issue id, e.g. `EX123456`.
    pub id: String,
    pub service: String,
    pub title: String,
    /// `incident` or `advisory`.
    pub classification: String,
    pub status: String,
    pub status_label: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub started_at: Ts,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Ts,
    /// Microsoft's most recent post about it.
    pub latest_update: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ServiceHealth {
    /// Services with open issues first, then by name.
    pub services: Vec<Service>,
    /// Open incidents first, then advisories, most recently updated first.
    pub issues: Vec<Issue>,
    #[serde(flatten)]
    pub freshness: Freshness,
}

/// Microsoft's service and issue statuses in words.
pub fn status_label(status: &str) -> String {
    let label = match status {
        "serviceOperational" => "Healthy",
        "investigating" => "Investigating",
        "restoringService" => "Restoring service",
        "verifyingService" => "Verifying the fix",
        "serviceRestored" => "Restored",
        "postIncidentReviewPublished" => "Review published",
        "serviceDegradation" => "Degraded",
        "serviceInterruption" => "Interrupted",
        "extendedRecovery" => "Extended recovery",
        "falsePositive" => "False alarm",
        "investigationSuspended" => "Investigation suspended",
        "resolved" | "resolvedExternal" => "Resolved",
        "mitigated" | "mitigatedExternal" => "Mitigated",
        "confirmed" => "Confirmed",
        "reported" => "Reported",
        other => other,
    };
    label.to_string()
}

fn healthy(status: &str) -> bool {
    matches!(
        status,
        "serviceOperational" | "serviceRestored" | "falsePositive" | "resolved" | "postIncidentReviewPublished"
    )
}

pub(super) async fn overview(db: &Db, t: &Tenant) -> AppResult<(Vec<Service>, Vec<Issue>)> {
    let mut issues: Vec<Issue> = q::open_issues(db, t.scope)
        .await?
        .into_iter()
        .map(|i| Issue {
            status_label: status_label(&i.status),
            id: i.id,
            service: i.service,
            title: i.title,
            classification: i.classification.to_lowercase(),
            status: i.status,
            started_at: i.started_at,
            updated_at: i.updated_at,
            latest_update: i.latest_update,
        })
        .collect();
    issues.sort_by_key(|i| (i.classification != "incident", std::cmp::Reverse(i.updated_at)));
    let count = |service: &str, kind: &str| {
        issues.iter().filter(|i| i.service == service && (i.classification == kind)).count() as i64
    };
    let mut services: Vec<Service> = q::services(db, t.scope)
        .await?
        .into_iter()
        .map(|(name, status)| Service {
            status_label: status_label(&status),
            healthy: healthy(&status),
            incidents: count(&name, "incident"),
            advisories: count(&name, "advisory"),
            name,
            status,
        })
        .collect();
    services.sort_by_key(|s| (s.healthy && s.incidents + s.advisories == 0, s.name.to_lowercase()));
    Ok((services, issues))
}

pub async fn health(db: &Db, actor: &Actor, customer_id: crate::model::CustomerId) -> AppResult<ServiceHealth> {
    let t = Tenant::open(db, actor, customer_id, FEATURE).await?;
    let (services, issues) = overview(db, &t).await?;
    Ok(ServiceHealth { services, issues, freshness: t.freshness(db, &[SyncArea::Health]).await? })
}
