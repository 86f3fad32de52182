//! Microsoft 365 tenant data as the portal reads it: the directory, groups, SKUs and their history,
//! secure score, alerts, service health and the change log. The sync writes these tables
//! (see `m365_sync`); the only write here is the MSP's prices, saved as one form.
//!
//! Every function takes the `CustomerScope` its caller was granted.

use super::{on_db, CustomerScope, Db, DbError, Ts};

/// Whether the tenant gives sign-in times (Entra ID P1/P2), and when the next sync is due.
pub async fn tenant_state(db: &Db, scope: CustomerScope) -> Result<Option<(bool, Option<Ts>)>, DbError> {
    on_db!(db, p => sqlx::query_as("SELECT m365_sign_ins, m365_next_sync_at FROM customers WHERE msp_id = $1 AND id = $2")
        .bind(scope.msp_id()).bind(scope.customer_id()).fetch_optional(p).await)
}

/// One directory user as the tenant has it: what the sync writes, the directory reads and the
/// API shows (with the licenses by name beside it).
#[derive(Debug, Clone, Default, PartialEq, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct UserRecord {
    /// The user's Microsoft Entra object id.
    pub id: String,
    pub display_name: String,
    /// The sign-in name (user principal name).
    pub upn: String,
    pub mail: Option<String>,
    /// Sign-in is allowed (false: the account is blocked).
    pub enabled: bool,
    pub job_title: Option<String>,
    pub department: Option<String>,
    pub office: Option<String>,
    pub mobile: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub created_at: Option<Ts>,
    /// Absent when the user never signed in (or sign-in times are not available).
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_sign_in_at: Option<Ts>,
    /// SKU ids (GUIDs as text), from `m365_user_licenses`.
    #[sqlx(skip)]
    #[serde(skip)]
    pub licenses: Vec<String>,
}

/// A directory row and the number of rows its query matched.
#[derive(sqlx::FromRow)]
struct Counted {
    #[sqlx(flatten)]
    row: UserRecord,
    total: i64,
}

pub(super) const USER_COLS: &str =
    "u.id, u.display_name, u.upn, u.mail, u.enabled, u.job_title, u.department, u.office, u.mobile, \
                         u.created_at, u.last_sign_in_at";

/// What a directory list asks for. Empty strings mean "any".
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    /// Text in the name, sign-in name, mail address or department.
    pub search: String,
    /// `enabled` or `disabled`.
    pub status: String,
    /// `licensed` or `unlicensed`.
    pub license: String,
    /// Only holders of this SKU.
    pub sku: String,
}

/// The orders a directory can be sorted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserSort {
    Name,
    Email,
    Department,
    JobTitle,
    Office,
    LastSignIn,
    Created,
}

impl UserSort {
    pub const KEYS: [(&'static str, UserSort); 7] = [
        ("name", UserSort::Name),
        ("email", UserSort::Email),
        ("department", UserSort::Department),
        ("job_title", UserSort::JobTitle),
        ("office", UserSort::Office),
        ("last_sign_in", UserSort::LastSignIn),
        ("created", UserSort::Created),
    ];

    pub fn parse(s: &str) -> Option<UserSort> {
        Self::KEYS.iter().find(|(k, _)| *k == s).map(|(_, v)| *v)
    }

    pub fn key(self) -> &'static str {
        Self::KEYS.iter().find(|(_, v)| *v == self).map(|(k, _)| *k).unwrap_or("name")
    }

    /// ORDER BY terms. Text columns keep empty values last either way; times treat "never"
    /// as the oldest, so it leads an ascending list.
    fn order_by(self, desc: bool) -> String {
        let dir = if desc { "DESC" } else { "ASC" };
        let text = |col: &str| format!("({col} IS NULL OR {col} = '') ASC, lower({col}) {dir}");
        let time = |col: &str| format!("({col} IS NOT NULL) {dir}, {col} {dir}");
        // Name and the text columns follow the indexes of migration 0009.
        let first = match self {
            UserSort::Name => return format!("lower(u.display_name) {dir}, u.id {dir}"),
            UserSort::Email => format!("lower(u.upn) {dir}"),
            UserSort::Department => text("u.department"),
            UserSort::JobTitle => text("u.job_title"),
            UserSort::Office => text("u.office"),
            UserSort::LastSignIn => time("u.last_sign_in_at"),
            UserSort::Created => time("u.created_at"),
        };
        format!("{first}, lower(u.display_name) ASC, u.id ASC")
    }
}

/// The directory's filters as SQL, and the values of its placeholders from `$3` on (`$1` and
/// `$2` are the MSP and the customer). Only the filters given are written, so that a count of a large tenant
/// reads an index rather than every row. SQLite's LIKE already ignores ASCII case (and its
/// lower() knows no more than ASCII), so only PostgreSQL lowers both sides; on a large
/// tenant that halves the cost of a search.
fn user_where(db: &Db, f: &UserFilter) -> (String, Vec<String>) {
    let mut sql = String::from(" WHERE u.msp_id = $1 AND u.customer_id = $2");
    let mut values = vec![];
    if !f.search.is_empty() {
        values.push(like(&f.search));
        let n = values.len() + 2;
        let has = |col: &str| match db {
            Db::Sqlite(_) => format!("{col} LIKE ${n} ESCAPE '\\'"),
            Db::Postgres(_) => format!("lower({col}) LIKE lower(${n}) ESCAPE '\\'"),
        };
        sql += &format!(
            " AND ({} OR {} OR {} OR {})",
            has("u.display_name"),
            has("u.upn"),
            has("COALESCE(u.mail, '')"),
            has("COALESCE(u.department, '')")
        );
    }
    sql += match f.status.as_str() {
        "" => "",
        "enabled" => " AND u.enabled",
        "disabled" => " AND NOT u.enabled",
        _ => " AND 1 = 0",
    };
    sql += match f.license.as_str() {
        "" => "",
        "licensed" => " AND u.licensed",
        "unlicensed" => " AND NOT u.licensed",
        _ => " AND 1 = 0",
    };
    if !f.sku.is_empty() {
        values.push(f.sku.clone());
        sql += &format!(
            " AND EXISTS (SELECT 1 FROM m365_user_licenses l WHERE l.msp_id = u.msp_id AND l.customer_id = u.customer_id \
              AND l.user_id = u.id AND l.sku_id = ${})",
            values.len() + 2
        );
    }
    (sql, values)
}

/// `%text%` for LIKE, with the wildcards in `text` escaped.
fn like(text: &str) -> String {
    if text.is_empty() {
        return String::new();
    }
    format!("%{}%", text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"))
}

/// One page of the directory, each user with their licenses, and the number of users matching.
pub async fn users(
    db: &Db,
    scope: CustomerScope,
    f: &UserFilter,
    sort: (UserSort, bool),
    limit: i64,
    offset: i64,
) -> Result<(Vec<UserRecord>, i64), DbError> {
    let (filter, values) = user_where(db, f);
    let n = values.len() + 3;
    // A search reads every user of the customer, so its page carries the count of matches
    // (one pass instead of two); a list without one counts from an index.
    let searching = !f.search.is_empty();
    let sql = format!(
        "SELECT {USER_COLS}, {} AS total FROM m365_users u{filter} ORDER BY {} LIMIT ${n} OFFSET ${}",
        if searching { "COUNT(*) OVER ()" } else { "CAST(0 AS BIGINT)" },
        sort.0.order_by(sort.1),
        n + 1
    );
    let rows: Vec<Counted> = on_db!(db, p => {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(scope.msp_id()).bind(scope.customer_id());
        for v in &values {
            q = q.bind(v);
        }
        q.bind(limit).bind(offset).fetch_all(p).await
    })?;
    let total = match rows.first() {
        Some(first) if searching => first.total,
        _ => {
            let count = format!("SELECT COUNT(*) FROM m365_users u{filter}");
            let (total,): (i64,) = on_db!(db, p => {
                let mut q = sqlx::query_as(sqlx::AssertSqlSafe(count.clone())).bind(scope.msp_id()).bind(scope.customer_id());
                for v in &values {
                    q = q.bind(v);
                }
                q.fetch_one(p).await
            })?;
            total
        }
    };
    let mut rows: Vec<UserRecord> = rows.into_iter().map(|c| c.row).collect();
    with_licenses(db, scope, &mut rows).await?;
    Ok((rows, total))
}

pub async fn user(db: &Db, scope: CustomerScope, id: &str) -> Result<Option<UserRecord>, DbError> {
    let sql = format!("SELECT {USER_COLS} FROM m365_users u WHERE u.msp_id = $1 AND u.customer_id = $2 AND u.id = $3");
    let row: Option<UserRecord> = on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(scope.msp_id()).bind(scope.customer_id()).bind(id).fetch_optional(p).await)?;
    let mut rows: Vec<UserRecord> = row.into_iter().collect();
    with_licenses(db, scope, &mut rows).await?;
    Ok(rows.pop())
}

/// Fills in each user's SKU ids.
pub(super) async fn with_licenses(db: &Db, scope: CustomerScope, users: &mut [UserRecord]) -> Result<(), DbError> {
    let ids: Vec<&str> = users.iter().map(|u| u.id.as_str()).collect();
    let pairs = licenses_of(db, scope, &ids).await?;
    for u in users.iter_mut() {
        u.licenses = pairs.iter().filter(|(user, _)| *user == u.id).map(|(_, sku)| sku.clone()).collect();
    }
    Ok(())
}

/// The SKU ids held by each of `users`: (user id, SKU id).
pub async fn licenses_of(db: &Db, scope: CustomerScope, users: &[&str]) -> Result<Vec<(String, String)>, DbError> {
    let mut out = vec![];
    // Pages are at most 200 users; chunks keep any caller well under the bind limits.
    for chunk in users.chunks(200) {
        let list = (0..chunk.len()).map(|i| format!("${}", i + 3)).collect::<Vec<_>>().join(", ");
        let sql = format!(
            "SELECT user_id, sku_id FROM m365_user_licenses WHERE msp_id = $1 AND customer_id = $2 AND user_id IN ({list}) ORDER BY user_id, sku_id"
        );
        let rows: Vec<(String, String)> = on_db!(db, p => {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(scope.msp_id()).bind(scope.customer_id());
            for u in chunk {
                q = q.bind(*u);
            }
            q.fetch_all(p).await
        })?;
        out.extend(rows);
    }
    Ok(out)
}

/// Directory size: (all users, enabled, licensed).
pub async fn user_counts(db: &Db, scope: CustomerScope) -> Result<(i64, i64, i64), DbError> {
    on_db!(db, p => sqlx::query_as(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN enabled THEN 1 ELSE 0 END), 0), \
         COALESCE(SUM(CASE WHEN licensed THEN 1 ELSE 0 END), 0) FROM m365_users WHERE msp_id = $1 AND customer_id = $2",
    ).bind(scope.msp_id()).bind(scope.customer_id()).fetch_one(p).await)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SkuRow {
    pub sku_id: String,
    pub part_number: String,
    pub capability_status: String,
    pub enabled: i64,
    pub suspended: i64,
    pub warning: i64,
    pub consumed: i64,
    pub renewal_at: Option<Ts>,
    /// The MSP's monthly price per license, in cents.
    pub price_cents: Option<i64>,
}

pub async fn skus(db: &Db, scope: CustomerScope) -> Result<Vec<SkuRow>, DbError> {
    on_db!(db, p => sqlx::query_as(
        "SELECT s.sku_id, s.part_number, s.capability_status, s.enabled, s.suspended, s.warning, s.consumed, s.renewal_at, \
         pr.cents AS price_cents FROM m365_skus s \
         LEFT JOIN m365_prices pr ON pr.msp_id = s.msp_id AND pr.customer_id = s.customer_id AND pr.sku_id = s.sku_id \
         WHERE s.msp_id = $1 AND s.customer_id = $2 ORDER BY s.part_number",
    ).bind(scope.msp_id()).bind(scope.customer_id()).fetch_all(p).await)
}

/// Daily figures since `from_day` (YYYY-MM-DD): (SKU, day, assigned, total).
pub async fn sku_history(
    db: &Db,
    scope: CustomerScope,
    from_day: &str,
) -> Result<Vec<(String, String, i64, i64)>, DbError> {
    on_db!(db, p => sqlx::query_as(
        "SELECT sku_id, day, assigned, total FROM m365_sku_history WHERE msp_id = $1 AND customer_id = $2 AND day >= $3 ORDER BY day, sku_id",
    ).bind(scope.msp_id()).bind(scope.customer_id()).bind(from_day).fetch_all(p).await)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UnusedRow {
    pub user_id: String,
    pub display_name: String,
    pub upn: String,
    pub enabled: bool,
    pub last_sign_in_at: Option<Ts>,
    pub created_at: Option<Ts>,
    pub sku_id: String,
    pub part_number: Option<String>,
    pub price_cents: Option<i64>,
}

/// Licenses held by disabled users and, when `by_sign_in`, by users who have not signed in
/// since `cutoff` (or never have, and were created before it), one row per license.
pub async fn unused(db: &Db, scope: CustomerScope, by_sign_in: bool, cutoff: Ts) -> Result<Vec<UnusedRow>, DbError> {
    on_db!(db, p => sqlx::query_as(
        "SELECT u.id AS user_id, u.display_name, u.upn, u.enabled, u.last_sign_in_at, u.created_at, l.sku_id, \
         s.part_number, pr.cents AS price_cents \
         FROM m365_user_licenses l JOIN m365_users u ON u.msp_id = l.msp_id AND u.customer_id = l.customer_id AND u.id = l.user_id \
         LEFT JOIN m365_skus s ON s.msp_id = l.msp_id AND s.customer_id = l.customer_id AND s.sku_id = l.sku_id \
         LEFT JOIN m365_prices pr ON pr.msp_id = l.msp_id AND pr.customer_id = l.customer_id AND pr.sku_id = l.sku_id \
         WHERE l.msp_id = $1 AND l.customer_id = $2 AND (NOT u.enabled OR ($3 AND ( \
           (u.last_sign_in_at IS NOT NULL AND u.last_sign_in_at < $4) \
           OR (u.last_sign_in_at IS NULL AND (u.created_at IS NULL OR u.created_at < $4))))) \
         ORDER BY lower(u.display_name), u.id, l.sku_id",
    ).bind(scope.msp_id()).bind(scope.customer_id()).bind(by_sign_in).bind(cutoff).fetch_all(p).await)
}

/// Secure score per day since `from_day`: (day, current, max).
pub async fn scores(db: &Db, scope: CustomerScope, from_day: &str) -> Result<Vec<(String, f64, f64)>, DbError> {
    on_db!(db, p => sqlx::query_as(
        "SELECT day, current_score, max_score FROM m365_scores WHERE msp_id = $1 AND customer_id = $2 AND day >= $3 ORDER BY day",
    ).bind(scope.msp_id()).bind(scope.customer_id()).bind(from_day).fetch_all(p).await)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ControlRow {
    pub id: String,
    pub title: String,
    pub max_score: f64,
    pub score: f64,
    pub rank: i64,
    pub user_impact: String,
    pub implementation_cost: String,
    pub action_url: String,
    pub remediation: String,
}

pub async fn controls(db: &Db, scope: CustomerScope) -> Result<Vec<ControlRow>, DbError> {
    on_db!(db, p => sqlx::query_as(
        "SELECT id, title, max_score, score, rank, user_impact, implementation_cost, action_url, remediation \
         FROM m365_controls WHERE msp_id = $1 AND customer_id = $2 ORDER BY rank, title",
    ).bind(scope.msp_id()).bind(scope.customer_id()).fetch_all(p).await)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AlertRow {
    pub id: String,
    pub title: String,
    pub severity: String,
    pub status: String,
    pub source: String,
    pub first_seen_at: Ts,
    pub updated_at: Ts,
}

pub async fn alerts(db: &Db, scope: CustomerScope) -> Result<Vec<AlertRow>, DbError> {
    on_db!(db, p => sqlx::query_as(
        "SELECT id, title, severity, status, source, first_seen_at, updated_at FROM m365_alerts \
         WHERE msp_id = $1 AND customer_id = $2 ORDER BY updated_at DESC, id",
    ).bind(scope.msp_id()).bind(scope.customer_id()).fetch_all(p).await)
}

/// The service overview: (service, status).
pub async fn services(db: &Db, scope: CustomerScope) -> Result<Vec<(String, String)>, DbError> {
    on_db!(db, p => sqlx::query_as("SELECT service, status FROM m365_services WHERE msp_id = $1 AND customer_id = $2 ORDER BY service")
        .bind(scope.msp_id()).bind(scope.customer_id()).fetch_all(p).await)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct IssueRow {
    pub id: String,
    pub service: String,
    pub title: String,
    pub classification: String,
    pub status: String,
    pub started_at: Ts,
    pub updated_at: Ts,
    pub resolved: bool,
    pub latest_update: String,
}

/// Unresolved issues, most recently updated first.
pub async fn open_issues(db: &Db, scope: CustomerScope) -> Result<Vec<IssueRow>, DbError> {
    on_db!(db, p => sqlx::query_as(
        "SELECT id, service, title, classification, status, started_at, updated_at, resolved, latest_update \
         FROM m365_issues WHERE msp_id = $1 AND customer_id = $2 AND NOT resolved ORDER BY updated_at DESC, id",
    ).bind(scope.msp_id()).bind(scope.customer_id()).fetch_all(p).await)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ChangeRow {
    pub at: Ts,
    pub kind: String,
    pub user_name: String,
    pub detail: String,
}

/// The newest entries of the change log.
pub async fn recent_changes(db: &Db, scope: CustomerScope, limit: i64) -> Result<Vec<ChangeRow>, DbError> {
    on_db!(db, p => sqlx::query_as(
        "SELECT at, kind, user_name, detail FROM m365_changes WHERE msp_id = $1 AND customer_id = $2 ORDER BY at DESC, id DESC LIMIT $3",
    ).bind(scope.msp_id()).bind(scope.customer_id()).bind(limit).fetch_all(p).await)
}

/// How many changes of each kind were logged since `since`.
pub async fn change_counts(db: &Db, scope: CustomerScope, since: Ts) -> Result<Vec<(String, i64)>, DbError> {
    on_db!(db, p => sqlx::query_as(
        "SELECT kind, COUNT(*) FROM m365_changes WHERE msp_id = $1 AND customer_id = $2 AND at >= $3 GROUP BY kind ORDER BY kind",
    ).bind(scope.msp_id()).bind(scope.customer_id()).bind(since).fetch_all(p).await)
}

/// Sets the MSP's monthly price per license (cents) of several SKUs at once; `None` clears
/// one. One transaction, so a form of prices is saved whole or not at all.
pub async fn save_prices(db: &Db, scope: CustomerScope, prices: &[(String, Option<i64>)]) -> Result<(), DbError> {
    on_db!(db, p => {
        let mut tx = p.begin().await?;
        for (sku, cents) in prices {
            match cents {
                Some(c) => sqlx::query(
                    "INSERT INTO m365_prices (msp_id, customer_id, sku_id, cents) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (customer_id, sku_id) DO UPDATE SET cents = $4",
                ).bind(scope.msp_id()).bind(scope.customer_id()).bind(sku).bind(*c).execute(&mut *tx).await?,
                None => sqlx::query("DELETE FROM m365_prices WHERE msp_id = $1 AND customer_id = $2 AND sku_id = $3")
                    .bind(scope.msp_id()).bind(scope.customer_id()).bind(sku).execute(&mut *tx).await?,
            };
        }
        tx.commit().await
    })
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct GroupRow {
    pub id: String,
    pub name: String,
    /// `microsoft365`, `distribution`, `security` or `mail_security`, as the sync derived it.
    pub kind: String,
    pub mail: Option<String>,
    /// Direct members.
    pub members: i64,
}

/// What a groups list asks for. Empty strings mean "any".
#[derive(Debug, Clone, Default)]
pub struct GroupFilter {
    /// Text in the name or mail address.
    pub search: String,
    /// One of the kinds.
    pub kind: String,
}

/// The orders a groups list can be sorted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupSort {
    Name,
    Members,
}

impl GroupSort {
    pub const KEYS: [(&'static str, GroupSort); 2] = [("name", GroupSort::Name), ("members", GroupSort::Members)];

    pub fn parse(s: &str) -> Option<GroupSort> {
        Self::KEYS.iter().find(|(k, _)| *k == s).map(|(_, v)| *v)
    }

    pub fn key(self) -> &'static str {
        Self::KEYS.iter().find(|(_, v)| *v == self).map(|(k, _)| *k).unwrap_or("name")
    }

    fn order_by(self, desc: bool) -> String {
        let dir = if desc { "DESC" } else { "ASC" };
        let first = match self {
            GroupSort::Name => format!("lower(g.name) {dir}"),
            GroupSort::Members => format!("g.members {dir}"),
        };
        format!("{first}, lower(g.name) ASC, g.id ASC")
    }
}

const GROUP_WHERE: &str = " WHERE g.msp_id = $1 AND g.customer_id = $2 \
    AND ($3 = '' OR lower(g.name) LIKE lower($3) ESCAPE '\\' OR lower(COALESCE(g.mail, '')) LIKE lower($3) ESCAPE '\\') \
    AND ($4 = '' OR g.kind = $4)";

/// One page of the tenant's groups and the number of groups matching.
pub async fn groups(
    db: &Db,
    scope: CustomerScope,
    f: &GroupFilter,
    sort: (GroupSort, bool),
    limit: i64,
    offset: i64,
) -> Result<(Vec<GroupRow>, i64), DbError> {
    let pattern = like(&f.search);
    let sql = format!(
        "SELECT g.id, g.name, g.kind, g.mail, g.members FROM m365_groups g{GROUP_WHERE} ORDER BY {} LIMIT $5 OFFSET $6",
        sort.0.order_by(sort.1)
    );
    let count = format!("SELECT COUNT(*) FROM m365_groups g{GROUP_WHERE}");
    let rows = on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(scope.msp_id()).bind(scope.customer_id()).bind(&pattern).bind(&f.kind).bind(limit).bind(offset).fetch_all(p).await)?;
    let (total,): (i64,) = on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(count.clone()))
        .bind(scope.msp_id()).bind(scope.customer_id()).bind(&pattern).bind(&f.kind).fetch_one(p).await)?;
    Ok((rows, total))
}

/// How many groups the tenant has of each kind: (kind, count).
pub async fn group_kinds(db: &Db, scope: CustomerScope) -> Result<Vec<(String, i64)>, DbError> {
    on_db!(db, p => sqlx::query_as(
        "SELECT kind, COUNT(*) FROM m365_groups WHERE msp_id = $1 AND customer_id = $2 GROUP BY kind ORDER BY kind",
    ).bind(scope.msp_id()).bind(scope.customer_id()).fetch_all(p).await)
}
