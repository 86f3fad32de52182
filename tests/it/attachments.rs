//! Ticket attachments: uploads with new tickets and comments, downloads, the type and size
//! rules, internal notes' files, and who may fetch what.

use reqwest::multipart::{Form, Part};
use reqwest::{Client, Response, StatusCode};
use serde_json::Value;

use crate::helpers::{csrf_of, location, TestApp, PNG};

const LOG: &[u8] = b"2024-05-13 08:02:11 link up\n2024-05-13 08:03:45 DHCP timed out\n";
/// The start of a Windows executable.
const EXE: &[u8] = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00This program cannot be run in DOS mode.";

fn part(name: &str, bytes: &[u8]) -> Part {
    Part::bytes(bytes.to_vec()).file_name(name.to_string())
}

/// The value of the selected option of the select with id `select`.
fn selected(html: &str, select: &str) -> String {
    let part = &html[html.find(&format!("id=\"{select}\"")).expect("select present")..];
    let option = &part[..part.find(" selected").expect("an option is selected")];
    let v = option.rfind("value=\"").unwrap() + 7;
    option[v..v + option[v..].find('"').unwrap()].to_string()
}

/// Posts the portal's new-ticket form as a browser does, with `files` in its file input.
async fn raise_with(app: &TestApp, c: &Client, title: &str, files: &[(&str, &[u8])]) -> Response {
    let html = c.get(app.url("/tickets/new")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("enctype=\"multipart/form-data\"") && html.contains("type=\"file\""));
    let token = csrf_of(&html);
    let mut form = Form::new()
        .text("title", title.to_string())
        .text("description", "See the attached files.")
        .text("priority", selected(&html, "f-priority"));
    for (name, bytes) in files {
        form = form.part("attachments", part(name, bytes));
    }
    c.post(app.url(&format!("/tickets?_csrf={token}"))).multipart(form).send().await.unwrap()
}

/// Posts a comment form (portal or console path) with files.
async fn comment_with(
    c: &Client,
    page: &str,
    action: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &[u8])],
) -> Response {
    let token = csrf_of(&c.get(page).send().await.unwrap().text().await.unwrap());
    let mut form = Form::new();
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    for (name, bytes) in files {
        form = form.part("attachments", part(name, bytes));
    }
    c.post(format!("{action}?_csrf={token}")).multipart(form).send().await.unwrap()
}

fn number_of(r: &Response) -> i64 {
    let to = location(r);
    to.trim_start_matches("/tickets/").split('?').next().unwrap().parse().expect("redirect to the ticket")
}

/// The download links on a ticket page, in order.
fn links(html: &str, prefix: &str) -> Vec<String> {
    let html = html.replace("&#x2f;", "/");
    html.match_indices(&format!("\"{prefix}"))
        .map(|(i, _)| html[i + 1..i + 1 + prefix.len() + 36].to_string())
        .collect()
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    let (n,): (i64,) =
        portico::on_db!(app.db(), p => sqlx::query_as(sqlx::AssertSqlSafe(sql.to_string())).fetch_one(p).await)
            .unwrap();
    n
}

fn stored_files(app: &TestApp) -> usize {
    fn walk(dir: &std::path::Path) -> usize {
        std::fs::read_dir(dir)
            .map(|entries| entries.flatten().map(|e| if e.path().is_dir() { walk(&e.path()) } else { 1 }).sum())
            .unwrap_or(0)
    }
    walk(&app.state.settings.data_dir.join("files"))
}

#[tokio::test]
async fn files_raised_with_a_ticket_download_as_attachments() {
    let app = TestApp::spawn().await;
    let lee = app.signed_in("limited@contoso.test").await;
    let r =
        raise_with(&app, &lee, "Scanner error", &[("Scan fehler größe.png", PNG), ("C:\\logs\\scan.log", LOG)]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());
    let n = number_of(&r);
    let page = lee.get(app.url(&format!("/tickets/{n}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Scan fehler größe.png") && page.contains("scan.log"), "names kept, without the path");
    assert!(page.contains("Lee Gu"), "who attached them");
    let found = links(&page, &format!("/tickets/{n}/attachments/"));
    assert_eq!(found.len(), 2);

    let r = lee.get(app.url(&found[0])).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let h = r.headers().clone();
    assert_eq!(h["content-type"], "image/png");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(
        h["content-disposition"],
        "attachment; filename=\"Scan fehler gr__e.png\"; filename*=UTF-8''Scan%20fehler%20gr%C3%B6%C3%9Fe.png"
    );
    assert_eq!(r.bytes().await.unwrap().as_ref(), PNG, "the same bytes back");
    let r = lee.get(app.url(&found[1])).send().await.unwrap();
    assert_eq!(r.headers()["content-type"], "text/plain; charset=utf-8");
    assert_eq!(r.headers()["content-disposition"], "attachment; filename=\"scan.log\"; filename*=UTF-8''scan.log");
    assert_eq!(r.bytes().await.unwrap().as_ref(), LOG);

    // Staff reach the same files from the console, and over the API with the ticket.
    let tech = app.signed_in("tech@northwind.test").await;
    let console = tech.get(app.url(&format!("/msp/tickets/{n}"))).send().await.unwrap().text().await.unwrap();
    let staff_links = links(&console, &format!("/msp/tickets/{n}/attachments/"));
    assert_eq!(staff_links.len(), 2);
    assert_eq!(tech.get(app.url(&staff_links[0])).send().await.unwrap().bytes().await.unwrap().as_ref(), PNG);
    let contoso = app.customer_id("Contoso Ltd").await;
    let token = app.token("limited@contoso.test").await;
    let t: Value = Client::new()
        .get(app.url(&format!("/api/portal/customers/{contoso}/tickets/{n}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let files = t["attachments"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    assert_eq!(files[0]["file_name"], "Scan fehler größe.png");
    assert_eq!(files[0]["size_bytes"], PNG.len());
    assert_eq!(files[0]["uploaded_by"], "Lee Gu");
    let r = Client::new()
        .get(app.url(files[1]["download_url"].as_str().unwrap()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.bytes().await.unwrap().as_ref(), LOG);
}

#[tokio::test]
async fn files_are_judged_by_their_content_and_refused_ones_leave_nothing_behind() {
    let app = TestApp::spawn().await;
    let lee = app.signed_in("limited@contoso.test").await;
    let tickets = count(&app, "SELECT COUNT(*) FROM tickets").await;
    let files = count(&app, "SELECT COUNT(*) FROM ticket_attachments").await;
    let on_disk = stored_files(&app);
    let refused: [(&str, &[u8]); 4] = [
        ("invoice.png", EXE),
        ("page.txt", b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"),
        ("logo.png", b"<svg xmlns=\"http://www.w3.org/2000/svg\"><rect/></svg>"),
        ("data.csv", b"a,b\n\0\0\0binary"),
    ];
    for (name, bytes) in refused {
        let r = raise_with(&app, &lee, "Must not be created", &[("fine.log", LOG), (name, bytes)]).await;
        assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "{name}");
        let html = r.text().await.unwrap();
        assert!(html.contains(name) && html.contains("You can attach images"), "{name}: {html}");
        assert!(html.contains("Must not be created"), "the form keeps what was typed");
        assert!(html.contains("choose them again"));
    }
    assert_eq!(count(&app, "SELECT COUNT(*) FROM tickets").await, tickets, "no ticket was created");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM ticket_attachments").await, files);
    assert_eq!(stored_files(&app), on_disk, "no file was stored");

    // An empty file, and one with macros, get their own message.
    let r = raise_with(&app, &lee, "Empty", &[("empty.txt", b"")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("is empty"));

    // The same over the API.
    let contoso = app.customer_id("Contoso Ltd").await;
    let token = app.token("limited@contoso.test").await;
    let n = number_of(&raise_with(&app, &lee, "Has a real file", &[("ok.png", PNG)]).await);
    let url = app.url(&format!("/api/portal/customers/{contoso}/tickets/{n}/attachments"));
    let r = Client::new()
        .post(&url)
        .bearer_auth(&token)
        .multipart(Form::new().part("files", part("setup.pdf", EXE)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unsupported_media_type");
    assert!(body["error"]["message"].as_str().unwrap().contains("setup.pdf"));
    assert_eq!(stored_files(&app), on_disk + 1, "only the real file");
}

#[tokio::test]
async fn uploads_over_the_limit_are_refused_before_anything_is_written() {
    let app = TestApp::spawn_with(|s| s.max_upload_mb = 1).await;
    let lee = app.signed_in("limited@contoso.test").await;
    let big = "a line of a long log file\n".repeat(60_000); // about 1.5 MB
    let tickets = count(&app, "SELECT COUNT(*) FROM tickets").await;
    let on_disk = stored_files(&app);
    let r = raise_with(&app, &lee, "Too big", &[("big.log", big.as_bytes())]).await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.text().await.unwrap().contains("at most 1 MB together"));
    // Two files that are each small enough but not together.
    let half = "x".repeat(600 * 1024);
    let r = raise_with(&app, &lee, "Too big", &[("a.txt", half.as_bytes()), ("b.txt", half.as_bytes())]).await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM tickets").await, tickets);
    assert_eq!(stored_files(&app), on_disk);

    // Within the limit it goes through: more than the 2 MB other forms may send is fine with
    // a higher limit, see below; here a file just under 1 MB.
    let r = raise_with(&app, &lee, "Fits", &[("fits.txt", "y".repeat(1000 * 1024).as_bytes())]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let n = number_of(&r);

    let contoso = app.customer_id("Contoso Ltd").await;
    let r = Client::new()
        .post(app.url(&format!("/api/portal/customers/{contoso}/tickets/{n}/attachments")))
        .bearer_auth(app.token("limited@contoso.test").await)
        .multipart(Form::new().part("files", part("big.log", big.as_bytes())))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "payload_too_large");
}

#[tokio::test]
async fn uploads_may_be_larger_than_other_forms() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("admin@contoso.test").await;
    let n = number_of(&raise_with(&app, &admin, "Big export", &[]).await);
    let big = "id,name,seats\n".repeat(300_000); // about 4 MB, over the 2 MB of ordinary forms
    let page = app.url(&format!("/tickets/{n}"));
    let r = comment_with(
        &admin,
        &page,
        &app.url(&format!("/tickets/{n}/comments")),
        &[],
        &[("export.csv", big.as_bytes())],
    )
    .await;
    assert_eq!(location(&r), format!("/tickets/{n}?notice=reply-added"), "a comment may be just files");
    let html = admin.get(&page).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("export.csv") && html.contains("4.0 MB"));
}

#[tokio::test]
async fn files_of_internal_notes_never_reach_customers() {
    let app = TestApp::spawn().await;
    let lee = app.signed_in("limited@contoso.test").await;
    let n = number_of(&raise_with(&app, &lee, "Mail flow broken", &[]).await);
    let tech = app.signed_in("tech@northwind.test").await;
    let console = app.url(&format!("/msp/tickets/{n}"));
    let action = app.url(&format!("/msp/tickets/{n}/comments"));
    let r = comment_with(
        &tech,
        &console,
        &action,
        &[("body", "Admin credentials in the file"), ("internal", "true")],
        &[("secret-config.txt", b"password=hunter2\n")],
    )
    .await;
    assert_eq!(location(&r), format!("/msp/tickets/{n}?notice=note-added"));
    let r = comment_with(
        &tech,
        &console,
        &action,
        &[("body", "Here is the fix"), ("internal", "false")],
        &[("fix.txt", LOG)],
    )
    .await;
    assert_eq!(location(&r), format!("/msp/tickets/{n}?notice=reply-added"));
    let staff_page = tech.get(&console).send().await.unwrap().text().await.unwrap();
    assert!(staff_page.contains("secret-config.txt") && staff_page.contains("fix.txt"));
    let secret_link = links(&staff_page, &format!("/msp/tickets/{n}/attachments/"))[0].clone();
    let secret_id = secret_link.rsplit('/').next().unwrap().to_string();

    // The customer's page shows the public file only, and the internal one cannot be fetched.
    let page = lee.get(app.url(&format!("/tickets/{n}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("fix.txt"));
    assert!(!page.contains("secret-config.txt") && !page.contains(&secret_id));
    let r = lee.get(app.url(&format!("/tickets/{n}/attachments/{secret_id}"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(!r.text().await.unwrap().contains("hunter2"));

    // Nor over the API: not in the list, not in the ticket, not downloadable.
    let contoso = app.customer_id("Contoso Ltd").await;
    let base = format!("/api/portal/customers/{contoso}/tickets/{n}");
    for who in ["limited@contoso.test", "admin@contoso.test"] {
        let token = app.token(who).await;
        let list = Client::new().get(app.url(&format!("{base}/attachments"))).bearer_auth(&token).send().await.unwrap();
        let text = list.text().await.unwrap();
        assert!(text.contains("fix.txt") && !text.contains("secret-config.txt"), "{who}: {text}");
        let t = Client::new().get(app.url(&base)).bearer_auth(&token).send().await.unwrap().text().await.unwrap();
        assert!(!t.contains("secret-config.txt"));
        let r = Client::new()
            .get(app.url(&format!("{base}/attachments/{secret_id}")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{who}");
    }
    // Staff see it marked as internal.
    let staff: Value = Client::new()
        .get(app.url(&format!("{base}/attachments")))
        .bearer_auth(app.token("tech@northwind.test").await)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let secret = staff.as_array().unwrap().iter().find(|a| a["file_name"] == "secret-config.txt").unwrap();
    assert_eq!(secret["internal"], true);
    assert_eq!(secret["from_staff"], true);

    // A customer may not mark files internal (403); staff may, over the API too.
    let form = || Form::new().text("internal", "true").part("files", part("x.txt", LOG));
    let r = Client::new()
        .post(app.url(&format!("{base}/attachments")))
        .bearer_auth(app.token("limited@contoso.test").await)
        .multipart(form())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = Client::new()
        .post(app.url(&format!("{base}/attachments")))
        .bearer_auth(app.token("tech@northwind.test").await)
        .multipart(form())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let created: Value = r.json().await.unwrap();
    assert_eq!(created[0]["internal"], true);
    let page = lee.get(app.url(&format!("/tickets/{n}"))).send().await.unwrap().text().await.unwrap();
    assert!(!page.contains(created[0]["id"].as_str().unwrap()));
}

#[tokio::test]
async fn who_cannot_see_a_ticket_cannot_fetch_its_files() {
    let app = TestApp::spawn().await;
    let lee = app.signed_in("limited@contoso.test").await;
    let n = number_of(&raise_with(&app, &lee, "Private", &[("mine.png", PNG)]).await);
    let page = lee.get(app.url(&format!("/tickets/{n}"))).send().await.unwrap().text().await.unwrap();
    let path = links(&page, &format!("/tickets/{n}/attachments/"))[0].clone();
    let id = path.rsplit('/').next().unwrap().to_string();
    let megan = app.signed_in("standard@contoso.test").await;
    assert_eq!(megan.get(app.url(&path)).send().await.unwrap().status(), StatusCode::NOT_FOUND, "not her ticket");
    let fabrikam = app.signed_in("admin@fabrikam.test").await;
    assert_eq!(fabrikam.get(app.url(&path)).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    let other = app.other_signed_in(crate::helpers::OTHER_STAFF).await;
    assert_eq!(other.get(app.other_url(&format!("/msp{path}"))).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    assert_eq!(app.client().get(app.url(&path)).send().await.unwrap().status(), StatusCode::SEE_OTHER, "sign in first");
    // A real attachment id under another ticket's number is not found either.
    let other_n = number_of(&raise_with(&app, &lee, "Another", &[]).await);
    let r = lee.get(app.url(&format!("/tickets/{other_n}/attachments/{id}"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    let contoso = app.customer_id("Contoso Ltd").await;
    let fabrikam_id = app.customer_id("Fabrikam Inc").await;
    for (who, customer) in [("standard@contoso.test", contoso), ("admin@fabrikam.test", fabrikam_id)] {
        let r = Client::new()
            .get(app.url(&format!("/api/portal/customers/{customer}/tickets/{n}/attachments/{id}")))
            .bearer_auth(app.token(who).await)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{who}");
    }
}

#[tokio::test]
async fn bad_uploads_get_clear_answers() {
    let app = TestApp::spawn().await;
    let lee = app.signed_in("limited@contoso.test").await;
    let n = number_of(&raise_with(&app, &lee, "Odd uploads", &[]).await);
    let contoso = app.customer_id("Contoso Ltd").await;
    let url = app.url(&format!("/api/portal/customers/{contoso}/tickets/{n}/attachments"));
    let token = app.token("limited@contoso.test").await;
    let send = |form: Form| Client::new().post(&url).bearer_auth(&token).multipart(form).send();

    let r = send(Form::new().text("comment_id", "")).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "no file");
    let r = send(Form::new().part("files", part("empty.pdf", b""))).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "an empty file");
    assert!(r.text().await.unwrap().contains("empty.pdf"));
    let mut eleven = Form::new();
    for i in 0..11 {
        eleven = eleven.part("files", part(&format!("{i}.txt"), LOG));
    }
    assert_eq!(send(eleven).await.unwrap().status(), StatusCode::UNPROCESSABLE_ENTITY, "too many files");
    let r = send(Form::new().part("files", Part::bytes(PNG.to_vec()))).await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED, "a file without a name gets one");
    assert_eq!(r.json::<Value>().await.unwrap()[0]["file_name"], "attachment.png");
    let r = send(Form::new().text("comment_id", uuid::Uuid::now_v7().to_string()).part("files", part("a.txt", LOG)))
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "no such comment: the ticket is there, the field is wrong"
    );
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["fields"][0]["field"], "comment_id");

    // Not multipart at all, or broken multipart.
    let r = Client::new().post(&url).bearer_auth(&token).json(&serde_json::json!({})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let r = Client::new()
        .post(&url)
        .bearer_auth(&token)
        .header("content-type", "multipart/form-data; boundary=XYZ")
        .body("--XYZ\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.txt\"\r\n\r\nunterminated")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = Client::new()
        .post(&url)
        .bearer_auth(&token)
        .header("content-type", "multipart/form-data")
        .body("garbage")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);

    // The page form: broken multipart is a 400 page; a missing token is refused as ever.
    let page = app.url(&format!("/tickets/{n}"));
    let token = csrf_of(&lee.get(&page).send().await.unwrap().text().await.unwrap());
    let r = lee
        .post(app.url(&format!("/tickets/{n}/comments?_csrf={token}")))
        .header("content-type", "multipart/form-data; boundary=XYZ")
        .body("--XYZ\r\nContent-Disposition: form-data; name=\"body\"\r\n\r\nhello")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("could not be read"));
    let r = lee
        .post(app.url(&format!("/tickets/{n}/comments")))
        .multipart(Form::new().text("body", "no token").part("attachments", part("a.txt", LOG)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    // Plain comments without files still work as urlencoded forms.
    let r =
        crate::helpers::post_form(&lee, &page, &app.url(&format!("/tickets/{n}/comments")), &[("body", "Plain")]).await;
    assert_eq!(location(&r), format!("/tickets/{n}?notice=reply-added"));
    let html = lee.get(&page).send().await.unwrap().text().await.unwrap();
    assert!(!html.contains("no token"));
}

#[tokio::test]
async fn the_demo_shows_attachments() {
    let app = TestApp::spawn().await;
    let contoso = app.customer_id("Contoso Ltd").await;
    let token = app.token("admin@contoso.test").await;
    let list: Value = Client::new()
        .get(app.url(&format!("/api/portal/customers/{contoso}/tickets?q=printer&state=")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let n = list["items"][0]["number"].as_i64().unwrap();
    let url = app.url(&format!("/api/portal/customers/{contoso}/tickets/{n}/attachments"));
    let customer: Value = Client::new().get(&url).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    let names: Vec<&str> = customer.as_array().unwrap().iter().map(|a| a["file_name"].as_str().unwrap()).collect();
    assert_eq!(names, ["printer-event-log.txt"], "the internal note's file is not for customers");
    let staff: Value = Client::new()
        .get(&url)
        .bearer_auth(app.token("tech@northwind.test").await)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(staff.as_array().unwrap().len(), 2);
    // The screenshot is a real PNG, stored like any upload.
    let outlook: Value = Client::new()
        .get(app.url(&format!("/api/portal/customers/{contoso}/tickets?q=outlook&state=")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let n = outlook["items"][0]["number"].as_i64().unwrap();
    let t: Value = Client::new()
        .get(app.url(&format!("/api/portal/customers/{contoso}/tickets/{n}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let shot = &t["attachments"][0];
    assert_eq!(shot["content_type"], "image/png");
    let bytes = Client::new()
        .get(app.url(shot["download_url"].as_str().unwrap()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.len() > 500);
}
