//! Connecting an MSP to Microsoft 365: its multi-tenant Entra ID app (client id and a
//! sealed client secret), and the admin-consent link each customer's admin opens.

use crate::auth::seal::SealKey;
use crate::db::{self, m365_sync as store, Db};
use crate::error::{AppError, AppResult};
use crate::model::{self, FieldError};
use crate::policy::{Action, Actor};

/// What the console shows of the app registration: never the secret.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct AppStatus {
    pub client_id: String,
    /// The last characters of the secret, to tell which one is stored.
    pub secret_hint: String,
    pub updated_at: String,
}

pub async fn status(db: &Db, actor: &Actor) -> AppResult<Option<AppStatus>> {
    actor.require(Action::UseConsole, None)?;
    Ok(store::app(db, actor.msp()).await?.map(|a| AppStatus {
        client_id: a.client_id,
        secret_hint: a.secret_hint,
        updated_at: model::rfc3339(a.updated_at),
    }))
}

/// An application (client) id is a GUID.
pub fn parse_client_id(raw: &str) -> Result<String, FieldError> {
    let v = raw.trim().to_lowercase();
    if uuid::Uuid::parse_str(&v).is_ok() && v.len() == 36 {
        Ok(v)
    } else {
        Err(FieldError::new("client_id", "Enter the application (client) ID: a GUID like 1b2c3d4e-…"))
    }
}

/// Stores the app registration; the secret is sealed and never shown again.
pub async fn save(
    db: &Db,
    actor: &Actor,
    key: Option<&SealKey>,
    client_id: &str,
    secret: &str,
) -> AppResult<AppStatus> {
    actor.require(Action::ManageM365, None)?;
    let mut errors = vec![];
    let client_id = parse_client_id(client_id).map_err(|e| errors.push(e)).ok();
    let secret = secret.trim();
    if secret.len() < 8 || secret.len() > 200 || secret.chars().any(char::is_control) {
        errors.push(FieldError::new("client_secret", "Paste the client secret's value (not its ID)."));
    }
    let Some(client_id) = client_id.filter(|_| errors.is_empty()) else { return Err(AppError::Validation(errors)) };
    let key = key.ok_or_else(|| {
        AppError::BadRequest(
            "Set PORTICO_SECRET_KEY on the server first: client secrets are stored sealed with it.".into(),
        )
    })?;
    let hint: String = secret.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
    store::save_app(db, actor.msp(), &client_id, &key.seal(secret), &format!("…{hint}"), model::now()).await?;
    status(db, actor).await?.ok_or(AppError::NotFound)
}

/// The link a customer's Global Administrator opens to grant the app's permissions in their tenant.
pub fn consent_url(login_url: &str, tenant: &str, client_id: &str) -> String {
    format!("{}/{tenant}/adminconsent?client_id={client_id}", login_url.trim_end_matches('/'))
}

/// The consent link for one customer, when both its tenant and the app are known.
pub async fn consent_for(
    db: &Db,
    actor: &Actor,
    login_url: &str,
    customer_id: uuid::Uuid,
) -> AppResult<Option<String>> {
    let customer = crate::services::customers::get(db, actor, customer_id).await?;
    actor.require(Action::UseConsole, None)?;
    let app = store::app(db, actor.msp()).await?;
    let scope = actor.customer_scope(customer.id)?;
    let tenant = db::customers::get(db, scope).await?.and_then(|c| c.m365_tenant_id).filter(|t| !t.is_empty());
    Ok(match (tenant, app) {
        (Some(t), Some(a)) => Some(consent_url(login_url, &t, &a.client_id)),
        _ => None,
    })
}
