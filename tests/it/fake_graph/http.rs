//! The HTTP front: the request log, queued faults, bearer tokens, and the error bodies of
//! Graph and Entra ID.

use std::collections::HashSet;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use serde_json::{json, Value};

use super::{Fault, Shared};

pub(super) async fn handle(
    State(s): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
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

pub(super) fn json_response(status: StatusCode, body: &Value) -> Response {
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
pub(super) fn graph_error(status: StatusCode, code: &str, message: &str) -> Response {
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
pub(super) fn token_error(status: StatusCode, error: &str, code: u64, text: &str) -> Response {
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

pub(super) fn query_pairs(raw: &str) -> Vec<(String, String)> {
    serde_urlencoded::from_str(raw).unwrap_or_default()
}

pub(super) fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

/// Keeps only the selected properties (and `id`, which Graph always returns).
pub(super) fn select(mut item: Value, fields: Option<&str>) -> Value {
    if let (Some(fields), Some(obj)) = (fields, item.as_object_mut()) {
        let keep: HashSet<&str> = fields.split(',').map(str::trim).collect();
        obj.retain(|k, _| k == "id" || k.starts_with('@') || keep.iter().any(|f| f.eq_ignore_ascii_case(k)));
    }
    item
}
