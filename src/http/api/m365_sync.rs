//! The Microsoft 365 connection over the API: the MSP's app registration, and each
//! customer's sync (its state, and "sync now").

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::{path_id, ApiActor, ApiJson};
use crate::error::AppError;
use crate::http::AppState;
use crate::model::rfc3339;
use crate::services::m365::sync as m365_sync;
use crate::services::m365_connect::{self, AppInput, AppStatus};

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/portal/settings/m365", get(app_registration).put(save_app))
        .route("/portal/customers/{id}/sync", get(status).post(sync_now))
}

/// The MSP's multi-tenant Entra ID app registration: its client id and either a client secret
/// or a certificate with its private key — the fields of exactly one of the two.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppRegistration {
    /// Application (client) ID, a GUID.
    pub client_id: String,
    /// The client secret's value; stored sealed, never returned. Not with `certificate_pem`.
    pub client_secret: Option<String>,
    /// The certificate uploaded to the app registration, PEM (`-----BEGIN CERTIFICATE-----`),
    /// RSA, 2048 bits or more. Only its thumbprint and expiry are kept.
    pub certificate_pem: Option<String>,
    /// The certificate's unencrypted RSA private key, PEM (`BEGIN PRIVATE KEY` or
    /// `BEGIN RSA PRIVATE KEY`); stored sealed, never returned.
    pub private_key_pem: Option<String>,
}

/// Sets the MSP's app registration (staff owner or admin), with a client secret or a
/// certificate. Needs `PORTICO_SECRET_KEY` on the server. 422 lists the fields at fault: both
/// kinds or neither sent, a client id that is not a GUID, a certificate or key that cannot be
/// read, a key that is not RSA of 2048 bits or more, or that does not belong to the certificate.
#[utoipa::path(put, path = "/api/portal/settings/m365", tag = "microsoft 365", operation_id = "save_m365_app", security(("bearer" = [])), request_body = AppRegistration,
    responses((status = 200, body = AppStatus), (status = 400, body = super::ErrorBody), (status = 401, body = super::ErrorBody),
              (status = 403, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn save_app(
    State(app): State<Arc<AppState>>,
    ApiActor(actor): ApiActor,
    ApiJson(r): ApiJson<AppRegistration>,
) -> Result<Json<AppStatus>, AppError> {
    let key = app.settings.secret_key.as_ref();
    let input = AppInput {
        client_id: &r.client_id,
        kind: None,
        client_secret: r.client_secret.as_deref(),
        certificate_pem: r.certificate_pem.as_deref(),
        private_key_pem: r.private_key_pem.as_deref(),
    };
    Ok(Json(m365_connect::save(&app.db, &actor, key, input).await?))
}

/// The MSP's app registration as saved (staff): client id, how it signs in and a hint of the
/// secret or the certificate's thumbprint, expiry and state; never the secret or the key.
/// 404 until one is saved.
#[utoipa::path(get, path = "/api/portal/settings/m365", tag = "microsoft 365", operation_id = "get_m365_app", security(("bearer" = [])),
    responses((status = 200, body = AppStatus), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody),
              (status = 404, body = super::ErrorBody)))]
pub async fn app_registration(
    State(app): State<Arc<AppState>>,
    ApiActor(actor): ApiActor,
) -> Result<Json<AppStatus>, AppError> {
    m365_connect::status(&app.db, &actor).await?.map(Json).ok_or(AppError::NotFound)
}

/// One area of a customer's sync.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SyncArea {
    /// users, users_full, licenses, security, alerts, health or groups
    pub area: String,
    pub last_success: Option<String>,
    pub last_attempt: Option<String>,
    /// Why the last attempt failed; null when it succeeded.
    pub last_error: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SyncStatus {
    pub customer_id: uuid::Uuid,
    pub tenant_id: Option<String>,
    pub next_run: Option<String>,
    /// A requested sync waits in the queue.
    pub queued: bool,
    /// False when the tenant gives no last sign-in times (no Entra ID P1/P2).
    pub sign_ins_available: bool,
    pub areas: Vec<SyncArea>,
}

/// A customer's sync state (staff).
#[utoipa::path(get, path = "/api/portal/customers/{id}/sync", tag = "microsoft 365", operation_id = "get_sync_status", security(("bearer" = [])),
    params(("id" = String, Path, description = "Customer id")),
    responses((status = 200, body = SyncStatus), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody),
              (status = 404, body = super::ErrorBody)))]
pub async fn status(
    State(app): State<Arc<AppState>>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<SyncStatus>, AppError> {
    let id = path_id(&id)?;
    let s = m365_sync::status(&app.db, &actor, id).await?;
    Ok(Json(SyncStatus {
        customer_id: s.customer_id.0,
        tenant_id: s.tenant,
        next_run: s.next_sync_at.map(rfc3339),
        queued: s.queued,
        sign_ins_available: s.sign_ins,
        areas: s
            .areas
            .into_iter()
            .map(|a| SyncArea {
                area: a.area,
                last_success: a.last_success_at.map(rfc3339),
                last_attempt: a.last_attempt_at.map(rfc3339),
                last_error: a.last_error,
            })
            .collect(),
    }))
}

/// Queues a sync of the customer now (staff); `GET` shows how it went.
#[utoipa::path(post, path = "/api/portal/customers/{id}/sync", tag = "microsoft 365", operation_id = "sync_now", security(("bearer" = [])),
    params(("id" = String, Path, description = "Customer id")),
    responses((status = 202, description = "Queued"), (status = 400, body = super::ErrorBody), (status = 401, body = super::ErrorBody),
              (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody)))]
pub async fn sync_now(
    State(app): State<Arc<AppState>>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    let id = path_id(&id)?;
    m365_sync::request(&app.db, &actor, id).await?;
    app.jobs_waiting.notify_one();
    Ok(StatusCode::ACCEPTED)
}
