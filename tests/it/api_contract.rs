//! The API's contract with its callers: tickets named by id or number, PATCH bodies that tell
//! a left-out field from a `null`, writes that answer what they made, and a document that
//! says so.

use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::TestApp;

pub async fn call(app: &TestApp, method: Method, path: &str, token: &str, body: Option<Value>) -> (StatusCode, Value) {
    let mut req = Client::new().request(method, app.url(path)).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// The fields a 422 names.
fn fields(body: &Value) -> Vec<String> {
    body["error"]["fields"]
        .as_array()
        .map(|a| a.iter().map(|f| f["field"].as_str().unwrap_or_default().to_string()).collect())
        .unwrap_or_default()
}

async fn raise(app: &TestApp, token: &str, customer: portico::model::CustomerId) -> Value {
    let (s, t) = call(
        app,
        Method::POST,
        &format!("/api/portal/customers/{customer}/tickets"),
        token,
        Some(json!({"title": "Printer on floor 2 is offline", "description": "Since this morning."})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    t
}

#[tokio::test]
async fn a_ticket_is_addressed_by_its_id_as_well_as_its_number() {
    let app = TestApp::spawn().await;
    let contoso = app.customer_id("Contoso Ltd").await;
    let admin = app.token("admin@contoso.test").await;
    let t = raise(&app, &admin, contoso).await;
    let (id, number) = (t["id"].as_str().unwrap().to_string(), t["number"].as_i64().unwrap());
    let base = format!("/api/portal/customers/{contoso}/tickets");
    for key in [id.clone(), number.to_string(), format!("T-{number}")] {
        let (s, got) = call(&app, Method::GET, &format!("{base}/{key}"), &admin, None).await;
        assert_eq!(s, StatusCode::OK, "GET by {key}");
        assert_eq!(got["id"], t["id"]);
        assert_eq!(got["number"], number);
    }
    let (s, _) = call(&app, Method::GET, &format!("{base}/{id}/comments"), &admin, None).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = call(&app, Method::GET, &format!("{base}/{id}/attachments"), &admin, None).await;
    assert_eq!(s, StatusCode::OK);
    let (s, c) =
        call(&app, Method::POST, &format!("{base}/{id}/comments"), &admin, Some(json!({"body": "Still down."}))).await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let owner = app.token("owner@northwind.test").await;
    let (s, patched) =
        call(&app, Method::PATCH, &format!("{base}/{id}"), &owner, Some(json!({"priority": "High"}))).await;
    assert_eq!(s, StatusCode::OK, "{patched}");
    assert_eq!(patched["priority"], "High");
    // An id that names nothing, or the ticket under another customer, is not found.
    let (s, b) = call(&app, Method::GET, &format!("{base}/{}", uuid::Uuid::now_v7()), &admin, None).await;
    assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
    let fabrikam = app.customer_id("Fabrikam Inc").await;
    let (s, _) = call(&app, Method::GET, &format!("/api/portal/customers/{fabrikam}/tickets/{id}"), &owner, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = call(&app, Method::GET, &format!("{base}/{id}"), &app.token("admin@fabrikam.test").await, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // The document says so.
    let doc: Value = Client::new().get(app.url("/api/openapi.json")).send().await.unwrap().json().await.unwrap();
    let params = doc["paths"]["/api/portal/customers/{id}/tickets/{ticket}"]["get"]["parameters"].as_array().unwrap();
    let ticket = params.iter().find(|p| p["name"] == "ticket").unwrap();
    assert!(ticket["description"].as_str().unwrap().contains("`id`"), "{ticket}");
}

#[tokio::test]
async fn a_required_field_set_to_null_is_refused_and_named() {
    let app = TestApp::spawn().await;
    let owner = app.token("owner@northwind.test").await;
    let contoso = app.customer_id("Contoso Ltd").await;
    let customer = format!("/api/portal/customers/{contoso}");
    for (body, field) in [
        (json!({"name": null}), "name"),
        (json!({"active": null}), "active"),
        (json!({"features": null}), "features"),
        (json!({"features": {"billing": null}}), "features.billing"),
    ] {
        let (s, b) = call(&app, Method::PATCH, &customer, &owner, Some(body.clone())).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {b}");
        assert_eq!(b["error"]["code"], "validation_failed");
        assert_eq!(fields(&b), vec![field.to_string()], "{body}");
    }
    let (_, c) = call(&app, Method::GET, &customer, &owner, None).await;
    assert_eq!(c["name"], "Contoso Ltd", "nothing was changed");
    assert!(c["m365_tenant_id"].is_string());
    // Where null means "none", it clears.
    let (s, c) = call(&app, Method::PATCH, &customer, &owner, Some(json!({"m365_tenant_id": null}))).await;
    assert_eq!(s, StatusCode::OK, "{c}");
    assert_eq!(c["m365_tenant_id"], Value::Null);
    assert_eq!(c["name"], "Contoso Ltd");

    let t = raise(&app, &app.token("admin@contoso.test").await, contoso).await;
    let ticket = format!("{customer}/tickets/{}", t["id"].as_str().unwrap());
    let tech = app.user_id("tech@northwind.test").await;
    let (s, set) = call(
        &app,
        Method::PATCH,
        &ticket,
        &owner,
        Some(json!({"assignee_id": tech, "due_date": "2031-01-31", "category": "Hardware"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{set}");
    assert_eq!(set["assignee"], "Tomás Herrera");
    for (body, field) in [(json!({"status": null}), "status"), (json!({"priority": null}), "priority")] {
        let (s, b) = call(&app, Method::PATCH, &ticket, &owner, Some(body.clone())).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {b}");
        assert_eq!(fields(&b), vec![field.to_string()]);
    }
    let (s, cleared) = call(
        &app,
        Method::PATCH,
        &ticket,
        &owner,
        Some(json!({"assignee_id": null, "due_date": null, "category": null})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{cleared}");
    assert_eq!(cleared["assignee"], Value::Null);
    assert_eq!(cleared["due_at"], Value::Null);
    assert_eq!(cleared["category"], Value::Null);
    assert_eq!(cleared["priority"], set["priority"], "a left-out field keeps its value");

    let (s, b) =
        call(&app, Method::PUT, "/api/portal/settings/branding", &owner, Some(json!({"product_name": null}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(fields(&b), vec!["product_name".to_string()]);
    let (s, c) = call(&app, Method::POST, &format!("{ticket}/comments"), &owner, Some(json!({"body": "On it."}))).await;
    assert_eq!(s, StatusCode::CREATED);
    let comment = format!("{ticket}/comments/{}", c["id"].as_str().unwrap());
    let (s, b) = call(&app, Method::PATCH, &comment, &owner, Some(json!({"body": null}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(fields(&b), vec!["body".to_string()]);
}

#[tokio::test]
async fn posting_a_comment_answers_the_new_comment() {
    let app = TestApp::spawn().await;
    let contoso = app.customer_id("Contoso Ltd").await;
    let admin = app.token("admin@contoso.test").await;
    let t = raise(&app, &admin, contoso).await;
    let ticket = format!("/api/portal/customers/{contoso}/tickets/{}", t["number"]);
    let (s, c) =
        call(&app, Method::POST, &format!("{ticket}/comments"), &admin, Some(json!({"body": "It blinks orange."})))
            .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(c["body"], "It blinks orange.");
    assert_eq!(c["author"], "Alex Wilber");
    assert_eq!(c["from_staff"], false);
    assert_eq!(c["internal"], false);
    let id = c["id"].as_str().expect("the comment's id").to_string();
    assert!(c.get("title").is_none(), "the comment, not the ticket: {c}");
    // Its id attaches files to it, edits it and deletes it.
    let file = reqwest::multipart::Part::bytes(crate::helpers::PNG.to_vec()).file_name("light.png");
    let r = Client::new()
        .post(app.url(&format!("{ticket}/attachments")))
        .bearer_auth(&admin)
        .multipart(reqwest::multipart::Form::new().text("comment_id", id.clone()).part("files", file))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let files: Value = r.json().await.unwrap();
    assert_eq!(files[0]["comment_id"], id.as_str());
    let (s, _) =
        call(&app, Method::PATCH, &format!("{ticket}/comments/{id}"), &admin, Some(json!({"body": "Blinks red now."})))
            .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, all) = call(&app, Method::GET, &format!("{ticket}/comments"), &admin, None).await;
    let mine = all.as_array().unwrap().iter().find(|x| x["id"] == id.as_str()).unwrap();
    assert_eq!((mine["body"].as_str(), mine["edited"].as_bool()), (Some("Blinks red now."), Some(true)));
    let (s, _) = call(&app, Method::DELETE, &format!("{ticket}/comments/{id}"), &admin, None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    // A staff internal note answers the note.
    let owner = app.token("owner@northwind.test").await;
    let (s, note) = call(
        &app,
        Method::POST,
        &format!("{ticket}/comments"),
        &owner,
        Some(json!({"body": "Toner order placed.", "internal": true})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!((note["internal"].as_bool(), note["from_staff"].as_bool()), (Some(true), Some(true)));
    // The document says the answer is a comment.
    let doc: Value = Client::new().get(app.url("/api/openapi.json")).send().await.unwrap().json().await.unwrap();
    let created = &doc["paths"]["/api/portal/customers/{id}/tickets/{ticket}/comments"]["post"]["responses"]["201"];
    assert_eq!(created["content"]["application/json"]["schema"]["$ref"], "#/components/schemas/Comment");
}

/// Whether a schema of the document lets `null` through.
fn nullable(schema: &Value) -> bool {
    let t = &schema["type"];
    let any = ["type", "oneOf", "anyOf", "allOf", "$ref"].iter().all(|k| schema.get(k).is_none());
    any || t == "null"
        || t.as_array().is_some_and(|a| a.contains(&json!("null")))
        || ["oneOf", "anyOf"].iter().any(|k| schema[k].as_array().is_some_and(|a| a.iter().any(nullable)))
}

/// Every PATCH of the document (and the branding PUT, which changes only the fields given):
/// each field the document does not mark nullable is refused as `null`, with its name.
#[tokio::test]
async fn every_patch_refuses_null_where_the_document_does_not_allow_it() {
    let app = TestApp::spawn().await;
    let owner = app.token("owner@northwind.test").await;
    let contoso = app.customer_id("Contoso Ltd").await;
    let t = raise(&app, &app.token("admin@contoso.test").await, contoso).await;
    let ticket = t["id"].as_str().unwrap().to_string();
    let (_, c) = call(
        &app,
        Method::POST,
        &format!("/api/portal/customers/{contoso}/tickets/{ticket}/comments"),
        &owner,
        Some(json!({"body": "Looking at it."})),
    )
    .await;
    let lee = app.user_id("limited@contoso.test").await;
    let doc: Value = Client::new().get(app.url("/api/openapi.json")).send().await.unwrap().json().await.unwrap();
    let schemas = &doc["components"]["schemas"];
    let mut checked = vec![];
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if method != "patch" && path != "/api/portal/settings/branding" || method == "get" {
                continue;
            }
            let mut body = op["requestBody"]["content"]["application/json"]["schema"].clone();
            if let Some(r) = body["$ref"].as_str() {
                body = schemas[r.trim_start_matches("#/components/schemas/")].clone();
            }
            let concrete = path
                .replace("{id}", &contoso.to_string())
                .replace("{ticket}", &ticket)
                .replace("{comment}", c["id"].as_str().unwrap())
                .replace("{user}", &lee.to_string());
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            for (field, schema) in body["properties"].as_object().unwrap() {
                if nullable(schema) || schema["readOnly"] == true {
                    continue;
                }
                let (s, b) = call(&app, m.clone(), &concrete, &owner, Some(json!({ field: null }))).await;
                assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{method} {path} {field}: null → {b}");
                assert_eq!(fields(&b), vec![field.clone()], "{method} {path}");
                checked.push(format!("{method} {path} {field}"));
            }
        }
    }
    for must in [
        "patch /api/portal/customers/{id} name",
        "patch /api/portal/customers/{id}/tickets/{ticket} status",
        "patch /api/portal/customers/{id}/tickets/{ticket}/comments/{comment} body",
        "put /api/portal/settings/branding product_name",
        "patch /api/portal/customers/{id}/portal-users/{user} role",
    ] {
        assert!(checked.iter().any(|c| c == must), "{must} was checked: {checked:?}");
    }
}

/// A search term with a control character is refused wherever it sits, as the document's
/// pattern for `q` says — also at the ends, where trimming used to hide it.
#[tokio::test]
async fn a_search_with_a_control_character_is_refused_on_every_list() {
    let app = TestApp::spawn().await;
    let staff = app.token("owner@northwind.test").await;
    let contoso = app.customer_id("Contoso Ltd").await;
    for list in [
        "/api/portal/customers".to_string(),
        "/api/portal/tickets".to_string(),
        format!("/api/portal/customers/{contoso}/tickets"),
        format!("/api/portal/customers/{contoso}/users"),
        format!("/api/portal/customers/{contoso}/groups"),
    ] {
        for q in ["Contoso%0B", "%0BContoso", "Con%07toso"] {
            let (s, body) = call(&app, Method::GET, &format!("{list}?q={q}"), &staff, None).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{list}?q={q}: {body}");
            assert_eq!(body["error"]["fields"][0]["field"], "q", "{body}");
        }
        let (s, _) = call(&app, Method::GET, &format!("{list}?q=Contoso"), &staff, None).await;
        assert_eq!(s, StatusCode::OK, "{list}");
    }
}
