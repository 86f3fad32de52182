//! Customers of an MSP and their feature toggles.

use super::{on_db, CustomerScope, Db, DbError, MspScope, Ts};
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CustomerRow {
    pub id: crate::model::CustomerId,
    pub msp_id: Uuid,
    pub name: String,
    pub m365_tenant_id: Option<String>,
    pub features: String,
    pub active: bool,
    pub created_at: Ts,
    pub updated_at: Ts,
}

/// A customer with its portal-user count, for lists.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CustomerListRow {
    #[sqlx(flatten)]
    pub customer: CustomerRow,
    pub user_count: i64,
}

const COLS: &str = "id, msp_id, name, m365_tenant_id, features, active, created_at, updated_at";

pub async fn get(db: &Db, scope: CustomerScope) -> Result<Option<CustomerRow>, DbError> {
    let sql = format!("SELECT {COLS} FROM customers WHERE msp_id = $1 AND id = $2");
    on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(scope.msp_id()).bind(scope.customer_id()).fetch_optional(p).await)
}

/// A customer of `msp` by id: how a scope is first obtained (see `policy::customer_scope`).
pub async fn find(db: &Db, msp: MspScope, id: crate::model::CustomerId) -> Result<Option<CustomerRow>, DbError> {
    let sql = format!("SELECT {COLS} FROM customers WHERE msp_id = $1 AND id = $2");
    on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(msp.0).bind(id).fetch_optional(p).await)
}

/// Customers with a tenant ID, of any MSP, or just `only` (the `portico sync` command).
pub async fn with_tenant(db: &Db, only: Option<Uuid>) -> Result<Vec<CustomerRow>, DbError> {
    let sql = format!(
        "SELECT {COLS} FROM customers WHERE m365_tenant_id IS NOT NULL AND m365_tenant_id <> '' \
         AND ($1 IS NULL OR id = $1) ORDER BY name"
    );
    on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(only).fetch_all(p).await)
}

pub async fn find_by_name(db: &Db, scope: MspScope, name: &str) -> Result<Option<CustomerRow>, DbError> {
    let sql = format!("SELECT {COLS} FROM customers WHERE msp_id = $1 AND lower(name) = lower($2)");
    on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(scope.0).bind(name).fetch_optional(p).await)
}

/// Customers matching `search` (name contains), newest paging by name.
/// The orders a customer list can be sorted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CustomerSort {
    Name,
    Users,
    Status,
    Created,
}

impl CustomerSort {
    pub fn parse(s: &str) -> Option<CustomerSort> {
        Some(match s {
            "name" => CustomerSort::Name,
            "users" => CustomerSort::Users,
            "status" => CustomerSort::Status,
            "created" => CustomerSort::Created,
            _ => return None,
        })
    }

    fn order_by(self, desc: bool) -> String {
        let dir = if desc { "DESC" } else { "ASC" };
        let key = match self {
            CustomerSort::Name => "lower(c.name)",
            CustomerSort::Users => "user_count",
            CustomerSort::Status => "c.active",
            CustomerSort::Created => "c.created_at",
        };
        // The name breaks ties, so paging is stable.
        format!("{key} {dir}, lower(c.name) ASC, c.id ASC")
    }
}

pub async fn list(
    db: &Db,
    scope: MspScope,
    search: &str,
    sort: (CustomerSort, bool),
    limit: i64,
    offset: i64,
) -> Result<(Vec<CustomerListRow>, i64), DbError> {
    let pattern = format!("%{}%", search.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
    let sql = format!(
        "SELECT c.id, c.msp_id, c.name, c.m365_tenant_id, c.features, c.active, c.created_at, c.updated_at, \
         (SELECT COUNT(*) FROM users u WHERE u.msp_id = c.msp_id AND u.customer_id = c.id) AS user_count \
         FROM customers c WHERE c.msp_id = $1 AND lower(c.name) LIKE lower($2) ESCAPE '\\' \
         ORDER BY {} LIMIT $3 OFFSET $4",
        sort.0.order_by(sort.1)
    );
    let rows = on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(scope.0).bind(&pattern).bind(limit).bind(offset).fetch_all(p).await)?;
    let total: (i64,) = on_db!(db, p => sqlx::query_as(
        "SELECT COUNT(*) FROM customers WHERE msp_id = $1 AND lower(name) LIKE lower($2) ESCAPE '\\'",
    ).bind(scope.0).bind(&pattern).fetch_one(p).await)?;
    Ok((rows, total.0))
}

pub async fn insert(
    db: &Db,
    scope: MspScope,
    id: crate::model::CustomerId,
    name: &str,
    tenant: Option<&str>,
    features: &str,
    now: Ts,
) -> Result<(), DbError> {
    on_db!(db, p => sqlx::query(
        "INSERT INTO customers (id, msp_id, name, m365_tenant_id, features, active, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, TRUE, $6, $6)",
    ).bind(id).bind(scope.0).bind(name).bind(tenant).bind(features).bind(now).execute(p).await.map(|_| ()))
}

/// Replaces the editable fields; returns false when the customer is not in scope.
pub async fn update(
    db: &Db,
    scope: CustomerScope,
    name: &str,
    tenant: Option<&str>,
    features: &str,
    active: bool,
    now: Ts,
) -> Result<bool, DbError> {
    let r = on_db!(db, p => sqlx::query(
        "UPDATE customers SET name = $3, m365_tenant_id = $4, features = $5, active = $6, updated_at = $7 \
         WHERE msp_id = $1 AND id = $2",
    ).bind(scope.msp_id()).bind(scope.customer_id()).bind(name).bind(tenant).bind(features).bind(active).bind(now)
    .execute(p).await.map(|r| r.rows_affected()))?;
    Ok(r == 1)
}
