//! Console: API tokens — create (shown once), list, revoke.

use std::sync::Arc;

use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use minijinja::{context, Value};
use serde::Deserialize;

use super::{notice, see_other, FormData, NoticeQuery};
use crate::error::AppError;
use crate::http::context::{Signed, StaffPage};
use crate::http::forms::submit;
use crate::http::render::page;
use crate::http::AppState;
use crate::model::parse_id;
use crate::services::tokens;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new().route("/msp/tokens", get(list).post(create)).route("/msp/tokens/{id}/revoke", post(revoke))
}

fn fmt(t: Option<time::OffsetDateTime>) -> Option<String> {
    t.and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
}

async fn render(s: &Signed, status: StatusCode, extra: Value) -> Result<Response, AppError> {
    let rows = tokens::list(&s.ctx.app.db, s.actor()).await?;
    let items: Vec<Value> = rows
        .iter()
        .map(|t| context! { id => t.id, name => t.name, prefix => t.prefix, user => t.user_email, created => fmt(Some(t.created_at)), last_used => fmt(t.last_used_at), revoked => fmt(t.revoked_at) })
        .collect();
    Ok(page(&s.ctx, "/msp/tokens", "pages/console/tokens.html", status, context! { items, ..extra }))
}

async fn list(StaffPage(s): StaffPage, Query(q): Query<NoticeQuery>) -> Result<Response, AppError> {
    render(&s, StatusCode::OK, context! { notice => notice(q.notice.as_deref()) }).await
}

#[derive(Deserialize, Default)]
struct NewTokenForm {
    #[serde(default)]
    name: String,
}

async fn create(StaffPage(s): StaffPage, FormData(f): FormData<NewTokenForm>) -> Result<Response, AppError> {
    let created = tokens::create(&s.ctx.app.db, s.actor(), &f.name).await;
    let name = &f.name;
    submit(
        created,
        async |t| render(&s, StatusCode::OK, context! { created => context! { name, token => t.token } }).await,
        async |status, errors| render(&s, status, context! { errors, form => context! { name } }).await,
    )
    .await
}

async fn revoke(StaffPage(s): StaffPage, Path(id): Path<String>) -> Result<Response, AppError> {
    let id = parse_id(&id).ok_or(AppError::NotFound)?;
    tokens::revoke(&s.ctx.app.db, s.actor(), id).await?;
    Ok(see_other("/msp/tokens", "token-revoked"))
}
