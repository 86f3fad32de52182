//! Demo SKUs: totals from the assignments, 90 days of history, renewals and prices.

use time::{Duration, OffsetDateTime};

use super::{day, DemoSku, DemoTenant};
use crate::db::m365_sync::{self as w, SkuRecord, UserRecord};
use crate::db::{CustomerScope, Db};
use crate::error::AppResult;

/// SKUs with their totals from the assignments, 90 days of history, renewals and prices.
pub(super) async fn licenses(
    db: &Db,
    scope: CustomerScope,
    t: &DemoTenant,
    users: &[UserRecord],
    at: OffsetDateTime,
) -> AppResult<()> {
    let assigned = |sku: &str| users.iter().filter(|u| u.licenses.iter().any(|l| l == sku)).count() as i64;
    let record = |s: &DemoSku, consumed: i64, total: i64| SkuRecord {
        sku_id: s.sku_id.into(),
        part_number: s.part.into(),
        capability_status: "Enabled".into(),
        enabled: total,
        suspended: 0,
        warning: 0,
        consumed,
    };
    let mut history = vec![];
    let mut today = vec![];
    for s in t.skus {
        let now = assigned(s.sku_id);
        for back in (1..90i64).rev() {
            let total = now + s.headroom - if back > 40 { s.bought } else { 0 };
            // Now and then someone leaves and their license comes back a few days later.
            let wobble = if (back + s.headroom) % 13 < 3 { -1 } else { 0 };
            let then = (now - s.growth * back / 89 + wobble).clamp(0, total);
            history.push((s.sku_id.to_string(), day(at - Duration::days(back)), then, total));
        }
        today.push(record(s, now, now + s.headroom));
    }
    crate::db::m365_demo::sku_history(db, scope, &history).await?;
    // Today's figures go in as a sync writes them, which also adds today's history row.
    w::replace_skus(db, scope, &today, &day(at), at).await?;
    let renewals: Vec<(String, Option<OffsetDateTime>)> =
        t.skus.iter().map(|s| (s.sku_id.to_string(), Some(at + Duration::days(s.renewal_days)))).collect();
    w::set_renewals(db, scope, &renewals).await?;
    let prices: Vec<(String, Option<i64>)> =
        t.skus.iter().filter(|s| s.price.is_some()).map(|s| (s.sku_id.to_string(), s.price)).collect();
    crate::db::m365::save_prices(db, scope, &prices).await?;
    Ok(())
}
