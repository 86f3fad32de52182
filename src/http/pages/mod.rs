//! HTML pages: the customer portal and the staff console. Handlers parse input, call one
//! service and render.

mod account;
mod auth;
mod company_users;
mod console_branding;
mod console_customers;
mod console_email;
mod console_m365;
mod console_staff;
mod console_ticket_settings;
mod console_tokens;
mod dashboard;
mod m365;
mod notifications;
mod tickets;

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Router;
use minijinja::context;
use serde::de::DeserializeOwned;

use super::context::{Ctx, ToSignIn};
use super::render;
use super::AppState;
use crate::error::{AppError, ErrorInfo};

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .merge(auth::routes())
        .merge(dashboard::routes())
        .merge(company_users::routes())
        .merge(account::routes())
        .merge(console_customers::routes())
        .merge(console_staff::routes())
        .merge(console_branding::routes())
        .merge(console_tokens::routes())
        .merge(console_ticket_settings::routes())
        .merge(tickets::routes())
        .merge(m365::routes())
        .merge(notifications::routes())
        .merge(console_email::routes())
        .merge(console_m365::routes())
        .fallback(|| async { AppError::NotFound })
}

/// Turns error responses into branded HTML pages (and a missing sign-in into a redirect).
pub async fn error_pages(req: Request, next: Next) -> Response {
    let ctx = req.extensions().get::<Ctx>().cloned();
    let path = req.uri().path().to_string();
    let resp = next.run(req).await;
    let info = match resp.extensions().get::<ErrorInfo>() {
        Some(i) => i.clone(),
        None if resp.status() == StatusCode::METHOD_NOT_ALLOWED => {
            ErrorInfo { status: resp.status(), message: "That action isn't available here.".into() }
        }
        None if (resp.status().is_client_error() || resp.status().is_server_error()) && !is_html(&resp) => ErrorInfo {
            status: resp.status(),
            message: "That request couldn't be handled. Go back and try again.".into(),
        },
        None => return resp,
    };
    if info.status == StatusCode::UNAUTHORIZED {
        return ToSignIn(path).into_response();
    }
    let Some(ctx) = ctx else { return resp };
    let title = match info.status {
        StatusCode::NOT_FOUND => "Page not found",
        StatusCode::FORBIDDEN => "Access denied",
        StatusCode::TOO_MANY_REQUESTS => "Too many attempts",
        s if s.is_server_error() => "Something went wrong",
        _ => "We couldn't do that",
    };
    let mut page = render::page(
        &ctx,
        &path,
        "pages/error.html",
        info.status,
        context! { title, message => info.message, status => info.status.as_u16() },
    );
    for h in [header::RETRY_AFTER, header::ALLOW] {
        if let Some(v) = resp.headers().get(&h) {
            page.headers_mut().insert(h, v.clone());
        }
    }
    page
}

fn is_html(resp: &Response) -> bool {
    resp.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("text/html"))
}

/// A urlencoded form body; anything unparseable is a 400 with a plain message.
pub struct FormData<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for FormData<T> {
    type Rejection = AppError;
    async fn from_request(req: Request, s: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, s).await.map_err(|_| AppError::PayloadTooLarge)?;
        serde_urlencoded::from_bytes(&bytes)
            .map(FormData)
            .map_err(|_| AppError::BadRequest("The form was not filled in correctly. Please try again.".into()))
    }
}

/// After a successful POST: back to a page, with a notice to show there.
pub fn see_other(path: &str, notice: &str) -> Response {
    Redirect::to(&format!("{path}?notice={notice}")).into_response()
}

/// The messages a `?notice=` may show; anything else shows nothing.
pub fn notice(key: Option<&str>) -> Option<&'static str> {
    Some(match key? {
        "saved" => "Your changes were saved.",
        "password-changed" => "Your password was changed. Other devices have been signed out.",
        "customer-created" => "The customer was created.",
        "role-changed" => "The role was changed.",
        "deactivated" => "The account was deactivated and signed out everywhere.",
        "reactivated" => "The account was reactivated.",
        "token-revoked" => "The token was revoked. Requests using it are now refused.",
        "logo-saved" => "The logo was updated.",
        "favicon-saved" => "The favicon was updated.",
        "signed-out" => "You have been signed out.",
        "2fa-on" => "Two-factor sign-in is on. You'll be asked for a code each time you sign in.",
        "2fa-off" => "Two-factor sign-in is off.",
        "2fa-reset" => "Two-factor sign-in was turned off for that user. They can set it up again under My account.",
        "profile-saved" => "Your name was saved.",
        "ticket-created" => "Your ticket was created. We'll keep you posted here.",
        "reply-added" => "Your reply was added.",
        "note-added" => "The internal note was added. Customers never see it.",
        "comment-edited" => "The comment was changed.",
        "comment-deleted" => "The comment was deleted.",
        "status-changed" => "The status was changed.",
        "category-removed" => "The category was removed.",
        "sync-queued" => "A sync is queued. It starts within moments; this page shows its outcome.",
        "all-read" => "All notifications are marked as read.",
        "mail-requeued" => "The mail is queued again.",
        "template-reset" => "This mail uses the built-in wording again.",
        "reset-sent" => {
            "If that address has an account here, we've sent it a link to choose a new password. It works for one hour."
        }
        "password-reset" => "Your new password is set. Sign in with it.",
        "status-removed" => "The status was removed.",
        "priority-removed" => "The priority was removed.",
        "license-requested" => "Your license request was sent as a support ticket. We'll keep you posted here.",
        "prices-saved" => "The prices were saved.",
        _ => return None,
    })
}

#[derive(serde::Deserialize, Default)]
pub struct NoticeQuery {
    pub notice: Option<String>,
}
