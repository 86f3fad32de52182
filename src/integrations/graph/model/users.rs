//! Users as Graph sends them, in a full listing and in a delta round.

use serde::{Deserialize, Deserializer};
use time::OffsetDateTime;

use super::fields::{graph_time, sent, sent_time};
use super::RemovalReason;

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
