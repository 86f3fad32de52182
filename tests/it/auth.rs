//! Sign-in, sessions, limits, CSRF and passwords.

use reqwest::StatusCode;

use crate::helpers::{csrf_of, location, post_form, sign_in, TestApp, PASSWORD};

#[tokio::test]
async fn portal_sign_in_lands_on_the_dashboard_with_a_safe_cookie() {
    let app = TestApp::spawn().await;
    let c = app.client();
    let r = sign_in(&c, &app.url("/login"), "Admin@Contoso.test", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/dashboard");
    let cookie = r.headers().get("set-cookie").unwrap().to_str().unwrap().to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && !cookie.contains("Secure"), "{cookie}");
    let html = c.get(app.url("/dashboard")).send().await.unwrap().text().await.unwrap();
    assert!(
        html.contains("Contoso Ltd") && html.contains("Welcome, Alex"),
        "dashboard shows the company and user: {html}"
    );
}

#[tokio::test]
async fn cookies_are_secure_when_served_over_https() {
    let app = TestApp::spawn_with(|s| s.base_url = Some("https://portal.example.com".into())).await;
    let r = sign_in(&app.client(), &app.url("/login"), "admin@contoso.test", PASSWORD).await;
    assert!(r.headers().get("set-cookie").unwrap().to_str().unwrap().contains("; Secure"));
    assert!(r.headers().get("strict-transport-security").is_some());
}

#[tokio::test]
async fn wrong_password_and_unknown_account_get_the_same_answer() {
    let app = TestApp::spawn().await;
    let c = app.client();
    let wrong = sign_in(&c, &app.url("/login"), "admin@contoso.test", "nope-nope-nope").await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let wrong = wrong.text().await.unwrap();
    assert!(wrong.contains("don&#x27;t match an account") || wrong.contains("don't match an account"));
    assert!(wrong.contains("value=\"admin@contoso.test\""), "the email is kept");
    let unknown = sign_in(&c, &app.url("/login"), "ghost@contoso.test", "nope-nope-nope").await;
    assert_eq!(unknown.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unknown.text().await.unwrap().contains("match an account"));
    let empty = sign_in(&c, &app.url("/login"), "", "").await;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn staff_and_customers_each_use_their_own_door() {
    let app = TestApp::spawn().await;
    let c = app.client();
    let r = sign_in(&c, &app.url("/login"), "owner@northwind.test", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("staff console"));
    let r = sign_in(&c, &app.url("/msp/login"), "admin@contoso.test", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = sign_in(&c, &app.url("/msp/login"), "owner@northwind.test", PASSWORD).await;
    assert_eq!(location(&r), "/msp/customers");
}

#[tokio::test]
async fn accounts_of_one_msp_cannot_sign_in_on_another() {
    let app = TestApp::spawn().await;
    let c = app.client();
    let r = sign_in(&c, &app.other_url("/login"), "admin@contoso.test", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // A session made on one MSP's host is worthless on the other's.
    let c = app.signed_in("admin@contoso.test").await;
    let cookie = {
        let r = sign_in(&app.client(), &app.url("/login"), "admin@contoso.test", PASSWORD).await;
        r.headers().get("set-cookie").unwrap().to_str().unwrap().split(';').next().unwrap().to_string()
    };
    let r = app.client().get(app.other_url("/dashboard")).header("cookie", cookie).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "redirected to sign in");
    assert!(location(&r).starts_with("/?next="));
    assert_eq!(c.get(app.url("/dashboard")).send().await.unwrap().status(), StatusCode::OK);
}

#[tokio::test]
async fn repeated_failures_lock_the_account_for_a_while() {
    let app = TestApp::spawn_with(|s| s.login_attempts = 3).await;
    let c = app.client();
    for _ in 0..3 {
        let r = sign_in(&c, &app.url("/login"), "standard@contoso.test", "wrong-password").await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    // Even the right password is refused now, with a clear wait.
    let r = sign_in(&c, &app.url("/login"), "standard@contoso.test", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = r.headers().get("retry-after").unwrap().to_str().unwrap().parse().unwrap();
    assert!(wait > 0 && wait <= 15 * 60);
    assert!(r.text().await.unwrap().contains("Too many attempts"));
    // Another account is not affected.
    let r = sign_in(&c, &app.url("/login"), "admin@contoso.test", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn one_address_hammering_many_accounts_is_limited() {
    let app = TestApp::spawn_with(|s| s.login_attempts = 2).await;
    let c = app.client();
    let mut limited = false;
    for i in 0..9 {
        let email = format!("nobody{i}@contoso.test");
        let r = c
            .post(app.url("/login"))
            .form(&[("email", email.as_str()), ("password", "wrong-password")])
            .send()
            .await
            .unwrap();
        if r.status() == StatusCode::TOO_MANY_REQUESTS {
            assert!(r.headers().get("retry-after").is_some());
            limited = true;
            break;
        }
    }
    assert!(limited, "8 attempts per IP are allowed with login_attempts = 2, the 9th is refused");
}

#[tokio::test]
async fn state_changes_need_the_form_token_and_a_same_site_origin() {
    let app = TestApp::spawn().await;
    let c = app.signed_in("admin@contoso.test").await;
    let r = c
        .post(app.url("/company/users"))
        .form(&[("name", "Eve"), ("email", "eve@contoso.test"), ("role", "admin")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST, "no token");
    assert!(r.text().await.unwrap().contains("This form has expired"));
    let r = c
        .post(app.url("/company/users"))
        .form(&[("name", "Eve"), ("email", "eve@contoso.test"), ("role", "admin"), ("_csrf", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST, "wrong token");
    let html = c.get(app.url("/company/users")).send().await.unwrap().text().await.unwrap();
    let token = csrf_of(&html);
    let r = c
        .post(app.url("/company/users"))
        .header("sec-fetch-site", "cross-site")
        .form(&[("name", "Eve"), ("email", "eve@contoso.test"), ("role", "admin"), ("_csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "cross-site");
    let r = c
        .post(app.url("/company/users"))
        .header("origin", "https://evil.example")
        .form(&[("name", "Eve"), ("email", "eve@contoso.test"), ("role", "admin"), ("_csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "foreign origin");
    // Nothing was created by any of the refused requests.
    let html = c.get(app.url("/company/users")).send().await.unwrap().text().await.unwrap();
    assert!(!html.contains("eve@contoso.test"));
    // Sign-in from another site is refused too.
    let r = app
        .client()
        .post(app.url("/login"))
        .header("sec-fetch-site", "cross-site")
        .form(&[("email", "admin@contoso.test"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn sign_in_rotates_the_session_and_sign_out_ends_it() {
    let app = TestApp::spawn().await;
    let c = app.client();
    let first = sign_in(&c, &app.url("/login"), "admin@contoso.test", PASSWORD).await;
    let first_cookie =
        first.headers().get("set-cookie").unwrap().to_str().unwrap().split(';').next().unwrap().to_string();
    let html = c.get(app.url("/dashboard")).send().await.unwrap().text().await.unwrap();
    let token = csrf_of(&html);
    let again = c
        .post(app.url("/login"))
        .form(&[("email", "admin@contoso.test"), ("password", PASSWORD), ("_csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    let second_cookie =
        again.headers().get("set-cookie").unwrap().to_str().unwrap().split(';').next().unwrap().to_string();
    assert_ne!(first_cookie, second_cookie, "a new session id at every sign-in");
    let stale = app.client().get(app.url("/dashboard")).header("cookie", &first_cookie).send().await.unwrap();
    assert_eq!(stale.status(), StatusCode::SEE_OTHER, "the old session ended");
    let html = c.get(app.url("/dashboard")).send().await.unwrap().text().await.unwrap();
    let r = c.post(app.url("/logout")).form(&[("_csrf", csrf_of(&html))]).send().await.unwrap();
    assert_eq!(location(&r), "/?notice=signed-out");
    let after = app.client().get(app.url("/dashboard")).header("cookie", &second_cookie).send().await.unwrap();
    assert_eq!(after.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn an_expired_session_sends_the_user_to_sign_in() {
    let app = TestApp::spawn().await;
    let c = app.signed_in("admin@contoso.test").await;
    let id = app.user_id("admin@contoso.test").await;
    app.exec("UPDATE sessions SET expires_at = created_at WHERE user_id = $1", id).await;
    let r = c.get(app.url("/company/users")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/?next=%2Fcompany%2Fusers");
    // After signing in again the user goes where they were going.
    let r = c
        .post(app.url("/login"))
        .form(&[("email", "admin@contoso.test"), ("password", PASSWORD), ("next", "/company/users")])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&r), "/company/users");
    // A next that leaves the site is ignored.
    let r = app
        .client()
        .post(app.url("/login"))
        .form(&[("email", "admin@contoso.test"), ("password", PASSWORD), ("next", "//evil.example/")])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&r), "/dashboard");
}

#[tokio::test]
async fn changing_the_password_ends_other_sessions() {
    let app = TestApp::spawn().await;
    let laptop = app.signed_in("standard@contoso.test").await;
    let phone = app.signed_in("standard@contoso.test").await;
    let new = "a-much-better-secret";
    let r = post_form(
        &laptop,
        &app.url("/account"),
        &app.url("/account/password"),
        &[("current_password", PASSWORD), ("new_password", new), ("confirm_password", new)],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/account?notice=password-changed");
    assert!(laptop
        .get(app.url("/account?notice=password-changed"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
        .contains("Your password was changed"));
    assert_eq!(
        phone.get(app.url("/dashboard")).send().await.unwrap().status(),
        StatusCode::SEE_OTHER,
        "other device signed out"
    );
    let r = sign_in(&app.client(), &app.url("/login"), "standard@contoso.test", new).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = sign_in(&app.client(), &app.url("/login"), "standard@contoso.test", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "old password no longer works");
}

#[tokio::test]
async fn weak_or_mistyped_new_passwords_are_refused() {
    let app = TestApp::spawn().await;
    let c = app.signed_in("standard@contoso.test").await;
    let cases = [
        ("wrong-current", "a-much-better-secret", "a-much-better-secret", "current password"),
        (PASSWORD, "short", "short", "at least 10"),
        (PASSWORD, "password123", "password123", "too easy to guess"),
        (PASSWORD, "a-much-better-secret", "a-much-better-secreT", "don&#x27;t match"),
    ];
    for (current, new, confirm, message) in cases {
        let r = post_form(
            &c,
            &app.url("/account"),
            &app.url("/account/password"),
            &[("current_password", current), ("new_password", new), ("confirm_password", confirm)],
        )
        .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.unwrap();
        assert!(html.contains(message), "expected {message:?}");
    }
    let r = sign_in(&app.client(), &app.url("/login"), "standard@contoso.test", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "password unchanged");
}

/// Someone who types `/login` or follows an old bookmark to it gets the sign-in form, with
/// where they were going kept, not a 405.
#[tokio::test]
async fn the_sign_in_addresses_show_the_form_when_opened() {
    let app = TestApp::spawn().await;
    for (path, action, next) in [("/login", "/login", "/tickets"), ("/msp/login", "/msp/login", "/msp/tickets")] {
        let r = app.client().get(app.url(&format!("{path}?next={next}"))).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "GET {path}");
        let html = r.text().await.unwrap().replace("&#x2f;", "/");
        assert!(html.contains(&format!("action=\"{action}\"")), "{path}: {html}");
        assert!(html.contains(&format!("name=\"next\" value=\"{next}\"")), "{path} keeps next");
        // Signing in from that form goes where the person was heading.
        let c = app.client();
        let email = if path == "/login" { "admin@contoso.test" } else { "owner@northwind.test" };
        let r = c
            .post(app.url(action))
            .form(&[("email", email), ("password", crate::helpers::PASSWORD), ("next", next)])
            .send()
            .await
            .unwrap();
        assert_eq!(crate::helpers::location(&r), next);
    }
}
