//! Notifications: the bell, mail through the outbox to a real SMTP server, the MSP's own
//! wording, each person's choices, and the mail-borne account links.

use std::time::Duration;

use reqwest::StatusCode;

use crate::helpers::{location, post_form, TestApp};
use crate::smtp::{self, SmtpServer};
use crate::tickets::raise;

async fn unread(app: &TestApp, c: &reqwest::Client) -> i64 {
    let r = c.get(app.url("/notifications/unread")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.json::<serde_json::Value>().await.unwrap()["unread"].as_i64().unwrap()
}

async fn reply(app: &TestApp, c: &reqwest::Client, n: i64, body: &str, internal: bool) {
    let r = post_form(
        c,
        &app.url(&format!("/msp/tickets/{n}")),
        &app.url(&format!("/msp/tickets/{n}/comments")),
        &[("body", body), ("internal", if internal { "true" } else { "false" })],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_bell_counts_replies_and_marks_them_read() {
    let app = TestApp::spawn().await;
    let lee = app.signed_in("limited@contoso.test").await;
    let tech = app.signed_in("tech@northwind.test").await;
    // Start from a quiet bell (the demo data leaves some replies unread).
    let r = post_form(&lee, &app.url("/notifications"), &app.url("/notifications/read-all"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let before_staff = unread(&app, &tech).await;
    let n = raise(&app, &lee, "Scanner sends blank pages", &[]).await;
    assert_eq!(unread(&app, &lee).await, 0, "nobody is told of their own doing");
    assert_eq!(unread(&app, &tech).await, before_staff + 1, "unassigned: every member of staff hears of it");

    reply(&app, &tech, n, "SECRET note about the scanner", true).await;
    assert_eq!(unread(&app, &lee).await, 0, "an internal note tells the customer nothing");
    assert!(
        app.outbox().await.iter().all(|m| !m.text.contains("SECRET") && !m.html.contains("SECRET")),
        "nor mails anyone"
    );
    reply(&app, &tech, n, "Which scanner is it?", false).await;
    assert_eq!(unread(&app, &lee).await, 1);

    // The bell shows the count on every page, without script.
    let page = lee.get(app.url("/dashboard")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Notifications, 1 unread") && page.contains("data-bell-count>1<"), "bell on the page");
    let list = lee.get(app.url("/notifications")).send().await.unwrap().text().await.unwrap();
    assert!(list.contains(&format!("replied on T-{n}")) && list.contains("Which scanner is it?"));
    assert!(!list.contains("SECRET"));

    // Opening it leads to the ticket and clears it.
    let id = {
        let at = list.find("/open\"").unwrap();
        list[at - 36..at].to_string()
    };
    let r = post_form(&lee, &app.url("/notifications"), &app.url(&format!("/notifications/{id}/open")), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), format!("/tickets/{n}"));
    assert_eq!(unread(&app, &lee).await, 0);
    // Nobody else can open (or learn of) it.
    let megan = app.signed_in("admin@contoso.test").await;
    let r = post_form(&megan, &app.url("/notifications"), &app.url(&format!("/notifications/{id}/open")), &[]).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // The customer's reply reaches staff; "mark all read" clears the bell.
    let r = post_form(
        &lee,
        &app.url(&format!("/tickets/{n}")),
        &app.url(&format!("/tickets/{n}/comments")),
        &[("body", "The one on floor 3.")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(unread(&app, &tech).await >= 2);
    let r = post_form(&tech, &app.url("/notifications"), &app.url("/notifications/read-all"), &[]).await;
    assert_eq!(location(&r), "/notifications?notice=all-read");
    assert_eq!(unread(&app, &tech).await, 0);
}

#[tokio::test]
async fn preferences_decide_what_is_mailed_and_what_rings() {
    let app = TestApp::spawn().await;
    let lee = app.signed_in("limited@contoso.test").await;
    let tech = app.signed_in("tech@northwind.test").await;
    // Lee keeps the bell but wants no mail about tickets.
    let page = lee.get(app.url("/account/notifications")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Ticket updates") && page.contains("Security alerts"));
    let r = post_form(
        &lee,
        &app.url("/account/notifications"),
        &app.url("/account/notifications"),
        &[("ticket_updates.in_app", "1"), ("service_alerts.email", "1")],
    )
    .await;
    assert_eq!(location(&r), "/account/notifications?notice=saved");
    let page = lee.get(app.url("/account/notifications")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("name=\"ticket_updates.in_app\" value=\"1\" checked"));
    assert!(!page.contains("name=\"ticket_updates.email\" value=\"1\" checked"));

    let before = unread(&app, &lee).await;
    let n = raise(&app, &lee, "Laptop fan is loud", &[]).await;
    reply(&app, &tech, n, "We'll swap it on Tuesday.", false).await;
    let to_lee = app.outbox().await.into_iter().filter(|m| m.to == "limited@contoso.test").count();
    assert_eq!(to_lee, 0, "no mail against the person's choice");
    assert_eq!(unread(&app, &lee).await, before + 1, "but the bell rings");

    // The MSP's defaults apply to everyone who has not chosen: here, no bell for tickets.
    let owner = app.signed_in("owner@northwind.test").await;
    let r = post_form(
        &owner,
        &app.url("/msp/settings/email"),
        &app.url("/msp/settings/email/defaults"),
        &[("ticket_updates.email", "1")],
    )
    .await;
    assert_eq!(location(&r), "/msp/settings/email?notice=saved");
    let standard = app.signed_in("standard@contoso.test").await;
    let before = unread(&app, &standard).await;
    let m = raise(&app, &standard, "Second monitor flickers", &[]).await;
    reply(&app, &tech, m, "Try the other cable, please.", false).await;
    assert_eq!(unread(&app, &standard).await, before);
    let mails: Vec<_> = app.outbox().await.into_iter().filter(|m| m.to == "standard@contoso.test").collect();
    assert!(mails.iter().any(|x| x.subject.contains(&format!("T-{m}")) && x.subject.contains("New reply")));
}

#[tokio::test]
async fn mail_waits_for_the_smtp_server_and_goes_out_once() {
    if !smtp::available("mail_waits_for_the_smtp_server_and_goes_out_once") {
        return;
    }
    let port = smtp::free_port();
    let app = TestApp::spawn_with(|s| {
        s.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
        s.job_retry_seconds = 1;
    })
    .await;
    let lee = app.signed_in("limited@contoso.test").await;
    let n = raise(&app, &lee, "VPN drops every hour", &[]).await;
    let queued = app.outbox().await.len();
    assert!(queued >= 2, "a confirmation and mail to staff are queued");

    // The server is down: the attempts fail and the console says so.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let owner = app.signed_in("owner@northwind.test").await;
    let page = owner.get(app.url("/msp/settings/email")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Retrying") && page.contains("Last error"), "failed attempts are shown");

    // Up it comes: each mail arrives once.
    let server = SmtpServer::start(port).await;
    let mails = server.wait_for(queued, Duration::from_secs(30)).await;
    assert_eq!(mails.len(), queued, "every queued mail arrives");
    tokio::time::sleep(Duration::from_secs(3)).await;
    let mails = server.messages();
    assert_eq!(mails.len(), queued, "and none twice");
    let mut ids: Vec<_> = mails.iter().map(|m| m.message_id.clone()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), queued);

    let confirmation = mails.iter().find(|m| m.to.contains("limited@contoso.test")).expect("mail to the requester");
    assert!(
        confirmation.subject.contains(&format!("[T-{n}]")) && confirmation.subject.contains("VPN drops every hour")
    );
    assert!(confirmation.from.contains("Northwind"), "from the MSP: {}", confirmation.from);
    let body = &confirmation.body;
    assert!(body.contains("text/plain") && body.contains("text/html"), "both parts");
    assert!(body.contains(&app.url(&format!("/tickets/{n}"))), "links back to the ticket on the portal");
    assert!(body.contains(&app.url("/account/notifications")), "links to the preferences");
    let page = owner.get(app.url("/msp/settings/email")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Sent") && page.contains("0 waiting"), "{page}");
}

#[tokio::test]
async fn queued_mail_survives_a_restart() {
    if !smtp::available("queued_mail_survives_a_restart") {
        return;
    }
    // An instance without SMTP queues mail; it stays queued, and the console says why.
    let app = TestApp::spawn().await;
    let lee = app.signed_in("limited@contoso.test").await;
    raise(&app, &lee, "Teams has no sound", &[]).await;
    let queued = app.outbox().await.len();
    assert!(queued >= 2);
    let owner = app.signed_in("owner@northwind.test").await;
    let page = owner.get(app.url("/msp/settings/email")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Not sending") && page.contains("PORTICO_SMTP_URL"));

    // Another instance on the same database, with SMTP, sends them all, once.
    let server = SmtpServer::start(smtp::free_port()).await;
    let mut settings = app.state.settings.clone();
    settings.bind = "127.0.0.1:0".parse().unwrap();
    settings.smtp_url = Some(server.url());
    let second = portico::App::build(settings, false).await.unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(second.run_until(async move {
        let _ = rx.await;
    }));
    let mails = server.wait_for(queued, Duration::from_secs(30)).await;
    assert_eq!(mails.len(), queued);
    let _ = tx.send(());
    let _ = running.await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(server.messages().len(), queued, "nothing sent twice");
}

#[tokio::test]
async fn an_msp_writes_its_own_mail_and_a_broken_template_is_refused() {
    let app = TestApp::spawn().await;
    let owner = app.signed_in("owner@northwind.test").await;
    let page = app.url("/msp/settings/email/templates/ticket_created");
    let editor = owner.get(&page).send().await.unwrap().text().await.unwrap();
    assert!(editor.contains("We have your request") && !editor.contains("Use the built-in wording"));

    // A template that does not render is refused, and nothing is saved.
    let r =
        post_form(&owner, &page, &page, &[("subject", "Got {{ ticket.number"), ("text", "x"), ("html", "<p>x</p>")])
            .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("doesn&#x27;t render") || html.contains("doesn't render"), "{html}");

    // Preview shows the draft with sample data, unsaved.
    let fields = [
        ("subject", "Got it: {{ ticket.number }} ({{ ticket.title }})"),
        ("text", "Hi {{ recipient.name }}, we are on {{ ticket.number }}. {{ ticket.url }}"),
        ("html", "<p>Hi {{ recipient.name }}, we are on <b>{{ ticket.number }}</b>.</p>"),
    ];
    let r = post_form(&owner, &page, &format!("{page}/preview"), &fields).await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("Got it: T-1042") && html.contains("Hi Megan Bowen, we are on T-1042."), "preview");
    assert!(html.contains("srcdoc="), "the HTML version is shown framed");

    let r = post_form(&owner, &page, &page, &fields).await;
    assert_eq!(location(&r), "/msp/settings/email/templates/ticket_created?notice=saved");
    let lee = app.signed_in("limited@contoso.test").await;
    let n = raise(&app, &lee, "Password expired", &[]).await;
    let mail = app.outbox().await.into_iter().find(|m| m.to == "limited@contoso.test").expect("confirmation");
    assert_eq!(mail.subject, format!("Got it: T-{n} (Password expired)"));
    assert!(mail.text.contains(&format!("we are on T-{n}")) && mail.text.contains(&app.url(&format!("/tickets/{n}"))));
    assert!(
        mail.html.contains(&format!("<b>T-{n}</b>")) && mail.html.contains("Northwind"),
        "inside the branded frame"
    );
    assert!(mail.text.contains("Choose which emails you get"), "the preferences link is always there");

    // Staff mail keeps its built-in wording, and the MSP can go back to the built-in one.
    let all = app.outbox().await;
    let staff = all.iter().find(|m| m.to == "tech@northwind.test").unwrap_or_else(|| panic!("staff mail: {all:?}"));
    assert!(staff.subject.contains("New from Contoso Ltd"));
    let r = post_form(&owner, &page, &format!("{page}/reset"), &[]).await;
    assert_eq!(location(&r), "/msp/settings/email/templates/ticket_created?notice=template-reset");
    let r = owner.get(app.url("/msp/settings/email/templates/no_such_mail")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // The sender must be an address.
    let r = post_form(
        &owner,
        &app.url("/msp/settings/email"),
        &app.url("/msp/settings/email/sender"),
        &[("mail_from", "not an address")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = post_form(
        &owner,
        &app.url("/msp/settings/email"),
        &app.url("/msp/settings/email/sender"),
        &[("mail_from", "Northwind Help <help@northwind.test>")],
    )
    .await;
    assert_eq!(location(&r), "/msp/settings/email?notice=saved");
    raise(&app, &lee, "Another one", &[]).await;
    let latest = app.outbox().await.into_iter().next().unwrap();
    assert_eq!(latest.from, "Northwind Help <help@northwind.test>");
}

#[tokio::test]
async fn forgot_password_mails_a_single_use_link_without_revealing_accounts() {
    let app = TestApp::spawn().await;
    let c = app.client();
    let ask = |email: &'static str| {
        let c = c.clone();
        let url = app.url("/forgot-password");
        async move { c.post(url).form(&[("email", email)]).send().await.unwrap() }
    };
    let page = c.get(app.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("href=\"/forgot-password\""), "the sign-in page offers it");
    let known = ask("standard@contoso.test").await;
    let unknown = ask("nobody@contoso.test").await;
    assert_eq!(known.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&known), location(&unknown), "the same answer either way");
    let r = c.post(app.url("/forgot-password")).form(&[("email", "not an email")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let mails = app.outbox().await;
    assert_eq!(mails.len(), 1, "one mail, to the real account only");
    let mail = &mails[0];
    assert_eq!(mail.to, "standard@contoso.test");
    let at = mail.text.find("/reset/").unwrap();
    let link = mail.text[at..].split_whitespace().next().unwrap().to_string();
    assert!(mail.text.contains(&app.url(&link)));

    let form = c.get(app.url(&link)).send().await.unwrap();
    assert_eq!(form.status(), StatusCode::OK);
    let r = c
        .post(app.url(&link))
        .form(&[("new_password", "a-brand-new-secret"), ("confirm_password", "something-else")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = c
        .post(app.url(&link))
        .form(&[("new_password", "a-brand-new-secret"), ("confirm_password", "a-brand-new-secret")])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&r), "/?notice=password-reset");
    let r =
        crate::helpers::sign_in(&app.client(), &app.url("/login"), "standard@contoso.test", "a-brand-new-secret").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // Used once, the link is dead.
    assert_eq!(c.get(app.url(&link)).send().await.unwrap().status(), StatusCode::GONE);

    // Staff use the same page and land back at the console.
    let r = c
        .post(app.url("/forgot-password"))
        .form(&[("email", "tech@northwind.test"), ("console", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&r), "/msp?notice=reset-sent");
}

#[tokio::test]
async fn invitations_are_mailed() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("admin@contoso.test").await;
    let r = post_form(
        &admin,
        &app.url("/company/users"),
        &app.url("/company/users"),
        &[("name", "Nestor Wilke"), ("email", "nestor@contoso.test"), ("role", "standard")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let mail = app.outbox().await.into_iter().find(|m| m.to == "nestor@contoso.test").expect("invitation mailed");
    assert!(mail.subject.contains("invited") && mail.text.contains("Contoso Ltd") && mail.text.contains("/invite/"));
    assert!(mail.text.contains("/account/notifications"), "every mail links to the preferences");
    let at = mail.text.find("/invite/").unwrap();
    let link = mail.text[at..].split_whitespace().next().unwrap().to_string();
    assert_eq!(app.client().get(app.url(&link)).send().await.unwrap().status(), StatusCode::OK);
}
