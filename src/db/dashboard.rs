//! The dashboard's figures for one customer, read in one round trip
//! (one pass over the customer's users and one over its open tickets).

use super::{on_db, CustomerScope, Db, DbError};

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
pub async fn counts(db: &Db, scope: CustomerScope, involving: Option<crate::model::UserId>) -> Result<Counts, DbError> {
    on_db!(db, p => sqlx::query_as(
        "SELECT u.users, u.active_users, u.admins, u.invited, t.open_tickets, t.awaiting_customer FROM \
         (SELECT COUNT(*) AS users, \
          COALESCE(SUM(CASE WHEN active AND password_hash IS NOT NULL THEN 1 ELSE 0 END), 0) AS active_users, \
          COALESCE(SUM(CASE WHEN active AND role = 'admin' THEN 1 ELSE 0 END), 0) AS admins, \
          COALESCE(SUM(CASE WHEN active AND password_hash IS NULL THEN 1 ELSE 0 END), 0) AS invited \
          FROM users WHERE msp_id = $1 AND customer_id = $2) u, \
         (SELECT COUNT(*) AS open_tickets, \
          COALESCE(SUM(CASE WHEN s.auto_on = 'staff_reply' THEN 1 ELSE 0 END), 0) AS awaiting_customer \
          FROM tickets t JOIN ticket_statuses s ON s.id = t.status_id WHERE t.msp_id = $1 AND t.customer_id = $2 \
          AND NOT s.is_closed AND ($3 IS NULL OR t.requester_id = $3 OR EXISTS \
          (SELECT 1 FROM ticket_watchers w WHERE w.ticket_id = t.id AND w.user_id = $3))) t",
    ).bind(scope.msp_id()).bind(scope.customer_id()).bind(involving).fetch_one(p).await)
}
