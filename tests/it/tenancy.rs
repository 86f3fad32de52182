//! Tenant isolation and roles, route by route: every page and API endpoint is tried as a
//! user of another customer, as staff of another MSP, and as each lower role. Another
//! tenant's object is a 404 (its existence is not revealed); a lower role is a 403.

use reqwest::{Client, Method, StatusCode};
use serde_json::json;

use crate::helpers::{csrf_of, TestApp};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Who {
    ContosoAdmin,
    ContosoStandard,
    ContosoLimited,
    FabrikamAdmin,
    OtherMspPortal,
    Owner,
    Tech,
    OtherMspOwner,
}
use Who::*;

/// (method, path, body, who gets 404, who gets 403)
type ApiCase = (Method, String, Option<serde_json::Value>, Vec<Who>, Vec<Who>);

const EVERYONE: [Who; 8] =
    [ContosoAdmin, ContosoStandard, ContosoLimited, FabrikamAdmin, OtherMspPortal, Owner, Tech, OtherMspOwner];

struct Actors {
    clients: Vec<(Who, Client)>,
}

impl Actors {
    async fn new(app: &TestApp) -> Actors {
        let mut clients = vec![];
        for who in EVERYONE {
            let c = match who {
                ContosoAdmin => app.signed_in("admin@contoso.test").await,
                ContosoStandard => app.signed_in("standard@contoso.test").await,
                ContosoLimited => app.signed_in("limited@contoso.test").await,
                FabrikamAdmin => app.signed_in("admin@fabrikam.test").await,
                OtherMspPortal => app.other_signed_in(crate::helpers::OTHER_PORTAL).await,
                Owner => app.signed_in("owner@northwind.test").await,
                Tech => app.signed_in("tech@northwind.test").await,
                OtherMspOwner => app.other_signed_in(crate::helpers::OTHER_STAFF).await,
            };
            clients.push((who, c));
        }
        Actors { clients }
    }

    fn client(&self, who: Who) -> &Client {
        &self.clients.iter().find(|(w, _)| *w == who).unwrap().1
    }
}

fn base(app: &TestApp, who: Who) -> String {
    if matches!(who, OtherMspPortal | OtherMspOwner) {
        app.other_url("")
    } else {
        app.url("")
    }
}

/// Sends a page request as `who`, with a valid CSRF token for POSTs.
async fn page_request(app: &TestApp, actors: &Actors, who: Who, method: &Method, path: &str) -> StatusCode {
    let c = actors.client(who);
    let base = base(app, who);
    if method == Method::GET {
        return c.get(format!("{base}{path}")).send().await.unwrap().status();
    }
    let html = c.get(format!("{base}/account")).send().await.unwrap().text().await.unwrap();
    let token = csrf_of(&html);
    let fields = [
        ("_csrf", token.as_str()),
        ("role", "standard"),
        ("active", "true"),
        ("name", "Probe"),
        ("email", "probe@probe.test"),
    ];
    c.post(format!("{base}{path}")).form(&fields).send().await.unwrap().status()
}

/// Attaches a file to ticket `tn` of the customer as its admin; returns the attachment's id.
async fn attach_probe(app: &TestApp, customer: portico::model::CustomerId, tn: i64) -> String {
    let file = reqwest::multipart::Part::bytes(crate::helpers::PNG.to_vec()).file_name("probe.png");
    let r: serde_json::Value = Client::new()
        .post(app.url(&format!("/api/portal/customers/{customer}/tickets/{tn}/attachments")))
        .bearer_auth(app.token("admin@contoso.test").await)
        .multipart(reqwest::multipart::Form::new().part("files", file))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    r[0]["id"].as_str().expect("attached").to_string()
}

#[tokio::test]
async fn every_page_refuses_other_tenants_and_lower_roles() {
    let app = TestApp::spawn().await;
    let actors = Actors::new(&app).await;
    let contoso = app.customer_id("Contoso Ltd").await;
    let lee = app.user_id("limited@contoso.test").await;
    let tech = app.user_id("tech@northwind.test").await;
    let owner = app.signed_in("owner@northwind.test").await;
    let html =
        crate::helpers::post_form(&owner, &app.url("/msp/tokens"), &app.url("/msp/tokens"), &[("name", "probe")])
            .await
            .text()
            .await
            .unwrap();
    let token_id = {
        let at = html.find("/msp/tokens/").unwrap() + "/msp/tokens/".len();
        html[at..at + 36].to_string()
    };
    let portal = [ContosoAdmin, ContosoStandard, ContosoLimited, FabrikamAdmin, OtherMspPortal];
    // A Contoso ticket raised by its admin, which Megan (standard) neither raised nor watches.
    let admin_id = app.user_id("admin@contoso.test").await;
    let filter =
        portico::db::tickets::Filter { customer: Some(contoso), involving: Some(admin_id), ..Default::default() };
    let (rows, _) = portico::db::tickets::list(
        app.db(),
        app.msp().await,
        &filter,
        (portico::db::tickets::Sort::Number, false),
        50,
        0,
    )
    .await
    .unwrap();
    let ticket = rows.iter().find(|t| t.requester_id == Some(admin_id)).expect("a demo ticket of the admin");
    let tn = ticket.number;
    let comment = portico::db::tickets::comments(app.db(), app.msp().await, ticket.id, true)
        .await
        .unwrap()
        .first()
        .map(|c| c.id)
        .unwrap_or_else(uuid::Uuid::now_v7);
    let not_involved = [ContosoStandard, FabrikamAdmin, OtherMspPortal];
    // A notification of Lee's and a queued mail of Northwind's.
    let (note, job) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
    let fx = portico::db::jobs::Effects {
        notifications: vec![portico::db::jobs::NewNotification {
            id: note,
            msp_id: app.msp().await.0,
            user_id: lee,
            category: "ticket_updates",
            title: "Probe".into(),
            body: "Probe".into(),
            link: "/tickets".into(),
        }],
        jobs: vec![portico::db::jobs::NewJob {
            id: job,
            msp_id: Some(app.msp().await.0),
            kind: "email",
            payload: "{}".into(),
            summary: "probe".into(),
            max_attempts: 1,
            dedupe_key: None,
        }],
    };
    portico::db::jobs::write(app.db(), &fx, portico::model::now()).await.unwrap();
    app.exec("UPDATE jobs SET failed_at = created_at WHERE id = $1", job).await;
    let all_but_lee: Vec<Who> = EVERYONE.iter().copied().filter(|w| *w != ContosoLimited).collect();
    // Northwind's own ticket settings rows, which Litware's staff must not reach.
    let settings = portico::services::tickets::settings(app.db(), app.msp().await).await.unwrap();
    let status = settings.statuses.iter().find(|s| !s.is_default).unwrap().id;
    let priority = settings.priorities.iter().find(|p| !p.is_default).unwrap().id;
    let category = settings.categories[0].id;
    let attachment = attach_probe(&app, contoso, tn).await;
    // A Contoso Microsoft 365 user and a SKU only Contoso has.
    let contoso_scope = app.scope(contoso).await;
    let sort = (portico::db::m365::UserSort::Name, false);
    let (m365_users, _) =
        portico::db::m365::users(app.db(), contoso_scope, &Default::default(), sort, 1, 0).await.unwrap();
    let m365_user = m365_users[0].id.clone();
    let spb = "cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46";
    let staff_all = vec![Owner, Tech, OtherMspOwner];
    let not_contoso = vec![FabrikamAdmin, OtherMspPortal, Owner, Tech, OtherMspOwner];
    let console_outsiders = [&portal[..], &[OtherMspOwner]].concat();
    let g = Method::GET;
    let p = Method::POST;
    // (method, path, who gets 404, who gets 403)
    let cases: Vec<(Method, String, Vec<Who>, Vec<Who>)> = vec![
        (g.clone(), "/company/users".into(), vec![], vec![ContosoStandard, ContosoLimited]),
        (p.clone(), "/company/users".into(), vec![], vec![ContosoStandard, ContosoLimited]),
        (
            p.clone(),
            format!("/company/users/{lee}/role"),
            vec![FabrikamAdmin, OtherMspPortal],
            vec![ContosoStandard, ContosoLimited],
        ),
        (
            p.clone(),
            format!("/company/users/{lee}/active"),
            vec![FabrikamAdmin, OtherMspPortal],
            vec![ContosoStandard, ContosoLimited],
        ),
        (
            p.clone(),
            format!("/company/users/{lee}/link"),
            vec![FabrikamAdmin, OtherMspPortal],
            vec![ContosoStandard, ContosoLimited],
        ),
        (g.clone(), "/msp/customers".into(), portal.to_vec(), vec![]),
        (g.clone(), "/msp/customers/new".into(), portal.to_vec(), vec![Tech]),
        (p.clone(), "/msp/customers".into(), portal.to_vec(), vec![Tech]),
        (g.clone(), format!("/msp/customers/{contoso}"), [&portal[..], &[OtherMspOwner]].concat(), vec![]),
        (p.clone(), format!("/msp/customers/{contoso}"), [&portal[..], &[OtherMspOwner]].concat(), vec![Tech]),
        (p.clone(), format!("/msp/customers/{contoso}/users"), [&portal[..], &[OtherMspOwner]].concat(), vec![]),
        (
            p.clone(),
            format!("/msp/customers/{contoso}/users/{lee}/role"),
            [&portal[..], &[OtherMspOwner]].concat(),
            vec![],
        ),
        (
            p.clone(),
            format!("/msp/customers/{contoso}/users/{lee}/active"),
            [&portal[..], &[OtherMspOwner]].concat(),
            vec![],
        ),
        (
            p.clone(),
            format!("/msp/customers/{contoso}/users/{lee}/link"),
            [&portal[..], &[OtherMspOwner]].concat(),
            vec![],
        ),
        (g.clone(), "/msp/staff".into(), portal.to_vec(), vec![]),
        (p.clone(), "/msp/staff".into(), portal.to_vec(), vec![Tech]),
        (p.clone(), format!("/msp/staff/{tech}/role"), [&portal[..], &[OtherMspOwner]].concat(), vec![Tech]),
        (p.clone(), format!("/msp/staff/{tech}/active"), [&portal[..], &[OtherMspOwner]].concat(), vec![Tech]),
        (g.clone(), "/msp/branding".into(), portal.to_vec(), vec![Tech]),
        (p.clone(), "/msp/branding".into(), portal.to_vec(), vec![Tech]),
        (p.clone(), "/msp/branding/logo".into(), portal.to_vec(), vec![Tech]),
        (p.clone(), "/msp/branding/favicon".into(), portal.to_vec(), vec![Tech]),
        (g.clone(), "/msp/tokens".into(), portal.to_vec(), vec![Tech]),
        (p.clone(), "/msp/tokens".into(), portal.to_vec(), vec![Tech]),
        (p.clone(), format!("/msp/tokens/{token_id}/revoke"), [&portal[..], &[OtherMspOwner]].concat(), vec![Tech]),
        (g.clone(), format!("/tickets/{tn}"), not_involved.to_vec(), vec![]),
        (p.clone(), format!("/tickets/{tn}/comments"), not_involved.to_vec(), vec![]),
        (p.clone(), format!("/tickets/{tn}/status"), not_involved.to_vec(), vec![]),
        (p.clone(), format!("/tickets/{tn}/comments/{comment}/edit"), not_involved.to_vec(), vec![]),
        (p.clone(), format!("/tickets/{tn}/comments/{comment}/delete"), not_involved.to_vec(), vec![]),
        (g.clone(), format!("/tickets/{tn}"), vec![Owner, Tech, OtherMspOwner], vec![]),
        (g.clone(), "/msp/tickets".into(), portal.to_vec(), vec![]),
        (g.clone(), "/msp/tickets/new".into(), portal.to_vec(), vec![]),
        (g.clone(), format!("/msp/tickets/{tn}"), [&portal[..], &[OtherMspOwner]].concat(), vec![]),
        (p.clone(), format!("/msp/tickets/{tn}"), [&portal[..], &[OtherMspOwner]].concat(), vec![]),
        (p.clone(), format!("/msp/tickets/{tn}/comments"), [&portal[..], &[OtherMspOwner]].concat(), vec![]),
        (
            p.clone(),
            format!("/msp/tickets/{tn}/comments/{comment}/edit"),
            [&portal[..], &[OtherMspOwner]].concat(),
            vec![],
        ),
        (
            p.clone(),
            format!("/msp/tickets/{tn}/comments/{comment}/delete"),
            [&portal[..], &[OtherMspOwner]].concat(),
            vec![],
        ),
        (g.clone(), "/tickets".into(), vec![Owner, Tech, OtherMspOwner], vec![]),
        (g.clone(), "/tickets/new".into(), vec![Owner, Tech, OtherMspOwner], vec![]),
        (p.clone(), "/tickets".into(), vec![Owner, Tech, OtherMspOwner], vec![]),
        (p.clone(), "/msp/tickets".into(), portal.to_vec(), vec![]),
        (
            p.clone(),
            format!("/company/users/{lee}/2fa-reset"),
            vec![FabrikamAdmin, OtherMspPortal],
            vec![ContosoStandard, ContosoLimited],
        ),
        (
            p.clone(),
            format!("/company/users/{lee}/tickets"),
            vec![FabrikamAdmin, OtherMspPortal],
            vec![ContosoStandard, ContosoLimited],
        ),
        (
            p.clone(),
            format!("/msp/customers/{contoso}/users/{lee}/2fa-reset"),
            [&portal[..], &[OtherMspOwner]].concat(),
            vec![],
        ),
        (
            p.clone(),
            format!("/msp/customers/{contoso}/users/{lee}/tickets"),
            [&portal[..], &[OtherMspOwner]].concat(),
            vec![],
        ),
        (g.clone(), "/msp/settings/tickets".into(), portal.to_vec(), vec![Tech]),
        (p.clone(), "/msp/settings/tickets/categories".into(), portal.to_vec(), vec![Tech]),
        (g.clone(), "/msp/settings/email".into(), portal.to_vec(), vec![Tech]),
        (p.clone(), "/msp/settings/email/sender".into(), portal.to_vec(), vec![Tech]),
        (p.clone(), "/msp/settings/email/defaults".into(), portal.to_vec(), vec![Tech]),
        (g.clone(), "/msp/settings/email/templates/ticket_reply".into(), portal.to_vec(), vec![Tech]),
        (p.clone(), "/msp/settings/email/templates/ticket_reply".into(), portal.to_vec(), vec![Tech]),
        (p.clone(), "/msp/settings/email/templates/ticket_reply/preview".into(), portal.to_vec(), vec![Tech]),
        (p.clone(), "/msp/settings/email/templates/ticket_reply/reset".into(), portal.to_vec(), vec![Tech]),
        (
            p.clone(),
            format!("/msp/settings/email/outbox/{job}/retry"),
            [&portal[..], &[OtherMspOwner]].concat(),
            vec![Tech],
        ),
        (p.clone(), format!("/notifications/{note}/open"), all_but_lee, vec![]),
        (p.clone(), "/msp/settings/tickets/statuses".into(), portal.to_vec(), vec![Tech]),
        (p.clone(), "/msp/settings/tickets/replies".into(), portal.to_vec(), vec![Tech]),
        (p.clone(), "/msp/settings/tickets/priorities".into(), portal.to_vec(), vec![Tech]),
        (
            p.clone(),
            format!("/msp/settings/tickets/statuses/{status}"),
            [&portal[..], &[OtherMspOwner]].concat(),
            vec![Tech],
        ),
        (
            p.clone(),
            format!("/msp/settings/tickets/statuses/{status}/default"),
            [&portal[..], &[OtherMspOwner]].concat(),
            vec![Tech],
        ),
        (
            p.clone(),
            format!("/msp/settings/tickets/statuses/{status}/move"),
            [&portal[..], &[OtherMspOwner]].concat(),
            vec![Tech],
        ),
        (
            p.clone(),
            format!("/msp/settings/tickets/statuses/{status}/delete"),
            [&portal[..], &[OtherMspOwner]].concat(),
            vec![Tech],
        ),
        (
            p.clone(),
            format!("/msp/settings/tickets/priorities/{priority}"),
            [&portal[..], &[OtherMspOwner]].concat(),
            vec![Tech],
        ),
        (
            p.clone(),
            format!("/msp/settings/tickets/priorities/{priority}/default"),
            [&portal[..], &[OtherMspOwner]].concat(),
            vec![Tech],
        ),
        (
            p.clone(),
            format!("/msp/settings/tickets/priorities/{priority}/move"),
            [&portal[..], &[OtherMspOwner]].concat(),
            vec![Tech],
        ),
        (
            p.clone(),
            format!("/msp/settings/tickets/priorities/{priority}/delete"),
            [&portal[..], &[OtherMspOwner]].concat(),
            vec![Tech],
        ),
        (
            p.clone(),
            format!("/msp/settings/tickets/categories/{category}"),
            [&portal[..], &[OtherMspOwner]].concat(),
            vec![Tech],
        ),
        (
            p.clone(),
            format!("/msp/settings/tickets/categories/{category}/delete"),
            [&portal[..], &[OtherMspOwner]].concat(),
            vec![Tech],
        ),
        (g.clone(), format!("/tickets/{tn}/attachments/{attachment}"), not_involved.to_vec(), vec![]),
        (g.clone(), format!("/tickets/{tn}/attachments/{attachment}"), vec![Owner, Tech, OtherMspOwner], vec![]),
        (
            g.clone(),
            format!("/msp/tickets/{tn}/attachments/{attachment}"),
            [&portal[..], &[OtherMspOwner]].concat(),
            vec![],
        ),
        (g.clone(), "/msp/settings/m365".into(), portal.to_vec(), vec![]),
        (p.clone(), "/msp/settings/m365".into(), portal.to_vec(), vec![Tech]),
        (g.clone(), format!("/msp/customers/{contoso}/m365/sync"), [&portal[..], &[OtherMspOwner]].concat(), vec![]),
        (p.clone(), format!("/msp/customers/{contoso}/m365/test"), [&portal[..], &[OtherMspOwner]].concat(), vec![]),
        (p.clone(), format!("/msp/customers/{contoso}/m365/sync"), [&portal[..], &[OtherMspOwner]].concat(), vec![]),
        (g.clone(), "/users".into(), staff_all.clone(), vec![ContosoLimited]),
        (g.clone(), format!("/users/{m365_user}"), not_contoso.clone(), vec![ContosoLimited]),
        (g.clone(), "/groups".into(), staff_all.clone(), vec![ContosoLimited]),
        (g.clone(), "/licenses".into(), staff_all.clone(), vec![ContosoLimited]),
        (g.clone(), "/licenses/unused".into(), staff_all.clone(), vec![ContosoLimited]),
        (g.clone(), format!("/licenses/{spb}"), not_contoso.clone(), vec![ContosoLimited]),
        (p.clone(), "/licenses/request".into(), staff_all.clone(), vec![ContosoLimited]),
        (g.clone(), "/security".into(), staff_all.clone(), vec![ContosoLimited]),
        (g.clone(), "/service-health".into(), staff_all.clone(), vec![ContosoLimited]),
        (g.clone(), format!("/msp/customers/{contoso}/m365"), console_outsiders.clone(), vec![]),
        (g.clone(), format!("/msp/customers/{contoso}/m365/users"), console_outsiders.clone(), vec![]),
        (g.clone(), format!("/msp/customers/{contoso}/m365/users/{m365_user}"), console_outsiders.clone(), vec![]),
        (g.clone(), format!("/msp/customers/{contoso}/m365/groups"), console_outsiders.clone(), vec![]),
        (g.clone(), format!("/msp/customers/{contoso}/m365/licenses"), console_outsiders.clone(), vec![]),
        (g.clone(), format!("/msp/customers/{contoso}/m365/licenses/unused"), console_outsiders.clone(), vec![]),
        (g.clone(), format!("/msp/customers/{contoso}/m365/licenses/{spb}"), console_outsiders.clone(), vec![]),
        (g.clone(), format!("/msp/customers/{contoso}/m365/security"), console_outsiders.clone(), vec![]),
        (g.clone(), format!("/msp/customers/{contoso}/m365/service-health"), console_outsiders.clone(), vec![]),
        (g.clone(), format!("/msp/customers/{contoso}/m365/settings"), console_outsiders.clone(), vec![]),
        (p.clone(), format!("/msp/customers/{contoso}/m365/settings/options"), console_outsiders.clone(), vec![Tech]),
        (p.clone(), format!("/msp/customers/{contoso}/m365/settings/prices"), console_outsiders.clone(), vec![Tech]),
        // One's own account: nobody else's to reach, but never open to the signed-out.
        (g.clone(), "/notifications".into(), vec![], vec![]),
        (g.clone(), "/notifications/unread".into(), vec![], vec![]),
        (p.clone(), "/notifications/read-all".into(), vec![], vec![]),
        (g.clone(), "/account/notifications".into(), vec![], vec![]),
        (p.clone(), "/account/notifications".into(), vec![], vec![]),
        (g.clone(), "/account".into(), vec![], vec![]),
        (p.clone(), "/account/password".into(), vec![], vec![]),
        (p.clone(), "/account/profile".into(), vec![], vec![]),
        (p.clone(), "/account/2fa/setup".into(), vec![], vec![]),
        (p.clone(), "/account/2fa/enable".into(), vec![], vec![]),
        (p.clone(), "/account/2fa/disable".into(), vec![], vec![]),
        (g.clone(), "/dashboard".into(), vec![], vec![]),
    ];
    let tried: Vec<(Method, String)> = cases.iter().map(|c| (c.0.clone(), c.1.clone())).collect();
    assert_every_route_is_tried(&page_routes(), &tried, PUBLIC_PAGES);
    for (method, path, not_found, forbidden) in &cases {
        for who in not_found {
            let s = page_request(&app, &actors, *who, method, path).await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{method} {path} as {who:?}");
        }
        for who in forbidden {
            let s = page_request(&app, &actors, *who, method, path).await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{method} {path} as {who:?}");
        }
    }
    // Signed-out visitors are sent to sign in, never shown anything.
    for (method, path, _, _) in &cases {
        let r = app.client().request(method.clone(), app.url(path)).send().await.unwrap();
        assert!(
            r.status() == StatusCode::SEE_OTHER
                || r.status() == StatusCode::FORBIDDEN
                || r.status() == StatusCode::BAD_REQUEST,
            "{method} {path}: {}",
            r.status()
        );
        if method == Method::GET {
            assert_eq!(r.status(), StatusCode::SEE_OTHER, "{path}");
        }
    }
    // The routes exist: the rightful actor gets through (the token was not revoked above).
    for (who, path) in [
        (ContosoAdmin, "/company/users".to_string()),
        (Owner, format!("/msp/customers/{contoso}")),
        (Owner, "/msp/tokens".into()),
        (Tech, "/msp/staff".into()),
        (Owner, "/msp/settings/email".into()),
        (ContosoLimited, "/notifications".into()),
        (ContosoAdmin, format!("/tickets/{tn}/attachments/{attachment}")),
        (Tech, format!("/msp/tickets/{tn}/attachments/{attachment}")),
        (ContosoStandard, format!("/users/{m365_user}")),
        (ContosoStandard, "/groups".into()),
        (Tech, format!("/msp/customers/{contoso}/m365/groups")),
        (ContosoStandard, format!("/licenses/{spb}")),
        (ContosoStandard, "/service-health".into()),
        (Tech, format!("/msp/customers/{contoso}/m365/settings")),
    ] {
        assert_eq!(page_request(&app, &actors, who, &Method::GET, &path).await, StatusCode::OK, "{path} as {who:?}");
    }
    let still_listed = owner.get(app.url("/msp/tokens")).send().await.unwrap().text().await.unwrap();
    assert!(!still_listed.contains("badge off\">Revoked"), "no refused request revoked the token");
}

#[tokio::test]
async fn every_api_endpoint_refuses_other_tenants_and_lower_roles() {
    let app = TestApp::spawn().await;
    let contoso = app.customer_id("Contoso Ltd").await;
    let tokens = [
        (ContosoAdmin, app.token("admin@contoso.test").await),
        (ContosoStandard, app.token("standard@contoso.test").await),
        (ContosoLimited, app.token("limited@contoso.test").await),
        (FabrikamAdmin, app.token("admin@fabrikam.test").await),
        (OtherMspPortal, app.other_token(crate::helpers::OTHER_PORTAL).await),
        (Owner, app.token("owner@northwind.test").await),
        (Tech, app.token("tech@northwind.test").await),
        (OtherMspOwner, app.other_token(crate::helpers::OTHER_STAFF).await),
    ];
    let token = |who: Who| tokens.iter().find(|(w, _)| *w == who).unwrap().1.clone();
    let portal_all = [ContosoAdmin, ContosoStandard, ContosoLimited, FabrikamAdmin, OtherMspPortal];
    let foreign = [FabrikamAdmin, OtherMspPortal, OtherMspOwner];
    let patch = json!({"name": "Contoso Ltd"});
    // A ticket of Contoso's admin with a file, which its standard and limited users don't see.
    let raised: serde_json::Value = Client::new()
        .post(app.url(&format!("/api/portal/customers/{contoso}/tickets")))
        .bearer_auth(token(ContosoAdmin))
        .json(&json!({"title": "Probe", "description": "Probe"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let tn = raised["number"].as_i64().unwrap();
    let attachment = attach_probe(&app, contoso, tn).await;
    let files = format!("/api/portal/customers/{contoso}/tickets/{tn}/attachments");
    let outsiders = [&[ContosoStandard, ContosoLimited][..], &foreign[..]].concat();
    let contoso_scope = app.scope(contoso).await;
    let sort = (portico::db::m365::UserSort::Name, false);
    let (m365_users, _) =
        portico::db::m365::users(app.db(), contoso_scope, &Default::default(), sort, 1, 0).await.unwrap();
    let m365 = format!("/api/portal/customers/{contoso}");
    let portal_users = format!("/api/portal/customers/{contoso}/portal-users");
    let lee = app.user_id("limited@contoso.test").await;
    let m365_user = format!("/users/{}", m365_users[0].id);
    let mut cases: Vec<ApiCase> =
        ["/users", &m365_user, "/groups", "/licenses", "/licenses/unused", "/security", "/service-health"]
            .iter()
            .map(|sub| (Method::GET, format!("{m365}{sub}"), None, foreign.to_vec(), vec![ContosoLimited]))
            .collect();
    // A comment of the admin's on that ticket, to try editing and deleting it.
    let said: serde_json::Value = app
        .client()
        .post(app.url(&format!("/api/portal/customers/{contoso}/tickets/{tn}/comments")))
        .bearer_auth(token(ContosoAdmin))
        .json(&json!({"body": "Probe"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let comment = said["id"].as_str().expect("comment made").to_string();
    let ticket = format!("/api/portal/customers/{contoso}/tickets/{tn}");
    let portal_everyone = vec![ContosoAdmin, ContosoStandard, ContosoLimited, FabrikamAdmin, OtherMspPortal];
    cases.extend(vec![
        // Lists everyone may read: each caller sees their own MSP's (checked further down).
        (Method::GET, "/api/portal/customers".into(), None, vec![], vec![]),
        (Method::GET, "/api/portal/settings/branding".into(), None, vec![], vec![]),
        (Method::GET, "/api/portal/ticket-settings".into(), None, vec![], vec![]),
        (Method::GET, "/api/portal/tickets".into(), None, vec![], portal_everyone),
        (Method::GET, format!("/api/portal/customers/{contoso}/tickets"), None, foreign.to_vec(), vec![]),
        (
            Method::POST,
            format!("/api/portal/customers/{contoso}/tickets"),
            Some(json!({"title": "Probe", "description": "Probe"})),
            foreign.to_vec(),
            vec![],
        ),
        (Method::GET, ticket.clone(), None, outsiders.clone(), vec![]),
        (Method::PATCH, ticket.clone(), Some(json!({})), outsiders.clone(), vec![]),
        (Method::GET, format!("{ticket}/comments"), None, outsiders.clone(), vec![]),
        (Method::POST, format!("{ticket}/comments"), Some(json!({"body": "Probe"})), outsiders.clone(), vec![]),
        (
            Method::PATCH,
            format!("{ticket}/comments/{comment}"),
            Some(json!({"body": "Probe"})),
            outsiders.clone(),
            vec![],
        ),
        (Method::DELETE, format!("{ticket}/comments/{comment}"), None, outsiders.clone(), vec![]),
        (Method::GET, files.clone(), None, outsiders.clone(), vec![]),
        (Method::POST, files.clone(), None, outsiders.clone(), vec![]),
        (Method::GET, format!("{files}/{attachment}"), None, outsiders.clone(), vec![]),
        (Method::GET, format!("/api/portal/customers/{contoso}"), None, foreign.to_vec(), vec![]),
        (Method::GET, format!("/api/portal/customers/{contoso}/dashboard"), None, foreign.to_vec(), vec![]),
        (
            Method::GET,
            format!("/api/portal/customers/{contoso}/sync"),
            None,
            foreign.to_vec(),
            vec![ContosoAdmin, ContosoStandard, ContosoLimited],
        ),
        (
            Method::POST,
            format!("/api/portal/customers/{contoso}/sync"),
            None,
            foreign.to_vec(),
            vec![ContosoAdmin, ContosoStandard, ContosoLimited],
        ),
        (Method::GET, portal_users.clone(), None, foreign.to_vec(), vec![ContosoStandard, ContosoLimited]),
        (
            Method::POST,
            portal_users.clone(),
            Some(json!({"name": "Probe", "email": "probe@contoso.test", "role": "limited"})),
            foreign.to_vec(),
            vec![ContosoStandard, ContosoLimited],
        ),
        (
            Method::PATCH,
            format!("{portal_users}/{lee}"),
            Some(json!({"role": "limited"})),
            foreign.to_vec(),
            vec![ContosoStandard, ContosoLimited],
        ),
        (Method::GET, "/api/portal/staff".into(), None, vec![], portal_all.to_vec()),
        (Method::GET, "/api/portal/settings/m365".into(), None, vec![], portal_all.to_vec()),
        (
            Method::PUT,
            "/api/portal/settings/m365".into(),
            Some(json!({"client_id": "a1b2c3d4-0000-4000-8000-00000000c0de", "client_secret": "probe-secret-value"})),
            vec![],
            [&portal_all[..], &[Tech]].concat(),
        ),
        (
            Method::PATCH,
            format!("/api/portal/customers/{contoso}"),
            Some(patch.clone()),
            foreign.to_vec(),
            vec![ContosoAdmin, ContosoStandard, ContosoLimited, Tech],
        ),
        (
            Method::POST,
            "/api/portal/customers".into(),
            Some(json!({"name": "Probe"})),
            vec![],
            [&portal_all[..], &[Tech]].concat(),
        ),
        (
            Method::PUT,
            "/api/portal/settings/branding".into(),
            Some(json!({})),
            vec![],
            [&portal_all[..], &[Tech]].concat(),
        ),
    ]);
    let mut tried: Vec<(Method, String)> =
        cases.iter().map(|c| (c.0.clone(), format!("/api{}", c.1.trim_start_matches("/api")))).collect();
    tried.extend(LOGO_ROUTES.iter().map(|p| (Method::PUT, p.to_string())));
    assert_every_route_is_tried(&api_routes(), &tried, PUBLIC_API);
    for (method, path, body, not_found, forbidden) in &cases {
        for (who, expected) in not_found
            .iter()
            .map(|w| (w, StatusCode::NOT_FOUND))
            .chain(forbidden.iter().map(|w| (w, StatusCode::FORBIDDEN)))
        {
            // Each MSP's token is used on its own MSP's host (elsewhere it is no credential).
            let url = format!("{}{path}", base(&app, *who));
            let mut req = app.client().request(method.clone(), url).bearer_auth(token(*who));
            if let Some(b) = body {
                req = req.json(b);
            }
            let r = req.send().await.unwrap();
            assert_eq!(r.status(), expected, "{method} {path} as {who:?}");
        }
    }
    for (what, path) in [("logo", LOGO_ROUTES[0]), ("favicon", LOGO_ROUTES[1])] {
        for who in [ContosoAdmin, Tech, OtherMspPortal] {
            let r = app
                .client()
                .put(format!("{}{path}", base(&app, who)))
                .bearer_auth(token(who))
                .header("content-type", "image/png")
                .body(crate::helpers::PNG.to_vec())
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::FORBIDDEN, "{what} as {who:?}");
        }
    }
    // Another MSP's token sees its own branding and customers, never Northwind's.
    let r: serde_json::Value = app
        .client()
        .get(app.other_url("/api/portal/customers"))
        .bearer_auth(token(OtherMspOwner))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["total"], 1);
    assert_eq!(r["items"][0]["name"], "Woodgrove Bank");
    let r: serde_json::Value = app
        .client()
        .get(app.other_url("/api/portal/settings/branding"))
        .bearer_auth(token(OtherMspPortal))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["product_name"], "Litware MSP Portal");
    // And the rightful callers get through.
    for who in [ContosoAdmin, ContosoLimited, Owner, Tech] {
        let r = Client::new()
            .get(app.url(&format!("/api/portal/customers/{contoso}/dashboard")))
            .bearer_auth(token(who))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{who:?}");
    }
}

/// A token works only on its own MSP's hosts: on another MSP's host it is refused as no
/// credential at all (401), whatever it asks for, as a session cookie would be.
#[tokio::test]
async fn an_api_token_is_refused_on_another_msps_host() {
    let app = TestApp::spawn().await;
    let ours = app.token("owner@northwind.test").await;
    let theirs = app.other_token(crate::helpers::OTHER_STAFF).await;
    let contoso = app.customer_id("Contoso Ltd").await;
    for path in ["/api/portal/customers".to_string(), format!("/api/portal/customers/{contoso}/tickets")] {
        let r = app.client().get(app.other_url(&path)).bearer_auth(&ours).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "Northwind's token on Litware's host: {path}");
        let r = app.client().get(app.url(&path)).bearer_auth(&theirs).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "Litware's token on Northwind's host: {path}");
    }
    // Refused there, the tokens were not marked as used either.
    let used: i64 = portico::on_db!(app.db(), p => sqlx::query_scalar(
        "SELECT COUNT(*) FROM api_tokens WHERE last_used_at IS NOT NULL",
    ).fetch_one(p).await)
    .unwrap();
    assert_eq!(used, 0);
    let r = app.client().get(app.url("/api/portal/customers")).bearer_auth(&ours).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = app.client().get(app.other_url("/api/portal/customers")).bearer_auth(&theirs).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

const LOGO_ROUTES: [&str; 2] = ["/api/portal/settings/branding/logo", "/api/portal/settings/branding/favicon"];

/// Pages anyone may open, signed in or not, so no tenant or role is refused on them: sign-in,
/// invitation and reset links (their token is the credential), assets, health and metrics.
const PUBLIC_PAGES: &[&str] = &[
    "GET /",
    "GET /msp",
    "GET /login",
    "POST /login",
    "GET /msp/login",
    "POST /msp/login",
    "POST /logout",
    "GET /login/2fa",
    "POST /login/2fa",
    "GET /invite/{token}",
    "POST /invite/{token}",
    "GET /forgot-password",
    "POST /forgot-password",
    "GET /reset/{token}",
    "POST /reset/{token}",
    "GET /static/{name}",
    "GET /brand.css",
    "GET /brand/logo",
    "GET /brand/favicon",
    "GET /favicon.ico",
    "GET /healthz",
    "GET /readyz",
    "GET /metrics",
];

/// The document itself; every other API route is in the matrix.
const PUBLIC_API: &[&str] = &["GET /api/openapi.json"];

/// Every route the app serves, as written in the router's source: "METHOD /path/{param}".
/// Read from the source because axum does not list a router's routes; a route added without
/// a row in the matrix above fails `assert_every_route_is_tried`.
fn routes_in(files: &[std::path::PathBuf], prefix: &str) -> Vec<String> {
    let mut out = vec![];
    for f in files {
        let src = std::fs::read_to_string(f).unwrap();
        let mut rest = src.as_str();
        while let Some(at) = rest.find(".route(") {
            rest = &rest[at + ".route(".len()..];
            let arg = rest.trim_start();
            // The path is a literal, or a `const` of the same file (`.route(PATH, …)`).
            let (path, path_end) = if let Some(lit) = arg.strip_prefix('"') {
                let len = lit.find('"').unwrap();
                (lit[..len].to_string(), rest.len() - lit.len() + len + 1)
            } else {
                let name: String = arg.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                let decl = format!("const {name}: &str = \"");
                let at = src.find(&decl).unwrap_or_else(|| panic!("{name} in {}", f.display())) + decl.len();
                let value = src[at..at + src[at..].find('"').unwrap()].to_string();
                (value, rest.len() - arg.len() + name.len())
            };
            // The handlers: up to the `)` that closes `.route(`.
            let (mut depth, mut end) = (1, 0);
            for (i, c) in rest.char_indices() {
                match c {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                if depth == 0 {
                    end = i;
                    break;
                }
            }
            let handlers = &rest[path_end..end];
            for m in ["get", "post", "put", "patch", "delete"] {
                let called = handlers.match_indices(&format!("{m}(")).any(|(i, _)| {
                    i == 0 || !handlers.as_bytes()[i - 1].is_ascii_alphanumeric() && handlers.as_bytes()[i - 1] != b'_'
                });
                if called {
                    out.push(format!("{} {prefix}{path}", m.to_uppercase()));
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

fn rust_files(dir: &std::path::Path, into: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, into);
        } else if p.extension().is_some_and(|x| x == "rs") {
            into.push(p);
        }
    }
}

fn page_routes() -> Vec<String> {
    let http = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/http");
    let mut files = vec![http.join("assets.rs"), http.join("ops.rs")];
    rust_files(&http.join("pages"), &mut files);
    routes_in(&files, "")
}

fn api_routes() -> Vec<String> {
    let mut files = vec![];
    rust_files(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/http/api"), &mut files);
    routes_in(&files, "/api")
}

/// Whether a concrete path such as `/tickets/1042` is an instance of `/tickets/{number}`.
fn instance_of(path: &str, template: &str) -> bool {
    let path = path.split('?').next().unwrap_or(path);
    let (a, b): (Vec<&str>, Vec<&str>) = (path.split('/').collect(), template.split('/').collect());
    a.len() == b.len() && a.iter().zip(&b).all(|(x, t)| (t.starts_with('{') && !x.is_empty()) || x == t)
}

fn assert_every_route_is_tried(routes: &[String], tried: &[(Method, String)], public: &[&str]) {
    assert!(routes.len() > 10, "the router's source was read: {routes:?}");
    let missing: Vec<&String> = routes
        .iter()
        .filter(|r| !public.contains(&r.as_str()))
        .filter(|r| {
            let (m, template) = r.split_once(' ').unwrap();
            !tried.iter().any(|(method, path)| method.as_str() == m && instance_of(path, template))
        })
        .collect();
    assert!(missing.is_empty(), "routes not tried as the wrong tenant and role: {missing:#?}");
    for p in public {
        assert!(routes.iter().any(|r| r == p), "{p} is listed as public but is not a route");
    }
}

#[test]
fn the_route_reader_finds_every_method() {
    let api = api_routes();
    for r in [
        "GET /api/portal/customers",
        "POST /api/portal/customers",
        "PATCH /api/portal/customers/{id}/tickets/{ticket}/comments/{comment}",
        "DELETE /api/portal/customers/{id}/tickets/{ticket}/comments/{comment}",
        "POST /api/portal/customers/{id}/tickets/{ticket}/attachments",
    ] {
        assert!(api.iter().any(|x| x == r), "{r} in {api:#?}");
    }
    assert!(instance_of("/tickets/1042/comments", "/tickets/{number}/comments"));
    assert!(!instance_of("/tickets/1042", "/tickets/{number}/comments"));
}
