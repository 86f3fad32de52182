//! The string values Graph sends for statuses, severities and kinds, as enums that keep the
//! values this version does not know.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

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
