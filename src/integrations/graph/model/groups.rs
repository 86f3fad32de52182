//! Groups: Microsoft 365 groups, security groups and distribution lists.

use serde::Deserialize;

use super::fields::or_default;

/// A group (`/v1.0/groups`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    pub id: String,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default, deserialize_with = "or_default")]
    pub group_types: Vec<String>,
    #[serde(default)]
    pub mail_enabled: Option<bool>,
    #[serde(default)]
    pub security_enabled: Option<bool>,
    #[serde(default)]
    pub mail: Option<String>,
}

impl Group {
    /// A Microsoft 365 group (`groupTypes` contains `Unified`), as opposed to a security
    /// group or a distribution list.
    pub fn is_microsoft_365(&self) -> bool {
        self.group_types.iter().any(|t| t.eq_ignore_ascii_case("Unified"))
    }
}
