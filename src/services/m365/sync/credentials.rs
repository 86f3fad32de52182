//! A customer's tenant credentials, with the MSP's sealed secret or key opened.

use crate::auth::seal::SealKey;
use crate::db::m365_apps::{self, AppCredential};
use crate::db::{self, CustomerScope, Db};
use crate::error::{AppError, AppResult};
use crate::integrations::graph::{ClientCertificate, ClientCredential, ClientSecret, TenantCredentials};

/// The tenant credentials of a customer: its tenant id and the MSP's app registration.
pub async fn credentials(db: &Db, key: Option<&SealKey>, scope: CustomerScope) -> AppResult<TenantCredentials> {
    let customer = db::customers::get(db, scope).await?.ok_or(AppError::NotFound)?;
    let tenant = customer
        .m365_tenant_id
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| AppError::BadRequest("This customer has no Microsoft 365 tenant ID yet.".into()))?;
    let app = m365_apps::app(db, scope.msp()).await?.ok_or_else(|| {
        AppError::BadRequest("The Microsoft 365 app registration is not set up (console: Microsoft 365).".into())
    })?;
    let key = key.ok_or_else(|| {
        AppError::BadRequest("PORTICO_SECRET_KEY is not set, so the client secret or private key can't be read.".into())
    })?;
    let credential: ClientCredential = match app.credential {
        AppCredential::Secret { sealed, .. } => {
            ClientSecret::new(key.open(&sealed).map_err(AppError::BadRequest)?).into()
        }
        AppCredential::Certificate { key_sealed, thumbprint, .. } => {
            let pem = key.open(&key_sealed).map_err(AppError::BadRequest)?;
            ClientCertificate::from_stored(&pem, &thumbprint)
                .map_err(|e| AppError::BadRequest(format!("The stored certificate credential can't be used: {e}")))?
                .into()
        }
    };
    Ok(TenantCredentials::new(&tenant, &app.client_id, credential))
}
