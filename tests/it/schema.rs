//! Schema parity: both migration folders must build the same tables, column types,
//! nullability and indexes, up to the differences listed here with their reasons.

use portico::db::schema::{describe, Column, Index, Schema};
use portico::db::Db;

use crate::helpers::pg_url;

/// The (SQLite declared type, PostgreSQL `udt_name`) pairs that hold the same Rust value
/// through sqlx. Anything else is drift, e.g. PostgreSQL `int4`, which sqlx will not decode
/// into the `i64` that SQLite's INTEGER gives.
const SAME_TYPE: &[(&str, &str, &str)] = &[
    ("TEXT", "text", "strings"),
    ("TEXT", "timestamptz", "times: RFC 3339 text on SQLite, bound from Rust as OffsetDateTime"),
    ("BLOB", "uuid", "ids: sqlx stores a Uuid as 16 bytes on SQLite"),
    ("BLOB", "bytea", "bytes (logos, sealed secrets)"),
    ("BIGINT", "int8", "64-bit integers"),
    ("INTEGER", "int8", "64-bit integers: SQLite's INTEGER is 64-bit"),
    ("BOOLEAN", "bool", "booleans: 0/1 on SQLite"),
    ("DOUBLE PRECISION", "float8", "scores: both 64-bit floats"),
];

/// Differences that are meant, each with why: (index name or `table.column`, reason). An
/// engine-only index (a PostgreSQL GIN index, say) goes here, not into a silent exception.
const ALLOWED: &[(&str, &str)] = &[];

fn same_type(sqlite: &str, postgres: &str) -> bool {
    SAME_TYPE.iter().any(|(s, p, _)| *s == sqlite && *p == postgres)
}

/// Every difference between the two schemas that is not in `ALLOWED`, one line each.
fn differences(sqlite: &Schema, postgres: &Schema) -> Vec<String> {
    let all = all_differences(sqlite, postgres);
    for (subject, _) in ALLOWED {
        assert!(all.iter().any(|(s, _)| s == subject), "{subject} is allowed to differ but no longer does");
    }
    all.into_iter().filter(|(s, _)| !ALLOWED.iter().any(|(a, _)| a == s)).map(|(_, message)| message).collect()
}

/// (subject, message) for every difference.
fn all_differences(sqlite: &Schema, postgres: &Schema) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut push = |subject: &str, message: String| out.push((subject.to_string(), message));
    let find = |cols: &[Column], c: &Column| cols.iter().find(|o| o.table == c.table && o.name == c.name).cloned();
    for s in &sqlite.columns {
        let what = format!("{}.{}", s.table, s.name);
        match find(&postgres.columns, s) {
            None => push(&what, format!("column {what} only on SQLite")),
            Some(p) => {
                if !same_type(&s.ty, &p.ty) {
                    push(&what, format!("column {what}: SQLite {} vs PostgreSQL {}", s.ty, p.ty));
                }
                if s.not_null != p.not_null {
                    push(
                        &what,
                        format!("column {what}: NOT NULL is {} on SQLite, {} on PostgreSQL", s.not_null, p.not_null),
                    );
                }
            }
        }
    }
    for p in &postgres.columns {
        if find(&sqlite.columns, p).is_none() {
            let what = format!("{}.{}", p.table, p.name);
            push(&what, format!("column {what} only on PostgreSQL"));
        }
    }
    let find = |idx: &[Index], i: &Index| idx.iter().find(|o| o.table == i.table && o.name == i.name).cloned();
    for s in &sqlite.indexes {
        match find(&postgres.indexes, s) {
            None => push(&s.name, format!("index {} only on SQLite: {s:?}", s.name)),
            Some(p) if p != *s => push(&s.name, format!("index {}: SQLite {s:?} vs PostgreSQL {p:?}", s.name)),
            Some(_) => {}
        }
    }
    for p in &postgres.indexes {
        if find(&sqlite.indexes, p).is_none() {
            push(&p.name, format!("index {} only on PostgreSQL: {p:?}", p.name));
        }
    }
    out
}

/// Both engines, migrated; `None` (the test skips) without a PostgreSQL URL.
async fn migrated_pair(test: &str, dir: &std::path::Path) -> Option<(Db, Db)> {
    if pg_url().is_none() {
        println!("SKIPPED {test}: PORTICO_TEST_DATABASE_URL is not set");
        return None;
    }
    let sqlite = Db::connect(&format!("sqlite://{}", dir.join("s.db").display()), 1).await.unwrap();
    portico::db::migrate::run(&sqlite).await.unwrap();
    let pg = Db::connect(&crate::helpers::fresh_database(dir).await, 1).await.unwrap();
    Some((sqlite, pg))
}

#[tokio::test]
async fn sqlite_and_postgres_schemas_match() {
    let dir = tempfile::tempdir().unwrap();
    let Some((sqlite, pg)) = migrated_pair("sqlite_and_postgres_schemas_match", dir.path()).await else { return };
    let a = describe(&sqlite).await.unwrap();
    let b = describe(&pg).await.unwrap();
    assert!(a.columns.len() > 50 && a.indexes.len() > 20, "{a:?}");
    let diff = differences(&a, &b);
    assert!(diff.is_empty(), "the SQLite and PostgreSQL migrations differ:\n{}", diff.join("\n"));
}

/// The comparison sees a dropped NOT NULL, a dropped index and a changed type on one engine.
#[tokio::test]
async fn the_parity_check_sees_a_dropped_not_null_or_index() {
    let dir = tempfile::tempdir().unwrap();
    let Some((sqlite, pg)) = migrated_pair("the_parity_check_sees_a_dropped_not_null_or_index", dir.path()).await
    else {
        return;
    };
    let Db::Postgres(p) = &pg else { unreachable!() };
    sqlx::raw_sql(
        "ALTER TABLE users ALTER COLUMN name DROP NOT NULL; ALTER TABLE tickets ALTER COLUMN number TYPE integer",
    )
    .execute(p)
    .await
    .unwrap();
    let Db::Sqlite(s) = &sqlite else { unreachable!() };
    sqlx::raw_sql("DROP INDEX users_customer; DROP INDEX jobs_dedupe; CREATE INDEX jobs_dedupe ON jobs (dedupe_key)")
        .execute(s)
        .await
        .unwrap();
    let diff = differences(&describe(&sqlite).await.unwrap(), &describe(&pg).await.unwrap());
    let has = |needle: &str| diff.iter().any(|d| d.contains(needle));
    assert!(has("column users.name: NOT NULL is true on SQLite, false on PostgreSQL"), "{diff:#?}");
    assert!(has("column tickets.number: SQLite BIGINT vs PostgreSQL int4"), "{diff:#?}");
    assert!(has("index users_customer only on PostgreSQL"), "{diff:#?}");
    assert!(has("index jobs_dedupe: SQLite"), "partial and unique lost: {diff:#?}");
    assert_eq!(diff.len(), 4, "{diff:#?}");
}
