//! Licences: the SKUs a tenant holds and the subscriptions behind them.

use serde::Deserialize;
use time::OffsetDateTime;

use super::fields::{graph_time, or_default};
use super::SkuStatus;
use crate::integrations::graph::skus;

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrepaidUnits {
    #[serde(default, deserialize_with = "or_default")]
    pub enabled: i64,
    #[serde(default, deserialize_with = "or_default")]
    pub suspended: i64,
    #[serde(default, deserialize_with = "or_default")]
    pub warning: i64,
    #[serde(default, deserialize_with = "or_default")]
    pub locked_out: i64,
}

/// A licence the tenant holds (`/v1.0/subscribedSkus`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscribedSku {
    pub sku_id: String,
    #[serde(default, deserialize_with = "or_default")]
    pub sku_part_number: String,
    #[serde(default)]
    pub capability_status: Option<SkuStatus>,
    #[serde(default, deserialize_with = "or_default")]
    pub consumed_units: i64,
    #[serde(default, deserialize_with = "or_default")]
    pub prepaid_units: PrepaidUnits,
}

impl SubscribedSku {
    /// The product name from Microsoft's table, or the part number for a SKU it lacks.
    pub fn product_name(&self) -> &str {
        skus::product_name(&self.sku_id)
            .or_else(|| skus::product_name(&self.sku_part_number))
            .unwrap_or(&self.sku_part_number)
    }
}

/// A commercial subscription (`/v1.0/directory/subscriptions`): seats and renewal dates.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompanySubscription {
    pub id: String,
    #[serde(default, deserialize_with = "or_default")]
    pub sku_id: String,
    #[serde(default, deserialize_with = "or_default")]
    pub sku_part_number: String,
    #[serde(default)]
    pub status: Option<SkuStatus>,
    #[serde(default, deserialize_with = "or_default")]
    pub total_licenses: i64,
    #[serde(default)]
    pub is_trial: Option<bool>,
    /// When the subscription moves to its next state (e.g. from Enabled to Warning) unless renewed.
    #[serde(default, deserialize_with = "graph_time")]
    pub next_lifecycle_date_time: Option<OffsetDateTime>,
    #[serde(default, deserialize_with = "graph_time")]
    pub created_date_time: Option<OffsetDateTime>,
}
