//! Console: the MSP's Microsoft 365 connection — its app registration, each customer's
//! consent link and sync state, and "Sync now".

use std::sync::Arc;

use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use minijinja::{context, Value};
use serde::Deserialize;

use super::{notice, see_other, FormData, NoticeQuery};
use crate::error::AppError;
use crate::http::context::{Signed, StaffPage};
use crate::http::render::{errors_value, page};
use crate::http::AppState;
use crate::model::{parse_id, rfc3339};
use crate::services::{m365_connect, m365_sync};

const PATH: &str = "/msp/settings/m365";

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route(PATH, get(show).post(save))
        .route("/msp/customers/{id}/m365/sync", get(customer).post(sync_now))
        .route("/msp/customers/{id}/m365/test", axum::routing::post(test))
}

async fn render(s: &Signed, status: StatusCode, extra: Value) -> Result<Response, AppError> {
    let app = &s.ctx.app;
    let registration = m365_connect::status(&app.db, s.actor()).await?;
    let rows = m365_sync::connections(&app.db, s.actor()).await?;
    let login = &app.settings.login_url;
    let customers: Vec<Value> = rows
        .iter()
        .map(|c| {
            let consent = match (&c.tenant, &registration) {
                (Some(t), Some(r)) if !t.is_empty() => Some(m365_connect::consent_url(login, t, &r.client_id)),
                _ => None,
            };
            context! {
                id => c.id, name => c.name, tenant => c.tenant, consent, failing => c.failing,
                synced => c.users_synced_at.map(rfc3339), next => c.next_sync_at.map(rfc3339),
            }
        })
        .collect();
    Ok(page(
        &s.ctx,
        PATH,
        "pages/console/m365.html",
        status,
        context! {
            registration, customers, key_set => app.settings.secret_key.is_some(),
            permissions => m365_sync::PERMISSIONS, ..extra
        },
    ))
}

async fn show(StaffPage(s): StaffPage, Query(q): Query<NoticeQuery>) -> Result<Response, AppError> {
    render(&s, StatusCode::OK, context! { notice => notice(q.notice.as_deref()) }).await
}

#[derive(Deserialize, Default)]
struct AppForm {
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    client_secret: String,
}

async fn save(StaffPage(s): StaffPage, FormData(f): FormData<AppForm>) -> Result<Response, AppError> {
    let key = s.ctx.app.settings.secret_key.as_ref();
    match m365_connect::save(&s.ctx.app.db, s.actor(), key, &f.client_id, &f.client_secret).await {
        Ok(_) => Ok(see_other(PATH, "saved")),
        Err(AppError::Validation(errs)) => {
            render(
                &s,
                StatusCode::UNPROCESSABLE_ENTITY,
                context! { errors => errors_value(&errs), client_id => f.client_id },
            )
            .await
        }
        Err(AppError::BadRequest(m)) => render(&s, StatusCode::BAD_REQUEST, context! { problem => m }).await,
        Err(e) => Err(e),
    }
}

async fn customer(
    StaffPage(s): StaffPage,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    let id = parse_id(&id).ok_or(AppError::NotFound)?;
    customer_page(&s, id, context! { notice => notice(q.notice.as_deref()) }).await
}

/// Tries the connection now and shows, area by area, what works and what is missing.
async fn test(StaffPage(s): StaffPage, Path(id): Path<String>) -> Result<Response, AppError> {
    let id = parse_id(&id).ok_or(AppError::NotFound)?;
    let app = &s.ctx.app;
    let graph = app
        .graph
        .as_ref()
        .ok_or_else(|| AppError::BadRequest("Microsoft Graph is not configured on this server.".into()))?;
    let results = m365_sync::test_connection(&app.db, graph, app.settings.secret_key.as_ref(), s.actor(), id).await?;
    let checks: Vec<Value> = results
        .into_iter()
        .map(|(label, r)| match r {
            Ok(what) => context! { label, ok => true, text => what },
            Err(why) => context! { label, ok => false, text => why },
        })
        .collect();
    customer_page(&s, id, context! { checks }).await
}

async fn customer_page(s: &Signed, id: uuid::Uuid, extra: Value) -> Result<Response, AppError> {
    let app = &s.ctx.app;
    let st = m365_sync::status(&app.db, s.actor(), id).await?;
    let consent = m365_connect::consent_for(&app.db, s.actor(), &app.settings.login_url, id).await?;
    let areas: Vec<Value> = st
        .areas
        .iter()
        .map(|a| {
            context! {
                area => a.area, label => m365_sync::area_label(&a.area), error => a.last_error,
                success => a.last_success_at.map(rfc3339), attempt => a.last_attempt_at.map(rfc3339),
            }
        })
        .collect();
    Ok(page(
        &s.ctx,
        "/msp/customers",
        "pages/console/m365_customer.html",
        StatusCode::OK,
        context! {
            customer => context! { id => st.customer_id, name => st.customer_name, tenant => st.tenant },
            areas, consent, next => st.next_sync_at.map(rfc3339), sign_ins => st.sign_ins,
            queued => st.queued, ..extra
        },
    ))
}

async fn sync_now(StaffPage(s): StaffPage, Path(id): Path<String>) -> Result<Response, AppError> {
    let id = parse_id(&id).ok_or(AppError::NotFound)?;
    m365_sync::request(&s.ctx.app.db, s.actor(), id).await?;
    Ok(see_other(&format!("/msp/customers/{id}/m365/sync"), "sync-queued"))
}
