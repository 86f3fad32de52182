//! What a form's service call comes to: done, or the form drawn again with what was wrong.

use axum::http::StatusCode;
use axum::response::Response;
use minijinja::Value;

use super::render::errors_value;
use crate::error::AppError;

/// Runs `done` on success. A validation failure draws the form again through `again`, given
/// the status (422) and the field errors to show beside the values typed; any other error
/// goes on up to the error page.
pub async fn submit<T>(
    result: Result<T, AppError>,
    done: impl AsyncFnOnce(T) -> Result<Response, AppError>,
    again: impl AsyncFnOnce(StatusCode, Value) -> Result<Response, AppError>,
) -> Result<Response, AppError> {
    match result {
        Ok(v) => done(v).await,
        Err(AppError::Validation(errs)) => again(StatusCode::UNPROCESSABLE_ENTITY, errors_value(&errs)).await,
        Err(e) => Err(e),
    }
}

/// For forms that show one message rather than errors beside fields: a broken rule (last
/// admin, own account) or a validation failure is shown on the page itself, at 400 or 422,
/// rather than as an error page.
pub async fn or_problem(
    result: Result<Response, AppError>,
    again: impl AsyncFnOnce(StatusCode, String) -> Result<Response, AppError>,
) -> Result<Response, AppError> {
    match result {
        Err(e @ (AppError::BadRequest(_) | AppError::Validation(_))) => again(e.status(), e.message()).await,
        other => other,
    }
}
