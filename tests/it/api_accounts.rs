//! Portal users and staff over the API: the same rules as the console's pages.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::api_contract::call;
use crate::helpers::TestApp;

fn ids_by_email(list: &Value) -> Vec<(String, String)> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| (u["email"].as_str().unwrap().to_string(), u["id"].as_str().unwrap().to_string()))
        .collect()
}

#[tokio::test]
async fn a_customer_admin_manages_portal_users_over_the_api() {
    let app = TestApp::spawn().await;
    let contoso = app.customer_id("Contoso Ltd").await;
    let admin = app.token("admin@contoso.test").await;
    let base = format!("/api/portal/customers/{contoso}/portal-users");
    let (s, list) = call(&app, Method::GET, &base, &admin, None).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    assert_eq!(list["total"], 3);
    let lee = app.user_id("limited@contoso.test").await.to_string();
    let row = list["items"].as_array().unwrap().iter().find(|u| u["id"] == lee.as_str()).unwrap();
    assert_eq!((row["role"].as_str(), row["status"].as_str()), (Some("limited"), Some("active")));
    let (_, page) = call(&app, Method::GET, &format!("{base}?per_page=2&page=2"), &admin, None).await;
    assert_eq!((page["total"].as_i64(), page["items"].as_array().unwrap().len()), (Some(3), 1));

    let (s, inv) = call(
        &app,
        Method::POST,
        &base,
        &admin,
        Some(json!({"name": "Diego Siciliani", "email": "diego@contoso.test", "role": "standard"})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{inv}");
    assert_eq!(inv["user"]["status"], "invited");
    assert_eq!(inv["user"]["role"], "standard");
    let url = inv["invitation_url"].as_str().unwrap();
    assert!(url.contains("/invite/"), "{url}");
    assert!(app.outbox().await.iter().any(|m| m.to.contains("diego@contoso.test")), "the invitation is mailed");
    let r = app.client().get(app.url(&url[url.find("/invite/").unwrap()..])).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "the link opens the page that sets a password");
    for (body, field) in [
        (json!({"name": "Again", "email": "diego@contoso.test", "role": "limited"}), "email"),
        (json!({"name": "Nobody", "email": "nobody@contoso.test", "role": "owner"}), "role"),
        (json!({"name": "", "email": "empty@contoso.test", "role": "limited"}), "name"),
    ] {
        let (s, b) = call(&app, Method::POST, &base, &admin, Some(body.clone())).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {b}");
        assert_eq!(b["error"]["fields"][0]["field"], field, "{b}");
    }

    let (s, u) = call(&app, Method::PATCH, &format!("{base}/{lee}"), &admin, Some(json!({"role": "standard"}))).await;
    assert_eq!((s, u["role"].as_str()), (StatusCode::OK, Some("standard")), "{u}");
    let (s, u) = call(&app, Method::PATCH, &format!("{base}/{lee}"), &admin, Some(json!({"active": false}))).await;
    assert_eq!((s, u["status"].as_str(), u["role"].as_str()), (StatusCode::OK, Some("deactivated"), Some("standard")));
    let (s, b) = call(&app, Method::PATCH, &format!("{base}/{lee}"), &admin, Some(json!({"role": "boss"}))).await;
    assert_eq!((s, b["error"]["fields"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("role")));
    let (s, u) = call(&app, Method::PATCH, &format!("{base}/{lee}"), &admin, Some(json!({"active": true}))).await;
    assert_eq!((s, u["active"].as_bool()), (StatusCode::OK, Some(true)));
}

#[tokio::test]
async fn the_api_keeps_a_company_its_one_active_admin() {
    let app = TestApp::spawn().await;
    let contoso = app.customer_id("Contoso Ltd").await;
    let base = format!("/api/portal/customers/{contoso}/portal-users");
    let admin = app.token("admin@contoso.test").await;
    let owner = app.token("owner@northwind.test").await;
    let alex = app.user_id("admin@contoso.test").await;
    let megan = app.user_id("standard@contoso.test").await;
    for (who, body) in [
        (&admin, json!({"role": "standard"})),
        (&admin, json!({"active": false})),
        (&owner, json!({"role": "limited"})),
        (&owner, json!({"active": false})),
        (&owner, json!({"role": "admin", "active": false})),
    ] {
        let (s, b) = call(&app, Method::PATCH, &format!("{base}/{alex}"), who, Some(body.clone())).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{body}: {b}");
        assert_eq!(b["error"]["code"], "bad_request");
    }
    let (_, list) = call(&app, Method::GET, &base, &owner, None).await;
    let alex_row = list["items"].as_array().unwrap().iter().find(|u| u["id"] == alex.to_string().as_str()).unwrap();
    assert_eq!((alex_row["role"].as_str(), alex_row["active"].as_bool()), (Some("admin"), Some(true)), "unchanged");
    // With a second admin, the first may go.
    let (s, _) = call(&app, Method::PATCH, &format!("{base}/{megan}"), &owner, Some(json!({"role": "admin"}))).await;
    assert_eq!(s, StatusCode::OK);
    let (s, u) = call(&app, Method::PATCH, &format!("{base}/{alex}"), &owner, Some(json!({"active": false}))).await;
    assert_eq!((s, u["status"].as_str()), (StatusCode::OK, Some("deactivated")));
    let (s, _) = call(&app, Method::PATCH, &format!("{base}/{megan}"), &owner, Some(json!({"role": "standard"}))).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "Megan is now the only active admin");
}

#[tokio::test]
async fn staff_are_listed_with_the_ids_a_ticket_is_assigned_by() {
    let app = TestApp::spawn().await;
    let owner = app.token("owner@northwind.test").await;
    let (s, list) = call(&app, Method::GET, "/api/portal/staff", &app.token("tech@northwind.test").await, None).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    assert_eq!(list["total"], 2);
    let tech = ids_by_email(&list).into_iter().find(|(e, _)| e == "tech@northwind.test").unwrap().1;
    assert_eq!(tech, app.user_id("tech@northwind.test").await.to_string());
    assert_eq!(list["items"][1]["role"], "technician");
    let contoso = app.customer_id("Contoso Ltd").await;
    let (_, tickets) = call(&app, Method::GET, &format!("/api/portal/customers/{contoso}/tickets"), &owner, None).await;
    let ticket = tickets["items"][0]["id"].as_str().unwrap();
    let (s, t) = call(
        &app,
        Method::PATCH,
        &format!("/api/portal/customers/{contoso}/tickets/{ticket}"),
        &owner,
        Some(json!({"assignee_id": tech})),
    )
    .await;
    assert_eq!((s, t["assignee"].as_str()), (StatusCode::OK, Some("Tomás Herrera")));
    // Another MSP's staff, on their own host, see their own.
    let other: Value = app
        .client()
        .get(app.other_url("/api/portal/staff"))
        .bearer_auth(app.other_token(crate::helpers::OTHER_STAFF).await)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(ids_by_email(&other).iter().all(|(e, _)| e.ends_with("@litware.test")), "{other}");
}
