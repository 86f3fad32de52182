//! Ticket settings: the MSP edits its statuses and priorities, and customers see the result.

use reqwest::{Client, StatusCode};

use crate::helpers::{location, post_form, TestApp, OTHER_PORTAL, OTHER_STAFF};

const SETTINGS: &str = "/msp/settings/tickets";
const SAVED: &str = "/msp/settings/tickets?notice=saved";

/// One MSP's side of a test: its base URL (`app.url` or `app.other_url`) and a signed-in owner.
struct Msp<'a> {
    app: &'a TestApp,
    other: bool,
    owner: Client,
}

impl<'a> Msp<'a> {
    async fn northwind(app: &'a TestApp) -> Msp<'a> {
        Msp { app, other: false, owner: app.signed_in("owner@northwind.test").await }
    }

    async fn litware(app: &'a TestApp) -> Msp<'a> {
        Msp { app, other: true, owner: app.other_signed_in(OTHER_STAFF).await }
    }

    fn url(&self, path: &str) -> String {
        if self.other {
            self.app.other_url(path)
        } else {
            self.app.url(path)
        }
    }

    async fn settings(&self) -> String {
        self.owner.get(self.url(SETTINGS)).send().await.unwrap().text().await.unwrap()
    }

    /// Posts a settings form as the owner.
    async fn post(&self, action: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        post_form(&self.owner, &self.url(SETTINGS), &self.url(action), fields).await
    }

    /// Posts and expects the redirect back with `notice`.
    async fn ok(&self, action: &str, fields: &[(&str, &str)], notice: &str) {
        let r = self.post(action, fields).await;
        assert_eq!(location(&r), format!("{SETTINGS}?notice={notice}"), "{action} {fields:?}");
    }

    /// Posts, expects a 422 page, and returns its text.
    async fn refused(&self, action: &str, fields: &[(&str, &str)]) -> String {
        let r = self.post(action, fields).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{action} {fields:?}");
        r.text().await.unwrap()
    }

    async fn status_id(&self, name: &str) -> String {
        row_id(&self.settings().await, "st-name-", name)
    }

    async fn priority_id(&self, name: &str) -> String {
        row_id(&self.settings().await, "pr-", name)
    }

    /// Saves a status row as its form would send it.
    async fn edit_status(&self, name: &str, new_name: &str, closed: bool, settable: bool) -> reqwest::Response {
        let id = self.status_id(name).await;
        let mut fields = vec![("name", new_name), ("closed", if closed { "true" } else { "false" })];
        if settable {
            fields.push(("customer_settable", "true"));
        }
        self.post(&format!("{SETTINGS}/statuses/{id}"), &fields).await
    }

    /// Raises a ticket through the portal form as `c`, with the preselected priority.
    async fn raise(&self, c: &Client, title: &str) -> i64 {
        let html = c.get(self.url("/tickets/new")).send().await.unwrap().text().await.unwrap();
        let priority = selected(&html, "f-priority").0;
        let fields = [("title", title), ("description", "It stopped working."), ("priority", priority.as_str())];
        let r = post_form(c, &self.url("/tickets/new"), &self.url("/tickets"), &fields).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "ticket created");
        location(&r).trim_start_matches("/tickets/").split('?').next().unwrap().parse().unwrap()
    }
}

/// The id of the settings row whose name input (id `{prefix}{id}`) holds `name`.
fn row_id(html: &str, prefix: &str, name: &str) -> String {
    let marker = format!("id=\"{prefix}");
    html.match_indices(&marker)
        .map(|(i, _)| &html[i + marker.len()..])
        .find(|rest| rest[..rest.find('>').unwrap()].contains(&format!("value=\"{name}\"")))
        .map(|rest| rest[..36].to_string())
        .unwrap_or_else(|| panic!("{name} is listed"))
}

/// The option labels of the select with id `select`, in order.
fn options(html: &str, select: &str) -> Vec<String> {
    let start = html.find(&format!("id=\"{select}\"")).unwrap_or_else(|| panic!("select {select} present"));
    let part = &html[start..start + html[start..].find("</select>").unwrap()];
    part.split("<option")
        .skip(1)
        .map(|o| o[o.find('>').unwrap() + 1..o.find("</option>").unwrap()].to_string())
        .collect()
}

/// The (value, label) of the option the select with id `select` shows: the one marked
/// selected, else the first, as a browser would.
fn selected(html: &str, select: &str) -> (String, String) {
    let start = html.find(&format!("id=\"{select}\"")).unwrap();
    let part = &html[start..start + html[start..].find("</select>").unwrap()];
    let opts: Vec<&str> = part.split("<option").skip(1).collect();
    let opt = opts.iter().find(|o| o[..o.find('>').unwrap()].contains(" selected")).unwrap_or(&opts[0]);
    let v = opt.find("value=\"").unwrap() + 7;
    let label = &opt[opt.find('>').unwrap() + 1..opt.find("</option>").unwrap()];
    (opt[v..v + opt[v..].find('"').unwrap()].to_string(), label.to_string())
}

/// The status badge in a ticket page's heading.
fn shown_status(html: &str) -> String {
    let end = html.find("</span></h1>").expect("status badge");
    html[html[..end].rfind('>').unwrap() + 1..end].to_string()
}

async fn ticket_page(app: &TestApp, c: &Client, n: i64) -> String {
    c.get(app.url(&format!("/tickets/{n}"))).send().await.unwrap().text().await.unwrap()
}

#[tokio::test]
async fn statuses_are_added_and_edited_and_customers_see_them() {
    let app = TestApp::spawn().await;
    let msp = Msp::northwind(&app).await;
    let admin = app.signed_in("admin@contoso.test").await;
    let n = msp.raise(&admin, "Scanner is offline").await;
    assert_eq!(shown_status(&ticket_page(&app, &admin, n).await), "New");

    // A new closed status customers may set is offered to them on their ticket.
    let add = format!("{SETTINGS}/statuses");
    msp.ok(&add, &[("name", "  Cancelled  "), ("closed", "true"), ("customer_settable", "true")], "saved").await;
    let offered = options(&ticket_page(&app, &admin, n).await, "s-status");
    assert!(offered.contains(&"Cancelled (closes the ticket)".to_string()), "{offered:?}");
    // An open one they may not set is not; a ticked box changes that.
    msp.ok(&add, &[("name", "On hold"), ("closed", "false")], "saved").await;
    assert!(!options(&ticket_page(&app, &admin, n).await, "s-status").contains(&"On hold".to_string()));
    assert_eq!(location(&msp.edit_status("On hold", "On hold", false, true).await), SAVED);
    assert!(options(&ticket_page(&app, &admin, n).await, "s-status").contains(&"On hold".to_string()));
    // Staff see every status, customers still cannot pick one not offered to them.
    let tech = app.signed_in("tech@northwind.test").await;
    let staff_view = tech.get(app.url(&format!("/msp/tickets/{n}"))).send().await.unwrap().text().await.unwrap();
    assert!(options(&staff_view, "w-status").contains(&"Cancelled".to_string()));

    // Renaming the default status renames it on the customer's ticket; the flags stay.
    assert_eq!(location(&msp.edit_status("New", "Received", false, false).await), SAVED);
    assert_eq!(shown_status(&ticket_page(&app, &admin, n).await), "Received");
    let html = msp.settings().await;
    assert!(html.contains(">New tickets<") && !html.contains("value=\"New\""));

    // Names: trimmed, required, at most 80 characters, unique ignoring case.
    let page = msp.refused(&add, &[("name", "cancelled"), ("closed", "false")]).await;
    assert!(page.contains("There is already a status with this name."), "duplicate refused");
    assert!(page.contains("value=\"cancelled\""), "what was typed is kept");
    let page = msp.refused(&add, &[("name", "   "), ("closed", "false")]).await;
    assert!(page.contains("This field is required."));
    let long = "x".repeat(81);
    assert!(msp.refused(&add, &[("name", long.as_str())]).await.contains("At most 80 characters."));
    assert_eq!(location(&msp.post(&add, &[("name", "y".repeat(80).as_str())]).await), SAVED);
    let r = msp.edit_status("Received", "ON HOLD", false, false).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("There is already a status with this name."));
    // A status may change the case of its own name.
    assert_eq!(location(&msp.edit_status("Received", "RECEIVED", false, false).await), SAVED);
}

#[tokio::test]
async fn new_tickets_start_with_the_chosen_defaults() {
    let app = TestApp::spawn().await;
    let msp = Msp::northwind(&app).await;
    let admin = app.signed_in("admin@contoso.test").await;
    let in_progress = msp.status_id("In progress").await;
    msp.ok(&format!("{SETTINGS}/statuses/{in_progress}/default"), &[], "saved").await;
    let high = msp.priority_id("High").await;
    msp.ok(&format!("{SETTINGS}/priorities/{high}/default"), &[], "saved").await;

    // Exactly one default each.
    let html = msp.settings().await;
    assert_eq!(html.matches(">New tickets<").count(), 1);
    assert_eq!(html.matches("badge ok\">Default<").count(), 1);
    let form = admin.get(app.url("/tickets/new")).send().await.unwrap().text().await.unwrap();
    assert_eq!(selected(&form, "f-priority").1, "High", "the default priority is preselected");
    let n = msp.raise(&admin, "Laptop fan is loud").await;
    let page = ticket_page(&app, &admin, n).await;
    assert_eq!(shown_status(&page), "In progress");
    assert!(page.contains("<dd>High</dd>"));

    // The default must be open, and stays open.
    let resolved = msp.status_id("Resolved").await;
    let page = msp.refused(&format!("{SETTINGS}/statuses/{resolved}/default"), &[]).await;
    assert!(page.contains("new tickets must start in an open status"));
    let r = msp.edit_status("In progress", "In progress", true, false).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("New tickets start in “In progress”, so it must stay open."));
    assert_eq!(shown_status(&ticket_page(&app, &admin, msp.raise(&admin, "Second").await).await), "In progress");
}

#[tokio::test]
async fn replies_move_tickets_to_the_chosen_statuses() {
    let app = TestApp::spawn().await;
    let msp = Msp::northwind(&app).await;
    let admin = app.signed_in("admin@contoso.test").await;
    let tech = app.signed_in("tech@northwind.test").await;
    let in_progress = msp.status_id("In progress").await;
    let replies = format!("{SETTINGS}/replies");
    // Customer replies now move tickets to "In progress"; staff replies move nothing.
    msp.ok(&replies, &[("customer_reply", in_progress.as_str()), ("staff_reply", "")], "saved").await;
    let html = msp.settings().await;
    assert_eq!(selected(&html, "rp-customer_reply").1, "In progress");
    assert_eq!(selected(&html, "rp-staff_reply").0, "", "no status for staff replies");
    assert_eq!(html.matches(">After a customer reply<").count(), 1);
    assert!(!html.contains(">After a staff reply<"));

    let n = msp.raise(&admin, "VPN drops").await;
    let staff_page = app.url(&format!("/msp/tickets/{n}"));
    let r = post_form(
        &tech,
        &staff_page,
        &app.url(&format!("/msp/tickets/{n}/comments")),
        &[("body", "Which VPN client version?"), ("internal", "false")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(shown_status(&ticket_page(&app, &admin, n).await), "New", "a staff reply moves nothing now");
    let portal_page = app.url(&format!("/tickets/{n}"));
    let r = post_form(&admin, &portal_page, &app.url(&format!("/tickets/{n}/comments")), &[("body", "5.1")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(shown_status(&ticket_page(&app, &admin, n).await), "In progress", "a customer reply moves it");

    // One status cannot answer both, a closed one answers neither, and a target stays open.
    let page =
        msp.refused(&replies, &[("customer_reply", in_progress.as_str()), ("staff_reply", in_progress.as_str())]).await;
    assert!(page.contains("must move tickets to different statuses"));
    let closed = msp.status_id("Closed").await;
    let page = msp.refused(&replies, &[("customer_reply", ""), ("staff_reply", closed.as_str())]).await;
    assert!(page.contains("a reply can only move a ticket to an open status"));
    let page = msp.refused(&replies, &[("customer_reply", "not-an-id"), ("staff_reply", "")]).await;
    assert!(page.contains("Choose one of the statuses."));
    let r = msp.edit_status("In progress", "In progress", true, false).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("Replies move tickets to “In progress”, so it must stay open."));
    // Nothing refused was half-written.
    assert_eq!(selected(&msp.settings().await, "rp-customer_reply").1, "In progress");
}

#[tokio::test]
async fn statuses_and_priorities_are_listed_in_the_chosen_order() {
    let app = TestApp::spawn().await;
    let msp = Msp::northwind(&app).await;
    let admin = app.signed_in("admin@contoso.test").await;
    let list = |html: &str| options(html, "t-status");
    let before = list(&admin.get(app.url("/tickets")).send().await.unwrap().text().await.unwrap());
    assert_eq!(before[1..], ["New", "In progress", "Awaiting support", "Awaiting customer", "Resolved", "Closed"]);

    let closed = msp.status_id("Closed").await;
    msp.ok(&format!("{SETTINGS}/statuses/{closed}/move"), &[("direction", "up")], "saved").await;
    let new = msp.status_id("New").await;
    msp.ok(&format!("{SETTINGS}/statuses/{new}/move"), &[("direction", "down")], "saved").await;
    // Already at the top: nothing to do.
    let in_progress = msp.status_id("In progress").await;
    msp.ok(&format!("{SETTINGS}/statuses/{in_progress}/move"), &[("direction", "up")], "saved").await;
    let after = list(&admin.get(app.url("/tickets")).send().await.unwrap().text().await.unwrap());
    assert_eq!(after[1..], ["In progress", "New", "Awaiting support", "Awaiting customer", "Closed", "Resolved"]);

    let critical = msp.priority_id("Critical").await;
    msp.ok(&format!("{SETTINGS}/priorities/{critical}/move"), &[("direction", "up")], "saved").await;
    let form = admin.get(app.url("/tickets/new")).send().await.unwrap().text().await.unwrap();
    assert_eq!(options(&form, "f-priority"), ["Low", "Medium", "Critical", "High"]);
    // A new priority goes to the end.
    msp.ok(&format!("{SETTINGS}/priorities"), &[("name", "Planned")], "saved").await;
    let form = admin.get(app.url("/tickets/new")).send().await.unwrap().text().await.unwrap();
    assert_eq!(options(&form, "f-priority").last().unwrap(), "Planned");

    let r = msp.post(&format!("{SETTINGS}/priorities/{critical}/move"), &[("direction", "sideways")]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn priorities_are_added_renamed_and_removed_when_unused() {
    let app = TestApp::spawn().await;
    let msp = Msp::litware(&app).await;
    let wanda = app.other_signed_in(OTHER_PORTAL).await;
    let n = msp.raise(&wanda, "Card reader broken").await;
    let add = format!("{SETTINGS}/priorities");
    msp.ok(&add, &[("name", "Someday")], "saved").await;
    assert!(msp.refused(&add, &[("name", "someDAY")]).await.contains("There is already a priority with this name."));
    assert!(msp.refused(&add, &[("name", "")]).await.contains("This field is required."));

    // Renaming the priority a ticket has shows on the customer's ticket.
    let medium = msp.priority_id("Medium").await;
    msp.ok(&format!("{SETTINGS}/priorities/{medium}"), &[("name", "Normal")], "saved").await;
    let page = wanda.get(app.other_url(&format!("/tickets/{n}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("<dd>Normal</dd>"));
    let page = msp.refused(&format!("{SETTINGS}/priorities/{medium}"), &[("name", "HIGH")]).await;
    assert!(page.contains("There is already a priority with this name.") && page.contains("value=\"HIGH\""));

    // In use: only renamed. The default: not removed. Unused: removed.
    let page = msp.refused(&format!("{SETTINGS}/priorities/{medium}/delete"), &[]).await;
    assert!(page.contains("1 ticket(s) have the priority “Normal”, so it can") && page.contains("Rename it instead."));
    let someday = msp.priority_id("Someday").await;
    msp.ok(&format!("{SETTINGS}/priorities/{someday}/default"), &[], "saved").await;
    let page = msp.refused(&format!("{SETTINGS}/priorities/{someday}/delete"), &[]).await;
    assert!(page.contains("“Someday” is the default priority."));
    let low = msp.priority_id("Low").await;
    msp.ok(&format!("{SETTINGS}/priorities/{low}/delete"), &[], "priority-removed").await;
    let form = wanda.get(app.other_url("/tickets/new")).send().await.unwrap().text().await.unwrap();
    assert_eq!(options(&form, "f-priority"), ["Normal", "High", "Critical", "Someday"]);
    assert_eq!(selected(&form, "f-priority").1, "Someday");
}

#[tokio::test]
async fn statuses_a_ticket_needs_are_not_removed() {
    let app = TestApp::spawn().await;
    let msp = Msp::litware(&app).await;
    let wanda = app.other_signed_in(OTHER_PORTAL).await;
    let statuses = format!("{SETTINGS}/statuses");
    msp.ok(&statuses, &[("name", "On hold"), ("closed", "false"), ("customer_settable", "true")], "saved").await;
    let on_hold = msp.status_id("On hold").await;
    let n = msp.raise(&wanda, "Badge printer").await;
    let r = post_form(
        &wanda,
        &app.other_url(&format!("/tickets/{n}")),
        &app.other_url(&format!("/tickets/{n}/status")),
        &[("status", on_hold.as_str())],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    // In use: renamed, not removed.
    let page = msp.refused(&format!("{statuses}/{on_hold}/delete"), &[]).await;
    assert!(page.contains("1 ticket(s) have the status “On hold”, so it can") && page.contains("Rename it instead."));
    // The default is not removed.
    let new = msp.status_id("New").await;
    assert!(msp.refused(&format!("{statuses}/{new}/delete"), &[]).await.contains("Make another status the default"));
    // Nor the last closed status, nor is it reopened.
    let closed = msp.status_id("Closed").await;
    msp.ok(&format!("{statuses}/{closed}/delete"), &[], "status-removed").await;
    assert!(!msp.settings().await.contains("value=\"Closed\""));
    let resolved = msp.status_id("Resolved").await;
    let page = msp.refused(&format!("{statuses}/{resolved}/delete"), &[]).await;
    assert!(page.contains("“Resolved” is the only closed status"));
    let r = msp.edit_status("Resolved", "Resolved", false, true).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("“Resolved” is the only closed status"));
    // Unused open statuses go (replies then move tickets nowhere), until New is the last open one.
    for name in ["In progress", "Awaiting support", "Awaiting customer"] {
        let id = msp.status_id(name).await;
        msp.ok(&format!("{statuses}/{id}/delete"), &[], "status-removed").await;
    }
    assert_eq!(location(&msp.edit_status("On hold", "On hold", true, true).await), SAVED);
    let r = msp.edit_status("New", "New", true, false).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("“New” is the only open status"));
    let page = msp.refused(&format!("{statuses}/{new}/delete"), &[]).await;
    assert!(page.contains("Make another status the default"));
    // What is left still works: a customer reply moves nothing, a new ticket starts in New.
    let m = msp.raise(&wanda, "Second").await;
    let page = wanda.get(app.other_url(&format!("/tickets/{m}"))).send().await.unwrap().text().await.unwrap();
    assert_eq!(shown_status(&page), "New");

    // Another MSP's status is not found, whoever asks.
    let northwind = Msp::northwind(&app).await;
    for action in [format!("{statuses}/{new}"), format!("{statuses}/{new}/delete"), format!("{statuses}/{new}/default")]
    {
        let r = northwind.post(&action, &[("name", "Hijack")]).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{action}");
    }
    assert!(msp.settings().await.contains("value=\"New\""));
}
