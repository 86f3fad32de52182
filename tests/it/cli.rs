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

/// Admin and token commands work on an existing deployment: pointed at a database that is
/// missing or was never migrated, they say which database they opened and leave it alone.
#[tokio::test]
async fn commands_refuse_a_database_that_was_never_migrated() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nothing-here.db");
    let url = format!("sqlite://{}", missing.display());
    for args in [
        &["token", "create", "--email", "admin@contoso.test"][..],
        &["admin", "reset-password", "--email", "admin@contoso.test"][..],
        &["admin", "reset-2fa", "--email", "admin@contoso.test"][..],
        &["sync"][..],
    ] {
        let (ok, out) = portico(&url, args, None);
        assert!(!ok, "{args:?}: {out}");
        assert!(out.contains("nothing-here.db") && out.contains("portico migrate"), "{args:?}: {out}");
        assert!(!out.contains("no account"), "{out}");
    }
    assert!(!missing.exists(), "no empty database may be created");

    // An empty database that exists (or one from before the newest migration) is named too.
    let db = crate::helpers::fresh_database(dir.path()).await;
    if crate::helpers::pg_url().is_none() {
        std::fs::File::create(dir.path().join("test.db")).unwrap();
        let (ok, out) = portico(&db, &["token", "create", "--email", "admin@contoso.test"], None);
        assert!(!ok && out.contains("has no Portico schema") && out.contains("portico migrate"), "{out}");
    }
    let (ok, out) = portico(&db, &["migrate"], None);
    assert!(ok, "{out}");
    let (ok, out) = portico(&db, &["token", "create", "--email", "nobody@contoso.test"], None);
    assert!(!ok && out.contains("no account"), "{out}");
}

/// Colour codes are for a terminal; a log written to a file or pipe is plain text.
#[tokio::test]
async fn logs_written_to_a_pipe_have_no_colour_codes() {
    use tokio::io::AsyncBufReadExt;
    let dir = tempfile::tempdir().unwrap();
    let db = crate::helpers::fresh_database(dir.path()).await;
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_portico"))
        .arg("serve")
        .env("PORTICO_DATABASE_URL", &db)
        .env("PORTICO_BIND", "127.0.0.1:0")
        .env("PORTICO_LOG", "info")
        .env("PORTICO_RUN_JOBS", "false")
        .env("PORTICO_DATA_DIR", dir.path())
        .env("PORTICO_CONFIG", "/nonexistent/portico.toml")
        .env_remove("NO_COLOR")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let mut seen = String::new();
    while let Ok(Some(line)) = lines.next_line().await {
        seen.push_str(&line);
        seen.push('\n');
        if line.contains("portico ready") {
            break;
        }
    }
    let _ = child.kill().await;
    assert!(seen.contains("portico ready"), "{seen}");
    assert!(!seen.contains('\u{1b}'), "ANSI escapes in a piped log: {seen:?}");
}
