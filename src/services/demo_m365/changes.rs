//! The demo change log of the last weeks, told by people who are in the directory.

use time::{Duration, OffsetDateTime};

use super::DemoTenant;
use crate::db::m365_sync::{self as w, UserRecord};
use crate::db::{CustomerScope, Db};
use crate::error::AppResult;
use crate::services::m365::product_name;

pub(super) async fn changes(
    db: &Db,
    scope: CustomerScope,
    t: &DemoTenant,
    users: &[UserRecord],
    at: OffsetDateTime,
) -> AppResult<()> {
    let name = |i: usize| users[(i * 37) % t.people].display_name.clone();
    let product = |i: usize| product_name(t.skus[i.min(t.skus.len() - 1)].part);
    let newest = users.iter().rev().skip(6).find(|u| u.last_sign_in_at.is_none() && u.enabled);
    let leaver = users.iter().find(|u| !u.enabled && !u.licenses.is_empty());
    let log: Vec<(i64, &str, String, String)> = vec![
        (27, "user_added", name(1), "Joined Sales".into()),
        (24, "license_added", name(1), product(0)),
        (19, "user_disabled", name(2), "Account disabled".into()),
        (16, "license_removed", name(2), product(2)),
        (12, "user_added", name(3), "Joined Engineering".into()),
        (12, "license_added", name(3), product(1)),
        (9, "user_enabled", name(4), "Account enabled again".into()),
        (6, "user_deleted", name(5), "Account deleted".into()),
        (4, "user_added", newest.map(|u| u.display_name.clone()).unwrap_or_else(|| name(6)), "New starter".into()),
        (
            2,
            "user_disabled",
            leaver.map(|u| u.display_name.clone()).unwrap_or_else(|| name(7)),
            "Account disabled".into(),
        ),
        (1, "license_added", name(8), product(2)),
    ];
    for (days, kind, user, detail) in log {
        w::add_changes(db, scope, &[(kind, user, detail)], at - Duration::days(days) - Duration::hours(days % 5))
            .await?;
    }
    Ok(())
}
