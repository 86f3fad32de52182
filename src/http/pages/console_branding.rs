//! Console: white-label branding — names, colour, support contact, logo and favicon.

use std::sync::Arc;

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Query};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use minijinja::{context, Value};

use super::{notice, see_other, FormData, NoticeQuery};
use crate::db::msps::Image;
use crate::error::AppError;
use crate::http::context::{Signed, StaffPage};
use crate::http::forms::submit;
use crate::http::render::page;
use crate::http::AppState;
use crate::model::Currency;
use crate::policy::Action;
use crate::services::branding::{self, BrandingUpdate};

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/msp/branding", get(show).post(update))
        .route("/msp/branding/logo", post(upload_logo))
        .route("/msp/branding/favicon", post(upload_favicon))
}

fn render(s: &Signed, status: StatusCode, extra: Value) -> Result<Response, AppError> {
    s.actor().require(Action::ManageBranding, None)?;
    let currencies: Vec<Value> = Currency::all().map(|c| context! { code => c.code(), name => c.name() }).collect();
    let extra = context! { currencies, ..extra };
    Ok(page(&s.ctx, "/msp/branding", "pages/console/branding.html", status, extra))
}

async fn show(StaffPage(s): StaffPage, Query(q): Query<NoticeQuery>) -> Result<Response, AppError> {
    render(&s, StatusCode::OK, context! { notice => notice(q.notice.as_deref()) })
}

async fn update(
    StaffPage(s): StaffPage,
    FormData(f): FormData<std::collections::HashMap<String, String>>,
) -> Result<Response, AppError> {
    let get = |k: &str| f.get(k).cloned().into();
    let u = BrandingUpdate {
        product_name: get("product_name"),
        primary_color: get("primary_color"),
        welcome_message: get("welcome_message"),
        support_phone: get("support_phone"),
        support_email: get("support_email"),
        support_hours: get("support_hours"),
        currency: get("currency"),
        ..Default::default()
    };
    submit(
        branding::update(&s.ctx.app.db, s.actor(), u).await,
        async |_| {
            s.ctx.app.msp_cache.clear();
            Ok(see_other("/msp/branding", "saved"))
        },
        async |status, errors| render(&s, status, context! { errors, form => f }),
    )
    .await
}

/// The bytes of the form's `file` field.
async fn file_field(mut m: Multipart) -> Result<Vec<u8>, AppError> {
    let bad = |_| AppError::BadRequest("The upload could not be read. Please choose the file again.".into());
    while let Some(field) = m.next_field().await.map_err(bad)? {
        if field.name() == Some("file") {
            return Ok(field.bytes().await.map_err(bad)?.to_vec());
        }
    }
    Err(AppError::BadRequest("Choose a file to upload.".into()))
}

async fn upload(s: Signed, which: Image, m: Result<Multipart, MultipartRejection>) -> Result<Response, AppError> {
    s.actor().require(Action::ManageBranding, None)?;
    let m = m.map_err(|_| AppError::BadRequest("Choose a file to upload.".into()));
    let result = match async { file_field(m?).await }.await {
        Ok(bytes) => branding::set_image(&s.ctx.app.db, s.actor(), which, &bytes).await,
        Err(e) => Err(e),
    };
    let key = if which == Image::Logo { "logo_error" } else { "favicon_error" };
    match result {
        Ok(_) => {
            s.ctx.app.msp_cache.clear();
            Ok(see_other("/msp/branding", if which == Image::Logo { "logo-saved" } else { "favicon-saved" }))
        }
        Err(e @ (AppError::BadRequest(_) | AppError::UnsupportedMedia(_) | AppError::PayloadTooLarge)) => {
            let status = e.status();
            let msg = match e {
                AppError::PayloadTooLarge if which == Image::Logo => {
                    format!("The logo must be at most {} kB.", branding::MAX_LOGO_BYTES / 1024)
                }
                AppError::PayloadTooLarge => {
                    format!("The favicon must be at most {} kB.", branding::MAX_FAVICON_BYTES / 1024)
                }
                e => e.message(),
            };
            render(&s, status, Value::from_serialize(std::collections::BTreeMap::from([(key, msg)])))
        }
        Err(e) => Err(e),
    }
}

async fn upload_logo(StaffPage(s): StaffPage, m: Result<Multipart, MultipartRejection>) -> Result<Response, AppError> {
    upload(s, Image::Logo, m).await
}

async fn upload_favicon(
    StaffPage(s): StaffPage,
    m: Result<Multipart, MultipartRejection>,
) -> Result<Response, AppError> {
    upload(s, Image::Favicon, m).await
}
