//! The notification bell's list, and each person's choice of what reaches them and how.

use std::sync::Arc;

use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use minijinja::context;
use serde::Deserialize;

use super::{notice, see_other, FormData, NoticeQuery};
use crate::error::AppError;
use crate::http::context::Signed;
use crate::http::render::page;
use crate::http::AppState;
use crate::model::parse_id;
use crate::services::notify;

const PER_PAGE: i64 = 25;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/notifications", get(list))
        .route("/notifications/unread", get(unread))
        .route("/notifications/read-all", post(read_all))
        .route("/notifications/{id}/open", post(open))
        .route("/account/notifications", get(prefs).post(save_prefs))
}

#[derive(Deserialize, Default)]
struct ListQuery {
    page: Option<String>,
    notice: Option<String>,
}

async fn list(s: Signed, Query(q): Query<ListQuery>) -> Result<Response, AppError> {
    let page_no = q.page.as_deref().and_then(|p| p.parse::<i64>().ok()).unwrap_or(1).clamp(1, 10_000);
    let (rows, all, unread) = notify::inbox(&s.ctx.app.db, s.actor(), page_no, PER_PAGE).await?;
    let items: Vec<_> = rows
        .iter()
        .map(|n| context! { id => n.id, title => n.title, body => n.body, created_at => crate::model::rfc3339(n.created_at), unread => n.read_at.is_none() })
        .collect();
    let pages = ((all + PER_PAGE - 1) / PER_PAGE).max(1);
    Ok(page(
        &s.ctx,
        "/notifications",
        "pages/notifications.html",
        StatusCode::OK,
        context! { items, all, unread_here => unread, page_no, pages, notice => notice(q.notice.as_deref()) },
    ))
}

/// For the bell's script: the unread count, without drawing a page.
async fn unread(s: Signed) -> Result<Response, AppError> {
    let n = notify::unread(&s.ctx.app.db, s.actor()).await?;
    Ok(([(axum::http::header::CACHE_CONTROL, "no-store")], Json(serde_json::json!({ "unread": n }))).into_response())
}

async fn open(s: Signed, Path(id): Path<String>) -> Result<Response, AppError> {
    let id = parse_id(&id).ok_or(AppError::NotFound)?;
    let link = notify::open(&s.ctx.app.db, s.actor(), id).await?;
    Ok(Redirect::to(&link).into_response())
}

async fn read_all(s: Signed) -> Result<Response, AppError> {
    notify::read_all(&s.ctx.app.db, s.actor()).await?;
    Ok(see_other("/notifications", "all-read"))
}

async fn prefs(s: Signed, Query(q): Query<NoticeQuery>) -> Result<Response, AppError> {
    let choices = notify::choices(&s.ctx.app.db, s.actor().msp(), s.actor().user_id).await?;
    Ok(render_prefs(&s, &choices, notice(q.notice.as_deref())))
}

fn render_prefs(s: &Signed, choices: &[(&'static str, notify::Choice)], notice: Option<&str>) -> Response {
    let rows: Vec<_> = notify::CATEGORIES
        .iter()
        .map(|(key, label, about)| {
            let c = choices.iter().find(|(k, _)| k == key).map(|(_, c)| *c);
            context! { key, label, about, email => c.is_some_and(|c| c.email), in_app => c.is_some_and(|c| c.in_app) }
        })
        .collect();
    page(
        &s.ctx,
        "/account/notifications",
        "pages/notification_prefs.html",
        StatusCode::OK,
        context! { rows, notice, action => "/account/notifications", defaults => false },
    )
}

/// The form sends one `{category}.{channel}` field per ticked box.
async fn save_prefs(s: Signed, FormData(f): FormData<Vec<(String, String)>>) -> Result<Response, AppError> {
    let ticked: Vec<String> = f.into_iter().map(|(k, _)| k).collect();
    let rows = notify::parse_choices(&ticked);
    notify::save_choices(&s.ctx.app.db, s.actor().msp(), s.actor().user_id, &rows).await?;
    Ok(see_other("/account/notifications", "saved"))
}
