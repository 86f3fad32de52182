//! The JSON API under `/api`: bearer tokens, JSON errors with stable codes, list envelopes.

mod attachments;
mod branding;
mod customers;
mod m365;
mod m365_sync;
mod openapi;
mod tickets;
mod users;

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{header, request::Parts, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::AppState;
use crate::error::{AppError, ErrorInfo};
use crate::policy::Actor;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .merge(attachments::routes())
        .merge(branding::routes())
        .merge(customers::routes())
        .merge(m365_sync::routes())
        .merge(m365::routes())
        .merge(openapi::routes())
        .merge(tickets::routes())
        .merge(users::routes())
        .fallback(|| async { AppError::NotFound })
        .layer(middleware::from_fn(json_method_errors))
}

/// axum answers a wrong method with an empty 405; the API answers with its JSON error.
async fn json_method_errors(req: Request, next: Next) -> Response {
    let resp = next.run(req).await;
    if resp.status() != StatusCode::METHOD_NOT_ALLOWED || resp.extensions().get::<ErrorInfo>().is_some() {
        return resp;
    }
    let allow = resp.headers().get(header::ALLOW).cloned();
    let mut out = (
        StatusCode::METHOD_NOT_ALLOWED,
        axum::Json(
            json!({"error": {"code": "method_not_allowed", "message": "This endpoint does not accept that method."}}),
        ),
    )
        .into_response();
    if let Some(a) = allow {
        out.headers_mut().insert(header::ALLOW, a);
    }
    out
}

/// The token of an `Authorization: Bearer …` header.
pub fn bearer(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "))
}

/// The account a bearer token acts as.
pub struct ApiActor(pub Actor);

impl FromRequestParts<Arc<AppState>> for ApiActor {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, app: &Arc<AppState>) -> Result<Self, Self::Rejection> {
        let raw = bearer(&parts.headers).ok_or(AppError::Unauthorized)?;
        // A token belongs to its MSP's hosts, as a session does: on another MSP's host it is
        // not a valid credential at all.
        let host = crate::http::context::host_of(&parts.headers);
        let served = crate::http::context::msp_for_host(app, &host).await?.ok_or(AppError::Unauthorized)?;
        let actor = crate::services::tokens::authenticate(&app.db, crate::db::MspScope(served.id), raw.trim()).await?;
        Ok(ApiActor(actor))
    }
}

/// A JSON body: wrong content type is 415, broken JSON 400, wrong shape 422.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;
    async fn from_request(req: Request, s: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        if !is_json {
            return Err(AppError::UnsupportedMedia("Send the body as application/json.".into()));
        }
        let bytes = Bytes::from_request(req, s).await.map_err(|_| AppError::PayloadTooLarge)?;
        let mut de = serde_json::Deserializer::from_slice(&bytes);
        let parsed = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let path = e.path().to_string();
            (path, e.into_inner())
        });
        match parsed.and_then(|v| de.end().map(|_| v).map_err(|e| (String::new(), e))) {
            Ok(v) => Ok(ApiJson(v)),
            Err((_, e)) if e.is_syntax() || e.is_eof() => {
                Err(AppError::BadRequest(format!("The body is not valid JSON: {e}")))
            }
            Err((path, e)) => {
                let field = if path.is_empty() || path == "." { "body".to_string() } else { path };
                Err(AppError::Validation(vec![crate::model::FieldError::new(field, e.to_string())]))
            }
        }
    }
}

// Only describe path parameters for the documentation; handlers read them as strings.
/// `{id}/tickets/{ticket}`: a customer's ticket.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct TicketPath {
    /// The customer's id.
    #[param(value_type = Uuid, example = "0193a5c2-7d1e-7c4a-9b3f-2e8d4c6a1f05")]
    id: String,
    /// The ticket: its `id` as every response gives it, or its number (`1042` or `T-1042`).
    #[param(example = "T-1042")]
    ticket: String,
}

/// `?page=1&per_page=50` (at most 200).
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<i64>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<i64>,
}

/// The last page a list may be asked for; its offset stays far from overflowing.
const MAX_PAGE: i64 = 1_000_000;

impl Paging {
    pub fn resolve(&self) -> Result<(i64, i64), AppError> {
        let page = self.page.unwrap_or(1);
        let per_page = self.per_page.unwrap_or(50);
        if !(1..=MAX_PAGE).contains(&page) || !(1..=200).contains(&per_page) {
            return Err(AppError::BadRequest("page must be 1 to 1000000 and per_page between 1 and 200.".into()));
        }
        Ok((page, per_page))
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ListOf<T: utoipa::ToSchema> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

impl<T: utoipa::ToSchema> ListOf<T> {
    /// One page of a list read whole (a company's portal users, the MSP's staff), from
    /// `Paging::resolve`'s page and size.
    pub fn page_of<R: Into<T>>(rows: Vec<R>, page: i64, per_page: i64) -> ListOf<T> {
        let total = rows.len() as i64;
        let skip = usize::try_from((page - 1) * per_page).unwrap_or(usize::MAX);
        let items = rows.into_iter().skip(skip).take(per_page as usize).map(Into::into).collect();
        ListOf { items, total, page, per_page }
    }
}

/// The error body every endpoint answers with on failure.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable code: not_found, unauthorized, forbidden, bad_request, validation_failed, conflict,
    /// rate_limited, payload_too_large, unsupported_media_type, method_not_allowed, internal;
    /// unknown_currency (422) when the only fault is a currency code that is not on the list.
    pub code: String,
    pub message: String,
    /// With `validation_failed`: each field at fault and what is wrong with it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<FieldErrorBody>>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FieldErrorBody {
    #[schema(example = "private_key_pem")]
    pub field: String,
    pub message: String,
    /// A code of this field's failure beyond `validation_failed`, e.g. `unknown_currency`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

pub fn no_store(mut r: Response) -> Response {
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// A query string that failed to parse is the client's mistake.
pub fn bad_query<E: std::fmt::Display>(e: E) -> AppError {
    AppError::BadRequest(format!("Invalid query parameters: {e}"))
}

/// Query parameters; unparseable ones are a 400 with the reason.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        serde_urlencoded::from_str(parts.uri.query().unwrap_or("")).map(ApiQuery).map_err(bad_query)
    }
}

/// A path id that is not a UUID names nothing: 404.
pub fn path_id<T: From<uuid::Uuid>>(raw: &str) -> Result<T, AppError> {
    crate::model::parse_id(raw).map(T::from).ok_or(AppError::NotFound)
}
