//! Per-request context for pages: the MSP found from the Host, the session if any, and the
//! extractors that hand them to handlers.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::{header, request::Parts, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use super::AppState;
use crate::db::{self, msps::MspRow, MspScope};
use crate::error::AppError;
use crate::model::Features;
use crate::policy::{Action, Actor};
use crate::services::accounts::{self, Session};

pub const SESSION_COOKIE: &str = "portico_session";

#[derive(Clone)]
pub struct Ctx {
    pub app: Arc<AppState>,
    pub msp: Arc<MspRow>,
    pub session: Option<Arc<Session>>,
    pub ip: IpAddr,
    /// The client takes gzip-compressed pages.
    pub gzip: bool,
}

impl Ctx {
    pub fn scope(&self) -> MspScope {
        MspScope(self.msp.id)
    }
    pub fn features(&self) -> Option<Features> {
        self.session.as_ref().and_then(|s| s.customer.as_ref()).map(|c| Features::from_db(&c.features))
    }
}

/// Values kept for a short time in this instance, keyed by text; dropped whole when full.
pub struct TtlCache<V> {
    ttl: Duration,
    max: usize,
    entries: Mutex<HashMap<String, (Instant, V)>>,
}

impl<V: Clone> TtlCache<V> {
    pub fn new(ttl: Duration, max: usize) -> Self {
        TtlCache { ttl, max, entries: Mutex::new(HashMap::new()) }
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Instant, V)>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn get(&self, key: &str) -> Option<V> {
        self.entries().get(key).filter(|(at, _)| at.elapsed() < self.ttl).map(|(_, v)| v.clone())
    }

    pub fn put(&self, key: String, value: V) {
        let mut entries = self.entries();
        if entries.len() >= self.max {
            entries.clear();
        }
        entries.insert(key, (Instant::now(), value));
    }

    pub fn remove(&self, key: &str) {
        self.entries().remove(key);
    }

    pub fn clear(&self) {
        self.entries().clear();
    }
}

/// MSPs by host name for five seconds, so a page costs no lookup; cleared when this
/// instance changes branding.
pub fn msp_cache() -> TtlCache<Arc<MspRow>> {
    TtlCache::new(Duration::from_secs(5), 1000)
}

/// Sessions for two seconds, so a burst of page loads costs one lookup. A state-changing
/// request always reads the database, and afterwards the cache is emptied, so on this
/// instance a sign-out, password change or deactivation takes effect at once; other
/// instances follow within the two seconds.
pub fn session_cache() -> TtlCache<Arc<Session>> {
    TtlCache::new(Duration::from_secs(2), 10_000)
}

pub(crate) async fn msp_for_host(app: &AppState, host: &str) -> Result<Option<Arc<MspRow>>, AppError> {
    if let Some(msp) = app.msp_cache.get(host) {
        return Ok(Some(msp));
    }
    let Some(row) = db::msps::for_host(&app.db, host).await? else {
        return Ok(None);
    };
    let msp = Arc::new(row);
    app.msp_cache.put(host.to_string(), msp.clone());
    Ok(Some(msp))
}

async fn session_for(
    app: &AppState,
    msp: MspScope,
    token: &str,
    fresh: bool,
) -> Result<Option<Arc<Session>>, AppError> {
    let key = format!("{}:{token}", msp.0);
    if !fresh {
        if let Some(s) = app.sessions.get(&key) {
            return Ok(Some(s));
        }
    }
    let session = accounts::session(&app.db, msp, token, app.settings.session_idle_minutes).await?.map(Arc::new);
    match &session {
        Some(s) if !fresh => app.sessions.put(key, s.clone()),
        _ => app.sessions.remove(&key),
    }
    Ok(session)
}

pub fn host_of(headers: &HeaderMap) -> String {
    let raw = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
    let host = if raw.starts_with('[') {
        raw.split(']').next().map(|h| format!("{h}]")).unwrap_or_default()
    } else {
        raw.split(':').next().unwrap_or("").to_string()
    };
    host.to_lowercase()
}

pub fn client_ip(app: &AppState, parts_headers: &HeaderMap, peer: Option<SocketAddr>) -> IpAddr {
    if app.settings.trust_proxy {
        let forwarded = parts_headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse().ok());
        if let Some(ip) = forwarded {
            return ip;
        }
    }
    peer.map(|p| p.ip()).unwrap_or(IpAddr::from([127, 0, 0, 1]))
}

/// The raw session cookie of a request, if any.
pub fn session_token(headers: &HeaderMap) -> Option<&str> {
    cookie(headers, SESSION_COOKIE).filter(|t| t.len() <= 100)
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|kv| {
        let (k, v) = kv.trim().split_once('=')?;
        (k == name).then_some(v)
    })
}

/// Resolves the MSP and session, and refuses cross-site or token-less state changes.
pub async fn resolve(State(app): State<Arc<AppState>>, mut req: Request, next: Next) -> Response {
    let host = host_of(req.headers());
    let msp = match msp_for_host(&app, &host).await {
        Ok(Some(m)) => m,
        Ok(None) => {
            return (
                StatusCode::NOT_FOUND,
                "No MSP is set up for this address. Run `portico admin create-msp` or `portico seed-demo`.",
            )
                .into_response()
        }
        Err(e) => return e.into_response(),
    };
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
    let ip = client_ip(&app, req.headers(), peer);
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let session = match cookie(req.headers(), SESSION_COOKIE) {
        Some(token) if token.len() <= 100 => match session_for(&app, MspScope(msp.id), token, unsafe_method).await {
            Ok(s) => s,
            Err(e) => return e.into_response(),
        },
        _ => None,
    };
    if unsafe_method {
        req = match super::csrf::check(req, &host, session.as_deref(), app.body_limit).await {
            Ok(req) => req,
            Err(refused) => return refused.into_response(),
        };
    }
    let gzip = super::gzip::accepted(req.headers());
    req.extensions_mut().insert(Ctx { app, msp, session, ip, gzip });
    next.run(req).await
}

/// Any state change may end sessions (sign-out, password, deactivation, a customer switched
/// off), so after one the cached sessions are dropped.
pub async fn after_writes(State(app): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let write = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let resp = next.run(req).await;
    if write {
        app.sessions.clear();
        // A write may have queued mail; the runner need not wait for its next poll.
        app.jobs_waiting.notify_one();
    }
    resp
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Ctx>().cloned().ok_or_else(|| AppError::Internal("page context missing".into()))
    }
}

/// A signed-in page request: the context with its session.
pub struct Signed {
    pub ctx: Ctx,
    pub session: Arc<Session>,
}

impl Signed {
    pub fn actor(&self) -> &Actor {
        &self.session.actor
    }
}

/// Sends the visitor to the right sign-in page, remembering where they were going.
pub struct ToSignIn(pub String);

impl IntoResponse for ToSignIn {
    fn into_response(self) -> Response {
        let login = if self.0.starts_with("/msp") { "/msp" } else { "/" };
        let next = serde_urlencoded::to_string([("next", &self.0)]).unwrap_or_default();
        Redirect::to(&format!("{login}?{next}")).into_response()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Signed {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, s: &S) -> Result<Self, Self::Rejection> {
        let ctx = Ctx::from_request_parts(parts, s).await.map_err(IntoResponse::into_response)?;
        match ctx.session.clone() {
            Some(session) => Ok(Signed { ctx, session }),
            None => Err(ToSignIn(parts.uri.path().to_string()).into_response()),
        }
    }
}

/// A page only MSP staff may open; portal users get a 404, as for anything not theirs.
pub struct StaffPage(pub Signed);

impl<S: Send + Sync> FromRequestParts<S> for StaffPage {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, s: &S) -> Result<Self, Self::Rejection> {
        let signed = Signed::from_request_parts(parts, s).await?;
        if signed.actor().may(Action::UseConsole, None) {
            Ok(StaffPage(signed))
        } else {
            Err(AppError::NotFound.into_response())
        }
    }
}

/// A page only portal users may open (staff work on customers through the console).
pub struct PortalPage(pub Signed);

impl<S: Send + Sync> FromRequestParts<S> for PortalPage {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, s: &S) -> Result<Self, Self::Rejection> {
        let signed = Signed::from_request_parts(parts, s).await?;
        if signed.actor().may(Action::UseConsole, None) {
            Err(Redirect::to("/msp/customers").into_response())
        } else {
            Ok(PortalPage(signed))
        }
    }
}

/// `Set-Cookie` for a new session (or for clearing it, with an empty token).
pub fn session_cookie(app: &AppState, token: &str) -> String {
    let secure = if app.settings.secure_cookies() { "; Secure" } else { "" };
    if token.is_empty() {
        format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}")
    } else {
        format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax{secure}")
    }
}
