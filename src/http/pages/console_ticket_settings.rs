//! Console: the MSP's ticket statuses, priorities and categories.

use std::sync::Arc;

use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use minijinja::{context, Value};
use serde::Deserialize;
use uuid::Uuid;

use super::{notice, see_other, FormData, NoticeQuery};
use crate::error::AppError;
use crate::http::context::{Signed, StaffPage};
use crate::http::forms::{or_problem, submit};
use crate::http::render::page;
use crate::http::AppState;
use crate::model::{parse_id, Entered};
use crate::policy::Action;
use crate::services::ticket_settings::{self as ts, StatusInput};
use crate::services::tickets;

const PATH: &str = "/msp/settings/tickets";

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route(PATH, get(show))
        .route("/msp/settings/tickets/statuses", post(add_status))
        .route("/msp/settings/tickets/statuses/{id}", post(edit_status))
        .route("/msp/settings/tickets/statuses/{id}/default", post(default_status))
        .route("/msp/settings/tickets/statuses/{id}/move", post(move_status))
        .route("/msp/settings/tickets/statuses/{id}/delete", post(delete_status))
        .route("/msp/settings/tickets/replies", post(reply_statuses))
        .route("/msp/settings/tickets/priorities", post(add_priority))
        .route("/msp/settings/tickets/priorities/{id}", post(rename_priority))
        .route("/msp/settings/tickets/priorities/{id}/default", post(default_priority))
        .route("/msp/settings/tickets/priorities/{id}/move", post(move_priority))
        .route("/msp/settings/tickets/priorities/{id}/delete", post(delete_priority))
        .route("/msp/settings/tickets/categories", post(add_category))
        .route("/msp/settings/tickets/categories/{id}", post(rename_category))
        .route("/msp/settings/tickets/categories/{id}/delete", post(delete_category))
}

async fn render(s: &Signed, status: StatusCode, extra: Value) -> Result<Response, AppError> {
    s.actor().require(Action::ManageTicketSettings, None)?;
    let set = tickets::settings(&s.ctx.app.db, s.ctx.scope()).await?;
    let statuses: Vec<Value> = set
        .statuses
        .iter()
        .map(|st| context! { id => st.id, name => st.name, closed => st.is_closed, settable => st.customer_settable, default => st.is_default, auto_on => st.auto_on })
        .collect();
    let named = |rows: &[crate::db::tickets::NamedRow]| -> Vec<Value> {
        rows.iter().map(|r| context! { id => r.id, name => r.name, default => r.is_default }).collect()
    };
    Ok(page(
        &s.ctx,
        PATH,
        "pages/console/ticket_settings.html",
        status,
        context! { statuses, priorities => named(&set.priorities), categories => named(&set.categories), ..extra },
    ))
}

async fn show(StaffPage(s): StaffPage, Query(q): Query<NoticeQuery>) -> Result<Response, AppError> {
    render(&s, StatusCode::OK, context! { notice => notice(q.notice.as_deref()) }).await
}

/// Which list a form changed and which row (an id, or "new" for the add form), so that a
/// refusal is shown there with what was entered.
struct Target {
    section: &'static str,
    row: Option<Uuid>,
    form: Value,
    /// The notice shown after a success.
    done: &'static str,
}

impl Target {
    fn new(section: &'static str, row: Option<Uuid>, done: &'static str) -> Self {
        Target { section, row, form: Value::UNDEFINED, done }
    }
    fn with_form(self, form: Value) -> Self {
        Target { form, ..self }
    }
}

async fn or_form_error(s: &Signed, r: Result<(), AppError>, t: Target) -> Result<Response, AppError> {
    let r = submit(
        r,
        async |()| Ok(see_other(PATH, t.done)),
        async |status, errors| {
            let row = t.row.map(|id| id.to_string()).unwrap_or_else(|| "new".into());
            render(s, status, context! { errors, section => t.section, row, form => t.form }).await
        },
    )
    .await;
    or_problem(r, async |status, problem| render(s, status, context! { problem }).await).await
}

fn id_of(raw: &str) -> Result<Uuid, AppError> {
    parse_id(raw).ok_or(AppError::NotFound)
}

#[derive(Deserialize, Default)]
struct NameForm {
    #[serde(default)]
    name: String,
}

#[derive(Deserialize, Default)]
struct StatusForm {
    #[serde(default)]
    name: String,
    /// "true" for a status that closes tickets.
    #[serde(default)]
    closed: String,
    /// "true" when ticked.
    #[serde(default)]
    customer_settable: String,
}

impl StatusForm {
    fn input(&self) -> StatusInput {
        StatusInput {
            name: self.name.clone(),
            closed: self.closed == "true",
            customer_settable: self.customer_settable == "true",
        }
    }
    fn echo(&self) -> Value {
        context! { name => self.name, closed => self.closed == "true", settable => self.customer_settable == "true" }
    }
}

#[derive(Deserialize, Default)]
struct MoveForm {
    #[serde(default)]
    direction: String,
}

#[derive(Deserialize, Default)]
struct RepliesForm {
    #[serde(default)]
    customer_reply: String,
    #[serde(default)]
    staff_reply: String,
}

async fn add_status(StaffPage(s): StaffPage, FormData(f): FormData<StatusForm>) -> Result<Response, AppError> {
    let r = ts::add_status(&s.ctx.app.db, s.actor(), &f.input()).await;
    or_form_error(&s, r, Target::new("statuses", None, "saved").with_form(f.echo())).await
}

async fn edit_status(
    StaffPage(s): StaffPage,
    Path(id): Path<String>,
    FormData(f): FormData<StatusForm>,
) -> Result<Response, AppError> {
    let id = id_of(&id)?;
    let r = ts::edit_status(&s.ctx.app.db, s.actor(), id, &f.input()).await;
    or_form_error(&s, r, Target::new("statuses", Some(id), "saved").with_form(f.echo())).await
}

async fn default_status(StaffPage(s): StaffPage, Path(id): Path<String>) -> Result<Response, AppError> {
    let id = id_of(&id)?;
    let r = ts::make_default_status(&s.ctx.app.db, s.actor(), id).await;
    or_form_error(&s, r, Target::new("statuses", Some(id), "saved")).await
}

async fn move_status(
    StaffPage(s): StaffPage,
    Path(id): Path<String>,
    FormData(f): FormData<MoveForm>,
) -> Result<Response, AppError> {
    let id = id_of(&id)?;
    let r = ts::move_status(&s.ctx.app.db, s.actor(), id, &f.direction).await;
    or_form_error(&s, r, Target::new("statuses", Some(id), "saved")).await
}

async fn delete_status(StaffPage(s): StaffPage, Path(id): Path<String>) -> Result<Response, AppError> {
    let id = id_of(&id)?;
    let r = ts::delete_status(&s.ctx.app.db, s.actor(), id).await;
    or_form_error(&s, r, Target::new("statuses", Some(id), "status-removed")).await
}

async fn reply_statuses(StaffPage(s): StaffPage, FormData(f): FormData<RepliesForm>) -> Result<Response, AppError> {
    let r =
        ts::set_reply_statuses(&s.ctx.app.db, s.actor(), Entered::id(&f.customer_reply), Entered::id(&f.staff_reply))
            .await;
    let form = context! { customer_reply => f.customer_reply, staff_reply => f.staff_reply };
    or_form_error(&s, r, Target::new("replies", None, "saved").with_form(form)).await
}

async fn add_priority(StaffPage(s): StaffPage, FormData(f): FormData<NameForm>) -> Result<Response, AppError> {
    let r = ts::add_priority(&s.ctx.app.db, s.actor(), &f.name).await;
    or_form_error(&s, r, Target::new("priorities", None, "saved").with_form(context! { name => f.name })).await
}

async fn rename_priority(
    StaffPage(s): StaffPage,
    Path(id): Path<String>,
    FormData(f): FormData<NameForm>,
) -> Result<Response, AppError> {
    let id = id_of(&id)?;
    let r = ts::rename_priority(&s.ctx.app.db, s.actor(), id, &f.name).await;
    or_form_error(&s, r, Target::new("priorities", Some(id), "saved").with_form(context! { name => f.name })).await
}

async fn default_priority(StaffPage(s): StaffPage, Path(id): Path<String>) -> Result<Response, AppError> {
    let id = id_of(&id)?;
    let r = ts::make_default_priority(&s.ctx.app.db, s.actor(), id).await;
    or_form_error(&s, r, Target::new("priorities", Some(id), "saved")).await
}

async fn move_priority(
    StaffPage(s): StaffPage,
    Path(id): Path<String>,
    FormData(f): FormData<MoveForm>,
) -> Result<Response, AppError> {
    let id = id_of(&id)?;
    let r = ts::move_priority(&s.ctx.app.db, s.actor(), id, &f.direction).await;
    or_form_error(&s, r, Target::new("priorities", Some(id), "saved")).await
}

async fn delete_priority(StaffPage(s): StaffPage, Path(id): Path<String>) -> Result<Response, AppError> {
    let id = id_of(&id)?;
    let r = ts::delete_priority(&s.ctx.app.db, s.actor(), id).await;
    or_form_error(&s, r, Target::new("priorities", Some(id), "priority-removed")).await
}

async fn add_category(StaffPage(s): StaffPage, FormData(f): FormData<NameForm>) -> Result<Response, AppError> {
    let r = ts::add_category(&s.ctx.app.db, s.actor(), &f.name).await;
    or_form_error(&s, r, Target::new("categories", None, "saved").with_form(context! { name => f.name })).await
}

async fn rename_category(
    StaffPage(s): StaffPage,
    Path(id): Path<String>,
    FormData(f): FormData<NameForm>,
) -> Result<Response, AppError> {
    let id = id_of(&id)?;
    let r = ts::rename_category(&s.ctx.app.db, s.actor(), id, &f.name).await;
    or_form_error(&s, r, Target::new("categories", Some(id), "saved").with_form(context! { name => f.name })).await
}

async fn delete_category(StaffPage(s): StaffPage, Path(id): Path<String>) -> Result<Response, AppError> {
    let id = id_of(&id)?;
    let r = ts::delete_category(&s.ctx.app.db, s.actor(), id).await;
    or_form_error(&s, r, Target::new("categories", Some(id), "category-removed")).await
}
