//! Single-use invitation links for new portal users.

use super::jobs::{write_effects, Effects};
use super::{on_db, CustomerScope, Db, DbError, MspScope, Ts};
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InvitationRow {
    pub msp_id: Uuid,
    pub customer_id: crate::model::CustomerId,
    pub user_id: crate::model::UserId,
    pub expires_at: Ts,
    pub used_at: Option<Ts>,
}

/// Whom an invitation is for.
#[derive(Clone, Copy)]
pub enum Invitee<'a> {
    /// A portal user who exists; an earlier unused invitation of theirs is voided.
    Existing(crate::model::UserId),
    /// A new portal user, created with the invitation so that neither exists alone.
    New(&'a super::users::NewUser<'a>),
}

/// Stores a new invitation (and, for a new invitee, the user); the mail carrying it is
/// queued in the same transaction.
#[allow(clippy::too_many_arguments)]
pub async fn insert(
    db: &Db,
    scope: CustomerScope,
    hash: &str,
    invitee: Invitee<'_>,
    by: crate::model::UserId,
    now: Ts,
    expires: Ts,
    fx: &Effects,
) -> Result<(), DbError> {
    on_db!(db, p => {
        let mut tx = p.begin().await?;
        let user_id = match invitee {
            Invitee::Existing(id) => {
                sqlx::query("UPDATE invitations SET used_at = $3 WHERE msp_id = $1 AND user_id = $2 AND used_at IS NULL")
                    .bind(scope.msp_id()).bind(id).bind(now).execute(&mut *tx).await?;
                id
            }
            Invitee::New(user) => {
                sqlx::query(
                    "INSERT INTO users (id, msp_id, customer_id, email, name, role, password_hash, active, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, NULL, TRUE, $7)",
                ).bind(user.id).bind(scope.msp_id()).bind(scope.customer_id()).bind(user.email).bind(user.name).bind(user.role)
                .bind(now).execute(&mut *tx).await?;
                user.id
            }
        };
        sqlx::query(
            "INSERT INTO invitations (token_hash, msp_id, customer_id, user_id, created_by, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        ).bind(hash).bind(scope.msp_id()).bind(scope.customer_id()).bind(user_id).bind(by).bind(now).bind(expires)
        .execute(&mut *tx).await?;
        write_effects!(tx, fx, now);
        tx.commit().await
    })
}

pub async fn get(db: &Db, scope: MspScope, hash: &str) -> Result<Option<InvitationRow>, DbError> {
    on_db!(db, p => sqlx::query_as(
        "SELECT msp_id, customer_id, user_id, expires_at, used_at FROM invitations WHERE token_hash = $1 AND msp_id = $2",
    ).bind(hash).bind(scope.0).fetch_optional(p).await)
}

/// Marks the invitation used and sets the password in one transaction. Returns false
/// when the invitation was already used (by a concurrent request, say).
pub async fn accept(
    db: &Db,
    scope: MspScope,
    hash: &str,
    user_id: crate::model::UserId,
    password_hash: &str,
    now: Ts,
) -> Result<bool, DbError> {
    on_db!(db, p => {
        let mut tx = p.begin().await?;
        let n = sqlx::query("UPDATE invitations SET used_at = $3 WHERE token_hash = $1 AND msp_id = $2 AND used_at IS NULL AND expires_at > $3")
            .bind(hash).bind(scope.0).bind(now).execute(&mut *tx).await?.rows_affected();
        if n != 1 {
            return Ok(false);
        }
        sqlx::query("UPDATE users SET password_hash = $3, active = TRUE WHERE msp_id = $1 AND id = $2")
            .bind(scope.0).bind(user_id).bind(password_hash).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM sessions WHERE msp_id = $1 AND user_id = $2")
            .bind(scope.0).bind(user_id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(true)
    })
}
