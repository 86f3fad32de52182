//! The Microsoft Graph client against the fake Graph: paging, delta rounds, throttling and
//! faults, permission and licence errors, tokens, and lenient parsing.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use portico::integrations::graph::{
    AlertSeverity, AlertStatus, Area, ClientCertificate, ClientSecret, GraphError, GraphOptions, IssueClassification,
    LastSignIn, Pages, RemovalReason, ServiceHealthStatus, SignInAvailability, SkuStatus, TenantCredentials,
    TokenError, User, UserChange,
};
use time::macros::datetime;

use crate::fake_graph::{self, creds, user_id, FakeGraph, Fault, TenantSpec, SKUS};

async fn all<T: serde::de::DeserializeOwned>(pages: Pages<'_, T>) -> Vec<T> {
    pages.collect_all().await.expect("pages")
}

fn by_id(users: &[User], i: usize) -> &User {
    users.iter().find(|u| u.id == user_id(i)).unwrap_or_else(|| panic!("user {i} is listed"))
}

#[tokio::test]
async fn graph_users_are_read_page_by_page_to_the_end() {
    let fake = FakeGraph::start_with(TenantSpec { users: 2500, ..Default::default() }).await;
    let graph = fake.client();
    let creds = creds();
    let mut pages = graph.users(&creds).await.unwrap();
    assert_eq!(pages.sign_in(), SignInAvailability::Available);
    let mut users = Vec::new();
    let mut sizes = Vec::new();
    while let Some(page) = pages.next_page().await.unwrap() {
        sizes.push(page.len());
        users.extend(page);
    }
    // 500 a page: Graph's limit when signInActivity is selected.
    assert_eq!(sizes, vec![500; 5]);
    assert_eq!(pages.pages_fetched(), 5);
    assert!(pages.next_page().await.unwrap().is_none());
    let ids: HashSet<&str> = users.iter().map(|u| u.id.as_str()).collect();
    assert_eq!(ids.len(), 2500);
    assert!(ids.contains(user_id(2499).as_str()));

    let requests = fake.requests("/v1.0/users");
    assert_eq!(requests.len(), 5, "{requests:#?}");
    assert!(requests[0].contains("signInActivity") && requests[0].contains("$top=500"), "{}", requests[0]);
    assert!(!requests[0].contains("$skiptoken"));

    // The fields, as the fake generated them.
    let u4 = by_id(&users, 4);
    assert_eq!(u4.display_name.as_deref(), Some("User 4"));
    assert_eq!(u4.user_principal_name.as_deref(), Some("user4@contoso.test"));
    assert_eq!(u4.mail.as_deref(), Some("user4@contoso.test"));
    assert_eq!(u4.department.as_deref(), Some("Finance"));
    assert_eq!(u4.office_location.as_deref(), Some("Building 0"));
    assert_eq!(u4.mobile_phone.as_deref(), Some("+1 555 0104"));
    assert!(u4.assigned_licenses.is_empty());
    assert_eq!(u4.created_date_time, Some(datetime!(2020-01-01 04:00 UTC)));
    assert_eq!(u4.last_sign_in, LastSignIn::At(datetime!(2025-03-05 08:30 UTC)));
    let u1 = by_id(&users, 1);
    assert_eq!(u1.assigned_licenses[0].sku_id, SKUS[1].0);
    assert_eq!(u1.job_title.as_deref(), Some("Analyst"));
    assert_eq!(by_id(&users, 2).job_title, None);
    assert_eq!(by_id(&users, 6).mail, None);
    assert_eq!(by_id(&users, 9).account_enabled, Some(false));
    assert_eq!(by_id(&users, 10).account_enabled, Some(true));
    assert_eq!(by_id(&users, 5).last_sign_in, LastSignIn::At(datetime!(2025-04-02 10:11:12.1234567 UTC)));
    // "Never" in every spelling Graph uses: no signInActivity, 0001-01-01, null, "".
    for i in [0, 1, 2, 3, 6, 7] {
        assert_eq!(by_id(&users, i).last_sign_in, LastSignIn::Never, "user {i}");
    }
}

#[tokio::test]
async fn graph_next_links_are_followed_verbatim() {
    let spec = TenantSpec { groups: 1001, control_profiles: 7, page_size: 3, ..Default::default() };
    let fake = FakeGraph::start_with(spec).await;
    let graph = fake.client();
    let creds = creds();
    let mut groups = graph.groups(&creds);
    let mut sizes = Vec::new();
    let mut last = None;
    while let Some(page) = groups.next_page().await.unwrap() {
        sizes.push(page.len());
        last = page.last().and_then(|g| g.display_name.clone());
    }
    assert_eq!(sizes, vec![999, 2]);
    assert_eq!(last.as_deref(), Some("Group 1000"));
    let requests = fake.requests("/v1.0/groups");
    assert_eq!(requests.len(), 2);
    // The link's query is kept as Graph wrote it, and the skip token's `+`, `/` and `=`
    // stay percent-encoded (the fake refuses a token that comes back any other way).
    let kept = "/v1.0/groups?$select=id,displayName,groupTypes,mailEnabled,securityEnabled,mail&$top=999&$skiptoken=";
    assert!(requests[1].starts_with(&format!("{kept}RFNwdAIAAQAAAB%2B")), "{}", requests[1]);
    assert!(requests[1].ends_with("%3D%3D"), "{}", requests[1]);

    // Without $top, the fake's page size (3) applies.
    let controls = graph.control_profiles(&creds).collect_all().await.unwrap();
    assert_eq!(controls.iter().map(|c| c.id.as_str()).collect::<Vec<_>>()[6], "Control6");
    let requests = fake.requests("/v1.0/security/secureScoreControlProfiles");
    assert_eq!(requests.len(), 3);
    assert!(requests[2].starts_with("/v1.0/security/secureScoreControlProfiles?$skiptoken=RFNwdAIAAQAAAB%2B"));
}

#[tokio::test]
async fn graph_throttling_waits_for_retry_after() {
    let fake = FakeGraph::start().await;
    let graph = fake.client();
    let creds = creds();
    fake.fail_next("/v1.0/subscribedSkus", [Fault::TooManyRequests(1)]);
    let started = Instant::now();
    let skus = all(graph.subscribed_skus(&creds)).await;
    assert_eq!(skus.len(), SKUS.len());
    assert!(started.elapsed() >= Duration::from_millis(950), "waited {:?}", started.elapsed());
    assert_eq!(fake.requests("/v1.0/subscribedSkus").len(), 2);

    fake.fail_next("/v1.0/admin/serviceAnnouncement/healthOverviews", [Fault::Unavailable(Some(1))]);
    let started = Instant::now();
    assert_eq!(all(graph.service_health(&creds)).await.len(), fake_graph::SERVICES.len());
    assert!(started.elapsed() >= Duration::from_millis(950));

    // Told to wait longer than it may, the client stops and says when to come back.
    fake.fail_next("/v1.0/groups", [Fault::TooManyRequests(600)]);
    let err = graph.groups(&creds).collect_all().await.unwrap_err();
    assert!(
        matches!(err, GraphError::Throttled { area: Area::Groups, attempts: 1, retry_after: Some(d) } if d == Duration::from_secs(600)),
        "{err:?}"
    );
    assert!(err.is_transient());

    // Throttled on every try: a bounded number of them.
    let patient = fake.client_with(GraphOptions { max_retries: 1, ..GraphOptions::default() });
    fake.fail_next("/v1.0/groups", [Fault::TooManyRequests(1), Fault::TooManyRequests(1)]);
    let before = fake.requests("/v1.0/groups").len();
    let err = patient.groups(&creds).collect_all().await.unwrap_err();
    assert!(matches!(err, GraphError::Throttled { attempts: 2, .. }), "{err:?}");
    assert_eq!(fake.requests("/v1.0/groups").len(), before + 2);
}

#[tokio::test]
async fn graph_server_errors_are_retried_a_bounded_number_of_times() {
    let fake = FakeGraph::start().await;
    let graph = fake.client();
    let creds = creds();
    fake.fail_next("/v1.0/groups", [Fault::Status(500), Fault::Status(502), Fault::Unavailable(None)]);
    assert_eq!(all(graph.groups(&creds)).await.len(), 4);
    assert_eq!(fake.requests("/v1.0/groups").len(), 4);

    fake.fail_next("/v1.0/groups", vec![Fault::Status(500); 5]);
    let err = graph.groups(&creds).collect_all().await.unwrap_err();
    assert!(matches!(err, GraphError::Unavailable { area: Area::Groups, status: 500, attempts: 5 }), "{err:?}");
    assert_eq!(fake.requests("/v1.0/groups").len(), 4 + 5);
    assert!(err.is_transient());
    assert!(err.to_string().contains("HTTP 500"), "{err}");

    // A page that failed is asked for again by the next call.
    fake.fail_next("/v1.0/security/alerts_v2", vec![Fault::Status(500); 5]);
    let mut alerts = graph.alerts(&creds);
    assert!(alerts.next_page().await.is_err());
    assert_eq!(alerts.next_page().await.unwrap().unwrap().len(), 5);
}

#[tokio::test]
async fn graph_slow_answers_time_out_and_are_retried() {
    let fake = FakeGraph::start().await;
    let creds = creds();
    let graph = fake.client_with(GraphOptions {
        request_timeout: Duration::from_millis(300),
        backoff_base: Duration::from_millis(10),
        max_retries: 2,
        ..GraphOptions::default()
    });
    fake.fail_next("/v1.0/directory/subscriptions", [Fault::Slow(Duration::from_secs(3))]);
    let subs = all(graph.subscriptions(&creds)).await;
    assert_eq!(subs.len(), SKUS.len());
    assert_eq!(fake.requests("/v1.0/directory/subscriptions").len(), 2);

    fake.fail_next("/v1.0/directory/subscriptions", vec![Fault::Slow(Duration::from_secs(3)); 3]);
    let err = graph.subscriptions(&creds).collect_all().await.unwrap_err();
    assert!(matches!(err, GraphError::Timeout { area: Area::Subscriptions, attempts: 3 }), "{err:?}");

    // Nobody listening at all.
    let gone = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let settings = portico::config::Settings { graph_url: gone.clone(), login_url: gone, ..Default::default() };
    let opts = GraphOptions { max_retries: 1, backoff_base: Duration::from_millis(10), ..GraphOptions::default() };
    let nowhere = portico::integrations::graph::GraphClient::with_options(&settings, opts).unwrap();
    let err = nowhere.access_token(&creds).await.unwrap_err();
    assert!(matches!(err, GraphError::Unreachable { area: Area::Token, attempts: 2, .. }), "{err:?}");
}

#[tokio::test]
async fn graph_missing_permissions_are_named_per_area() {
    let fake = FakeGraph::start().await;
    let graph = fake.client();
    let creds = creds();
    fake.deny("/v1.0/security/alerts_v2");
    fake.deny("/v1.0/subscribedSkus");

    let err = graph.alerts(&creds).collect_all().await.unwrap_err();
    assert!(
        matches!(&err, GraphError::PermissionMissing { area: Area::Alerts, code } if code == "Authorization_RequestDenied"),
        "{err:?}"
    );
    assert!(err.to_string().contains("SecurityAlert.Read.All"), "{err}");
    assert!(!err.is_transient());
    assert_eq!(fake.requests("/v1.0/security/alerts_v2").len(), 1, "a refusal is not retried");

    let err = graph.subscribed_skus(&creds).collect_all().await.unwrap_err();
    assert!(matches!(err, GraphError::PermissionMissing { area: Area::Licenses, .. }), "{err:?}");
    assert!(err.to_string().contains("Organization.Read.All"), "{err}");

    // Other areas are unaffected.
    assert_eq!(all(graph.secure_scores(&creds, 7)).await.len(), 7);
    assert_eq!(all(graph.control_profiles(&creds)).await.len(), 12);
}

#[tokio::test]
async fn graph_users_without_premium_are_listed_without_last_sign_in() {
    let fake = FakeGraph::start_with(TenantSpec { users: 1200, ..Default::default() }).await;
    let graph = fake.client();
    let creds = creds();
    fake.set_non_premium(true);
    let mut pages = graph.users(&creds).await.unwrap();
    assert_eq!(pages.sign_in(), SignInAvailability::NotLicensed);
    let mut users = Vec::new();
    while let Some(page) = pages.next_page().await.unwrap() {
        users.extend(page);
    }
    assert_eq!(users.len(), 1200);
    assert!(users.iter().all(|u| u.last_sign_in == LastSignIn::NotAvailable));
    let requests = fake.requests("/v1.0/users");
    assert_eq!(requests.len(), 3, "{requests:#?}");
    assert!(requests[0].contains("signInActivity"));
    assert!(!requests[1].contains("signInActivity") && requests[1].contains("$top=999"), "{}", requests[1]);

    // Licensed, but the app may not read audit logs: the same fallback, for another reason.
    fake.set_non_premium(false);
    fake.set_sign_in_denied(true);
    let mut pages = graph.users(&creds).await.unwrap();
    assert_eq!(pages.sign_in(), SignInAvailability::PermissionMissing);
    assert_eq!(pages.next_page().await.unwrap().unwrap()[4].last_sign_in, LastSignIn::NotAvailable);

    // Without User.Read.All there is nothing to fall back to.
    fake.deny("/v1.0/users");
    let err = graph.users(&creds).await.err().unwrap();
    assert!(matches!(err, GraphError::PermissionMissing { area: Area::Users, .. }), "{err:?}");
    assert!(err.to_string().contains("User.Read.All"), "{err}");
}

#[tokio::test]
async fn graph_user_delta_rounds_report_changes_and_removals() {
    let fake = FakeGraph::start_with(TenantSpec { users: 250, ..Default::default() }).await;
    let graph = fake.client();
    let creds = creds();

    let mut round = graph.users_delta(&creds, None).unwrap();
    let mut upserts = 0;
    while let Some(page) = round.next_page().await.unwrap() {
        for change in page {
            match change {
                UserChange::Upsert(u) => {
                    assert!(u.display_name.is_some());
                    upserts += 1;
                }
                UserChange::Removed { .. } => panic!("nothing was removed yet"),
            }
        }
    }
    assert_eq!(upserts, 250);
    assert_eq!(round.pages_fetched(), 3);
    let link = round.delta_link().expect("a delta link after the last page").to_string();
    assert!(link.starts_with(&format!("{}/v1.0/users/delta?$deltatoken=", fake.url)), "{link}");
    let first = fake.requests("/v1.0/users/delta");
    assert!(first[0].starts_with("/v1.0/users/delta?$select=id,displayName"), "{}", first[0]);
    assert!(first[1].starts_with("/v1.0/users/delta?$skiptoken="), "{}", first[1]);

    fake.rename_user(5, "Renamed Five");
    fake.remove_user(7, false);
    fake.remove_user(8, true);
    fake.add_users(2);
    let mut round = graph.users_delta(&creds, Some(&link)).unwrap();
    let changes = {
        let mut all = Vec::new();
        while let Some(page) = round.next_page().await.unwrap() {
            all.extend(page);
        }
        all
    };
    let upserted: Vec<(String, Option<String>)> = changes
        .iter()
        .filter_map(|c| match c {
            UserChange::Upsert(u) => Some((u.id.clone(), u.display_name.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(
        upserted,
        vec![
            (user_id(5), Some("Renamed Five".to_string())),
            (user_id(250), Some("User 250".to_string())),
            (user_id(251), Some("User 251".to_string())),
        ]
    );
    let removed: Vec<&UserChange> = changes.iter().filter(|c| matches!(c, UserChange::Removed { .. })).collect();
    assert_eq!(
        removed,
        vec![
            &UserChange::Removed { id: user_id(7), reason: RemovalReason::Changed },
            &UserChange::Removed { id: user_id(8), reason: RemovalReason::Deleted },
        ]
    );
    let next_link = round.delta_link().unwrap().to_string();
    assert_ne!(next_link, link);
    assert!(fake.requests("/v1.0/users/delta").iter().any(|r| link.ends_with(r.as_str())), "the delta link as given");

    // Nothing changed since: an empty round, and another link.
    let mut round = graph.users_delta(&creds, Some(&next_link)).unwrap();
    assert_eq!(round.next_page().await.unwrap().unwrap(), vec![]);
    assert!(round.next_page().await.unwrap().is_none());
    assert!(round.delta_link().is_some());

    // A link kept too long: the caller is told to start over.
    fake.expire_delta_links();
    let mut round = graph.users_delta(&creds, Some(&next_link)).unwrap();
    let err = round.next_page().await.unwrap_err();
    assert!(matches!(err, GraphError::DeltaExpired { area: Area::Users }), "{err:?}");

    // A stored link that leads elsewhere is not followed with our token.
    let err = graph.users_delta(&creds, Some("https://evil.example/v1.0/users/delta?$deltatoken=x")).err().unwrap();
    assert!(matches!(err, GraphError::Invalid { area: Area::Users, .. }), "{err:?}");
}

#[tokio::test]
async fn graph_tokens_are_cached_and_renewed() {
    let fake = FakeGraph::start().await;
    let graph = fake.client();
    let creds = creds();
    let token = graph.access_token(&creds).await.unwrap();
    assert!(token.expires_at() > Instant::now() + Duration::from_secs(3000));
    all(graph.subscribed_skus(&creds)).await;
    all(graph.service_health(&creds)).await;
    all(graph.service_issues(&creds)).await;
    graph.users(&creds).await.unwrap();
    graph.group_member_count(&creds, &fake_graph::group_id(1)).await.unwrap();
    assert_eq!(fake.token_requests(), 1, "one token for every call");

    // The same tenant and app by another spelling share the token.
    let shouting = TenantCredentials::new(
        &fake_graph::TENANT.to_uppercase(),
        fake_graph::CLIENT_ID,
        ClientSecret::new(fake_graph::SECRET),
    );
    all(graph.subscribed_skus(&shouting)).await;
    assert_eq!(fake.token_requests(), 1);

    // A revoked token: Graph answers 401, the client gets a new token once and carries on.
    fake.revoke_tokens();
    assert_eq!(all(graph.subscribed_skus(&creds)).await.len(), SKUS.len());
    assert_eq!(fake.token_requests(), 2);

    // A secret that differs from the one the token was issued for is checked again.
    let wrong = TenantCredentials::new(fake_graph::TENANT, fake_graph::CLIENT_ID, ClientSecret::new("guess"));
    let err = graph.subscribed_skus(&wrong).collect_all().await.unwrap_err();
    assert!(matches!(err, GraphError::Token(TokenError::InvalidSecret { .. })), "{err:?}");
    assert_eq!(fake.token_requests(), 3);
    all(graph.subscribed_skus(&creds)).await;

    // Tokens that live no longer than the refresh margin are not reused.
    let fake = FakeGraph::start_with(TenantSpec { token_lifetime: 0, ..Default::default() }).await;
    let graph = fake.client();
    all(graph.subscribed_skus(&creds)).await;
    all(graph.subscribed_skus(&creds)).await;
    assert_eq!(fake.token_requests(), 2);
}

#[tokio::test]
async fn graph_token_errors_say_what_is_wrong() {
    let fake = FakeGraph::start().await;
    let graph = fake.client();
    let token_err = |e: GraphError| match e {
        GraphError::Token(t) => t,
        other => panic!("not a token error: {other:?}"),
    };
    let with =
        |tenant: &str, client: &str, secret: &str| TenantCredentials::new(tenant, client, ClientSecret::new(secret));

    let err = token_err(
        graph
            .access_token(&with("11111111-2222-3333-4444-555555555555", fake_graph::CLIENT_ID, fake_graph::SECRET))
            .await
            .unwrap_err(),
    );
    assert!(matches!(&err, TokenError::TenantNotFound { code, .. } if code == "AADSTS90002"), "{err:?}");
    assert!(err.to_string().contains("check the tenant ID"), "{err}");

    let err = token_err(
        graph
            .access_token(&with(fake_graph::TENANT, "99999999-0000-4000-8000-000000000000", fake_graph::SECRET))
            .await
            .unwrap_err(),
    );
    assert!(matches!(&err, TokenError::AppNotInTenant { code, .. } if code == "AADSTS700016"), "{err:?}");
    assert!(err.to_string().contains("consent"), "{err}");

    let err = token_err(
        graph.access_token(&with(fake_graph::TENANT_DOMAIN, fake_graph::CLIENT_ID, "wrong-secret")).await.unwrap_err(),
    );
    assert!(matches!(&err, TokenError::InvalidSecret { code } if code == "AADSTS7000215"), "{err:?}");
    assert!(!err.to_string().contains("wrong-secret"));

    // Not a tenant id at all: refused before any request.
    let before = fake.token_requests();
    let err =
        token_err(graph.access_token(&with("../common", fake_graph::CLIENT_ID, fake_graph::SECRET)).await.unwrap_err());
    assert!(matches!(err, TokenError::TenantNotFound { .. }));
    assert_eq!(fake.token_requests(), before);

    // A refused token request is not retried, and errors are not cached.
    assert_eq!(fake.token_requests(), 3);
    graph.access_token(&with(fake_graph::TENANT_DOMAIN, fake_graph::CLIENT_ID, fake_graph::SECRET)).await.unwrap();
    assert_eq!(fake.tokens_issued(), 1);

    // The token endpoint throttles too.
    let graph = fake.client();
    fake.fail_next("/", [Fault::Status(503)]);
    graph.access_token(&creds()).await.unwrap();
}

/// A certificate credential: the fake Entra ID checks the signed client assertion; the token
/// is cached like a secret's, and another credential for the same app is a miss.
#[tokio::test]
async fn graph_tokens_with_a_certificate() {
    if crate::certs::skipped("graph_tokens_with_a_certificate").await {
        return;
    }
    let (cert, other) = (crate::certs::generate().await, crate::certs::generate().await);
    let fake = FakeGraph::start().await;
    fake.trust_certificate(&cert.thumbprint, &cert.public_key_der);
    let graph = fake.client();
    let with_cert = |pem: &str, key: &str| {
        let c = ClientCertificate::from_pem(pem, key).expect("certificate and key read");
        TenantCredentials::new(fake_graph::TENANT, fake_graph::CLIENT_ID, c)
    };
    let creds = with_cert(&cert.cert_pem, &cert.key_pem);
    let debug = format!("{creds:?}");
    assert!(debug.contains(&cert.thumbprint), "{debug}");
    assert!(cert.key_lines().iter().all(|l| !debug.contains(l)) && !debug.contains("PRIVATE"), "{debug}");

    all(graph.subscribed_skus(&creds)).await;
    all(graph.service_health(&creds)).await;
    assert_eq!((fake.token_requests(), fake.secrets_sent()), (1, 0), "one token, with no secret");
    let assertions = fake.assertions();
    let (header, claims) = &assertions[0];
    let x5t =
        base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, header["x5t"].as_str().unwrap());
    let x5t_hex: String = x5t.unwrap().iter().map(|b| format!("{b:02X}")).collect();
    assert_eq!(x5t_hex, cert.thumbprint, "x5t is the SHA-1 thumbprint openssl reports");
    assert_eq!(claims["aud"], format!("{}/{}/oauth2/v2.0/token", fake.url, fake_graph::TENANT));
    assert_eq!(claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(), 600);
    assert_eq!(claims["nbf"], claims["iat"]);

    // The same key as PKCS#1 is the same credential: the cached token serves it.
    all(graph.subscribed_skus(&with_cert(&cert.cert_pem, &cert.rsa_key_pem))).await;
    assert_eq!(fake.token_requests(), 1);
    // A secret for the same app, then the certificate again: each is a new token request.
    all(graph.subscribed_skus(&fake_graph::creds())).await;
    all(graph.subscribed_skus(&creds)).await;
    assert_eq!((fake.token_requests(), fake.secrets_sent()), (3, 1));
    let jtis: HashSet<String> = fake.assertions().iter().map(|(_, c)| c["jti"].to_string()).collect();
    assert_eq!(jtis.len(), 2, "a fresh jti per assertion");

    // A certificate Entra ID does not know: refused with its thumbprint and Entra ID's code.
    let unknown = with_cert(&other.cert_pem, &other.key_pem);
    let err = graph.access_token(&unknown).await.unwrap_err();
    let GraphError::Token(TokenError::CertificateRefused { thumbprint, code }) = &err else { panic!("{err:?}") };
    assert_eq!((thumbprint.as_str(), code.as_str()), (other.thumbprint.as_str(), "AADSTS700027"));
    assert!(err.to_string().contains("Certificates & secrets"), "{err}");
    // Entra ID knows the thumbprint but with another key: the signature does not verify.
    let fake = FakeGraph::start().await;
    fake.trust_certificate(&cert.thumbprint, &other.public_key_der);
    let err = fake.client().access_token(&creds).await.unwrap_err();
    assert!(matches!(&err, GraphError::Token(TokenError::CertificateRefused { .. })), "{err:?}");
    assert!(fake.assertions().is_empty());
}

#[tokio::test]
async fn graph_reads_every_area() {
    let fake = FakeGraph::start_with(TenantSpec { control_profiles: 150, ..Default::default() }).await;
    let graph = fake.client();
    let creds = creds();

    let skus = all(graph.subscribed_skus(&creds)).await;
    let spb = skus.iter().find(|s| s.sku_part_number == "SPB").unwrap();
    assert_eq!(spb.product_name(), "Microsoft 365 Business Premium");
    assert_eq!(spb.capability_status, Some(SkuStatus::Enabled));
    assert_eq!(spb.consumed_units, 6, "users 0, 5, 10, 15, 20, 25");
    assert_eq!(spb.prepaid_units.enabled, 11);
    let warned = skus.iter().find(|s| s.sku_part_number == "EXCHANGESTANDARD").unwrap();
    assert_eq!(warned.capability_status, Some(SkuStatus::Warning));
    assert_eq!(warned.prepaid_units.warning, 10);
    assert_eq!(
        skus.iter().find(|s| s.sku_part_number == "CONTOSO_CUSTOM_ADDON").unwrap().product_name(),
        "CONTOSO_CUSTOM_ADDON"
    );
    assert!(fake.requests("/v1.0/subscribedSkus")[0].contains("$select=skuId,skuPartNumber"));

    let subs = all(graph.subscriptions(&creds)).await;
    assert_eq!(subs.len(), 5);
    assert_eq!(subs[1].total_licenses, 35);
    assert_eq!(subs[1].sku_part_number, "ENTERPRISEPACK");
    assert_eq!(subs[1].next_lifecycle_date_time, Some(datetime!(2026-02-15 00:00 UTC)));
    assert_eq!(subs[4].is_trial, Some(true));

    let scores = all(graph.secure_scores(&creds, 90)).await;
    assert_eq!(scores.len(), 30);
    assert_eq!(scores[0].current_score, 60.5);
    assert_eq!(scores[0].max_score, 120.0);
    assert_eq!(scores[0].created_date_time, Some(datetime!(2025-06-30 03:00 UTC)));
    assert_eq!(scores[1].created_date_time, Some(datetime!(2025-06-29 03:00 UTC)));
    assert_eq!(scores[0].control_scores[0].control_name, "AdminMFAV2");
    assert_eq!(scores[0].control_scores[1].score, Some(0.0));
    assert_eq!(fake.requests("/v1.0/security/secureScores")[0], "/v1.0/security/secureScores?$top=90");

    let controls = all(graph.control_profiles(&creds)).await;
    assert_eq!(controls.len(), 150, "two pages");
    assert_eq!(fake.requests("/v1.0/security/secureScoreControlProfiles").len(), 2);
    let c = &controls[4];
    assert_eq!(c.id, "Control4");
    assert_eq!(c.rank, Some(5));
    assert_eq!(c.max_score, Some(5.0));
    assert_eq!(c.implementation_cost, Some(portico::integrations::graph::Impact::Moderate));
    assert_eq!(c.user_impact, Some(portico::integrations::graph::Impact::High));
    assert!(c.action_url.as_deref().unwrap().starts_with("https://security.microsoft.com/"));
    assert!(controls[5].deprecated && !controls[4].deprecated);

    let alerts = all(graph.alerts(&creds)).await;
    assert_eq!(alerts.len(), 5);
    assert_eq!(alerts[2].severity, Some(AlertSeverity::High));
    assert_eq!(alerts[1].status, Some(AlertStatus::InProgress));
    assert_eq!(alerts[0].service_source.as_deref(), Some("microsoftDefenderForEndpoint"));
    assert_eq!(alerts[0].created_date_time, Some(datetime!(2025-06-28 12:19:27.7211305 UTC)));

    let health = all(graph.service_health(&creds)).await;
    assert_eq!(health[0].service, "Exchange Online");
    assert_eq!(health[0].status, Some(ServiceHealthStatus::ServiceOperational));
    assert_eq!(health[1].status, Some(ServiceHealthStatus::ServiceDegradation));
    assert!(!health[1].status.as_ref().unwrap().is_healthy());

    let issues = all(graph.service_issues(&creds)).await;
    assert_eq!(issues.len(), 3);
    assert_eq!(issues[0].id, "EX226792");
    assert_eq!(issues[0].classification, Some(IssueClassification::Incident));
    assert_eq!(issues[1].classification, Some(IssueClassification::Advisory));
    assert!(issues[0].is_resolved && !issues[1].is_resolved);
    assert_eq!(issues[1].latest_post(), Some("Issue 1: latest update."));
    assert_eq!(issues[1].start_date_time, Some(datetime!(2025-06-02 21:00 UTC)));

    let groups = all(graph.groups(&creds)).await;
    assert_eq!(groups.len(), 4);
    assert!(groups[0].is_microsoft_365() && !groups[1].is_microsoft_365());
    assert_eq!(groups[0].mail.as_deref(), Some("group0@contoso.test"));
    assert_eq!(groups[1].security_enabled, Some(true));
    for (i, g) in groups.iter().enumerate() {
        assert_eq!(graph.group_member_count(&creds, &g.id).await.unwrap(), fake_graph::member_count(i));
    }
    let err = graph.group_member_count(&creds, "../users").await.unwrap_err();
    assert!(matches!(err, GraphError::Invalid { area: Area::Groups, .. }));
    let err = graph.group_member_count(&creds, "00000000-0000-4000-9000-999999999999").await.unwrap_err();
    assert!(matches!(err, GraphError::Api { status: 404, .. }), "{err:?}");
}

#[tokio::test]
async fn graph_parsing_tolerates_new_fields_values_and_spellings() {
    let fake = FakeGraph::start().await;
    let graph = fake.client();
    let creds = creds();
    fake.set_extra_fields(true);
    fake.set_unknown_enums(true);
    fake.set_camel_case(true);

    let mut users = graph.users(&creds).await.unwrap();
    assert_eq!(users.next_page().await.unwrap().unwrap().len(), 30);

    let skus = all(graph.subscribed_skus(&creds)).await;
    assert_eq!(skus[4].capability_status, Some(SkuStatus::Other("unknownFutureValue".into())));
    assert_eq!(skus[0].capability_status, Some(SkuStatus::Enabled));

    let alerts = all(graph.alerts(&creds)).await;
    assert_eq!(alerts[0].severity, Some(AlertSeverity::Other("unknownFutureValue".into())));
    assert_eq!(alerts[0].status, Some(AlertStatus::Other("underReview".into())));
    assert_eq!(alerts[0].service_source.as_deref(), Some("microsoftDefenderForCloud"));
    assert_eq!(alerts[1].severity, Some(AlertSeverity::Medium));

    let health = all(graph.service_health(&creds)).await;
    assert_eq!(health[0].status, Some(ServiceHealthStatus::ServiceOperational));
    assert_eq!(health[2].status, Some(ServiceHealthStatus::ServiceOperational));
    assert_eq!(health[3].status, Some(ServiceHealthStatus::Other("unknownFutureValue".into())));

    let issues = all(graph.service_issues(&creds)).await;
    assert_eq!(issues[0].classification, Some(IssueClassification::Incident));
    assert_eq!(issues[0].status, Some(ServiceHealthStatus::ServiceRestored));
    assert_eq!(issues[2].status, Some(ServiceHealthStatus::Investigating));

    assert_eq!(all(graph.subscriptions(&creds)).await.len(), 5);
    assert_eq!(all(graph.secure_scores(&creds, 3)).await.len(), 3);
    assert_eq!(all(graph.control_profiles(&creds)).await.len(), 12);
    assert_eq!(all(graph.groups(&creds)).await.len(), 4);
    let mut delta = graph.users_delta(&creds, None).unwrap();
    assert_eq!(delta.next_page().await.unwrap().unwrap().len(), 30);
}
