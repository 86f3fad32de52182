//! Applies the embedded schema migrations, each once, in order.

use super::{on_db, Db, DbError};

struct Migration {
    version: i64,
    sqlite: &'static str,
    postgres: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        sqlite: include_str!("../../migrations/sqlite/0001_foundation.sql"),
        postgres: include_str!("../../migrations/postgres/0001_foundation.sql"),
    },
    Migration {
        version: 2,
        sqlite: include_str!("../../migrations/sqlite/0002_two_factor.sql"),
        postgres: include_str!("../../migrations/postgres/0002_two_factor.sql"),
    },
    Migration {
        version: 3,
        sqlite: include_str!("../../migrations/sqlite/0003_tickets.sql"),
        postgres: include_str!("../../migrations/postgres/0003_tickets.sql"),
    },
    Migration {
        version: 4,
        sqlite: include_str!("../../migrations/sqlite/0004_notifications.sql"),
        postgres: include_str!("../../migrations/postgres/0004_notifications.sql"),
    },
    Migration {
        version: 5,
        sqlite: include_str!("../../migrations/sqlite/0005_attachments.sql"),
        postgres: include_str!("../../migrations/postgres/0005_attachments.sql"),
    },
    Migration {
        version: 6,
        sqlite: include_str!("../../migrations/sqlite/0006_m365.sql"),
        postgres: include_str!("../../migrations/postgres/0006_m365.sql"),
    },
    Migration {
        version: 7,
        sqlite: include_str!("../../migrations/sqlite/0007_m365_certificates.sql"),
        postgres: include_str!("../../migrations/postgres/0007_m365_certificates.sql"),
    },
    Migration {
        version: 8,
        sqlite: include_str!("../../migrations/sqlite/0008_m365_clustered.sql"),
        postgres: include_str!("../../migrations/postgres/0008_m365_clustered.sql"),
    },
    Migration {
        version: 9,
        // The same SQL on both engines (migrations/shared).
        sqlite: include_str!("../../migrations/shared/0009_m365_directory_order.sql"),
        postgres: include_str!("../../migrations/shared/0009_m365_directory_order.sql"),
    },
    Migration {
        version: 10,
        sqlite: include_str!("../../migrations/shared/0010_msp_currency.sql"),
        postgres: include_str!("../../migrations/shared/0010_msp_currency.sql"),
    },
    Migration {
        version: 11,
        sqlite: include_str!("../../migrations/sqlite/0011_job_leases.sql"),
        postgres: include_str!("../../migrations/postgres/0011_job_leases.sql"),
    },
    Migration {
        version: 12,
        sqlite: include_str!("../../migrations/sqlite/0012_m365_msp_id.sql"),
        postgres: include_str!("../../migrations/postgres/0012_m365_msp_id.sql"),
    },
];

/// Number of migrations this binary knows; `readyz` and tests compare against it.
pub const LATEST: i64 = 12;

/// The newest migration applied; 0 for a database Portico never migrated.
pub async fn version(db: &Db) -> Result<i64, DbError> {
    let has_table: bool = match db {
        Db::Sqlite(p) => {
            sqlx::query_scalar(
                "SELECT COUNT(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'",
            )
            .fetch_one(p)
            .await?
        }
        Db::Postgres(p) => {
            sqlx::query_scalar("SELECT to_regclass('schema_migrations') IS NOT NULL").fetch_one(p).await?
        }
    };
    if !has_table {
        return Ok(0);
    }
    on_db!(db, p => sqlx::query_scalar::<_, Option<i64>>("SELECT MAX(version) FROM schema_migrations")
        .fetch_one(p)
        .await
        .map(|v| v.unwrap_or(0)))
}

pub async fn run(db: &Db) -> Result<usize, DbError> {
    let mut applied = 0;
    match db {
        Db::Postgres(pool) => {
            // Several instances may start at once: one migrates, the others wait.
            let mut conn = pool.acquire().await?;
            sqlx::query("SELECT pg_advisory_lock(726354)").execute(&mut *conn).await?;
            let result = apply(db, &mut applied).await;
            sqlx::query("SELECT pg_advisory_unlock(726354)").execute(&mut *conn).await?;
            result?;
        }
        Db::Sqlite(_) => apply(db, &mut applied).await?,
    }
    Ok(applied)
}

async fn apply(db: &Db, applied: &mut usize) -> Result<(), DbError> {
    on_db!(db, p => {
        sqlx::raw_sql("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL)")
            .execute(p)
            .await?;
        let done: Vec<(i64,)> = sqlx::query_as("SELECT version FROM schema_migrations").fetch_all(p).await?;
        for m in MIGRATIONS {
            if done.iter().any(|(v,)| *v == m.version) {
                continue;
            }
            let sql = if db.engine() == "sqlite" { m.sqlite } else { m.postgres };
            let mut tx = p.begin().await?;
            sqlx::raw_sql(sql).execute(&mut *tx).await?;
            sqlx::query("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)")
                .bind(m.version)
                .bind(crate::model::now().to_string())
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            *applied += 1;
        }
        Ok(())
    })
}
