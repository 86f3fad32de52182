//! The dashboard's Microsoft 365 tiles: users and recent changes, license use, secure score
//! and alerts, service health. Each tile only when the caller may open its page.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;

use super::{health, licenses, security, AlertCounts, Freshness, LicenseRow, Score, Service, Tenant};
use crate::db::customers::CustomerRow;
use crate::db::{m365 as q, Db, Ts};
use crate::error::AppResult;
use crate::model::Feature;
use crate::model::{now, Features, SyncArea};
use crate::policy::{Action, Actor};

/// One line of the tenant's change log.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Change {
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: Ts,
    /// user_added, user_disabled, user_enabled, user_deleted, license_added, license_removed
    pub kind: String,
    /// The kind in words, e.g. "Disabled".
    pub label: String,
    pub user_name: String,
    pub detail: String,
}

fn change_label(kind: &str) -> &str {
    match kind {
        "user_added" => "Added",
        "user_disabled" => "Disabled",
        "user_enabled" => "Enabled again",
        "user_deleted" => "Deleted",
        "license_added" => "License assigned",
        "license_removed" => "License removed",
        other => other,
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UsersTile {
    /// Accounts allowed to sign in.
    pub active: i64,
    pub total: i64,
    pub licensed: i64,
    /// Active accounts gained (or lost, when negative) over 30 days, from the change log.
    pub change_30d: i64,
    /// The newest changes, newest first.
    pub recent_changes: Vec<Change>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LicenseTile {
    /// Paid SKUs: assigned and bought.
    pub assigned: i64,
    pub total: i64,
    pub utilisation_percent: i64,
    /// Paid SKUs near, at or over capacity.
    pub attention: Vec<LicenseRow>,
    /// SKUs renewing within the renewal window.
    pub renewals: Vec<LicenseRow>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SecurityTile {
    pub score: Option<Score>,
    /// Active alerts of the severities shown to the customer.
    pub alerts: AlertCounts,
    pub active_alerts: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HealthTile {
    pub services: i64,
    pub healthy: i64,
    /// Services that are not healthy or have open issues.
    pub attention: Vec<Service>,
}

/// The Microsoft 365 part of a dashboard.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Summary {
    #[serde(flatten)]
    pub freshness: Freshness,
    /// Present when the caller may open the user directory.
    pub users: Option<UsersTile>,
    pub licenses: Option<LicenseTile>,
    pub security: Option<SecurityTile>,
    pub service_health: Option<HealthTile>,
    /// Which read this is: the same number means the same figures, so a page may reuse what
    /// it drew from them.
    #[serde(skip)]
    pub read: u64,
}

static READS: AtomicU64 = AtomicU64::new(1);

/// How long a customer's tiles are reused. They change only when a sync or the MSP writes,
/// and those writes forget them at once on this instance; other instances catch up within
/// this time. Without it every dashboard view would repeat a dozen reads, and a count over
/// every user of a large tenant.
const REUSE_FOR: Duration = Duration::from_secs(10);

/// Who sees which tiles: (customer, its tenant, users, licenses, security, health, costs).
type Key = (crate::model::CustomerId, Option<String>, [bool; 5]);

static TILES: LazyLock<Mutex<HashMap<Key, (Instant, Summary)>>> = LazyLock::new(Default::default);

/// Drops a customer's tiles after its tenant data or options changed.
pub fn forget(customer_id: crate::model::CustomerId) {
    TILES.lock().unwrap_or_else(|e| e.into_inner()).retain(|k, _| k.0 != customer_id);
}

/// Drops every customer's tiles: after an MSP changed its currency, which all its customers'
/// tiles show. Rare enough that sorting out which tiles were that MSP's is not worth it.
pub fn forget_all() {
    TILES.lock().unwrap_or_else(|e| e.into_inner()).clear();
}

/// The tiles of a customer already loaded and checked by the caller.
pub async fn summary(db: &Db, actor: &Actor, customer: &CustomerRow) -> AppResult<Summary> {
    let features = Features::from_db(&customer.features);
    let may = |f: Feature| actor.may(Action::UseFeature(f), Some(&features));
    let key = (
        customer.id,
        customer.m365_tenant_id.clone(),
        [
            may(Feature::UserDirectory),
            may(Feature::Licenses),
            may(Feature::Security),
            may(Feature::ServiceHealth),
            actor.sees_costs(&features),
        ],
    );
    if let Some((at, s)) = TILES.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        if at.elapsed() < REUSE_FOR {
            return Ok(s.clone());
        }
    }
    let s = read(db, actor, customer).await?;
    let mut tiles = TILES.lock().unwrap_or_else(|e| e.into_inner());
    if tiles.len() >= 4096 {
        tiles.retain(|_, (at, _)| at.elapsed() < REUSE_FOR);
    }
    tiles.insert(key, (Instant::now(), s.clone()));
    Ok(s)
}

async fn read(db: &Db, actor: &Actor, customer: &CustomerRow) -> AppResult<Summary> {
    let features = Features::from_db(&customer.features);
    let may = |f: Feature| actor.may(Action::UseFeature(f), Some(&features));
    let t = Tenant::of(db, actor, customer.clone()).await?;
    let users = if may(Feature::UserDirectory) { Some(users_tile(db, &t).await?) } else { None };
    let licenses = if may(Feature::Licenses) { Some(license_tile(db, actor, &t).await?) } else { None };
    let security = if may(Feature::Security) {
        let history = security::history(db, &t).await?;
        let (alerts, _) = security::active_alerts(db, &t).await?;
        let (score, counts) = security::summarise(&history, &alerts);
        Some(SecurityTile { score, alerts: counts, active_alerts: alerts.len() as i64 })
    } else {
        None
    };
    let service_health = if may(Feature::ServiceHealth) {
        let (services, _) = health::overview(db, &t).await?;
        let healthy = services.iter().filter(|s| s.healthy).count() as i64;
        Some(HealthTile {
            services: services.len() as i64,
            healthy,
            attention: services.into_iter().filter(|s| !s.healthy || s.incidents + s.advisories > 0).collect(),
        })
    } else {
        None
    };
    let freshness = t
        .freshness(db, &[SyncArea::Users, SyncArea::Licenses, SyncArea::Security, SyncArea::Alerts, SyncArea::Health])
        .await?;
    Ok(Summary { freshness, users, licenses, security, service_health, read: READS.fetch_add(1, Ordering::Relaxed) })
}

async fn users_tile(db: &Db, t: &Tenant) -> AppResult<UsersTile> {
    let (total, active, licensed) = q::user_counts(db, t.scope).await?;
    let counts = q::change_counts(db, t.scope, now() - time::Duration::days(30)).await?;
    let n = |kind: &str| counts.iter().find(|(k, _)| k == kind).map(|(_, n)| *n).unwrap_or(0);
    let change_30d = n("user_added") + n("user_enabled") - n("user_disabled") - n("user_deleted");
    let recent_changes = q::recent_changes(db, t.scope, 5)
        .await?
        .into_iter()
        .map(|c| Change {
            label: change_label(&c.kind).to_string(),
            at: c.at,
            kind: c.kind,
            user_name: c.user_name,
            detail: c.detail,
        })
        .collect();
    Ok(UsersTile { active, total, licensed, change_30d, recent_changes })
}

async fn license_tile(db: &Db, actor: &Actor, t: &Tenant) -> AppResult<LicenseTile> {
    let l = licenses::of_tenant(db, actor, t).await?;
    Ok(LicenseTile {
        assigned: l.summary.assigned,
        total: l.summary.total,
        utilisation_percent: l.summary.utilisation_percent,
        attention: l.items.iter().filter(|r| !r.free && r.capacity != "ok").cloned().collect(),
        renewals: l.items.iter().filter(|r| r.renewal_due).cloned().collect(),
    })
}
