//! Signing in (portal at `/`, staff at `/msp`), signing out, and accepting invitations.

use std::sync::Arc;

use axum::extract::{Path, Query};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use minijinja::context;
use serde::Deserialize;

use super::{notice, FormData};
use crate::error::AppError;
use crate::http::context::{session_cookie, Ctx};
use crate::http::forms::submit;
use crate::http::render::{errors_value, page};
use crate::http::AppState;
use crate::services::accounts::{self, Credentials, Door, Limits, SignedIn};

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/", get(portal_login_page))
        // A typed or bookmarked sign-in address shows the form rather than a 405.
        .route("/login", get(portal_login_page).post(portal_login))
        .route("/msp", get(console_login_page))
        .route("/msp/login", get(console_login_page).post(console_login))
        .route("/logout", post(logout))
        .route("/invite/{token}", get(invite_page).post(accept_invite))
        .route("/login/2fa", get(second_factor_page).post(second_factor))
        .route("/forgot-password", get(forgot_page).post(forgot))
        .route("/reset/{token}", get(reset_page).post(reset))
}

#[derive(Deserialize, Default)]
struct LoginQuery {
    next: Option<String>,
    notice: Option<String>,
}

#[derive(Deserialize, Default)]
struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

fn home(door: Door) -> &'static str {
    match door {
        Door::Portal => "/dashboard",
        Door::Console => "/msp/customers",
    }
}

/// Only same-site paths are followed after sign-in.
fn safe_next(next: &str, door: Door) -> String {
    let ok = next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') && next.len() < 512;
    let console = next.starts_with("/msp");
    if ok && console == (door == Door::Console) && next != "/" && next != "/msp" {
        next.to_string()
    } else {
        home(door).to_string()
    }
}

fn login_page(
    ctx: &Ctx,
    door: Door,
    email: &str,
    next: &str,
    errors: minijinja::Value,
    notice_key: Option<&str>,
    status: StatusCode,
) -> Response {
    let (path, action, heading) = match door {
        Door::Portal => ("/", "/login", "Sign in to your portal"),
        Door::Console => ("/msp", "/msp/login", "Staff sign-in"),
    };
    page(
        ctx,
        path,
        "pages/login.html",
        status,
        context! { action, heading, email, next, errors, console => door == Door::Console, notice => notice(notice_key) },
    )
}

async fn show_login(ctx: Ctx, q: LoginQuery, door: Door) -> Response {
    if let Some(s) = &ctx.session {
        let is_console = s.actor.is_staff();
        return Redirect::to(home(if is_console { Door::Console } else { Door::Portal })).into_response();
    }
    login_page(
        &ctx,
        door,
        "",
        q.next.as_deref().unwrap_or(""),
        minijinja::Value::UNDEFINED,
        q.notice.as_deref(),
        StatusCode::OK,
    )
}

async fn portal_login_page(ctx: Ctx, Query(q): Query<LoginQuery>) -> Response {
    show_login(ctx, q, Door::Portal).await
}

async fn console_login_page(ctx: Ctx, Query(q): Query<LoginQuery>) -> Response {
    show_login(ctx, q, Door::Console).await
}

async fn sign_in(ctx: Ctx, form: LoginForm, door: Door) -> Response {
    let app = &ctx.app;
    let limits = Limits {
        per_ip: &app.limiter,
        per_account: app.settings.login_attempts,
        idle_minutes: app.settings.session_idle_minutes,
        key: app.settings.secret_key.as_ref(),
    };
    let creds = Credentials { door, email: &form.email, password: &form.password, ip: ctx.ip };
    let result = accounts::sign_in(&app.db, ctx.scope(), &limits, &creds).await;
    match result {
        Ok(SignedIn { session_token, pending_mfa, .. }) => {
            if let Some(old) = &ctx.session {
                let _ = accounts::sign_out(&app.db, ctx.scope(), &old.token_hash).await;
            }
            let to = if pending_mfa {
                let next = serde_urlencoded::to_string([("next", safe_next(&form.next, door))]).unwrap_or_default();
                format!("/login/2fa?{next}")
            } else {
                safe_next(&form.next, door)
            };
            signed_in_redirect(app, &to, &session_token)
        }
        Err(AppError::Validation(errs)) => {
            login_page(&ctx, door, &form.email, &form.next, errors_value(&errs), None, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e @ AppError::TooManyRequests { retry_after }) => {
            let errs = [crate::model::FieldError::new("email", e.message())];
            let mut resp = login_page(
                &ctx,
                door,
                &form.email,
                &form.next,
                errors_value(&errs),
                None,
                StatusCode::TOO_MANY_REQUESTS,
            );
            resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
            resp
        }
        Err(e) => e.into_response(),
    }
}

fn signed_in_redirect(app: &AppState, to: &str, token: &str) -> Response {
    let mut resp = Redirect::to(to).into_response();
    if let Ok(v) = HeaderValue::from_str(&session_cookie(app, token)) {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    resp
}

async fn portal_login(ctx: Ctx, FormData(form): FormData<LoginForm>) -> Response {
    sign_in(ctx, form, Door::Portal).await
}

async fn console_login(ctx: Ctx, FormData(form): FormData<LoginForm>) -> Response {
    sign_in(ctx, form, Door::Console).await
}

async fn logout(ctx: Ctx) -> Result<Response, AppError> {
    let to = match &ctx.session {
        Some(s) => {
            accounts::sign_out(&ctx.app.db, ctx.scope(), &s.token_hash).await?;
            if s.actor.is_staff() {
                "/msp?notice=signed-out"
            } else {
                "/?notice=signed-out"
            }
        }
        None => "/",
    };
    let mut resp = Redirect::to(to).into_response();
    if let Ok(v) = HeaderValue::from_str(&session_cookie(&ctx.app, "")) {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(resp)
}

#[derive(Deserialize, Default)]
struct InviteForm {
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

async fn invite_page(ctx: Ctx, Path(token): Path<String>) -> Result<Response, AppError> {
    let inv = accounts::invitation(&ctx.app.db, ctx.scope(), &token).await?;
    Ok(page(
        &ctx,
        "/invite",
        "pages/invite.html",
        StatusCode::OK,
        context! { name => inv.user.name, email => inv.user.email, token },
    ))
}

async fn accept_invite(
    ctx: Ctx,
    Path(token): Path<String>,
    FormData(form): FormData<InviteForm>,
) -> Result<Response, AppError> {
    let app = &ctx.app;
    let accepted = accounts::accept_invitation(
        &app.db,
        ctx.scope(),
        &token,
        &form.new_password,
        &form.confirm_password,
        app.settings.session_idle_minutes,
    )
    .await;
    submit(
        accepted,
        async |s| {
            let to = if s.actor.is_staff() { "/msp/customers" } else { "/dashboard" };
            Ok(signed_in_redirect(app, to, &s.session_token))
        },
        async |status, errors| {
            let inv = accounts::invitation(&app.db, ctx.scope(), &token).await?;
            let local = context! { name => inv.user.name, email => inv.user.email, token, errors };
            Ok(page(&ctx, "/invite", "pages/invite.html", status, local))
        },
    )
    .await
}

#[derive(Deserialize, Default)]
struct SecondFactorForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    next: String,
}

fn second_factor_form(ctx: &Ctx, next: &str, errors: minijinja::Value, status: StatusCode) -> Response {
    page(ctx, "/login/2fa", "pages/two_factor_login.html", status, context! { next, errors })
}

async fn second_factor_page(ctx: Ctx, Query(q): Query<LoginQuery>) -> Response {
    second_factor_form(&ctx, q.next.as_deref().unwrap_or(""), minijinja::Value::UNDEFINED, StatusCode::OK)
}

async fn second_factor(
    ctx: Ctx,
    headers: axum::http::HeaderMap,
    FormData(form): FormData<SecondFactorForm>,
) -> Result<Response, AppError> {
    let app = &ctx.app;
    let token = crate::http::context::session_token(&headers)
        .ok_or_else(|| AppError::BadRequest("Your sign-in has expired. Please sign in again.".into()))?;
    let limits = Limits {
        per_ip: &app.limiter,
        per_account: app.settings.login_attempts,
        idle_minutes: app.settings.session_idle_minutes,
        key: app.settings.secret_key.as_ref(),
    };
    match accounts::complete_second_factor(&app.db, ctx.scope(), &limits, token, &form.code, ctx.ip).await {
        Ok(s) => {
            let door = if s.actor.is_staff() { Door::Console } else { Door::Portal };
            Ok(signed_in_redirect(app, &safe_next(&form.next, door), &s.session_token))
        }
        Err(AppError::Validation(errs)) => {
            Ok(second_factor_form(&ctx, &form.next, errors_value(&errs), StatusCode::UNPROCESSABLE_ENTITY))
        }
        Err(e @ AppError::TooManyRequests { retry_after }) => {
            let errs = [crate::model::FieldError::new("code", e.message())];
            let mut resp = second_factor_form(&ctx, &form.next, errors_value(&errs), StatusCode::TOO_MANY_REQUESTS);
            resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
            Ok(resp)
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize, Default)]
struct ForgotForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    console: String,
}

fn forgot_view(ctx: &Ctx, console: bool, email: &str, errors: minijinja::Value, status: StatusCode) -> Response {
    page(ctx, "/forgot-password", "pages/forgot_password.html", status, context! { console, email, errors })
}

async fn forgot_page(ctx: Ctx, Query(q): Query<ForgotForm>) -> Response {
    forgot_view(&ctx, q.console == "1", "", minijinja::Value::UNDEFINED, StatusCode::OK)
}

/// Answers the same whether or not the address has an account.
async fn forgot(ctx: Ctx, FormData(f): FormData<ForgotForm>) -> Result<Response, AppError> {
    let console = f.console == "1";
    let app = &ctx.app;
    submit(
        accounts::forgot_password(&app.db, ctx.scope(), &app.public_url, &app.limiter, ctx.ip, &f.email).await,
        async |()| {
            Ok(Redirect::to(if console { "/msp?notice=reset-sent" } else { "/?notice=reset-sent" }).into_response())
        },
        async |status, errors| Ok(forgot_view(&ctx, console, &f.email, errors, status)),
    )
    .await
}

fn reset_view(
    ctx: &Ctx,
    token: &str,
    r: Result<&str, String>,
    errors: minijinja::Value,
    status: StatusCode,
) -> Response {
    let (email, gone) = match r {
        Ok(email) => (email.to_string(), None),
        Err(m) => (String::new(), Some(m)),
    };
    page(ctx, "/reset", "pages/reset_password.html", status, context! { token, email, gone, errors })
}

async fn reset_page(ctx: Ctx, Path(token): Path<String>) -> Result<Response, AppError> {
    match accounts::reset_link(&ctx.app.db, ctx.scope(), &token).await {
        Ok(user) => Ok(reset_view(&ctx, &token, Ok(&user.email), minijinja::Value::UNDEFINED, StatusCode::OK)),
        Err(AppError::BadRequest(m)) => {
            Ok(reset_view(&ctx, &token, Err(m), minijinja::Value::UNDEFINED, StatusCode::GONE))
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize, Default)]
struct ResetForm {
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

async fn reset(ctx: Ctx, Path(token): Path<String>, FormData(f): FormData<ResetForm>) -> Result<Response, AppError> {
    let db = &ctx.app.db;
    let reset = submit(
        accounts::reset_password(db, ctx.scope(), &token, &f.new_password, &f.confirm_password).await,
        async |user| {
            let to = if user.customer_id.is_none() { "/msp?notice=password-reset" } else { "/?notice=password-reset" };
            ctx.app.sessions.clear();
            Ok(Redirect::to(to).into_response())
        },
        async |status, errors| {
            let user = accounts::reset_link(db, ctx.scope(), &token).await?;
            Ok(reset_view(&ctx, &token, Ok(&user.email), errors, status))
        },
    )
    .await;
    // A used or expired link: the page says so instead of the form.
    match reset {
        Err(AppError::BadRequest(m)) => {
            Ok(reset_view(&ctx, &token, Err(m), minijinja::Value::UNDEFINED, StatusCode::GONE))
        }
        other => other,
    }
}
