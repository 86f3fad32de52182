//! `portico bench`: starts the release server on a seeded database and measures it —
//! requests per second and latency at N connections for a bare handler, the login page
//! and a signed-in dashboard; memory idle and under load; time from start to ready.
//! A plain HTTP/1.1 keep-alive load generator is built in, so nothing else is needed.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

pub struct BenchOptions {
    pub connections: usize,
    pub seconds: u64,
    /// Users in the large customer's tenant; 0 leaves it out.
    pub tenant_users: usize,
}

struct Row {
    name: &'static str,
    requests: u64,
    errors: u64,
    rps: f64,
    p50: Duration,
    p99: Duration,
    bytes: usize,
}

pub async fn run(opts: BenchOptions) -> Result<(), String> {
    let dir = tempfile_dir()?;
    let db = dir.join("bench.db");
    let url = format!("sqlite://{}", db.display());
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let port = free_port()?;
    let seed = tokio::process::Command::new(&exe)
        .arg("seed-demo")
        .env("PORTICO_DATABASE_URL", &url)
        .env("PORTICO_LOG", "warn")
        .stdout(Stdio::null())
        .status()
        .await
        .map_err(|e| e.to_string())?;
    if !seed.success() {
        return Err("seeding the benchmark database failed".into());
    }
    let mut large_seed = Duration::ZERO;
    if opts.tenant_users > 0 {
        let t = Instant::now();
        let seeded = tokio::process::Command::new(&exe)
            .args(["seed-large-tenant", "--users", &opts.tenant_users.to_string()])
            .env("PORTICO_DATABASE_URL", &url)
            .env("PORTICO_LOG", "warn")
            .stdout(Stdio::null())
            .status()
            .await
            .map_err(|e| e.to_string())?;
        if !seeded.success() {
            return Err("seeding the large tenant failed".into());
        }
        large_seed = t.elapsed();
    }
    let started = Instant::now();
    let mut child = tokio::process::Command::new(&exe)
        .arg("serve")
        .env("PORTICO_DATABASE_URL", &url)
        .env("PORTICO_BIND", format!("127.0.0.1:{port}"))
        .env("PORTICO_LOG", "warn")
        .env("PORTICO_LOGIN_ATTEMPTS", "1000")
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| e.to_string())?;
    let pid = child.id().unwrap_or(0);
    let addr = format!("127.0.0.1:{port}");
    let ready = loop {
        if let Ok(r) = get_once(&addr, "/readyz", None).await {
            if r.0 == 200 {
                break started.elapsed();
            }
        }
        if started.elapsed() > Duration::from_secs(30) {
            return Err("server did not become ready in 30 s".into());
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    };
    let cookie = sign_in(&addr, "admin@contoso.test").await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let idle_rss = rss_kb(pid);
    let mut rows = vec![];
    let mut peak = idle_rss;
    for (name, path, cookie) in [
        ("bare handler (/healthz)", "/healthz", None),
        ("login page (/)", "/", None),
        ("signed-in dashboard", "/dashboard", Some(cookie.as_str())),
    ] {
        let (row, rss) = load(&addr, name, path, cookie, &opts, pid).await?;
        peak = peak.max(rss);
        rows.push(row);
    }
    if opts.tenant_users > 0 {
        let large = sign_in(&addr, crate::services::demo::LARGE_ADMIN).await?;
        for (name, path) in [
            ("large tenant: dashboard", "/dashboard"),
            ("large tenant: user search", "/users?q=chen&page=2"),
            ("large tenant: directory p.40", "/users?sort=department&page=40"),
        ] {
            let (row, rss) = load(&addr, name, path, Some(&large), &opts, pid).await?;
            peak = peak.max(rss);
            rows.push(row);
        }
    }
    let _ = child.kill().await;
    let _ = std::fs::remove_dir_all(&dir);
    let binary = std::fs::metadata(&exe).map(|m| m.len()).unwrap_or(0);
    print_report(&rows, &opts, ready, idle_rss, peak, binary);
    if opts.tenant_users > 0 {
        println!(
            "large tenant: {} users, seeded in {:.1} s (not a sync: see the sync benchmark)",
            opts.tenant_users,
            large_seed.as_secs_f64()
        );
    }
    Ok(())
}

fn print_report(rows: &[Row], opts: &BenchOptions, ready: Duration, idle_rss: u64, peak: u64, binary: u64) {
    let bare = rows.first().map(|r| r.rps).unwrap_or(1.0).max(1.0);
    println!(
        "\nPortico benchmark: {} connections, {} s per endpoint, SQLite, release build\n",
        opts.connections, opts.seconds
    );
    println!(
        "{:<30} {:>10} {:>8} {:>11} {:>9} {:>9} {:>9} {:>10}",
        "endpoint", "requests", "errors", "req/s", "p50 ms", "p99 ms", "vs bare", "bytes"
    );
    for r in rows {
        println!(
            "{:<30} {:>10} {:>8} {:>11.0} {:>9.2} {:>9.2} {:>8.0}% {:>10}",
            r.name,
            r.requests,
            r.errors,
            r.rps,
            r.p50.as_secs_f64() * 1000.0,
            r.p99.as_secs_f64() * 1000.0,
            r.rps / bare * 100.0,
            r.bytes
        );
    }
    println!();
    println!("start to ready          {:>8.1} ms", ready.as_secs_f64() * 1000.0);
    println!("resident memory, idle   {:>8.1} MB", idle_rss as f64 / 1024.0);
    println!("resident memory, peak   {:>8.1} MB (under load)", peak as f64 / 1024.0);
    println!("binary size             {:>8.1} MB", binary as f64 / 1_048_576.0);
}

async fn load(
    addr: &str,
    name: &'static str,
    path: &str,
    cookie: Option<&str>,
    opts: &BenchOptions,
    pid: u32,
) -> Result<(Row, u64), String> {
    let until = Instant::now() + Duration::from_secs(opts.seconds);
    let mut tasks = vec![];
    for _ in 0..opts.connections {
        let (addr, path, cookie) = (addr.to_string(), path.to_string(), cookie.map(str::to_string));
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::with_capacity(4096);
            let mut errors = 0u64;
            let mut bytes = 0usize;
            while Instant::now() < until {
                let Ok(stream) = TcpStream::connect(&addr).await else {
                    errors += 1;
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let mut conn = BufReader::new(stream);
                while Instant::now() < until {
                    let t = Instant::now();
                    match exchange(&mut conn, &path, cookie.as_deref()).await {
                        Ok((200, _, body)) => {
                            lat.push(t.elapsed());
                            bytes = body.len();
                        }
                        Ok(_) => errors += 1,
                        Err(_) => {
                            errors += 1;
                            break;
                        }
                    }
                }
            }
            (lat, errors, bytes)
        }));
    }
    let mut peak = 0;
    while Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(250)).await;
        peak = peak.max(rss_kb(pid));
    }
    let mut all = vec![];
    let mut errors = 0;
    let mut bytes = 0;
    for t in tasks {
        let (l, e, b) = t.await.map_err(|e| e.to_string())?;
        all.extend(l);
        errors += e;
        bytes = bytes.max(b);
    }
    all.sort();
    let pct = |p: f64| {
        all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1))).copied().unwrap_or_default()
    };
    let row = Row {
        name,
        requests: all.len() as u64,
        errors,
        rps: all.len() as f64 / opts.seconds as f64,
        p50: pct(0.50),
        p99: pct(0.99),
        bytes,
    };
    Ok((row, peak))
}

/// One request on a kept-alive connection: (status, headers, body as sent on the wire).
async fn exchange(
    conn: &mut BufReader<TcpStream>,
    path: &str,
    cookie: Option<&str>,
) -> std::io::Result<(u16, Vec<(String, String)>, Vec<u8>)> {
    let cookie = cookie.map(|c| format!("Cookie: {c}\r\n")).unwrap_or_default();
    let req = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: gzip\r\n{cookie}\r\n");
    conn.get_mut().write_all(req.as_bytes()).await?;
    read_response(conn).await
}

async fn read_response(conn: &mut BufReader<TcpStream>) -> std::io::Result<(u16, Vec<(String, String)>, Vec<u8>)> {
    let bad = || std::io::Error::new(std::io::ErrorKind::InvalidData, "bad response");
    let mut line = String::new();
    conn.read_line(&mut line).await?;
    let status: u16 = line.split(' ').nth(1).and_then(|s| s.parse().ok()).ok_or_else(bad)?;
    let mut headers = vec![];
    loop {
        line.clear();
        if conn.read_line(&mut line).await? == 0 {
            return Err(bad());
        }
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let header = |k: &str| headers.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let mut body = vec![];
    if let Some(len) = header("content-length").and_then(|v| v.parse::<usize>().ok()) {
        body.resize(len, 0);
        conn.read_exact(&mut body).await?;
    } else if header("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        loop {
            line.clear();
            conn.read_line(&mut line).await?;
            let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16).map_err(|_| bad())?;
            let start = body.len();
            body.resize(start + size, 0);
            conn.read_exact(&mut body[start..]).await?;
            line.clear();
            conn.read_line(&mut line).await?;
            if size == 0 {
                break;
            }
        }
    }
    Ok((status, headers, body))
}

async fn get_once(
    addr: &str,
    path: &str,
    cookie: Option<&str>,
) -> std::io::Result<(u16, Vec<(String, String)>, Vec<u8>)> {
    let mut conn = BufReader::new(TcpStream::connect(addr).await?);
    exchange(&mut conn, path, cookie).await
}

/// Signs in as a demo portal user and returns the session cookie.
async fn sign_in(addr: &str, email: &str) -> Result<String, String> {
    let body = serde_urlencoded::to_string([("email", email), ("password", crate::services::demo::PASSWORD)])
        .map_err(|e| e.to_string())?;
    let req = format!(
        "POST /login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nSec-Fetch-Site: same-origin\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let mut conn = BufReader::new(TcpStream::connect(addr).await.map_err(|e| e.to_string())?);
    conn.get_mut().write_all(req.as_bytes()).await.map_err(|e| e.to_string())?;
    let (status, headers, _) = read_response(&mut conn).await.map_err(|e| e.to_string())?;
    headers
        .iter()
        .find(|(k, _)| k == "set-cookie")
        .and_then(|(_, v)| v.split(';').next().map(str::to_string))
        .ok_or(format!("sign-in for the benchmark failed (status {status})"))
}

fn rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn free_port() -> Result<u16, String> {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).map_err(|e| e.to_string())
}

fn tempfile_dir() -> Result<std::path::PathBuf, String> {
    let dir = std::env::temp_dir().join(format!("portico-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    Ok(Path::new(&dir).to_path_buf())
}
