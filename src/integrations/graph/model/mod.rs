//! What Graph returns, as Rust types. Parsing is forgiving the way Graph needs: unknown
//! fields are ignored, `null` reads as absent, enum values are matched without regard to
//! case (service health answers `ServiceOperational` and `serviceOperational` alike) and a
//! value we do not know — `unknownFutureValue` or one Microsoft adds later — is kept as
//! `Other` instead of failing the page.

mod enums;
mod fields;
mod groups;
mod health;
mod licenses;
mod security;
mod users;

pub use enums::*;
pub use groups::*;
pub use health::*;
pub use licenses::*;
pub use security::*;
pub use users::*;

#[cfg(test)]
mod tests {
    use super::fields::parse_time;
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
