//! The dashboard's figures for one customer, read in one round trip.

use super::{on_db, CustomerScope, Db, DbError};
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Counts {
    pub users: i64,
    pub active_users: i64,
    pub admins: i64,
    pub invited: i64,
    pub open_tickets: i64,
    pub awaiting_customer: i64,
}

/// Portal users by state, and open tickets (only those `involving` the user when given).
pub async fn counts(db: &Db, scope: CustomerScope, involving: Option<Uuid>) -> Result<Counts, DbError> {
    on_db!(db, p => sqlx::query_as(
        "SELECT \
         (SELECT COUNT(*) FROM users WHERE msp_id = $1 AND customer_id = $2) AS users, \
         (SELECT COUNT(*) FROM users WHERE msp_id = $1 AND customer_id = $2 AND active AND password_hash IS NOT NULL) AS active_users, \
         (SELECT COUNT(*) FROM users WHERE msp_id = $1 AND customer_id = $2 AND active AND role = 'admin') AS admins, \
         (SELECT COUNT(*) FROM users WHERE msp_id = $1 AND customer_id = $2 AND active AND password_hash IS NULL) AS invited, \
         (SELECT COUNT(*) FROM tickets t JOIN ticket_statuses s ON s.id = t.status_id WHERE t.msp_id = $1 AND t.customer_id = $2 \
          AND NOT s.is_closed AND ($3 IS NULL OR t.requester_id = $3 OR EXISTS \
          (SELECT 1 FROM ticket_watchers w WHERE w.ticket_id = t.id AND w.user_id = $3))) AS open_tickets, \
         (SELECT COUNT(*) FROM tickets t JOIN ticket_statuses s ON s.id = t.status_id WHERE t.msp_id = $1 AND t.customer_id = $2 \
          AND NOT s.is_closed AND s.auto_on = 'staff_reply' AND ($3 IS NULL OR t.requester_id = $3 OR EXISTS \
          (SELECT 1 FROM ticket_watchers w WHERE w.ticket_id = t.id AND w.user_id = $3))) AS awaiting_customer",
    ).bind(scope.msp_id).bind(scope.customer_id).bind(involving).fetch_one(p).await)
}
