//! "A company keeps one active admin" and "an MSP keeps an owner" hold under concurrent
//! changes: twenty demotions at once leave exactly one, on either engine.

use futures_util::future::join_all;
use reqwest::StatusCode;

use crate::helpers::{csrf_of, sign_in, TestApp, PASSWORD};

const RING: &str = "a-ring-of-owners-2026";

async fn count(app: &TestApp, sql: &str, arg: impl Into<uuid::Uuid>) -> i64 {
    let arg: uuid::Uuid = arg.into();
    portico::on_db!(app.db(), p => sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql.to_string()))
        .bind(arg).fetch_one(p).await)
    .unwrap()
}

#[tokio::test]
async fn twenty_concurrent_demotions_leave_the_company_one_admin() {
    let app = TestApp::spawn().await;
    let msp = app.msp().await;
    let contoso = app.customer_id("Contoso Ltd").await;
    let owner = app.signed_in("owner@northwind.test").await;
    // Contoso's admin and nineteen more.
    let mut admins = vec![app.user_id("admin@contoso.test").await];
    for i in 0..19 {
        let email = format!("admin{i}@contoso.test");
        let new = portico::db::users::NewUser {
            id: portico::model::UserId::new(),
            customer_id: Some(contoso),
            email: &email,
            name: "Extra Admin",
            role: "admin",
            password_hash: None,
        };
        portico::db::users::insert(app.db(), msp, &new, portico::model::now()).await.unwrap();
        admins.push(new.id);
    }
    let page = app.url(&format!("/msp/customers/{contoso}"));
    let token = csrf_of(&owner.get(&page).send().await.unwrap().text().await.unwrap());
    let demotions = admins.iter().map(|id| {
        let url = app.url(&format!("/msp/customers/{contoso}/users/{id}/role"));
        let form = [("role", "standard"), ("_csrf", token.as_str())];
        let c = owner.clone();
        async move { c.post(url).form(&form).send().await.unwrap().status() }
    });
    let statuses = join_all(demotions).await;
    let done = statuses.iter().filter(|s| **s == StatusCode::SEE_OTHER).count();
    let refused = statuses.iter().filter(|s| **s == StatusCode::BAD_REQUEST).count();
    assert_eq!((done, refused), (19, 1), "{statuses:?}");
    let left =
        count(&app, "SELECT COUNT(*) FROM users WHERE customer_id = $1 AND role = 'admin' AND active", contoso).await;
    assert_eq!(left, 1);
    // Deactivating the last one is refused the same way.
    let last = admins[statuses.iter().position(|s| *s == StatusCode::BAD_REQUEST).unwrap()];
    let url = app.url(&format!("/msp/customers/{contoso}/users/{last}/active"));
    let r = owner.post(url).form(&[("active", "false"), ("_csrf", token.as_str())]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("only active admin"));
}

#[tokio::test]
async fn owners_demoting_each_other_at_once_leave_the_msp_an_owner() {
    let app = TestApp::spawn().await;
    let msp = app.msp().await;
    // Twenty owners; each demotes the next, in a ring, all at once.
    let mut owners = vec![("owner@northwind.test".to_string(), app.user_id("owner@northwind.test").await)];
    for i in 0..19 {
        let email = format!("owner{i}@northwind.test");
        let made = portico::services::users::create_staff(
            app.db(),
            None,
            msp,
            "Extra Owner",
            &email,
            "owner",
            Some(RING.into()),
        )
        .await
        .unwrap();
        owners.push((email, made.user.id));
    }
    let mut signed = vec![];
    for (i, (email, _)) in owners.iter().enumerate() {
        let c = app.client();
        let password = if i == 0 { PASSWORD } else { RING };
        assert_eq!(sign_in(&c, &app.url("/msp/login"), email, password).await.status(), StatusCode::SEE_OTHER);
        let token = csrf_of(&c.get(app.url("/msp/staff")).send().await.unwrap().text().await.unwrap());
        signed.push((c, token));
    }
    let demotions = (0..owners.len()).map(|i| {
        let (c, token) = signed[i].clone();
        let target = owners[(i + 1) % owners.len()].1;
        let url = app.url(&format!("/msp/staff/{target}/role"));
        async move { c.post(url).form(&[("role", "admin"), ("_csrf", token.as_str())]).send().await.unwrap().status() }
    });
    let statuses = join_all(demotions).await;
    let done = statuses.iter().filter(|s| **s == StatusCode::SEE_OTHER).count();
    let left = count(
        &app,
        "SELECT COUNT(*) FROM users WHERE msp_id = $1 AND customer_id IS NULL AND role = 'owner' AND active",
        msp.0,
    )
    .await;
    assert!(left >= 1, "the MSP kept no owner: {statuses:?}");
    assert_eq!(done as i64, 20 - left, "every demotion that answered done happened, and only those: {statuses:?}");
    // The others were refused (the last owner, or a demoted caller who may no longer do it).
    assert!(statuses
        .iter()
        .all(|s| [StatusCode::SEE_OTHER, StatusCode::BAD_REQUEST, StatusCode::FORBIDDEN].contains(s)));
}
