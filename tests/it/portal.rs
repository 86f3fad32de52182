//! The customer portal: login page branding, dashboard, portal-user management, invitations.

use reqwest::StatusCode;

use crate::helpers::{location, post_form, sign_in, TestApp, PASSWORD};

#[tokio::test]
async fn the_sign_in_page_carries_the_msp_brand() {
    let app = TestApp::spawn().await;
    let html = app.client().get(app.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("<title>Sign in to your portal · Northwind Client Portal</title>"));
    assert!(html.contains("Welcome to the Northwind IT client portal"));
    assert!(
        html.contains("+44 20 7946 0958")
            && html.contains("help@northwind.test")
            && html.contains("Mon–Fri 08:00–18:00")
    );
    assert!(html.contains("alt=\"Northwind IT\""), "logo shown");
    let css = app.client().get(app.url("/brand.css")).send().await.unwrap().text().await.unwrap();
    assert!(css.contains("--brand:#0f766e"));
    let other = app.client().get(app.other_url("/")).send().await.unwrap().text().await.unwrap();
    assert!(other.contains("Litware MSP Portal") && !other.contains("Northwind"), "each MSP shows its own brand");
}

#[tokio::test]
async fn navigation_shows_only_what_the_role_allows() {
    let app = TestApp::spawn().await;
    let admin = app
        .signed_in("admin@contoso.test")
        .await
        .get(app.url("/dashboard"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(admin.contains("href=\"/company/users\""));
    for email in ["standard@contoso.test", "limited@contoso.test"] {
        let c = app.signed_in(email).await;
        let html = c.get(app.url("/dashboard")).send().await.unwrap().text().await.unwrap();
        assert!(!html.contains("href=\"/company/users\""), "{email} sees no user management");
        assert_eq!(c.get(app.url("/company/users")).send().await.unwrap().status(), StatusCode::FORBIDDEN);
        let r = post_form(
            &c,
            &app.url("/account"),
            &app.url("/company/users"),
            &[("name", "X"), ("email", "x@contoso.test"), ("role", "admin")],
        )
        .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn staff_are_sent_to_the_console_and_customers_cannot_open_it() {
    let app = TestApp::spawn().await;
    let staff = app.signed_in("owner@northwind.test").await;
    assert_eq!(location(&staff.get(app.url("/dashboard")).send().await.unwrap()), "/msp/customers");
    let portal = app.signed_in("admin@contoso.test").await;
    for path in ["/msp/customers", "/msp/staff", "/msp/branding", "/msp/tokens", "/msp/customers/new"] {
        assert_eq!(portal.get(app.url(path)).send().await.unwrap().status(), StatusCode::NOT_FOUND, "{path}");
    }
}

/// The invitation URL shown once on the page.
fn invite_link(html: &str) -> String {
    let marker = "id=\"invite-link\" class=\"copy\" type=\"text\" readonly value=\"";
    let start = html.find(marker).expect("link shown") + marker.len();
    let url = &html[start..start + html[start..].find('"').unwrap()];
    url.replace("&#x2f;", "/")
}

#[tokio::test]
async fn an_admin_invites_a_colleague_who_sets_a_password_once() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("admin@contoso.test").await;
    let r = post_form(
        &admin,
        &app.url("/company/users"),
        &app.url("/company/users"),
        &[("name", "Nestor Wilke"), ("email", "Nestor@Contoso.test"), ("role", "standard")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("Invitation emailed to Nestor Wilke") && html.contains("nestor@contoso.test"));
    let link = invite_link(&html);
    assert!(link.starts_with(&app.url("/invite/")), "{link}");
    // The list now shows the invited user; the link is not shown again.
    let list = admin.get(app.url("/company/users")).send().await.unwrap().text().await.unwrap();
    assert!(list.contains("nestor@contoso.test") && list.contains("Invited") && !list.contains(&link));
    // The new user sets a password and is signed in.
    let nestor = app.client();
    let page = nestor.get(&link).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Welcome, Nestor Wilke"));
    let weak =
        nestor.post(&link).form(&[("new_password", "short"), ("confirm_password", "short")]).send().await.unwrap();
    assert_eq!(weak.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let pw = "nestors-own-secret";
    let r = nestor.post(&link).form(&[("new_password", pw), ("confirm_password", pw)]).send().await.unwrap();
    assert_eq!(location(&r), "/dashboard");
    assert!(nestor.get(app.url("/dashboard")).send().await.unwrap().text().await.unwrap().contains("Welcome, Nestor"));
    // The link works once.
    let again = app.client().get(&link).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::BAD_REQUEST);
    assert!(again.text().await.unwrap().contains("expired or has already been used"));
    let r = sign_in(&app.client(), &app.url("/login"), "nestor@contoso.test", pw).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn an_invitation_expires() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("admin@contoso.test").await;
    let r = post_form(
        &admin,
        &app.url("/company/users"),
        &app.url("/company/users"),
        &[("name", "Late Comer"), ("email", "late@contoso.test"), ("role", "limited")],
    )
    .await;
    let link = invite_link(&r.text().await.unwrap());
    let id = app.user_id("late@contoso.test").await;
    app.exec("UPDATE invitations SET expires_at = created_at WHERE user_id = $1", id).await;
    assert_eq!(app.client().get(&link).send().await.unwrap().status(), StatusCode::BAD_REQUEST);
    // An invited user without a password cannot sign in.
    let r = sign_in(&app.client(), &app.url("/login"), "late@contoso.test", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn bad_invitations_are_refused_and_nothing_is_created() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("admin@contoso.test").await;
    let long = "x".repeat(121);
    let cases = [
        (("", "a@contoso.test", "standard"), "This field is required"),
        ((long.as_str(), "a@contoso.test", "standard"), "At most 120 characters"),
        (("Ann", "not-an-email", "standard"), "valid email address"),
        (("Ann", "a@contoso.test", "superuser"), "Choose admin, standard or limited"),
        (("Ann", "standard@contoso.test", "standard"), "already exists"),
    ];
    for ((name, email, role), message) in cases {
        let r = post_form(
            &admin,
            &app.url("/company/users"),
            &app.url("/company/users"),
            &[("name", name), ("email", email), ("role", role)],
        )
        .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{message}");
        let html = r.text().await.unwrap();
        assert!(html.contains(message), "expected {message:?}");
        assert!(html.contains(&format!("value=\"{email}\"")), "input kept");
    }
    let list = admin.get(app.url("/company/users")).send().await.unwrap().text().await.unwrap();
    assert!(!list.contains("a@contoso.test"));
}

#[tokio::test]
async fn an_admin_changes_roles_and_deactivates_but_cannot_lock_themselves_out() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("admin@contoso.test").await;
    let limited = app.signed_in("limited@contoso.test").await;
    let lee = app.user_id("limited@contoso.test").await;
    let me = app.user_id("admin@contoso.test").await;
    let users = app.url("/company/users");
    let r = post_form(&admin, &users, &app.url(&format!("/company/users/{lee}/role")), &[("role", "standard")]).await;
    assert_eq!(location(&r), "/company/users?notice=role-changed");
    let html = admin.get(app.url("/company/users?notice=role-changed")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("The role was changed"));
    let r = post_form(&admin, &users, &app.url(&format!("/company/users/{lee}/active")), &[("active", "false")]).await;
    assert_eq!(location(&r), "/company/users?notice=deactivated");
    assert_eq!(
        limited.get(app.url("/dashboard")).send().await.unwrap().status(),
        StatusCode::SEE_OTHER,
        "deactivated user signed out"
    );
    let r = sign_in(&app.client(), &app.url("/login"), "limited@contoso.test", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "and cannot sign in");
    let r = post_form(&admin, &users, &app.url(&format!("/company/users/{lee}/active")), &[("active", "true")]).await;
    assert_eq!(location(&r), "/company/users?notice=reactivated");
    // Own account: no demotion, no deactivation.
    let r = post_form(&admin, &users, &app.url(&format!("/company/users/{me}/role")), &[("role", "limited")]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("can&#x27;t remove your own admin access"));
    let r = post_form(&admin, &users, &app.url(&format!("/company/users/{me}/active")), &[("active", "false")]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(admin.get(app.url("/dashboard")).send().await.unwrap().status().is_success(), "still signed in as admin");
}

#[tokio::test]
async fn a_password_reset_link_replaces_the_password() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("admin@contoso.test").await;
    let megan = app.signed_in("standard@contoso.test").await;
    let id = app.user_id("standard@contoso.test").await;
    let r = post_form(&admin, &app.url("/company/users"), &app.url(&format!("/company/users/{id}/link")), &[]).await;
    let html = r.text().await.unwrap();
    assert!(html.contains("New password link emailed to Megan Bowen"));
    let link = invite_link(&html);
    let pw = "megans-new-secret";
    let r = app.client().post(&link).form(&[("new_password", pw), ("confirm_password", pw)]).send().await.unwrap();
    assert_eq!(location(&r), "/dashboard");
    assert_eq!(
        megan.get(app.url("/dashboard")).send().await.unwrap().status(),
        StatusCode::SEE_OTHER,
        "old sessions ended"
    );
}

#[tokio::test]
async fn a_customer_with_portal_access_off_cannot_sign_in() {
    let app = TestApp::spawn().await;
    let portal = app.signed_in("admin@fabrikam.test").await;
    let id = app.customer_id("Fabrikam Inc").await;
    app.exec("UPDATE customers SET active = FALSE WHERE id = $1", id).await;
    assert_eq!(portal.get(app.url("/dashboard")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
    let r = sign_in(&app.client(), &app.url("/login"), "admin@fabrikam.test", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("switched off"));
}

#[tokio::test]
async fn unknown_pages_get_a_branded_404() {
    let app = TestApp::spawn().await;
    let r = app.client().get(app.url("/no/such/page")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let html = r.text().await.unwrap();
    assert!(html.contains("<h1>Page not found</h1>") && html.contains("Northwind Client Portal"));
    let r = app.client().put(app.url("/login")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert!(r.headers().get("allow").is_some());
}

/// Every MSP's links open on that MSP's own host: the invitation shown on screen is the one
/// mailed, whatever `PORTICO_BASE_URL` says, and it works there.
#[tokio::test]
async fn an_invitation_link_opens_on_its_own_msps_host() {
    let app = TestApp::spawn_with(|s| s.base_url = Some("http://portal.northwind.test".into())).await;
    let admin = app.other_signed_in(crate::helpers::OTHER_PORTAL).await;
    let page = app.other_url("/company/users");
    let r = post_form(
        &admin,
        &page,
        &page,
        &[("name", "Wanda Wood"), ("email", "wanda@woodgrove.test"), ("role", "standard")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let shown = invite_link(&r.text().await.unwrap());
    let path =
        shown.strip_prefix(&format!("http://{}", crate::helpers::OTHER_HOST)).unwrap_or_else(|| panic!("{shown}"));
    assert!(path.starts_with("/invite/"), "{shown}");
    // It opens the welcome page on Litware's host.
    let html = app.client().get(app.other_url(path)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Welcome, Wanda Wood"), "{html}");
}

/// Nothing offers a feature Portico does not have yet: no toggle, no notification choice, no
/// area in the dashboard's JSON, and the API refuses to switch one on.
#[tokio::test]
async fn features_not_built_yet_are_offered_nowhere() {
    let app = TestApp::spawn().await;
    let contoso = app.customer_id("Contoso Ltd").await;
    let unbuilt = ["billing", "projects", "appointments", "reports", "service_requests"];
    let staff = app.token("owner@northwind.test").await;
    let dash: serde_json::Value = app
        .client()
        .get(app.url(&format!("/api/portal/customers/{contoso}/dashboard")))
        .bearer_auth(app.token("admin@contoso.test").await)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let areas: Vec<&str> = dash["features"].as_array().unwrap().iter().filter_map(|v| v.as_str()).collect();
    assert!(areas.contains(&"tickets") && areas.contains(&"licenses"), "{areas:?}");
    assert!(unbuilt.iter().all(|u| !areas.contains(u)), "{areas:?}");
    let customer: serde_json::Value = app
        .client()
        .get(app.url(&format!("/api/portal/customers/{contoso}")))
        .bearer_auth(&staff)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(unbuilt.iter().all(|u| customer["features"].get(u).is_none()), "{customer}");
    let r = app
        .client()
        .patch(app.url(&format!("/api/portal/customers/{contoso}")))
        .bearer_auth(&staff)
        .json(&serde_json::json!({"features": {"billing": true}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let admin = app.signed_in("admin@contoso.test").await;
    let prefs = admin.get(app.url("/account/notifications")).send().await.unwrap().text().await.unwrap();
    assert!(prefs.contains("Ticket updates"), "{prefs}");
    assert!(!prefs.contains("Monthly digest") && !prefs.contains("Appointment updates"));
    let users = admin.get(app.url("/company/users")).send().await.unwrap().text().await.unwrap();
    assert!(!users.contains("requests"), "the role hint promises no requests");
}
