//! The schema as each engine's catalog reports it, for the test that keeps the SQLite and
//! PostgreSQL migrations in step.

use super::{Db, DbError};

/// Every table's columns and indexes, sorted, with types as the engine declares them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Schema {
    pub columns: Vec<Column>,
    pub indexes: Vec<Index>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Column {
    pub table: String,
    pub name: String,
    /// The declared type: upper case as written on SQLite, `udt_name` on PostgreSQL.
    pub ty: String,
    /// A primary-key column counts as NOT NULL on SQLite too: PostgreSQL makes it so, and
    /// SQLite accepts a NULL key in a rowid table only through a legacy quirk nothing relies on.
    pub not_null: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Index {
    pub table: String,
    /// The index's own name; `<table>.primary_key` and `<table>.unique(<columns>)` for the
    /// indexes an engine makes for a constraint, whose names differ between the engines.
    pub name: String,
    /// Key columns in order; an expression is `(expression)`, as the engines print one
    /// expression differently.
    pub columns: Vec<String>,
    pub unique: bool,
    /// Has a `WHERE` clause.
    pub partial: bool,
}

pub async fn describe(db: &Db) -> Result<Schema, DbError> {
    let mut schema = match db {
        Db::Sqlite(p) => describe_sqlite(p).await?,
        Db::Postgres(p) => describe_postgres(p).await?,
    };
    schema.columns.sort();
    schema.indexes.sort();
    Ok(schema)
}

const EXPRESSION: &str = "(expression)";

async fn describe_sqlite(p: &sqlx::SqlitePool) -> Result<Schema, DbError> {
    let cols: Vec<(String, String, String, bool, i64)> = sqlx::query_as(
        "SELECT m.name, c.name, upper(c.type), c.\"notnull\", c.pk FROM sqlite_master m \
         JOIN pragma_table_info(m.name) c WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'",
    )
    .fetch_all(p)
    .await?;
    let mut schema = Schema::default();
    let mut keys: std::collections::BTreeMap<String, Vec<(i64, String)>> = Default::default();
    for (table, name, ty, not_null, pk) in cols {
        if pk > 0 {
            keys.entry(table.clone()).or_default().push((pk, name.clone()));
        }
        schema.columns.push(Column { table, name, ty, not_null: not_null || pk > 0 });
    }
    for (table, mut key) in keys {
        key.sort();
        schema.indexes.push(Index {
            name: format!("{table}.primary_key"),
            table,
            columns: key.into_iter().map(|(_, c)| c).collect(),
            unique: true,
            partial: false,
        });
    }
    // origin: 'c' = CREATE INDEX, 'u' = a UNIQUE constraint, 'pk' = the primary key (above).
    let indexes: Vec<(String, String, bool, String, bool)> = sqlx::query_as(
        "SELECT m.name, l.name, l.\"unique\", l.origin, l.partial FROM sqlite_master m \
         JOIN pragma_index_list(m.name) l WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' \
         AND l.origin <> 'pk'",
    )
    .fetch_all(p)
    .await?;
    for (table, name, unique, origin, partial) in indexes {
        let key: Vec<(i64, Option<String>)> =
            sqlx::query_as("SELECT seqno, name FROM pragma_index_info($1) ORDER BY seqno")
                .bind(&name)
                .fetch_all(p)
                .await?;
        let columns: Vec<String> = key.into_iter().map(|(_, c)| c.unwrap_or_else(|| EXPRESSION.into())).collect();
        let name = if origin == "u" { format!("{table}.unique({})", columns.join(", ")) } else { name };
        schema.indexes.push(Index { table, name, columns, unique, partial });
    }
    Ok(schema)
}

/// (table, index, unique, primary, partial, constraint, position, column or NULL for an expression)
type IndexColumnRow = (String, String, bool, bool, bool, bool, i32, Option<String>);

async fn describe_postgres(p: &sqlx::PgPool) -> Result<Schema, DbError> {
    let cols: Vec<(String, String, String, bool)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text, udt_name::text, is_nullable = 'NO' \
         FROM information_schema.columns WHERE table_schema = current_schema()",
    )
    .fetch_all(p)
    .await?;
    let mut schema = Schema::default();
    for (table, name, ty, not_null) in cols {
        schema.columns.push(Column { table, name, ty, not_null });
    }
    // One row per key column of every index; indkey is 0-based and 0 marks an expression.
    let rows: Vec<IndexColumnRow> = sqlx::query_as(
        "SELECT t.relname::text, i.relname::text, x.indisunique, x.indisprimary, x.indpred IS NOT NULL, \
                EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid AND c.contype = 'u'), \
                k.n, a.attname::text \
         FROM pg_index x \
         JOIN pg_class i ON i.oid = x.indexrelid \
         JOIN pg_class t ON t.oid = x.indrelid \
         JOIN pg_namespace ns ON ns.oid = t.relnamespace \
         CROSS JOIN LATERAL generate_series(1, x.indnkeyatts::int) AS k(n) \
         LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = x.indkey[k.n - 1] AND x.indkey[k.n - 1] <> 0 \
         WHERE ns.nspname = current_schema() \
         ORDER BY t.relname, i.relname, k.n",
    )
    .fetch_all(p)
    .await?;
    let mut by_name: std::collections::BTreeMap<(String, String), (Index, bool, bool)> = Default::default();
    for (table, name, unique, primary, partial, constraint, _, column) in rows {
        let column = column.unwrap_or_else(|| EXPRESSION.into());
        by_name
            .entry((table.clone(), name.clone()))
            .or_insert_with(|| (Index { table, name, columns: vec![], unique, partial }, primary, constraint))
            .0
            .columns
            .push(column);
    }
    for (mut index, primary, constraint) in by_name.into_values() {
        if primary {
            index.name = format!("{}.primary_key", index.table);
        } else if constraint {
            index.name = format!("{}.unique({})", index.table, index.columns.join(", "));
        }
        schema.indexes.push(index);
    }
    Ok(schema)
}
