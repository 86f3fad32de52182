//! A fake Microsoft Graph and Entra ID token service: an HTTP server on 127.0.0.1:0 that
//! speaks the documented wire format for what Portico reads — the client-credentials token
//! endpoint (client secret, or a certificate's client assertion whose signature, `x5t`,
//! audience, issuer and lifetime it checks) and its `AADSTS` errors, `value` arrays,
//! `$select` and `$top`, `@odata.nextLink` paging with opaque skip tokens, user delta rounds
//! with `@removed` entries and a `@odata.deltaLink`, and Graph's error bodies. It holds one
//! tenant generated deterministically from a `TenantSpec`, can be told to misbehave (throttle,
//! fail, stall, refuse a permission, lack a premium licence, send fields and values it never
//! sent before) and counts what it was asked.

mod controls;
mod http;
mod paging;
mod tenant;
mod token;

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use portico::config::Settings;
use portico::integrations::graph::{ClientSecret, GraphClient, GraphOptions, TenantCredentials};
use serde_json::Value;

pub use tenant::{group_id, member_count, user_id, SERVICES, SKUS};

pub const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
pub const TENANT_DOMAIN: &str = "contoso.onmicrosoft.com";
pub const CLIENT_ID: &str = "a1b2c3d4-0000-4000-8000-00000000c0de";
pub const SECRET: &str = "Gk~8Q~fake.secret-value";
/// `client_assertion_type` of a signed JWT (RFC 7523).
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
#[derive(Debug, Clone)]
pub struct TenantSpec {
    pub users: usize,
    pub groups: usize,
    pub alerts: usize,
    pub issues: usize,
    pub control_profiles: usize,
    pub score_days: usize,
    /// Page size when the client gives no `$top` (Graph's is 100).
    pub page_size: usize,
    pub token_lifetime: u64,
    /// Subscribed SKUs: the first five are `SKUS`.
    pub skus: usize,
}

impl Default for TenantSpec {
    fn default() -> Self {
        TenantSpec {
            users: 30,
            groups: 4,
            alerts: 5,
            issues: 3,
            control_profiles: 12,
            score_days: 30,
            page_size: 100,
            token_lifetime: 3599,
            skus: SKUS.len(),
        }
    }
}

/// A misbehaviour for the next request(s) whose path starts with a prefix.
#[derive(Debug, Clone)]
pub enum Fault {
    /// 429 with `Retry-After` in seconds.
    TooManyRequests(u64),
    /// 503, with or without `Retry-After`.
    Unavailable(Option<u64>),
    /// Any other status, e.g. 500 or 502.
    Status(u16),
    /// Answer normally, but only after this long.
    Slow(Duration),
}
pub struct FakeGraph {
    pub url: String,
    shared: Arc<Shared>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for FakeGraph {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

struct Shared {
    url: String,
    spec: TenantSpec,
    state: Mutex<Tenant>,
}

#[derive(Default)]
struct Tenant {
    users: usize,
    version: u64,
    /// User index → version of its last change (for delta rounds).
    changed: HashMap<usize, u64>,
    renamed: HashMap<usize, String>,
    /// Users switched off or on since they were created: index → enabled.
    toggled: HashMap<usize, bool>,
    /// User index → the properties changed since it was created; a delta round sends only
    /// these for it, as Graph may.
    patched: HashMap<usize, Vec<&'static str>>,
    /// User index → (version, reason).
    removed: HashMap<usize, (u64, &'static str)>,
    tokens: HashSet<String>,
    tokens_issued: usize,
    /// Certificates uploaded to the app registration: (SHA-1 thumbprint, RSAPublicKey DER).
    certificates: Vec<([u8; 20], Vec<u8>)>,
    /// The (header, claims) of every client assertion accepted.
    assertions: Vec<(Value, Value)>,
    /// Token requests that sent a client secret.
    secrets_sent: usize,
    cursors: HashMap<String, Cursor>,
    next_cursor: u64,
    faults: Vec<(String, VecDeque<Fault>)>,
    denied: Vec<String>,
    non_premium: bool,
    sign_in_denied: bool,
    extra_fields: bool,
    unknown_enums: bool,
    camel_case: bool,
    log: Vec<String>,
}

/// What an opaque skip or delta token stands for.
#[derive(Clone)]
enum Cursor {
    /// The next page of a listing: the query it must come back with, verbatim.
    Page { offset: usize, query: String },
    /// The next page of a delta round.
    DeltaPage { offset: usize, query: String, select: String, since: Option<u64>, round: u64 },
    /// The start of the next delta round.
    Delta { select: String, since: u64 },
}

impl FakeGraph {
    pub async fn start() -> FakeGraph {
        Self::start_with(TenantSpec::default()).await
    }

    pub async fn start_with(spec: TenantSpec) -> FakeGraph {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind the fake Graph");
        let url = format!("http://{}", listener.local_addr().unwrap());
        let shared = Arc::new(Shared {
            url: url.clone(),
            state: Mutex::new(Tenant { users: spec.users, ..Default::default() }),
            spec,
        });
        let router = axum::Router::new().fallback(http::handle).with_state(shared.clone());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(async move {
                    let _ = rx.await;
                })
                .await;
        });
        FakeGraph { url, shared, shutdown: Some(tx) }
    }

    fn tenant(&self) -> MutexGuard<'_, Tenant> {
        self.shared.state.lock().unwrap()
    }

    /// Settings that point Portico's Graph client here, as an operator would.
    pub fn settings(&self) -> Settings {
        Settings { graph_url: self.url.clone(), login_url: self.url.clone(), ..Settings::default() }
    }

    /// A client with short timeouts and backoffs, so that failure tests run quickly.
    pub fn client(&self) -> GraphClient {
        self.client_with(GraphOptions {
            request_timeout: Duration::from_secs(5),
            backoff_base: Duration::from_millis(20),
            max_backoff: Duration::from_millis(200),
            ..GraphOptions::default()
        })
    }

    pub fn client_with(&self, options: GraphOptions) -> GraphClient {
        GraphClient::with_options(&self.settings(), options).expect("client builds")
    }
}

/// Credentials for the fake tenant, right unless changed.
pub fn creds() -> TenantCredentials {
    TenantCredentials::new(TENANT, CLIENT_ID, ClientSecret::new(SECRET))
}
