//! Single-use "forgot password" links.

use uuid::Uuid;

use super::jobs::{write_effects, Effects};
use super::{on_db, Db, DbError, MspScope, Ts};

/// Stores a reset link and, in the same transaction, the mail that carries it.
pub async fn insert(
    db: &Db,
    msp: MspScope,
    hash: &str,
    user_id: crate::model::UserId,
    now: Ts,
    expires: Ts,
    fx: &Effects,
) -> Result<(), DbError> {
    on_db!(db, p => {
        let mut tx = p.begin().await?;
        sqlx::query(
            "INSERT INTO password_resets (token_hash, msp_id, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        ).bind(hash).bind(msp.0).bind(user_id).bind(now).bind(expires).execute(&mut *tx).await?;
        write_effects!(tx, fx, now);
        tx.commit().await
    })
}

/// The user a live link belongs to.
pub async fn user_of(db: &Db, msp: MspScope, hash: &str, now: Ts) -> Result<Option<Uuid>, DbError> {
    on_db!(db, p => sqlx::query_scalar(
        "SELECT user_id FROM password_resets WHERE msp_id = $1 AND token_hash = $2 AND used_at IS NULL AND expires_at > $3",
    ).bind(msp.0).bind(hash).bind(now).fetch_optional(p).await)
}

/// Uses the link and sets the password in one transaction; every other link of the user
/// and every session end with it. False when the link was already used or expired.
pub async fn redeem(
    db: &Db,
    msp: MspScope,
    hash: &str,
    user_id: crate::model::UserId,
    password_hash: &str,
    now: Ts,
) -> Result<bool, DbError> {
    on_db!(db, p => {
        let mut tx = p.begin().await?;
        let n = sqlx::query(
            "UPDATE password_resets SET used_at = $4 WHERE msp_id = $1 AND token_hash = $2 AND user_id = $3 \
             AND used_at IS NULL AND expires_at > $4",
        ).bind(msp.0).bind(hash).bind(user_id).bind(now).execute(&mut *tx).await?.rows_affected();
        if n != 1 {
            return Ok(false);
        }
        sqlx::query("UPDATE password_resets SET used_at = $3 WHERE msp_id = $1 AND user_id = $2 AND used_at IS NULL")
            .bind(msp.0).bind(user_id).bind(now).execute(&mut *tx).await?;
        sqlx::query("UPDATE users SET password_hash = $3 WHERE msp_id = $1 AND id = $2")
            .bind(msp.0).bind(user_id).bind(password_hash).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM sessions WHERE msp_id = $1 AND user_id = $2").bind(msp.0).bind(user_id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(true)
    })
}

/// Links asked for by one user in the last window, to stop a flood of mails.
pub async fn recent_count(db: &Db, msp: MspScope, user_id: crate::model::UserId, since: Ts) -> Result<i64, DbError> {
    on_db!(db, p => sqlx::query_scalar(
        "SELECT COUNT(*) FROM password_resets WHERE msp_id = $1 AND user_id = $2 AND created_at > $3",
    ).bind(msp.0).bind(user_id).bind(since).fetch_one(p).await)
}
