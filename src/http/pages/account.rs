//! The signed-in user's own account: details and password.

use std::sync::Arc;

use axum::extract::Query;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use minijinja::context;
use serde::Deserialize;

use super::{notice, see_other, FormData, NoticeQuery};
use crate::error::AppError;
use crate::http::context::{session_cookie, Signed};
use crate::http::render::{errors_value, page};
use crate::http::AppState;
use crate::services::accounts;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new().route("/account", get(show)).route("/account/password", post(change_password))
}

async fn show(s: Signed, Query(q): Query<NoticeQuery>) -> Response {
    page(&s.ctx, "/account", "pages/account.html", StatusCode::OK, context! { notice => notice(q.notice.as_deref()) })
}

#[derive(Deserialize, Default)]
struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

async fn change_password(s: Signed, FormData(f): FormData<PasswordForm>) -> Result<Response, AppError> {
    let app = &s.ctx.app;
    match accounts::change_password(
        &app.db,
        s.actor(),
        &f.current_password,
        &f.new_password,
        &f.confirm_password,
        app.settings.session_idle_minutes,
    )
    .await
    {
        Ok(token) => {
            let mut resp = see_other("/account", "password-changed");
            if let Ok(v) = HeaderValue::from_str(&session_cookie(app, &token)) {
                resp.headers_mut().insert(header::SET_COOKIE, v);
            }
            Ok(resp)
        }
        Err(AppError::Validation(errs)) => Ok(page(
            &s.ctx,
            "/account",
            "pages/account.html",
            StatusCode::UNPROCESSABLE_ENTITY,
            context! { errors => errors_value(&errs) },
        )
        .into_response()),
        Err(e) => Err(e),
    }
}
