//! What Graph returns, as Rust types. Parsing is forgiving the way Graph needs: unknown
//! fields are ignored, `null` reads as absent, enum values are matched without regard to
//! case (service health answers `ServiceOperational` and `serviceOperational` alike) and a
//! value we do not know — `unknownFutureValue` or one Microsoft adds later — is kept as
//! `Other` instead of failing the page.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::skus;

/// An enum of Graph string values plus `Other` for the rest, parsed case-insensitively and
/// written back in Graph's spelling.
macro_rules! graph_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $wire:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($variant,)+
            /// A value this version does not know, as Graph sent it.
            Other(String),
        }

        impl $name {
            pub fn parse(value: &str) -> $name {
                $(if value.eq_ignore_ascii_case($wire) {
                    return $name::$variant;
                })+
                $name::Other(value.to_string())
            }

            /// Graph's spelling.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $wire,)+
                    $name::Other(value) => value,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let value = std::borrow::Cow::<'de, str>::deserialize(d)?;
                Ok($name::parse(&value))
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    };
}

graph_enum! {
    /// `subscribedSku.capabilityStatus` and `companySubscription.status`.
    SkuStatus { Enabled = "Enabled", Warning = "Warning", Suspended = "Suspended", Deleted = "Deleted", LockedOut = "LockedOut" }
}

graph_enum! {
    AlertSeverity { Unknown = "unknown", Informational = "informational", Low = "low", Medium = "medium", High = "high" }
}

graph_enum! {
    AlertStatus { Unknown = "unknown", New = "new", InProgress = "inProgress", Resolved = "resolved" }
}

graph_enum! {
    /// `serviceHealth.status` and `serviceHealthIssue.status`.
    ServiceHealthStatus {
        ServiceOperational = "serviceOperational",
        Investigating = "investigating",
        RestoringService = "restoringService",
        VerifyingService = "verifyingService",
        ServiceRestored = "serviceRestored",
        PostIncidentReviewPublished = "postIncidentReviewPublished",
        ServiceDegradation = "serviceDegradation",
        ServiceInterruption = "serviceInterruption",
        ExtendedRecovery = "extendedRecovery",
        FalsePositive = "falsePositive",
        InvestigationSuspended = "investigationSuspended",
        Resolved = "resolved",
        MitigatedExternal = "mitigatedExternal",
        Mitigated = "mitigated",
        ResolvedExternal = "resolvedExternal",
        Confirmed = "confirmed",
        Reported = "reported",
    }
}

impl ServiceHealthStatus {
    /// Nothing currently wrong with the service (or nothing that turned out to be wrong).
    pub fn is_healthy(&self) -> bool {
        use ServiceHealthStatus::*;
        matches!(
            self,
            ServiceOperational
                | ServiceRestored
                | PostIncidentReviewPublished
                | FalsePositive
                | Resolved
                | ResolvedExternal
                | Mitigated
                | MitigatedExternal
        )
    }
}

graph_enum! {
    IssueClassification { Advisory = "advisory", Incident = "incident" }
}

graph_enum! {
    /// `secureScoreControlProfile.implementationCost` and `.userImpact`.
    Impact { Low = "low", Moderate = "moderate", High = "high" }
}

graph_enum! {
    /// Why a delta round reports an object gone: `changed` = deleted but restorable for 30
    /// days, `deleted` = permanently.
    RemovalReason { Changed = "changed", Deleted = "deleted" }
}

/// A Graph timestamp; `null`, `""` and `0001-01-01T00:00:00Z` (Graph's "never") are `None`,
/// and so is anything unreadable.
fn graph_time<'de, D: Deserializer<'de>>(d: D) -> Result<Option<OffsetDateTime>, D::Error> {
    Ok(Option::<std::borrow::Cow<'de, str>>::deserialize(d)?.and_then(|s| parse_time(&s)))
}

pub(super) fn parse_time(value: &str) -> Option<OffsetDateTime> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    let parsed = OffsetDateTime::parse(value, &Rfc3339)
        // Some Graph timestamps come without an offset; they are UTC.
        .or_else(|_| OffsetDateTime::parse(&format!("{value}Z"), &Rfc3339))
        .ok()?;
    (parsed.year() > 1).then_some(parsed)
}

/// A property that was in the response, possibly `null`; an absent one stays `None` (through
/// `#[serde(default)]`), which a delta round uses for "unchanged".
fn sent<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Ok(Some(Option::<T>::deserialize(d)?))
}

fn sent_time<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<OffsetDateTime>>, D::Error> {
    Ok(Some(graph_time(d)?))
}

/// `null` reads as the type's default (an empty list, zero, false).
fn or_default<'de, D: Deserializer<'de>, T: Deserialize<'de> + Default>(d: D) -> Result<T, D::Error> {
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// When a user last signed in, as far as Portico can know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LastSignIn {
    /// Not known: sign-in activity was not read (the tenant has no Entra ID P1/P2, the app
    /// lacks AuditLog.Read.All, or the listing did not ask for it).
    NotAvailable,
    /// Sign-in activity was read and the user has never signed in.
    Never,
    At(OffsetDateTime),
}

impl LastSignIn {
    pub fn time(self) -> Option<OffsetDateTime> {
        match self {
            LastSignIn::At(t) => Some(t),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssignedLicense {
    pub sku_id: String,
}

/// A user (`/v1.0/users`, `/v1.0/users/delta`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(from = "UserWire")]
pub struct User {
    pub id: String,
    pub display_name: Option<String>,
    pub user_principal_name: Option<String>,
    pub mail: Option<String>,
    pub account_enabled: Option<bool>,
    pub assigned_licenses: Vec<AssignedLicense>,
    pub job_title: Option<String>,
    pub department: Option<String>,
    pub office_location: Option<String>,
    pub mobile_phone: Option<String>,
    pub created_date_time: Option<OffsetDateTime>,
    pub last_sign_in: LastSignIn,
    /// Which properties the response carried.
    pub sent: Sent,
}

/// Which of a user's properties a response carried. A delta round may send only those that
/// changed: an absent one is unchanged, a `null` one was cleared.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sent {
    pub display_name: bool,
    pub user_principal_name: bool,
    pub mail: bool,
    pub account_enabled: bool,
    pub assigned_licenses: bool,
    pub job_title: bool,
    pub department: bool,
    pub office_location: bool,
    pub mobile_phone: bool,
    pub created_date_time: bool,
}

/// The user as Graph sends it, including a delta round's `@removed` marker.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UserWire {
    id: String,
    #[serde(default, deserialize_with = "sent")]
    display_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "sent")]
    user_principal_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "sent")]
    mail: Option<Option<String>>,
    #[serde(default, deserialize_with = "sent")]
    account_enabled: Option<Option<bool>>,
    #[serde(default, deserialize_with = "sent")]
    assigned_licenses: Option<Option<Vec<AssignedLicense>>>,
    #[serde(default, deserialize_with = "sent")]
    job_title: Option<Option<String>>,
    #[serde(default, deserialize_with = "sent")]
    department: Option<Option<String>>,
    #[serde(default, deserialize_with = "sent")]
    office_location: Option<Option<String>>,
    #[serde(default, deserialize_with = "sent")]
    mobile_phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "sent_time")]
    created_date_time: Option<Option<OffsetDateTime>>,
    #[serde(default)]
    sign_in_activity: Option<SignInActivityWire>,
    #[serde(rename = "@removed", default)]
    removed: Option<Removed>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SignInActivityWire {
    #[serde(default, deserialize_with = "graph_time")]
    last_sign_in_date_time: Option<OffsetDateTime>,
}

#[derive(Deserialize)]
struct Removed {
    #[serde(default)]
    reason: Option<RemovalReason>,
}

impl From<UserWire> for User {
    fn from(w: UserWire) -> User {
        // Without the property the user has no recorded sign-in; the listing decides whether
        // that means "never" (it asked and the tenant answers) or "not available".
        let last_sign_in = match w.sign_in_activity {
            Some(SignInActivityWire { last_sign_in_date_time: Some(t) }) => LastSignIn::At(t),
            Some(_) => LastSignIn::Never,
            None => LastSignIn::NotAvailable,
        };
        let sent = Sent {
            display_name: w.display_name.is_some(),
            user_principal_name: w.user_principal_name.is_some(),
            mail: w.mail.is_some(),
            account_enabled: w.account_enabled.is_some(),
            assigned_licenses: w.assigned_licenses.is_some(),
            job_title: w.job_title.is_some(),
            department: w.department.is_some(),
            office_location: w.office_location.is_some(),
            mobile_phone: w.mobile_phone.is_some(),
            created_date_time: w.created_date_time.is_some(),
        };
        User {
            id: w.id,
            display_name: w.display_name.flatten(),
            user_principal_name: w.user_principal_name.flatten(),
            mail: w.mail.flatten(),
            account_enabled: w.account_enabled.flatten(),
            assigned_licenses: w.assigned_licenses.flatten().unwrap_or_default(),
            job_title: w.job_title.flatten(),
            department: w.department.flatten(),
            office_location: w.office_location.flatten(),
            mobile_phone: w.mobile_phone.flatten(),
            created_date_time: w.created_date_time.flatten(),
            last_sign_in,
            sent,
        }
    }
}

/// One entry of a users delta round.
// Nearly every entry is an upsert: boxing the user would only add an allocation per user.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum UserChange {
    /// Created or changed: the user with every selected property.
    Upsert(User),
    Removed {
        id: String,
        reason: RemovalReason,
    },
}

impl<'de> Deserialize<'de> for UserChange {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut wire = UserWire::deserialize(d)?;
        Ok(match wire.removed.take() {
            Some(removed) => {
                UserChange::Removed { id: wire.id, reason: removed.reason.unwrap_or(RemovalReason::Deleted) }
            }
            None => UserChange::Upsert(wire.into()),
        })
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn timestamps_and_never() {
        assert_eq!(parse_time("2021-06-17T16:41:33Z"), Some(datetime!(2021-06-17 16:41:33 UTC)));
        assert_eq!(parse_time("2021-04-27T12:19:27.7211305Z"), Some(datetime!(2021-04-27 12:19:27.7211305 UTC)));
        assert_eq!(parse_time("2020-11-14T18:20:24.767"), Some(datetime!(2020-11-14 18:20:24.767 UTC)));
        assert_eq!(parse_time("0001-01-01T00:00:00Z"), None);
        assert_eq!(parse_time(""), None);
        assert_eq!(parse_time("soon"), None);
    }

    #[test]
    fn enums_ignore_case_and_keep_the_unknown() {
        assert_eq!(ServiceHealthStatus::parse("ServiceOperational"), ServiceHealthStatus::ServiceOperational);
        assert_eq!(ServiceHealthStatus::parse("serviceDegradation"), ServiceHealthStatus::ServiceDegradation);
        assert_eq!(
            ServiceHealthStatus::parse("unknownFutureValue"),
            ServiceHealthStatus::Other("unknownFutureValue".into())
        );
        assert_eq!(AlertStatus::parse("InProgress"), AlertStatus::InProgress);
        assert_eq!(AlertStatus::InProgress.as_str(), "inProgress");
        let s: SkuStatus = serde_json::from_str(r#""lockedout""#).unwrap();
        assert_eq!(s, SkuStatus::LockedOut);
        assert_eq!(serde_json::to_string(&s).unwrap(), r#""LockedOut""#);
    }

    #[test]
    fn users_read_leniently() {
        let u: User = serde_json::from_str(
            r#"{"id":"u1","displayName":"Adele Vance","assignedLicenses":null,"accountEnabled":true,
                "signInActivity":{"lastSignInDateTime":"0001-01-01T00:00:00Z","lastSuccessfulSignInDateTime":""},
                "somethingNew":{"nested":[1,2]}}"#,
        )
        .unwrap();
        assert_eq!(u.display_name.as_deref(), Some("Adele Vance"));
        assert!(u.assigned_licenses.is_empty());
        assert_eq!(u.last_sign_in, LastSignIn::Never);
        let u: User = serde_json::from_str(r#"{"id":"u2","signInActivity":{"lastSignInDateTime":null}}"#).unwrap();
        assert_eq!(u.last_sign_in, LastSignIn::Never);
        let u: User = serde_json::from_str(r#"{"id":"u3"}"#).unwrap();
        assert_eq!(u.last_sign_in, LastSignIn::NotAvailable);
    }

    #[test]
    fn delta_entries() {
        let gone: UserChange = serde_json::from_str(r#"{"id":"u9","@removed":{"reason":"changed"}}"#).unwrap();
        assert_eq!(gone, UserChange::Removed { id: "u9".into(), reason: RemovalReason::Changed });
        let changed: UserChange = serde_json::from_str(r#"{"id":"u1","displayName":"New"}"#).unwrap();
        assert!(matches!(changed, UserChange::Upsert(u) if u.display_name.as_deref() == Some("New")));
    }

    #[test]
    fn latest_post_is_the_newest() {
        let issue: ServiceIssue = serde_json::from_str(
            r#"{"id":"EX1","classification":"Incident","status":"ServiceRestored","isResolved":true,"posts":[
                {"createdDateTime":"2020-11-12T09:00:00Z","description":{"contentType":"Html","content":"later"}},
                {"createdDateTime":"2020-11-12T07:07:38.97Z","description":{"contentType":"Html","content":"first"}}]}"#,
        )
        .unwrap();
        assert_eq!(issue.latest_post(), Some("later"));
        assert_eq!(issue.classification, Some(IssueClassification::Incident));
    }

    #[test]
    fn unknown_skus_are_named_by_part_number() {
        let sku = |id: &str, part: &str| SubscribedSku {
            sku_id: id.into(),
            sku_part_number: part.into(),
            capability_status: None,
            consumed_units: 0,
            prepaid_units: PrepaidUnits::default(),
        };
        assert_eq!(sku("cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46", "SPB").product_name(), "Microsoft 365 Business Premium");
        assert_eq!(sku("00000000-0000-0000-0000-00000000beef", "CONTOSO_EXTRA").product_name(), "CONTOSO_EXTRA");
    }
}
