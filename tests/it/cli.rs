//! The `portico` command itself: seeding, migrations, admin and token commands.

use std::io::Write;
use std::process::{Command, Stdio};

use reqwest::StatusCode;

fn portico(db: &str, args: &[&str], stdin: Option<&str>) -> (bool, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_portico"))
        .args(args)
        .env("PORTICO_DATABASE_URL", db)
        .env("PORTICO_LOG", "error")
        .env("PORTICO_CONFIG", "/nonexistent/portico.toml")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(s) = stdin {
        child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

#[tokio::test]
async fn seed_demo_is_idempotent_and_admin_commands_work() {
    let dir = tempfile::tempdir().unwrap();
    let db = crate::helpers::fresh_database(dir.path()).await;
    let (ok, out) = portico(&db, &["migrate"], None);
    assert!(ok, "{out}");
    let (ok, out) = portico(&db, &["seed-demo"], None);
    assert!(ok && out.contains("Demo data seeded"), "{out}");
    let (ok, out) = portico(&db, &["seed-demo"], None);
    assert!(ok && out.contains("nothing changed"), "{out}");
    let (ok, out) =
        portico(&db, &["admin", "create-msp", "--name", "Contour IT", "--domain", "portal.contour.test"], None);
    assert!(ok, "{out}");
    let (ok, out) = portico(
        &db,
        &["admin", "create-staff", "--msp", "Contour IT", "--email", "boss@contour.test", "--role", "owner"],
        Some("a-strong-password-here\n"),
    );
    assert!(ok && out.contains("Created boss@contour.test (owner)") && !out.contains("Password:"), "{out}");
    let (ok, out) = portico(
        &db,
        &["admin", "create-staff", "--msp", "Contour IT", "--email", "x@contour.test", "--role", "emperor"],
        Some("a-strong-password-here\n"),
    );
    assert!(!ok && out.contains("owner, admin or technician"), "{out}");
    let (ok, out) = portico(
        &db,
        &["admin", "create-staff", "--msp", "Nobody", "--email", "x@contour.test"],
        Some("a-strong-password-here\n"),
    );
    assert!(!ok && out.contains("no MSP named"), "{out}");
    let (ok, out) = portico(&db, &["admin", "reset-password", "--email", "boss@contour.test"], Some("short\n"));
    assert!(!ok && out.contains("at least 10"), "{out}");
    let (ok, out) =
        portico(&db, &["admin", "reset-password", "--email", "boss@contour.test"], Some("another-strong-one\n"));
    assert!(ok, "{out}");
    let (ok, token) = portico(&db, &["token", "create", "--email", "admin@contoso.test", "--name", "psa"], None);
    assert!(ok && token.trim().starts_with("ptc_"), "{token}");
    let token = token.trim().to_string();

    // The token works against a server on the same database, until revoked.
    let mut settings = portico::config::Settings {
        database_url: db.clone(),
        bind: "127.0.0.1:0".parse().unwrap(),
        ..Default::default()
    };
    settings.db_pool_size = 2;
    let app = portico::App::build(settings, false).await.unwrap();
    let addr = app.local_addr();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(app.run_until(async move {
        let _ = rx.await;
    }));
    let url = format!("http://{addr}/api/portal/customers");
    let r = reqwest::Client::new().get(&url).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["items"][0]["name"], "Contoso Ltd");
    // The new MSP's host serves its own portal.
    let html = reqwest::Client::builder()
        .resolve("portal.contour.test", addr)
        .build()
        .unwrap()
        .get(format!("http://portal.contour.test:{}/", addr.port()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Contour IT Portal"), "{html}");
    let (ok, out) = portico(&db, &["token", "revoke", &token[..12]], None);
    assert!(ok && out.contains("Revoked 1"), "{out}");
    let r = reqwest::Client::new().get(&url).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let _ = tx.send(());
}
