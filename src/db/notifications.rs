//! In-app notifications, who wants which by what channel, and the MSP's email templates.

use uuid::Uuid;

use super::{on_db, Db, DbError, MspScope, Ts};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NotificationRow {
    pub id: Uuid,
    pub category: String,
    pub title: String,
    pub body: String,
    pub link: String,
    pub created_at: Ts,
    pub read_at: Option<Ts>,
}

pub async fn list(
    db: &Db,
    msp: MspScope,
    user: crate::model::UserId,
    limit: i64,
    offset: i64,
) -> Result<Vec<NotificationRow>, DbError> {
    on_db!(db, p => sqlx::query_as(
        "SELECT id, category, title, body, link, created_at, read_at FROM notifications \
         WHERE msp_id = $1 AND user_id = $2 ORDER BY created_at DESC, id DESC LIMIT $3 OFFSET $4",
    ).bind(msp.0).bind(user).bind(limit).bind(offset).fetch_all(p).await)
}

/// (all, unread) for one user.
pub async fn counts(db: &Db, msp: MspScope, user: crate::model::UserId) -> Result<(i64, i64), DbError> {
    on_db!(db, p => sqlx::query_as(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN read_at IS NULL THEN 1 ELSE 0 END), 0) FROM notifications \
         WHERE msp_id = $1 AND user_id = $2",
    ).bind(msp.0).bind(user).fetch_one(p).await)
}

pub async fn unread(db: &Db, msp: MspScope, user: crate::model::UserId) -> Result<i64, DbError> {
    on_db!(db, p => sqlx::query_scalar(
        "SELECT COUNT(*) FROM notifications WHERE msp_id = $1 AND user_id = $2 AND read_at IS NULL",
    ).bind(msp.0).bind(user).fetch_one(p).await)
}

/// Marks one of the user's notifications read; returns its link, or None when it is not theirs.
pub async fn mark_read(
    db: &Db,
    msp: MspScope,
    user: crate::model::UserId,
    id: Uuid,
    now: Ts,
) -> Result<Option<String>, DbError> {
    on_db!(db, p => sqlx::query_scalar(
        "UPDATE notifications SET read_at = COALESCE(read_at, $4) WHERE msp_id = $1 AND user_id = $2 AND id = $3 RETURNING link",
    ).bind(msp.0).bind(user).bind(id).bind(now).fetch_optional(p).await)
}

pub async fn mark_all_read(db: &Db, msp: MspScope, user: crate::model::UserId, now: Ts) -> Result<u64, DbError> {
    on_db!(db, p => sqlx::query(
        "UPDATE notifications SET read_at = $3 WHERE msp_id = $1 AND user_id = $2 AND read_at IS NULL",
    ).bind(msp.0).bind(user).bind(now).execute(p).await.map(|r| r.rows_affected()))
}

pub async fn delete_read_before(db: &Db, before: Ts) -> Result<u64, DbError> {
    on_db!(db, p => sqlx::query("DELETE FROM notifications WHERE read_at IS NOT NULL AND read_at < $1")
        .bind(before).execute(p).await.map(|r| r.rows_affected()))
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PrefRow {
    pub category: String,
    pub email: bool,
    pub in_app: bool,
}

/// The MSP's defaults per category (only the categories it has set).
pub async fn defaults(db: &Db, msp: MspScope) -> Result<Vec<PrefRow>, DbError> {
    on_db!(db, p => sqlx::query_as("SELECT category, email, in_app FROM notification_defaults WHERE msp_id = $1")
        .bind(msp.0).fetch_all(p).await)
}

/// A user's own choices (only the categories they have set).
pub async fn prefs(db: &Db, msp: MspScope, user: crate::model::UserId) -> Result<Vec<PrefRow>, DbError> {
    on_db!(db, p => sqlx::query_as("SELECT category, email, in_app FROM notification_prefs WHERE msp_id = $1 AND user_id = $2")
        .bind(msp.0).bind(user).fetch_all(p).await)
}

/// Choices of several users at once: (user, category, email, in_app).
pub async fn prefs_of(
    db: &Db,
    msp: MspScope,
    users: &[crate::model::UserId],
) -> Result<Vec<(crate::model::UserId, String, bool, bool)>, DbError> {
    if users.is_empty() {
        return Ok(vec![]);
    }
    let list = (0..users.len()).map(|i| format!("${}", i + 2)).collect::<Vec<_>>().join(", ");
    let sql = format!(
        "SELECT user_id, category, email, in_app FROM notification_prefs WHERE msp_id = $1 AND user_id IN ({list})"
    );
    on_db!(db, p => {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(msp.0);
        for u in users {
            q = q.bind(*u);
        }
        q.fetch_all(p).await
    })
}

/// Replaces all of a user's choices in one transaction.
pub async fn set_prefs(db: &Db, msp: MspScope, user: crate::model::UserId, rows: &[PrefRow]) -> Result<(), DbError> {
    on_db!(db, p => {
        let mut tx = p.begin().await?;
        sqlx::query("DELETE FROM notification_prefs WHERE msp_id = $1 AND user_id = $2")
            .bind(msp.0).bind(user).execute(&mut *tx).await?;
        for r in rows {
            sqlx::query("INSERT INTO notification_prefs (user_id, msp_id, category, email, in_app) VALUES ($1, $2, $3, $4, $5)")
                .bind(user).bind(msp.0).bind(&r.category).bind(r.email).bind(r.in_app).execute(&mut *tx).await?;
        }
        tx.commit().await
    })
}

pub async fn set_defaults(db: &Db, msp: MspScope, rows: &[PrefRow]) -> Result<(), DbError> {
    on_db!(db, p => {
        let mut tx = p.begin().await?;
        sqlx::query("DELETE FROM notification_defaults WHERE msp_id = $1").bind(msp.0).execute(&mut *tx).await?;
        for r in rows {
            sqlx::query("INSERT INTO notification_defaults (msp_id, category, email, in_app) VALUES ($1, $2, $3, $4)")
                .bind(msp.0).bind(&r.category).bind(r.email).bind(r.in_app).execute(&mut *tx).await?;
        }
        tx.commit().await
    })
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TemplateRow {
    pub kind: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub updated_at: Ts,
}

pub async fn templates(db: &Db, msp: MspScope) -> Result<Vec<TemplateRow>, DbError> {
    on_db!(db, p => sqlx::query_as(
        "SELECT kind, subject, body_text, body_html, updated_at FROM email_templates WHERE msp_id = $1 ORDER BY kind",
    ).bind(msp.0).fetch_all(p).await)
}

pub async fn template(db: &Db, msp: MspScope, kind: &str) -> Result<Option<TemplateRow>, DbError> {
    on_db!(db, p => sqlx::query_as(
        "SELECT kind, subject, body_text, body_html, updated_at FROM email_templates WHERE msp_id = $1 AND kind = $2",
    ).bind(msp.0).bind(kind).fetch_optional(p).await)
}

pub async fn save_template(db: &Db, msp: MspScope, t: &TemplateRow) -> Result<(), DbError> {
    on_db!(db, p => sqlx::query(
        "INSERT INTO email_templates (msp_id, kind, subject, body_text, body_html, updated_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (msp_id, kind) DO UPDATE SET subject = $3, body_text = $4, body_html = $5, updated_at = $6",
    ).bind(msp.0).bind(&t.kind).bind(&t.subject).bind(&t.body_text).bind(&t.body_html).bind(t.updated_at)
    .execute(p).await.map(|_| ()))
}

pub async fn delete_template(db: &Db, msp: MspScope, kind: &str) -> Result<bool, DbError> {
    on_db!(db, p => sqlx::query("DELETE FROM email_templates WHERE msp_id = $1 AND kind = $2")
        .bind(msp.0).bind(kind).execute(p).await.map(|r| r.rows_affected() == 1))
}
