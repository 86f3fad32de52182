//! Console: the MSP's staff accounts.

use std::sync::Arc;

use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use minijinja::{context, Value};
use serde::Deserialize;

use super::company_users::{ActiveForm, RoleForm};
use super::{notice, see_other, FormData, NoticeQuery};
use crate::error::AppError;
use crate::http::context::{Signed, StaffPage};
use crate::http::forms::{or_problem, submit};
use crate::http::render::page;
use crate::http::AppState;
use crate::model::StaffRole;
use crate::policy::{self, Action};
use crate::services::users;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/msp/staff", get(list).post(create))
        .route("/msp/staff/{user}/role", post(set_role))
        .route("/msp/staff/{user}/active", post(set_active))
}

async fn render(s: &Signed, status: StatusCode, extra: Value) -> Result<Response, AppError> {
    let list = users::list_staff(&s.ctx.app.db, s.actor()).await?;
    let staff: Vec<Value> = list
        .iter()
        .map(|u| {
            context! {
                id => u.id, name => u.name, email => u.email, role => u.role, active => u.active,
                me => u.id == s.actor().user_id,
                editable => u.id != s.actor().user_id && StaffRole::parse(u.role.as_str()).is_some_and(|r| policy::may_grant_staff_role(s.actor(), r)),
                last_sign_in => u.last_sign_in_at.and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok()),
            }
        })
        .collect();
    let roles: Vec<&str> =
        StaffRole::ALL.iter().filter(|r| policy::may_grant_staff_role(s.actor(), **r)).map(|r| r.as_str()).collect();
    let can_manage = s.actor().may(Action::ManageStaff, None);
    Ok(page(&s.ctx, "/msp/staff", "pages/console/staff.html", status, context! { staff, roles, can_manage, ..extra }))
}

async fn list(StaffPage(s): StaffPage, Query(q): Query<NoticeQuery>) -> Result<Response, AppError> {
    render(&s, StatusCode::OK, context! { notice => notice(q.notice.as_deref()) }).await
}

#[derive(Deserialize, Default)]
struct NewStaffForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
}

async fn create(StaffPage(s): StaffPage, FormData(f): FormData<NewStaffForm>) -> Result<Response, AppError> {
    submit(
        users::create_staff(&s.ctx.app.db, Some(s.actor()), s.ctx.scope(), &f.name, &f.email, &f.role, None).await,
        async |n| {
            let created = context! { name => n.user.name, email => n.user.email, password => n.password };
            render(&s, StatusCode::OK, context! { created }).await
        },
        async |status, errors| {
            let form = context! { name => f.name, email => f.email, role => f.role };
            render(&s, status, context! { errors, form }).await
        },
    )
    .await
}

/// Rule breaches (the last owner, one's own account) are shown on the page, not as an error page.
async fn shown(s: &Signed, r: Result<Response, AppError>) -> Result<Response, AppError> {
    or_problem(r, async |status, problem| render(s, status, context! { problem }).await).await
}

async fn set_role(
    StaffPage(s): StaffPage,
    Path(user): Path<String>,
    FormData(f): FormData<RoleForm>,
) -> Result<Response, AppError> {
    let id = crate::model::UserId::parse(&user).ok_or(AppError::NotFound)?;
    let r = users::set_staff_role(&s.ctx.app.db, s.actor(), id, &f.role)
        .await
        .map(|_| see_other("/msp/staff", "role-changed"));
    shown(&s, r).await
}

async fn set_active(
    StaffPage(s): StaffPage,
    Path(user): Path<String>,
    FormData(f): FormData<ActiveForm>,
) -> Result<Response, AppError> {
    let id = crate::model::UserId::parse(&user).ok_or(AppError::NotFound)?;
    let active = f.active == "true";
    let r = users::set_staff_active(&s.ctx.app.db, s.actor(), id, active)
        .await
        .map(|_| see_other("/msp/staff", if active { "reactivated" } else { "deactivated" }));
    shown(&s, r).await
}
