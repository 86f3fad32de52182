//! Service health: each service's status and its incidents and advisories.

use serde::Deserialize;
use time::OffsetDateTime;

use super::fields::{graph_time, or_default};
use super::{IssueClassification, ServiceHealthStatus};

/// One service's health (`/v1.0/admin/serviceAnnouncement/healthOverviews`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceHealth {
    pub id: String,
    #[serde(default, deserialize_with = "or_default")]
    pub service: String,
    #[serde(default)]
    pub status: Option<ServiceHealthStatus>,
}

/// An incident or advisory (`/v1.0/admin/serviceAnnouncement/issues`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceIssue {
    pub id: String,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub service: Option<String>,
    #[serde(default)]
    pub feature: Option<String>,
    #[serde(default)]
    pub status: Option<ServiceHealthStatus>,
    #[serde(default)]
    pub classification: Option<IssueClassification>,
    #[serde(default)]
    pub impact_description: Option<String>,
    #[serde(default, deserialize_with = "graph_time")]
    pub start_date_time: Option<OffsetDateTime>,
    #[serde(default, deserialize_with = "graph_time")]
    pub end_date_time: Option<OffsetDateTime>,
    #[serde(default, deserialize_with = "graph_time")]
    pub last_modified_date_time: Option<OffsetDateTime>,
    #[serde(default, deserialize_with = "or_default")]
    pub is_resolved: bool,
    #[serde(default, deserialize_with = "or_default")]
    pub posts: Vec<IssuePost>,
}

impl ServiceIssue {
    /// The newest post's text (HTML, as Microsoft writes it).
    pub fn latest_post(&self) -> Option<&str> {
        self.posts
            .iter()
            .filter_map(|p| Some((p.created_date_time, p.description.as_ref()?.content.as_deref()?)))
            .max_by_key(|(at, _)| *at)
            .map(|(_, content)| content)
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IssuePost {
    #[serde(default, deserialize_with = "graph_time")]
    pub created_date_time: Option<OffsetDateTime>,
    #[serde(default)]
    pub post_type: Option<String>,
    #[serde(default)]
    pub description: Option<ItemBody>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemBody {
    #[serde(default)]
    pub content_type: Option<String>,
    #[serde(default)]
    pub content: Option<String>,
}
