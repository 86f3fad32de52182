//! Sign-in attempts, counted per account so that every instance enforces one limit.

use super::{on_db, Db, DbError, MspScope, Ts};

pub async fn record(db: &Db, scope: MspScope, email: &str, ip: &str, success: bool, now: Ts) -> Result<(), DbError> {
    on_db!(db, p => sqlx::query("INSERT INTO login_attempts (id, msp_id, email, ip, success, at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(crate::model::new_id()).bind(scope.0).bind(email).bind(ip).bind(success).bind(now)
        .execute(p).await.map(|_| ()))
}

/// Failures for this account since `since` and the oldest of them, newer than the last success.
pub async fn failures_since(db: &Db, scope: MspScope, email: &str, since: Ts) -> Result<(i64, Option<Ts>), DbError> {
    on_db!(db, p => sqlx::query_as(
        "SELECT COUNT(*), MIN(at) FROM login_attempts WHERE msp_id = $1 AND email = $2 AND NOT success AND at > $3 \
         AND at > COALESCE((SELECT MAX(at) FROM login_attempts WHERE msp_id = $1 AND email = $2 AND success), $3)",
    ).bind(scope.0).bind(email).bind(since).fetch_one(p).await)
}

pub async fn delete_before(db: &Db, before: Ts) -> Result<u64, DbError> {
    on_db!(db, p => sqlx::query("DELETE FROM login_attempts WHERE at < $1").bind(before).execute(p).await.map(|r| r.rows_affected()))
}
