//! Console: the MSP's ticket categories (statuses and priorities are shown as they are).

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
use crate::http::render::{errors_value, page};
use crate::http::AppState;
use crate::model::parse_id;
use crate::policy::Action;
use crate::services::{ticket_settings, tickets};

const PATH: &str = "/msp/settings/tickets";

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route(PATH, get(show))
        .route("/msp/settings/tickets/categories", post(add))
        .route("/msp/settings/tickets/categories/{id}", post(rename))
        .route("/msp/settings/tickets/categories/{id}/delete", post(delete))
}

async fn render(s: &Signed, status: StatusCode, extra: Value) -> Result<Response, AppError> {
    s.actor().require(Action::ManageTicketSettings, None)?;
    let set = tickets::settings(&s.ctx.app.db, s.ctx.scope()).await?;
    let statuses: Vec<Value> = set
        .statuses
        .iter()
        .map(|st| context! { name => st.name, closed => st.is_closed, settable => st.customer_settable, default => st.is_default, auto_on => st.auto_on })
        .collect();
    let priorities: Vec<Value> =
        set.priorities.iter().map(|p| context! { name => p.name, default => p.is_default }).collect();
    let categories: Vec<Value> = set.categories.iter().map(|c| context! { id => c.id, name => c.name }).collect();
    Ok(page(
        &s.ctx,
        PATH,
        "pages/console/ticket_settings.html",
        status,
        context! { statuses, priorities, categories, ..extra },
    ))
}

async fn show(StaffPage(s): StaffPage, Query(q): Query<NoticeQuery>) -> Result<Response, AppError> {
    render(&s, StatusCode::OK, context! { notice => notice(q.notice.as_deref()) }).await
}

#[derive(Deserialize, Default)]
struct NameForm {
    #[serde(default)]
    name: String,
}

async fn or_form_error(s: &Signed, r: Result<(), AppError>, done: &str) -> Result<Response, AppError> {
    match r {
        Ok(()) => Ok(see_other(PATH, done)),
        Err(AppError::Validation(errs)) => {
            render(s, StatusCode::UNPROCESSABLE_ENTITY, context! { errors => errors_value(&errs) }).await
        }
        Err(AppError::BadRequest(m)) => render(s, StatusCode::BAD_REQUEST, context! { problem => m }).await,
        Err(e) => Err(e),
    }
}

async fn add(StaffPage(s): StaffPage, FormData(f): FormData<NameForm>) -> Result<Response, AppError> {
    let r = ticket_settings::add_category(&s.ctx.app.db, s.actor(), &f.name).await;
    or_form_error(&s, r, "saved").await
}

async fn rename(
    StaffPage(s): StaffPage,
    Path(id): Path<String>,
    FormData(f): FormData<NameForm>,
) -> Result<Response, AppError> {
    let id = parse_id(&id).ok_or(AppError::NotFound)?;
    let r = ticket_settings::rename_category(&s.ctx.app.db, s.actor(), id, &f.name).await;
    or_form_error(&s, r, "saved").await
}

async fn delete(StaffPage(s): StaffPage, Path(id): Path<String>) -> Result<Response, AppError> {
    let id = parse_id(&id).ok_or(AppError::NotFound)?;
    let r = ticket_settings::delete_category(&s.ctx.app.db, s.actor(), id).await;
    or_form_error(&s, r, "category-removed").await
}
