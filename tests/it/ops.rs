//! Operations: health, readiness, metrics, security headers.

use reqwest::StatusCode;

use crate::helpers::TestApp;

#[tokio::test]
async fn health_readiness_and_metrics() {
    let app = TestApp::spawn().await;
    let c = app.client();
    assert_eq!(c.get(app.url("/healthz")).send().await.unwrap().text().await.unwrap(), "ok");
    assert_eq!(c.get(app.url("/readyz")).send().await.unwrap().status(), StatusCode::OK);
    c.get(app.url("/")).send().await.unwrap();
    let metrics = c.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains("portico_http_requests_total{method=\"GET\",route=\"/\",status=\"200\"} 1"), "{metrics}");
    assert!(metrics.contains("portico_http_request_duration_seconds_bucket"));
    assert!(metrics.contains("portico_db_pool_connections{state=\"max\"} 4"));
    app.db().close().await;
    assert_eq!(c.get(app.url("/readyz")).send().await.unwrap().status(), StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn with_a_metrics_token_only_its_holder_reads_the_metrics() {
    let app = TestApp::spawn_with(|s| s.metrics_token = Some("scrape-token-for-tests".into())).await;
    let c = app.client();
    for auth in [None, Some("Bearer wrong"), Some("scrape-token-for-tests"), Some("Basic scrape-token-for-tests")] {
        let mut req = c.get(app.url("/metrics"));
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{auth:?}");
        assert!(!r.text().await.unwrap().contains("portico_http_requests_total"));
    }
    let r = c.get(app.url("/metrics")).bearer_auth("scrape-token-for-tests").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("portico_http_requests_total"));
    // Health and readiness stay open for load balancers.
    assert_eq!(c.get(app.url("/readyz")).send().await.unwrap().status(), StatusCode::OK);
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::spawn().await;
    for path in ["/", "/msp", "/healthz", "/api/openapi.json", "/static/portico.css", "/nothing"] {
        let r = app.client().get(app.url(path)).send().await.unwrap();
        let h = r.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("script-src 'self'")
                && csp.contains("frame-ancestors 'none'")
                && !csp.contains("unsafe-inline"),
            "{path}"
        );
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["referrer-policy"], "strict-origin-when-cross-origin");
        assert_eq!(h["x-frame-options"], "DENY");
        assert!(h.get("x-request-id").is_some(), "{path}");
        assert!(h.get("strict-transport-security").is_none(), "no HSTS over plain HTTP");
    }
}

#[tokio::test]
async fn pages_are_compressed_once_when_the_client_asks() {
    use std::io::Read;
    let app = TestApp::spawn().await;
    let c = app.signed_in("admin@contoso.test").await;
    let anonymous = app.client();
    for (client, path) in [(&anonymous, "/"), (&c, "/dashboard"), (&c, "/nothing"), (&c, "/static/portico.css")] {
        let r = client.get(app.url(path)).header("accept-encoding", "gzip").send().await.unwrap();
        assert_eq!(r.headers()["content-encoding"], "gzip", "{path}");
        let body = r.bytes().await.unwrap();
        let mut text = String::new();
        flate2::read::GzDecoder::new(&body[..]).read_to_string(&mut text).expect("one valid gzip stream");
        assert!(
            text.contains("<html lang=\"en\">") || text.contains("--brand"),
            "{path}: {}",
            &text[..text.len().min(80)]
        );
    }
    let plain = c.get(app.url("/dashboard")).header("accept-encoding", "gzip;q=0, identity").send().await.unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    assert!(plain.text().await.unwrap().contains("Contoso Ltd"));
}
