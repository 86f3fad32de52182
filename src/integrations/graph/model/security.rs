//! Secure Score, its improvement actions and security alerts.

use serde::Deserialize;
use time::OffsetDateTime;

use super::fields::{graph_time, or_default};
use super::{AlertSeverity, AlertStatus, Impact};

/// One day's Secure Score (`/v1.0/security/secureScores`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SecureScore {
    #[serde(default, deserialize_with = "or_default")]
    pub id: String,
    #[serde(default, deserialize_with = "graph_time")]
    pub created_date_time: Option<OffsetDateTime>,
    #[serde(default, deserialize_with = "or_default")]
    pub current_score: f64,
    #[serde(default, deserialize_with = "or_default")]
    pub max_score: f64,
    #[serde(default, deserialize_with = "or_default")]
    pub control_scores: Vec<ControlScore>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ControlScore {
    #[serde(default, deserialize_with = "or_default")]
    pub control_name: String,
    #[serde(default)]
    pub control_category: Option<String>,
    #[serde(default)]
    pub score: Option<f64>,
    #[serde(default)]
    pub description: Option<String>,
}

/// A Secure Score improvement action (`/v1.0/security/secureScoreControlProfiles`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ControlProfile {
    pub id: String,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub max_score: Option<f64>,
    #[serde(default)]
    pub rank: Option<i64>,
    #[serde(default)]
    pub action_url: Option<String>,
    #[serde(default)]
    pub implementation_cost: Option<Impact>,
    #[serde(default)]
    pub user_impact: Option<Impact>,
    #[serde(default)]
    pub remediation: Option<String>,
    #[serde(default, deserialize_with = "or_default")]
    pub deprecated: bool,
    #[serde(default)]
    pub control_category: Option<String>,
    #[serde(default)]
    pub service: Option<String>,
}

/// A security alert (`/v1.0/security/alerts_v2`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Alert {
    pub id: String,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub severity: Option<AlertSeverity>,
    #[serde(default)]
    pub status: Option<AlertStatus>,
    #[serde(default, deserialize_with = "graph_time")]
    pub created_date_time: Option<OffsetDateTime>,
    #[serde(default, deserialize_with = "graph_time")]
    pub last_update_date_time: Option<OffsetDateTime>,
    /// The product that raised it, e.g. `microsoftDefenderForEndpoint`; an open list.
    #[serde(default)]
    pub service_source: Option<String>,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub alert_web_url: Option<String>,
}
