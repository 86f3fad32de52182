//! What can go wrong talking to Microsoft Graph and Entra ID, said so that an MSP knows
//! what to fix: the tenant id, the app registration's secret or consent, a permission, a
//! licence — or nothing, because Microsoft is busy and a later sync will do.

use std::time::Duration;

/// The part of a tenant a request reads. Errors name it, and a missing permission is
/// reported with the permission that area needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Area {
    /// The token request to Entra ID.
    Token,
    Users,
    /// Users' `signInActivity` (last sign-in), which needs its own permission and licence.
    SignInActivity,
    Licenses,
    Subscriptions,
    SecureScore,
    Alerts,
    ServiceHealth,
    Groups,
}

impl Area {
    pub fn label(self) -> &'static str {
        match self {
            Area::Token => "the Entra ID sign-in",
            Area::Users => "users",
            Area::SignInActivity => "users' last sign-in",
            Area::Licenses => "licences",
            Area::Subscriptions => "subscriptions",
            Area::SecureScore => "Secure Score",
            Area::Alerts => "security alerts",
            Area::ServiceHealth => "service health",
            Area::Groups => "groups",
        }
    }

    /// The least-privileged Microsoft Graph application permission this area needs.
    pub fn permission(self) -> Option<&'static str> {
        Some(match self {
            Area::Token => return None,
            Area::Users => "User.Read.All",
            Area::SignInActivity => "AuditLog.Read.All",
            Area::Licenses | Area::Subscriptions => "Organization.Read.All",
            Area::SecureScore => "SecurityEvents.Read.All",
            Area::Alerts => "SecurityAlert.Read.All",
            Area::ServiceHealth => "ServiceHealth.Read.All",
            Area::Groups => "GroupMember.Read.All",
        })
    }
}

impl std::fmt::Display for Area {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// Why Entra ID would not issue a token for a tenant's app registration. The `code` is the
/// `AADSTS…` code Entra ID gave, for searching Microsoft's documentation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("tenant {tenant:?} was not found: check the tenant ID ({code})")]
    TenantNotFound { tenant: String, code: String },
    #[error(
        "application {client_id} was not found in tenant {tenant}: check the application (client) ID, \
         and that an administrator of that tenant has granted consent to the application ({code})"
    )]
    AppNotInTenant { tenant: String, client_id: String, code: String },
    #[error("the client secret is not valid: enter the secret's value (not its ID) ({code})")]
    InvalidSecret { code: String },
    #[error("the client secret has expired: create a new one for the app registration ({code})")]
    SecretExpired { code: String },
    #[error(
        "Entra ID did not accept the certificate with thumbprint {thumbprint}: check that this certificate is \
         uploaded to the app registration (Certificates & secrets), has not expired, and that the private key \
         saved in Portico belongs to it ({code})"
    )]
    CertificateRefused { thumbprint: String, code: String },
    #[error("Entra ID says the client assertion is outside its valid time: check this server's clock ({code})")]
    AssertionOutOfTime { code: String },
    #[error("the client assertion could not be signed: the system's random number source failed")]
    CannotSign,
    #[error("Entra ID refused the token request: {error}: {description}")]
    Refused { error: String, description: String },
}

#[derive(Debug, thiserror::Error)]
pub enum GraphError {
    #[error(transparent)]
    Token(#[from] TokenError),
    #[error(
        "the app registration may not read {area}: add the {} application permission and grant admin consent ({code})",
        area.permission().unwrap_or("missing")
    )]
    PermissionMissing { area: Area, code: String },
    #[error("{area} needs a Microsoft Entra ID P1 or P2 licence in the tenant")]
    PremiumRequired { area: Area },
    #[error("Microsoft Graph is throttling requests for {area}; gave up after {attempts} attempts")]
    Throttled { area: Area, attempts: u32, retry_after: Option<Duration> },
    #[error("Microsoft Graph kept failing for {area} (HTTP {status}); gave up after {attempts} attempts")]
    Unavailable { area: Area, status: u16, attempts: u32 },
    #[error("Microsoft did not answer in time for {area}; gave up after {attempts} attempts")]
    Timeout { area: Area, attempts: u32 },
    #[error("could not reach Microsoft for {area}: {message}; gave up after {attempts} attempts")]
    Unreachable { area: Area, message: String, attempts: u32 },
    /// A stored delta link is too old (Graph keeps them about 7 days for directory objects):
    /// start a new round without one.
    #[error("the change-tracking link for {area} has expired: everything must be read again")]
    DeltaExpired { area: Area },
    #[error("Microsoft Graph did not accept the access token for {area} ({code})")]
    Unauthorized { area: Area, code: String },
    #[error("Microsoft Graph answered HTTP {status} for {area}: {code}: {message}")]
    Api { area: Area, status: u16, code: String, message: String },
    #[error("unexpected answer from Microsoft for {area}: {message}")]
    Invalid { area: Area, message: String },
    #[error("the HTTP client could not be set up: {0}")]
    Setup(String),
}

impl GraphError {
    /// The area the failed request was reading, if there was one.
    pub fn area(&self) -> Option<Area> {
        match self {
            GraphError::Token(_) => Some(Area::Token),
            GraphError::PermissionMissing { area, .. }
            | GraphError::PremiumRequired { area }
            | GraphError::DeltaExpired { area }
            | GraphError::Throttled { area, .. }
            | GraphError::Unavailable { area, .. }
            | GraphError::Timeout { area, .. }
            | GraphError::Unreachable { area, .. }
            | GraphError::Unauthorized { area, .. }
            | GraphError::Api { area, .. }
            | GraphError::Invalid { area, .. } => Some(*area),
            GraphError::Setup(_) => None,
        }
    }

    /// True when trying again later may succeed without anyone changing anything
    /// (throttling, outages, timeouts); false when the tenant's setup must change first.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            GraphError::Throttled { .. }
                | GraphError::Unavailable { .. }
                | GraphError::Timeout { .. }
                | GraphError::Unreachable { .. }
        )
    }
}
