//! Static files (embedded in the binary) and each MSP's brand stylesheet, logo and favicon.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use super::context::host_of;
use super::AppState;
use crate::db::{self, msps::Image, MspScope};
use crate::error::AppError;
use crate::model::Colour;

const FILES: &[(&str, &str, &[u8])] = &[
    ("portico.css", "text/css; charset=utf-8", include_bytes!("../../static/portico.css")),
    ("portico.js", "text/javascript; charset=utf-8", include_bytes!("../../static/portico.js")),
    ("favicon.svg", "image/svg+xml", include_bytes!("../../static/favicon.svg")),
];

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/static/{name}", get(file))
        .route("/brand.css", get(brand_css))
        .route("/brand/logo", get(logo))
        .route("/brand/favicon", get(favicon))
        .route("/favicon.ico", get(favicon))
}

const LONG_CACHE: &str = "public, max-age=86400";
/// Static files are requested with `?v=<version>`, so they may be kept for a year.
const STATIC_CACHE: &str = "public, max-age=31536000, immutable";

/// A short hash of every static file, put into their URLs so a new build is fetched at once.
pub fn version() -> &'static str {
    static VERSION: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    VERSION.get_or_init(|| {
        // FNV-1a: tiny, and collisions only cost a stale cache.
        let mut h: u64 = 0xcbf29ce484222325;
        let sprite = super::icons::sprite().as_bytes();
        for byte in FILES.iter().flat_map(|(_, _, bytes)| bytes.iter()).chain(sprite) {
            h = (h ^ *byte as u64).wrapping_mul(0x100000001b3);
        }
        format!("{:08x}", h as u32)
    })
}
/// Images that may be SVG are served so that nothing in them can run.
const IMAGE_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; sandbox";

async fn file(Path(name): Path<String>) -> Response {
    if name == "icons.svg" {
        let sprite = super::icons::sprite();
        return ([(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, STATIC_CACHE)], sprite)
            .into_response();
    }
    match FILES.iter().find(|(n, _, _)| *n == name) {
        Some((_, ty, bytes)) => {
            ([(header::CONTENT_TYPE, *ty), (header::CACHE_CONTROL, STATIC_CACHE)], *bytes).into_response()
        }
        None => AppError::NotFound.into_response(),
    }
}

async fn msp_of(app: &AppState, headers: &HeaderMap) -> Result<db::msps::MspRow, AppError> {
    db::msps::for_host(&app.db, &host_of(headers)).await?.ok_or(AppError::NotFound)
}

/// The brand colour as CSS custom properties, with contrast-safe variants.
async fn brand_css(State(app): State<Arc<AppState>>, headers: HeaderMap) -> Result<Response, AppError> {
    let msp = msp_of(&app, &headers).await?;
    let c = Colour::brand_or_default(&msp.primary_color);
    let css =
        format!(":root{{--brand:{};--brand-text:{};--brand-ink:{};}}\n", c.as_str(), c.text_on(), c.as_text_on_white());
    Ok(([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, LONG_CACHE)], css).into_response())
}

async fn image(app: &AppState, headers: &HeaderMap, which: Image) -> Result<Response, AppError> {
    let msp = msp_of(app, headers).await?;
    match db::msps::image(&app.db, MspScope(msp.id), which).await? {
        Some((bytes, ty)) => Ok((
            [
                (header::CONTENT_TYPE, ty),
                (header::CACHE_CONTROL, LONG_CACHE.to_string()),
                (header::CONTENT_SECURITY_POLICY, IMAGE_CSP.to_string()),
            ],
            bytes,
        )
            .into_response()),
        None if which == Image::Favicon => {
            let (_, ty, bytes) = FILES[2];
            Ok(([(header::CONTENT_TYPE, ty), (header::CACHE_CONTROL, LONG_CACHE)], bytes).into_response())
        }
        None => Ok(StatusCode::NOT_FOUND.into_response()),
    }
}

async fn logo(State(app): State<Arc<AppState>>, headers: HeaderMap) -> Result<Response, AppError> {
    image(&app, &headers, Image::Logo).await
}

async fn favicon(State(app): State<Arc<AppState>>, headers: HeaderMap) -> Result<Response, AppError> {
    image(&app, &headers, Image::Favicon).await
}
