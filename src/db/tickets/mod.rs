//! Support tickets, their conversation and watchers, and each MSP's statuses, priorities
//! and categories.

use super::attachments::{insert_attachments, NewAttachment};
use super::jobs::{write_effects, Effects};
use super::{on_db, CustomerScope, Db, DbError, MspScope, Ts};
use uuid::Uuid;

mod list;
pub use list::{list, Filter, Sort};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StatusRow {
    pub id: Uuid,
    pub name: String,
    pub is_closed: bool,
    pub customer_settable: bool,
    pub is_default: bool,
    pub auto_on: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NamedRow {
    pub id: Uuid,
    pub name: String,
    pub is_default: bool,
}

pub async fn statuses(db: &Db, msp: MspScope) -> Result<Vec<StatusRow>, DbError> {
    on_db!(db, p => sqlx::query_as(
        "SELECT id, name, is_closed, customer_settable, is_default, auto_on FROM ticket_statuses WHERE msp_id = $1 ORDER BY position, name",
    ).bind(msp.0).fetch_all(p).await)
}

pub async fn priorities(db: &Db, msp: MspScope) -> Result<Vec<NamedRow>, DbError> {
    on_db!(db, p => sqlx::query_as(
        "SELECT id, name, is_default FROM ticket_priorities WHERE msp_id = $1 ORDER BY position, name",
    ).bind(msp.0).fetch_all(p).await)
}

pub async fn categories(db: &Db, msp: MspScope) -> Result<Vec<NamedRow>, DbError> {
    on_db!(db, p => sqlx::query_as(
        "SELECT id, name, FALSE AS is_default FROM ticket_categories WHERE msp_id = $1 ORDER BY position, name",
    ).bind(msp.0).fetch_all(p).await)
}

/// A default status: (name, closed, customer may set it, default, which reply moves a ticket here).
pub type StatusSeed = (&'static str, bool, bool, bool, &'static str);

/// Puts the given defaults in place where the MSP has none of that name yet.
pub async fn insert_defaults(
    db: &Db,
    msp: MspScope,
    statuses: &[StatusSeed],
    priorities: &[(&str, bool)],
    categories: &[&str],
) -> Result<(), DbError> {
    on_db!(db, p => {
        let mut tx = p.begin().await?;
        for (i, (name, closed, settable, default, auto_on)) in statuses.iter().enumerate() {
            sqlx::query(
                "INSERT INTO ticket_statuses (id, msp_id, name, is_closed, customer_settable, is_default, auto_on, position) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
            ).bind(Uuid::now_v7()).bind(msp.0).bind(*name).bind(*closed).bind(*settable).bind(*default).bind(*auto_on).bind(i as i64)
            .execute(&mut *tx).await?;
        }
        for (i, (name, default)) in priorities.iter().enumerate() {
            sqlx::query("INSERT INTO ticket_priorities (id, msp_id, name, is_default, position) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING")
                .bind(Uuid::now_v7()).bind(msp.0).bind(*name).bind(*default).bind(i as i64).execute(&mut *tx).await?;
        }
        for (i, name) in categories.iter().enumerate() {
            sqlx::query("INSERT INTO ticket_categories (id, msp_id, name, position) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING")
                .bind(Uuid::now_v7()).bind(msp.0).bind(*name).bind(i as i64).execute(&mut *tx).await?;
        }
        tx.commit().await
    })
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TicketRow {
    pub id: crate::model::TicketId,
    pub msp_id: Uuid,
    pub customer_id: crate::model::CustomerId,
    pub customer_name: String,
    pub number: i64,
    pub title: String,
    pub description: String,
    pub status_id: Uuid,
    pub status_name: String,
    pub is_closed: bool,
    pub status_auto_on: String,
    pub priority_id: Uuid,
    pub priority_name: String,
    pub category_id: Option<Uuid>,
    pub category_name: Option<String>,
    pub requester_id: Option<crate::model::UserId>,
    pub requester_name: Option<String>,
    pub assignee_id: Option<crate::model::UserId>,
    pub assignee_name: Option<String>,
    pub due_at: Option<Ts>,
    pub external_id: Option<String>,
    pub external_system: Option<String>,
    pub created_at: Ts,
    pub updated_at: Ts,
}

const SELECT: &str = "SELECT t.id, t.msp_id, t.customer_id, c.name AS customer_name, t.number, t.title, t.description, \
    t.status_id, s.name AS status_name, s.is_closed, s.auto_on AS status_auto_on, t.priority_id, pr.name AS priority_name, \
    t.category_id, cat.name AS category_name, t.requester_id, rq.name AS requester_name, t.assignee_id, asg.name AS assignee_name, \
    t.due_at, t.external_id, t.external_system, t.created_at, t.updated_at \
    FROM tickets t JOIN customers c ON c.id = t.customer_id AND c.msp_id = t.msp_id \
    JOIN ticket_statuses s ON s.id = t.status_id JOIN ticket_priorities pr ON pr.id = t.priority_id \
    LEFT JOIN ticket_categories cat ON cat.id = t.category_id LEFT JOIN users rq ON rq.id = t.requester_id \
    LEFT JOIN users asg ON asg.id = t.assignee_id";

pub async fn get_by_number(db: &Db, msp: MspScope, number: i64) -> Result<Option<TicketRow>, DbError> {
    let sql = format!("{SELECT} WHERE t.msp_id = $1 AND t.number = $2");
    on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(msp.0).bind(number).fetch_optional(p).await)
}
pub async fn get_by_id(db: &Db, msp: MspScope, id: crate::model::TicketId) -> Result<Option<TicketRow>, DbError> {
    let sql = format!("{SELECT} WHERE t.msp_id = $1 AND t.id = $2");
    on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(msp.0).bind(id).fetch_optional(p).await)
}

pub async fn is_watcher(
    db: &Db,
    msp: MspScope,
    ticket: crate::model::TicketId,
    user: crate::model::UserId,
) -> Result<bool, DbError> {
    let (n,): (i64,) = on_db!(db, p => sqlx::query_as("SELECT COUNT(*) FROM ticket_watchers WHERE msp_id = $1 AND ticket_id = $2 AND user_id = $3")
        .bind(msp.0).bind(ticket).bind(user).fetch_one(p).await)?;
    Ok(n > 0)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WatcherRow {
    pub user_id: crate::model::UserId,
    pub name: String,
    pub email: String,
}

pub async fn watchers(db: &Db, msp: MspScope, ticket: crate::model::TicketId) -> Result<Vec<WatcherRow>, DbError> {
    on_db!(db, p => sqlx::query_as(
        "SELECT u.id AS user_id, u.name, u.email FROM ticket_watchers w JOIN users u ON u.id = w.user_id \
         WHERE w.msp_id = $1 AND w.ticket_id = $2 ORDER BY lower(u.name)",
    ).bind(msp.0).bind(ticket).fetch_all(p).await)
}

pub struct NewTicket<'a> {
    pub id: Uuid,
    pub title: &'a str,
    pub description: &'a str,
    pub status_id: Uuid,
    pub priority_id: Uuid,
    pub category_id: Option<Uuid>,
    pub requester_id: crate::model::UserId,
    pub watchers: &'a [crate::model::UserId],
    pub external_id: Option<&'a str>,
    pub external_system: Option<&'a str>,
}

/// Stores a ticket with the MSP's next number and its watchers; returns the number.
pub async fn insert(
    db: &Db,
    scope: CustomerScope,
    t: &NewTicket<'_>,
    attachments: &[NewAttachment],
    now: Ts,
    effects: &(dyn Fn(i64) -> Effects + Sync),
) -> Result<i64, DbError> {
    on_db!(db, p => {
        let mut tx = p.begin().await?;
        let (number,): (i64,) = sqlx::query_as(
            "INSERT INTO ticket_counters (msp_id, last_number) VALUES ($1, 1001) \
             ON CONFLICT (msp_id) DO UPDATE SET last_number = ticket_counters.last_number + 1 RETURNING last_number",
        ).bind(scope.msp_id()).fetch_one(&mut *tx).await?;
        sqlx::query(
            "INSERT INTO tickets (id, msp_id, customer_id, number, title, description, status_id, priority_id, category_id, \
             requester_id, external_id, external_system, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)",
        ).bind(t.id).bind(scope.msp_id()).bind(scope.customer_id()).bind(number).bind(t.title).bind(t.description)
        .bind(t.status_id).bind(t.priority_id).bind(t.category_id).bind(t.requester_id).bind(t.external_id).bind(t.external_system).bind(now)
        .execute(&mut *tx).await?;
        for w in t.watchers {
            sqlx::query("INSERT INTO ticket_watchers (ticket_id, user_id, msp_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                .bind(t.id).bind(*w).bind(scope.msp_id()).execute(&mut *tx).await?;
        }
        insert_attachments!(tx, scope.msp_id(), t.id, None::<Uuid>, attachments, now);
        let fx = effects(number);
        write_effects!(tx, fx, now);
        tx.commit().await?;
        Ok(number)
    })
}

/// The staff-editable fields of a ticket.
pub struct TicketFields {
    pub status_id: Uuid,
    pub priority_id: Uuid,
    pub category_id: Option<Uuid>,
    pub assignee_id: Option<crate::model::UserId>,
    pub due_at: Option<Ts>,
}

pub async fn update(
    db: &Db,
    msp: MspScope,
    id: crate::model::TicketId,
    f: &TicketFields,
    now: Ts,
    fx: &Effects,
) -> Result<(), DbError> {
    on_db!(db, p => {
        let mut tx = p.begin().await?;
        sqlx::query(
            "UPDATE tickets SET status_id = $3, priority_id = $4, category_id = $5, assignee_id = $6, due_at = $7, updated_at = $8 \
             WHERE msp_id = $1 AND id = $2",
        ).bind(msp.0).bind(id).bind(f.status_id).bind(f.priority_id).bind(f.category_id).bind(f.assignee_id).bind(f.due_at).bind(now)
        .execute(&mut *tx).await?;
        write_effects!(tx, fx, now);
        tx.commit().await
    })
}

pub async fn set_status(
    db: &Db,
    msp: MspScope,
    id: crate::model::TicketId,
    status: Uuid,
    now: Ts,
    fx: &Effects,
) -> Result<(), DbError> {
    on_db!(db, p => {
        let mut tx = p.begin().await?;
        sqlx::query("UPDATE tickets SET status_id = $3, updated_at = $4 WHERE msp_id = $1 AND id = $2")
            .bind(msp.0).bind(id).bind(status).bind(now).execute(&mut *tx).await?;
        write_effects!(tx, fx, now);
        tx.commit().await
    })
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CommentRow {
    pub id: Uuid,
    pub author_id: Option<crate::model::UserId>,
    pub author_name: Option<String>,
    pub author_is_staff: bool,
    pub body: String,
    pub internal: bool,
    pub created_at: Ts,
    pub edited_at: Option<Ts>,
    pub deleted_at: Option<Ts>,
}

/// The conversation, oldest first; internal notes only when asked for.
pub async fn comments(
    db: &Db,
    msp: MspScope,
    ticket: crate::model::TicketId,
    with_internal: bool,
) -> Result<Vec<CommentRow>, DbError> {
    on_db!(db, p => sqlx::query_as(
        "SELECT m.id, m.author_id, u.name AS author_name, (u.customer_id IS NULL AND u.id IS NOT NULL) AS author_is_staff, \
         m.body, m.internal, m.created_at, m.edited_at, m.deleted_at \
         FROM ticket_comments m LEFT JOIN users u ON u.id = m.author_id \
         WHERE m.msp_id = $1 AND m.ticket_id = $2 AND ($3 OR NOT m.internal) ORDER BY m.created_at, m.id",
    ).bind(msp.0).bind(ticket).bind(with_internal).fetch_all(p).await)
}

pub struct NewComment<'a> {
    pub ticket: crate::model::TicketId,
    pub author: crate::model::UserId,
    pub body: &'a str,
    pub internal: bool,
    /// Where the comment moves the ticket, if anywhere.
    pub new_status: Option<Uuid>,
}

/// Adds a comment and, in the same transaction, touches the ticket and moves its status.
pub async fn add_comment(
    db: &Db,
    msp: MspScope,
    c: &NewComment<'_>,
    attachments: &[NewAttachment],
    now: Ts,
    fx: &Effects,
) -> Result<Uuid, DbError> {
    let id = Uuid::now_v7();
    on_db!(db, p => {
        let mut tx = p.begin().await?;
        sqlx::query(
            "INSERT INTO ticket_comments (id, msp_id, ticket_id, author_id, body, internal, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        ).bind(id).bind(msp.0).bind(c.ticket).bind(c.author).bind(c.body).bind(c.internal).bind(now).execute(&mut *tx).await?;
        sqlx::query("UPDATE tickets SET updated_at = $3, status_id = COALESCE($4, status_id) WHERE msp_id = $1 AND id = $2")
            .bind(msp.0).bind(c.ticket).bind(now).bind(c.new_status).execute(&mut *tx).await?;
        insert_attachments!(tx, msp.0, c.ticket, Some(id), attachments, now);
        write_effects!(tx, fx, now);
        tx.commit().await?;
        Ok(id)
    })
}

/// Changes the author's own live comment; false when there is none such.
pub async fn edit_comment(
    db: &Db,
    msp: MspScope,
    ticket: crate::model::TicketId,
    id: Uuid,
    author: crate::model::UserId,
    body: &str,
    now: Ts,
) -> Result<bool, DbError> {
    let n = on_db!(db, p => sqlx::query(
        "UPDATE ticket_comments SET body = $5, edited_at = $6 WHERE msp_id = $1 AND ticket_id = $2 AND id = $3 AND author_id = $4 AND deleted_at IS NULL",
    ).bind(msp.0).bind(ticket).bind(id).bind(author).bind(body).bind(now).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Removes the text of the author's own comment, leaving a marker that it was deleted.
pub async fn delete_comment(
    db: &Db,
    msp: MspScope,
    ticket: crate::model::TicketId,
    id: Uuid,
    author: crate::model::UserId,
    now: Ts,
) -> Result<bool, DbError> {
    let n = on_db!(db, p => sqlx::query(
        "UPDATE ticket_comments SET body = '', deleted_at = $5 WHERE msp_id = $1 AND ticket_id = $2 AND id = $3 AND author_id = $4 AND deleted_at IS NULL",
    ).bind(msp.0).bind(ticket).bind(id).bind(author).bind(now).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Open tickets of a customer and how many of them wait for the customer, counting only
/// those `involving` the user when given.
pub async fn open_counts(db: &Db, scope: CustomerScope, involving: Option<Uuid>) -> Result<(i64, i64), DbError> {
    on_db!(db, p => sqlx::query_as(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN s.auto_on = 'staff_reply' THEN 1 ELSE 0 END), 0) \
         FROM tickets t JOIN ticket_statuses s ON s.id = t.status_id \
         WHERE t.msp_id = $1 AND t.customer_id = $2 AND NOT s.is_closed \
         AND ($3 IS NULL OR t.requester_id = $3 OR EXISTS (SELECT 1 FROM ticket_watchers w WHERE w.ticket_id = t.id AND w.user_id = $3))",
    ).bind(scope.msp_id()).bind(scope.customer_id()).bind(involving).fetch_one(p).await)
}

pub async fn insert_category(db: &Db, msp: MspScope, name: &str) -> Result<(), DbError> {
    on_db!(db, p => sqlx::query(
        "INSERT INTO ticket_categories (id, msp_id, name, position) \
         VALUES ($1, $2, $3, (SELECT COALESCE(MAX(position), 0) + 1 FROM ticket_categories WHERE msp_id = $2))",
    ).bind(Uuid::now_v7()).bind(msp.0).bind(name).execute(p).await.map(|_| ()))
}

pub async fn rename_category(db: &Db, msp: MspScope, id: Uuid, name: &str) -> Result<bool, DbError> {
    let n = on_db!(db, p => sqlx::query("UPDATE ticket_categories SET name = $3 WHERE msp_id = $1 AND id = $2")
        .bind(msp.0).bind(id).bind(name).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Tickets filed under a category.
pub async fn category_use(db: &Db, msp: MspScope, id: Uuid) -> Result<i64, DbError> {
    let (n,): (i64,) = on_db!(db, p => sqlx::query_as("SELECT COUNT(*) FROM tickets WHERE msp_id = $1 AND category_id = $2")
        .bind(msp.0).bind(id).fetch_one(p).await)?;
    Ok(n)
}

pub async fn delete_category(db: &Db, msp: MspScope, id: Uuid) -> Result<bool, DbError> {
    let n = on_db!(db, p => sqlx::query("DELETE FROM ticket_categories WHERE msp_id = $1 AND id = $2")
        .bind(msp.0).bind(id).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// A new status goes to the end of the list; it is never the default or a reply target.
pub async fn insert_status(db: &Db, msp: MspScope, name: &str, closed: bool, settable: bool) -> Result<(), DbError> {
    on_db!(db, p => sqlx::query(
        "INSERT INTO ticket_statuses (id, msp_id, name, is_closed, customer_settable, is_default, auto_on, position) \
         VALUES ($1, $2, $3, $4, $5, FALSE, '', (SELECT COALESCE(MAX(position), 0) + 1 FROM ticket_statuses WHERE msp_id = $2))",
    ).bind(Uuid::now_v7()).bind(msp.0).bind(name).bind(closed).bind(settable).execute(p).await.map(|_| ()))
}

pub async fn update_status(
    db: &Db,
    msp: MspScope,
    id: Uuid,
    name: &str,
    closed: bool,
    settable: bool,
) -> Result<bool, DbError> {
    let n = on_db!(db, p => sqlx::query(
        "UPDATE ticket_statuses SET name = $3, is_closed = $4, customer_settable = $5 WHERE msp_id = $1 AND id = $2",
    ).bind(msp.0).bind(id).bind(name).bind(closed).bind(settable).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Makes an open status the one new tickets start in; false (and nothing changed) when there
/// is no such open status.
pub async fn set_default_status(db: &Db, msp: MspScope, id: Uuid) -> Result<bool, DbError> {
    move_default(
        db,
        "UPDATE ticket_statuses SET is_default = TRUE WHERE msp_id = $1 AND id = $2 AND NOT is_closed",
        "UPDATE ticket_statuses SET is_default = FALSE WHERE msp_id = $1 AND id <> $2",
        msp,
        id,
    )
    .await
}

/// Marks the statuses a customer comment and a staff public reply move a ticket to (`None`:
/// none), clearing the marks of every other status, in one statement.
pub async fn set_reply_statuses(
    db: &Db,
    msp: MspScope,
    customer_reply: Option<Uuid>,
    staff_reply: Option<Uuid>,
) -> Result<(), DbError> {
    on_db!(db, p => sqlx::query(
        "UPDATE ticket_statuses SET auto_on = CASE WHEN id = $2 THEN 'customer_reply' WHEN id = $3 THEN 'staff_reply' ELSE '' END \
         WHERE msp_id = $1",
    ).bind(msp.0).bind(customer_reply).bind(staff_reply).execute(p).await.map(|_| ()))
}

/// Tickets in a status.
pub async fn status_use(db: &Db, msp: MspScope, id: Uuid) -> Result<i64, DbError> {
    let (n,): (i64,) = on_db!(db, p => sqlx::query_as("SELECT COUNT(*) FROM tickets WHERE msp_id = $1 AND status_id = $2")
        .bind(msp.0).bind(id).fetch_one(p).await)?;
    Ok(n)
}

/// Removes a status that is not the default and no ticket is in; false otherwise.
pub async fn delete_status(db: &Db, msp: MspScope, id: Uuid) -> Result<bool, DbError> {
    let n = on_db!(db, p => sqlx::query(
        "DELETE FROM ticket_statuses WHERE msp_id = $1 AND id = $2 AND NOT is_default \
         AND NOT EXISTS (SELECT 1 FROM tickets WHERE msp_id = $1 AND status_id = $2)",
    ).bind(msp.0).bind(id).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Puts the MSP's statuses in the order of `ids`.
pub async fn set_status_positions(db: &Db, msp: MspScope, ids: &[Uuid]) -> Result<(), DbError> {
    set_positions(db, "UPDATE ticket_statuses SET position = $3 WHERE msp_id = $1 AND id = $2", msp, ids).await
}

pub async fn insert_priority(db: &Db, msp: MspScope, name: &str) -> Result<(), DbError> {
    on_db!(db, p => sqlx::query(
        "INSERT INTO ticket_priorities (id, msp_id, name, is_default, position) \
         VALUES ($1, $2, $3, FALSE, (SELECT COALESCE(MAX(position), 0) + 1 FROM ticket_priorities WHERE msp_id = $2))",
    ).bind(Uuid::now_v7()).bind(msp.0).bind(name).execute(p).await.map(|_| ()))
}

pub async fn rename_priority(db: &Db, msp: MspScope, id: Uuid, name: &str) -> Result<bool, DbError> {
    let n = on_db!(db, p => sqlx::query("UPDATE ticket_priorities SET name = $3 WHERE msp_id = $1 AND id = $2")
        .bind(msp.0).bind(id).bind(name).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Makes a priority the default; false (and nothing changed) when the MSP has no such priority.
pub async fn set_default_priority(db: &Db, msp: MspScope, id: Uuid) -> Result<bool, DbError> {
    move_default(
        db,
        "UPDATE ticket_priorities SET is_default = TRUE WHERE msp_id = $1 AND id = $2",
        "UPDATE ticket_priorities SET is_default = FALSE WHERE msp_id = $1 AND id <> $2",
        msp,
        id,
    )
    .await
}

/// Tickets with a priority.
pub async fn priority_use(db: &Db, msp: MspScope, id: Uuid) -> Result<i64, DbError> {
    let (n,): (i64,) = on_db!(db, p => sqlx::query_as("SELECT COUNT(*) FROM tickets WHERE msp_id = $1 AND priority_id = $2")
        .bind(msp.0).bind(id).fetch_one(p).await)?;
    Ok(n)
}

/// Removes a priority that is not the default and no ticket has; false otherwise.
pub async fn delete_priority(db: &Db, msp: MspScope, id: Uuid) -> Result<bool, DbError> {
    let n = on_db!(db, p => sqlx::query(
        "DELETE FROM ticket_priorities WHERE msp_id = $1 AND id = $2 AND NOT is_default \
         AND NOT EXISTS (SELECT 1 FROM tickets WHERE msp_id = $1 AND priority_id = $2)",
    ).bind(msp.0).bind(id).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Puts the MSP's priorities in the order of `ids`.
pub async fn set_priority_positions(db: &Db, msp: MspScope, ids: &[Uuid]) -> Result<(), DbError> {
    set_positions(db, "UPDATE ticket_priorities SET position = $3 WHERE msp_id = $1 AND id = $2", msp, ids).await
}

/// Sets the default flag on one row (`set`), then clears it on the others (`clear`), in one
/// transaction; when `set` finds no row nothing changes and the answer is false.
async fn move_default(
    db: &Db,
    set: &'static str,
    clear: &'static str,
    msp: MspScope,
    id: Uuid,
) -> Result<bool, DbError> {
    on_db!(db, p => {
        let mut tx = p.begin().await?;
        let n = sqlx::query(set).bind(msp.0).bind(id).execute(&mut *tx).await?.rows_affected();
        if n != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        sqlx::query(clear).bind(msp.0).bind(id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(true)
    })
}

/// Runs `sql` (`$1` msp, `$2` id, `$3` position) for each id in order, in one transaction.
async fn set_positions(db: &Db, sql: &'static str, msp: MspScope, ids: &[Uuid]) -> Result<(), DbError> {
    on_db!(db, p => {
        let mut tx = p.begin().await?;
        for (i, id) in ids.iter().enumerate() {
            sqlx::query(sql).bind(msp.0).bind(*id).bind(i as i64).execute(&mut *tx).await?;
        }
        tx.commit().await
    })
}
