//! A fake Microsoft Graph and Entra ID token service: an HTTP server on 127.0.0.1:0 that
//! speaks the documented wire format for what Portico reads — the client-credentials token
//! endpoint (client secret, or a certificate's client assertion whose signature, `x5t`,
//! audience, issuer and lifetime it checks) and its `AADSTS` errors, `value` arrays,
//! `$select` and `$top`, `@odata.nextLink` paging with opaque skip tokens, user delta rounds
//! with `@removed` entries and a `@odata.deltaLink`, and Graph's error bodies. It holds one
//! tenant generated deterministically from a `TenantSpec`, can be told to misbehave (throttle,
//! fail, stall, refuse a permission, lack a premium licence, send fields and values it never
//! sent before) and counts what it was asked.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use portico::config::Settings;
use portico::integrations::graph::{ClientSecret, GraphClient, GraphOptions, TenantCredentials};
use serde_json::{json, Map, Value};

pub const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
pub const TENANT_DOMAIN: &str = "contoso.onmicrosoft.com";
pub const CLIENT_ID: &str = "a1b2c3d4-0000-4000-8000-00000000c0de";
pub const SECRET: &str = "Gk~8Q~fake.secret-value";
/// `client_assertion_type` of a signed JWT (RFC 7523).
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// The tenant's licences: (skuId, skuPartNumber). The last is not in Microsoft's table.
pub const SKUS: &[(&str, &str)] = &[
    ("cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46", "SPB"),
    ("6fd2c87f-b296-42f0-b197-1e91e994b900", "ENTERPRISEPACK"),
    ("f245ecc8-75af-4f8e-b61f-27d8114de5f3", "O365_BUSINESS_PREMIUM"),
    ("4b9405b0-7788-4568-add1-99614e613b69", "EXCHANGESTANDARD"),
    ("0c0ffee0-0000-4000-8000-00000000beef", "CONTOSO_CUSTOM_ADDON"),
];

/// The services in `healthOverviews`: (id, service, status as Graph spells it).
pub const SERVICES: &[(&str, &str, &str)] = &[
    ("Exchange", "Exchange Online", "ServiceOperational"),
    ("SharePoint", "SharePoint Online", "ServiceDegradation"),
    ("microsoftteams", "Microsoft Teams", "ServiceOperational"),
    ("OrgLiveID", "Identity Service", "ServiceRestored"),
];

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

pub fn user_id(i: usize) -> String {
    format!("00000000-0000-4000-8000-{i:012}")
}

pub fn group_id(i: usize) -> String {
    format!("00000000-0000-4000-9000-{i:012}")
}

pub fn member_count(i: usize) -> u64 {
    (i * 3 + 2) as u64
}

/// SKU `k` of the tenant, (id, part number): those in `SKUS`, then made-up ones.
pub fn sku_at(k: usize) -> (String, String) {
    match SKUS.get(k) {
        Some((id, part)) => (id.to_string(), part.to_string()),
        None => (format!("00000000-0000-4000-a000-{k:012}"), format!("PORTICO_BENCH_{k}")),
    }
}

/// What user `i`'s `signInActivity` looks like, by `i % 6`: absent (never signed in),
/// `0001-01-01T00:00:00Z`, `null`, `""`, a time, a time with 7 fractional digits.
pub fn user_sign_in(i: usize) -> Option<Value> {
    let last = match i % 6 {
        0 => return None,
        1 => json!("0001-01-01T00:00:00Z"),
        2 => Value::Null,
        3 => json!(""),
        4 => json!(format!("2025-03-{:02}T08:30:00Z", 1 + i % 28)),
        _ => json!("2025-04-02T10:11:12.1234567Z"),
    };
    Some(json!({
        "lastSignInDateTime": last,
        "lastSignInRequestId": "d4d31c40-4c36-4775-ad59-7d1e6a171f00",
        "lastNonInteractiveSignInDateTime": "0001-01-01T00:00:00Z",
        "lastNonInteractiveSignInRequestId": "",
        "lastSuccessfulSignInDateTime": "",
        "lastSuccessfulSignInRequestId": "",
    }))
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
        let router = axum::Router::new().fallback(handle).with_state(shared.clone());
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

    /// The failures queued for requests under `path_prefix`, in order, one per request.
    pub fn fail_next(&self, path_prefix: &str, faults: impl IntoIterator<Item = Fault>) {
        self.tenant().faults.push((path_prefix.to_string(), faults.into_iter().collect()));
    }

    /// Refuses everything under `path_prefix` with 403 `Authorization_RequestDenied`.
    pub fn deny(&self, path_prefix: &str) {
        self.tenant().denied.push(path_prefix.to_string());
    }

    /// A tenant without Entra ID P1/P2: selecting `signInActivity` is refused.
    pub fn set_non_premium(&self, on: bool) {
        self.tenant().non_premium = on;
    }

    /// The app lacks AuditLog.Read.All: selecting `signInActivity` is refused.
    pub fn set_sign_in_denied(&self, on: bool) {
        self.tenant().sign_in_denied = on;
    }

    /// Every item carries properties no client has seen before.
    pub fn set_extra_fields(&self, on: bool) {
        self.tenant().extra_fields = on;
    }

    /// Some enum values are `unknownFutureValue` or ones added after the client was written.
    pub fn set_unknown_enums(&self, on: bool) {
        self.tenant().unknown_enums = on;
    }

    /// Service health statuses and classifications in camelCase (`serviceOperational`).
    pub fn set_camel_case(&self, on: bool) {
        self.tenant().camel_case = on;
    }

    /// Every delta link handed out so far is too old to use.
    pub fn expire_delta_links(&self) {
        self.tenant().cursors.retain(|_, c| !matches!(c, Cursor::Delta { .. }));
    }

    /// Every token issued so far stops working (401 on use).
    pub fn revoke_tokens(&self) {
        self.tenant().tokens.clear();
    }

    pub fn rename_user(&self, i: usize, name: &str) {
        let mut t = self.tenant();
        t.version += 1;
        let v = t.version;
        t.changed.insert(i, v);
        t.renamed.insert(i, name.to_string());
        t.patched.entry(i).or_default().push("displayName");
    }

    /// Turns user `i`'s account off or on.
    pub fn set_enabled(&self, i: usize, on: bool) {
        let mut t = self.tenant();
        t.version += 1;
        let v = t.version;
        t.changed.insert(i, v);
        t.toggled.insert(i, on);
        t.patched.entry(i).or_default().push("accountEnabled");
    }

    /// Deletes user `i`: restorable (`@removed` reason `changed`) or permanently (`deleted`).
    pub fn remove_user(&self, i: usize, permanently: bool) {
        let mut t = self.tenant();
        t.version += 1;
        let v = t.version;
        t.removed.insert(i, (v, if permanently { "deleted" } else { "changed" }));
    }

    pub fn add_users(&self, n: usize) {
        let mut t = self.tenant();
        for _ in 0..n {
            t.version += 1;
            let (i, v) = (t.users, t.version);
            t.changed.insert(i, v);
            t.users += 1;
        }
    }

    /// Uploads a certificate to the app registration: its thumbprint (hex) and the public key
    /// (RSAPublicKey DER) signatures are checked with.
    pub fn trust_certificate(&self, thumbprint_hex: &str, public_key_der: &[u8]) {
        let mut thumbprint = [0u8; 20];
        for (i, b) in thumbprint.iter_mut().enumerate() {
            *b = u8::from_str_radix(&thumbprint_hex[i * 2..i * 2 + 2], 16).expect("a hex thumbprint");
        }
        self.tenant().certificates.push((thumbprint, public_key_der.to_vec()));
    }

    /// The (header, claims) of each client assertion accepted so far.
    pub fn assertions(&self) -> Vec<(Value, Value)> {
        self.tenant().assertions.clone()
    }

    /// How many token requests sent a client secret.
    pub fn secrets_sent(&self) -> usize {
        self.tenant().secrets_sent
    }

    pub fn token_requests(&self) -> usize {
        self.tenant().log.iter().filter(|r| r.contains("/oauth2/v2.0/token")).count()
    }

    pub fn tokens_issued(&self) -> usize {
        self.tenant().tokens_issued
    }

    /// Requests whose path starts with `path_prefix`, as `path?query`, in order.
    pub fn requests(&self, path_prefix: &str) -> Vec<String> {
        self.tenant().log.iter().filter(|r| r.starts_with(path_prefix)).cloned().collect()
    }
}

/// Credentials for the fake tenant, right unless changed.
pub fn creds() -> TenantCredentials {
    TenantCredentials::new(TENANT, CLIENT_ID, ClientSecret::new(SECRET))
}

async fn handle(State(s): State<Arc<Shared>>, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let path = uri.path().to_string();
    let raw_query = uri.query().unwrap_or("").to_string();
    let fault = {
        let mut t = s.state.lock().unwrap();
        t.log.push(if raw_query.is_empty() { path.clone() } else { format!("{path}?{raw_query}") });
        let queue = t.faults.iter_mut().find(|(prefix, q)| path.starts_with(prefix.as_str()) && !q.is_empty());
        queue.and_then(|(_, q)| q.pop_front())
    };
    match fault {
        Some(Fault::Slow(d)) => tokio::time::sleep(d).await,
        Some(Fault::TooManyRequests(secs)) => {
            let mut r = graph_error(
                StatusCode::TOO_MANY_REQUESTS,
                "TooManyRequests",
                "Too many requests, please try again later.",
            );
            r.headers_mut().insert("Retry-After", secs.into());
            return r;
        }
        Some(Fault::Unavailable(after)) => {
            let mut r = graph_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "serviceNotAvailable",
                "The service is temporarily unavailable.",
            );
            if let Some(secs) = after {
                r.headers_mut().insert("Retry-After", secs.into());
            }
            return r;
        }
        Some(Fault::Status(code)) => {
            let status = StatusCode::from_u16(code).unwrap();
            return graph_error(status, "generalException", "An unexpected error occurred.");
        }
        None => {}
    }
    if method == Method::POST && path.ends_with("/oauth2/v2.0/token") {
        return s.token(&path, &body);
    }
    if method != Method::GET {
        return graph_error(StatusCode::METHOD_NOT_ALLOWED, "Request_BadRequest", "Method not allowed.");
    }
    let token = headers.get("authorization").and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    let mut t = s.state.lock().unwrap();
    match token {
        None => return graph_error(StatusCode::UNAUTHORIZED, "InvalidAuthenticationToken", "Access token is empty."),
        Some(tok) if !t.tokens.contains(tok) => {
            return graph_error(
                StatusCode::UNAUTHORIZED,
                "InvalidAuthenticationToken",
                "Lifetime validation failed, the token is expired.",
            )
        }
        Some(_) => {}
    }
    s.graph(&mut t, &path, &raw_query, &headers)
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    Response::builder()
        .status(status)
        .header(
            "Content-Type",
            "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8",
        )
        .header("request-id", "2f6a0c36-0000-4000-8000-000000000001")
        .body(body.to_string().into())
        .unwrap()
}

/// Graph's error body, with the `innerError` it always carries.
fn graph_error(status: StatusCode, code: &str, message: &str) -> Response {
    json_response(
        status,
        &json!({"error": {
            "code": code,
            "message": message,
            "innerError": {
                "date": "2025-06-30T12:00:00",
                "request-id": "2f6a0c36-0000-4000-8000-000000000001",
                "client-request-id": "2f6a0c36-0000-4000-8000-000000000001",
            },
        }}),
    )
}

/// Entra ID's token error body.
fn token_error(status: StatusCode, error: &str, code: u64, text: &str) -> Response {
    let description = format!(
        "AADSTS{code}: {text}\r\nTrace ID: 0f7c6a8e-0000-4000-8000-000000000000\r\n\
         Correlation ID: 5b0d5a6c-0000-4000-8000-000000000000\r\nTimestamp: 2025-06-30 12:00:00Z"
    );
    let body = json!({
        "error": error,
        "error_description": description,
        "error_codes": [code],
        "timestamp": "2025-06-30 12:00:00Z",
        "trace_id": "0f7c6a8e-0000-4000-8000-000000000000",
        "correlation_id": "5b0d5a6c-0000-4000-8000-000000000000",
        "error_uri": format!("https://login.microsoftonline.com/error?code={code}"),
    });
    Response::builder()
        .status(status)
        .header("Content-Type", "application/json; charset=utf-8")
        .body(body.to_string().into())
        .unwrap()
}

fn query_pairs(raw: &str) -> Vec<(String, String)> {
    serde_urlencoded::from_str(raw).unwrap_or_default()
}

fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

/// Keeps only the selected properties (and `id`, which Graph always returns).
fn select(mut item: Value, fields: Option<&str>) -> Value {
    if let (Some(fields), Some(obj)) = (fields, item.as_object_mut()) {
        let keep: HashSet<&str> = fields.split(',').map(str::trim).collect();
        obj.retain(|k, _| k == "id" || k.starts_with('@') || keep.iter().any(|f| f.eq_ignore_ascii_case(k)));
    }
    item
}

impl Shared {
    fn token(&self, path: &str, body: &[u8]) -> Response {
        let tenant = path.trim_start_matches('/').split('/').next().unwrap_or("");
        let form: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
        let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or("");
        if !tenant.eq_ignore_ascii_case(TENANT) && !tenant.eq_ignore_ascii_case(TENANT_DOMAIN) {
            return token_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                90002,
                &format!(
                    "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are \
                     signing into the correct cloud."
                ),
            );
        }
        if field("grant_type") != "client_credentials" {
            return token_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                70003,
                "The app requested an unsupported grant type.",
            );
        }
        if field("client_id") != CLIENT_ID {
            return token_error(
                StatusCode::BAD_REQUEST,
                "unauthorized_client",
                700016,
                &format!(
                    "Application with identifier '{}' was not found in the directory 'Contoso'. This can happen if \
                     the application has not been installed by the administrator of the tenant or consented to by \
                     any user in the tenant. You may have sent your authentication request to the wrong tenant.",
                    field("client_id")
                ),
            );
        }
        let assertion = field("client_assertion");
        if !assertion.is_empty() {
            if field("client_assertion_type") != JWT_BEARER {
                return token_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    50027,
                    "JWT token is invalid or malformed. The client_assertion_type is not supported.",
                );
            }
            let audience = format!("{}/{tenant}/oauth2/v2.0/token", self.url);
            if let Some(refused) = self.assertion_refusal(assertion, &audience) {
                return refused;
            }
        } else if field("client_secret").is_empty() {
            return token_error(
                StatusCode::BAD_REQUEST,
                "invalid_client",
                7000218,
                "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
            );
        } else if field("client_secret") != SECRET {
            return token_error(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                7000215,
                &format!(
                    "Invalid client secret provided. Ensure the secret being sent in the request is the client \
                     secret value, not the client secret ID, for a secret added to app '{CLIENT_ID}'."
                ),
            );
        } else {
            self.state.lock().unwrap().secrets_sent += 1;
        }
        if field("scope") != format!("{}/.default", self.url) {
            return token_error(
                StatusCode::BAD_REQUEST,
                "invalid_scope",
                1002012,
                "The provided value for scope is not valid. Client credential flows must have a scope value \
                 with /.default suffixed to the resource identifier (application ID URI).",
            );
        }
        let mut t = self.state.lock().unwrap();
        t.tokens_issued += 1;
        let token = format!("eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.fake-{}.sig", t.tokens_issued);
        t.tokens.insert(token.clone());
        let body = json!({
            "token_type": "Bearer",
            "expires_in": self.spec.token_lifetime,
            "ext_expires_in": self.spec.token_lifetime,
            "access_token": token,
        });
        json_response(StatusCode::OK, &body)
    }

    /// Entra ID's refusal of a client assertion, if any. It must be a JWT signed RS256 by the
    /// key of one of the app's certificates (named by the SHA-1 thumbprint in `x5t`), for this
    /// token endpoint, issued by and about the app, and not expired.
    fn assertion_refusal(&self, jwt: &str, audience: &str) -> Option<Response> {
        let refuse = |code: u64, text: String| token_error(StatusCode::UNAUTHORIZED, "invalid_client", code, &text);
        let malformed =
            || token_error(StatusCode::BAD_REQUEST, "invalid_request", 50027, "JWT token is invalid or malformed.");
        let parts: Vec<&str> = jwt.split('.').collect();
        let [header, claims, signature] = parts[..] else { return Some(malformed()) };
        let json = |part: &str| -> Option<Value> { serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).ok()?).ok() };
        let (Some(h), Some(c), Ok(sig)) = (json(header), json(claims), URL_SAFE_NO_PAD.decode(signature)) else {
            return Some(malformed());
        };
        if h["alg"] != "RS256" || h["typ"] != "JWT" {
            return Some(refuse(
                700027,
                format!("Client assertion contains an unsupported signing algorithm '{}'.", h["alg"]),
            ));
        }
        let x5t = h["x5t"].as_str().and_then(|t| URL_SAFE_NO_PAD.decode(t).ok()).unwrap_or_default();
        let hex: String = x5t.iter().map(|b| format!("{b:02X}")).collect();
        let key = {
            let t = self.state.lock().unwrap();
            t.certificates.iter().find(|(thumbprint, _)| thumbprint[..] == x5t[..]).map(|(_, key)| key.clone())
        };
        let Some(key) = key else {
            return Some(refuse(
                700027,
                format!(
                    "The certificate with identifier used to sign the client assertion is not registered on \
                     application. [Reason - The key was not found., Thumbprint of key used by client: '{hex}', \
                     Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys \
                     for app Id '{CLIENT_ID}'.]"
                ),
            ));
        };
        let signed = format!("{header}.{claims}");
        let verified = ring::signature::UnparsedPublicKey::new(&ring::signature::RSA_PKCS1_2048_8192_SHA256, &key)
            .verify(signed.as_bytes(), &sig);
        if verified.is_err() {
            return Some(refuse(
                700027,
                format!(
                    "Client assertion contains an invalid signature. [Reason - The provided signature value did \
                     not match the expected signature value., Thumbprint of key used by client: '{hex}']"
                ),
            ));
        }
        if c["aud"] != audience {
            return Some(refuse(
                700027,
                format!("Client assertion failed validation: the audience '{}' is not '{audience}'.", c["aud"]),
            ));
        }
        if c["iss"] != CLIENT_ID || c["sub"] != CLIENT_ID {
            return Some(refuse(
                700027,
                format!("Client assertion failed validation: iss and sub must be the client id '{CLIENT_ID}'."),
            ));
        }
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
        let (exp, nbf) = (c["exp"].as_u64().unwrap_or(0), c["nbf"].as_u64().unwrap_or(u64::MAX));
        if exp <= now || nbf > now + 300 {
            return Some(refuse(
                700024,
                format!(
                    "Client assertion is not within its valid time range. Current time: {now}, expiry time of \
                     assertion {exp}."
                ),
            ));
        }
        if c["jti"].as_str().is_none_or(str::is_empty) {
            return Some(malformed());
        }
        self.state.lock().unwrap().assertions.push((h, c));
        None
    }

    fn graph(&self, t: &mut Tenant, path: &str, raw: &str, headers: &HeaderMap) -> Response {
        let q = query_pairs(raw);
        if t.denied.iter().any(|p| path.starts_with(p.as_str())) {
            return graph_error(
                StatusCode::FORBIDDEN,
                "Authorization_RequestDenied",
                "Insufficient privileges to complete the operation.",
            );
        }
        let fields = param(&q, "$select");
        let wants_sign_in = fields.is_some_and(|s| s.to_ascii_lowercase().contains("signinactivity"));
        if path == "/v1.0/users" && wants_sign_in && t.non_premium {
            return graph_error(
                StatusCode::FORBIDDEN,
                "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
                "Neither tenant is B2C or tenant doesn't have premium license",
            );
        }
        if path == "/v1.0/users" && wants_sign_in && t.sign_in_denied {
            return graph_error(
                StatusCode::FORBIDDEN,
                "Authorization_RequestDenied",
                "Insufficient privileges to complete the operation.",
            );
        }
        let top = match param(&q, "$top").map(str::parse::<usize>) {
            None => None,
            Some(Ok(n)) if (1..=999).contains(&n) => Some(n),
            Some(_) => {
                return graph_error(
                    StatusCode::BAD_REQUEST,
                    "Request_UnsupportedQuery",
                    "Invalid page size specified. Must be between 1 and 999 inclusive.",
                )
            }
        };
        match path {
            "/v1.0/users" => {
                let ids = existing_users(t);
                let max = if wants_sign_in { 500 } else { 999 };
                let size = top.unwrap_or(self.spec.page_size).min(max);
                self.page(t, path, raw, "users", ids.len(), size, |t, k| select(self.user(t, ids[k]), fields))
            }
            "/v1.0/users/delta" => self.delta(t, raw),
            "/v1.0/subscribedSkus" => {
                let items: Vec<Value> = (0..self.spec.skus).map(|k| select(self.sku(t, k), fields)).collect();
                self.page(t, path, raw, "subscribedSkus", items.len(), 999, |_, k| items[k].clone())
            }
            "/v1.0/directory/subscriptions" => {
                let items: Vec<Value> = (0..self.spec.skus).map(|k| select(self.subscription(t, k), fields)).collect();
                self.page(t, path, raw, "directory/subscriptions", items.len(), 999, |_, k| items[k].clone())
            }
            "/v1.0/security/secureScores" => {
                // Here `$top` is the number of days wanted (newest first), not a page size.
                let days = top.map_or(self.spec.score_days, |n| n.min(self.spec.score_days));
                let size = top.unwrap_or(self.spec.page_size);
                self.page(t, path, raw, "security/secureScores", days, size, |t, k| self.score(t, k))
            }
            "/v1.0/security/secureScoreControlProfiles" => {
                let size = top.unwrap_or(self.spec.page_size);
                let n = self.spec.control_profiles;
                self.page(t, path, raw, "security/secureScoreControlProfiles", n, size, |t, k| self.control(t, k))
            }
            "/v1.0/security/alerts_v2" => {
                let size = top.unwrap_or(self.spec.page_size);
                self.page(t, path, raw, "security/alerts_v2", self.spec.alerts, size, |t, k| self.alert(t, k))
            }
            "/v1.0/admin/serviceAnnouncement/healthOverviews" => {
                let n = SERVICES.len();
                let ctx = "admin/serviceAnnouncement/healthOverviews";
                self.page(t, path, raw, ctx, n, 100, |t, k| select(self.health(t, k), fields))
            }
            "/v1.0/admin/serviceAnnouncement/issues" => {
                let n = self.spec.issues;
                let ctx = "admin/serviceAnnouncement/issues";
                self.page(t, path, raw, ctx, n, 100, |t, k| select(self.issue(t, k), fields))
            }
            "/v1.0/groups" => {
                let size = top.unwrap_or(self.spec.page_size);
                self.page(t, path, raw, "groups", self.spec.groups, size, |t, k| select(self.group(t, k), fields))
            }
            p if p.starts_with("/v1.0/groups/") && p.ends_with("/members/$count") => {
                let id = &p["/v1.0/groups/".len()..p.len() - "/members/$count".len()];
                if headers.get("consistencylevel").and_then(|v| v.to_str().ok()) != Some("eventual") {
                    return graph_error(
                        StatusCode::BAD_REQUEST,
                        "Request_BadRequest",
                        "Count is not currently supported.",
                    );
                }
                match (0..self.spec.groups).find(|&i| group_id(i) == id) {
                    Some(i) => Response::builder()
                        .status(StatusCode::OK)
                        .header("Content-Type", "text/plain")
                        .body(member_count(i).to_string().into())
                        .unwrap(),
                    None => graph_error(
                        StatusCode::NOT_FOUND,
                        "Request_ResourceNotFound",
                        &format!("Resource '{id}' does not exist or one of its queried reference-property objects are not present."),
                    ),
                }
            }
            _ => graph_error(
                StatusCode::BAD_REQUEST,
                "BadRequest",
                &format!("Resource not found for the segment '{path}'."),
            ),
        }
    }

    /// One page of `n` items: from the start, or where the skip token says. A skip token is
    /// honoured only with the exact query of the link it came in.
    #[allow(clippy::too_many_arguments)]
    fn page(
        &self,
        t: &mut Tenant,
        path: &str,
        raw: &str,
        context: &str,
        n: usize,
        size: usize,
        item: impl Fn(&Tenant, usize) -> Value,
    ) -> Response {
        let q = query_pairs(raw);
        let offset = match param(&q, "$skiptoken") {
            None => 0,
            Some(tok) => match t.cursors.get(tok) {
                Some(Cursor::Page { offset, query }) if query == raw => *offset,
                _ => return graph_error(StatusCode::BAD_REQUEST, "Request_BadRequest", "Invalid paging token."),
            },
        };
        let end = (offset + size).min(n);
        let extra = t.extra_fields;
        let value: Vec<Value> = (offset..end).map(|k| with_extras(item(t, k), extra)).collect();
        let mut body = Map::new();
        body.insert("@odata.context".into(), json!(format!("{}/v1.0/$metadata#{context}", self.url)));
        if extra {
            body.insert(
                "@microsoft.graph.tips".into(),
                json!("Use $select to choose only the properties your app needs."),
            );
        }
        if end < n {
            // Graph's link keeps the query and puts its own token last.
            let kept: Vec<&str> = raw.split('&').filter(|p| !p.is_empty() && !p.starts_with("$skiptoken=")).collect();
            let token = new_token(t);
            let query = kept
                .into_iter()
                .chain([format!("$skiptoken={}", encode(&token)).as_str()])
                .collect::<Vec<_>>()
                .join("&");
            t.cursors.insert(token, Cursor::Page { offset: end, query: query.clone() });
            body.insert("@odata.nextLink".into(), json!(format!("{}{path}?{query}", self.url)));
        }
        body.insert("value".into(), Value::Array(value));
        json_response(StatusCode::OK, &Value::Object(body))
    }

    /// A users delta round: every user at first, then only what changed since the round
    /// that handed out the delta token, removals as `@removed`.
    fn delta(&self, t: &mut Tenant, raw: &str) -> Response {
        let q = query_pairs(raw);
        let invalid = || graph_error(StatusCode::BAD_REQUEST, "Request_BadRequest", "Invalid delta or skip token.");
        let (offset, select, since, round) = if let Some(tok) = param(&q, "$skiptoken") {
            match t.cursors.get(tok) {
                Some(Cursor::DeltaPage { offset, query, select, since, round }) if query == raw => {
                    (*offset, select.clone(), *since, *round)
                }
                _ => return invalid(),
            }
        } else if let Some(tok) = param(&q, "$deltatoken") {
            match t.cursors.get(tok) {
                Some(Cursor::Delta { select, since }) => (0, select.clone(), Some(*since), t.version),
                _ => {
                    return graph_error(
                        StatusCode::BAD_REQUEST,
                        "syncStateNotFound",
                        "The sync state generation is not found. The delta token is expired and data must be \
                         synchronized again.",
                    )
                }
            }
        } else {
            (0, param(&q, "$select").unwrap_or("id,displayName").to_string(), None, t.version)
        };
        // Which entries the round has, cheaply; only the page's own are written out.
        let mut entries: Vec<(usize, Option<&'static str>)> = Vec::new();
        for i in existing_users(t) {
            if since.is_none_or(|v| t.changed.get(&i).is_some_and(|c| *c > v)) {
                entries.push((i, None));
            }
        }
        if let Some(v) = since {
            let mut gone: Vec<_> = t.removed.iter().filter(|(_, (at, _))| *at > v).collect();
            gone.sort();
            entries.extend(gone.into_iter().map(|(i, (_, reason))| (*i, Some(*reason))));
        }
        let end = (offset + self.spec.page_size).min(entries.len());
        let extra = t.extra_fields;
        let value: Vec<Value> = entries[offset..end]
            .iter()
            .map(|&(i, removed)| {
                let entry = match removed {
                    Some(reason) => json!({"id": user_id(i), "@removed": {"reason": reason}}),
                    None => {
                        let mut user = select_user(self.user(t, i), &select);
                        if let (Some(_), Some(props), Value::Object(fields)) = (since, t.patched.get(&i), &mut user) {
                            fields.retain(|k, _| k == "id" || props.contains(&k.as_str()));
                        }
                        user
                    }
                };
                with_extras(entry, extra)
            })
            .collect();
        let mut body = Map::new();
        body.insert("@odata.context".into(), json!(format!("{}/v1.0/$metadata#users", self.url)));
        let token = new_token(t);
        if end < entries.len() {
            let query = format!("$skiptoken={}", encode(&token));
            let cursor = Cursor::DeltaPage { offset: end, query: query.clone(), select, since, round };
            t.cursors.insert(token, cursor);
            body.insert("@odata.nextLink".into(), json!(format!("{}/v1.0/users/delta?{query}", self.url)));
        } else {
            t.cursors.insert(token.clone(), Cursor::Delta { select, since: round });
            let link = format!("{}/v1.0/users/delta?$deltatoken={}", self.url, encode(&token));
            body.insert("@odata.deltaLink".into(), json!(link));
        }
        body.insert("value".into(), Value::Array(value));
        json_response(StatusCode::OK, &Value::Object(body))
    }

    /// The licence user `i` holds, if any.
    fn user_sku(&self, i: usize) -> Option<String> {
        (i % 5 != 4).then(|| sku_at(i % self.spec.skus.max(1)).0)
    }

    fn user(&self, t: &Tenant, i: usize) -> Value {
        let name = t.renamed.get(&i).cloned().unwrap_or_else(|| format!("User {i}"));
        let upn = format!("user{i}@contoso.test");
        let mut u = json!({
            "id": user_id(i),
            "businessPhones": [],
            "displayName": name,
            "givenName": "User",
            "surname": i.to_string(),
            "userPrincipalName": upn,
            "mail": if i % 7 == 6 { Value::Null } else { json!(upn) },
            "accountEnabled": t.toggled.get(&i).copied().unwrap_or(i % 10 != 9),
            "assignedLicenses": self.user_sku(i).map(|s| json!([{"disabledPlans": [], "skuId": s}])).unwrap_or(json!([])),
            "jobTitle": if i % 3 == 2 { Value::Null } else { json!(["Engineer", "Analyst"][i % 3]) },
            "department": (["Sales", "Finance", "IT"][i % 3]),
            "officeLocation": format!("Building {}", i % 4),
            "mobilePhone": if i.is_multiple_of(2) { json!(format!("+1 555 01{:02}", i % 100)) } else { Value::Null },
            "preferredLanguage": "en-US",
            "createdDateTime": created(i),
            "userType": "Member",
        });
        if let Some(activity) = user_sign_in(i) {
            u["signInActivity"] = activity;
        }
        u
    }

    fn sku(&self, t: &Tenant, k: usize) -> Value {
        let (id, part) = sku_at(k);
        let consumed = existing_users(t).into_iter().filter(|&i| self.user_sku(i).as_ref() == Some(&id)).count();
        let status = match k {
            3 => "Warning",
            4 if t.unknown_enums => "unknownFutureValue",
            _ => "Enabled",
        };
        json!({
            "accountName": "Contoso",
            "accountId": TENANT,
            "appliesTo": "User",
            "capabilityStatus": status,
            "consumedUnits": consumed,
            "id": format!("{TENANT}_{id}"),
            "prepaidUnits": {"enabled": consumed + 5, "lockedOut": 0, "suspended": if k == 2 { 2 } else { 0 }, "warning": if k == 3 { 10 } else { 0 }},
            "servicePlans": [{"servicePlanId": "8c098270-9dd4-4350-9b30-ba4703f3b36b", "servicePlanName": "ADALLOM_S_O365", "provisioningStatus": "Success", "appliesTo": "Company"}],
            "skuId": id,
            "skuPartNumber": part,
            "subscriptionIds": [format!("43d26afe-cb98-48b9-acc4-{k:012}")],
        })
    }

    fn subscription(&self, _t: &Tenant, k: usize) -> Value {
        let (id, part) = sku_at(k);
        json!({
            "createdDateTime": format!("2024-{:02}-01T00:00:00Z", k % 12 + 1),
            "commerceSubscriptionId": format!("f9c1ea2d-2c6e-4717-8c3b-{k:012}"),
            "id": format!("43d26afe-cb98-48b9-acc4-{k:012}"),
            "isTrial": k == 4,
            "nextLifecycleDateTime": format!("2026-{:02}-15T00:00:00Z", k % 12 + 1),
            "serviceStatus": [{"appliesTo": "User", "provisioningStatus": "Success", "servicePlanId": "8b8269e5-f841-416c-ab3a-f5dfb9737986", "servicePlanName": "MyPlanName"}],
            "skuId": id,
            "skuPartNumber": part,
            "status": if k == 3 { "Warning" } else { "Enabled" },
            "totalLicenses": 25 + k * 10,
            "ownerId": "fe04f19f-d924-42b7-9dee-edf4e3fab7f6",
            "ownerTenantId": "331af819-4e0b-49f7-a6bf-14e1165ad3a0",
            "ownerType": "User",
        })
    }

    /// Day `k` back from 2025-06-30, newest first.
    fn score(&self, _t: &Tenant, k: usize) -> Value {
        let date = time::macros::datetime!(2025-06-30 03:00 UTC) - time::Duration::days(k as i64);
        json!({
            "id": format!("{TENANT}_{}", date.date()),
            "azureTenantId": TENANT,
            "activeUserCount": 0,
            "createdDateTime": date.format(&time::format_description::well_known::Rfc3339).unwrap(),
            "currentScore": 60.5 - k as f64,
            "enabledServices": ["HasExchange", "HasSharePoint"],
            "licensedUserCount": 100,
            "maxScore": 120.0,
            "averageComparativeScores": [{"basis": "AllTenants", "averageScore": 37.0}],
            "controlScores": [
                {"controlCategory": "Identity", "controlName": "AdminMFAV2", "description": "Require MFA for administrative roles", "score": 10.0, "scoreInPercentage": 100.0, "implementationStatus": "Done", "lastSynced": "2025-06-29T00:00:00Z", "count": "2", "total": "2"},
                {"controlCategory": "Data", "controlName": "DLPEnabled", "description": "Use DLP policies", "score": 0, "on": "false"},
            ],
            "vendorInformation": {"provider": "SecureScore", "providerVersion": null, "subProvider": null, "vendor": "Microsoft"},
        })
    }

    fn control(&self, _t: &Tenant, k: usize) -> Value {
        let levels = ["Low", "Moderate", "High"];
        json!({
            "id": format!("Control{k}"),
            "azureTenantId": TENANT,
            "actionType": "Config",
            "actionUrl": format!("https://security.microsoft.com/securescore?viewid=actions&control=Control{k}"),
            "controlCategory": (["Identity", "Data", "Device", "Apps"][k % 4]),
            "title": format!("Improvement action {k}"),
            "deprecated": k % 6 == 5,
            "implementationCost": levels[k % 3],
            "lastModifiedDateTime": null,
            "maxScore": (k % 10 + 1) as f64,
            "rank": k + 1,
            "remediation": format!("<p>Do thing {k}.</p>"),
            "remediationImpact": "Users are asked once more.",
            "service": "AzureAD",
            "threats": ["accountBreach"],
            "tier": "Core",
            "userImpact": levels[(k + 1) % 3],
            "complianceInformation": [],
            "controlStateUpdates": [],
            "vendorInformation": {"provider": "SecureScore", "vendor": "Microsoft"},
        })
    }

    fn alert(&self, t: &Tenant, k: usize) -> Value {
        let mut severity = ["low", "medium", "high", "informational", "unknown"][k % 5].to_string();
        let mut status = ["new", "inProgress", "resolved"][k % 3].to_string();
        let mut source = "microsoftDefenderForEndpoint";
        if t.unknown_enums && k == 0 {
            severity = "unknownFutureValue".into();
            status = "underReview".into();
            source = "microsoftDefenderForCloud";
        }
        json!({
            "@odata.type": "#microsoft.graph.security.alert",
            "id": format!("da637551227677560813_-96144481{k}"),
            "providerAlertId": format!("da637551227677560813_-96144481{k}"),
            "incidentId": "28282",
            "status": status,
            "severity": severity,
            "classification": "unknown",
            "determination": "unknown",
            "serviceSource": source,
            "detectionSource": "antivirus",
            "title": format!("Suspicious activity {k}"),
            "category": "DefenseEvasion",
            "assignedTo": null,
            "alertWebUrl": format!("https://security.microsoft.com/alerts/da637551227677560813_-96144481{k}"),
            "mitreTechniques": ["T1564.001"],
            "createdDateTime": format!("2025-06-{:02}T12:19:27.7211305Z", 28 - k % 28),
            "lastUpdateDateTime": format!("2025-06-{:02}T14:19:01.3266667Z", 29 - k % 28),
            "resolvedDateTime": null,
            "comments": [],
            "evidence": [{"@odata.type": "#microsoft.graph.security.deviceEvidence", "verdict": "unknown", "remediationStatus": "none"}],
            "systemTags": [],
        })
    }

    fn health(&self, t: &Tenant, k: usize) -> Value {
        let (id, service, status) = SERVICES[k];
        let status = if t.unknown_enums && k == 3 { "unknownFutureValue".to_string() } else { self.spell(t, status) };
        json!({"service": service, "status": status, "id": id})
    }

    fn issue(&self, t: &Tenant, k: usize) -> Value {
        let (service, status, resolved) = match k % 3 {
            0 => ("Exchange Online", "ServiceRestored", true),
            1 => ("SharePoint Online", "ServiceDegradation", false),
            _ => ("Microsoft Teams", "Investigating", false),
        };
        let classification = if k.is_multiple_of(2) { "Incident" } else { "Advisory" };
        json!({
            "startDateTime": format!("2025-06-{:02}T21:00:00Z", 1 + k),
            "endDateTime": if resolved { json!(format!("2025-06-{:02}T17:15:00Z", 2 + k)) } else { Value::Null },
            "lastModifiedDateTime": format!("2025-06-{:02}T18:20:24.767Z", 2 + k),
            "title": format!("Issue {k} affecting {service}"),
            "id": format!("EX{}", 226792 + k),
            "impactDescription": "Users may be unable to send or receive email.",
            "classification": self.spell(t, classification),
            "origin": "Microsoft",
            "status": self.spell(t, status),
            "service": service,
            "feature": "Mailflow",
            "featureGroup": "E-Mail timely delivery",
            "isResolved": resolved,
            "details": [{"name": "NotifyInApp", "value": "True"}],
            // Newest last here; Graph does not promise an order.
            "posts": [
                {"createdDateTime": format!("2025-06-{:02}T07:07:38.97Z", 1 + k), "postType": "Regular",
                 "description": {"contentType": "Html", "content": format!("Issue {k}: investigating.")}},
                {"createdDateTime": format!("2025-06-{:02}T09:00:00Z", 2 + k), "postType": "Regular",
                 "description": {"contentType": "Html", "content": format!("Issue {k}: latest update.")}},
            ],
        })
    }

    fn group(&self, _t: &Tenant, k: usize) -> Value {
        let unified = k.is_multiple_of(2);
        json!({
            "id": group_id(k),
            "displayName": format!("Group {k}"),
            "groupTypes": if unified { json!(["Unified"]) } else { json!([]) },
            "mailEnabled": unified,
            "securityEnabled": !unified,
            "mail": if unified { json!(format!("group{k}@contoso.test")) } else { Value::Null },
            "createdDateTime": "2023-01-01T00:00:00Z",
            "visibility": "Private",
        })
    }

    /// Service health values: PascalCase as Graph's examples show, or camelCase.
    fn spell(&self, t: &Tenant, pascal: &str) -> String {
        if t.camel_case {
            let mut c = pascal.chars();
            c.next().map(|f| f.to_ascii_lowercase().to_string() + c.as_str()).unwrap_or_default()
        } else {
            pascal.to_string()
        }
    }
}

fn existing_users(t: &Tenant) -> Vec<usize> {
    (0..t.users).filter(|i| !t.removed.contains_key(i)).collect()
}

fn select_user(user: Value, fields: &str) -> Value {
    select(user, Some(fields))
}

fn with_extras(mut item: Value, extra: bool) -> Value {
    if let (true, Some(obj)) = (extra, item.as_object_mut()) {
        obj.insert("futureProperty".into(), json!({"nested": [1, 2, {"deep": true}], "note": null}));
        obj.insert("anotherNewField".into(), json!(42));
    }
    item
}

fn created(i: usize) -> String {
    let at = time::macros::datetime!(2020-01-01 00:00 UTC) + time::Duration::hours(i as i64);
    at.format(&time::format_description::well_known::Rfc3339).unwrap()
}

/// An opaque token in the style of Graph's base64 ones, with `+`, `/` and `=` to escape.
fn new_token(t: &mut Tenant) -> String {
    t.next_cursor += 1;
    format!("RFNwdAIAAQAAAB+{}/{}==", t.next_cursor, t.version * 7919 + 13)
}

/// The token as it appears in a link: percent-encoded where base64 and URLs disagree.
fn encode(token: &str) -> String {
    token.replace('+', "%2B").replace('/', "%2F").replace('=', "%3D")
}
