//! Microsoft 365 as customers see it: the directory and groups, licenses (and the unused
//! ones), security and service health, read from the tenant data the background sync stores.
//! Every view is behind its feature toggle and the caller's role; staff see any customer.

mod directory;
mod groups;
mod health;
mod licenses;
mod security;
mod settings;
mod summary;
pub mod sync;

pub use directory::{directory, user, Directory, DirectoryInput, M365User, SkuChoice};
pub use groups::{groups, Groups, GroupsInput, KindChoice, M365Group};
pub use health::{health, status_label, Issue, Service, ServiceHealth};
pub use licenses::{
    licenses, request_licenses, sku, unused, LicenseRequest, LicenseRow, LicenseSummary, Licenses, SkuDetail,
    TrendPoint, UnusedLicenses, UnusedUser,
};
pub use security::{security, Alert, AlertCounts, Improvement, Score, ScorePoint, Security};
pub use settings::{options, save_options, set_prices, sync_status, AreaStatus, OptionsInput, Pricing, SEVERITIES};
pub use summary::{forget, forget_all, summary, Change, HealthTile, LicenseTile, SecurityTile, Summary, UsersTile};

use serde::Serialize;

use crate::db::{self, customers::CustomerRow, CustomerScope, Db, Ts};
use crate::error::AppResult;
use crate::model::Feature;
use crate::model::{now, Features, SyncArea};
use crate::policy::{Action, Actor};

/// The name people know a SKU by, from Microsoft's table shipped with Portico (the part
/// number when it is not listed).
pub fn product_name(part_number: &str) -> String {
    crate::integrations::graph::product_name(part_number).unwrap_or(part_number).to_string()
}

/// Free and self-service ("viral") SKUs: Microsoft hands out thousands of units of these, so
/// they count toward no total, trend or unused-license figure.
pub fn is_free(part_number: &str, units: i64) -> bool {
    let p = part_number.to_ascii_uppercase();
    p.contains("FREE") || p.contains("VIRAL") || p.contains("EXPLORATORY") || units >= 10_000
}

/// A license as a list shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LicenseRef {
    pub sku_id: String,
    pub sku_part_number: String,
    pub product_name: String,
}

impl LicenseRef {
    fn new(sku_id: &str, part_number: Option<&str>) -> LicenseRef {
        let part = part_number.unwrap_or(sku_id);
        LicenseRef { sku_id: sku_id.into(), sku_part_number: part.into(), product_name: product_name(part) }
    }
}

/// How fresh the tenant data behind a view is.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Freshness {
    /// When the oldest of the view's areas last synced; absent before the first sync.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub data_as_of: Option<Ts>,
    /// The last attempt at one of the view's areas failed (older data is shown).
    pub sync_failed: bool,
}

/// A customer's tenant, opened for one feature by a caller who may use it.
pub(crate) struct Tenant {
    pub scope: CustomerScope,
    pub customer: CustomerRow,
    pub features: Features,
    /// The tenant gives sign-in times (Entra ID P1/P2).
    pub sign_ins: bool,
}

impl Tenant {
    /// Another tenant's customer is "not found"; a role or toggle that does not allow
    /// `feature` is "forbidden".
    pub(crate) async fn open(
        db: &Db,
        actor: &Actor,
        customer_id: crate::model::CustomerId,
        feature: Feature,
    ) -> AppResult<Tenant> {
        let customer = crate::services::customers::get(db, actor, customer_id).await?;
        let features = Features::from_db(&customer.features);
        actor.require(Action::UseFeature(feature), Some(&features))?;
        Tenant::of(db, actor, customer).await
    }

    /// A customer already loaded and checked by the caller.
    pub(crate) async fn of(db: &Db, actor: &Actor, customer: CustomerRow) -> AppResult<Tenant> {
        let scope = actor.customer_scope(&customer)?;
        let sign_ins = db::m365::tenant_state(db, scope).await?.map(|(s, _)| s).unwrap_or(true);
        Ok(Tenant { scope, features: Features::from_db(&customer.features), customer, sign_ins })
    }

    pub(crate) async fn freshness(&self, db: &Db, areas: &[SyncArea]) -> AppResult<Freshness> {
        let state: Vec<_> = db::m365_sync::areas(db, self.scope)
            .await?
            .into_iter()
            .map(|a| (a.area, a.last_success_at, a.last_error))
            .collect();
        let mine: Vec<_> = state.iter().filter(|(a, _, _)| areas.iter().any(|x| x.key() == a)).collect();
        let data_as_of = if mine.is_empty() || mine.iter().any(|(_, ok, _)| ok.is_none()) {
            None
        } else {
            mine.iter().filter_map(|(_, ok, _)| *ok).min()
        };
        Ok(Freshness { data_as_of, sync_failed: mine.iter().any(|(_, _, e)| e.is_some()) })
    }
}

/// `YYYY-MM-DD` of the day `days` ago, the key of the history tables.
fn day_ago(days: i64) -> String {
    (now() - time::Duration::days(days)).date().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_known_skus_and_keeps_unknown_ones() {
        assert_eq!(product_name("SPB"), "Microsoft 365 Business Premium");
        assert_eq!(product_name("CONTOSO_SPECIAL"), "CONTOSO_SPECIAL");
    }

    #[test]
    fn free_skus_are_recognised() {
        assert!(is_free("FLOW_FREE", 10_000));
        assert!(is_free("POWERAPPS_VIRAL", 10_000));
        assert!(is_free("SOMETHING", 1_000_000));
        assert!(!is_free("SPB", 300));
    }
}
