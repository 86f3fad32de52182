//! Accounts: MSP staff (no customer) and portal users (one customer).

use super::{on_db, CustomerScope, Db, DbError, MspScope, Ts};
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: crate::model::UserId,
    pub msp_id: Uuid,
    pub customer_id: Option<crate::model::CustomerId>,
    pub email: String,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub role: crate::model::RoleName,
    pub password_hash: Option<String>,
    pub active: bool,
    pub created_at: Ts,
    pub last_sign_in_at: Option<Ts>,
    /// Two-factor sign-in is on.
    pub totp_on: bool,
    pub company_tickets: bool,
}

const COLS: &str = "id, msp_id, customer_id, email, name, role, password_hash, active, created_at, last_sign_in_at, \
                    (totp_secret IS NOT NULL) AS totp_on, company_tickets";

pub struct NewUser<'a> {
    pub id: crate::model::UserId,
    pub customer_id: Option<crate::model::CustomerId>,
    pub email: &'a str,
    pub name: &'a str,
    pub role: &'a str,
    pub password_hash: Option<&'a str>,
}

pub async fn get(db: &Db, scope: MspScope, id: crate::model::UserId) -> Result<Option<UserRow>, DbError> {
    let sql = format!("SELECT {COLS} FROM users WHERE msp_id = $1 AND id = $2");
    on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(scope.0).bind(id).fetch_optional(p).await)
}

pub async fn find_by_email(db: &Db, scope: MspScope, email: &str) -> Result<Option<UserRow>, DbError> {
    let sql = format!("SELECT {COLS} FROM users WHERE msp_id = $1 AND email = $2");
    on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(scope.0).bind(email).fetch_optional(p).await)
}

/// All accounts with this address, across MSPs (for the CLI, which has no host).
pub async fn find_by_email_any_msp(db: &Db, email: &str) -> Result<Vec<UserRow>, DbError> {
    let sql = format!("SELECT {COLS} FROM users WHERE email = $1");
    on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(email).fetch_all(p).await)
}

pub async fn list_staff(db: &Db, scope: MspScope) -> Result<Vec<UserRow>, DbError> {
    let sql = format!("SELECT {COLS} FROM users WHERE msp_id = $1 AND customer_id IS NULL ORDER BY lower(name), email");
    on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(scope.0).fetch_all(p).await)
}

pub async fn get_in_customer(
    db: &Db,
    scope: CustomerScope,
    id: crate::model::UserId,
) -> Result<Option<UserRow>, DbError> {
    let sql = format!("SELECT {COLS} FROM users WHERE msp_id = $1 AND customer_id = $2 AND id = $3");
    on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(scope.msp_id()).bind(scope.customer_id()).bind(id).fetch_optional(p).await)
}

pub async fn list_customer(db: &Db, scope: CustomerScope) -> Result<Vec<UserRow>, DbError> {
    let sql = format!("SELECT {COLS} FROM users WHERE msp_id = $1 AND customer_id = $2 ORDER BY lower(name), email");
    on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(scope.msp_id()).bind(scope.customer_id()).fetch_all(p).await)
}

/// Active admins of a customer, so the last one cannot be demoted or deactivated.
pub async fn insert(db: &Db, scope: MspScope, u: &NewUser<'_>, now: Ts) -> Result<(), DbError> {
    on_db!(db, p => sqlx::query(
        "INSERT INTO users (id, msp_id, customer_id, email, name, role, password_hash, active, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, TRUE, $8)",
    ).bind(u.id).bind(scope.0).bind(u.customer_id).bind(u.email).bind(u.name).bind(u.role).bind(u.password_hash).bind(now)
    .execute(p).await.map(|_| ()))
}

pub async fn set_name(db: &Db, scope: MspScope, id: crate::model::UserId, name: &str) -> Result<(), DbError> {
    on_db!(db, p => sqlx::query("UPDATE users SET name = $3 WHERE msp_id = $1 AND id = $2")
        .bind(scope.0).bind(id).bind(name).execute(p).await.map(|_| ()))
}

/// The accounts of which one must stay active: a customer's admins, or the MSP's owners.
#[derive(Debug, Clone, Copy)]
pub enum KeepsOne {
    CustomerAdmins(crate::model::CustomerId),
    Owners,
}

impl KeepsOne {
    /// (lock the group's active members, the conditional update). The update keeps the
    /// change when the account is not an active member now, stays one, or another remains.
    fn sql(self) -> (&'static str, &'static str) {
        match self {
            KeepsOne::CustomerAdmins(_) => (
                "SELECT id FROM users WHERE msp_id = $1 AND customer_id = $2 AND role = 'admin' AND active FOR UPDATE",
                "UPDATE users SET role = COALESCE($3, role), active = COALESCE($4, active) WHERE msp_id = $1 AND id = $2 AND customer_id = $5 AND ( \
                   NOT (active AND role = 'admin') OR (COALESCE($4, active) AND COALESCE($3, role) = 'admin') \
                   OR EXISTS (SELECT 1 FROM users o WHERE o.msp_id = $1 AND o.customer_id = $5 AND o.id <> $2 \
                              AND o.role = 'admin' AND o.active))",
            ),
            KeepsOne::Owners => (
                "SELECT id FROM users WHERE msp_id = $1 AND customer_id IS NULL AND role = 'owner' AND active FOR UPDATE",
                "UPDATE users SET role = COALESCE($3, role), active = COALESCE($4, active) WHERE msp_id = $1 AND id = $2 AND customer_id IS NULL AND ( \
                   NOT (active AND role = 'owner') OR (COALESCE($4, active) AND COALESCE($3, role) = 'owner') \
                   OR EXISTS (SELECT 1 FROM users o WHERE o.msp_id = $1 AND o.customer_id IS NULL AND o.id <> $2 \
                              AND o.role = 'owner' AND o.active))",
            ),
        }
    }

    fn customer(self) -> Option<crate::model::CustomerId> {
        match self {
            KeepsOne::CustomerAdmins(c) => Some(c),
            KeepsOne::Owners => None,
        }
    }
}

/// Sets an account's role and/or whether it is active (`None` leaves it), unless that would leave `group` without
/// an active member; `Ok(false)` when refused. The check is part of the write, in one
/// transaction: PostgreSQL first locks the group's active members, so of two concurrent
/// demotions the second sees the first; SQLite runs one writer at a time. Deactivating also
/// ends the account's sessions (tokens are checked against `active` on each request).
pub async fn set_access(
    db: &Db,
    scope: MspScope,
    id: crate::model::UserId,
    role: Option<&str>,
    active: Option<bool>,
    group: KeepsOne,
) -> Result<bool, DbError> {
    let (lock, update) = group.sql();
    let customer = group.customer();
    on_db!(db, p => {
        let mut tx = p.begin().await?;
        if db.engine() == "postgres" {
            let mut q = sqlx::query(lock).bind(scope.0);
            if let Some(c) = customer {
                q = q.bind(c);
            }
            q.fetch_all(&mut *tx).await?;
        }
        let mut q = sqlx::query(update).bind(scope.0).bind(id).bind(role).bind(active);
        if let Some(c) = customer {
            q = q.bind(c);
        }
        let changed = q.execute(&mut *tx).await?.rows_affected() > 0;
        if changed && active == Some(false) {
            sqlx::query("DELETE FROM sessions WHERE msp_id = $1 AND user_id = $2")
                .bind(scope.0).bind(id).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(changed)
    })
}

/// Sets the password and ends all of the account's sessions, except `keep` (the session
/// making the change, which is rotated by the caller).
pub async fn set_password(
    db: &Db,
    scope: MspScope,
    id: crate::model::UserId,
    hash: &str,
    keep: Option<&str>,
) -> Result<(), DbError> {
    on_db!(db, p => {
        let mut tx = p.begin().await?;
        sqlx::query("UPDATE users SET password_hash = $3 WHERE msp_id = $1 AND id = $2")
            .bind(scope.0).bind(id).bind(hash).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM sessions WHERE msp_id = $1 AND user_id = $2 AND token_hash <> $3")
            .bind(scope.0).bind(id).bind(keep.unwrap_or("")).execute(&mut *tx).await?;
        tx.commit().await
    })
}

pub async fn touch_sign_in(db: &Db, scope: MspScope, id: crate::model::UserId, now: Ts) -> Result<(), DbError> {
    on_db!(db, p => sqlx::query("UPDATE users SET last_sign_in_at = $3 WHERE msp_id = $1 AND id = $2")
        .bind(scope.0).bind(id).bind(now).execute(p).await.map(|_| ()))
}

/// The second-factor state of an account: (secret, secret being set up, last step used).
pub async fn totp(
    db: &Db,
    scope: MspScope,
    id: crate::model::UserId,
) -> Result<(Option<String>, Option<String>, Option<i64>), DbError> {
    let row: Option<(Option<String>, Option<String>, Option<i64>)> = on_db!(db, p => sqlx::query_as(
        "SELECT totp_secret, totp_pending, totp_last_step FROM users WHERE msp_id = $1 AND id = $2",
    ).bind(scope.0).bind(id).fetch_optional(p).await)?;
    Ok(row.unwrap_or((None, None, None)))
}

pub async fn set_totp_pending(db: &Db, scope: MspScope, id: crate::model::UserId, secret: &str) -> Result<(), DbError> {
    on_db!(db, p => sqlx::query("UPDATE users SET totp_pending = $3 WHERE msp_id = $1 AND id = $2")
        .bind(scope.0).bind(id).bind(secret).execute(p).await.map(|_| ()))
}

/// Turns the second factor on (with the secret) or off (`None`).
pub async fn set_totp(
    db: &Db,
    scope: MspScope,
    id: crate::model::UserId,
    secret: Option<&str>,
    step: Option<i64>,
) -> Result<(), DbError> {
    on_db!(db, p => sqlx::query(
        "UPDATE users SET totp_secret = $3, totp_pending = NULL, totp_last_step = $4 WHERE msp_id = $1 AND id = $2",
    ).bind(scope.0).bind(id).bind(secret).bind(step).execute(p).await.map(|_| ()))
}

/// Records the step of a code just used, unless a later one was (so a code works once,
/// even with two requests racing).
pub async fn use_totp_step(db: &Db, scope: MspScope, id: crate::model::UserId, step: i64) -> Result<bool, DbError> {
    let n = on_db!(db, p => sqlx::query(
        "UPDATE users SET totp_last_step = $3 WHERE msp_id = $1 AND id = $2 AND (totp_last_step IS NULL OR totp_last_step < $3)",
    ).bind(scope.0).bind(id).bind(step).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn set_company_tickets(db: &Db, scope: MspScope, id: crate::model::UserId, all: bool) -> Result<(), DbError> {
    on_db!(db, p => sqlx::query("UPDATE users SET company_tickets = $3 WHERE msp_id = $1 AND id = $2")
        .bind(scope.0).bind(id).bind(all).execute(p).await.map(|_| ()))
}
