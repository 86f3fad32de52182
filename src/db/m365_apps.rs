//! The MSP's Microsoft 365 app registration: its client id and sealed credential.

use super::{on_db, Db, DbError, MspScope, Ts};

/// How the MSP's app registration signs in to Entra ID. Both keep their secret part sealed
/// with `PORTICO_SECRET_KEY`.
#[derive(Debug, Clone, PartialEq)]
pub enum AppCredential {
    Secret {
        sealed: String,
        /// The last characters of the secret, to tell which one is stored.
        hint: String,
    },
    Certificate {
        /// The private key (PEM), sealed.
        key_sealed: String,
        /// SHA-1 of the certificate's DER, upper-case hex, as Entra ID shows it.
        thumbprint: String,
        expires_at: Option<Ts>,
    },
}

#[derive(Debug, Clone)]
pub struct AppRow {
    pub client_id: String,
    pub credential: AppCredential,
    pub updated_at: Ts,
}

#[derive(sqlx::FromRow)]
struct AppColumns {
    client_id: String,
    credential: String,
    secret_sealed: Option<String>,
    secret_hint: Option<String>,
    key_sealed: Option<String>,
    cert_thumbprint: Option<String>,
    cert_expires_at: Option<Ts>,
    updated_at: Ts,
}

impl TryFrom<AppColumns> for AppRow {
    type Error = DbError;
    fn try_from(c: AppColumns) -> Result<AppRow, DbError> {
        let credential = match (c.credential.as_str(), c.secret_sealed, c.secret_hint, c.key_sealed, c.cert_thumbprint)
        {
            ("secret", Some(sealed), Some(hint), _, _) => AppCredential::Secret { sealed, hint },
            ("certificate", _, _, Some(key_sealed), Some(thumbprint)) => {
                AppCredential::Certificate { key_sealed, thumbprint, expires_at: c.cert_expires_at }
            }
            (kind, ..) => return Err(DbError::Decode(format!("m365_apps: incomplete {kind:?} credential").into())),
        };
        Ok(AppRow { client_id: c.client_id, credential, updated_at: c.updated_at })
    }
}

pub async fn app(db: &Db, msp: MspScope) -> Result<Option<AppRow>, DbError> {
    let row: Option<AppColumns> = on_db!(db, p => sqlx::query_as(
        "SELECT client_id, credential, secret_sealed, secret_hint, key_sealed, cert_thumbprint, cert_expires_at, \
         updated_at FROM m365_apps WHERE msp_id = $1",
    ).bind(msp.0).fetch_optional(p).await)?;
    row.map(AppRow::try_from).transpose()
}

/// Stores the app registration; the columns of the other kind of credential are cleared.
pub async fn save_app(
    db: &Db,
    msp: MspScope,
    client_id: &str,
    credential: &AppCredential,
    now: Ts,
) -> Result<(), DbError> {
    let (kind, secret, hint, key, thumbprint, expires) = match credential {
        AppCredential::Secret { sealed, hint } => ("secret", Some(sealed), Some(hint), None, None, None),
        AppCredential::Certificate { key_sealed, thumbprint, expires_at } => {
            ("certificate", None, None, Some(key_sealed), Some(thumbprint), *expires_at)
        }
    };
    on_db!(db, p => sqlx::query(
        "INSERT INTO m365_apps (msp_id, client_id, credential, secret_sealed, secret_hint, key_sealed, \
         cert_thumbprint, cert_expires_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (msp_id) DO UPDATE SET client_id = $2, credential = $3, secret_sealed = $4, secret_hint = $5, \
         key_sealed = $6, cert_thumbprint = $7, cert_expires_at = $8, updated_at = $9",
    ).bind(msp.0).bind(client_id).bind(kind).bind(secret).bind(hint).bind(key).bind(thumbprint).bind(expires)
        .bind(now).execute(p).await.map(|_| ()))
}
