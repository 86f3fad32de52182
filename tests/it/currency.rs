//! The MSP's currency: set in the console and the API, shown with every amount, in the
//! currency's own decimals.

use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{location, post_form, TestApp, OTHER_STAFF};
use crate::m365::tailspin;

async fn call(app: &TestApp, method: Method, path: &str, token: &str, body: Option<Value>) -> (StatusCode, Value) {
    let mut req = Client::new().request(method, app.url(path)).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.unwrap();
    (r.status(), r.json().await.unwrap_or(Value::Null))
}

async fn set_currency(app: &TestApp, owner: &str, code: &str) -> (StatusCode, Value) {
    call(app, Method::PUT, "/api/portal/settings/branding", owner, Some(json!({ "currency": code }))).await
}

async fn page(c: &Client, url: String) -> String {
    let r = c.get(url).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.text().await.unwrap()
}

fn spb(v: &Value) -> Value {
    v["items"].as_array().unwrap().iter().find(|r| r["sku_part_number"] == "SPB").unwrap().clone()
}

#[tokio::test]
async fn the_api_sets_the_currency_and_every_amount_carries_it() {
    let app = TestApp::spawn().await;
    let t = tailspin(&app).await;
    let owner = app.token("owner@northwind.test").await;
    let admin = app.token("admin@tailspin.test").await;
    let licenses = format!("/api/portal/customers/{}/licenses", t.id);

    let (_, b) = call(&app, Method::GET, "/api/portal/settings/branding", &owner, None).await;
    assert_eq!(b["currency"], "GBP", "the demo MSP bills in pounds");
    let other = app.other_token(OTHER_STAFF).await;
    let r = app.client().get(app.other_url("/api/portal/settings/branding")).bearer_auth(other).send().await.unwrap();
    let b: Value = r.json().await.unwrap();
    assert_eq!(b["currency"], "USD", "an MSP that never chose one");

    let (s, b) = set_currency(&app, &owner, "eur").await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["currency"], "EUR");
    let (_, v) = call(&app, Method::GET, &licenses, &admin, None).await;
    let row = spb(&v);
    assert_eq!(
        (&row["price_per_license"], &row["monthly_cost"], &row["currency"]),
        (&json!("20.00"), &json!("100.00"), &json!("EUR"))
    );
    assert_eq!((&v["summary"]["monthly_cost"], &v["summary"]["currency"]), (&json!("110.00"), &json!("EUR")));
    let (_, u) = call(&app, Method::GET, &format!("{licenses}/unused"), &admin, None).await;
    assert_eq!((&u["monthly_cost"], &u["currency"]), (&json!("50.00"), &json!("EUR")));
    assert_eq!(u["items"][0]["currency"], "EUR");
    // Who sees no amounts sees no currency either.
    let (_, std) = call(&app, Method::GET, &licenses, &app.token("standard@tailspin.test").await, None).await;
    assert!(std["summary"].get("currency").is_none() && spb(&std).get("currency").is_none());

    // A currency without decimals keeps the numbers (20.00 becomes 20), and one with three
    // gains them back.
    let (s, _) = set_currency(&app, &owner, "JPY").await;
    assert_eq!(s, StatusCode::OK);
    let (_, v) = call(&app, Method::GET, &licenses, &admin, None).await;
    assert_eq!((&spb(&v)["price_per_license"], &spb(&v)["currency"]), (&json!("20"), &json!("JPY")));
    set_currency(&app, &owner, "KWD").await;
    let (_, v) = call(&app, Method::GET, &licenses, &admin, None).await;
    assert_eq!(spb(&v)["price_per_license"], "20.000");
    assert_eq!(v["summary"]["monthly_cost"], "110.000");

    // An unknown code is refused with its own code and the field named; nothing changes.
    for bad in ["XXX", "", "euro", "€"] {
        let (s, e) = set_currency(&app, &owner, bad).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}");
        assert_eq!(e["error"]["code"], "unknown_currency", "{bad:?}: {e}");
        assert_eq!(e["error"]["fields"][0]["field"], "currency");
        assert_eq!(e["error"]["fields"][0]["code"], "unknown_currency");
    }
    // With another fault as well, the error is the general one and names both fields.
    let both = json!({"currency": "XXX", "primary_color": "red"});
    let (s, e) = call(&app, Method::PUT, "/api/portal/settings/branding", &owner, Some(both)).await;
    assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("validation_failed")));
    assert_eq!(e["error"]["fields"].as_array().unwrap().len(), 2);
    let (_, b) = call(&app, Method::GET, "/api/portal/settings/branding", &owner, None).await;
    assert_eq!(b["currency"], "KWD");
}

#[tokio::test]
async fn the_pages_show_amounts_with_the_currency_set_in_the_console() {
    let app = TestApp::spawn().await;
    let t = tailspin(&app).await;
    let staff = app.signed_in("owner@northwind.test").await;
    let customer = app.signed_in("admin@tailspin.test").await;

    // The demo's pounds, before anything is chosen.
    let html = page(&customer, app.url("/licenses")).await;
    assert!(html.contains("£110.00") && html.contains("£20.00 each"), "{html}");

    let branding = app.url("/msp/branding");
    let html = page(&staff, branding.clone()).await;
    assert!(html.contains("<option value=\"GBP\" selected>"), "the current currency is chosen");
    let r = post_form(&staff, &branding, &branding, &[("currency", "EUR")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(location(&r).contains("notice=saved"));

    let html = page(&customer, app.url("/licenses")).await;
    assert!(html.contains("€110.00") && html.contains("€100.00") && html.contains("€20.00 each"), "{html}");
    assert!(html.contains("in EUR"), "the cost tile names the currency");
    assert!(!html.contains("£"), "no amount left in the old currency");
    let html = page(&customer, app.url("/licenses/unused")).await;
    assert!(html.contains("costing €50.00 a month") && html.contains("€30.00"), "{html}");
    let html = page(&customer, app.url("/licenses/sku-spb")).await;
    assert!(html.contains("€100.00") && html.contains("€20.00 per license"), "{html}");
    let console = format!("/msp/customers/{}/m365", t.id);
    let html = page(&staff, app.url(&format!("{console}/licenses"))).await;
    assert!(html.contains("€110.00"));

    // A currency known by its code only is written with it, kept on one line.
    post_form(&staff, &branding, &branding, &[("currency", "CHF")]).await;
    let html = page(&customer, app.url("/licenses")).await;
    assert!(html.contains("CHF\u{a0}110.00"), "{html}");

    // The price form asks for the currency's decimals.
    post_form(&staff, &branding, &branding, &[("currency", "JPY")]).await;
    let settings = app.url(&format!("{console}/settings"));
    let html = page(&staff, settings.clone()).await;
    assert!(html.contains("Japanese yen (JPY), e.g. 1250"), "{html}");
    let action = app.url(&format!("{console}/settings/prices"));
    let r = post_form(&staff, &settings, &action, &[("price:sku-spb", "12.50")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("Enter an amount in JPY like 1250."));
    let r = post_form(&staff, &settings, &action, &[("price:sku-spb", "1500")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = page(&customer, app.url("/licenses")).await;
    assert!(html.contains("¥7,500") && html.contains("¥1,500 each"), "{html}");

    // An unknown code from a hand-made form comes back with the field marked.
    let r = post_form(&staff, &branding, &branding, &[("currency", "XXX")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"e-currency\"") && html.contains("Choose a currency from the list"), "{html}");
}
