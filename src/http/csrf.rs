//! CSRF: a state-changing request from another site is refused, and a signed-in one must
//! carry its session's token (the `_csrf` form field, or query parameter for uploads).

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, request::Parts, HeaderMap};

use crate::error::AppError;
use crate::services::accounts::Session;

/// Lets a state-changing request through, or says why not. The body is read (up to
/// `body_limit`) only when the token is not in the query, and handed on unchanged.
pub(super) async fn check(
    req: Request,
    host: &str,
    session: Option<&Session>,
    body_limit: usize,
) -> Result<Request, AppError> {
    if cross_site(req.headers(), host) {
        return Err(AppError::Forbidden);
    }
    let Some(session) = session else { return Ok(req) };
    // A token in the query (file uploads) leaves the body unread, to stream to its handler.
    let (req, token) = match token_in_query(req.uri()) {
        Some(t) => (req, Some(t)),
        None => {
            let (parts, body) = req.into_parts();
            let Ok(bytes) = axum::body::to_bytes(body, body_limit).await else {
                return Err(AppError::PayloadTooLarge);
            };
            let token = token_in_form(&parts, &bytes);
            (Request::from_parts(parts, Body::from(bytes)), token)
        }
    };
    if !token.is_some_and(|t| crate::auth::constant_time_eq(&t, &session.csrf)) {
        return Err(AppError::BadRequest("This form has expired. Go back, reload the page and try again.".into()));
    }
    Ok(req)
}

/// A browser tells us where a request came from; anything from another site is refused.
fn cross_site(headers: &HeaderMap, host: &str) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return !matches!(site, "same-origin" | "none");
    }
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let origin_host = origin.split("://").nth(1).unwrap_or("").split(':').next().unwrap_or("").to_lowercase();
        return origin == "null" || origin_host != host;
    }
    false
}

/// The `_csrf` query parameter (used by file uploads).
fn token_in_query(uri: &axum::http::Uri) -> Option<String> {
    uri.query()
        .and_then(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(q).ok())
        .and_then(|v| v.into_iter().find(|(k, _)| k == "_csrf").map(|(_, v)| v))
}

/// The `_csrf` field of a form body.
fn token_in_form(parts: &Parts, body: &[u8]) -> Option<String> {
    let is_form = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return None;
    }
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == "_csrf")
        .map(|(_, v)| v)
}
