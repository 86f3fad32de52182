//! Two-factor sign-in with authenticator-app codes.

use portico::auth::totp;
use reqwest::StatusCode;

use crate::helpers::{location, post_form, sign_in, TestApp, PASSWORD};

fn secret_in(html: &str) -> String {
    let marker = "<code class=\"secret\">";
    let start = html.find(marker).expect("secret shown") + marker.len();
    html[start..start + html[start..].find('<').unwrap()].to_string()
}

fn code(secret: &str, offset_steps: i64) -> String {
    let step = totp::step_of(time::OffsetDateTime::now_utc().unix_timestamp()) + offset_steps;
    totp::code_at(secret, step).unwrap()
}

/// Turns two-factor on for the signed-in client and returns the secret.
async fn turn_on(app: &TestApp, c: &reqwest::Client) -> String {
    let r = post_form(c, &app.url("/account"), &app.url("/account/2fa/setup"), &[]).await;
    let html = r.text().await.unwrap();
    assert!(html.contains("data:image&#x2f;svg+xml;base64,"), "a QR code is shown");
    let secret = secret_in(&html);
    let r = post_form(c, &app.url("/account"), &app.url("/account/2fa/enable"), &[("code", "000000")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "a wrong code does not turn it on");
    assert!(r.text().await.unwrap().contains(&secret), "the same key is shown again");
    let r = post_form(c, &app.url("/account"), &app.url("/account/2fa/enable"), &[("code", &code(&secret, 0))]).await;
    assert_eq!(location(&r), "/account?notice=2fa-on");
    secret
}

#[tokio::test]
async fn with_two_factor_on_a_password_alone_does_not_sign_in() {
    let app = TestApp::spawn().await;
    let c = app.signed_in("standard@contoso.test").await;
    let secret = turn_on(&app, &c).await;
    let fresh = app.client();
    let r = sign_in(&fresh, &app.url("/login"), "standard@contoso.test", PASSWORD).await;
    assert_eq!(location(&r), "/login/2fa?next=%2Fdashboard");
    assert_eq!(
        fresh.get(app.url("/dashboard")).send().await.unwrap().status(),
        StatusCode::SEE_OTHER,
        "not signed in yet"
    );
    let page = fresh.get(app.url("/login/2fa?next=%2Fdashboard")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Enter your code"));
    let r = fresh.post(app.url("/login/2fa")).form(&[("code", "123456"), ("next", "/dashboard")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let good = code(&secret, 1);
    let r = fresh
        .post(app.url("/login/2fa"))
        .form(&[("code", good.as_str()), ("next", "/dashboard")])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&r), "/dashboard");
    assert_eq!(fresh.get(app.url("/dashboard")).send().await.unwrap().status(), StatusCode::OK);
    // The same code cannot be used again.
    let again = app.client();
    sign_in(&again, &app.url("/login"), "standard@contoso.test", PASSWORD).await;
    let r = again
        .post(app.url("/login/2fa"))
        .form(&[("code", good.as_str()), ("next", "/dashboard")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "replayed code refused");
    // Without a pending sign-in the code form leads nowhere.
    let r = app.client().post(app.url("/login/2fa")).form(&[("code", good.as_str())]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn guessing_codes_meets_the_sign_in_limit() {
    let app = TestApp::spawn_with(|s| s.login_attempts = 3).await;
    let c = app.signed_in("owner@northwind.test").await;
    let secret = turn_on(&app, &c).await;
    let fresh = app.client();
    let r = sign_in(&fresh, &app.url("/msp/login"), "owner@northwind.test", PASSWORD).await;
    assert!(location(&r).starts_with("/login/2fa"));
    for _ in 0..3 {
        let r = fresh.post(app.url("/login/2fa")).form(&[("code", "111111")]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let r = fresh.post(app.url("/login/2fa")).form(&[("code", code(&secret, 0).as_str())]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS, "even the right code waits now");
    assert!(r.headers().get("retry-after").is_some());
}

#[tokio::test]
async fn turning_it_off_needs_password_and_code() {
    let app = TestApp::spawn().await;
    let c = app.signed_in("admin@fabrikam.test").await;
    let secret = turn_on(&app, &c).await;
    let r = post_form(
        &c,
        &app.url("/account"),
        &app.url("/account/2fa/disable"),
        &[("current_password", "wrong"), ("code", &code(&secret, 0))],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = post_form(
        &c,
        &app.url("/account"),
        &app.url("/account/2fa/disable"),
        &[("current_password", PASSWORD), ("code", "000000")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = post_form(
        &c,
        &app.url("/account"),
        &app.url("/account/2fa/disable"),
        &[("current_password", PASSWORD), ("code", &code(&secret, 1))],
    )
    .await;
    assert_eq!(location(&r), "/account?notice=2fa-off");
    let r = sign_in(&app.client(), &app.url("/login"), "admin@fabrikam.test", PASSWORD).await;
    assert_eq!(location(&r), "/dashboard", "a password is enough again");
}

#[tokio::test]
async fn an_admin_or_staff_can_reset_a_lost_authenticator() {
    let app = TestApp::spawn().await;
    let megan = app.signed_in("standard@contoso.test").await;
    turn_on(&app, &megan).await;
    let id = app.user_id("standard@contoso.test").await;
    let admin = app.signed_in("admin@contoso.test").await;
    let list = admin.get(app.url("/company/users")).send().await.unwrap().text().await.unwrap();
    assert!(list.contains(&format!("{id}/2fa-reset")), "the reset is offered where 2FA is on");
    let r =
        post_form(&admin, &app.url("/company/users"), &app.url(&format!("/company/users/{id}/2fa-reset")), &[]).await;
    assert_eq!(location(&r), "/company/users?notice=2fa-reset");
    let r = sign_in(&app.client(), &app.url("/login"), "standard@contoso.test", PASSWORD).await;
    assert_eq!(location(&r), "/dashboard", "signs in with the password alone again");
    // Staff can do the same from the console; a standard user cannot.
    turn_on(&app, &megan).await;
    let r = post_form(&megan, &app.url("/account"), &app.url(&format!("/company/users/{id}/2fa-reset")), &[]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let contoso = app.customer_id("Contoso Ltd").await;
    let tech = app.signed_in("tech@northwind.test").await;
    let page = app.url(&format!("/msp/customers/{contoso}"));
    let r = post_form(&tech, &page, &app.url(&format!("/msp/customers/{contoso}/users/{id}/2fa-reset")), &[]).await;
    assert_eq!(location(&r), format!("/msp/customers/{contoso}?notice=2fa-reset"));
}

#[tokio::test]
async fn people_change_their_own_name() {
    let app = TestApp::spawn().await;
    let c = app.signed_in("limited@contoso.test").await;
    let r = post_form(&c, &app.url("/account"), &app.url("/account/profile"), &[("name", "  ")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = post_form(&c, &app.url("/account"), &app.url("/account/profile"), &[("name", "Lee Gu-Park")]).await;
    assert_eq!(location(&r), "/account?notice=profile-saved");
    let html = c.get(app.url("/dashboard")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Lee Gu-Park"), "the new name shows at once");
}

/// The stored (secret, secret being set up) of an account.
async fn stored_secrets(app: &TestApp, email: &str) -> (Option<String>, Option<String>) {
    let msp = app.msp().await;
    let user = portico::db::users::find_by_email(app.db(), msp, email).await.unwrap().unwrap();
    let (secret, pending, _) = portico::db::users::totp(app.db(), msp, user.id).await.unwrap();
    (secret, pending)
}

async fn second_step(app: &TestApp, email: &str, code: &str) -> reqwest::Response {
    let c = app.client();
    sign_in(&c, &app.url("/login"), email, PASSWORD).await;
    c.post(app.url("/login/2fa")).form(&[("code", code), ("next", "/dashboard")]).send().await.unwrap()
}

#[tokio::test]
async fn with_a_secret_key_the_authenticator_secret_is_stored_sealed() {
    let key = "a-test-secret-key-that-is-long-enough-for-portico";
    let app =
        TestApp::spawn_with(|s| s.secret_key = Some(portico::auth::seal::SealKey::from_setting(key).unwrap())).await;
    let email = "standard@contoso.test";
    let c = app.signed_in(email).await;
    let secret = turn_on(&app, &c).await;
    let (stored, pending) = stored_secrets(&app, email).await;
    let stored = stored.expect("on");
    assert!(pending.is_none());
    assert!(stored.starts_with("v1:") && !stored.contains(&secret), "sealed: {stored}");
    // Signing in opens it (with the next code: the one that turned it on is used up).
    assert_eq!(location(&second_step(&app, email, &code(&secret, 1)).await), "/dashboard");

    // A secret stored before the installation had a key still works.
    let plain = portico::auth::totp::new_secret();
    let msp = app.msp().await;
    let admin = portico::db::users::find_by_email(app.db(), msp, "admin@contoso.test").await.unwrap().unwrap();
    portico::db::users::set_totp(app.db(), msp, admin.id, Some(&plain), None).await.unwrap();
    let r = second_step(&app, "admin@contoso.test", &code(&plain, 0)).await;
    assert_eq!(location(&r), "/dashboard");
}
