//! Support tickets: raising, visibility, the conversation, status rules, staff work.

use reqwest::{Client, StatusCode};

use crate::helpers::{location, post_form, TestApp};

/// Raises a ticket through the portal form and returns its number.
pub(crate) async fn raise(app: &TestApp, c: &Client, title: &str, extra: &[(&str, &str)]) -> i64 {
    let html = c.get(app.url("/tickets/new")).send().await.unwrap().text().await.unwrap();
    let priority = option_value(&html, "f-priority", "Medium");
    let mut fields =
        vec![("title", title), ("description", "It stopped working this morning."), ("priority", priority.as_str())];
    fields.extend_from_slice(extra);
    let r = post_form(c, &app.url("/tickets/new"), &app.url("/tickets"), &fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "ticket created");
    let to = location(&r);
    to.trim_start_matches("/tickets/").split('?').next().unwrap().parse().unwrap()
}

/// The value of the option labelled `label` in the select with id `select`.
fn option_value(html: &str, select: &str, label: &str) -> String {
    let start = html.find(&format!("id=\"{select}\"")).expect("select present");
    let part = &html[start..];
    let end = part.find(&format!(">{label}")).expect("option present");
    let before = &part[..end];
    let v = before.rfind("value=\"").unwrap() + 7;
    before[v..v + before[v..].find('"').unwrap()].to_string()
}

#[tokio::test]
async fn a_customer_raises_a_ticket_and_staff_answer_it() {
    let app = TestApp::spawn().await;
    let lee = app.signed_in("limited@contoso.test").await;
    let n = raise(&app, &lee, "Printer on floor 2 is offline", &[]).await;
    let page = lee.get(app.url(&format!("/tickets/{n}"))).send().await.unwrap().text().await.unwrap();
    assert!(
        page.contains(&format!("T-{n}")) && page.contains("Printer on floor 2 is offline") && page.contains(">New<")
    );
    let list = lee.get(app.url("/tickets")).send().await.unwrap().text().await.unwrap();
    assert!(list.contains("Printer on floor 2 is offline"));

    // Staff see it in the queue, reply publicly and add an internal note.
    let tech = app.signed_in("tech@northwind.test").await;
    let queue = tech.get(app.url("/msp/tickets")).send().await.unwrap().text().await.unwrap();
    assert!(queue.contains("Printer on floor 2 is offline") && queue.contains("Contoso Ltd"));
    let t = app.url(&format!("/msp/tickets/{n}"));
    let r = post_form(
        &tech,
        &t,
        &app.url(&format!("/msp/tickets/{n}/comments")),
        &[("body", "Can you try turning it off and on?"), ("internal", "false")],
    )
    .await;
    assert_eq!(location(&r), format!("/msp/tickets/{n}?notice=reply-added"));
    let r = post_form(
        &tech,
        &t,
        &app.url(&format!("/msp/tickets/{n}/comments")),
        &[("body", "SECRET: toner contract expired"), ("internal", "true")],
    )
    .await;
    assert_eq!(location(&r), format!("/msp/tickets/{n}?notice=note-added"));
    let staff_view = tech.get(&t).send().await.unwrap().text().await.unwrap();
    assert!(staff_view.contains("SECRET: toner contract expired") && staff_view.contains("Awaiting customer"));

    // The customer sees the reply, never the note, and the ticket waits for them.
    let page = lee.get(app.url(&format!("/tickets/{n}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Can you try turning it off and on?"));
    assert!(!page.contains("SECRET") && !page.contains("Internal note"), "internal notes never reach the customer");
    assert!(page.contains("Awaiting customer"));
    let waiting = lee.get(app.url("/tickets?awaiting=me")).send().await.unwrap().text().await.unwrap();
    assert!(waiting.contains("Printer on floor 2 is offline"));
    // Their answer moves it back to support.
    let r = post_form(
        &lee,
        &app.url(&format!("/tickets/{n}")),
        &app.url(&format!("/tickets/{n}/comments")),
        &[("body", "Did that, still offline.")],
    )
    .await;
    assert_eq!(location(&r), format!("/tickets/{n}?notice=reply-added"));
    let page = lee.get(app.url(&format!("/tickets/{n}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Awaiting support"));
    // A customer cannot post an internal note.
    post_form(
        &lee,
        &app.url(&format!("/tickets/{n}")),
        &app.url(&format!("/tickets/{n}/comments")),
        &[("body", "x"), ("internal", "true")],
    )
    .await;
    let staff_view = tech.get(&t).send().await.unwrap().text().await.unwrap();
    assert_eq!(staff_view.matches("Internal note</span>").count(), 1, "only the staff note is internal");
}

#[tokio::test]
async fn who_sees_which_ticket() {
    let app = TestApp::spawn().await;
    let lee = app.signed_in("limited@contoso.test").await;
    let megan = app.signed_in("standard@contoso.test").await;
    let admin = app.signed_in("admin@contoso.test").await;
    let n = raise(&app, &lee, "Cannot open shared mailbox", &[]).await;
    let path = format!("/tickets/{n}");
    assert_eq!(
        megan.get(app.url(&path)).send().await.unwrap().status(),
        StatusCode::NOT_FOUND,
        "not hers, not watching"
    );
    assert!(!megan
        .get(app.url("/tickets"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
        .contains("Cannot open shared mailbox"));
    assert_eq!(
        admin.get(app.url(&path)).send().await.unwrap().status(),
        StatusCode::OK,
        "admins see the company's tickets"
    );
    let fabrikam = app.signed_in("admin@fabrikam.test").await;
    assert_eq!(fabrikam.get(app.url(&path)).send().await.unwrap().status(), StatusCode::NOT_FOUND, "another customer");
    let other = app.other_signed_in(crate::helpers::OTHER_PORTAL).await;
    assert_eq!(other.get(app.other_url(&path)).send().await.unwrap().status(), StatusCode::NOT_FOUND, "another MSP");
    let other_staff = app.other_signed_in(crate::helpers::OTHER_STAFF).await;
    assert_eq!(
        other_staff.get(app.other_url(&format!("/msp{path}"))).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    // An admin can let Megan see every company ticket.
    let megan_uid = app.user_id("standard@contoso.test").await;
    let r = post_form(
        &admin,
        &app.url("/company/users"),
        &app.url(&format!("/company/users/{megan_uid}/tickets")),
        &[("active", "true")],
    )
    .await;
    assert_eq!(location(&r), "/company/users?notice=saved");
    assert_eq!(
        megan.get(app.url(&path)).send().await.unwrap().status(),
        StatusCode::OK,
        "company-wide visibility granted"
    );
    post_form(
        &admin,
        &app.url("/company/users"),
        &app.url(&format!("/company/users/{megan_uid}/tickets")),
        &[("active", "false")],
    )
    .await;
    assert_eq!(megan.get(app.url(&path)).send().await.unwrap().status(), StatusCode::NOT_FOUND, "and taken back");
    // A watcher sees it.
    let megan_id = app.user_id("standard@contoso.test").await.to_string();
    let m = raise(&app, &lee, "Laptop battery swelling", &[("watchers", megan_id.as_str())]).await;
    assert_eq!(megan.get(app.url(&format!("/tickets/{m}"))).send().await.unwrap().status(), StatusCode::OK);
    // Customers and staff stay on their own side of the paths.
    assert_eq!(lee.get(app.url(&format!("/msp/tickets/{n}"))).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    let tech = app.signed_in("tech@northwind.test").await;
    assert_eq!(tech.get(app.url(&path)).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    // With tickets switched off for the customer, the portal refuses them.
    let contoso = app.customer_id("Contoso Ltd").await;
    app.exec("UPDATE customers SET features = 'licenses' WHERE id = $1", contoso).await;
    let fresh = app.signed_in("admin@contoso.test").await;
    assert_eq!(fresh.get(app.url("/tickets")).send().await.unwrap().status(), StatusCode::FORBIDDEN);
    assert!(!fresh
        .get(app.url("/dashboard"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
        .contains("href=\"/tickets\""));
}

#[tokio::test]
async fn customers_close_and_reopen_but_only_to_allowed_statuses() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("admin@contoso.test").await;
    let n = raise(&app, &admin, "VPN drops every hour", &[]).await;
    let page_url = app.url(&format!("/tickets/{n}"));
    let html = admin.get(&page_url).send().await.unwrap().text().await.unwrap();
    let resolved = option_value(&html, "s-status", "Resolved");
    let r =
        post_form(&admin, &page_url, &app.url(&format!("/tickets/{n}/status")), &[("status", resolved.as_str())]).await;
    assert_eq!(location(&r), format!("/tickets/{n}?notice=status-changed"));
    let closed = admin.get(app.url("/tickets?state=closed")).send().await.unwrap().text().await.unwrap();
    assert!(closed.contains("VPN drops every hour"));
    let open = admin.get(app.url("/tickets")).send().await.unwrap().text().await.unwrap();
    assert!(!open.contains("VPN drops every hour"), "the default list shows open tickets");
    // "In progress" is for staff to set.
    let tech = app.signed_in("tech@northwind.test").await;
    let staff_html = tech.get(app.url(&format!("/msp/tickets/{n}"))).send().await.unwrap().text().await.unwrap();
    let in_progress = option_value(&staff_html, "w-status", "In progress");
    let r =
        post_form(&admin, &page_url, &app.url(&format!("/tickets/{n}/status")), &[("status", in_progress.as_str())])
            .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = admin.get(&page_url).send().await.unwrap().text().await.unwrap();
    assert!(html.contains(">Resolved<"), "unchanged");
}

#[tokio::test]
async fn comments_are_edited_and_deleted_openly_by_their_author_only() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("admin@contoso.test").await;
    let n = raise(&app, &admin, "New starter needs a laptop", &[]).await;
    let page_url = app.url(&format!("/tickets/{n}"));
    post_form(&admin, &page_url, &app.url(&format!("/tickets/{n}/comments")), &[("body", "Starts on Monday")]).await;
    let html = admin.get(&page_url).send().await.unwrap().text().await.unwrap();
    let at = html.find("/comments/").unwrap() + "/comments/".len();
    let id = html[at..at + 36].to_string();
    let r = post_form(
        &admin,
        &page_url,
        &app.url(&format!("/tickets/{n}/comments/{id}/edit")),
        &[("body", "Starts on Tuesday")],
    )
    .await;
    assert_eq!(location(&r), format!("/tickets/{n}?notice=comment-edited"));
    let html = admin.get(&page_url).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Starts on Tuesday") && html.contains("<em>edited</em>"));
    let tech = app.signed_in("tech@northwind.test").await;
    let r = post_form(
        &tech,
        &app.url(&format!("/msp/tickets/{n}")),
        &app.url(&format!("/msp/tickets/{n}/comments/{id}/edit")),
        &[("body", "hijacked")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND, "someone else's comment");
    let r = post_form(&admin, &page_url, &app.url(&format!("/tickets/{n}/comments/{id}/delete")), &[]).await;
    assert_eq!(location(&r), format!("/tickets/{n}?notice=comment-deleted"));
    let html = admin.get(&page_url).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("This comment was deleted.") && !html.contains("Starts on Tuesday"));
}

#[tokio::test]
async fn staff_assign_prioritise_and_date_tickets_and_bad_input_is_refused() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("admin@contoso.test").await;
    let n = raise(&app, &admin, "Zoom plug-in crashes", &[]).await;
    let tech = app.signed_in("tech@northwind.test").await;
    let t = app.url(&format!("/msp/tickets/{n}"));
    let html = tech.get(&t).send().await.unwrap().text().await.unwrap();
    let status = option_value(&html, "w-status", "In progress");
    let priority = option_value(&html, "w-priority", "High");
    let me = option_value(&html, "w-assignee", "Tomás Herrera");
    let r = post_form(
        &tech,
        &t,
        &t,
        &[
            ("status", status.as_str()),
            ("priority", priority.as_str()),
            ("assignee", me.as_str()),
            ("due", "2026-12-01"),
        ],
    )
    .await;
    assert_eq!(location(&r), format!("/msp/tickets/{n}?notice=saved"));
    let mine = tech.get(app.url("/msp/tickets?assigned=me")).send().await.unwrap().text().await.unwrap();
    assert!(mine.contains("Zoom plug-in crashes"));
    let unassigned = tech.get(app.url("/msp/tickets?assigned=unassigned")).send().await.unwrap().text().await.unwrap();
    assert!(!unassigned.contains("Zoom plug-in crashes"));
    let customer_view = admin.get(app.url(&format!("/tickets/{n}"))).send().await.unwrap().text().await.unwrap();
    assert!(
        customer_view.contains("Tomás Herrera")
            && customer_view.contains("In progress")
            && customer_view.contains("01 Dec 2026")
    );
    let r =
        post_form(&tech, &t, &t, &[("status", "nonsense"), ("priority", priority.as_str()), ("due", "tomorrow")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("Choose one of the statuses") && html.contains("YYYY-MM-DD"));
    // Empty or oversized tickets are refused and nothing is created.
    let long = "x".repeat(201);
    let r = post_form(
        &admin,
        &app.url("/tickets/new"),
        &app.url("/tickets"),
        &[("title", long.as_str()), ("description", ""), ("priority", "zzz")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("At most 200 characters")
            && html.contains("This field is required")
            && html.contains("Choose one of the options")
    );
    // A watcher that is not an id is named beside the other fields' errors.
    let r = post_form(
        &admin,
        &app.url("/tickets/new"),
        &app.url("/tickets"),
        &[("title", long.as_str()), ("description", "x"), ("watchers", "not-an-id")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("At most 200 characters") && html.contains("Watchers must be active people"));
    let list = admin.get(app.url("/tickets?state=&q=plug-in")).send().await.unwrap().text().await.unwrap();
    assert_eq!(list.matches("<strong>T-").count(), 1, "only the one ticket");
}

#[tokio::test]
async fn tickets_are_found_by_number_and_text() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("admin@contoso.test").await;
    let a = raise(&app, &admin, "Excel crashes on open", &[]).await;
    let _b = raise(&app, &admin, "Wi-Fi slow in meeting room", &[]).await;
    let html = admin.get(app.url(&format!("/tickets?q=T-{a}"))).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Excel crashes on open") && !html.contains("Wi-Fi slow"));
    let html = admin.get(app.url("/tickets?q=wi-fi")).send().await.unwrap().text().await.unwrap();
    assert!(!html.contains("Excel crashes on open") && html.contains("Wi-Fi slow"));
    let html = admin.get(app.url("/tickets?q=%25")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("No tickets match"), "wildcards are literal");
    assert!(html.contains("Reset filters"));
}

#[tokio::test]
async fn tickets_over_the_api() {
    use serde_json::{json, Value};
    let app = TestApp::spawn().await;
    let contoso = app.customer_id("Contoso Ltd").await;
    let staff = app.token("tech@northwind.test").await;
    let lee = app.token("limited@contoso.test").await;
    let api = Client::new();
    let base = app.url(&format!("/api/portal/customers/{contoso}/tickets"));
    // A PSA creates a ticket with its own id and finds it again by that id.
    let r = api
        .post(&base)
        .bearer_auth(&staff)
        .json(&json!({"title": "Backup job failed", "description": "Veeam job 'Nightly' failed twice.", "priority": "high", "category": "Software", "external_id": "PSA-77", "external_system": "psa"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let t: Value = r.json().await.unwrap();
    assert_eq!(t["priority"], "High");
    assert_eq!(t["status"], "New");
    let number = t["number"].as_i64().unwrap();
    let found: Value =
        api.get(format!("{base}?external_id=PSA-77")).bearer_auth(&staff).send().await.unwrap().json().await.unwrap();
    assert_eq!(found["total"], 1);
    assert_eq!(found["items"][0]["reference"], format!("T-{number}"));
    // Staff reply and note; the customer's view has the reply only.
    let comments = format!("{base}/{number}/comments");
    for (body, internal) in [("We are on it.", false), ("Disk on the repository is full.", true)] {
        let r = api
            .post(&comments)
            .bearer_auth(&staff)
            .json(&json!({"body": body, "internal": internal}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    let admin = app.token("admin@contoso.test").await;
    let seen: Value = api.get(&comments).bearer_auth(&admin).send().await.unwrap().json().await.unwrap();
    assert_eq!(seen.as_array().unwrap().len(), 1);
    assert_eq!(seen[0]["body"], "We are on it.");
    let all: Value = api.get(&comments).bearer_auth(&staff).send().await.unwrap().json().await.unwrap();
    assert_eq!(all.as_array().unwrap().len(), 2);
    // Lee neither raised nor watches it.
    let r = api.get(format!("{base}/{number}")).bearer_auth(&lee).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let patch = |token: &str, body: Value| {
        api.patch(format!("{base}/{number}")).bearer_auth(token.to_string()).json(&body).send()
    };
    // Customers may close, not re-prioritise; staff may do both.
    let r = patch(&admin, json!({"priority": "Low"})).await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = patch(&admin, json!({"status": "In progress"})).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r: Value = patch(&admin, json!({"status": "resolved"})).await.unwrap().json().await.unwrap();
    assert_eq!(r["status"], "Resolved");
    assert_eq!(r["closed"], true);
    let r: Value =
        patch(&staff, json!({"priority": "Low", "due_date": "2026-12-24"})).await.unwrap().json().await.unwrap();
    assert_eq!(r["priority"], "Low");
    assert!(r["due_at"].as_str().unwrap().starts_with("2026-12-24"));
    // A date that is not one and a category that names none are refused together, by field.
    let r = patch(&staff, json!({"due_date": "next week", "category": "Plumbing"})).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = r.json().await.unwrap();
    let fields: Vec<&str> =
        body["error"]["fields"].as_array().unwrap().iter().filter_map(|f| f["field"].as_str()).collect();
    assert_eq!(fields, ["category", "due"], "{body}");
    let kept: Value =
        api.get(format!("{base}/{number}")).bearer_auth(&staff).send().await.unwrap().json().await.unwrap();
    assert!(kept["due_at"].as_str().unwrap().starts_with("2026-12-24"));
    // Portal users cannot set external ids or list across customers.
    let r = api
        .post(&base)
        .bearer_auth(&admin)
        .json(&json!({"title": "x", "description": "y", "external_id": "nope"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = api.get(app.url("/api/portal/tickets")).bearer_auth(&admin).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let since: Value = api
        .get(app.url("/api/portal/tickets?updated_since=2000-01-01T00:00:00Z&per_page=200"))
        .bearer_auth(&staff)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(since["total"].as_i64().unwrap() > 8, "across customers");
    let r = api.get(app.url("/api/portal/tickets?updated_since=yesterday")).bearer_auth(&staff).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    // Another customer's id in the path does not reach the ticket.
    let fabrikam = app.customer_id("Fabrikam Inc").await;
    let r = api
        .get(app.url(&format!("/api/portal/customers/{fabrikam}/tickets/{number}")))
        .bearer_auth(&staff)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let other = app.other_token(crate::helpers::OTHER_STAFF).await;
    let theirs = base.replace(&app.url(""), &app.other_url(""));
    let r = app.client().get(format!("{theirs}/{number}")).bearer_auth(&other).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let bad = api.post(&base).bearer_auth(&staff).json(&json!({"title": "", "description": ""})).send().await.unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

/// The id of the category named `name` on the ticket settings page.
fn category_id(html: &str, name: &str) -> String {
    let before = &html[..html.find(&format!("value=\"{name}\"")).expect("category listed")];
    let at = before.rfind("id=\"cat-").unwrap() + "id=\"cat-".len();
    before[at..at + 36].to_string()
}

#[tokio::test]
async fn an_msp_keeps_its_own_list_of_categories() {
    let app = TestApp::spawn().await;
    let owner = app.signed_in("owner@northwind.test").await;
    let page = app.url("/msp/settings/tickets");
    let r = post_form(&owner, &page, &app.url("/msp/settings/tickets/categories"), &[("name", "Printing")]).await;
    assert_eq!(location(&r), "/msp/settings/tickets?notice=saved");
    let r = post_form(&owner, &page, &app.url("/msp/settings/tickets/categories"), &[("name", "printing")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("already a category"));
    let html = owner.get(&page).send().await.unwrap().text().await.unwrap();
    let printing = category_id(&html, "Printing");
    let r = post_form(
        &owner,
        &page,
        &app.url(&format!("/msp/settings/tickets/categories/{printing}")),
        &[("name", "Printers and scanners")],
    )
    .await;
    assert_eq!(location(&r), "/msp/settings/tickets?notice=saved");
    // Customers now see it when raising a ticket, and another MSP does not.
    let admin = app.signed_in("admin@contoso.test").await;
    let form = admin.get(app.url("/tickets/new")).send().await.unwrap().text().await.unwrap();
    assert!(form.contains(">Printers and scanners<"));
    let other = app.other_signed_in(crate::helpers::OTHER_PORTAL).await;
    let other_form = other.get(app.other_url("/tickets/new")).send().await.unwrap().text().await.unwrap();
    assert!(!other_form.contains("Printers and scanners"));
    // A category in use can be renamed but not removed; an unused one can be removed.
    let n = raise(&app, &admin, "Scanner jams", &[("category", printing.as_str())]).await;
    let r =
        post_form(&owner, &page, &app.url(&format!("/msp/settings/tickets/categories/{printing}/delete")), &[]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("1 ticket(s) use this category"));
    let t = admin.get(app.url(&format!("/tickets/{n}"))).send().await.unwrap().text().await.unwrap();
    assert!(t.contains("Printers and scanners"));
    post_form(&owner, &page, &app.url("/msp/settings/tickets/categories"), &[("name", "Temporary")]).await;
    let html = owner.get(&page).send().await.unwrap().text().await.unwrap();
    let temp = category_id(&html, "Temporary");
    let r = post_form(&owner, &page, &app.url(&format!("/msp/settings/tickets/categories/{temp}/delete")), &[]).await;
    assert_eq!(location(&r), "/msp/settings/tickets?notice=category-removed");
    // Technicians, customers and other MSPs cannot change the list.
    let tech = app.signed_in("tech@northwind.test").await;
    assert_eq!(tech.get(&page).send().await.unwrap().status(), StatusCode::FORBIDDEN);
    let r =
        post_form(&tech, &app.url("/account"), &app.url("/msp/settings/tickets/categories"), &[("name", "X")]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(admin.get(&page).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    let other_owner = app.other_signed_in(crate::helpers::OTHER_STAFF).await;
    let r = post_form(
        &other_owner,
        &app.other_url("/account"),
        &app.other_url(&format!("/msp/settings/tickets/categories/{printing}")),
        &[("name", "Hijack")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = post_form(
        &other_owner,
        &app.other_url("/account"),
        &app.other_url(&format!("/msp/settings/tickets/categories/{printing}/delete")),
        &[],
    )
    .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND, "another MSP's category is not found");
}

#[tokio::test]
async fn the_ticket_filters_keep_what_was_chosen() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("admin@contoso.test").await;
    let page = admin.get(app.url("/tickets?q=printer")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("value=\"printer\""), "the search box keeps its text");
}
