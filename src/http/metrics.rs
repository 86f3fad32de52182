//! Request counts and latencies by route, in Prometheus' text format.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

use super::AppState;

const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

#[derive(Default)]
struct Series {
    count: u64,
    sum: f64,
    buckets: [u64; BUCKETS.len()],
}

#[derive(Default)]
pub struct Metrics(Mutex<BTreeMap<(String, String, u16), Series>>);

pub async fn track(State(app): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let route =
        req.extensions().get::<MatchedPath>().map(|m| m.as_str().to_string()).unwrap_or_else(|| "unmatched".into());
    let method = req.method().to_string();
    let start = Instant::now();
    let resp = next.run(req).await;
    let secs = start.elapsed().as_secs_f64();
    let mut map = app.metrics.0.lock().unwrap_or_else(|e| e.into_inner());
    let s = map.entry((method, route, resp.status().as_u16())).or_default();
    s.count += 1;
    s.sum += secs;
    for (i, b) in BUCKETS.iter().enumerate() {
        if secs <= *b {
            s.buckets[i] += 1;
        }
    }
    resp
}

impl Metrics {
    pub fn render(&self, pool: (u32, usize, u32)) -> String {
        let mut out = String::new();
        out.push_str("# HELP portico_http_requests_total Requests served, by route and status.\n# TYPE portico_http_requests_total counter\n");
        let map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        for ((m, r, st), s) in map.iter() {
            let _ = writeln!(
                out,
                "portico_http_requests_total{{method=\"{m}\",route=\"{r}\",status=\"{st}\"}} {}",
                s.count
            );
        }
        out.push_str("# HELP portico_http_request_duration_seconds Time to answer, by route.\n# TYPE portico_http_request_duration_seconds histogram\n");
        for ((m, r, st), s) in map.iter() {
            let labels = format!("method=\"{m}\",route=\"{r}\",status=\"{st}\"");
            for (i, b) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "portico_http_request_duration_seconds_bucket{{{labels},le=\"{b}\"}} {}",
                    s.buckets[i]
                );
            }
            let _ = writeln!(out, "portico_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}", s.count);
            let _ = writeln!(out, "portico_http_request_duration_seconds_sum{{{labels}}} {}", s.sum);
            let _ = writeln!(out, "portico_http_request_duration_seconds_count{{{labels}}} {}", s.count);
        }
        let (size, idle, max) = pool;
        let _ = writeln!(out, "# HELP portico_db_pool_connections Database connections by state.\n# TYPE portico_db_pool_connections gauge");
        let _ = writeln!(out, "portico_db_pool_connections{{state=\"open\"}} {size}\nportico_db_pool_connections{{state=\"idle\"}} {idle}\nportico_db_pool_connections{{state=\"max\"}} {max}");
        out
    }
}
