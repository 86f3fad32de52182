//! The signed-in user's own account: details and password.

use std::sync::Arc;

use axum::extract::Query;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use minijinja::context;
use serde::Deserialize;

use super::{notice, see_other, FormData, NoticeQuery};
use crate::error::AppError;
use crate::http::context::{session_cookie, Signed};
use crate::http::forms::submit;
use crate::http::render::page;
use crate::http::AppState;
use crate::services::{accounts, two_factor};

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/account", get(show))
        .route("/account/password", post(change_password))
        .route("/account/profile", post(rename))
        .route("/account/2fa/setup", post(setup_two_factor))
        .route("/account/2fa/enable", post(enable_two_factor))
        .route("/account/2fa/disable", post(disable_two_factor))
}

/// The account page, with the two-factor state and whatever `extra` the action adds.
async fn render(s: &Signed, status: StatusCode, extra: minijinja::Value) -> Result<Response, AppError> {
    let two_factor = two_factor::enabled(&s.ctx.app.db, s.actor()).await?;
    Ok(page(&s.ctx, "/account", "pages/account.html", status, context! { two_factor, ..extra }))
}

async fn show(s: Signed, Query(q): Query<NoticeQuery>) -> Result<Response, AppError> {
    render(&s, StatusCode::OK, context! { notice => notice(q.notice.as_deref()) }).await
}

/// Seals and opens two-factor secrets.
fn key(s: &Signed) -> Option<&crate::auth::seal::SealKey> {
    s.ctx.app.settings.secret_key.as_ref()
}

fn issuer(s: &Signed) -> String {
    s.ctx.msp.product_name.clone()
}

fn setup_view(setup: &two_factor::Setup) -> minijinja::Value {
    context! { secret => setup.secret, qr => setup.qr }
}

async fn setup_two_factor(s: Signed) -> Result<Response, AppError> {
    let setup = two_factor::begin(&s.ctx.app.db, key(&s), s.actor(), &issuer(&s)).await?;
    render(&s, StatusCode::OK, context! { setup => setup_view(&setup) }).await
}

#[derive(Deserialize, Default)]
struct CodeForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    current_password: String,
}

async fn enable_two_factor(s: Signed, FormData(f): FormData<CodeForm>) -> Result<Response, AppError> {
    let db = &s.ctx.app.db;
    submit(
        two_factor::enable(db, key(&s), s.actor(), &f.code).await,
        async |()| Ok(see_other("/account", "2fa-on")),
        async |status, tf_errors| {
            let setup = two_factor::pending(db, key(&s), s.actor(), &issuer(&s)).await?.map(|p| setup_view(&p));
            render(&s, status, context! { setup, tf_errors }).await
        },
    )
    .await
}

async fn disable_two_factor(s: Signed, FormData(f): FormData<CodeForm>) -> Result<Response, AppError> {
    submit(
        two_factor::disable(&s.ctx.app.db, key(&s), s.actor(), &f.current_password, &f.code).await,
        async |()| Ok(see_other("/account", "2fa-off")),
        async |status, tf_errors| render(&s, status, context! { tf_errors }).await,
    )
    .await
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
    let changed = accounts::change_password(
        &app.db,
        s.actor(),
        &f.current_password,
        &f.new_password,
        &f.confirm_password,
        app.settings.session_idle_minutes,
    )
    .await;
    submit(
        changed,
        async |token| {
            let mut resp = see_other("/account", "password-changed");
            if let Ok(v) = HeaderValue::from_str(&session_cookie(app, &token)) {
                resp.headers_mut().insert(header::SET_COOKIE, v);
            }
            Ok(resp)
        },
        async |status, errors| render(&s, status, context! { errors }).await,
    )
    .await
}

#[derive(Deserialize, Default)]
struct ProfileForm {
    #[serde(default)]
    name: String,
}

async fn rename(s: Signed, FormData(f): FormData<ProfileForm>) -> Result<Response, AppError> {
    submit(
        accounts::rename(&s.ctx.app.db, s.actor(), &f.name).await,
        async |()| Ok(see_other("/account", "profile-saved")),
        async |status, profile_errors| {
            render(&s, status, context! { profile_errors, profile => context! { name => f.name } }).await
        },
    )
    .await
}
