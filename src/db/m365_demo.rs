//! Ninety days of history at once, for the demo data set only: the sync writes one day at a
//! time through `m365_sync`, which would cost the demo hundreds of round trips.

use super::{on_db, CustomerScope, Db, DbError};

/// Rows per INSERT: (4 or 5 binds each) well under SQLite's bind limit.
const BATCH: usize = 150;

/// Daily SKU figures: (SKU id, day, assigned, total).
pub async fn sku_history(db: &Db, scope: CustomerScope, rows: &[(String, String, i64, i64)]) -> Result<(), DbError> {
    for chunk in rows.chunks(BATCH) {
        let values = (0..chunk.len())
            .map(|i| format!("($1, $2, ${}, ${}, ${}, ${})", i * 4 + 3, i * 4 + 4, i * 4 + 5, i * 4 + 6))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO m365_sku_history (msp_id, customer_id, sku_id, day, assigned, total) VALUES {values} \
             ON CONFLICT (customer_id, sku_id, day) DO NOTHING"
        );
        on_db!(db, p => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone())).bind(scope.msp_id()).bind(scope.customer_id());
            for (sku, day, assigned, total) in chunk {
                q = q.bind(sku).bind(day).bind(*assigned).bind(*total);
            }
            q.execute(p).await.map(|_| ())
        })?;
    }
    Ok(())
}

/// Daily secure scores: (day, current, max).
pub async fn scores(db: &Db, scope: CustomerScope, rows: &[(String, f64, f64)]) -> Result<(), DbError> {
    for chunk in rows.chunks(BATCH) {
        let values = (0..chunk.len())
            .map(|i| format!("($1, $2, ${}, ${}, ${})", i * 3 + 3, i * 3 + 4, i * 3 + 5))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO m365_scores (msp_id, customer_id, day, current_score, max_score) VALUES {values} \
             ON CONFLICT (customer_id, day) DO NOTHING"
        );
        on_db!(db, p => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone())).bind(scope.msp_id()).bind(scope.customer_id());
            for (day, current, max) in chunk {
                q = q.bind(day).bind(*current).bind(*max);
            }
            q.execute(p).await.map(|_| ())
        })?;
    }
    Ok(())
}
