//! Ticket attachments: the rows that describe stored files (the bytes are in `files`).

use uuid::Uuid;

use super::{on_db, CustomerScope, Db, DbError, MspScope, Ts};

/// An attachment ready to be recorded; the ticket and comment are given where it is written.
#[derive(Debug, Clone)]
pub struct NewAttachment {
    pub id: Uuid,
    /// The ticket's customer.
    pub customer_id: crate::model::CustomerId,
    pub uploader_id: crate::model::UserId,
    pub file_name: String,
    pub content_type: &'static str,
    pub size_bytes: i64,
    pub sha256: String,
    pub storage_key: String,
    pub internal: bool,
}

pub const INSERT: &str =
    "INSERT INTO ticket_attachments (id, msp_id, customer_id, ticket_id, comment_id, uploader_id, \
    file_name, content_type, size_bytes, sha256, storage_key, internal, created_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";

/// Records `$rows` (`&[NewAttachment]`) for a ticket of the MSP `$msp_id` (and a comment)
/// inside the open transaction `$tx`, so they commit or roll back with the ticket or comment
/// they belong to.
#[macro_export]
macro_rules! insert_attachments {
    ($tx:expr, $msp_id:expr, $ticket:expr, $comment:expr, $rows:expr, $now:expr) => {
        for a in $rows {
            sqlx::query($crate::db::attachments::INSERT)
                .bind(a.id)
                .bind($msp_id)
                .bind(a.customer_id)
                .bind($ticket)
                .bind($comment)
                .bind(a.uploader_id)
                .bind(a.file_name.as_str())
                .bind(a.content_type)
                .bind(a.size_bytes)
                .bind(a.sha256.as_str())
                .bind(a.storage_key.as_str())
                .bind(a.internal)
                .bind($now)
                .execute(&mut *$tx)
                .await?;
        }
    };
}
pub use insert_attachments;

/// Adds attachments to an existing ticket (or comment) of the customer and marks the ticket
/// as updated.
pub async fn insert(
    db: &Db,
    scope: CustomerScope,
    ticket: crate::model::TicketId,
    comment: Option<Uuid>,
    rows: &[NewAttachment],
    now: Ts,
) -> Result<(), DbError> {
    let rows: Vec<NewAttachment> =
        rows.iter().map(|a| NewAttachment { customer_id: scope.customer_id(), ..a.clone() }).collect();
    on_db!(db, p => {
        let mut tx = p.begin().await?;
        let n = sqlx::query("UPDATE tickets SET updated_at = CASE WHEN updated_at < $3 THEN $3 ELSE updated_at END \
             WHERE msp_id = $1 AND customer_id = $2 AND id = $4")
            .bind(scope.msp_id()).bind(scope.customer_id()).bind(now).bind(ticket).execute(&mut *tx).await?.rows_affected();
        if n != 1 {
            return Err(DbError::RowNotFound);
        }
        insert_attachments!(tx, scope.msp_id(), ticket, comment, &rows, now);
        tx.commit().await
    })
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AttachmentRow {
    pub id: Uuid,
    pub customer_id: crate::model::CustomerId,
    pub ticket_id: crate::model::TicketId,
    pub comment_id: Option<Uuid>,
    pub uploader_id: Option<crate::model::UserId>,
    pub uploader_name: Option<String>,
    pub uploader_is_staff: bool,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub storage_key: String,
    pub internal: bool,
    pub created_at: Ts,
}

/// Internal ones only when asked for; those of deleted comments never.
const SELECT: &str = "SELECT a.id, a.customer_id, a.ticket_id, a.comment_id, a.uploader_id, u.name AS uploader_name, \
    (u.customer_id IS NULL AND u.id IS NOT NULL) AS uploader_is_staff, a.file_name, a.content_type, a.size_bytes, a.sha256, \
    a.storage_key, a.internal, a.created_at \
    FROM ticket_attachments a LEFT JOIN users u ON u.id = a.uploader_id \
    LEFT JOIN ticket_comments c ON c.id = a.comment_id \
    WHERE a.msp_id = $1 AND a.ticket_id = $2 AND ($3 OR NOT a.internal) AND c.deleted_at IS NULL";

/// A ticket's attachments, oldest first.
pub async fn for_ticket(
    db: &Db,
    msp: MspScope,
    ticket: crate::model::TicketId,
    with_internal: bool,
) -> Result<Vec<AttachmentRow>, DbError> {
    let sql = format!("{SELECT} ORDER BY a.created_at, a.id");
    on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(msp.0).bind(ticket).bind(with_internal).fetch_all(p).await)
}

pub async fn get(
    db: &Db,
    msp: MspScope,
    ticket: crate::model::TicketId,
    id: Uuid,
    with_internal: bool,
) -> Result<Option<AttachmentRow>, DbError> {
    let sql = format!("{SELECT} AND a.id = $4");
    on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(msp.0).bind(ticket).bind(with_internal).bind(id).fetch_optional(p).await)
}

/// A live comment of the ticket by this author, with whether it is an internal note.
pub async fn own_comment(
    db: &Db,
    msp: MspScope,
    ticket: crate::model::TicketId,
    comment: Uuid,
    author: crate::model::UserId,
) -> Result<Option<bool>, DbError> {
    let row: Option<(bool,)> = on_db!(db, p => sqlx::query_as(
        "SELECT internal FROM ticket_comments WHERE msp_id = $1 AND ticket_id = $2 AND id = $3 AND author_id = $4 AND deleted_at IS NULL",
    ).bind(msp.0).bind(ticket).bind(comment).bind(author).fetch_optional(p).await)?;
    Ok(row.map(|(internal,)| internal))
}
