//! Console: the MSP's Microsoft 365 connection — its app registration (client secret or
//! certificate), each customer's consent link and sync state, and "Sync now".

use std::sync::Arc;

use axum::extract::{FromRequest, Multipart, Path, Query, Request};
use axum::http::{header, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use minijinja::{context, Value};
use serde::Deserialize;

use super::{notice, see_other, FormData, NoticeQuery};
use crate::error::AppError;
use crate::http::context::{Signed, StaffPage};
use crate::http::forms::{or_problem, submit};
use crate::http::render::page;
use crate::http::AppState;
use crate::model::rfc3339;
use crate::services::m365::sync as m365_sync;
use crate::services::m365_connect;
use crate::services::m365_connect::AppInput;

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

/// The app registration form as sent: urlencoded, or multipart when it carries certificate
/// or key files (a chosen file replaces what was pasted in its text box).
#[derive(Deserialize, Default)]
struct AppForm {
    #[serde(default)]
    client_id: String,
    /// `secret` or `certificate`; a form without it is read like an API call.
    #[serde(default)]
    credential: String,
    #[serde(default)]
    client_secret: String,
    #[serde(default)]
    certificate_pem: String,
    #[serde(default)]
    private_key_pem: String,
}

impl AppForm {
    fn input(&self) -> AppInput<'_> {
        fn given(v: &str) -> Option<&str> {
            Some(v).filter(|v| !v.trim().is_empty())
        }
        AppInput {
            client_id: &self.client_id,
            kind: given(&self.credential),
            client_secret: given(&self.client_secret),
            certificate_pem: given(&self.certificate_pem),
            private_key_pem: given(&self.private_key_pem),
        }
    }
}

async fn read_app_form(req: Request) -> Result<AppForm, AppError> {
    let content_type = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !content_type.to_ascii_lowercase().starts_with("multipart/form-data") {
        let FormData(f) = FormData::<AppForm>::from_request(req, &()).await?;
        return Ok(f);
    }
    let unreadable = || AppError::BadRequest("The form could not be read. Please choose the files again.".into());
    let mut m = Multipart::from_request(req, &()).await.map_err(|_| unreadable())?;
    let mut f = AppForm::default();
    while let Some(field) = m.next_field().await.map_err(|_| unreadable())? {
        let name = field.name().unwrap_or("").to_string();
        let bytes = field.bytes().await.map_err(|_| unreadable())?;
        let text = || String::from_utf8(bytes.to_vec()).map_err(|_| unreadable());
        match name.as_str() {
            "client_id" => f.client_id = text()?,
            "credential" => f.credential = text()?,
            "client_secret" => f.client_secret = text()?,
            "certificate_pem" if f.certificate_pem.is_empty() => f.certificate_pem = text()?,
            "private_key_pem" if f.private_key_pem.is_empty() => f.private_key_pem = text()?,
            "certificate_file" if !bytes.is_empty() => f.certificate_pem = uploaded_pem(&bytes, "CERTIFICATE"),
            "private_key_file" if !bytes.is_empty() => f.private_key_pem = uploaded_pem(&bytes, "PRIVATE KEY"),
            _ => {}
        }
    }
    Ok(f)
}

/// An uploaded file as PEM text: a PEM file as it is, a binary (DER) one wrapped as PEM.
fn uploaded_pem(bytes: &[u8], label: &str) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => format!("-----BEGIN {label}-----\n{}\n-----END {label}-----\n", STANDARD.encode(bytes)),
    }
}

async fn save(StaffPage(s): StaffPage, req: Request) -> Result<Response, AppError> {
    let f = match read_app_form(req).await {
        Ok(f) => f,
        Err(AppError::BadRequest(m)) => return render(&s, StatusCode::BAD_REQUEST, context! { problem => m }).await,
        Err(e) => return Err(e),
    };
    let key = s.ctx.app.settings.secret_key.as_ref();
    let saved = submit(
        m365_connect::save(&s.ctx.app.db, s.actor(), key, f.input()).await,
        async |_| Ok(see_other(PATH, "saved")),
        async |status, errors| {
            // The certificate is public and shown again; the secret and private key never are.
            let certificate_pem: String = f.certificate_pem.chars().take(m365_connect::MAX_CERTIFICATE_PEM).collect();
            let kind = match f.credential.as_str() {
                "" if !f.certificate_pem.is_empty() || !f.private_key_pem.is_empty() => "certificate",
                "" => "secret",
                k => k,
            };
            render(&s, status, context! { errors, client_id => f.client_id, kind, certificate_pem }).await
        },
    )
    .await;
    or_problem(saved, async |status, problem| render(&s, status, context! { problem }).await).await
}

async fn customer(
    StaffPage(s): StaffPage,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    let id = crate::model::CustomerId::parse(&id).ok_or(AppError::NotFound)?;
    customer_page(&s, id, context! { notice => notice(q.notice.as_deref()) }).await
}

/// Tries the connection now and shows, area by area, what works and what is missing.
async fn test(StaffPage(s): StaffPage, Path(id): Path<String>) -> Result<Response, AppError> {
    let id = crate::model::CustomerId::parse(&id).ok_or(AppError::NotFound)?;
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

async fn customer_page(s: &Signed, id: crate::model::CustomerId, extra: Value) -> Result<Response, AppError> {
    let app = &s.ctx.app;
    let st = m365_sync::status(&app.db, s.actor(), id).await?;
    let consent = m365_connect::consent_for(&app.db, s.actor(), &app.settings.login_url, id).await?;
    let areas: Vec<Value> = st
        .areas
        .iter()
        .map(|a| {
            context! {
                area => a.area, label => crate::model::SyncArea::parse(&a.area).map_or("Other", crate::model::SyncArea::label), error => a.last_error,
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
    let id = crate::model::CustomerId::parse(&id).ok_or(AppError::NotFound)?;
    m365_sync::request(&s.ctx.app.db, s.actor(), id).await?;
    Ok(see_other(&format!("/msp/customers/{id}/m365/sync"), "sync-queued"))
}
