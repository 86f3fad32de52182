//! The Microsoft 365 sync against the fake Graph: what it stores, an area that fails while
//! the others sync, nothing lost on failure, delta rounds and the change log, "Sync now"
//! through the job runner, and the console's connection pages.

use std::time::Duration;

use portico::config::Settings;
use portico::db::{m365_sync as store, CustomerScope};
use portico::services::m365::sync as m365_sync;
use reqwest::StatusCode;

use crate::fake_graph::{user_id, FakeGraph, Fault, TenantSpec, CLIENT_ID, SECRET, TENANT};
use crate::helpers::{location, post_form, TestApp};

const KEY: &str = "a-test-secret-key-that-is-long-enough-for-portico";

/// An app pointed at the fake Graph, with the MSP's app registered through the console and
/// a customer whose tenant is the fake one.
async fn connected(spec: TenantSpec) -> (TestApp, FakeGraph, CustomerScope) {
    connected_with(spec, |_| {}).await
}

async fn connected_with(
    spec: TenantSpec,
    configure: impl FnOnce(&mut Settings),
) -> (TestApp, FakeGraph, CustomerScope) {
    let (app, fake, scope) = unregistered_with(spec, configure).await;
    let owner = app.signed_in("owner@northwind.test").await;
    let page = app.url("/msp/settings/m365");
    let r = post_form(&owner, &page, &page, &[("client_id", CLIENT_ID), ("client_secret", SECRET)]).await;
    assert_eq!(location(&r), "/msp/settings/m365?notice=saved");
    (app, fake, scope)
}

/// The same before the app registration is saved.
pub async fn unregistered(spec: TenantSpec) -> (TestApp, FakeGraph, CustomerScope) {
    unregistered_with(spec, |_| {}).await
}

async fn unregistered_with(
    spec: TenantSpec,
    configure: impl FnOnce(&mut Settings),
) -> (TestApp, FakeGraph, CustomerScope) {
    let fake = FakeGraph::start_with(spec).await;
    let (graph, login) = (fake.url.clone(), fake.url.clone());
    let app = TestApp::spawn_with(move |s| {
        s.graph_url = graph;
        s.login_url = login;
        s.secret_key = Some(portico::auth::seal::SealKey::from_setting(KEY).unwrap());
        configure(s);
    })
    .await;
    let msp = app.msp().await;
    let id = portico::model::CustomerId::new();
    portico::db::customers::insert(
        app.db(),
        msp,
        id,
        "Tailspin Toys",
        Some(TENANT),
        "user_directory,licenses,security,service_health,tickets",
        portico::model::now(),
    )
    .await
    .unwrap();
    let scope = app.scope(id).await;
    (app, fake, scope)
}

pub async fn sync(app: &TestApp, scope: CustomerScope) -> m365_sync::Report {
    let graph = app.state.graph.as_ref().expect("graph client");
    m365_sync::sync_customer(
        app.db(),
        graph,
        app.state.settings.secret_key.as_ref(),
        scope,
        time::Duration::minutes(30),
        &app.state.public_url,
    )
    .await
    .unwrap()
}

async fn count(app: &TestApp, table: &str, scope: CustomerScope) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM {table} WHERE customer_id = $1");
    portico::on_db!(app.db(), p => sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(scope.customer_id()).fetch_one(p).await).unwrap()
}

#[tokio::test]
async fn a_sync_stores_every_area_and_a_failing_area_keeps_its_data() {
    let (app, fake, scope) = connected(TenantSpec { users: 1200, ..Default::default() }).await;
    let report = sync(&app, scope).await;
    assert!(report.ok(), "{:?}", report.areas);
    assert_eq!(count(&app, "m365_users", scope).await, 1200, "every page of users");
    assert_eq!(count(&app, "m365_skus", scope).await, 5);
    assert_eq!(count(&app, "m365_alerts", scope).await, 5);
    assert_eq!(count(&app, "m365_groups", scope).await, 4);
    assert!(count(&app, "m365_controls", scope).await > 0 && count(&app, "m365_scores", scope).await > 0);
    assert!(count(&app, "m365_services", scope).await > 0);
    assert!(count(&app, "m365_sku_history", scope).await >= 5, "today's figures for the trend");
    assert!(report.changes.is_empty(), "a first read is not a list of changes");

    // Alerts are refused now: recorded as failing, the alerts stored stay, the rest syncs.
    fake.deny("/v1.0/security/alerts_v2");
    fake.rename_user(7, "Renamed Person");
    let report = sync(&app, scope).await;
    let alerts = report.areas.iter().find(|(a, _)| a.key() == "alerts").unwrap();
    let why = alerts.1.as_ref().unwrap_err();
    assert!(why.contains("SecurityAlert.Read.All"), "names the missing permission: {why}");
    assert!(report.areas.iter().filter(|(a, _)| a.key() != "alerts").all(|(_, r)| r.is_ok()), "{:?}", report.areas);
    assert_eq!(count(&app, "m365_alerts", scope).await, 5, "a failed area keeps what it had");
    let areas = store::areas(app.db(), scope).await.unwrap();
    let row = areas.iter().find(|a| a.area == "alerts").unwrap();
    assert!(row.last_error.is_some() && row.last_success_at.is_some());

    // The console shows it per area.
    let owner = app.signed_in("owner@northwind.test").await;
    let page = owner
        .get(app.url(&format!("/msp/customers/{}/m365/sync", scope.customer_id())))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Failing") && page.contains("SecurityAlert.Read.All"), "{page}");
    let list = owner.get(app.url("/msp/settings/m365")).send().await.unwrap().text().await.unwrap();
    assert!(list.contains("Tailspin Toys") && list.contains("adminconsent?client_id=") && list.contains("1 failing"));
}

#[tokio::test]
async fn users_follow_delta_rounds_into_the_change_log() {
    let (app, fake, scope) = connected(TenantSpec { users: 40, ..Default::default() }).await;
    assert!(sync(&app, scope).await.ok());
    fake.remove_user(3, true);
    fake.add_users(2);
    let report = sync(&app, scope).await;
    assert!(report.ok(), "{:?}", report.areas);
    assert!(
        report.areas.iter().any(|(a, r)| a.key() == "users" && r.as_ref().is_ok_and(|s| s.contains("delta"))),
        "{:?}",
        report.areas
    );
    assert_eq!(count(&app, "m365_users", scope).await, 41);
    assert!(report.changes.iter().any(|c| c.starts_with("user_deleted")), "{:?}", report.changes);
    assert_eq!(report.changes.iter().filter(|c| c.starts_with("user_added")).count(), 2, "{:?}", report.changes);
    assert!(fake.requests("/v1.0/users/delta").iter().any(|r| r.contains("deltatoken") || r.contains("skiptoken")));
}

#[tokio::test]
async fn a_delta_round_with_only_the_changed_properties_keeps_the_rest() {
    let (app, fake, scope) = connected(TenantSpec { users: 12, ..Default::default() }).await;
    assert!(sync(&app, scope).await.ok());
    let before = store::stored_users(app.db(), scope, &[user_id(4), user_id(6)]).await.unwrap();
    // Graph sends {id, displayName} for a rename and {id, accountEnabled} for a disabled account.
    fake.rename_user(4, "Renée Fourier");
    fake.set_enabled(6, false);
    let report = sync(&app, scope).await;
    assert!(report.ok(), "{:?}", report.areas);
    let after = store::stored_users(app.db(), scope, &[user_id(4), user_id(6)]).await.unwrap();
    let (was4, now4) =
        (before.iter().find(|u| u.id == user_id(4)).unwrap(), after.iter().find(|u| u.id == user_id(4)).unwrap());
    assert_eq!(now4.display_name, "Renée Fourier");
    assert_eq!(
        (&now4.upn, &now4.department, &now4.licenses, now4.enabled),
        (&was4.upn, &was4.department, &was4.licenses, was4.enabled)
    );
    assert!(now4.department.is_some() && !now4.upn.is_empty());
    let (was6, now6) =
        (before.iter().find(|u| u.id == user_id(6)).unwrap(), after.iter().find(|u| u.id == user_id(6)).unwrap());
    assert!(was6.enabled && !now6.enabled);
    assert_eq!(
        (&now6.display_name, &now6.licenses, &now6.job_title),
        (&was6.display_name, &was6.licenses, &was6.job_title)
    );
    assert!(report.changes.iter().any(|c| c == "user_disabled: User 6"), "{:?}", report.changes);
    assert!(!report.changes.iter().any(|c| c.starts_with("license_removed")), "{:?}", report.changes);
}

#[tokio::test]
async fn a_failed_sync_loses_nothing() {
    let (app, fake, scope) = connected(TenantSpec { users: 50, ..Default::default() }).await;
    assert!(sync(&app, scope).await.ok());
    // Every later request is refused: no area may blank what it stored. (Retries of 5xx
    // answers are the Graph client's tests.)
    for prefix in
        ["/v1.0/users", "/v1.0/subscribedSkus", "/v1.0/security", "/v1.0/admin", "/v1.0/groups", "/v1.0/directory"]
    {
        fake.deny(prefix);
    }
    app.exec(
        "UPDATE m365_sync SET last_success_at = NULL WHERE area = 'users_full' AND customer_id = $1",
        scope.customer_id(),
    )
    .await;
    let report = sync(&app, scope).await;
    assert!(!report.ok());
    assert_eq!(count(&app, "m365_users", scope).await, 50);
    assert_eq!(count(&app, "m365_skus", scope).await, 5);
    assert_eq!(count(&app, "m365_groups", scope).await, 4);
}

#[tokio::test]
async fn sync_now_runs_through_the_job_runner() {
    let (app, _fake, scope) = connected(TenantSpec::default()).await;
    let tech = app.signed_in("tech@northwind.test").await;
    let page = app.url(&format!("/msp/customers/{}/m365/sync", scope.customer_id()));
    let r = post_form(&tech, &page, &app.url(&format!("/msp/customers/{}/m365/sync", scope.customer_id())), &[]).await;
    assert_eq!(location(&r), format!("/msp/customers/{}/m365/sync?notice=sync-queued", scope.customer_id()));
    let mut users = 0;
    for _ in 0..100 {
        users = count(&app, "m365_users", scope).await;
        if users == 30 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(users, 30, "the queued sync ran");
    // A technician may not change the app registration; another MSP can't sync our customer.
    let r = post_form(
        &tech,
        &app.url("/msp/customers"),
        &app.url("/msp/settings/m365"),
        &[("client_id", CLIENT_ID), ("client_secret", SECRET)],
    )
    .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_app_registration_is_checked_and_its_secret_never_shown() {
    let (app, _fake, _scope) = connected(TenantSpec::default()).await;
    let owner = app.signed_in("owner@northwind.test").await;
    let page = owner.get(app.url("/msp/settings/m365")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(CLIENT_ID) && !page.contains(SECRET) && page.contains("…alue"));
    let stored = portico::db::m365_apps::app(app.db(), app.msp().await).await.unwrap().unwrap();
    let portico::db::m365_apps::AppCredential::Secret { sealed, hint } = stored.credential else { panic!("a secret") };
    assert!(!sealed.contains(SECRET) && hint == "…alue", "sealed at rest");
    let url = app.url("/msp/settings/m365");
    let r = post_form(&owner, &url, &url, &[("client_id", "not-a-guid"), ("client_secret", "x")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn portico_sync_runs_in_the_foreground_and_says_what_changed() {
    let (app, fake, scope) = connected(TenantSpec { users: 25, ..Default::default() }).await;
    // Async, so the fake Graph on this test's runtime keeps answering meanwhile.
    let (db, url) = (app.state.settings.database_url.clone(), fake.url.clone());
    let run = |args: Vec<String>| {
        let (db, url) = (db.clone(), url.clone());
        async move {
            let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_portico"))
                .args(&args)
                .env("PORTICO_DATABASE_URL", &db)
                .env("PORTICO_GRAPH_URL", &url)
                .env("PORTICO_LOGIN_URL", &url)
                .env("PORTICO_SECRET_KEY", KEY)
                .env("PORTICO_LOG", "error")
                .env("PORTICO_CONFIG", "/nonexistent/portico.toml")
                .output()
                .await
                .unwrap();
            (
                out.status.success(),
                format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)),
            )
        }
    };
    let args = vec!["sync".to_string(), "--customer".into(), scope.customer_id().to_string()];
    let (ok, out) = run(args.clone()).await;
    assert!(ok, "{out}");
    assert!(out.contains("Tailspin Toys") && out.contains("25 read") && out.contains("5 SKUs"), "{out}");
    fake.remove_user(2, true);
    let (ok, out) = run(args).await;
    assert!(ok && out.contains("user_deleted"), "{out}");
    let (ok, out) = run(vec!["sync".into(), "--customer".into(), "nope".into()]).await;
    assert!(!ok && out.contains("not a customer id"), "{out}");
}

#[tokio::test]
async fn the_connection_over_the_api() {
    let (app, _fake, scope) = connected(TenantSpec::default()).await;
    let owner = app.token("owner@northwind.test").await;
    let c = reqwest::Client::new();
    let r = c
        .put(app.url("/api/portal/settings/m365"))
        .bearer_auth(&owner)
        .json(&serde_json::json!({"client_id": CLIENT_ID, "client_secret": SECRET}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["client_id"], CLIENT_ID);
    assert!(body.to_string().find(SECRET).is_none(), "the secret is never returned");
    let r = c
        .put(app.url("/api/portal/settings/m365"))
        .bearer_auth(&owner)
        .json(&serde_json::json!({"client_id": "nope", "client_secret": SECRET}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let url = app.url(&format!("/api/portal/customers/{}/sync", scope.customer_id()));
    assert_eq!(c.post(&url).bearer_auth(&owner).send().await.unwrap().status(), StatusCode::ACCEPTED);
    let mut status = serde_json::Value::Null;
    for _ in 0..100 {
        status = c.get(&url).bearer_auth(&owner).send().await.unwrap().json().await.unwrap();
        let areas = status["areas"].as_array().map(|a| a.len()).unwrap_or(0);
        if areas >= 6 && status["queued"] == false {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let areas = status["areas"].as_array().unwrap();
    assert!(
        areas.iter().any(|a| a["area"] == "users" && a["last_error"].is_null() && a["last_success"].is_string()),
        "{status}"
    );
    assert_eq!(status["tenant_id"], TENANT);
}

#[tokio::test]
async fn tenant_alerts_reach_the_customer_once() {
    let (app, _fake, scope) = connected(TenantSpec::default()).await;
    let hash = portico::auth::password::hash_now(crate::helpers::PASSWORD);
    let user = portico::db::users::NewUser {
        id: portico::model::UserId::new(),
        customer_id: Some(scope.customer_id()),
        email: "it@tailspin.test",
        name: "Ivy Tailspin",
        role: "admin",
        password_hash: Some(&hash),
    };
    portico::db::users::insert(app.db(), scope.msp(), &user, portico::model::now()).await.unwrap();
    assert!(sync(&app, scope).await.ok());
    let titles =
        |rows: Vec<portico::db::notifications::NotificationRow>| rows.into_iter().map(|n| n.title).collect::<Vec<_>>();
    let first = titles(portico::db::notifications::list(app.db(), scope.msp(), user.id, 200, 0).await.unwrap());
    assert!(first.iter().any(|t| t.starts_with("Service incident") || t.starts_with("Service advisory")), "{first:?}");
    assert!(
        first.iter().all(|t| !t.contains("(low)") && !t.contains("(informational)")),
        "only the chosen severities: {first:?}"
    );
    let mails = app.outbox().await.into_iter().filter(|m| m.to == "it@tailspin.test").count();
    assert_eq!(mails, first.len(), "each also mailed");
    // The next sync finds nothing new to tell.
    assert!(sync(&app, scope).await.ok());
    let again = titles(portico::db::notifications::list(app.db(), scope.msp(), user.id, 200, 0).await.unwrap());
    assert_eq!(again.len(), first.len(), "once per occurrence, not every sync");
}

/// The sync benchmark: a fake tenant of 50,000 users and 40 SKUs, synced by the `portico
/// sync` command (the production binary, in its own process) against the fake Graph, first
/// in full and then by a delta round; it prints each run's time and the process's peak
/// memory. Not a timed test: run it with
/// `cargo test --release --test it bench_sync_of_a_large_tenant -- --ignored --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark; prints figures"]
async fn bench_sync_of_a_large_tenant() {
    let (app, fake, scope) = connected(TenantSpec { users: 50_000, skus: 40, ..Default::default() }).await;
    let run = || async {
        let started = std::time::Instant::now();
        let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_portico"))
            .args(["sync", "--customer", &scope.customer_id().to_string()])
            .env("PORTICO_DATABASE_URL", &app.state.settings.database_url)
            .env("PORTICO_GRAPH_URL", &fake.url)
            .env("PORTICO_LOGIN_URL", &fake.url)
            .env("PORTICO_SECRET_KEY", KEY)
            .env("PORTICO_LOG", "error")
            .env("PORTICO_CONFIG", "/nonexistent/portico.toml")
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let status = format!("/proc/{}/status", child.id().unwrap());
        let mut peak_kb = 0u64;
        let out = loop {
            // VmHWM only grows: the last reading before the process ends is its peak.
            if let Some(kb) = std::fs::read_to_string(&status).ok().and_then(|s| {
                s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
            }) {
                peak_kb = peak_kb.max(kb);
            }
            if let Some(done) = child.try_wait().unwrap() {
                break done;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        };
        let took = started.elapsed();
        let mut text = String::new();
        tokio::io::AsyncReadExt::read_to_string(child.stdout.as_mut().unwrap(), &mut text).await.unwrap();
        assert!(out.success(), "{text}");
        (took, peak_kb, text)
    };
    let (full, full_kb, text) = run().await;
    assert!(text.contains("50000 read") && text.contains("40 SKUs"), "{text}");
    assert_eq!(count(&app, "m365_users", scope).await, 50_000);
    fake.add_users(100);
    let (delta, delta_kb, text) = run().await;
    assert!(text.contains("100 changed"), "{text}");
    println!(
        "sync of 50,000 users and 40 SKUs ({}): full read {:.1} s, peak memory {:.0} MB; delta round (100 new) {:.1} s, \
         peak memory {:.0} MB",
        app.db().engine(),
        full.as_secs_f64(),
        full_kb as f64 / 1024.0,
        delta.as_secs_f64(),
        delta_kb as f64 / 1024.0
    );
}

#[tokio::test]
async fn test_connection_says_what_is_missing() {
    let (app, fake, scope) = connected(TenantSpec::default()).await;
    fake.deny("/v1.0/security/alerts_v2");
    fake.set_non_premium(true);
    let owner = app.signed_in("owner@northwind.test").await;
    let page = app.url(&format!("/msp/customers/{}/m365/sync", scope.customer_id()));
    let action = app.url(&format!("/msp/customers/{}/m365/test", scope.customer_id()));
    let html = post_form(&owner, &page, &action, &[]).await.text().await.unwrap();
    assert!(html.contains("Connection test") && html.contains("token issued"), "{html}");
    assert!(html.contains("SecurityAlert.Read.All"), "names the missing permission");
    assert!(html.contains("last sign-in not available"), "says sign-ins are unavailable");
    // A wrong tenant id is reported as such, before anything else.
    app.exec("UPDATE customers SET m365_tenant_id = 'nosuchtenant.onmicrosoft.com' WHERE id = $1", scope.customer_id())
        .await;
    let html = post_form(&owner, &page, &action, &[]).await.text().await.unwrap();
    assert!(html.contains("Sign-in to the tenant") && html.contains("Problem"), "{html}");
}

#[tokio::test]
async fn the_app_registration_reads_back_and_warns_before_its_certificate_expires() {
    let (app, _fake, _scope) = unregistered(TenantSpec::default()).await;
    let api = app.url("/api/portal/settings/m365");
    let (owner, tech) = (app.token("owner@northwind.test").await, app.token("tech@northwind.test").await);
    let get = |token: String| {
        let url = api.clone();
        async move {
            let r = reqwest::Client::new().get(url).bearer_auth(token).send().await.unwrap();
            let status = r.status();
            (status, r.json::<serde_json::Value>().await.unwrap_or_default())
        }
    };
    assert_eq!(get(owner.clone()).await.0, StatusCode::NOT_FOUND, "nothing saved yet");

    let body = serde_json::json!({"client_id": CLIENT_ID, "client_secret": SECRET});
    let r = reqwest::Client::new().put(&api).bearer_auth(&owner).json(&body).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    for token in [owner.clone(), tech.clone()] {
        let (status, saved) = get(token).await;
        assert_eq!(status, StatusCode::OK, "{saved}");
        assert_eq!(saved["client_id"], CLIENT_ID);
        assert_eq!(saved["credential"], "secret");
        assert!(SECRET.ends_with(saved["secret_hint"].as_str().unwrap().trim_start_matches('…')), "{saved}");
        assert!(!saved.to_string().contains(SECRET), "the secret never comes back: {saved}");
        assert!(saved["certificate_state"].is_null());
    }
    assert_eq!(get(app.token("admin@contoso.test").await).await.0, StatusCode::FORBIDDEN);
    let other = app
        .client()
        .get(app.other_url("/api/portal/settings/m365"))
        .bearer_auth(app.other_token(crate::helpers::OTHER_STAFF).await)
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), StatusCode::NOT_FOUND, "another MSP has its own (none), never Northwind's");

    // A certificate (stored directly: making one needs openssl) near, past and far from expiry.
    let console = app.signed_in("owner@northwind.test").await;
    for (days, state, says) in [
        (10, "expiring", "This certificate expires in 9 days"),
        (-2, "expired", "This certificate has expired"),
        (200, "valid", ""),
    ] {
        let certificate = portico::db::m365_apps::AppCredential::Certificate {
            key_sealed: "v1:sealed".into(),
            thumbprint: "84E05C1D98BCE3A5421D225B140B36E86A3D5534".into(),
            expires_at: Some(portico::model::now() + time::Duration::days(days) - time::Duration::hours(1)),
        };
        portico::db::m365_apps::save_app(app.db(), app.msp().await, CLIENT_ID, &certificate, portico::model::now())
            .await
            .unwrap();
        let (_, saved) = get(owner.clone()).await;
        assert_eq!(saved["credential"], "certificate");
        assert_eq!(saved["certificate_state"], state, "{saved}");
        let html = console.get(app.url("/msp/settings/m365")).send().await.unwrap().text().await.unwrap();
        for warning in ["This certificate expires in", "This certificate has expired"] {
            assert_eq!(html.contains(warning), !says.is_empty() && says.starts_with(warning), "{days} days: {warning}");
        }
        assert!(html.contains(says));
    }
}

/// The customer's sync jobs: (attempts, done).
async fn sync_jobs(app: &TestApp, scope: CustomerScope) -> Vec<(i64, bool)> {
    let rows: Vec<(i64, Option<portico::db::Ts>)> = portico::on_db!(app.db(), p => sqlx::query_as(
        "SELECT attempts, done_at FROM jobs WHERE msp_id = $1 AND kind = $2 AND summary LIKE $3",
    )
    .bind(scope.msp_id())
    .bind(m365_sync::JOB_KIND)
    .bind(format!("%{}%", scope.customer_id()))
    .fetch_all(p)
    .await)
    .unwrap();
    rows.into_iter().map(|(attempts, done)| (attempts, done.is_some())).collect()
}

#[tokio::test]
async fn a_sync_that_outlasts_its_lease_runs_once_across_two_instances() {
    // A 3-second lease, and a first read of users that takes 10: without a heartbeat the
    // other instance's runner (polling every 5 s) would take the sync over and run it again.
    let (a, fake, scope) = connected_with(TenantSpec::default(), |s| s.job_lease_seconds = 3).await;
    // The demo's Contoso is linked to the fake tenant too; only this customer's sync is watched.
    a.exec("UPDATE customers SET m365_tenant_id = NULL WHERE id <> $1", scope.customer_id()).await;
    let b = a.another_instance().await;
    fake.fail_next("/v1.0/users", [Fault::Slow(Duration::from_secs(10))]);
    async fn sync_now(app: &TestApp, scope: CustomerScope) {
        let page = app.url(&format!("/msp/customers/{}/m365/sync", scope.customer_id()));
        let tech = app.signed_in("tech@northwind.test").await;
        let r = post_form(&tech, &page, &page, &[]).await;
        assert!(location(&r).ends_with("notice=sync-queued"), "{}", location(&r));
    }
    sync_now(&a, scope).await;
    sync_now(&b, scope).await;
    assert_eq!(sync_jobs(&a, scope).await.len(), 1, "a second \"Sync now\" while one is queued adds none");
    for _ in 0..300 {
        if !fake.requests("/v1.0/users").is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    sync_now(&b, scope).await;
    assert_eq!(sync_jobs(&a, scope).await.len(), 1, "nor one while it runs");
    let mut jobs = vec![];
    for _ in 0..600 {
        jobs = sync_jobs(&a, scope).await;
        if jobs.iter().all(|(_, done)| *done) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(jobs, vec![(1, true)], "one sync, claimed once, done");
    let reads: Vec<String> = fake.requests("/v1.0/users?");
    assert_eq!(reads.len(), 1, "the users were read once: {reads:?}");
    assert_eq!(count(&a, "m365_users", scope).await, 30);
}
