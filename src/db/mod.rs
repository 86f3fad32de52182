//! The database: one `Db` over SQLite or PostgreSQL, and every SQL statement, one file per area.
//!
//! Each statement is written once with `$1` placeholders and runs on either engine through
//! the `on_db!` macro. Every query on tenant data takes a scope as its first argument.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

pub mod attachments;
pub mod customers;
pub mod dashboard;
pub mod invitations;
pub mod jobs;
pub mod login_attempts;
pub mod m365;
pub mod m365_apps;
pub mod m365_demo;
pub mod m365_sync;
pub mod migrate;
pub mod msps;
pub mod notifications;
pub mod password_resets;
pub mod schema;
pub mod sessions;
pub mod tickets;
pub mod tokens;
pub mod users;

pub use sqlx::Error as DbError;

#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to the concrete pool of whichever engine is in use.
#[macro_export]
macro_rules! on_db {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($pool) => $body,
            $crate::db::Db::Postgres($pool) => $body,
        }
    };
}
pub use on_db;

/// The MSP a query is confined to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MspScope(pub uuid::Uuid);

/// One customer of one MSP; only `policy` makes one (see there).
pub use crate::policy::CustomerScope;

impl Db {
    pub async fn connect(url: &str, max_connections: u32) -> Result<Db, DbError> {
        Self::open(url, max_connections, true).await
    }

    /// Opens a database that must already exist: a missing SQLite file is an error, not a
    /// new empty database.
    pub async fn connect_existing(url: &str, max_connections: u32) -> Result<Db, DbError> {
        Self::open(url, max_connections, false).await
    }

    async fn open(url: &str, max_connections: u32, create: bool) -> Result<Db, DbError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let opts = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(max_connections)
                .min_connections(1)
                .acquire_timeout(Duration::from_secs(5))
                .connect_with(opts)
                .await?;
            Ok(Db::Postgres(pool))
        } else {
            let opts = SqliteConnectOptions::from_str(url)?
                .create_if_missing(create)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10));
            let pool = SqlitePoolOptions::new()
                .max_connections(max_connections.min(8))
                .min_connections(1)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(opts)
                .await?;
            Ok(Db::Sqlite(pool))
        }
    }

    pub fn engine(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    pub async fn ping(&self) -> Result<(), DbError> {
        on_db!(self, p => sqlx::query("SELECT 1").execute(p).await.map(|_| ()))
    }

    /// Connections open and idle, for metrics.
    pub fn pool_stats(&self) -> (u32, usize, u32) {
        on_db!(self, p => (p.size(), p.num_idle(), p.options().get_max_connections()))
    }

    pub async fn close(&self) {
        on_db!(self, p => p.close().await)
    }
}

/// True when an insert failed on a unique constraint.
pub fn is_unique_violation(e: &DbError) -> bool {
    matches!(e, DbError::Database(d) if d.is_unique_violation())
}

pub type Ts = time::OffsetDateTime;
