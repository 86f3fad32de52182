//! The HTTP side: timeouts on every request, bounded retries that honour `Retry-After`,
//! bearer tokens, Graph's error bodies, and paging through `@odata.nextLink` one page at a
//! time so that a large tenant is never held in memory at once.

use std::sync::Arc;
use std::time::Duration;

use rand::Rng;
use reqwest::{RequestBuilder, StatusCode};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::error::{Area, GraphError};
use super::token::{TenantCredentials, TokenCache};
use crate::config::Settings;

/// How patient the client is. The defaults suit production; tests shorten them.
#[derive(Debug, Clone)]
pub struct GraphOptions {
    /// The whole of one request, body included.
    pub request_timeout: Duration,
    pub connect_timeout: Duration,
    /// Retries after the first attempt, for throttling, 5xx answers, timeouts and lost connections.
    pub max_retries: u32,
    /// The first backoff when the server gives no `Retry-After`; it doubles per retry, with jitter.
    pub backoff_base: Duration,
    pub max_backoff: Duration,
    /// A `Retry-After` longer than this is not waited for: the call fails as throttled and a
    /// later sync tries again.
    pub max_retry_after: Duration,
    /// The largest response body accepted (one page, not a whole listing).
    pub max_body_bytes: usize,
}

impl Default for GraphOptions {
    fn default() -> Self {
        GraphOptions {
            request_timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
            max_retries: 4,
            backoff_base: Duration::from_secs(1),
            max_backoff: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(300),
            max_body_bytes: 64 << 20,
        }
    }
}

/// A Microsoft Graph client shared by every tenant; cheap to clone.
#[derive(Clone)]
pub struct GraphClient {
    pub(super) inner: Arc<Inner>,
}

impl std::fmt::Debug for GraphClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GraphClient")
            .field("graph_url", &self.inner.graph_url)
            .field("login_url", &self.inner.login_url)
            .finish_non_exhaustive()
    }
}

pub(super) struct Inner {
    pub(super) http: reqwest::Client,
    /// `PORTICO_GRAPH_URL`, e.g. `https://graph.microsoft.com`.
    pub(super) graph_url: String,
    /// `PORTICO_LOGIN_URL`, e.g. `https://login.microsoftonline.com`.
    pub(super) login_url: String,
    pub(super) options: GraphOptions,
    pub(super) tokens: TokenCache,
}

impl GraphClient {
    /// The client for the Graph and sign-in services named in the settings.
    pub fn new(settings: &Settings) -> Result<GraphClient, GraphError> {
        Self::with_options(settings, GraphOptions::default())
    }

    pub fn with_options(settings: &Settings, options: GraphOptions) -> Result<GraphClient, GraphError> {
        let http = reqwest::Client::builder()
            .timeout(options.request_timeout)
            .connect_timeout(options.connect_timeout)
            .user_agent(concat!("Portico/", env!("CARGO_PKG_VERSION")))
            // A redirect would carry the bearer token somewhere we did not choose.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| GraphError::Setup(e.to_string()))?;
        let trim = |u: &str| u.trim_end_matches('/').to_string();
        Ok(GraphClient {
            inner: Arc::new(Inner {
                http,
                graph_url: trim(&settings.graph_url),
                login_url: trim(&settings.login_url),
                options,
                tokens: TokenCache::default(),
            }),
        })
    }

    /// `{graph}/v1.0{path_and_query}`.
    pub(super) fn url(&self, path_and_query: &str) -> String {
        format!("{}/v1.0{path_and_query}", self.inner.graph_url)
    }

    /// A link from a response (`@odata.nextLink`, a stored `@odata.deltaLink`) is followed as
    /// given, but only on the Graph host we were configured with: it carries our token.
    pub(super) fn check_link(&self, area: Area, link: &str) -> Result<(), GraphError> {
        let base = &self.inner.graph_url;
        let same_origin = link.strip_prefix(base.as_str()).is_some_and(|rest| rest.starts_with('/'));
        if same_origin {
            Ok(())
        } else {
            Err(GraphError::Invalid { area, message: format!("a link leads away from {base}") })
        }
    }

    /// A GET to Graph with the tenant's token; a 2xx body, or the error Graph described.
    /// A token Graph refuses is replaced once (it may have been revoked early).
    pub(super) async fn get(
        &self,
        area: Area,
        creds: &TenantCredentials,
        url: &str,
        headers: &[(&'static str, &'static str)],
    ) -> Result<Vec<u8>, GraphError> {
        let mut renewed = false;
        loop {
            let token = self.access_token(creds).await?;
            let (status, body) = self
                .send(area, || {
                    let mut req = self.inner.http.get(url).bearer_auth(token.bearer());
                    for (name, value) in headers {
                        req = req.header(*name, *value);
                    }
                    req
                })
                .await?;
            if status.is_success() {
                return Ok(body);
            }
            if status == StatusCode::UNAUTHORIZED && !renewed {
                renewed = true;
                self.forget_token(creds).await;
                continue;
            }
            return Err(api_error(area, status, &body));
        }
    }

    /// Sends a request, retrying what may pass by itself: 429 and 5xx answers (after their
    /// `Retry-After` when given, else an exponential backoff with jitter), timeouts and lost
    /// connections. Returns any other answer with its body.
    pub(super) async fn send(
        &self,
        area: Area,
        request: impl Fn() -> RequestBuilder,
    ) -> Result<(StatusCode, Vec<u8>), GraphError> {
        let opts = &self.inner.options;
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let failure = match request().send().await {
                Ok(resp) => {
                    let status = resp.status();
                    if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
                        Failure::Status(status, retry_after(&resp))
                    } else {
                        match read_body(resp, opts.max_body_bytes).await {
                            Ok(body) => return Ok((status, body)),
                            Err(BodyError::TooLarge) => {
                                return Err(GraphError::Invalid {
                                    area,
                                    message: format!("a response larger than {} bytes", opts.max_body_bytes),
                                })
                            }
                            Err(BodyError::Read(e)) => Failure::Transport(e),
                        }
                    }
                }
                Err(e) => Failure::Transport(e),
            };
            let wait = match &failure {
                Failure::Status(_, Some(after)) => *after,
                _ => backoff(opts, attempt),
            };
            if attempt > opts.max_retries || wait > opts.max_retry_after {
                return Err(failure.into_error(area, attempt));
            }
            tracing::debug!(area = area.label(), attempt, failure = %failure, wait_ms = wait.as_millis() as u64, "graph: retrying");
            tokio::time::sleep(wait).await;
        }
    }
}

enum Failure {
    Status(StatusCode, Option<Duration>),
    Transport(reqwest::Error),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Status(s, _) => write!(f, "HTTP {}", s.as_u16()),
            Failure::Transport(e) if e.is_timeout() => f.write_str("timeout"),
            Failure::Transport(e) => write!(f, "{}", transport_message(e)),
        }
    }
}

impl Failure {
    fn into_error(self, area: Area, attempts: u32) -> GraphError {
        match self {
            Failure::Status(StatusCode::TOO_MANY_REQUESTS, retry_after) => {
                GraphError::Throttled { area, attempts, retry_after }
            }
            Failure::Status(status, _) => GraphError::Unavailable { area, status: status.as_u16(), attempts },
            Failure::Transport(e) if e.is_timeout() => GraphError::Timeout { area, attempts },
            Failure::Transport(e) => GraphError::Unreachable { area, message: transport_message(&e), attempts },
        }
    }
}

/// The cause of a connection failure, without the URL (which may hold a skip token).
fn transport_message(e: &reqwest::Error) -> String {
    let mut message = String::from(if e.is_connect() { "connection failed" } else { "request failed" });
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        message = format!("{message}: {s}");
        source = s.source();
    }
    message
}

/// `Retry-After` in seconds (Graph's form); an HTTP date is left to the backoff.
fn retry_after(resp: &reqwest::Response) -> Option<Duration> {
    let value = resp.headers().get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// base × 2^(attempt-1), capped, then scaled by a random 50–100 % so that many tenants'
/// syncs hitting one outage do not come back in step.
fn backoff(opts: &GraphOptions, attempt: u32) -> Duration {
    let exp = opts.backoff_base.saturating_mul(1u32 << (attempt - 1).min(16));
    exp.min(opts.max_backoff).mul_f64(rand::thread_rng().gen_range(0.5..=1.0))
}

enum BodyError {
    TooLarge,
    Read(reqwest::Error),
}

async fn read_body(mut resp: reqwest::Response, limit: usize) -> Result<Vec<u8>, BodyError> {
    let hint = resp.content_length().unwrap_or(0).min(limit as u64) as usize;
    let mut body = Vec::with_capacity(hint);
    while let Some(chunk) = resp.chunk().await.map_err(BodyError::Read)? {
        if body.len() + chunk.len() > limit {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Graph's error body: `{"error": {"code": "…", "message": "…", "innerError": {…}}}`.
#[derive(Deserialize, Default)]
struct ErrorBody {
    #[serde(default)]
    error: ErrorDetail,
}

#[derive(Deserialize, Default)]
struct ErrorDetail {
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
}

pub(super) const NON_PREMIUM: &str = "Authentication_RequestFromNonPremiumTenantOrB2CTenant";

fn api_error(area: Area, status: StatusCode, body: &[u8]) -> GraphError {
    let ErrorBody { error } = serde_json::from_slice(body).unwrap_or_default();
    let code = if error.code.is_empty() { format!("HTTP {}", status.as_u16()) } else { error.code };
    match status {
        StatusCode::FORBIDDEN if code.eq_ignore_ascii_case(NON_PREMIUM) => GraphError::PremiumRequired { area },
        // Usually Authorization_RequestDenied; the security APIs say it in other words.
        StatusCode::FORBIDDEN => GraphError::PermissionMissing { area, code },
        StatusCode::UNAUTHORIZED => GraphError::Unauthorized { area, code },
        StatusCode::GONE => GraphError::DeltaExpired { area },
        _ if ["syncStateNotFound", "syncStateInvalid", "resyncRequired"]
            .iter()
            .any(|c| code.eq_ignore_ascii_case(c)) =>
        {
            GraphError::DeltaExpired { area }
        }
        _ => {
            GraphError::Api { area, status: status.as_u16(), code, message: error.message.chars().take(300).collect() }
        }
    }
}

/// One page of a collection: `value` plus the link to the next page, or (at the end of a
/// delta round) the link that starts the next round.
#[derive(Deserialize)]
struct PageBody<T> {
    #[serde(default = "Vec::new")]
    value: Vec<T>,
    #[serde(rename = "@odata.nextLink", default)]
    next_link: Option<String>,
    #[serde(rename = "@odata.deltaLink", default)]
    delta_link: Option<String>,
}

/// A collection read one page at a time: each `next_page` fetches and parses one page and
/// hands it over, so memory stays at one page whatever the tenant's size.
pub struct Pages<'a, T> {
    client: &'a GraphClient,
    creds: &'a TenantCredentials,
    area: Area,
    headers: &'static [(&'static str, &'static str)],
    next: Option<String>,
    delta_link: Option<String>,
    fetched: u32,
    _items: std::marker::PhantomData<fn() -> T>,
}

impl<'a, T: DeserializeOwned> Pages<'a, T> {
    pub(super) fn new(
        client: &'a GraphClient,
        creds: &'a TenantCredentials,
        area: Area,
        first_url: String,
        headers: &'static [(&'static str, &'static str)],
    ) -> Self {
        Pages {
            client,
            creds,
            area,
            headers,
            next: Some(first_url),
            delta_link: None,
            fetched: 0,
            _items: Default::default(),
        }
    }

    /// The next page, or `None` after the last one. After an error the same page is asked
    /// for again by the next call.
    pub async fn next_page(&mut self) -> Result<Option<Vec<T>>, GraphError> {
        let Some(url) = self.next.take() else { return Ok(None) };
        let page = match self.fetch(&url).await {
            Ok(page) => page,
            Err(e) => {
                self.next = Some(url);
                return Err(e);
            }
        };
        if let Some(next) = &page.next_link {
            self.client.check_link(self.area, next)?;
            if *next == url {
                return Err(GraphError::Invalid {
                    area: self.area,
                    message: "a next page link to the same page".into(),
                });
            }
        }
        self.next = page.next_link;
        if page.delta_link.is_some() {
            self.delta_link = page.delta_link;
        }
        self.fetched += 1;
        Ok(Some(page.value))
    }

    async fn fetch(&self, url: &str) -> Result<PageBody<T>, GraphError> {
        let body = self.client.get(self.area, self.creds, url, self.headers).await?;
        serde_json::from_slice(&body).map_err(|e| GraphError::Invalid { area: self.area, message: e.to_string() })
    }

    /// Every remaining item; for collections that are small by nature (licences, services).
    pub async fn collect_all(mut self) -> Result<Vec<T>, GraphError> {
        let mut all = Vec::new();
        while let Some(page) = self.next_page().await? {
            all.extend(page);
        }
        Ok(all)
    }

    /// After the last page of a delta round: the link to keep for the next round.
    pub fn delta_link(&self) -> Option<&str> {
        self.delta_link.as_deref()
    }

    /// Pages fetched so far.
    pub fn pages_fetched(&self) -> u32 {
        self.fetched
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_and_a_cap() {
        let opts = GraphOptions {
            backoff_base: Duration::from_millis(100),
            max_backoff: Duration::from_secs(1),
            ..Default::default()
        };
        for _ in 0..50 {
            let first = backoff(&opts, 1);
            assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100), "{first:?}");
            let third = backoff(&opts, 3);
            assert!(third >= Duration::from_millis(200) && third <= Duration::from_millis(400), "{third:?}");
            let late = backoff(&opts, 30);
            assert!(late >= Duration::from_millis(500) && late <= Duration::from_secs(1), "{late:?}");
        }
    }

    #[test]
    fn graph_errors_are_typed() {
        let forbidden = |body: &str| api_error(Area::Alerts, StatusCode::FORBIDDEN, body.as_bytes());
        let denied = forbidden(
            r#"{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation.","innerError":{"date":"2024-01-01T00:00:00","request-id":"x"}}}"#,
        );
        assert!(
            matches!(&denied, GraphError::PermissionMissing { area: Area::Alerts, code } if code == "Authorization_RequestDenied")
        );
        assert!(denied.to_string().contains("SecurityAlert.Read.All"), "{denied}");
        let premium = api_error(
            Area::SignInActivity,
            StatusCode::FORBIDDEN,
            br#"{"error":{"code":"Authentication_RequestFromNonPremiumTenantOrB2CTenant","message":"Neither tenant is B2C or tenant doesn't have premium license"}}"#,
        );
        assert!(matches!(premium, GraphError::PremiumRequired { area: Area::SignInActivity }));
        assert!(matches!(forbidden("not json"), GraphError::PermissionMissing { code, .. } if code == "HTTP 403"));
        let bad = api_error(
            Area::Users,
            StatusCode::BAD_REQUEST,
            br#"{"error":{"code":"Request_BadRequest","message":"Invalid"}}"#,
        );
        assert!(matches!(bad, GraphError::Api { status: 400, .. }));
        let expired = api_error(
            Area::Users,
            StatusCode::BAD_REQUEST,
            br#"{"error":{"code":"syncStateNotFound","message":"The sync state generation is not found. The delta token is expired and data must be synchronized again."}}"#,
        );
        assert!(matches!(expired, GraphError::DeltaExpired { area: Area::Users }));
        assert!(matches!(api_error(Area::Users, StatusCode::GONE, b""), GraphError::DeltaExpired { .. }));
    }
}
