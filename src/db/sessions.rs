//! Browser sessions, stored so that any instance can serve any request.

use super::{on_db, Db, DbError, MspScope, Ts};
use uuid::Uuid;

pub async fn insert(
    db: &Db,
    scope: MspScope,
    token_hash: &str,
    user_id: crate::model::UserId,
    csrf: &str,
    now: Ts,
    expires: Ts,
) -> Result<(), DbError> {
    on_db!(db, p => sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, msp_id, csrf_token, created_at, last_seen_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $5, $6)",
    ).bind(token_hash).bind(user_id).bind(scope.0).bind(csrf).bind(now).bind(expires).execute(p).await.map(|_| ()))
}

/// A live session and its account, read together: every signed-in page needs both.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionUser {
    pub csrf_token: String,
    pub last_seen_at: Ts,
    #[sqlx(flatten)]
    pub user: super::users::UserRow,
    /// The portal user's customer, all `None` for staff.
    pub c_name: Option<String>,
    pub c_m365_tenant_id: Option<String>,
    pub c_features: Option<String>,
    pub c_active: Option<bool>,
    pub c_created_at: Option<Ts>,
    pub c_updated_at: Option<Ts>,
    /// Unread notifications, for the bell.
    pub unread: i64,
}

impl SessionUser {
    pub fn customer(&self) -> Option<super::customers::CustomerRow> {
        Some(super::customers::CustomerRow {
            id: self.user.customer_id?,
            msp_id: self.user.msp_id,
            name: self.c_name.clone()?,
            m365_tenant_id: self.c_m365_tenant_id.clone(),
            features: self.c_features.clone()?,
            active: self.c_active?,
            created_at: self.c_created_at?,
            updated_at: self.c_updated_at?,
        })
    }
}

/// The live session with this token on this MSP, with its account.
pub async fn get(db: &Db, scope: MspScope, token_hash: &str, now: Ts) -> Result<Option<SessionUser>, DbError> {
    on_db!(db, p => sqlx::query_as(
        "SELECT s.csrf_token, s.last_seen_at, u.id, u.msp_id, u.customer_id, u.email, u.name, u.role, u.password_hash, \
         u.active, u.created_at, u.last_sign_in_at, (u.totp_secret IS NOT NULL) AS totp_on, u.company_tickets, c.name AS c_name, c.m365_tenant_id AS c_m365_tenant_id, \
         c.features AS c_features, c.active AS c_active, c.created_at AS c_created_at, c.updated_at AS c_updated_at, \
         (SELECT COUNT(*) FROM notifications n WHERE n.user_id = u.id AND n.read_at IS NULL) AS unread \
         FROM sessions s JOIN users u ON u.id = s.user_id AND u.msp_id = s.msp_id \
         LEFT JOIN customers c ON c.id = u.customer_id AND c.msp_id = u.msp_id \
         WHERE s.token_hash = $1 AND s.msp_id = $2 AND s.expires_at > $3 AND NOT s.pending_mfa",
    ).bind(token_hash).bind(scope.0).bind(now).fetch_optional(p).await)
}

pub async fn extend(db: &Db, scope: MspScope, token_hash: &str, now: Ts, expires: Ts) -> Result<(), DbError> {
    on_db!(db, p => sqlx::query("UPDATE sessions SET last_seen_at = $3, expires_at = $4 WHERE token_hash = $1 AND msp_id = $2")
        .bind(token_hash).bind(scope.0).bind(now).bind(expires).execute(p).await.map(|_| ()))
}

pub async fn delete(db: &Db, scope: MspScope, token_hash: &str) -> Result<(), DbError> {
    on_db!(db, p => sqlx::query("DELETE FROM sessions WHERE token_hash = $1 AND msp_id = $2")
        .bind(token_hash).bind(scope.0).execute(p).await.map(|_| ()))
}

pub async fn delete_expired(db: &Db, now: Ts) -> Result<u64, DbError> {
    on_db!(db, p => sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(now).execute(p).await.map(|r| r.rows_affected()))
}

/// A session waiting for its second factor: only good for entering the code.
pub async fn insert_pending(
    db: &Db,
    scope: MspScope,
    token_hash: &str,
    user_id: crate::model::UserId,
    csrf: &str,
    now: Ts,
    expires: Ts,
) -> Result<(), DbError> {
    on_db!(db, p => sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, msp_id, csrf_token, created_at, last_seen_at, expires_at, pending_mfa) \
         VALUES ($1, $2, $3, $4, $5, $5, $6, TRUE)",
    ).bind(token_hash).bind(user_id).bind(scope.0).bind(csrf).bind(now).bind(expires).execute(p).await.map(|_| ()))
}

/// The account behind a live pending session.
pub async fn pending_user(db: &Db, scope: MspScope, token_hash: &str, now: Ts) -> Result<Option<Uuid>, DbError> {
    let row: Option<(Uuid,)> = on_db!(db, p => sqlx::query_as(
        "SELECT user_id FROM sessions WHERE token_hash = $1 AND msp_id = $2 AND expires_at > $3 AND pending_mfa",
    ).bind(token_hash).bind(scope.0).bind(now).fetch_optional(p).await)?;
    Ok(row.map(|r| r.0))
}
