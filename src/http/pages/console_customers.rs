//! Console: the MSP's customers — list, create, edit, feature toggles and portal users.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use minijinja::{context, Value};
use serde::Deserialize;

use super::company_users::{self as cu, ActiveForm, InviteForm, RoleForm, UsersPage};
use super::{notice, FormData, NoticeQuery};
use crate::db::customers::CustomerSort;
use crate::error::AppError;
use crate::http::context::{Signed, StaffPage};
use crate::http::forms::submit;
use crate::http::render::page;
use crate::http::AppState;
use crate::model::{Feature, Features};
use crate::policy::Action;
use crate::services::customers::{self, CustomerChanges};
use crate::services::users;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/msp/customers", get(list).post(create))
        .route("/msp/customers/new", get(new_form))
        .route("/msp/customers/{id}", get(show).post(update))
        .route("/msp/customers/{id}/users", post(invite))
        .route("/msp/customers/{id}/users/{user}/role", post(set_role))
        .route("/msp/customers/{id}/users/{user}/active", post(set_active))
        .route("/msp/customers/{id}/users/{user}/link", post(new_link))
        .route("/msp/customers/{id}/users/{user}/2fa-reset", post(reset_two_factor))
        .route("/msp/customers/{id}/users/{user}/tickets", post(ticket_visibility))
}

const PER_PAGE: i64 = 25;

#[derive(Deserialize, Default)]
struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    dir: String,
    page: Option<i64>,
    notice: Option<String>,
}

async fn list(StaffPage(s): StaffPage, Query(q): Query<ListQuery>) -> Result<Response, AppError> {
    let page_no = q.page.unwrap_or(1).clamp(1, 100_000);
    let (sort, sort_key) = match CustomerSort::parse(&q.sort) {
        Some(s) => (s, q.sort.as_str()),
        None => (CustomerSort::Name, "name"),
    };
    let desc = q.dir == "desc";
    let (rows, total) = customers::list(&s.ctx.app.db, s.actor(), &q.q, (sort, desc), page_no, PER_PAGE).await?;
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
    let items: Vec<Value> = rows
        .iter()
        .map(|c| context! { id => c.customer.id, name => c.customer.name, tenant => c.customer.m365_tenant_id, active => c.customer.active, users => c.user_count })
        .collect();
    let can_create = s.actor().may(Action::ManageCustomers, None);
    let local = context! {
        items, total, q => q.q, page => page_no, pages, can_create, notice => notice(q.notice.as_deref()),
        sort => sort_key, dir => if desc { "desc" } else { "asc" },
    };
    Ok(page(&s.ctx, "/msp/customers", "pages/console/customers.html", StatusCode::OK, local))
}

fn feature_views(f: &Features) -> Vec<Value> {
    Feature::ALL.iter().map(|k| context! { key => k.key(), label => k.label(), on => f.get(*k) }).collect()
}

async fn new_form(StaffPage(s): StaffPage) -> Result<Response, AppError> {
    s.actor().require(Action::ManageCustomers, None)?;
    Ok(page(
        &s.ctx,
        "/msp/customers",
        "pages/console/customer_new.html",
        StatusCode::OK,
        context! { features => feature_views(&Features::default()) },
    ))
}

/// The customer form: text fields plus one checkbox per feature (`feature_<key>`).
fn parse_customer_form(form: &HashMap<String, String>) -> (String, String, Features, bool) {
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let features = Features::from_fn(|k| form.contains_key(&format!("feature_{}", k.key())));
    (get("name"), get("m365_tenant_id"), features, form.get("active").is_some_and(|v| v == "true"))
}

async fn create(
    StaffPage(s): StaffPage,
    FormData(form): FormData<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let (name, tenant, features, _) = parse_customer_form(&form);
    submit(
        customers::create(&s.ctx.app.db, s.actor(), &name, &tenant, Some(features)).await,
        async |c| Ok(Redirect::to(&format!("/msp/customers/{}?notice=customer-created", c.id)).into_response()),
        async |status, errors| {
            let form = context! { name, m365_tenant_id => tenant };
            let local = context! { errors, form, features => feature_views(&features) };
            Ok(page(&s.ctx, "/msp/customers", "pages/console/customer_new.html", status, local))
        },
    )
    .await
}

/// Draws a customer's console page; `extra` carries form errors, links to show and notices.
pub async fn render_customer(
    s: &Signed,
    id: crate::model::CustomerId,
    status: StatusCode,
    extra: Value,
) -> Result<Response, AppError> {
    let db = &s.ctx.app.db;
    let c = customers::get(db, s.actor(), id).await?;
    let portal_users = users::list_portal_users(db, s.actor(), id).await?;
    let features = Features::from_db(&c.features);
    let customer = context! { id => c.id, name => c.name, m365_tenant_id => c.m365_tenant_id, active => c.active };
    let local = context! {
        customer, features => feature_views(&features), users => cu::user_views(&portal_users),
        users_base => format!("/msp/customers/{}/users", c.id), me => s.actor().user_id,
        can_edit => s.actor().may(Action::ManageCustomers, None), ..extra
    };
    Ok(page(&s.ctx, "/msp/customers", "pages/console/customer.html", status, local))
}

fn customer_id(raw: &str) -> Result<crate::model::CustomerId, AppError> {
    crate::model::CustomerId::parse(raw).ok_or(AppError::NotFound)
}

async fn show(
    StaffPage(s): StaffPage,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    render_customer(&s, customer_id(&id)?, StatusCode::OK, context! { notice => notice(q.notice.as_deref()) }).await
}

async fn update(
    StaffPage(s): StaffPage,
    Path(id): Path<String>,
    FormData(form): FormData<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let id = customer_id(&id)?;
    let (name, tenant, features, active) = parse_customer_form(&form);
    let changes = CustomerChanges {
        name: Some(name.clone()),
        m365_tenant_id: Some(tenant.clone()),
        active: Some(active),
        features: Some(features),
    };
    submit(
        customers::update(&s.ctx.app.db, s.actor(), id, changes).await,
        async |_| Ok(super::see_other(&format!("/msp/customers/{id}"), "saved")),
        async |status, errors| {
            render_customer(&s, id, status, context! { errors, form => context! { name, m365_tenant_id => tenant } })
                .await
        },
    )
    .await
}

fn section(s: Signed, id: &str) -> Result<UsersPage, AppError> {
    Ok(UsersPage { signed: s, customer_id: customer_id(id)?, console: true })
}

async fn invite(
    StaffPage(s): StaffPage,
    Path(id): Path<String>,
    FormData(f): FormData<InviteForm>,
) -> Result<Response, AppError> {
    cu::do_invite(&section(s, &id)?, f).await
}

async fn set_role(
    StaffPage(s): StaffPage,
    Path((id, user)): Path<(String, String)>,
    FormData(f): FormData<RoleForm>,
) -> Result<Response, AppError> {
    cu::do_set_role(&section(s, &id)?, &user, f).await
}

async fn set_active(
    StaffPage(s): StaffPage,
    Path((id, user)): Path<(String, String)>,
    FormData(f): FormData<ActiveForm>,
) -> Result<Response, AppError> {
    cu::do_set_active(&section(s, &id)?, &user, f).await
}

async fn new_link(StaffPage(s): StaffPage, Path((id, user)): Path<(String, String)>) -> Result<Response, AppError> {
    cu::do_new_link(&section(s, &id)?, &user).await
}

async fn reset_two_factor(
    StaffPage(s): StaffPage,
    Path((id, user)): Path<(String, String)>,
) -> Result<Response, AppError> {
    cu::do_reset_two_factor(&section(s, &id)?, &user).await
}

async fn ticket_visibility(
    StaffPage(s): StaffPage,
    Path((id, user)): Path<(String, String)>,
    FormData(f): FormData<ActiveForm>,
) -> Result<Response, AppError> {
    cu::do_ticket_visibility(&section(s, &id)?, &user, f).await
}
