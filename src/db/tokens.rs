//! API tokens: stored as hashes, each acting as one user.

use super::{on_db, Db, DbError, MspScope, Ts};
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TokenRow {
    pub id: Uuid,
    pub user_id: crate::model::UserId,
    pub user_email: String,
    pub name: String,
    pub prefix: String,
    pub created_at: Ts,
    pub last_used_at: Option<Ts>,
    pub revoked_at: Option<Ts>,
}

/// The owner of a live token, found by its hash alone (the token names its MSP).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TokenOwner {
    pub id: Uuid,
    pub msp_id: Uuid,
    pub user_id: crate::model::UserId,
}

/// A token about to be stored; only its hash and a short prefix are kept.
pub struct NewToken<'a> {
    pub id: Uuid,
    pub user_id: crate::model::UserId,
    pub name: &'a str,
    pub hash: &'a str,
    pub prefix: &'a str,
}

pub async fn insert(db: &Db, scope: MspScope, t: &NewToken<'_>, now: Ts) -> Result<(), DbError> {
    on_db!(db, p => sqlx::query(
        "INSERT INTO api_tokens (id, msp_id, user_id, name, token_hash, prefix, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    ).bind(t.id).bind(scope.0).bind(t.user_id).bind(t.name).bind(t.hash).bind(t.prefix).bind(now).execute(p).await.map(|_| ()))
}

pub async fn list(db: &Db, scope: MspScope) -> Result<Vec<TokenRow>, DbError> {
    on_db!(db, p => sqlx::query_as(
        "SELECT t.id, t.user_id, u.email AS user_email, t.name, t.prefix, t.created_at, t.last_used_at, t.revoked_at \
         FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.msp_id = $1 ORDER BY t.created_at DESC",
    ).bind(scope.0).fetch_all(p).await)
}

pub async fn owner(db: &Db, hash: &str) -> Result<Option<TokenOwner>, DbError> {
    on_db!(db, p => sqlx::query_as(
        "SELECT id, msp_id, user_id FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL",
    ).bind(hash).fetch_optional(p).await)
}

pub async fn touch(db: &Db, scope: MspScope, id: Uuid, now: Ts) -> Result<(), DbError> {
    on_db!(db, p => sqlx::query("UPDATE api_tokens SET last_used_at = $3 WHERE msp_id = $1 AND id = $2")
        .bind(scope.0).bind(id).bind(now).execute(p).await.map(|_| ()))
}

/// Revokes a live token; false when none such is in scope.
pub async fn revoke(db: &Db, scope: MspScope, id: Uuid, now: Ts) -> Result<bool, DbError> {
    let n = on_db!(db, p => sqlx::query("UPDATE api_tokens SET revoked_at = $3 WHERE msp_id = $1 AND id = $2 AND revoked_at IS NULL")
        .bind(scope.0).bind(id).bind(now).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn revoke_by_prefix(db: &Db, prefix: &str, now: Ts) -> Result<u64, DbError> {
    on_db!(db, p => sqlx::query("UPDATE api_tokens SET revoked_at = $2 WHERE prefix = $1 AND revoked_at IS NULL")
        .bind(prefix).bind(now).execute(p).await.map(|r| r.rows_affected()))
}
