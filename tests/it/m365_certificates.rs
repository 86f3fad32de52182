//! Certificate credentials for the MSP's app registration: saved through the console (pasted
//! or uploaded) and the API, sealed at rest, used by the sync and the connection test,
//! refused with field errors when a PEM is wrong, and only by staff owners and admins. The
//! certificates are made by openssl at test time (see `certs`).

use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::certs::{self, TestCert};
use crate::fake_graph::{TenantSpec, CLIENT_ID, SECRET};
use crate::helpers::{csrf_of, location, post_form, TestApp};
use crate::m365_sync::{sync, unregistered};
use portico::db::m365_sync as store;

const SETTINGS: &str = "/msp/settings/m365";
const API: &str = "/api/portal/settings/m365";

/// The MSP's m365_apps row, every column as text: what anyone reading the database sees.
async fn stored_row(app: &TestApp) -> Vec<String> {
    let msp = app.msp().await;
    let row: (String, String, String, String, String, String) = portico::on_db!(app.db(), p => sqlx::query_as(
        "SELECT client_id, credential, COALESCE(secret_sealed, ''), COALESCE(secret_hint, ''), \
         COALESCE(key_sealed, ''), COALESCE(cert_thumbprint, '') FROM m365_apps WHERE msp_id = $1",
    ).bind(msp.0).fetch_one(p).await)
    .unwrap();
    vec![row.0, row.1, row.2, row.3, row.4, row.5]
}

/// Nothing of the private key in `text` (not one line of its base64).
fn no_key_in(text: &str, cert: &TestCert) -> bool {
    cert.key_lines().iter().all(|l| !text.contains(l))
}

async fn put(app: &TestApp, token: &str, body: &Value) -> (StatusCode, Value) {
    let r = reqwest::Client::new().put(app.url(API)).bearer_auth(token).json(body).send().await.unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// The fields a 422 answer names.
fn fields(body: &Value) -> Vec<String> {
    let mut f: Vec<String> =
        body["error"]["fields"].as_array().into_iter().flatten().map(|e| e["field"].as_str().unwrap().into()).collect();
    f.sort();
    f
}

#[tokio::test]
async fn a_certificate_saved_in_the_console_is_sealed_and_the_sync_signs_in_with_it() {
    if certs::skipped("a_certificate_saved_in_the_console_is_sealed_and_the_sync_signs_in_with_it").await {
        return;
    }
    let cert = certs::generate().await;
    let (app, fake, scope) = unregistered(TenantSpec::default()).await;
    fake.trust_certificate(&cert.thumbprint, &cert.public_key_der);
    let owner = app.signed_in("owner@northwind.test").await;
    let html = owner.get(app.url(SETTINGS)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("enctype=\"multipart/form-data\"") && html.contains("value=\"certificate\""), "{html}");

    // As a browser sends the form: the certificate file chosen, the key pasted, the secret empty.
    let form = Form::new()
        .text("client_id", CLIENT_ID)
        .text("credential", "certificate")
        .text("client_secret", "")
        .text("certificate_pem", "")
        .part("certificate_file", Part::bytes(cert.cert_pem.clone().into_bytes()).file_name("portico.pem"))
        .text("private_key_pem", cert.key_pem.clone())
        .part("private_key_file", Part::bytes(Vec::new()).file_name(""));
    let r = owner.post(app.url(&format!("{SETTINGS}?_csrf={}", csrf_of(&html)))).multipart(form).send().await.unwrap();
    assert_eq!(location(&r), format!("{SETTINGS}?notice=saved"));

    let html = owner.get(app.url(SETTINGS)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Signs in with a certificate") && html.contains(&cert.thumbprint), "{html}");
    assert!(no_key_in(&html, &cert));
    let row = stored_row(&app).await;
    assert_eq!((row[1].as_str(), row[2].as_str(), row[5].as_str()), ("certificate", "", cert.thumbprint.as_str()));
    assert!(row.iter().all(|c| no_key_in(c, &cert)), "the private key is sealed at rest");
    let stored = portico::db::m365_apps::app(app.db(), app.msp().await).await.unwrap().unwrap();
    let portico::db::m365_apps::AppCredential::Certificate { expires_at, .. } = stored.credential else {
        panic!("a certificate")
    };
    let days = (expires_at.expect("expiry read from the certificate") - portico::model::now()).whole_days();
    assert!((29..=30).contains(&days), "openssl made it for 30 days: {days}");

    let report = sync(&app, scope).await;
    assert!(report.ok(), "{:?}", report.areas);
    assert_eq!(fake.secrets_sent(), 0);
    assert_eq!(fake.assertions().len(), 1, "one token for the whole sync");

    // Test connection signs in with it too.
    let page = app.url(&format!("/msp/customers/{}/m365/sync", scope.customer_id()));
    let action = app.url(&format!("/msp/customers/{}/m365/test", scope.customer_id()));
    let html = post_form(&owner, &page, &action, &[]).await.text().await.unwrap();
    assert!(html.contains("token issued"), "{html}");

    // A binary (DER) certificate file and a key file upload as well.
    certs::openssl(cert.dir.path(), &["x509", "-in", "cert.pem", "-outform", "DER", "-out", "cert.cer"]).await;
    let der = std::fs::read(cert.dir.path().join("cert.cer")).unwrap();
    let html = owner.get(app.url(SETTINGS)).send().await.unwrap().text().await.unwrap();
    let form = Form::new()
        .text("client_id", CLIENT_ID)
        .text("credential", "certificate")
        .part("certificate_file", Part::bytes(der).file_name("portico.cer"))
        .part("private_key_file", Part::bytes(cert.rsa_key_pem.clone().into_bytes()).file_name("portico.key"));
    let r = owner.post(app.url(&format!("{SETTINGS}?_csrf={}", csrf_of(&html)))).multipart(form).send().await.unwrap();
    assert_eq!(location(&r), format!("{SETTINGS}?notice=saved"));
    assert_eq!(stored_row(&app).await[5], cert.thumbprint);
}

#[tokio::test]
async fn a_certificate_entra_id_does_not_know_fails_the_sync_with_a_clear_error() {
    if certs::skipped("a_certificate_entra_id_does_not_know_fails_the_sync_with_a_clear_error").await {
        return;
    }
    let (cert, other) = (certs::generate().await, certs::generate().await);
    let (app, fake, scope) = unregistered(TenantSpec::default()).await;
    fake.trust_certificate(&cert.thumbprint, &cert.public_key_der);
    let owner = app.token("owner@northwind.test").await;

    let body = json!({"client_id": CLIENT_ID, "certificate_pem": other.cert_pem, "private_key_pem": other.key_pem});
    let (status, saved) = put(&app, &owner, &body).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["credential"], "certificate");
    assert_eq!(saved["certificate_thumbprint"], other.thumbprint.as_str());
    assert!(saved["secret_hint"].is_null() && saved["certificate_expires_at"].is_string(), "{saved}");
    assert!(no_key_in(&saved.to_string(), &other));

    let report = sync(&app, scope).await;
    let (_, users) = report.areas.iter().find(|(a, _)| a.key() == "users").unwrap();
    let why = users.as_ref().unwrap_err();
    assert!(why.contains("AADSTS700027") && why.contains(&other.thumbprint), "{why}");
    assert!(why.contains("Certificates & secrets"), "says where to upload it: {why}");
    let areas = store::areas(app.db(), scope).await.unwrap();
    let recorded = areas.iter().find(|a| a.area == "users").and_then(|a| a.last_error.clone()).unwrap();
    assert!(recorded.contains("AADSTS700027"), "{recorded}");
    assert!(fake.assertions().is_empty());

    // The right certificate (its key as PKCS#1 this time): the next sync signs in.
    let body = json!({"client_id": CLIENT_ID, "certificate_pem": cert.cert_pem, "private_key_pem": cert.rsa_key_pem});
    assert_eq!(put(&app, &owner, &body).await.0, StatusCode::OK);
    assert!(sync(&app, scope).await.ok());

    // Back to a client secret: the key is gone from the row and the secret works.
    let (status, saved) = put(&app, &owner, &json!({"client_id": CLIENT_ID, "client_secret": SECRET})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!((saved["credential"].as_str(), saved["certificate_thumbprint"].is_null()), (Some("secret"), true));
    let row = stored_row(&app).await;
    assert_eq!((row[1].as_str(), row[4].as_str(), row[5].as_str()), ("secret", "", ""));
    assert!(sync(&app, scope).await.ok());
    assert_eq!(fake.secrets_sent(), 1);
}

#[tokio::test]
async fn bad_certificates_and_keys_get_field_errors_and_only_admins_may_save() {
    if certs::skipped("bad_certificates_and_keys_get_field_errors_and_only_admins_may_save").await {
        return;
    }
    let (cert, other) = (certs::generate().await, certs::generate().await);
    let small = cert.other_key("small.pem", &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"]).await;
    let ec = cert.other_key("ec.pem", &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]).await;
    let locked = cert.encrypted_key().await;
    let (app, _fake, _scope) = unregistered(TenantSpec::default()).await;
    let owner = app.token("owner@northwind.test").await;
    let (c, k) = (cert.cert_pem.as_str(), cert.key_pem.as_str());

    let cases: Vec<(Value, &[&str], &str)> = vec![
        (
            json!({"client_id": CLIENT_ID, "client_secret": SECRET, "certificate_pem": c, "private_key_pem": k}),
            &["certificate_pem", "client_secret"],
            "not both",
        ),
        (json!({"client_id": CLIENT_ID}), &["certificate_pem", "client_secret"], "Send client_secret"),
        (
            json!({"client_id": CLIENT_ID, "certificate_pem": "hello", "private_key_pem": k}),
            &["certificate_pem"],
            "PEM",
        ),
        (json!({"client_id": CLIENT_ID, "certificate_pem": c}), &["private_key_pem"], "private key"),
        (json!({"client_id": CLIENT_ID, "certificate_pem": c, "private_key_pem": small}), &["private_key_pem"], "2048"),
        (json!({"client_id": CLIENT_ID, "certificate_pem": c, "private_key_pem": ec}), &["private_key_pem"], "RSA"),
        (
            json!({"client_id": CLIENT_ID, "certificate_pem": c, "private_key_pem": locked}),
            &["private_key_pem"],
            "password",
        ),
        (
            json!({"client_id": CLIENT_ID, "certificate_pem": c, "private_key_pem": other.key_pem}),
            &["private_key_pem"],
            "does not belong",
        ),
        (
            json!({"client_id": CLIENT_ID, "certificate_pem": k, "private_key_pem": c}),
            &["certificate_pem", "private_key_pem"],
            "This is a",
        ),
        (json!({"client_id": "nope", "certificate_pem": c, "private_key_pem": k}), &["client_id"], "GUID"),
    ];
    for (body, expected, words) in cases {
        let (status, answer) = put(&app, &owner, &body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {answer}");
        assert_eq!(answer["error"]["code"], "validation_failed");
        assert_eq!(fields(&answer), expected, "{answer}");
        assert!(answer.to_string().contains(words), "{words:?} in {answer}");
        assert!(no_key_in(&answer.to_string(), &cert) && no_key_in(&answer.to_string(), &other));
    }
    assert!(portico::db::m365_apps::app(app.db(), app.msp().await).await.unwrap().is_none(), "nothing saved");

    // The console: the field at fault is marked, the certificate shown again, the key never.
    let console = app.signed_in("owner@northwind.test").await;
    let page = app.url(SETTINGS);
    let fields = [("client_id", CLIENT_ID), ("credential", "certificate"), ("certificate_pem", "not a cert")];
    let r = post_form(&console, &page, &page, &[&fields[..], &[("private_key_pem", k)]].concat()).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("Paste the certificate in PEM form") && html.contains("aria-invalid=\"true\""), "{html}");
    assert!(html.contains(">not a cert</textarea>") && no_key_in(&html, &cert), "{html}");
    let r = post_form(
        &console,
        &page,
        &page,
        &[&fields[..2], &[("certificate_pem", c), ("private_key_pem", &small)]].concat(),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("shorter than 2048 bits"));

    // A technician may not change it (403); a customer's admin is not even shown it (404, API 403).
    let body = json!({"client_id": CLIENT_ID, "certificate_pem": c, "private_key_pem": k});
    assert_eq!(put(&app, &app.token("tech@northwind.test").await, &body).await.0, StatusCode::FORBIDDEN);
    assert_eq!(put(&app, &app.token("admin@contoso.test").await, &body).await.0, StatusCode::FORBIDDEN);
    let tech = app.signed_in("tech@northwind.test").await;
    let r = post_form(&tech, &page, &page, &[&fields[..2], &[("certificate_pem", c), ("private_key_pem", k)]].concat())
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let customer = app.signed_in("admin@contoso.test").await;
    assert_eq!(customer.get(&page).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    assert!(portico::db::m365_apps::app(app.db(), app.msp().await).await.unwrap().is_none(), "still nothing saved");
}
