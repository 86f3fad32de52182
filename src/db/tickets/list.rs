//! Ticket lists: the filter a list asks for, its sort orders, and the one SQL text of both.

use super::{TicketRow, SELECT};
use crate::db::{on_db, Db, DbError, MspScope, Ts};
use uuid::Uuid;

/// Which tickets a list shows; empty means "any". The service sets `number`, `me`, `involving`.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub customer: Option<crate::model::CustomerId>,
    /// "", "open" or "closed"
    pub state: String,
    pub status: Option<Uuid>,
    pub priority: Option<Uuid>,
    pub category: Option<Uuid>,
    /// Matched against the title and description, or exactly against `number`.
    pub search: String,
    pub number: Option<i64>,
    /// "", "unassigned" or "me" (assigned to `me`)
    pub assignment: String,
    pub me: Option<crate::model::UserId>,
    /// Only tickets waiting for the customer's answer.
    pub awaiting_me: bool,
    /// Only tickets this user raised or watches (standard and limited users).
    pub involving: Option<crate::model::UserId>,
    pub updated_since: Option<Ts>,
    pub external_id: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    Number,
    Title,
    Status,
    Priority,
    Due,
    Created,
    Updated,
}

impl Sort {
    pub const KEYS: [(&'static str, Sort); 7] = [
        ("number", Sort::Number),
        ("title", Sort::Title),
        ("status", Sort::Status),
        ("priority", Sort::Priority),
        ("due", Sort::Due),
        ("created", Sort::Created),
        ("updated", Sort::Updated),
    ];

    pub fn parse(s: &str) -> Option<Sort> {
        Self::KEYS.iter().find(|(k, _)| *k == s).map(|(_, v)| *v)
    }

    fn column(self) -> &'static str {
        match self {
            Sort::Number => "t.number",
            Sort::Title => "lower(t.title)",
            Sort::Status => "s.position",
            Sort::Priority => "pr.position",
            Sort::Due => "t.due_at",
            Sort::Created => "t.created_at",
            Sort::Updated => "t.updated_at",
        }
    }
}

const WHERE: &str = " WHERE t.msp_id = $1 \
    AND ($2 IS NULL OR t.customer_id = $2) \
    AND ($3 = '' OR ($3 = 'open' AND NOT s.is_closed) OR ($3 = 'closed' AND s.is_closed)) \
    AND ($4 IS NULL OR t.status_id = $4) \
    AND ($5 IS NULL OR t.priority_id = $5) \
    AND ($6 IS NULL OR t.category_id = $6) \
    AND ($7 = '' OR lower(t.title) LIKE $8 ESCAPE '\\' OR lower(t.description) LIKE $8 ESCAPE '\\' OR t.number = $9) \
    AND ($10 = '' OR ($10 = 'unassigned' AND t.assignee_id IS NULL) OR ($10 = 'me' AND t.assignee_id = $11)) \
    AND ($12 = FALSE OR s.auto_on = 'staff_reply') \
    AND ($13 IS NULL OR t.requester_id = $13 OR EXISTS (SELECT 1 FROM ticket_watchers w WHERE w.ticket_id = t.id AND w.user_id = $13)) \
    AND ($14 IS NULL OR t.updated_at > $14) \
    AND ($15 IS NULL OR t.external_id = $15)";

macro_rules! bind_filter {
    ($q:expr, $msp:expr, $f:expr, $pattern:expr) => {
        $q.bind($msp.0)
            .bind($f.customer)
            .bind($f.state.as_str())
            .bind($f.status)
            .bind($f.priority)
            .bind($f.category)
            .bind($f.search.as_str())
            .bind($pattern)
            .bind($f.number.unwrap_or(-1))
            .bind($f.assignment.as_str())
            .bind($f.me)
            .bind($f.awaiting_me)
            .bind($f.involving)
            .bind($f.updated_since)
            .bind($f.external_id.as_deref())
    };
}

pub async fn list(
    db: &Db,
    msp: MspScope,
    f: &Filter,
    sort: (Sort, bool),
    limit: i64,
    offset: i64,
) -> Result<(Vec<TicketRow>, i64), DbError> {
    let pattern =
        format!("%{}%", f.search.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
    let dir = if sort.1 { "DESC" } else { "ASC" };
    let sql = format!("{SELECT}{WHERE} ORDER BY {} {dir}, t.number DESC LIMIT $16 OFFSET $17", sort.0.column());
    let count = format!("SELECT COUNT(*) FROM tickets t JOIN ticket_statuses s ON s.id = t.status_id{WHERE}");
    let rows = on_db!(db, p => bind_filter!(sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())), msp, f, &pattern).bind(limit).bind(offset).fetch_all(p).await)?;
    let total: (i64,) = on_db!(db, p => bind_filter!(sqlx::query_as(sqlx::AssertSqlSafe(count.clone())), msp, f, &pattern).fetch_one(p).await)?;
    Ok((rows, total.0))
}
