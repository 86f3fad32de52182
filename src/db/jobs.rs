//! The job queue, and the outbox: side effects written in the same transaction as their event.
//!
//! A job is claimed by setting a lease (`locked_until`, held by `lease_id`) that the runner
//! renews while the job runs; on PostgreSQL the claim skips rows another instance holds, so
//! several instances can share one queue. A job with a `dedupe_key` is not queued while
//! another with that key is queued or running.

use uuid::Uuid;

use super::{on_db, Db, DbError, MspScope, Ts};

/// A job to enqueue.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub id: Uuid,
    pub msp_id: Option<Uuid>,
    pub kind: &'static str,
    pub payload: String,
    pub summary: String,
    pub max_attempts: i64,
    /// While a job with this key is queued or running, enqueueing another adds nothing.
    pub dedupe_key: Option<String>,
}

/// An in-app notification to store.
#[derive(Debug, Clone)]
pub struct NewNotification {
    pub id: Uuid,
    pub msp_id: Uuid,
    pub user_id: crate::model::UserId,
    pub category: &'static str,
    pub title: String,
    pub body: String,
    pub link: String,
}

/// What an event leaves behind besides its own write: notifications and queued jobs.
#[derive(Debug, Clone, Default)]
pub struct Effects {
    pub notifications: Vec<NewNotification>,
    pub jobs: Vec<NewJob>,
}

impl Effects {
    pub fn is_empty(&self) -> bool {
        self.notifications.is_empty() && self.jobs.is_empty()
    }

    pub fn extend(&mut self, other: Effects) {
        self.notifications.extend(other.notifications);
        self.jobs.extend(other.jobs);
    }
}

/// Writes `Effects` inside an open transaction `$tx`, on whichever engine it belongs to.
macro_rules! write_effects {
    ($tx:expr, $fx:expr, $now:expr) => {{
        for n in &$fx.notifications {
            sqlx::query(
                "INSERT INTO notifications (id, msp_id, user_id, category, title, body, link, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(n.id)
            .bind(n.msp_id)
            .bind(n.user_id)
            .bind(n.category)
            .bind(&n.title)
            .bind(&n.body)
            .bind(&n.link)
            .bind($now)
            .execute(&mut *$tx)
            .await?;
        }
        for j in &$fx.jobs {
            // The only conflict possible is with a live job of the same dedupe key (ids are new).
            sqlx::query(
                "INSERT INTO jobs (id, msp_id, kind, payload, summary, run_at, max_attempts, created_at, dedupe_key) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $6, $8) ON CONFLICT DO NOTHING",
            )
            .bind(j.id)
            .bind(j.msp_id)
            .bind(j.kind)
            .bind(&j.payload)
            .bind(&j.summary)
            .bind($now)
            .bind(j.max_attempts)
            .bind(&j.dedupe_key)
            .execute(&mut *$tx)
            .await?;
        }
    }};
}
pub(crate) use write_effects;

/// Writes effects that have no other write to go with (a "forgot password" mail, say).
pub async fn write(db: &Db, fx: &Effects, now: Ts) -> Result<(), DbError> {
    if fx.is_empty() {
        return Ok(());
    }
    on_db!(db, p => {
        let mut tx = p.begin().await?;
        write_effects!(tx, fx, now);
        tx.commit().await
    })
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct JobRow {
    pub id: Uuid,
    pub msp_id: Option<Uuid>,
    pub kind: String,
    pub payload: String,
    pub summary: String,
    pub attempts: i64,
    pub max_attempts: i64,
    pub last_error: Option<String>,
    pub run_at: Ts,
    pub done_at: Option<Ts>,
    pub failed_at: Option<Ts>,
    pub created_at: Ts,
    /// The claim holding the job's lease, if one was ever taken.
    pub lease_id: Option<Uuid>,
}

const JOB_COLS: &str = "id, msp_id, kind, payload, summary, attempts, max_attempts, last_error, run_at, done_at, \
                        failed_at, created_at, lease_id";

/// Takes the next due job of one of `kinds` for `lease` under the claim `lease_id`, counting
/// the attempt.
pub async fn claim(
    db: &Db,
    kinds: &[&str],
    now: Ts,
    lease: time::Duration,
    lease_id: Uuid,
) -> Result<Option<JobRow>, DbError> {
    if kinds.is_empty() {
        return Ok(None);
    }
    let list = (0..kinds.len()).map(|i| format!("${}", i + 4)).collect::<Vec<_>>().join(", ");
    let pick = format!(
        "SELECT id FROM jobs WHERE kind IN ({list}) AND done_at IS NULL AND failed_at IS NULL AND run_at <= $1 \
         AND (locked_until IS NULL OR locked_until < $1) ORDER BY run_at LIMIT 1"
    );
    let update = |pick: &str| {
        format!(
            "UPDATE jobs SET locked_until = $2, lease_id = $3, attempts = attempts + 1 WHERE id = ({pick}) \
             AND (locked_until IS NULL OR locked_until < $1) RETURNING {JOB_COLS}"
        )
    };
    match db {
        // SQLite runs one writer at a time, so the update is its own claim.
        Db::Sqlite(p) => {
            let sql = update(&pick);
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(now).bind(now + lease).bind(lease_id);
            for k in kinds {
                q = q.bind(*k);
            }
            q.fetch_optional(p).await
        }
        Db::Postgres(p) => {
            let sql = update(&format!("{pick} FOR UPDATE SKIP LOCKED"));
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(now).bind(now + lease).bind(lease_id);
            for k in kinds {
                q = q.bind(*k);
            }
            q.fetch_optional(p).await
        }
    }
}

/// Moves the lease of a running job on to `until`; false when the claim `lease_id` no longer
/// holds it (the lease ran out and another instance took the job, or it was finished).
pub async fn renew(db: &Db, id: Uuid, lease_id: Uuid, until: Ts) -> Result<bool, DbError> {
    on_db!(db, p => sqlx::query(
        "UPDATE jobs SET locked_until = $3 WHERE id = $1 AND lease_id = $2 AND done_at IS NULL AND failed_at IS NULL",
    ).bind(id).bind(lease_id).bind(until).execute(p).await.map(|r| r.rows_affected() == 1))
}

/// Marks a job done; false when the claim `lease_id` no longer holds it.
pub async fn complete(db: &Db, id: Uuid, lease_id: Uuid, now: Ts) -> Result<bool, DbError> {
    on_db!(db, p => sqlx::query(
        "UPDATE jobs SET done_at = $3, locked_until = NULL, last_error = NULL WHERE id = $1 AND lease_id = $2",
    ).bind(id).bind(lease_id).bind(now).execute(p).await.map(|r| r.rows_affected() == 1))
}

/// Records a failed attempt: the job runs again at `retry_at`, or never when `retry_at` is None.
/// False when the claim `lease_id` no longer holds the job.
pub async fn fail(
    db: &Db,
    id: Uuid,
    lease_id: Uuid,
    error: &str,
    now: Ts,
    retry_at: Option<Ts>,
) -> Result<bool, DbError> {
    on_db!(db, p => sqlx::query(
        "UPDATE jobs SET locked_until = NULL, last_error = $3, run_at = COALESCE($5, run_at), \
         failed_at = CASE WHEN $5 IS NULL THEN $4 ELSE NULL END WHERE id = $1 AND lease_id = $2",
    ).bind(id).bind(lease_id).bind(error).bind(now).bind(retry_at).execute(p).await.map(|r| r.rows_affected() == 1))
}

/// Puts a job given up on back in the queue, from the console, unless a live job with its
/// dedupe key is already queued or running.
pub async fn retry(db: &Db, msp: MspScope, id: Uuid, now: Ts) -> Result<bool, DbError> {
    on_db!(db, p => sqlx::query(
        "UPDATE jobs SET failed_at = NULL, attempts = 0, run_at = $3 WHERE msp_id = $1 AND id = $2 AND failed_at IS NOT NULL \
         AND (dedupe_key IS NULL OR NOT EXISTS (SELECT 1 FROM jobs o WHERE o.dedupe_key = jobs.dedupe_key \
         AND o.done_at IS NULL AND o.failed_at IS NULL))",
    ).bind(msp.0).bind(id).bind(now).execute(p).await.map(|r| r.rows_affected() == 1))
}

/// The MSP's recent jobs of one kind, newest first.
pub async fn recent(db: &Db, msp: MspScope, kind: &str, limit: i64) -> Result<Vec<JobRow>, DbError> {
    let sql = format!(
        "SELECT {JOB_COLS} FROM jobs WHERE msp_id = $1 AND kind = $2 ORDER BY created_at DESC, id DESC LIMIT $3"
    );
    on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(msp.0).bind(kind).bind(limit).fetch_all(p).await)
}

/// Whether a job with this dedupe key is queued or running.
pub async fn live(db: &Db, msp: MspScope, dedupe_key: &str) -> Result<bool, DbError> {
    let n: i64 = on_db!(db, p => sqlx::query_scalar(
        "SELECT COUNT(*) FROM jobs WHERE msp_id = $1 AND dedupe_key = $2 AND done_at IS NULL AND failed_at IS NULL",
    ).bind(msp.0).bind(dedupe_key).fetch_one(p).await)?;
    Ok(n > 0)
}

/// (queued, failed) jobs of one kind for the MSP.
pub async fn counts(db: &Db, msp: MspScope, kind: &str) -> Result<(i64, i64), DbError> {
    on_db!(db, p => sqlx::query_as(
        "SELECT COALESCE(SUM(CASE WHEN done_at IS NULL AND failed_at IS NULL THEN 1 ELSE 0 END), 0), \
         COALESCE(SUM(CASE WHEN failed_at IS NOT NULL THEN 1 ELSE 0 END), 0) FROM jobs WHERE msp_id = $1 AND kind = $2",
    ).bind(msp.0).bind(kind).fetch_one(p).await)
}

pub async fn delete_done_before(db: &Db, before: Ts) -> Result<u64, DbError> {
    on_db!(db, p => sqlx::query("DELETE FROM jobs WHERE done_at IS NOT NULL AND done_at < $1")
        .bind(before).execute(p).await.map(|r| r.rows_affected()))
}
