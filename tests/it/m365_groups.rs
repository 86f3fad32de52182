//! Microsoft 365 groups: the list in the portal, the console and the API, with search, the
//! kind filter, sorting and paging, and what shows when there is nothing to list.

use portico::db::m365_sync::{self as w, GroupRecord};
use portico::model::now;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

use crate::helpers::TestApp;
use crate::m365::{get, tailspin, Tailspin};

fn group(id: &str, name: &str, kind: &str, mail: Option<&str>, members: i64) -> GroupRecord {
    GroupRecord { id: id.into(), name: name.into(), kind: kind.into(), mail: mail.map(str::to_string), members }
}

/// Tailspin's tenant with six groups of the four kinds, as a sync stores them.
async fn with_groups(app: &TestApp) -> Tailspin {
    let t = tailspin(app).await;
    let groups = [
        group("g-all", "All Staff", "microsoft365", Some("allstaff@tailspin.com"), 8),
        group("g-sales", "Sales Team", "microsoft365", Some("sales@tailspin.com"), 4),
        group("g-news", "newsletter", "distribution", Some("news@tailspin.com"), 120),
        group("g-vpn", "VPN Users", "security", None, 3),
        group("g-admins", "Break Glass Admins", "mail_security", Some("breakglass@tailspin.com"), 2),
        group("g-empty", "Old Project", "microsoft365", Some("oldproject@tailspin.com"), 0),
    ];
    w::replace_groups(app.db(), t.scope, &groups).await.unwrap();
    w::record_area(app.db(), t.scope, "groups", None, None, now()).await.unwrap();
    t
}

fn names(v: &Value) -> Vec<&str> {
    v["items"].as_array().unwrap().iter().map(|g| g["name"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn groups_are_searched_filtered_sorted_and_paged() {
    let app = TestApp::spawn().await;
    let t = with_groups(&app).await;
    let admin = app.token("admin@tailspin.test").await;
    let path = format!("/api/portal/customers/{}/groups", t.id);
    let (s, all) = get(&app, &admin, &path).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!((all["total"].as_i64(), all["page"].as_i64(), all["per_page"].as_i64()), (Some(6), Some(1), Some(50)));
    assert_eq!(
        names(&all),
        ["All Staff", "Break Glass Admins", "newsletter", "Old Project", "Sales Team", "VPN Users"]
    );
    assert_eq!(
        all["items"][1],
        json!({"id": "g-admins", "name": "Break Glass Admins", "kind": "mail_security",
               "kind_label": "Mail-enabled security", "mail": "breakglass@tailspin.com", "members": 2})
    );
    assert!(all["items"][5]["mail"].is_null(), "a security group takes no mail");
    for (query, expected) in [
        ("q=SALES", &["Sales Team"][..]),
        ("q=news%40", &["newsletter"]),
        ("q=tailspin.com&kind=microsoft365", &["All Staff", "Old Project", "Sales Team"]),
        ("kind=distribution", &["newsletter"]),
        ("kind=security", &["VPN Users"]),
        ("kind=mail_security", &["Break Glass Admins"]),
        ("q=%25", &[]),
        ("sort=-members&per_page=3", &["newsletter", "All Staff", "Sales Team"]),
        ("sort=members&per_page=2", &["Old Project", "Break Glass Admins"]),
        ("sort=-name&per_page=2&page=2", &["Old Project", "newsletter"][..]),
    ] {
        let (s, v) = get(&app, &admin, &format!("{path}?{query}")).await;
        assert_eq!(s, StatusCode::OK, "{query}");
        assert_eq!(names(&v), expected, "{query}");
    }
    let (_, paged) = get(&app, &admin, &format!("{path}?per_page=4&page=2")).await;
    assert_eq!((paged["total"].as_i64(), names(&paged).len()), (Some(6), 2));
    for (bad, status) in [
        ("kind=dynamic", StatusCode::UNPROCESSABLE_ENTITY),
        ("sort=size", StatusCode::BAD_REQUEST),
        ("per_page=201", StatusCode::BAD_REQUEST),
        ("page=0", StatusCode::BAD_REQUEST),
    ] {
        let (s, v) = get(&app, &admin, &format!("{path}?{bad}")).await;
        assert_eq!(s, status, "{bad}");
        assert!(v["error"]["code"].is_string(), "{bad}");
    }
    let (s, _) = get(&app, &app.token("standard@tailspin.test").await, &path).await;
    assert_eq!(s, StatusCode::OK, "standard users see groups");

    // The page lists the same, keeps the filters in its sort links, and counts each kind.
    let c = app.signed_in("standard@tailspin.test").await;
    let html = c.get(app.url("/groups?q=tailspin&kind=microsoft365")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("3 groups match"), "{html}");
    assert!(html.contains("Sales Team") && !html.contains("newsletter") && !html.contains("VPN Users"));
    assert!(html.contains("kind=microsoft365&amp;q=tailspin&amp;sort=members"), "sort links keep the filters");
    assert!(html.contains("value=\"microsoft365\" selected>Microsoft 365 (3)"), "{html}");
    assert!(html.contains("Distribution list (1)") && html.contains("mailto:sales@tailspin.com"));
    let html = c.get(app.url("/groups?sort=members&dir=desc")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("6 groups in Microsoft 365") && html.contains("aria-sort=\"descending\""));
    assert!(html.find("newsletter").unwrap() < html.find("All Staff").unwrap(), "most members first");
    assert!(html.contains("href=\"&#x2f;groups\" aria-current=\"page\""), "Groups is in the navigation");
    let r = c.get(app.url("/groups?kind=dynamic")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Staff see the same list in the console, with a Groups tab.
    let tech = app.signed_in("tech@northwind.test").await;
    let console = format!("/msp/customers/{}/m365", t.id);
    let tab = format!("href=\"{}&#x2f;groups\"", console.replace('/', "&#x2f;"));
    let html = tech.get(app.url(&format!("{console}/groups"))).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("6 groups in Microsoft 365") && html.contains("Break Glass Admins"));
    assert!(html.contains(&format!("{tab} aria-current=\"page\">Groups")), "{html}");
    let html = tech.get(app.url(&console)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains(&tab), "the overview's tabs link to groups");
}

#[tokio::test]
async fn groups_say_when_there_is_nothing_to_list() {
    let app = TestApp::spawn().await;
    let t = tailspin(&app).await;
    let admin = app.token("admin@tailspin.test").await;
    let path = format!("/api/portal/customers/{}/groups", t.id);
    let c = app.signed_in("admin@tailspin.test").await;
    let tech = app.signed_in("tech@northwind.test").await;
    let console = app.url(&format!("/msp/customers/{}/m365/groups", t.id));

    // Linked, but the groups have not been synced yet.
    let (s, v) = get(&app, &admin, &path).await;
    assert_eq!((s, v["total"].as_i64(), v["items"].as_array().map(Vec::len)), (StatusCode::OK, Some(0), Some(0)));
    let html = c.get(app.url("/groups")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("No groups have been synced yet") && html.contains("Waiting for the first sync"), "{html}");
    assert!(!html.contains("<table"), "no empty table");

    // Synced, and the tenant has none.
    w::record_area(app.db(), t.scope, "groups", None, None, now()).await.unwrap();
    let html = c.get(app.url("/groups")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("This tenant has no groups") && html.contains("Data as of"), "{html}");

    // Not linked to a tenant (any more): what an earlier sync stored is not shown.
    w::replace_groups(app.db(), t.scope, &[group("g-old", "Stale Group", "security", None, 1)]).await.unwrap();
    let owner = app.token("owner@northwind.test").await;
    let r = Client::new()
        .patch(app.url(&format!("/api/portal/customers/{}", t.id)))
        .bearer_auth(&owner)
        .json(&json!({"m365_tenant_id": null}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = c.get(app.url("/groups")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("No Microsoft 365 tenant is linked") && html.contains("Once "), "{html}");
    assert!(!html.contains("Waiting for the first sync") && !html.contains("Stale Group"), "nothing to wait for");
    let html = tech.get(&console).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("No Microsoft 365 tenant is linked") && html.contains("the customer's page"), "{html}");
    let (s, v) = get(&app, &admin, &path).await;
    assert_eq!((s, v["total"].as_i64()), (StatusCode::OK, Some(0)));
}

#[tokio::test]
async fn the_demo_tenants_have_groups_of_every_kind() {
    let app = TestApp::spawn().await;
    let staff = app.token("tech@northwind.test").await;
    let contoso = app.customer_id("Contoso Ltd").await;
    let path = format!("/api/portal/customers/{contoso}/groups");
    let (_, v) = get(&app, &staff, &format!("{path}?sort=-members&per_page=200")).await;
    assert!(v["total"].as_i64().unwrap() >= 10);
    assert_eq!(v["items"][0]["name"], "All Company", "the whole company is the biggest group");
    for kind in ["microsoft365", "distribution", "security", "mail_security"] {
        assert!(v["items"].as_array().unwrap().iter().any(|g| g["kind"] == kind), "{kind}");
    }
}
