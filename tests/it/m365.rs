//! Microsoft 365: the directory, licenses and unused licenses, security, service health and
//! the MSP's settings, read from a small tenant written here through the sync's own SQL, so
//! every expected number is known; plus toggles, roles and tenancy.

use portico::db::m365_sync::{self as w, AlertRecord, ControlRecord, IssueRecord, OptionsRow, SkuRecord, UserRecord};
use portico::db::{CustomerScope, MspScope};
use portico::model::{now, Features};
use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};
use time::Duration;

use crate::helpers::{location, post_form, TestApp, PASSWORD};

const SPB: &str = "sku-spb";
const PBI: &str = "sku-pbi";
const BASIC: &str = "sku-basic";
const FREE: &str = "sku-free";

/// Tailspin Toys: a customer of Northwind with an admin, a standard and a limited user, and
/// a tenant of eight users.
pub(crate) struct Tailspin {
    pub(crate) id: portico::model::CustomerId,
    pub(crate) scope: CustomerScope,
}

fn user(
    id: &str,
    name: &str,
    enabled: bool,
    dept: Option<&str>,
    sign_in_days: Option<i64>,
    created_days: i64,
    licenses: &[&str],
) -> UserRecord {
    let login = format!("{}@tailspin.com", name.split(' ').next().unwrap().to_lowercase());
    UserRecord {
        id: id.into(),
        display_name: name.into(),
        upn: login.clone(),
        mail: Some(login),
        enabled,
        job_title: dept.map(|d| format!("{d} specialist")),
        department: dept.map(str::to_string),
        office: Some("Leeds".into()),
        mobile: None,
        created_at: Some(now() - Duration::days(created_days)),
        last_sign_in_at: sign_in_days.map(|d| now() - Duration::days(d)),
        licenses: licenses.iter().map(|s| s.to_string()).collect(),
    }
}

fn sku(id: &str, part: &str, enabled: i64, consumed: i64) -> SkuRecord {
    SkuRecord {
        sku_id: id.into(),
        part_number: part.into(),
        capability_status: "Enabled".into(),
        enabled,
        suspended: 0,
        warning: 0,
        consumed,
    }
}

pub(crate) async fn tailspin(app: &TestApp) -> Tailspin {
    let db = app.db();
    let msp: MspScope = app.msp().await;
    let id = portico::model::CustomerId::new();
    portico::db::customers::insert(
        db,
        msp,
        id,
        "Tailspin Toys",
        Some("tailspin.onmicrosoft.com"),
        &Features::default().to_db(),
        now(),
    )
    .await
    .unwrap();
    let hash = portico::auth::password::hash_now(PASSWORD);
    for (email, name, role) in [
        ("admin@tailspin.test", "Tara Admin", "admin"),
        ("standard@tailspin.test", "Sam Standard", "standard"),
        ("limited@tailspin.test", "Lou Limited", "limited"),
    ] {
        let u = portico::db::users::NewUser {
            id: portico::model::UserId::new(),
            customer_id: Some(id),
            email,
            name,
            role,
            password_hash: Some(&hash),
        };
        portico::db::users::insert(db, msp, &u, now()).await.unwrap();
    }
    let row = portico::db::customers::find(db, msp, id).await.unwrap().unwrap();
    let scope = portico::policy::system_scope(&row);
    let users = [
        user("u-ada", "Ada Lovelace", true, Some("Engineering"), Some(2), 400, &[SPB]),
        user("u-bob", "Bob Builder", true, Some("Operations"), Some(45), 300, &[SPB, PBI]),
        user("u-cara", "Cara Gone", false, Some("Sales"), Some(10), 300, &[SPB]),
        user("u-dan", "Dan Never", true, Some("Sales"), None, 100, &[BASIC]),
        user("u-eve", "Eve Newstarter", true, Some("Sales"), None, 3, &[BASIC]),
        user("u-fay", "Fay Shared", false, None, None, 900, &[]),
        user("u-gus", "Gus Free", true, Some("Finance"), Some(60), 500, &[FREE]),
        user("u-hal", "Hal Sales", true, Some("Sales"), Some(1), 200, &[SPB]),
    ];
    w::upsert_users(db, scope, &users, now(), false).await.unwrap();
    let skus = [
        sku(SPB, "SPB", 5, 4),
        sku(PBI, "POWER_BI_PRO", 1, 1),
        sku(BASIC, "O365_BUSINESS_ESSENTIALS", 3, 2),
        sku(FREE, "FLOW_FREE", 10_000, 1),
    ];
    let today = now().date().to_string();
    w::replace_skus(db, scope, &skus, &today, now()).await.unwrap();
    w::set_renewals(
        db,
        scope,
        &[(SPB.into(), Some(now() + Duration::days(10))), (BASIC.into(), Some(now() + Duration::days(100)))],
    )
    .await
    .unwrap();
    portico::db::m365::save_prices(db, scope, &[(SPB.into(), Some(2000)), (PBI.into(), Some(1000))]).await.unwrap();
    let month_ago = (now() - Duration::days(30)).date().to_string();
    w::upsert_scores(db, scope, &[(month_ago, 50.0, 200.0), (today, 70.0, 200.0)]).await.unwrap();
    let control = |id: &str, rank: i64, max: f64, score: f64| ControlRecord {
        id: id.into(),
        title: format!("Control {id}"),
        max_score: max,
        score,
        rank,
        user_impact: "Low".into(),
        implementation_cost: "Low".into(),
        action_url: "https://security.microsoft.com/".into(),
        remediation: "Do it.".into(),
    };
    w::replace_controls(
        db,
        scope,
        &[control("done", 1, 5.0, 5.0), control("mfa", 2, 9.0, 4.0), control("legacy", 3, 8.0, 0.0)],
    )
    .await
    .unwrap();
    let alert = |id: &str, severity: &str, status: &str, hours: i64| AlertRecord {
        id: id.into(),
        title: format!("Alert {id}"),
        severity: severity.into(),
        status: status.into(),
        source: "Defender".into(),
        first_seen_at: now() - Duration::hours(hours),
        updated_at: now() - Duration::hours(hours),
    };
    w::replace_alerts(
        db,
        scope,
        &[
            alert("a-low", "low", "new", 1),
            alert("a-high", "high", "new", 5),
            alert("a-medium", "medium", "inProgress", 3),
            alert("a-info", "informational", "new", 2),
            alert("a-old", "high", "resolved", 90),
        ],
    )
    .await
    .unwrap();
    let issue = |id: &str, service: &str, class: &str, resolved: bool| IssueRecord {
        id: id.into(),
        service: service.into(),
        title: format!("Issue {id}"),
        classification: class.into(),
        status: if resolved { "serviceRestored" } else { "serviceDegradation" }.into(),
        started_at: now() - Duration::hours(4),
        updated_at: now() - Duration::hours(1),
        resolved,
        latest_update: format!("Latest on {id}"),
    };
    let services = [
        ("Exchange Online".to_string(), "serviceDegradation".to_string()),
        ("Microsoft Teams".to_string(), "serviceOperational".to_string()),
        ("SharePoint Online".to_string(), "serviceOperational".to_string()),
    ];
    w::replace_health(
        db,
        scope,
        &services,
        &[
            issue("EX1", "Exchange Online", "incident", false),
            issue("TM1", "Microsoft Teams", "advisory", false),
            issue("SP1", "SharePoint Online", "incident", true),
        ],
    )
    .await
    .unwrap();
    for area in ["users", "licenses", "subscriptions", "security", "alerts", "health"] {
        w::record_area(db, scope, area, None, None, now()).await.unwrap();
    }
    Tailspin { id, scope }
}

pub(crate) async fn get(app: &TestApp, token: &str, path: &str) -> (StatusCode, Value) {
    let r = Client::new().get(app.url(path)).bearer_auth(token).send().await.unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn names(v: &Value) -> Vec<String> {
    v["items"].as_array().unwrap().iter().map(|u| u["display_name"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn the_directory_searches_filters_sorts_and_pages() {
    let app = TestApp::spawn().await;
    let t = tailspin(&app).await;
    let admin = app.token("admin@tailspin.test").await;
    let users = format!("/api/portal/customers/{}/users", t.id);
    let (s, all) = get(&app, &admin, &users).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(all["total"], 8);
    assert_eq!(names(&all)[0], "Ada Lovelace", "by name by default");
    let (by_pbi, by_spb) = (format!("sku={PBI}"), format!("sku={SPB}&status=enabled"));
    for (query, total) in [
        ("q=sales", 4),
        ("q=SALES&status=enabled", 3),
        ("status=disabled", 2),
        ("status=enabled", 6),
        ("license=unlicensed", 1),
        ("license=licensed", 7),
        (by_pbi.as_str(), 1),
        (by_spb.as_str(), 3),
        ("q=tailspin.com", 8),
        ("q=%25", 0),
        ("q=zzz", 0),
    ] {
        let (s, v) = get(&app, &admin, &format!("{users}?{query}")).await;
        assert_eq!(s, StatusCode::OK, "{query}");
        assert_eq!(v["total"], total, "{query}: {:?}", names(&v));
    }
    let (_, page2) = get(&app, &admin, &format!("{users}?sort=name&per_page=3&page=2")).await;
    assert_eq!(names(&page2), ["Dan Never", "Eve Newstarter", "Fay Shared"]);
    assert_eq!(
        (page2["total"].as_i64(), page2["page"].as_i64(), page2["per_page"].as_i64()),
        (Some(8), Some(2), Some(3))
    );
    let (_, recent) = get(&app, &admin, &format!("{users}?sort=-last_sign_in&per_page=2")).await;
    assert_eq!(names(&recent), ["Hal Sales", "Ada Lovelace"]);
    let (_, oldest) = get(&app, &admin, &format!("{users}?sort=last_sign_in&per_page=3")).await;
    assert_eq!(names(&oldest), ["Dan Never", "Eve Newstarter", "Fay Shared"], "never signed in counts as oldest");
    let (_, dept) = get(&app, &admin, &format!("{users}?sort=-department")).await;
    assert_eq!(names(&dept).last().map(String::as_str), Some("Fay Shared"), "no department sorts last either way");
    for bad in ["status=maybe", "sort=shoe_size", "per_page=500"] {
        let (s, v) = get(&app, &admin, &format!("{users}?{bad}")).await;
        assert!(s == StatusCode::BAD_REQUEST || s == StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {s}");
        assert!(v["error"]["code"].is_string());
    }
    // One user, with licenses by name; a user of another tenant is not found here.
    let (s, bob) = get(&app, &admin, &format!("{users}/u-bob")).await;
    assert_eq!(s, StatusCode::OK);
    let products: Vec<&str> =
        bob["licenses"].as_array().unwrap().iter().map(|l| l["product_name"].as_str().unwrap()).collect();
    assert_eq!(products, ["Microsoft 365 Business Premium", "Power BI Pro"]);
    assert_eq!(bob["sign_in_available"], true);
    assert!(bob["last_sign_in_at"].is_string());
    let contoso = app.customer_id("Contoso Ltd").await;
    let scope = app.scope(contoso).await;
    let (theirs, _) = portico::db::m365::users(
        app.db(),
        scope,
        &Default::default(),
        (portico::db::m365::UserSort::Name, false),
        1,
        0,
    )
    .await
    .unwrap();
    let (s, _) = get(&app, &admin, &format!("{users}/{}", theirs[0].id)).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "another tenant's user through this customer");
    let (s, _) = get(&app, &admin, &format!("/api/portal/customers/{contoso}/users")).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "another customer");

    // The page shows the same, and its filters keep in sort and page links.
    let c = app.signed_in("standard@tailspin.test").await;
    let html = c.get(app.url("/users?q=sales&status=enabled")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("3 users match"), "{html}");
    assert!(html.contains("Hal Sales") && html.contains("Dan Never") && !html.contains("Ada Lovelace"));
    assert!(html.contains("q=sales&amp;status=enabled&amp;sort=department"), "sort links keep the filters");
    assert!(html.contains("value=\"sales\"") && html.contains("value=\"enabled\" selected"), "the form keeps them too");
    let html = c.get(app.url("/users/u-dan")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Microsoft 365 Business Basic") && html.contains("Never"));
    assert_eq!(c.get(app.url("/users/u-nobody")).send().await.unwrap().status(), StatusCode::NOT_FOUND);
}

fn unused_rows(v: &Value) -> Vec<(String, String, bool, usize)> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["display_name"].as_str().unwrap().to_string(),
                u["reason"].as_str().unwrap().to_string(),
                u["never_signed_in"].as_bool().unwrap(),
                u["licenses"].as_array().unwrap().len(),
            )
        })
        .collect()
}

#[tokio::test]
async fn unused_licenses_are_the_disabled_the_inactive_and_the_never_signed_in() {
    let app = TestApp::spawn().await;
    let t = tailspin(&app).await;
    let admin = app.token("admin@tailspin.test").await;
    let path = format!("/api/portal/customers/{}/licenses/unused", t.id);
    let (s, v) = get(&app, &admin, &path).await;
    assert_eq!(s, StatusCode::OK);
    // Bob: 45 days without sign-in; Cara: disabled; Dan: never, account 100 days old. Eve is
    // new (3 days), Gus only holds a free SKU, Fay holds nothing.
    assert_eq!(
        unused_rows(&v),
        [
            ("Bob Builder".to_string(), "inactive".to_string(), false, 2),
            ("Cara Gone".to_string(), "disabled".to_string(), false, 1),
            ("Dan Never".to_string(), "inactive".to_string(), true, 1),
        ]
    );
    assert_eq!(
        (v["total"].as_i64(), v["license_count"].as_i64(), v["unused_days"].as_i64()),
        (Some(3), Some(4), Some(30))
    );
    assert!(v["items"][0]["last_sign_in"].is_string() && v["items"][2]["last_sign_in"].is_null());
    // Costs: Bob 20 + 10, Cara 20, Dan's Business Basic has no price.
    assert_eq!(v["items"][0]["monthly_cost"], "30.00");
    assert_eq!(v["items"][1]["monthly_cost"], "20.00");
    assert!(v["items"][2].get("monthly_cost").is_none());
    assert_eq!(v["monthly_cost"], "50.00");
    let (_, page) = get(&app, &admin, &format!("{path}?per_page=2&page=2")).await;
    assert_eq!(unused_rows(&page).len(), 1);
    assert_eq!(page["total"], 3);

    // A standard user sees no money.
    let (_, std) = get(&app, &app.token("standard@tailspin.test").await, &path).await;
    assert_eq!(std["total"], 3);
    assert!(std.get("monthly_cost").is_none() && std["items"][0].get("monthly_cost").is_none());

    // With 60 days, Bob is no longer inactive; Dan's account is still older than that.
    let o = OptionsRow { unused_days: 60, ..OptionsRow::default() };
    w::save_options(app.db(), t.scope, &o).await.unwrap();
    let (_, v) = get(&app, &admin, &path).await;
    assert_eq!(unused_rows(&v).iter().map(|r| r.0.as_str()).collect::<Vec<_>>(), ["Cara Gone", "Dan Never"]);

    // Without sign-in data only the disabled rule applies, and the page says why.
    w::set_sign_ins(app.db(), t.scope, false).await.unwrap();
    let (_, v) = get(&app, &admin, &path).await;
    assert_eq!(unused_rows(&v), [("Cara Gone".to_string(), "disabled".to_string(), false, 1)]);
    assert_eq!(v["sign_ins_available"], false);
    let (_, bob) = get(&app, &admin, &format!("/api/portal/customers/{}/users/u-bob", t.id)).await;
    assert_eq!(bob["sign_in_available"], false);
    assert!(bob["last_sign_in_at"].is_null(), "not available, never 'never'");
    let c = app.signed_in("admin@tailspin.test").await;
    let html = c.get(app.url("/licenses/unused")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Sign-in times are not available"), "{html}");
    assert!(html.contains("Cara Gone") && !html.contains("Dan Never"));
    let html = c.get(app.url("/users")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Not available") && !html.contains(">Never<"));
}

#[tokio::test]
async fn licenses_show_capacity_renewals_and_costs_only_to_those_who_see_costs() {
    let app = TestApp::spawn().await;
    let t = tailspin(&app).await;
    let path = format!("/api/portal/customers/{}/licenses", t.id);
    let admin = app.token("admin@tailspin.test").await;
    let (s, v) = get(&app, &admin, &path).await;
    assert_eq!(s, StatusCode::OK);
    let row = |v: &Value, part: &str| {
        v["items"].as_array().unwrap().iter().find(|r| r["sku_part_number"] == part).unwrap().clone()
    };
    let spb = row(&v, "SPB");
    assert_eq!(spb["product_name"], "Microsoft 365 Business Premium");
    assert_eq!(
        (spb["total"].as_i64(), spb["assigned"].as_i64(), spb["available"].as_i64()),
        (Some(5), Some(4), Some(1))
    );
    assert_eq!(spb["capacity"], "ok");
    assert_eq!(spb["status"], "active");
    assert_eq!(spb["renewal_due"], true);
    assert_eq!(spb["renewal_date"], (now() + Duration::days(10)).date().to_string());
    assert_eq!(spb["price_per_license"], "20.00");
    assert_eq!(spb["monthly_cost"], "100.00");
    assert_eq!(row(&v, "POWER_BI_PRO")["capacity"], "full");
    assert_eq!(row(&v, "O365_BUSINESS_ESSENTIALS")["renewal_due"], false);
    assert!(row(&v, "O365_BUSINESS_ESSENTIALS").get("monthly_cost").is_none(), "no price set");
    assert_eq!(row(&v, "FLOW_FREE")["free"], true);
    assert_eq!(v["total"], 4);
    let sum = &v["summary"];
    assert_eq!((sum["assigned"].as_i64(), sum["total"].as_i64()), (Some(7), Some(9)), "free SKUs left out");
    assert_eq!(sum["near_capacity"], 1);
    assert_eq!(sum["renewals_due"], 1);
    assert_eq!(sum["monthly_cost"], "110.00");
    assert_eq!(v["trend"].as_array().unwrap().len(), 1);

    // Standard users never see costs; admins only with cost visibility on; staff always.
    let (_, std) = get(&app, &app.token("standard@tailspin.test").await, &path).await;
    assert!(std["summary"].get("monthly_cost").is_none() && row(&std, "SPB").get("monthly_cost").is_none());
    let owner = app.token("owner@northwind.test").await;
    let r = Client::new()
        .patch(app.url(&format!("/api/portal/customers/{}", t.id)))
        .bearer_auth(&owner)
        .json(&json!({"features": {"cost_visibility": false}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let (_, off) = get(&app, &admin, &path).await;
    assert!(off["summary"].get("monthly_cost").is_none() && row(&off, "SPB").get("price_per_license").is_none());
    let (_, staff) = get(&app, &app.token("tech@northwind.test").await, &path).await;
    assert_eq!(staff["summary"]["monthly_cost"], "110.00");

    // The pages agree.
    let c = app.signed_in("admin@tailspin.test").await;
    let html = c.get(app.url("/licenses")).send().await.unwrap().text().await.unwrap();
    assert!(!html.contains("Per month") && html.contains("Microsoft 365 Business Premium"));
    assert!(
        html.contains("<svg class=\"chart-plot\"") || html.contains("The trend appears"),
        "a chart or its placeholder"
    );
    assert!(!html.contains("style="), "no inline styles (the CSP forbids them)");
    let tech = app.signed_in("tech@northwind.test").await;
    let html = tech
        .get(app.url(&format!("/msp/customers/{}/m365/licenses", t.id)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Per month") && html.contains("100.00") && html.contains("cost visibility is off"));
    let html = c.get(app.url(&format!("/licenses/{SPB}"))).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Assigned to 4 people") && html.contains("Bob Builder") && !html.contains("Dan Never"));
}

#[tokio::test]
async fn security_shows_the_score_actions_and_the_chosen_alert_severities() {
    let app = TestApp::spawn().await;
    let t = tailspin(&app).await;
    let path = format!("/api/portal/customers/{}/security", t.id);
    let admin = app.token("admin@tailspin.test").await;
    let (s, v) = get(&app, &admin, &path).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["score"]["percent"], 35.0);
    assert_eq!(v["score"]["change_30d"], 10.0);
    assert_eq!(v["history"].as_array().unwrap().len(), 2);
    let actions: Vec<(&str, f64)> = v["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["id"].as_str().unwrap(), a["remaining"].as_f64().unwrap()))
        .collect();
    assert_eq!(actions, [("mfa", 5.0), ("legacy", 8.0)], "by rank, achieved ones left out");
    let ids = |v: &Value| {
        v["alerts"].as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap().to_string()).collect::<Vec<_>>()
    };
    assert_eq!(ids(&v), ["a-high", "a-medium", "a-low", "a-info"], "active ones, most severe first");
    assert_eq!(v["alert_counts"], json!({"high": 1, "medium": 1, "low": 1, "informational": 1}));

    // The MSP shows this customer only high and medium alerts.
    let owner = app.signed_in("owner@northwind.test").await;
    let settings = app.url(&format!("/msp/customers/{}/m365/settings", t.id));
    let r = post_form(
        &owner,
        &settings,
        &app.url(&format!("/msp/customers/{}/m365/settings/options", t.id)),
        &[
            ("unused_days", "45"),
            ("alert_severities", "high"),
            ("alert_severities", "medium"),
            ("license_threshold", "85"),
            ("renewal_days", "14"),
            ("notify_severity", "medium"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let o = w::options(app.db(), t.scope).await.unwrap();
    assert_eq!(
        o,
        OptionsRow {
            unused_days: 45,
            alert_severities: "high,medium".into(),
            license_threshold: 85,
            renewal_days: 14,
            notify_severity: "medium".into()
        }
    );
    let (_, v) = get(&app, &admin, &path).await;
    assert_eq!(ids(&v), ["a-high", "a-medium"]);
    assert_eq!(v["severities"], json!(["high", "medium"]));
    let c = app.signed_in("standard@tailspin.test").await;
    let html = c.get(app.url("/security")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Alert a-high") && !html.contains("Alert a-low") && html.contains("Control mfa"));

    // Health: open issues only, incidents first; services with issues first.
    let (_, h) = get(&app, &admin, &format!("/api/portal/customers/{}/service-health", t.id)).await;
    let issues: Vec<&str> = h["issues"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert_eq!(issues, ["EX1", "TM1"]);
    assert_eq!(h["services"][0]["name"], "Exchange Online");
    assert_eq!(h["services"][0]["status_label"], "Degraded");
    assert_eq!(h["services"][1]["advisories"], 1);
    let html = c.get(app.url("/service-health")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Latest on EX1") && !html.contains("Latest on SP1"));

    // Bad options are refused whole, and only managers may change them.
    let r = post_form(
        &owner,
        &settings,
        &app.url(&format!("/msp/customers/{}/m365/settings/options", t.id)),
        &[
            ("unused_days", "3"),
            ("alert_severities", "urgent"),
            ("license_threshold", "85"),
            ("renewal_days", "14"),
            ("notify_severity", "high"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(w::options(app.db(), t.scope).await.unwrap().unused_days, 45);
    let tech = app.signed_in("tech@northwind.test").await;
    let r = post_form(
        &tech,
        &settings,
        &app.url(&format!("/msp/customers/{}/m365/settings/options", t.id)),
        &[("unused_days", "60")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

async fn prices(app: &TestApp, scope: CustomerScope) -> std::collections::HashMap<String, Option<i64>> {
    let skus = portico::db::m365::skus(app.db(), scope).await.unwrap();
    skus.into_iter().map(|s| (s.sku_id, s.price_cents)).collect()
}

#[tokio::test]
async fn prices_are_set_in_the_console_as_a_whole_form() {
    let app = TestApp::spawn().await;
    let t = tailspin(&app).await;
    let owner = app.signed_in("owner@northwind.test").await;
    let settings = app.url(&format!("/msp/customers/{}/m365/settings", t.id));
    let action = app.url(&format!("/msp/customers/{}/m365/settings/prices", t.id));
    let (spb, basic, pbi) = (format!("price:{SPB}"), format!("price:{BASIC}"), format!("price:{PBI}"));
    let (spb, basic, pbi) = (spb.as_str(), basic.as_str(), pbi.as_str());
    let r = post_form(&owner, &settings, &action, &[(spb, "12.5"), (basic, "abc"), (pbi, "")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("Microsoft 365 Business Basic: Enter an amount in GBP like 12.50."));
    assert_eq!(prices(&app, t.scope).await[SPB], Some(2000), "nothing saved from a refused form");
    let r = post_form(&owner, &settings, &action, &[(spb, "12.5"), (basic, "7,25"), (pbi, "")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), format!("/msp/customers/{}/m365/settings?notice=prices-saved", t.id));
    let now_prices = prices(&app, t.scope).await;
    assert_eq!((now_prices[SPB], now_prices[BASIC], now_prices[PBI]), (Some(1250), Some(725), None));
    let html = owner.get(settings).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("value=\"12.50\"") && html.contains("value=\"7.25\""));
}

#[tokio::test]
async fn asking_for_licenses_raises_a_ticket() {
    let app = TestApp::spawn().await;
    let t = tailspin(&app).await;
    let c = app.signed_in("standard@tailspin.test").await;
    let page = app.url("/licenses");
    let html = c.get(&page).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Request additional licenses"));
    let r =
        post_form(&c, &page, &app.url("/licenses/request"), &[("sku", SPB), ("quantity", "0"), ("reason", "")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("Enter how many licenses"));
    let r = post_form(
        &c,
        &page,
        &app.url("/licenses/request"),
        &[("sku", SPB), ("quantity", "3"), ("reason", "Three starters in May")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = location(&r);
    assert!(to.starts_with("/tickets/") && to.ends_with("?notice=license-requested"), "{to}");
    let html = c.get(app.url(&to)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("License request: 3 × Microsoft 365 Business Premium"), "{html}");
    assert!(html.contains("Three starters in May") && html.contains("Today 4 of 5 are assigned"));
    assert!(html.contains("Microsoft 365"), "filed under the Microsoft 365 category");
    let staff = app.token("tech@northwind.test").await;
    let (_, list) = get(&app, &staff, &format!("/api/portal/customers/{}/tickets", t.id)).await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["category"], "Microsoft 365");

    // Without the tickets feature there is no form and no request.
    let owner = app.token("owner@northwind.test").await;
    Client::new()
        .patch(app.url(&format!("/api/portal/customers/{}", t.id)))
        .bearer_auth(&owner)
        .json(&json!({"features": {"tickets": false}}))
        .send()
        .await
        .unwrap();
    let r = post_form(&c, &page, &app.url("/licenses/request"), &[("sku", SPB), ("quantity", "1")]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let html = c.get(&page).send().await.unwrap().text().await.unwrap();
    assert!(!html.contains("Request additional licenses"));
}

#[tokio::test]
async fn toggles_and_roles_decide_who_sees_what() {
    let app = TestApp::spawn().await;
    let t = tailspin(&app).await;
    let base = format!("/api/portal/customers/{}", t.id);
    let areas = [
        ("user_directory", "/users", "/users"),
        ("user_directory", "/groups", "/groups"),
        ("licenses", "/licenses", "/licenses"),
        ("licenses", "/licenses/unused", "/licenses/unused"),
        ("security", "/security", "/security"),
        ("service_health", "/service-health", "/service-health"),
    ];
    let admin = app.token("admin@tailspin.test").await;
    let limited = app.token("limited@tailspin.test").await;
    let fabrikam = app.token("admin@fabrikam.test").await;
    let admin_page = app.signed_in("admin@tailspin.test").await;
    let limited_page = app.signed_in("limited@tailspin.test").await;
    for (_, api, page) in areas {
        assert_eq!(get(&app, &admin, &format!("{base}{api}")).await.0, StatusCode::OK, "{api}");
        assert_eq!(get(&app, &limited, &format!("{base}{api}")).await.0, StatusCode::FORBIDDEN, "{api} limited");
        assert_eq!(get(&app, &fabrikam, &format!("{base}{api}")).await.0, StatusCode::NOT_FOUND, "{api} other tenant");
        assert_eq!(admin_page.get(app.url(page)).send().await.unwrap().status(), StatusCode::OK, "{page}");
        assert_eq!(
            limited_page.get(app.url(page)).send().await.unwrap().status(),
            StatusCode::FORBIDDEN,
            "{page} limited"
        );
    }
    let html = admin_page.get(app.url("/dashboard")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("href=\"&#x2f;groups\""), "Groups in the navigation, next to Users");
    for href in ["href=\"/users\"", "href=\"/licenses\"", "href=\"/security\"", "href=\"/service-health\""] {
        assert!(html.contains(href), "{href} in the navigation and tiles");
    }
    assert!(html.contains("Data as of") && html.contains("Microsoft 365 users") && html.contains("Secure score"));
    let html = limited_page.get(app.url("/dashboard")).send().await.unwrap().text().await.unwrap();
    assert!(
        !html.contains("href=\"/licenses\"")
            && !html.contains("href=\"&#x2f;groups\"")
            && !html.contains("Secure score")
    );
    let (_, d) = get(&app, &limited, &format!("{base}/dashboard")).await;
    assert!(d["microsoft_365"]["summary"].is_null(), "limited users get no Microsoft 365 summary");
    let (_, d) = get(&app, &admin, &format!("{base}/dashboard")).await;
    let m = &d["microsoft_365"]["summary"];
    assert_eq!(m["users"]["active"], 6);
    assert_eq!(m["licenses"]["assigned"], 7);
    assert_eq!(m["licenses"]["attention"][0]["sku_part_number"], "POWER_BI_PRO");
    assert_eq!(m["security"]["active_alerts"], 4);
    assert_eq!(m["service_health"]["attention"].as_array().unwrap().len(), 2);

    // Each toggle switched off: 403 for the customer (API and page), the tile goes; staff still see it.
    let owner = app.token("owner@northwind.test").await;
    let off =
        json!({"features": {"user_directory": false, "licenses": false, "security": false, "service_health": false}});
    let r = Client::new().patch(app.url(&base)).bearer_auth(&owner).json(&off).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    for (_, api, page) in areas {
        assert_eq!(get(&app, &admin, &format!("{base}{api}")).await.0, StatusCode::FORBIDDEN, "{api} off");
        assert_eq!(admin_page.get(app.url(page)).send().await.unwrap().status(), StatusCode::FORBIDDEN, "{page} off");
        assert_eq!(get(&app, &owner, &format!("{base}{api}")).await.0, StatusCode::OK, "{api} staff");
    }
    let html = admin_page.get(app.url("/dashboard")).send().await.unwrap().text().await.unwrap();
    assert!(!html.contains("href=\"/licenses\"") && !html.contains("Secure score"));
    let (_, d) = get(&app, &admin, &format!("{base}/dashboard")).await;
    assert!(d["microsoft_365"]["summary"].is_null());
    let tech = app.signed_in("tech@northwind.test").await;
    for page in [
        "",
        "/users",
        "/users/u-ada",
        "/groups",
        "/licenses",
        "/licenses/unused",
        "/security",
        "/service-health",
        "/settings",
    ] {
        let r = tech.get(app.url(&format!("/msp/customers/{}/m365{page}", t.id))).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "console {page}");
    }
    assert_eq!(
        tech.get(app.url("/users")).send().await.unwrap().status(),
        StatusCode::NOT_FOUND,
        "staff use the console"
    );
    assert_eq!(
        tech.request(Method::GET, app.url(&format!("/msp/customers/{}/m365/users/u-nobody", t.id)))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_demo_tenants_look_lived_in() {
    let app = TestApp::spawn().await;
    let staff = app.token("tech@northwind.test").await;
    for (name, sign_ins) in [("Contoso Ltd", true), ("Fabrikam Inc", true), ("Adatum Corp", false)] {
        let id = app.customer_id(name).await;
        let (_, users) = get(&app, &staff, &format!("/api/portal/customers/{id}/users?per_page=1")).await;
        assert!(users["total"].as_i64().unwrap() >= 50, "{name} has a directory");
        assert_eq!(users["items"][0]["sign_in_available"], sign_ins, "{name}");
        let (_, l) = get(&app, &staff, &format!("/api/portal/customers/{id}/licenses")).await;
        let rows = l["items"].as_array().unwrap();
        assert!(rows.iter().any(|r| r["capacity"] != "ok" && r["free"] == false), "{name}: a SKU near capacity");
        assert!(rows.iter().any(|r| r["renewal_due"] == true), "{name}: a renewal due");
        assert_eq!(l["trend"].as_array().unwrap().len(), 90, "{name}: 90 days of history");
        let (_, h) = get(&app, &staff, &format!("/api/portal/customers/{id}/service-health")).await;
        let classes: Vec<&str> =
            h["issues"].as_array().unwrap().iter().map(|i| i["classification"].as_str().unwrap()).collect();
        assert_eq!(classes, ["incident", "advisory"], "{name}");
        let (_, s) = get(&app, &staff, &format!("/api/portal/customers/{id}/security")).await;
        assert_eq!(s["history"].as_array().unwrap().len(), 90, "{name}");
        assert!(s["actions"].as_array().unwrap().len() >= 5);
    }
    let contoso = app.customer_id("Contoso Ltd").await;
    let (_, u) = get(&app, &staff, &format!("/api/portal/customers/{contoso}/licenses/unused")).await;
    let reasons: Vec<&str> = u["items"].as_array().unwrap().iter().map(|r| r["reason"].as_str().unwrap()).collect();
    assert!(reasons.contains(&"disabled") && reasons.contains(&"inactive"));
    assert!(u["items"].as_array().unwrap().iter().any(|r| r["never_signed_in"] == true));
    assert!(u["monthly_cost"].is_string(), "Contoso has prices");
    // Seeding again changes nothing.
    assert!(!portico::services::demo::seed(app.db(), &app.state.files).await.unwrap());
}
