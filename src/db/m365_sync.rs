//! Microsoft 365 tenant data as a sync writes it: each area replaced or upserted in one
//! transaction, so a failed sync never leaves an area half-written; plus sync state, the
//! MSP's app registration, per-customer options and prices.
//!
//! Every tenant row carries its MSP and its customer; every function takes the
//! `CustomerScope` that `policy` made, and writes and filters on both of its ids.

use uuid::Uuid;

use super::m365::{with_licenses, USER_COLS};
use super::{on_db, CustomerScope, Db, DbError, MspScope, Ts};

pub use super::m365::UserRecord;

/// Rows per multi-row INSERT: well under SQLite's bind limit, few round trips.
const BATCH: usize = 200;

/// Inserts or updates a page of users and their licenses in one transaction. A user read
/// without a sign-in time (a delta round carries none) keeps the one stored. On a tenant's
/// first read nobody has licenses stored yet, so there are none to replace: skipping that
/// delete matters on PostgreSQL, where the new tables have no statistics yet and each delete
/// would scan them.
pub async fn upsert_users(
    db: &Db,
    scope: CustomerScope,
    users: &[UserRecord],
    now: Ts,
    first_read: bool,
) -> Result<(), DbError> {
    if users.is_empty() {
        return Ok(());
    }
    on_db!(db, p => {
        let mut tx = p.begin().await?;
        for chunk in users.chunks(BATCH) {
            let cols = 15;
            let rows = (0..chunk.len())
                .map(|r| format!("({})", (1..=cols).map(|c| format!("${}", r * cols + c)).collect::<Vec<_>>().join(", ")))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "INSERT INTO m365_users (msp_id, customer_id, id, display_name, upn, mail, enabled, job_title, department, office, \
                 mobile, created_at, last_sign_in_at, licensed, synced_at) VALUES {rows} \
                 ON CONFLICT (msp_id, customer_id, id) DO UPDATE SET display_name = excluded.display_name, upn = excluded.upn, \
                 mail = excluded.mail, enabled = excluded.enabled, job_title = excluded.job_title, \
                 department = excluded.department, office = excluded.office, mobile = excluded.mobile, \
                 created_at = excluded.created_at, \
                 last_sign_in_at = COALESCE(excluded.last_sign_in_at, m365_users.last_sign_in_at), \
                 licensed = excluded.licensed, synced_at = excluded.synced_at"
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for u in chunk {
                q = q.bind(scope.msp_id()).bind(scope.customer_id()).bind(&u.id).bind(&u.display_name).bind(&u.upn).bind(&u.mail).bind(u.enabled)
                    .bind(&u.job_title).bind(&u.department).bind(&u.office).bind(&u.mobile).bind(u.created_at)
                    .bind(u.last_sign_in_at).bind(!u.licenses.is_empty()).bind(now);
            }
            q.execute(&mut *tx).await?;
            if !first_read {
                let ids = (0..chunk.len()).map(|i| format!("${}", i + 3)).collect::<Vec<_>>().join(", ");
                let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DELETE FROM m365_user_licenses WHERE msp_id = $1 AND customer_id = $2 AND user_id IN ({ids})"
                )))
                .bind(scope.msp_id()).bind(scope.customer_id());
                for u in chunk {
                    q = q.bind(&u.id);
                }
                q.execute(&mut *tx).await?;
            }
            let pairs: Vec<(&str, &str)> =
                chunk.iter().flat_map(|u| u.licenses.iter().map(move |s| (u.id.as_str(), s.as_str()))).collect();
            for part in pairs.chunks(BATCH) {
                let rows = (0..part.len()).map(|i| format!("($1, $2, ${}, ${})", i * 2 + 3, i * 2 + 4)).collect::<Vec<_>>().join(", ");
                let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "INSERT INTO m365_user_licenses (msp_id, customer_id, user_id, sku_id) VALUES {rows} ON CONFLICT DO NOTHING"
                )))
                .bind(scope.msp_id()).bind(scope.customer_id());
                for (u, s) in part {
                    q = q.bind(*u).bind(*s);
                }
                q.execute(&mut *tx).await?;
            }
        }
        tx.commit().await
    })
}

/// The stored users among `ids`, with their licenses: what a delta round's partial records
/// are laid over.
pub async fn stored_users(db: &Db, scope: CustomerScope, ids: &[String]) -> Result<Vec<UserRecord>, DbError> {
    let mut users = vec![];
    for chunk in ids.chunks(BATCH) {
        let list = (0..chunk.len()).map(|i| format!("${}", i + 3)).collect::<Vec<_>>().join(", ");
        let sql = format!(
            "SELECT {USER_COLS} FROM m365_users u WHERE u.msp_id = $1 AND u.customer_id = $2 AND u.id IN ({list})"
        );
        let mut rows: Vec<UserRecord> = on_db!(db, p => {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(scope.msp_id()).bind(scope.customer_id());
            for id in chunk {
                q = q.bind(id);
            }
            q.fetch_all(p).await
        })?;
        with_licenses(db, scope, &mut rows).await?;
        users.extend(rows);
    }
    Ok(users)
}

/// What is stored of each user before a sync, to tell what changed: (id, name, enabled).
pub async fn user_states(db: &Db, scope: CustomerScope) -> Result<Vec<(String, String, bool)>, DbError> {
    on_db!(db, p => sqlx::query_as("SELECT id, display_name, enabled FROM m365_users WHERE msp_id = $1 AND customer_id = $2")
        .bind(scope.msp_id()).bind(scope.customer_id()).fetch_all(p).await)
}

/// Every (user, SKU) pair stored.
pub async fn license_pairs(db: &Db, scope: CustomerScope) -> Result<Vec<(String, String)>, DbError> {
    on_db!(db, p => sqlx::query_as("SELECT user_id, sku_id FROM m365_user_licenses WHERE msp_id = $1 AND customer_id = $2")
        .bind(scope.msp_id()).bind(scope.customer_id()).fetch_all(p).await)
}

/// Removes users by id (a delta's `@removed`), with their licenses; returns their names.
pub async fn remove_users(db: &Db, scope: CustomerScope, ids: &[String]) -> Result<Vec<String>, DbError> {
    let mut names = vec![];
    for chunk in ids.chunks(BATCH) {
        let list = (0..chunk.len()).map(|i| format!("${}", i + 3)).collect::<Vec<_>>().join(", ");
        let got: Vec<(String,)> = on_db!(db, p => {
            let mut tx = p.begin().await?;
            let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
                "DELETE FROM m365_user_licenses WHERE msp_id = $1 AND customer_id = $2 AND user_id IN ({list})"
            ))).bind(scope.msp_id()).bind(scope.customer_id());
            for id in chunk {
                q = q.bind(id);
            }
            q.execute(&mut *tx).await?;
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "DELETE FROM m365_users WHERE msp_id = $1 AND customer_id = $2 AND id IN ({list}) RETURNING display_name"
            ))).bind(scope.msp_id()).bind(scope.customer_id());
            for id in chunk {
                q = q.bind(id);
            }
            let got = q.fetch_all(&mut *tx).await?;
            tx.commit().await?;
            Ok::<_, DbError>(got)
        })?;
        names.extend(got.into_iter().map(|(n,)| n));
    }
    Ok(names)
}

/// After a complete full read: removes users the read did not see; returns their names.
pub async fn remove_unseen_users(db: &Db, scope: CustomerScope, seen_since: Ts) -> Result<Vec<String>, DbError> {
    on_db!(db, p => {
        let mut tx = p.begin().await?;
        sqlx::query(
            "DELETE FROM m365_user_licenses WHERE msp_id = $1 AND customer_id = $2 AND user_id IN \
             (SELECT id FROM m365_users WHERE msp_id = $1 AND customer_id = $2 AND synced_at < $3)",
        ).bind(scope.msp_id()).bind(scope.customer_id()).bind(seen_since).execute(&mut *tx).await?;
        let gone: Vec<(String,)> = sqlx::query_as(
            "DELETE FROM m365_users WHERE msp_id = $1 AND customer_id = $2 AND synced_at < $3 RETURNING display_name",
        ).bind(scope.msp_id()).bind(scope.customer_id()).bind(seen_since).fetch_all(&mut *tx).await?;
        tx.commit().await?;
        Ok(gone.into_iter().map(|(n,)| n).collect())
    })
}

pub async fn set_sign_ins(db: &Db, scope: CustomerScope, available: bool) -> Result<(), DbError> {
    on_db!(db, p => sqlx::query("UPDATE customers SET m365_sign_ins = $3 WHERE msp_id = $1 AND id = $2")
        .bind(scope.msp_id()).bind(scope.customer_id()).bind(available).execute(p).await.map(|_| ()))
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SkuRecord {
    pub sku_id: String,
    pub part_number: String,
    pub capability_status: String,
    pub enabled: i64,
    pub suspended: i64,
    pub warning: i64,
    pub consumed: i64,
}

/// Replaces the tenant's SKUs and records today's figures for the trend.
pub async fn replace_skus(
    db: &Db,
    scope: CustomerScope,
    skus: &[SkuRecord],
    day: &str,
    now: Ts,
) -> Result<(), DbError> {
    on_db!(db, p => {
        let mut tx = p.begin().await?;
        // Renewal dates come from another area: keep them across the replace.
        let renewals: Vec<(String, Option<Ts>)> = sqlx::query_as("SELECT sku_id, renewal_at FROM m365_skus WHERE msp_id = $1 AND customer_id = $2")
            .bind(scope.msp_id()).bind(scope.customer_id()).fetch_all(&mut *tx).await?;
        sqlx::query("DELETE FROM m365_skus WHERE msp_id = $1 AND customer_id = $2").bind(scope.msp_id()).bind(scope.customer_id()).execute(&mut *tx).await?;
        for s in skus {
            let renewal = renewals.iter().find(|(id, _)| *id == s.sku_id).and_then(|(_, r)| *r);
            sqlx::query(
                "INSERT INTO m365_skus (msp_id, customer_id, sku_id, part_number, capability_status, enabled, suspended, warning, \
                 consumed, renewal_at, synced_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            ).bind(scope.msp_id()).bind(scope.customer_id()).bind(&s.sku_id).bind(&s.part_number).bind(&s.capability_status).bind(s.enabled)
            .bind(s.suspended).bind(s.warning).bind(s.consumed).bind(renewal).bind(now).execute(&mut *tx).await?;
            sqlx::query(
                "INSERT INTO m365_sku_history (msp_id, customer_id, sku_id, day, assigned, total) VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (customer_id, sku_id, day) DO UPDATE SET assigned = excluded.assigned, total = excluded.total",
            ).bind(scope.msp_id()).bind(scope.customer_id()).bind(&s.sku_id).bind(day).bind(s.consumed).bind(s.enabled).execute(&mut *tx).await?;
        }
        tx.commit().await
    })
}

/// (SKU id, part number) of the SKUs stored, to name them in the change log.
pub async fn sku_parts(db: &Db, scope: CustomerScope) -> Result<Vec<(String, String)>, DbError> {
    on_db!(db, p => sqlx::query_as("SELECT sku_id, part_number FROM m365_skus WHERE msp_id = $1 AND customer_id = $2")
        .bind(scope.msp_id()).bind(scope.customer_id()).fetch_all(p).await)
}

/// Renewal (next lifecycle) dates per SKU, from the directory subscriptions.
pub async fn set_renewals(db: &Db, scope: CustomerScope, renewals: &[(String, Option<Ts>)]) -> Result<(), DbError> {
    on_db!(db, p => {
        let mut tx = p.begin().await?;
        for (sku, at) in renewals {
            sqlx::query("UPDATE m365_skus SET renewal_at = $4 WHERE msp_id = $1 AND customer_id = $2 AND sku_id = $3")
                .bind(scope.msp_id()).bind(scope.customer_id()).bind(sku).bind(*at).execute(&mut *tx).await?;
        }
        tx.commit().await
    })
}

/// Secure score per day: (day, current, max).
pub async fn upsert_scores(db: &Db, scope: CustomerScope, scores: &[(String, f64, f64)]) -> Result<(), DbError> {
    on_db!(db, p => {
        let mut tx = p.begin().await?;
        for (day, current, max) in scores {
            sqlx::query(
                "INSERT INTO m365_scores (msp_id, customer_id, day, current_score, max_score) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (customer_id, day) DO UPDATE SET current_score = excluded.current_score, max_score = excluded.max_score",
            ).bind(scope.msp_id()).bind(scope.customer_id()).bind(day).bind(*current).bind(*max).execute(&mut *tx).await?;
        }
        tx.commit().await
    })
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ControlRecord {
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

pub async fn replace_controls(db: &Db, scope: CustomerScope, controls: &[ControlRecord]) -> Result<(), DbError> {
    on_db!(db, p => {
        let mut tx = p.begin().await?;
        sqlx::query("DELETE FROM m365_controls WHERE msp_id = $1 AND customer_id = $2").bind(scope.msp_id()).bind(scope.customer_id()).execute(&mut *tx).await?;
        for c in controls {
            sqlx::query(
                "INSERT INTO m365_controls (msp_id, customer_id, id, title, max_score, score, rank, user_impact, implementation_cost, \
                 action_url, remediation) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            ).bind(scope.msp_id()).bind(scope.customer_id()).bind(&c.id).bind(&c.title).bind(c.max_score).bind(c.score).bind(c.rank)
            .bind(&c.user_impact).bind(&c.implementation_cost).bind(&c.action_url).bind(&c.remediation).execute(&mut *tx).await?;
        }
        tx.commit().await
    })
}

#[derive(Debug, Clone, PartialEq)]
pub struct AlertRecord {
    pub id: String,
    pub title: String,
    /// high, medium, low, informational, other
    pub severity: String,
    pub status: String,
    pub source: String,
    pub first_seen_at: Ts,
    pub updated_at: Ts,
}

pub async fn replace_alerts(db: &Db, scope: CustomerScope, alerts: &[AlertRecord]) -> Result<(), DbError> {
    on_db!(db, p => {
        let mut tx = p.begin().await?;
        sqlx::query("DELETE FROM m365_alerts WHERE msp_id = $1 AND customer_id = $2").bind(scope.msp_id()).bind(scope.customer_id()).execute(&mut *tx).await?;
        for a in alerts {
            sqlx::query(
                "INSERT INTO m365_alerts (msp_id, customer_id, id, title, severity, status, source, first_seen_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            ).bind(scope.msp_id()).bind(scope.customer_id()).bind(&a.id).bind(&a.title).bind(&a.severity).bind(&a.status).bind(&a.source)
            .bind(a.first_seen_at).bind(a.updated_at).execute(&mut *tx).await?;
        }
        tx.commit().await
    })
}

#[derive(Debug, Clone, PartialEq)]
pub struct IssueRecord {
    pub id: String,
    pub service: String,
    pub title: String,
    /// incident, advisory, other
    pub classification: String,
    pub status: String,
    pub started_at: Ts,
    pub updated_at: Ts,
    pub resolved: bool,
    pub latest_update: String,
}

/// Replaces the service overview, (service, status), and the issues together.
pub async fn replace_health(
    db: &Db,
    scope: CustomerScope,
    services: &[(String, String)],
    issues: &[IssueRecord],
) -> Result<(), DbError> {
    on_db!(db, p => {
        let mut tx = p.begin().await?;
        sqlx::query("DELETE FROM m365_services WHERE msp_id = $1 AND customer_id = $2").bind(scope.msp_id()).bind(scope.customer_id()).execute(&mut *tx).await?;
        for (service, status) in services {
            sqlx::query("INSERT INTO m365_services (msp_id, customer_id, service, status) VALUES ($1, $2, $3, $4)")
                .bind(scope.msp_id()).bind(scope.customer_id()).bind(service).bind(status).execute(&mut *tx).await?;
        }
        sqlx::query("DELETE FROM m365_issues WHERE msp_id = $1 AND customer_id = $2").bind(scope.msp_id()).bind(scope.customer_id()).execute(&mut *tx).await?;
        for i in issues {
            sqlx::query(
                "INSERT INTO m365_issues (msp_id, customer_id, id, service, title, classification, status, started_at, updated_at, \
                 resolved, latest_update) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            ).bind(scope.msp_id()).bind(scope.customer_id()).bind(&i.id).bind(&i.service).bind(&i.title).bind(&i.classification).bind(&i.status)
            .bind(i.started_at).bind(i.updated_at).bind(i.resolved).bind(&i.latest_update).execute(&mut *tx).await?;
        }
        tx.commit().await
    })
}

#[derive(Debug, Clone, PartialEq)]
pub struct GroupRecord {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub mail: Option<String>,
    pub members: i64,
}

pub async fn replace_groups(db: &Db, scope: CustomerScope, groups: &[GroupRecord]) -> Result<(), DbError> {
    on_db!(db, p => {
        let mut tx = p.begin().await?;
        sqlx::query("DELETE FROM m365_groups WHERE msp_id = $1 AND customer_id = $2").bind(scope.msp_id()).bind(scope.customer_id()).execute(&mut *tx).await?;
        for g in groups {
            sqlx::query("INSERT INTO m365_groups (msp_id, customer_id, id, name, kind, mail, members) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .bind(scope.msp_id()).bind(scope.customer_id()).bind(&g.id).bind(&g.name).bind(&g.kind).bind(&g.mail).bind(g.members)
                .execute(&mut *tx).await?;
        }
        tx.commit().await
    })
}

/// One line of the change log: (kind, user name, detail).
pub async fn add_changes(
    db: &Db,
    scope: CustomerScope,
    changes: &[(&str, String, String)],
    at: Ts,
) -> Result<(), DbError> {
    on_db!(db, p => {
        let mut tx = p.begin().await?;
        for (kind, user, detail) in changes {
            sqlx::query("INSERT INTO m365_changes (id, msp_id, customer_id, at, kind, user_name, detail) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .bind(Uuid::now_v7()).bind(scope.msp_id()).bind(scope.customer_id()).bind(at).bind(*kind).bind(user).bind(detail)
                .execute(&mut *tx).await?;
        }
        tx.commit().await
    })
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AreaRow {
    pub area: String,
    pub last_attempt_at: Option<Ts>,
    pub last_success_at: Option<Ts>,
    pub last_error: Option<String>,
    pub delta_link: Option<String>,
}

pub async fn areas(db: &Db, scope: CustomerScope) -> Result<Vec<AreaRow>, DbError> {
    on_db!(db, p => sqlx::query_as(
        "SELECT area, last_attempt_at, last_success_at, last_error, delta_link FROM m365_sync WHERE msp_id = $1 AND customer_id = $2 ORDER BY area",
    ).bind(scope.msp_id()).bind(scope.customer_id()).fetch_all(p).await)
}

/// Records an area's outcome; a failure keeps the last success and the delta link.
pub async fn record_area(
    db: &Db,
    scope: CustomerScope,
    area: &str,
    error: Option<&str>,
    delta_link: Option<&str>,
    now: Ts,
) -> Result<(), DbError> {
    on_db!(db, p => sqlx::query(
        "INSERT INTO m365_sync (msp_id, customer_id, area, last_attempt_at, last_success_at, last_error, delta_link) \
         VALUES ($1, $2, $3, $4, CASE WHEN $5 IS NULL THEN $4 ELSE NULL END, $5, $6) \
         ON CONFLICT (customer_id, area) DO UPDATE SET last_attempt_at = $4, \
         last_success_at = CASE WHEN $5 IS NULL THEN $4 ELSE m365_sync.last_success_at END, last_error = $5, \
         delta_link = COALESCE($6, m365_sync.delta_link)",
    ).bind(scope.msp_id()).bind(scope.customer_id()).bind(area).bind(now).bind(error).bind(delta_link).execute(p).await.map(|_| ()))
}

/// Forgets a delta link, so the next sync of users reads them all.
pub async fn clear_delta(db: &Db, scope: CustomerScope, area: &str) -> Result<(), DbError> {
    on_db!(db, p => sqlx::query("UPDATE m365_sync SET delta_link = NULL WHERE msp_id = $1 AND customer_id = $2 AND area = $3")
        .bind(scope.msp_id()).bind(scope.customer_id()).bind(area).execute(p).await.map(|_| ()))
}

pub async fn set_next_sync(db: &Db, scope: CustomerScope, at: Option<Ts>) -> Result<(), DbError> {
    on_db!(db, p => sqlx::query("UPDATE customers SET m365_next_sync_at = $3 WHERE msp_id = $1 AND id = $2")
        .bind(scope.msp_id()).bind(scope.customer_id()).bind(at).execute(p).await.map(|_| ()))
}

/// Active customers with a tenant whose next sync is due (or never planned), of MSPs that
/// registered their app; any MSP.
pub async fn due(db: &Db, now: Ts, limit: i64) -> Result<Vec<(Uuid, Uuid)>, DbError> {
    on_db!(db, p => sqlx::query_as(
        "SELECT msp_id, id FROM customers WHERE active AND m365_tenant_id IS NOT NULL AND m365_tenant_id <> '' \
         AND (m365_next_sync_at IS NULL OR m365_next_sync_at <= $1) \
         AND EXISTS (SELECT 1 FROM m365_apps a WHERE a.msp_id = customers.msp_id) ORDER BY m365_next_sync_at LIMIT $2",
    ).bind(now).bind(limit).fetch_all(p).await)
}

/// Notes that `key` was told about; false when it already was.
pub async fn first_notice(db: &Db, scope: CustomerScope, key: &str, now: Ts) -> Result<bool, DbError> {
    on_db!(db, p => sqlx::query(
        "INSERT INTO m365_notified (msp_id, customer_id, key, at) VALUES ($1, $2, $3, $4) ON CONFLICT (customer_id, key) DO NOTHING",
    ).bind(scope.msp_id()).bind(scope.customer_id()).bind(key).bind(now).execute(p).await.map(|r| r.rows_affected() == 1))
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct OptionsRow {
    pub unused_days: i64,
    pub alert_severities: String,
    pub license_threshold: i64,
    pub renewal_days: i64,
    pub notify_severity: String,
}

impl Default for OptionsRow {
    fn default() -> Self {
        OptionsRow {
            unused_days: 30,
            alert_severities: "high,medium,low,informational".into(),
            license_threshold: 90,
            renewal_days: 30,
            notify_severity: "high".into(),
        }
    }
}

/// The MSP's choices for a customer, or the defaults.
pub async fn options(db: &Db, scope: CustomerScope) -> Result<OptionsRow, DbError> {
    let row: Option<OptionsRow> = on_db!(db, p => sqlx::query_as(
        "SELECT unused_days, alert_severities, license_threshold, renewal_days, notify_severity FROM m365_options WHERE msp_id = $1 AND customer_id = $2",
    ).bind(scope.msp_id()).bind(scope.customer_id()).fetch_optional(p).await)?;
    Ok(row.unwrap_or_default())
}

pub async fn save_options(db: &Db, scope: CustomerScope, o: &OptionsRow) -> Result<(), DbError> {
    on_db!(db, p => sqlx::query(
        "INSERT INTO m365_options (msp_id, customer_id, unused_days, alert_severities, license_threshold, renewal_days, notify_severity) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (customer_id) DO UPDATE SET unused_days = $3, alert_severities = $4, \
         license_threshold = $5, renewal_days = $6, notify_severity = $7",
    ).bind(scope.msp_id()).bind(scope.customer_id()).bind(o.unused_days).bind(&o.alert_severities).bind(o.license_threshold).bind(o.renewal_days)
    .bind(&o.notify_severity).execute(p).await.map(|_| ()))
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ConnectionRow {
    pub id: Uuid,
    pub name: String,
    pub tenant: Option<String>,
    pub next_sync_at: Option<Ts>,
    pub users_synced_at: Option<Ts>,
    pub failing: i64,
}

/// Every customer of the MSP with its tenant and the state of its sync.
pub async fn connections(db: &Db, msp: MspScope) -> Result<Vec<ConnectionRow>, DbError> {
    on_db!(db, p => sqlx::query_as(
        "SELECT c.id, c.name, c.m365_tenant_id AS tenant, c.m365_next_sync_at AS next_sync_at, \
         u.last_success_at AS users_synced_at, \
         (SELECT COUNT(*) FROM m365_sync s WHERE s.msp_id = c.msp_id AND s.customer_id = c.id AND s.last_error IS NOT NULL) AS failing \
         FROM customers c LEFT JOIN m365_sync u ON u.msp_id = c.msp_id AND u.customer_id = c.id AND u.area = 'users' \
         WHERE c.msp_id = $1 AND c.active ORDER BY lower(c.name)",
    ).bind(msp.0).fetch_all(p).await)
}

/// Moves a due customer's next run on; false when another instance already did.
pub async fn claim_turn(db: &Db, scope: CustomerScope, now: Ts, next: Ts) -> Result<bool, DbError> {
    on_db!(db, p => sqlx::query(
        "UPDATE customers SET m365_next_sync_at = $4 WHERE msp_id = $1 AND id = $2 \
         AND (m365_next_sync_at IS NULL OR m365_next_sync_at <= $3)",
    ).bind(scope.msp_id()).bind(scope.customer_id()).bind(now).bind(next).execute(p).await.map(|r| r.rows_affected() == 1))
}
