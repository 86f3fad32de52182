//! `/api/portal/settings/branding`: read and update the MSP's branding and currency.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::routing::{get, put};
use axum::{Json, Router};

use super::{ApiActor, ApiJson};
use crate::db::msps::Image;
use crate::error::AppError;
use crate::http::AppState;
use crate::services::branding::{self, Branding, BrandingUpdate};

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/portal/settings/branding", get(show).put(update))
        .route("/portal/settings/branding/logo", put(logo))
        .route("/portal/settings/branding/favicon", put(favicon))
}

/// The MSP's branding and the currency every amount is in.
#[utoipa::path(get, path = "/api/portal/settings/branding", tag = "branding", operation_id = "get_branding", security(("bearer" = [])),
    responses((status = 200, body = Branding), (status = 401, body = super::ErrorBody)))]
pub async fn show(State(app): State<Arc<AppState>>, ApiActor(actor): ApiActor) -> Result<Json<Branding>, AppError> {
    Ok(Json(branding::get(&app.db, actor.msp()).await?))
}

/// Updates the MSP's branding and currency (staff owner or admin). Absent fields keep their
/// value. A currency code not on the built-in ISO 4217 list is a 422 with code
/// `unknown_currency` and the field `currency` named.
#[utoipa::path(put, path = "/api/portal/settings/branding", tag = "branding", operation_id = "update_branding", security(("bearer" = [])), request_body = BrandingUpdate,
    responses((status = 200, body = Branding), (status = 400, body = super::ErrorBody), (status = 401, body = super::ErrorBody),
              (status = 403, body = super::ErrorBody), (status = 415, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn update(
    State(app): State<Arc<AppState>>,
    ApiActor(actor): ApiActor,
    ApiJson(u): ApiJson<BrandingUpdate>,
) -> Result<Json<Branding>, AppError> {
    let b = branding::update(&app.db, &actor, u).await?;
    app.msp_cache.clear();
    Ok(Json(b))
}

async fn upload(
    app: &AppState,
    actor: &crate::policy::Actor,
    headers: &HeaderMap,
    which: Image,
    body: &[u8],
) -> Result<Json<Branding>, AppError> {
    actor.require(crate::policy::Action::ManageBranding, None)?;
    let declared = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !declared.starts_with("image/") && declared != "application/octet-stream" {
        return Err(AppError::UnsupportedMedia(
            "Send the image itself as the body, with an image/* content type.".into(),
        ));
    }
    let b = branding::set_image(&app.db, actor, which, body).await?;
    app.msp_cache.clear();
    Ok(Json(b))
}

/// Uploads the logo: the raw PNG, JPEG or SVG as the body (at most 512 kB).
#[utoipa::path(put, path = "/api/portal/settings/branding/logo", tag = "branding", operation_id = "upload_logo", security(("bearer" = [])),
    request_body(content = Vec<u8>, content_type = "image/png"),
    responses((status = 200, body = Branding), (status = 400, body = super::ErrorBody), (status = 401, body = super::ErrorBody),
              (status = 403, body = super::ErrorBody), (status = 413, body = super::ErrorBody), (status = 415, body = super::ErrorBody)))]
pub async fn logo(
    State(app): State<Arc<AppState>>,
    ApiActor(actor): ApiActor,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Branding>, AppError> {
    upload(&app, &actor, &headers, Image::Logo, &body).await
}

/// Uploads the favicon: the raw PNG, ICO or SVG as the body (at most 128 kB).
#[utoipa::path(put, path = "/api/portal/settings/branding/favicon", tag = "branding", operation_id = "upload_favicon", security(("bearer" = [])),
    request_body(content = Vec<u8>, content_type = "image/png"),
    responses((status = 200, body = Branding), (status = 400, body = super::ErrorBody), (status = 401, body = super::ErrorBody),
              (status = 403, body = super::ErrorBody), (status = 413, body = super::ErrorBody), (status = 415, body = super::ErrorBody)))]
pub async fn favicon(
    State(app): State<Arc<AppState>>,
    ApiActor(actor): ApiActor,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Branding>, AppError> {
    upload(&app, &actor, &headers, Image::Favicon, &body).await
}
