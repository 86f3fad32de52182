//! Microsoft 365 rows carry their MSP: a tenant's rows relabelled as another MSP's are out
//! of reach of this MSP's scope for the same customer, in every read and every write.

use portico::db::m365::{self as r, GroupFilter, GroupSort, UserFilter, UserSort};
use portico::db::m365_sync::{self as w, GroupRecord, OptionsRow};
use portico::db::schema::describe;
use portico::db::{CustomerScope, Db};
use portico::model::now;
use time::Duration;

use crate::helpers::TestApp;
use crate::m365::tailspin;

/// The m365_* tables that hold a customer's rows, as the migrated schema has them.
async fn tenant_tables(db: &Db) -> Vec<String> {
    let schema = describe(db).await.unwrap();
    let mut tables: Vec<String> = schema
        .columns
        .iter()
        .filter(|c| c.table.starts_with("m365_") && c.name == "customer_id")
        .map(|c| c.table.clone())
        .collect();
    tables.dedup();
    tables
}

/// How many rows each read of the tenant returns through `scope`, by name.
async fn reads(db: &Db, scope: CustomerScope) -> Vec<(&'static str, usize)> {
    let long_ago = now() - Duration::days(3650);
    let from = (now() - Duration::days(3650)).date().to_string();
    let (page, total) = r::users(db, scope, &UserFilter::default(), (UserSort::Name, false), 50, 0).await.unwrap();
    let search = UserFilter { search: "a".into(), ..Default::default() };
    let (found, _) = r::users(db, scope, &search, (UserSort::Department, false), 50, 0).await.unwrap();
    let by_sku = UserFilter { sku: "sku-spb".into(), ..Default::default() };
    let (holders, _) = r::users(db, scope, &by_sku, (UserSort::Name, false), 50, 0).await.unwrap();
    let (groups, _) = r::groups(db, scope, &GroupFilter::default(), (GroupSort::Name, false), 50, 0).await.unwrap();
    let ids = ["u-ada".to_string(), "u-bob".to_string()];
    let options = w::options(db, scope).await.unwrap();
    vec![
        ("users page", page.len()),
        ("users total", total as usize),
        ("users search", found.len()),
        ("users by sku", holders.len()),
        ("user", r::user(db, scope, "u-ada").await.unwrap().into_iter().count()),
        ("licenses_of", r::licenses_of(db, scope, &["u-ada", "u-bob"]).await.unwrap().len()),
        ("user_counts", r::user_counts(db, scope).await.unwrap().0 as usize),
        ("skus", r::skus(db, scope).await.unwrap().len()),
        ("sku prices", r::skus(db, scope).await.unwrap().iter().filter(|s| s.price_cents.is_some()).count()),
        ("sku_history", r::sku_history(db, scope, &from).await.unwrap().len()),
        ("unused", r::unused(db, scope, true, now()).await.unwrap().len()),
        ("scores", r::scores(db, scope, &from).await.unwrap().len()),
        ("controls", r::controls(db, scope).await.unwrap().len()),
        ("alerts", r::alerts(db, scope).await.unwrap().len()),
        ("services", r::services(db, scope).await.unwrap().len()),
        ("open_issues", r::open_issues(db, scope).await.unwrap().len()),
        ("recent_changes", r::recent_changes(db, scope, 50).await.unwrap().len()),
        ("change_counts", r::change_counts(db, scope, long_ago).await.unwrap().len()),
        ("groups", groups.len()),
        ("group_kinds", r::group_kinds(db, scope).await.unwrap().len()),
        ("stored_users", w::stored_users(db, scope, &ids).await.unwrap().len()),
        ("user_states", w::user_states(db, scope).await.unwrap().len()),
        ("license_pairs", w::license_pairs(db, scope).await.unwrap().len()),
        ("sku_parts", w::sku_parts(db, scope).await.unwrap().len()),
        ("areas", w::areas(db, scope).await.unwrap().len()),
        ("options", usize::from(options != OptionsRow::default())),
    ]
}

async fn count(db: &Db, table: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    portico::on_db!(db, p => sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql)).fetch_one(p).await).unwrap()
}

#[tokio::test]
async fn another_msps_rows_for_the_same_customer_id_are_out_of_reach() {
    let app = TestApp::spawn().await;
    let db = app.db();
    let t = tailspin(&app).await;
    let scope = t.scope;
    let group =
        GroupRecord { id: "g-1".into(), name: "All staff".into(), kind: "microsoft365".into(), mail: None, members: 8 };
    w::replace_groups(db, scope, &[group]).await.unwrap();
    w::add_changes(db, scope, &[("user_added", "Ada Lovelace".into(), String::new())], now()).await.unwrap();
    w::save_options(db, scope, &OptionsRow { unused_days: 60, ..OptionsRow::default() }).await.unwrap();
    assert!(w::first_notice(db, scope, "alert:a-high", now()).await.unwrap());

    let before = reads(db, scope).await;
    let empty: Vec<_> = before.iter().filter(|(_, n)| *n == 0).collect();
    assert!(empty.is_empty(), "the tenant should be readable through its own scope: {empty:?}");

    // Every row of the tenant now claims to be Litware's, for Northwind's customer id.
    let litware = portico::db::msps::find_by_name(db, "Litware MSP").await.unwrap().unwrap().id;
    let tables = tenant_tables(db).await;
    assert!(tables.len() >= 15, "{tables:?}");
    let mut planted = vec![];
    for table in &tables {
        let sql = format!("UPDATE {table} SET msp_id = $1 WHERE customer_id = $2");
        portico::on_db!(db, p => sqlx::query(sqlx::AssertSqlSafe(sql)).bind(litware).bind(t.id).execute(p).await.map(|_| ()))
            .unwrap();
        planted.push((table.clone(), count(db, table).await));
    }

    let after = reads(db, scope).await;
    let seen: Vec<_> = after.iter().filter(|(_, n)| *n != 0).collect();
    assert!(seen.is_empty(), "rows of another MSP were read through this MSP's scope: {seen:?}");

    // Writes through the scope leave the other MSP's rows alone.
    w::replace_controls(db, scope, &[]).await.unwrap();
    w::replace_alerts(db, scope, &[]).await.unwrap();
    w::replace_health(db, scope, &[], &[]).await.unwrap();
    w::replace_groups(db, scope, &[]).await.unwrap();
    w::remove_users(db, scope, &["u-ada".to_string()]).await.unwrap();
    w::remove_unseen_users(db, scope, now() + Duration::days(1)).await.unwrap();
    w::set_renewals(db, scope, &[("sku-spb".into(), None)]).await.unwrap();
    w::clear_delta(db, scope, "users").await.unwrap();
    r::save_prices(db, scope, &[("sku-pbi".into(), None)]).await.unwrap();
    for (table, n) in &planted {
        assert_eq!(count(db, table).await, *n, "a write through this MSP's scope touched {table}");
    }
    let renewals = portico::on_db!(db, p => sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM m365_skus WHERE customer_id = $1 AND renewal_at IS NOT NULL",
    ).bind(t.id).fetch_one(p).await)
    .unwrap();
    assert_eq!(renewals, 2, "set_renewals reached another MSP's SKUs");
}

/// Every customer row of Microsoft 365 names its MSP, so no insert can leave it out.
#[tokio::test]
async fn every_m365_tenant_table_has_a_required_msp_id() {
    let app = TestApp::spawn().await;
    let schema = describe(app.db()).await.unwrap();
    let tables = tenant_tables(app.db()).await;
    assert!(tables.len() >= 15, "{tables:?}");
    for table in tables {
        let msp = schema.columns.iter().find(|c| c.table == table && c.name == "msp_id");
        assert!(msp.is_some_and(|c| c.not_null), "{table} has no NOT NULL msp_id: {msp:?}");
    }
}
