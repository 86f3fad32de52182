//! `AppError`: every failure a request can meet, rendered as a JSON error for the API or
//! (by the page layer, see `http::pages::render_error`) as a branded HTML page.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::model::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("sign-in required")]
    Unauthorized,
    #[error("forbidden")]
    Forbidden,
    #[error("{0}")]
    BadRequest(String),
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    #[error("{0}")]
    Conflict(String),
    #[error("too many requests")]
    TooManyRequests { retry_after: u64 },
    #[error("request body too large")]
    PayloadTooLarge,
    #[error("unsupported media type: {0}")]
    UnsupportedMedia(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        if crate::db::is_unique_violation(&e) {
            return AppError::Conflict("That already exists.".into());
        }
        AppError::Internal(format!("database: {e}"))
    }
}

impl From<FieldError> for AppError {
    fn from(e: FieldError) -> Self {
        AppError::Validation(vec![e])
    }
}

/// What the page layer needs to draw an error page; set on every error response.
#[derive(Debug, Clone)]
pub struct ErrorInfo {
    pub status: StatusCode,
    pub message: String,
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMedia(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable machine-readable code documented for API clients.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::NotFound => "not_found",
            AppError::Unauthorized => "unauthorized",
            AppError::Forbidden => "forbidden",
            AppError::BadRequest(_) => "bad_request",
            // A failure with a code of its own keeps it while it is the only kind at fault.
            AppError::Validation(errs) => match errs.first().and_then(|e| e.code) {
                Some(code) if errs.iter().all(|e| e.code == Some(code)) => code,
                _ => "validation_failed",
            },
            AppError::Conflict(_) => "conflict",
            AppError::TooManyRequests { .. } => "rate_limited",
            AppError::PayloadTooLarge => "payload_too_large",
            AppError::UnsupportedMedia(_) => "unsupported_media_type",
            AppError::Internal(_) => "internal",
        }
    }

    /// A message safe to show anyone.
    pub fn message(&self) -> String {
        match self {
            AppError::NotFound => "We couldn't find that page or record.".into(),
            AppError::Unauthorized => "Please sign in to continue.".into(),
            AppError::Forbidden => "Your account doesn't have access to this.".into(),
            AppError::BadRequest(m) | AppError::Conflict(m) => m.clone(),
            AppError::Validation(errs) => {
                errs.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join(" ")
            }
            AppError::TooManyRequests { retry_after } => {
                format!("Too many attempts. Please wait {} and try again.", human_wait(*retry_after))
            }
            AppError::PayloadTooLarge => "That upload is too large.".into(),
            AppError::UnsupportedMedia(m) => m.clone(),
            AppError::Internal(_) => "Something went wrong on our side. Please try again in a moment.".into(),
        }
    }
}

pub fn human_wait(secs: u64) -> String {
    if secs <= 90 {
        format!("{secs} seconds")
    } else {
        format!("{} minutes", secs.div_ceil(60))
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        if let AppError::Internal(detail) = &self {
            tracing::error!(%detail, "request failed");
        }
        let mut error = json!({"code": self.code(), "message": self.message()});
        if let AppError::Validation(errs) = &self {
            error["fields"] = errs
                .iter()
                .map(|e| match e.code {
                    Some(code) => json!({"field": e.field, "message": e.message, "code": code}),
                    None => json!({"field": e.field, "message": e.message}),
                })
                .collect();
        }
        let mut resp = (status, axum::Json(json!({ "error": error }))).into_response();
        if let AppError::TooManyRequests { retry_after } = self {
            resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
        }
        resp.extensions_mut().insert(ErrorInfo { status, message: self.message() });
        resp
    }
}

pub type AppResult<T> = Result<T, AppError>;
