//! The staff console: customers, toggles, portal users, staff, branding, tokens.

use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;

use crate::helpers::{csrf_of, location, post_form, sign_in, TestApp, PASSWORD, PNG};

#[tokio::test]
async fn staff_list_search_and_open_customers() {
    let app = TestApp::spawn().await;
    let c = app.signed_in("tech@northwind.test").await;
    let html = c.get(app.url("/msp/customers")).send().await.unwrap().text().await.unwrap();
    for name in ["Contoso Ltd", "Fabrikam Inc", "Adatum Corp"] {
        assert!(html.contains(name));
    }
    assert!(!html.contains("Woodgrove"), "another MSP's customer is not listed");
    assert!(!html.contains("New customer"), "technicians cannot create customers");
    let html = c.get(app.url("/msp/customers?q=fabri")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Fabrikam Inc") && !html.contains("Contoso Ltd"));
    let html = c.get(app.url("/msp/customers?q=%25")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("No customer matches"), "LIKE wildcards are literal");
    let id = app.customer_id("Contoso Ltd").await;
    let html = c.get(app.url(&format!("/msp/customers/{id}"))).send().await.unwrap().text().await.unwrap();
    assert!(
        html.contains("admin@contoso.test")
            && html.contains("limited@contoso.test")
            && !html.contains("admin@fabrikam.test")
    );
    assert!(!html.contains("Save changes"), "technicians see toggles read-only");
    let tickets_link = format!("/msp/tickets?customer={id}");
    assert!(
        html.contains(&tickets_link.replace('/', "&#x2f;")) || html.contains(&tickets_link),
        "a way to the customer's tickets"
    );
    let queue = c.get(app.url(&tickets_link)).send().await.unwrap().text().await.unwrap();
    assert!(
        queue.contains("Outlook keeps asking for my password") && queue.contains("11 tickets match"),
        "only Contoso's open tickets"
    );
    let r =
        post_form(&c, &app.url("/msp/customers"), &app.url(&format!("/msp/customers/{id}")), &[("name", "Renamed")])
            .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(c.get(app.url("/msp/customers/new")).send().await.unwrap().status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_owner_creates_a_customer_and_sets_its_toggles() {
    let app = TestApp::spawn().await;
    let c = app.signed_in("owner@northwind.test").await;
    let new = app.url("/msp/customers/new");
    let r = post_form(&c, &new, &app.url("/msp/customers"), &[("name", ""), ("m365_tenant_id", "not a tenant")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("This field is required")
            && html.contains("tenant ID")
            && html.contains("value=\"not a tenant\"")
    );
    let r = post_form(&c, &new, &app.url("/msp/customers"), &[("name", "contoso ltd")]).await;
    assert!(r.text().await.unwrap().contains("already exists"), "names are unique regardless of case");
    let r = post_form(
        &c,
        &new,
        &app.url("/msp/customers"),
        &[
            ("name", "Tailspin Toys"),
            ("m365_tenant_id", "tailspin.onmicrosoft.com"),
            ("feature_tickets", "on"),
            ("feature_licenses", "on"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = location(&r);
    let html = c.get(app.url(&page)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("The customer was created") && html.contains("tailspin.onmicrosoft.com"));
    assert!(
        html.contains("name=\"feature_tickets\" value=\"on\" checked")
            && !html.contains("name=\"feature_security\" value=\"on\" checked")
    );
    // Features Portico does not have yet are not offered at all.
    for unbuilt in ["billing", "projects", "appointments", "reports", "service_requests"] {
        assert!(!html.contains(&format!("feature_{unbuilt}")), "{unbuilt} offered");
    }
    // Switch security on and tickets off; rename.
    let path = page.split('?').next().unwrap().to_string();
    let r = post_form(
        &c,
        &app.url(&path),
        &app.url(&path),
        &[("name", "Tailspin Toys Ltd"), ("m365_tenant_id", ""), ("active", "true"), ("feature_security", "on")],
    )
    .await;
    assert_eq!(location(&r), format!("{path}?notice=saved"));
    let html = c.get(app.url(&path)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Tailspin Toys Ltd") && html.contains("name=\"feature_security\" value=\"on\" checked"));
    assert!(!html.contains("name=\"feature_tickets\" value=\"on\" checked"));
}

#[tokio::test]
async fn staff_manage_a_customers_portal_users() {
    let app = TestApp::spawn().await;
    let c = app.signed_in("tech@northwind.test").await;
    let id = app.customer_id("Adatum Corp").await;
    let page = app.url(&format!("/msp/customers/{id}"));
    let r = post_form(
        &c,
        &page,
        &app.url(&format!("/msp/customers/{id}/users")),
        &[("name", "Ada Admin"), ("email", "ada@adatum.test"), ("role", "admin")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("Invitation emailed to Ada Admin"));
    let ada = app.user_id("ada@adatum.test").await;
    let r = post_form(&c, &page, &app.url(&format!("/msp/customers/{id}/users/{ada}/link")), &[]).await;
    assert!(r.text().await.unwrap().contains("&#x2f;invite&#x2f;"));
    // A user of another customer cannot be reached through this customer's page.
    let lee = app.user_id("limited@contoso.test").await;
    let r = post_form(&c, &page, &app.url(&format!("/msp/customers/{id}/users/{lee}/active")), &[("active", "false")])
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // The last active admin of a customer cannot be removed.
    let r =
        post_form(&c, &page, &app.url(&format!("/msp/customers/{id}/users/{ada}/role")), &[("role", "standard")]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("only active admin"));
}

#[tokio::test]
async fn owners_and_admins_manage_staff_within_their_rank() {
    let app = TestApp::spawn().await;
    let owner = app.signed_in("owner@northwind.test").await;
    let staff = app.url("/msp/staff");
    let r =
        post_form(&owner, &staff, &staff, &[("name", "Ana Admin"), ("email", "ana@northwind.test"), ("role", "admin")])
            .await;
    let html = r.text().await.unwrap();
    assert!(html.contains("Ana Admin can now sign in"));
    let marker = "id=\"new-pw\" class=\"copy\" type=\"text\" readonly value=\"";
    let start = html.find(marker).unwrap() + marker.len();
    let password = &html[start..start + html[start..].find('"').unwrap()];
    let ana = app.client();
    let r = sign_in(&ana, &app.url("/msp/login"), "ana@northwind.test", password).await;
    assert_eq!(location(&r), "/msp/customers");
    // An admin cannot make owners or touch the owner.
    let r =
        post_form(&ana, &staff, &staff, &[("name", "Sneaky"), ("email", "sneaky@northwind.test"), ("role", "owner")])
            .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let owner_id = app.user_id("owner@northwind.test").await;
    let r = post_form(&ana, &staff, &app.url(&format!("/msp/staff/{owner_id}/active")), &[("active", "false")]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // A technician cannot manage staff at all.
    let tech = app.signed_in("tech@northwind.test").await;
    let html = tech.get(app.url("/msp/staff")).send().await.unwrap().text().await.unwrap();
    assert!(!html.contains("Add a staff member"));
    let r = post_form(&tech, &staff, &staff, &[("name", "T"), ("email", "t2@northwind.test"), ("role", "technician")])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // The only owner cannot be demoted, even by themselves.
    let r = post_form(&owner, &staff, &app.url(&format!("/msp/staff/{owner_id}/role")), &[("role", "admin")]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    // Deactivating a technician signs them out.
    let tech_id = app.user_id("tech@northwind.test").await;
    let r = post_form(&owner, &staff, &app.url(&format!("/msp/staff/{tech_id}/active")), &[("active", "false")]).await;
    assert_eq!(location(&r), "/msp/staff?notice=deactivated");
    assert_eq!(tech.get(app.url("/msp/customers")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn branding_changes_show_everywhere_and_bad_values_are_refused() {
    let app = TestApp::spawn().await;
    let c = app.signed_in("owner@northwind.test").await;
    let page = app.url("/msp/branding");
    let fields = |colour: &'static str| {
        vec![
            ("product_name", "Northwind Hub"),
            ("primary_color", colour),
            ("welcome_message", "Hello from Northwind."),
            ("support_phone", "+1 555 0100"),
            ("support_email", "desk@northwind.test"),
            ("support_hours", "24/7"),
        ]
    };
    let r = post_form(&c, &page, &page, &fields("purple")).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("six hex digits") && html.contains("value=\"purple\""));
    assert!(
        app.client().get(app.url("/brand.css")).send().await.unwrap().text().await.unwrap().contains("#0f766e"),
        "nothing saved"
    );
    let r = post_form(&c, &page, &page, &fields("#7C3AED")).await;
    assert_eq!(location(&r), "/msp/branding?notice=saved");
    let login = app.client().get(app.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(
        login.contains("Northwind Hub")
            && login.contains("Hello from Northwind.")
            && login.contains("+1 555 0100")
            && login.contains("24&#x2f;7")
    );
    let css = app.client().get(app.url("/brand.css")).send().await.unwrap().text().await.unwrap();
    assert!(css.contains("--brand:#7c3aed"), "{css}");
    let other = app.client().get(app.other_url("/brand.css")).send().await.unwrap().text().await.unwrap();
    assert!(!other.contains("#7c3aed"), "another MSP's brand is untouched");
    // A technician may not change branding.
    let tech = app.signed_in("tech@northwind.test").await;
    assert_eq!(tech.get(app.url("/msp/branding")).send().await.unwrap().status(), StatusCode::FORBIDDEN);
}

async fn upload(app: &TestApp, c: &reqwest::Client, what: &str, bytes: Vec<u8>, name: &str) -> reqwest::Response {
    let html = c.get(app.url("/msp/branding")).send().await.unwrap().text().await.unwrap();
    let token = csrf_of(&html);
    let form = Form::new().part("file", Part::bytes(bytes).file_name(name.to_string()));
    c.post(app.url(&format!("/msp/branding/{what}?_csrf={token}"))).multipart(form).send().await.unwrap()
}

#[tokio::test]
async fn logos_are_checked_by_content_and_served_safely() {
    let app = TestApp::spawn().await;
    let c = app.signed_in("owner@northwind.test").await;
    let r = upload(&app, &c, "logo", PNG.to_vec(), "logo.png").await;
    assert_eq!(location(&r), "/msp/branding?notice=logo-saved");
    let logo = app.client().get(app.url("/brand/logo")).send().await.unwrap();
    assert_eq!(logo.headers()["content-type"], "image/png");
    assert!(logo.headers()["content-security-policy"].to_str().unwrap().contains("sandbox"));
    assert_eq!(logo.bytes().await.unwrap().as_ref(), PNG);
    // A text file named .png is not an image.
    let r = upload(&app, &c, "logo", b"just text".to_vec(), "logo.png").await;
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(r.text().await.unwrap().contains("isn&#x27;t a PNG, JPEG or SVG"));
    let evil = br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#.to_vec();
    let r = upload(&app, &c, "logo", evil, "logo.svg").await;
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let mut big = PNG.to_vec();
    big.resize(600 * 1024, 0);
    let r = upload(&app, &c, "logo", big, "big.png").await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.text().await.unwrap().contains("at most 512 kB"));
    let logo = app.client().get(app.url("/brand/logo")).send().await.unwrap().bytes().await.unwrap();
    assert_eq!(logo.as_ref(), PNG, "refused uploads left the logo alone");
    let r = upload(&app, &c, "favicon", PNG.to_vec(), "icon.png").await;
    assert_eq!(location(&r), "/msp/branding?notice=favicon-saved");
    assert_eq!(app.client().get(app.url("/favicon.ico")).send().await.unwrap().headers()["content-type"], "image/png");
}

#[tokio::test]
async fn api_tokens_are_shown_once_and_can_be_revoked() {
    let app = TestApp::spawn().await;
    let c = app.signed_in("owner@northwind.test").await;
    let page = app.url("/msp/tokens");
    let r = post_form(&c, &page, &page, &[("name", "")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = post_form(&c, &page, &page, &[("name", "PSA sync")]).await;
    let html = r.text().await.unwrap();
    let marker = "id=\"new-token\" class=\"copy\" type=\"text\" readonly value=\"";
    let start = html.find(marker).unwrap() + marker.len();
    let token = html[start..start + html[start..].find('"').unwrap()].to_string();
    assert!(token.starts_with("ptc_"));
    let api = reqwest::Client::new();
    let r = api.get(app.url("/api/portal/customers")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let list = c.get(&page).send().await.unwrap().text().await.unwrap();
    assert!(list.contains("PSA sync") && !list.contains(&token), "listed, but the secret is not shown again");
    let id = {
        let marker = "/msp/tokens/";
        let start = list.find(marker).unwrap() + marker.len();
        list[start..start + 36].to_string()
    };
    let r = post_form(&c, &page, &app.url(&format!("/msp/tokens/{id}/revoke")), &[]).await;
    assert_eq!(location(&r), "/msp/tokens?notice=token-revoked");
    let r = api.get(app.url("/api/portal/customers")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let tech = app.signed_in("tech@northwind.test").await;
    assert_eq!(tech.get(&page).send().await.unwrap().status(), StatusCode::FORBIDDEN);
    let _ = PASSWORD;
}

#[tokio::test]
async fn the_customer_list_sorts_by_its_headers() {
    let app = TestApp::spawn().await;
    let c = app.signed_in("owner@northwind.test").await;
    let order = |html: &str| {
        let mut names: Vec<(usize, &str)> =
            ["Adatum Corp", "Contoso Ltd", "Fabrikam Inc"].iter().map(|n| (html.find(n).unwrap(), *n)).collect();
        names.sort();
        names.into_iter().map(|(_, n)| n).collect::<Vec<_>>()
    };
    let html = c.get(app.url("/msp/customers")).send().await.unwrap().text().await.unwrap();
    assert_eq!(order(&html), ["Adatum Corp", "Contoso Ltd", "Fabrikam Inc"]);
    assert!(html.contains("aria-sort=\"ascending\""));
    let html = c.get(app.url("/msp/customers?sort=name&dir=desc")).send().await.unwrap().text().await.unwrap();
    assert_eq!(order(&html), ["Fabrikam Inc", "Contoso Ltd", "Adatum Corp"]);
    let html = c.get(app.url("/msp/customers?sort=users&dir=desc")).send().await.unwrap().text().await.unwrap();
    assert_eq!(order(&html), ["Contoso Ltd", "Fabrikam Inc", "Adatum Corp"], "Contoso has 3 portal users, Fabrikam 1");
    let html = c.get(app.url("/msp/customers?sort=nonsense")).send().await.unwrap().text().await.unwrap();
    assert_eq!(order(&html), ["Adatum Corp", "Contoso Ltd", "Fabrikam Inc"], "an unknown sort falls back to name");
    let token = app.token("owner@northwind.test").await;
    let api = reqwest::Client::new();
    let r: serde_json::Value = api
        .get(app.url("/api/portal/customers?sort=-users"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["items"][0]["name"], "Contoso Ltd");
    let r = api.get(app.url("/api/portal/customers?sort=colour")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn long_customer_lists_are_paged() {
    let app = TestApp::spawn().await;
    let msp = app.msp().await;
    for i in 0..30 {
        let id = portico::model::CustomerId::new();
        let features = portico::model::Features::default().to_db();
        portico::db::customers::insert(
            app.db(),
            msp,
            id,
            &format!("Zeta {i:02}"),
            None,
            &features,
            portico::model::now(),
        )
        .await
        .unwrap();
    }
    let c = app.signed_in("tech@northwind.test").await;
    let html = c.get(app.url("/msp/customers?q=zeta")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Page 1 of 2") && html.contains("Zeta 00") && !html.contains("Zeta 29"));
    assert!(html.contains("page=2"), "a link to the next page");
    let html = c.get(app.url("/msp/customers?q=zeta&page=2")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Page 2 of 2") && html.contains("Zeta 29") && !html.contains("Zeta 00"));
}
