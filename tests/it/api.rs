//! The JSON API: bearer tokens, errors, branding, customers, dashboard, OpenAPI.

use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{TestApp, PNG};

async fn call(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = Client::new().request(method, app.url(path)).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn requests_without_a_valid_token_get_401() {
    let app = TestApp::spawn().await;
    for (auth, what) in [
        (None, "none"),
        (Some("Bearer nonsense"), "garbage"),
        (Some("Basic abc"), "wrong scheme"),
        (Some("Bearer ptc_doesnotexist"), "unknown"),
    ] {
        let mut req = Client::new().get(app.url("/api/portal/customers"));
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{what}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], "unauthorized");
    }
    // A session cookie is not an API credential.
    let c = app.signed_in("owner@northwind.test").await;
    assert_eq!(c.get(app.url("/api/portal/customers")).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn staff_see_all_their_customers_and_portal_users_only_their_own() {
    let app = TestApp::spawn().await;
    let staff = app.token("tech@northwind.test").await;
    let (s, body) = call(&app, reqwest::Method::GET, "/api/portal/customers?per_page=2", &staff, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body["total"], 3);
    assert_eq!(body["per_page"], 2);
    assert_eq!(body["items"].as_array().unwrap().len(), 2);
    assert_eq!(body["items"][0]["name"], "Adatum Corp");
    assert_eq!(body["items"][0]["features"]["security"], false);
    let (_, page2) = call(&app, reqwest::Method::GET, "/api/portal/customers?per_page=2&page=2", &staff, None).await;
    assert_eq!(page2["items"][0]["name"], "Fabrikam Inc");
    let (_, found) = call(&app, reqwest::Method::GET, "/api/portal/customers?q=CONTO", &staff, None).await;
    assert_eq!(found["total"], 1);
    let portal = app.token("standard@contoso.test").await;
    let (_, own) = call(&app, reqwest::Method::GET, "/api/portal/customers", &portal, None).await;
    assert_eq!(own["total"], 1);
    assert_eq!(own["items"][0]["name"], "Contoso Ltd");
    for bad in ["?per_page=0", "?per_page=201", "?page=0", "?page=abc"] {
        let (s, body) = call(&app, reqwest::Method::GET, &format!("/api/portal/customers{bad}"), &staff, None).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(body["error"]["code"], "bad_request");
    }
}

#[tokio::test]
async fn owners_create_and_patch_customers_with_validation() {
    let app = TestApp::spawn().await;
    let owner = app.token("owner@northwind.test").await;
    let (s, c) = call(&app, reqwest::Method::POST, "/api/portal/customers", &owner, Some(json!({"name": "Relecloud", "m365_tenant_id": "7f2b1a1e-0c4e-4d1b-9a57-2f1a6a1c9b10", "features": {"security": false}}))).await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(c["name"], "Relecloud");
    assert_eq!(c["features"]["security"], false);
    assert_eq!(c["features"]["tickets"], true);
    let id = c["id"].as_str().unwrap().to_string();
    let (s, c) = call(
        &app,
        reqwest::Method::PATCH,
        &format!("/api/portal/customers/{id}"),
        &owner,
        Some(json!({"features": {"tickets": false}, "m365_tenant_id": null})),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(c["features"]["tickets"], false);
    assert_eq!(c["features"]["security"], false, "untouched toggles keep their value");
    assert_eq!(c["m365_tenant_id"], Value::Null);
    assert_eq!(c["name"], "Relecloud");
    let bad = [
        (json!({"name": ""}), StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"),
        (json!({"name": "x".repeat(121)}), StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"),
        (json!({"name": 42}), StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"),
        (json!({"name": "Ok", "colour": "red"}), StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"),
        (json!({"name": "Ok", "m365_tenant_id": "nope"}), StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"),
        (json!({"name": "contoso LTD"}), StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"),
    ];
    for (body, status, code) in bad {
        let (s, b) = call(&app, reqwest::Method::POST, "/api/portal/customers", &owner, Some(body.clone())).await;
        assert_eq!(s, status, "{body}");
        assert_eq!(b["error"]["code"], code);
        assert!(!b["error"]["message"].as_str().unwrap().is_empty());
    }
    let (_, all) = call(&app, reqwest::Method::GET, "/api/portal/customers", &owner, None).await;
    assert_eq!(all["total"], 4, "no half-written customers");
    // Malformed JSON, wrong content type, oversized body.
    let r = Client::new()
        .post(app.url("/api/portal/customers"))
        .bearer_auth(&owner)
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = Client::new()
        .post(app.url("/api/portal/customers"))
        .bearer_auth(&owner)
        .header("content-type", "text/plain")
        .body("name=x")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let huge = format!("{{\"name\": \"{}\"}}", "x".repeat(3 * 1024 * 1024));
    let r = Client::new()
        .post(app.url("/api/portal/customers"))
        .bearer_auth(&owner)
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "payload_too_large");
}

#[tokio::test]
async fn lower_roles_cannot_write() {
    let app = TestApp::spawn().await;
    let id = app.customer_id("Contoso Ltd").await;
    for email in ["tech@northwind.test", "admin@contoso.test", "standard@contoso.test", "limited@contoso.test"] {
        let t = app.token(email).await;
        let (s, b) =
            call(&app, reqwest::Method::POST, "/api/portal/customers", &t, Some(json!({"name": "Nope"}))).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{email}");
        assert_eq!(b["error"]["code"], "forbidden");
        let (s, _) = call(
            &app,
            reqwest::Method::PATCH,
            &format!("/api/portal/customers/{id}"),
            &t,
            Some(json!({"name": "Nope"})),
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{email}");
        let (s, _) = call(
            &app,
            reqwest::Method::PUT,
            "/api/portal/settings/branding",
            &t,
            Some(json!({"primary_color": "#000000"})),
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{email}");
    }
    let owner = app.token("owner@northwind.test").await;
    let (_, c) = call(&app, reqwest::Method::GET, &format!("/api/portal/customers/{id}"), &owner, None).await;
    assert_eq!(c["name"], "Contoso Ltd");
}

#[tokio::test]
async fn branding_over_the_api() {
    let app = TestApp::spawn().await;
    let owner = app.token("owner@northwind.test").await;
    let (s, b) = call(&app, reqwest::Method::GET, "/api/portal/settings/branding", &owner, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(b["primary_color"], "#0f766e");
    assert!(b["logo_url"].as_str().unwrap().starts_with("/brand/logo"));
    let (s, b) = call(
        &app,
        reqwest::Method::PUT,
        "/api/portal/settings/branding",
        &owner,
        Some(json!({"primary_color": "#AA3300", "support_hours": "9-5"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(b["primary_color"], "#aa3300");
    assert_eq!(b["support_hours"], "9-5");
    assert_eq!(b["product_name"], "Northwind Client Portal", "absent fields unchanged");
    for bad in [
        json!({"primary_color": "#12345"}),
        json!({"support_email": "nope"}),
        json!({"product_name": ""}),
        json!({"welcome_message": "x".repeat(1001)}),
        json!({"unknown": 1}),
    ] {
        let (s, b) = call(&app, reqwest::Method::PUT, "/api/portal/settings/branding", &owner, Some(bad.clone())).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(b["error"]["code"], "validation_failed");
    }
    let (_, b) = call(&app, reqwest::Method::GET, "/api/portal/settings/branding", &owner, None).await;
    assert_eq!(b["primary_color"], "#aa3300", "refused updates changed nothing");
    let r = Client::new()
        .put(app.url("/api/portal/settings/branding/logo"))
        .bearer_auth(&owner)
        .header("content-type", "image/png")
        .body(PNG.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = Client::new()
        .put(app.url("/api/portal/settings/branding/logo"))
        .bearer_auth(&owner)
        .header("content-type", "image/png")
        .body("<html>")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let r = Client::new()
        .put(app.url("/api/portal/settings/branding/favicon"))
        .bearer_auth(&owner)
        .header("content-type", "image/png")
        .body(vec![0x89u8; 200 * 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn the_dashboard_as_json() {
    let app = TestApp::spawn().await;
    let id = app.customer_id("Contoso Ltd").await;
    let limited = app.token("limited@contoso.test").await;
    let (s, d) =
        call(&app, reqwest::Method::GET, &format!("/api/portal/customers/{id}/dashboard"), &limited, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(d["customer"]["name"], "Contoso Ltd");
    assert_eq!(d["portal_users"]["total"], 3);
    assert_eq!(d["portal_users"]["admins"], 1);
    assert_eq!(d["microsoft_365"]["connected"], true);
    assert_eq!(d["features"], json!(["tickets"]), "a limited user may open tickets only");
    assert_eq!(d["support"]["email"], "help@northwind.test");
    assert!(d["tickets"]["open"].as_i64().unwrap() > 0, "Lee's open demo tickets are counted");
    let admin = app.token("admin@contoso.test").await;
    let (_, all) =
        call(&app, reqwest::Method::GET, &format!("/api/portal/customers/{id}/dashboard"), &admin, None).await;
    assert!(
        all["tickets"]["open"].as_i64() > d["tickets"]["open"].as_i64(),
        "the admin sees the whole company's tickets"
    );
    let adatum = app.customer_id("Adatum Corp").await;
    let staff = app.token("tech@northwind.test").await;
    let (_, d) =
        call(&app, reqwest::Method::GET, &format!("/api/portal/customers/{adatum}/dashboard"), &staff, None).await;
    assert!(!d["features"].as_array().unwrap().contains(&json!("security")), "toggled off for Adatum");
}

#[tokio::test]
async fn unknown_endpoints_and_methods_answer_in_json() {
    let app = TestApp::spawn().await;
    let t = app.token("owner@northwind.test").await;
    let (s, b) = call(&app, reqwest::Method::GET, "/api/portal/nothing", &t, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(b["error"]["code"], "not_found");
    let (s, b) = call(&app, reqwest::Method::GET, "/api/portal/customers/not-a-uuid", &t, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(b["error"]["code"], "not_found");
    let r = Client::new().delete(app.url("/api/portal/customers")).bearer_auth(&t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    let allow = r.headers()["allow"].to_str().unwrap().to_string();
    assert!(allow.contains("GET") && allow.contains("POST"), "{allow}");
    let b: Value = r.json().await.unwrap();
    assert_eq!(b["error"]["code"], "method_not_allowed");
}

/// Every path and method in the OpenAPI document exists on the running app, answers 401
/// without a token, and every route the app serves under /api is documented.
#[tokio::test]
async fn the_openapi_document_matches_the_running_app() {
    let app = TestApp::spawn().await;
    let doc: Value = Client::new().get(app.url("/api/openapi.json")).send().await.unwrap().json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    let expected = [
        ("/api/portal/settings/branding", "get"),
        ("/api/portal/settings/branding", "put"),
        ("/api/portal/settings/branding/logo", "put"),
        ("/api/portal/settings/branding/favicon", "put"),
        ("/api/portal/customers", "get"),
        ("/api/portal/customers", "post"),
        ("/api/portal/customers/{id}", "get"),
        ("/api/portal/customers/{id}", "patch"),
        ("/api/portal/customers/{id}/dashboard", "get"),
        ("/api/portal/ticket-settings", "get"),
        ("/api/portal/tickets", "get"),
        ("/api/portal/customers/{id}/tickets", "get"),
        ("/api/portal/customers/{id}/tickets", "post"),
        ("/api/portal/customers/{id}/tickets/{ticket}", "get"),
        ("/api/portal/customers/{id}/tickets/{ticket}", "patch"),
        ("/api/portal/customers/{id}/tickets/{ticket}/comments", "get"),
        ("/api/portal/customers/{id}/tickets/{ticket}/comments", "post"),
        ("/api/portal/customers/{id}/tickets/{ticket}/comments/{comment}", "patch"),
        ("/api/portal/customers/{id}/tickets/{ticket}/comments/{comment}", "delete"),
        ("/api/portal/customers/{id}/tickets/{ticket}/attachments", "get"),
        ("/api/portal/customers/{id}/tickets/{ticket}/attachments", "post"),
        ("/api/portal/customers/{id}/tickets/{ticket}/attachments/{attachment}", "get"),
        ("/api/portal/settings/m365", "get"),
        ("/api/portal/settings/m365", "put"),
        ("/api/portal/customers/{id}/sync", "get"),
        ("/api/portal/customers/{id}/sync", "post"),
        ("/api/portal/customers/{id}/users", "get"),
        ("/api/portal/customers/{id}/users/{user}", "get"),
        ("/api/portal/customers/{id}/groups", "get"),
        ("/api/portal/customers/{id}/licenses", "get"),
        ("/api/portal/customers/{id}/licenses/unused", "get"),
        ("/api/portal/customers/{id}/security", "get"),
        ("/api/portal/customers/{id}/service-health", "get"),
        ("/api/portal/customers/{id}/portal-users", "get"),
        ("/api/portal/customers/{id}/portal-users", "post"),
        ("/api/portal/customers/{id}/portal-users/{user}", "patch"),
        ("/api/portal/staff", "get"),
    ];
    let mut documented = vec![];
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            documented.push((path.clone(), method.clone()));
            let responses = op["responses"].as_object().unwrap();
            assert!(responses.contains_key("401"), "{method} {path} documents 401");
            let concrete = path
                .replace("{id}", &uuid::Uuid::now_v7().to_string())
                .replace("{ticket}", "1001")
                .replace("{comment}", &uuid::Uuid::now_v7().to_string())
                .replace("{attachment}", &uuid::Uuid::now_v7().to_string())
                .replace("{user}", &uuid::Uuid::now_v7().to_string());
            let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let r = Client::new().request(m, app.url(&concrete)).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{method} {path} exists and needs a token");
        }
    }
    for (path, method) in expected {
        assert!(documented.contains(&(path.to_string(), method.to_string())), "{method} {path} is documented");
    }
    assert_eq!(documented.len(), expected.len(), "nothing documented that the app does not serve");
}
