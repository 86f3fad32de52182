//! Microsoft Graph, read with an app registration consented in each customer's tenant
//! (client-credentials tokens from Entra ID, with a client secret or a certificate). Base URLs
//! come from the settings (`PORTICO_GRAPH_URL`, `PORTICO_LOGIN_URL`), which is also how the
//! tests point it at their fake Graph.
//!
//! ```no_run
//! # async fn sync(settings: &portico::config::Settings) -> Result<(), portico::integrations::graph::GraphError> {
//! use portico::integrations::graph::{ClientSecret, GraphClient, TenantCredentials};
//! let graph = GraphClient::new(settings)?;
//! let creds = TenantCredentials::new("contoso.onmicrosoft.com", "app-id", ClientSecret::new("secret"));
//! let mut users = graph.users(&creds).await?;
//! while let Some(page) = users.next_page().await? {
//!     for user in page { /* store it */ }
//! }
//! let skus = graph.subscribed_skus(&creds).collect_all().await?;
//! # Ok(()) }
//! ```

mod certificate;
mod client;
mod endpoints;
mod error;
mod model;
pub mod skus;
mod token;

pub use certificate::{CertificateError, ClientCertificate};
pub use client::{GraphClient, GraphOptions, Pages};
pub use endpoints::{SignInAvailability, UserPages, USER_FIELDS};
pub use error::{Area, GraphError, TokenError};
pub use model::{
    Alert, AlertSeverity, AlertStatus, AssignedLicense, CompanySubscription, ControlProfile, ControlScore, Group,
    Impact, IssueClassification, IssuePost, ItemBody, LastSignIn, PrepaidUnits, RemovalReason, SecureScore,
    ServiceHealth, ServiceHealthStatus, ServiceIssue, SkuStatus, SubscribedSku, User, UserChange,
};
pub use skus::product_name;
pub use token::{AccessToken, ClientCredential, ClientSecret, TenantCredentials};
