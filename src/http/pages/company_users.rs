//! Managing a customer's portal users: by the customer's own admins at `/company/users`,
//! and by staff on the customer's page in the console (which reuses these handlers).

use std::sync::Arc;

use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use minijinja::{context, Value};
use serde::Deserialize;

use super::{notice, see_other, FormData, NoticeQuery};
use crate::error::AppError;
use crate::http::context::{PortalPage, Signed};
use crate::http::forms::{or_problem, submit};
use crate::http::render::page;
use crate::http::AppState;
use crate::services::users::{self, Invited};

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/company/users", get(list).post(invite))
        .route("/company/users/{user}/role", post(set_role))
        .route("/company/users/{user}/active", post(set_active))
        .route("/company/users/{user}/link", post(new_link))
        .route("/company/users/{user}/2fa-reset", post(reset_two_factor))
        .route("/company/users/{user}/tickets", post(ticket_visibility))
}

#[derive(Deserialize, Default)]
pub struct InviteForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub role: String,
}

#[derive(Deserialize, Default)]
pub struct RoleForm {
    #[serde(default)]
    pub role: String,
}

#[derive(Deserialize, Default)]
pub struct ActiveForm {
    #[serde(default)]
    pub active: String,
}

/// The portal-user section of a page: a customer admin's own `/company/users`, or a
/// customer's page in the staff console.
pub struct UsersPage {
    pub signed: Signed,
    pub customer_id: crate::model::CustomerId,
    pub console: bool,
}

impl UsersPage {
    fn company(signed: Signed) -> Self {
        let customer_id = signed.actor().customer_id.unwrap_or_default();
        UsersPage { signed, customer_id, console: false }
    }

    pub fn base(&self) -> String {
        if self.console {
            format!("/msp/customers/{}", self.customer_id)
        } else {
            "/company/users".into()
        }
    }

    fn signed(&self) -> &Signed {
        &self.signed
    }

    async fn render(&self, status: StatusCode, extra: Value) -> Result<Response, AppError> {
        if self.console {
            return super::console_customers::render_customer(&self.signed, self.customer_id, status, extra).await;
        }
        let s = &self.signed;
        let list = users::list_portal_users(&s.ctx.app.db, s.actor(), self.customer_id).await?;
        let local =
            context! { users => user_views(&list), users_base => "/company/users", me => s.actor().user_id, ..extra };
        Ok(page(&s.ctx, "/company/users", "pages/company_users.html", status, local))
    }
}

/// Portal users as the templates show them.
pub fn user_views(list: &[crate::db::users::UserRow]) -> Vec<Value> {
    list.iter()
        .map(|u| {
            let status = if !u.active { "Deactivated" } else if u.password_hash.is_none() { "Invited" } else { "Active" };
            context! {
                id => u.id, name => u.name, email => u.email, role => u.role, active => u.active, status, totp_on => u.totp_on, company_tickets => u.company_tickets,
                last_sign_in => u.last_sign_in_at.and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok()),
            }
        })
        .collect()
}

pub async fn do_list(p: &UsersPage, q: NoticeQuery) -> Result<Response, AppError> {
    p.render(StatusCode::OK, context! { notice => notice(q.notice.as_deref()) }).await
}

pub async fn do_invite(p: &UsersPage, f: InviteForm) -> Result<Response, AppError> {
    let s = p.signed();
    submit(
        users::invite(&s.ctx.app.db, s.actor(), &s.ctx.app.public_url, p.customer_id, &f.name, &f.email, &f.role).await,
        async |Invited { user, link }| {
            let link = context! { name => user.name, email => user.email, url => link, fresh => true };
            p.render(StatusCode::OK, context! { link }).await
        },
        async |status, errors| {
            let form = context! { name => f.name, email => f.email, role => f.role };
            p.render(status, context! { errors, form }).await
        },
    )
    .await
}

fn user_id(raw: &str) -> Result<crate::model::UserId, AppError> {
    crate::model::UserId::parse(raw).ok_or(AppError::NotFound)
}

/// Rule breaches (last admin, own account) are shown on the page rather than as an error page.
async fn shown(p: &UsersPage, r: Result<Response, AppError>) -> Result<Response, AppError> {
    or_problem(r, async |status, problem| p.render(status, context! { problem }).await).await
}

pub async fn do_set_role(p: &UsersPage, user: &str, f: RoleForm) -> Result<Response, AppError> {
    let s = p.signed();
    let r = users::set_portal_role(&s.ctx.app.db, s.actor(), p.customer_id, user_id(user)?, &f.role)
        .await
        .map(|_| see_other(&p.base(), "role-changed"));
    shown(p, r).await
}

pub async fn do_set_active(p: &UsersPage, user: &str, f: ActiveForm) -> Result<Response, AppError> {
    let s = p.signed();
    let active = f.active == "true";
    let r = users::set_portal_active(&s.ctx.app.db, s.actor(), p.customer_id, user_id(user)?, active)
        .await
        .map(|_| see_other(&p.base(), if active { "reactivated" } else { "deactivated" }));
    shown(p, r).await
}

pub async fn do_ticket_visibility(p: &UsersPage, user: &str, f: ActiveForm) -> Result<Response, AppError> {
    let s = p.signed();
    users::set_company_tickets(&s.ctx.app.db, s.actor(), p.customer_id, user_id(user)?, f.active == "true").await?;
    Ok(see_other(&p.base(), "saved"))
}

pub async fn do_reset_two_factor(p: &UsersPage, user: &str) -> Result<Response, AppError> {
    let s = p.signed();
    users::reset_portal_two_factor(&s.ctx.app.db, s.actor(), p.customer_id, user_id(user)?).await?;
    Ok(see_other(&p.base(), "2fa-reset"))
}

pub async fn do_new_link(p: &UsersPage, user: &str) -> Result<Response, AppError> {
    let s = p.signed();
    let Invited { user, link } =
        users::new_password_link(&s.ctx.app.db, s.actor(), &s.ctx.app.public_url, p.customer_id, user_id(user)?)
            .await?;
    let link = context! { name => user.name, email => user.email, url => link, fresh => user.password_hash.is_none() };
    p.render(StatusCode::OK, context! { link }).await
}

async fn list(PortalPage(s): PortalPage, Query(q): Query<NoticeQuery>) -> Result<Response, AppError> {
    do_list(&UsersPage::company(s), q).await
}

async fn invite(PortalPage(s): PortalPage, FormData(f): FormData<InviteForm>) -> Result<Response, AppError> {
    do_invite(&UsersPage::company(s), f).await.map(IntoResponse::into_response)
}

async fn set_role(
    PortalPage(s): PortalPage,
    Path(user): Path<String>,
    FormData(f): FormData<RoleForm>,
) -> Result<Response, AppError> {
    do_set_role(&UsersPage::company(s), &user, f).await
}

async fn set_active(
    PortalPage(s): PortalPage,
    Path(user): Path<String>,
    FormData(f): FormData<ActiveForm>,
) -> Result<Response, AppError> {
    do_set_active(&UsersPage::company(s), &user, f).await
}

async fn new_link(PortalPage(s): PortalPage, Path(user): Path<String>) -> Result<Response, AppError> {
    do_new_link(&UsersPage::company(s), &user).await
}

async fn reset_two_factor(PortalPage(s): PortalPage, Path(user): Path<String>) -> Result<Response, AppError> {
    do_reset_two_factor(&UsersPage::company(s), &user).await
}

async fn ticket_visibility(
    PortalPage(s): PortalPage,
    Path(user): Path<String>,
    FormData(f): FormData<ActiveForm>,
) -> Result<Response, AppError> {
    do_ticket_visibility(&UsersPage::company(s), &user, f).await
}
