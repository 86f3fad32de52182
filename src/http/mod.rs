//! The router and its layers, in one place: pages (portal and console), the JSON API,
//! static assets and operations endpoints.

pub mod api;
pub mod assets;
pub mod attachments;
pub mod charts;
pub mod context;
mod csrf;
pub mod forms;
pub mod gzip;
pub mod icons;
pub mod metrics;
pub mod ops;
pub mod pages;
pub mod render;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{header, HeaderName, HeaderValue};
use axum::middleware;
use axum::Router;
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::request_id::{MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tower_http::LatencyUnit;

use crate::auth::ratelimit::IpLimiter;
use crate::config::Settings;
use crate::db::Db;
use crate::files::Files;

pub struct AppState {
    pub db: Db,
    /// Where attachments are kept.
    pub files: Files,
    pub settings: Settings,
    pub templates: minijinja::Environment<'static>,
    pub limiter: IpLimiter,
    pub msp_cache: context::TtlCache<Arc<crate::db::msps::MspRow>>,
    pub sessions: context::TtlCache<Arc<crate::services::accounts::Session>>,
    pub metrics: metrics::Metrics,
    pub body_limit: usize,
    /// Where this instance is reached: `PORTICO_BASE_URL`, else the bound address. Links in
    /// mail start from it (see `services::email::portal_url`).
    pub public_url: String,
    /// Microsoft Graph, for the sync and "test connection"; None when its settings are unusable.
    pub graph: Option<crate::integrations::graph::GraphClient>,
    /// Wakes the job runner when a request has queued work.
    pub jobs_waiting: Arc<tokio::sync::Notify>,
}

impl AppState {
    pub fn new(db: Db, files: Files, settings: Settings, public_url: String) -> Arc<AppState> {
        let graph = match crate::integrations::graph::GraphClient::new(&settings) {
            Ok(g) => Some(g),
            Err(e) => {
                tracing::error!(error = %e, "Microsoft Graph client unavailable: Microsoft 365 sync is off");
                None
            }
        };
        let per_ip = settings.login_attempts * 4;
        Arc::new(AppState {
            db,
            files,
            settings,
            templates: render::environment(),
            limiter: IpLimiter::new(per_ip, Duration::from_secs(15 * 60)),
            msp_cache: context::msp_cache(),
            sessions: context::session_cache(),
            metrics: metrics::Metrics::default(),
            body_limit: 2 * 1024 * 1024,
            graph,
            public_url,
            jobs_waiting: Arc::new(tokio::sync::Notify::new()),
        })
    }
}

#[derive(Clone, Default)]
struct NewRequestId;

impl MakeRequestId for NewRequestId {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        HeaderValue::from_str(&uuid::Uuid::now_v7().simple().to_string()).ok().map(RequestId::new)
    }
}

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; \
                   connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

pub fn router(state: Arc<AppState>) -> Router {
    let pages = pages::routes()
        .layer(middleware::from_fn(pages::error_pages))
        .layer(middleware::from_fn_with_state(state.clone(), context::resolve));
    let request_id = HeaderName::from_static("x-request-id");
    let mut app = Router::new()
        .merge(ops::routes())
        .merge(assets::routes())
        .nest("/api", api::routes())
        .merge(pages)
        .layer(middleware::from_fn_with_state(state.clone(), context::after_writes))
        .layer(middleware::from_fn_with_state(state.clone(), metrics::track))
        .layer(SetResponseHeaderLayer::if_not_present(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP)))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
        ));
    if state.settings.secure_cookies() {
        app = app.layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        ));
    }
    app.layer(CompressionLayer::new().quality(CompressionLevel::Fastest))
        .layer(DefaultBodyLimit::max(state.body_limit))
        .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, Duration::from_secs(30)))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request| {
                    let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("");
                    tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
                })
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO).latency_unit(LatencyUnit::Micros)),
        )
        .layer(SetRequestIdLayer::new(request_id, NewRequestId))
        .with_state(state)
}
