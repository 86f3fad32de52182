//! A minimal W3C WebDriver client over `reqwest`, enough to drive Debian's Chromium
//! through `chromedriver` in the browser tests.
//!
//! [`Browser::start`] launches `chromedriver --port=<free port>` as a child process, waits
//! until its `/status` says it is ready and opens one session with a fresh profile
//! directory. Dropping the [`Browser`] ends the session (which closes Chromium) and kills
//! chromedriver.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{json, Value};

/// The key under which WebDriver returns an element reference.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// Where Chromium is, if it is installed: `/usr/bin/chromium`, else `chromium` on `PATH`.
pub fn chromium_binary() -> Option<PathBuf> {
    let debian = PathBuf::from("/usr/bin/chromium");
    if debian.is_file() {
        return Some(debian);
    }
    on_path("chromium")
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")
        .and_then(|paths| std::env::split_paths(&paths).map(|dir| dir.join(name)).find(|p| p.is_file()))
}

/// Whether the browser tests can run here: Chromium and `chromedriver` are both installed.
pub fn available() -> bool {
    chromium_binary().is_some() && on_path("chromedriver").is_some()
}

/// A WebDriver command that failed: the HTTP status and the W3C error code and message.
#[derive(Debug, Clone)]
pub struct Error {
    pub status: u16,
    pub error: String,
    pub message: String,
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "WebDriver {} ({}): {}", self.error, self.status, self.message)
    }
}

impl std::error::Error for Error {}

impl Error {
    fn local(message: impl Into<String>) -> Error {
        Error { status: 0, error: "client error".into(), message: message.into() }
    }
}

pub type Result<T> = std::result::Result<T, Error>;

/// One entry of the browser's console log.
#[derive(Debug, Clone)]
pub struct LogEntry {
    pub level: String,
    pub message: String,
}

/// Which chromedriver endpoint returns the browser console log.
#[derive(Debug, Clone, Copy)]
enum LogEndpoint {
    PostSe,
    GetSe,
    PostLegacy,
}

/// A chromedriver process with one open Chromium session.
pub struct Browser {
    http: reqwest::Client,
    /// `http://127.0.0.1:<port>`
    driver: String,
    port: u16,
    session: String,
    child: Option<Child>,
    log_endpoint: Option<LogEndpoint>,
    /// Chromium's fresh `--user-data-dir`, removed on drop.
    profile: tempfile::TempDir,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free local port")
}

impl Browser {
    /// Starts chromedriver and opens a headless Chromium session (1280×900).
    pub async fn start() -> Result<Browser> {
        let binary = chromium_binary().ok_or_else(|| Error::local("chromium is not installed"))?;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(120))
            .build()
            .map_err(|e| Error::local(e.to_string()))?;

        // The port can be taken between probing and chromedriver binding it: try a few.
        let mut last = None;
        for _ in 0..3 {
            let profile = tempfile::Builder::new()
                .prefix("portico-chromium-")
                .tempdir()
                .map_err(|e| Error::local(format!("profile dir: {e}")))?;
            let port = free_port();
            let child = Command::new("chromedriver")
                .arg(format!("--port={port}"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .map_err(|e| Error::local(format!("cannot start chromedriver: {e}")))?;
            let mut browser = Browser {
                http: http.clone(),
                driver: format!("http://127.0.0.1:{port}"),
                port,
                session: String::new(),
                child: Some(child),
                log_endpoint: None,
                profile,
            };
            match browser.wait_ready(Duration::from_secs(20)).await {
                Ok(()) => {
                    browser.new_session(&binary).await?;
                    return Ok(browser);
                }
                Err(e) => last = Some(e), // dropping `browser` kills this chromedriver
            }
        }
        Err(last.unwrap_or_else(|| Error::local("chromedriver did not start")))
    }

    async fn wait_ready(&mut self, within: Duration) -> Result<()> {
        let deadline = Instant::now() + within;
        loop {
            if let Some(child) = self.child.as_mut() {
                if let Ok(Some(status)) = child.try_wait() {
                    return Err(Error::local(format!("chromedriver exited: {status}")));
                }
            }
            let ready = async {
                let r = self.http.get(format!("{}/status", self.driver)).send().await.ok()?;
                let v: Value = r.json().await.ok()?;
                v["value"]["ready"].as_bool()
            }
            .await;
            if ready == Some(true) {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(Error::local("chromedriver did not become ready"));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn new_session(&mut self, binary: &Path) -> Result<()> {
        let profile = format!("--user-data-dir={}", self.profile.path().display());
        let caps = json!({
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "chrome",
                    "pageLoadStrategy": "normal",
                    "goog:loggingPrefs": { "browser": "ALL" },
                    "goog:chromeOptions": {
                        "binary": binary.display().to_string(),
                        "args": [
                            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                            "--no-first-run", "--disable-background-networking",
                            "--disable-component-update", "--disable-sync", profile,
                            "--window-size=1280,900",
                        ],
                    },
                }
            }
        });
        let v = self.raw("POST", "/session", Some(caps)).await?;
        self.session =
            v["sessionId"].as_str().ok_or_else(|| Error::local(format!("no session id in {v}")))?.to_string();
        self.cmd("POST", "/timeouts", json!({"script": 60_000, "pageLoad": 60_000, "implicit": 0})).await?;
        // Find out which (non-standard) log endpoint this chromedriver answers, if any.
        for endpoint in [LogEndpoint::PostSe, LogEndpoint::GetSe, LogEndpoint::PostLegacy] {
            if self.fetch_logs(endpoint).await.is_ok() {
                self.log_endpoint = Some(endpoint);
                break;
            }
        }
        Ok(())
    }

    /// Sends one request to chromedriver and returns the `value` of the answer.
    async fn raw(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value> {
        let url = format!("{}{path}", self.driver);
        let req = match method {
            "GET" => self.http.get(&url),
            "DELETE" => self.http.delete(&url),
            _ => self.http.post(&url).json(&body.unwrap_or_else(|| json!({}))),
        };
        let r = req.send().await.map_err(|e| Error::local(format!("{method} {path}: {e}")))?;
        let status = r.status().as_u16();
        let v: Value = r.json().await.map_err(|e| Error::local(format!("{method} {path}: bad answer: {e}")))?;
        let value = v.get("value").cloned().unwrap_or(Value::Null);
        if status >= 400 || value.get("error").and_then(Value::as_str).is_some() {
            return Err(Error {
                status,
                error: value["error"].as_str().unwrap_or("unknown error").to_string(),
                message: value["message"].as_str().unwrap_or_default().to_string(),
            });
        }
        Ok(value)
    }

    /// A command on the current session (`path` is relative to `/session/{id}`).
    async fn cmd(&self, method: &str, path: &str, body: Value) -> Result<Value> {
        let path = format!("/session/{}{path}", self.session);
        self.raw(method, &path, (method == "POST").then_some(body)).await
    }

    async fn get(&self, path: &str) -> Result<Value> {
        self.cmd("GET", path, Value::Null).await
    }

    pub async fn goto(&self, url: &str) -> Result<()> {
        self.cmd("POST", "/url", json!({ "url": url })).await.map(drop)
    }

    pub async fn current_url(&self) -> Result<String> {
        Ok(self.get("/url").await?.as_str().unwrap_or_default().to_string())
    }

    pub async fn title(&self) -> Result<String> {
        Ok(self.get("/title").await?.as_str().unwrap_or_default().to_string())
    }

    fn element_id(v: &Value) -> Result<String> {
        v[ELEMENT_KEY]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| Error::local(format!("not an element reference: {v}")))
    }

    /// The first element matching a CSS selector.
    pub async fn find(&self, css: &str) -> Result<String> {
        self.find_by("css selector", css).await
    }

    /// The first element found with any W3C strategy (`css selector`, `xpath`, `link text` …).
    pub async fn find_by(&self, using: &str, value: &str) -> Result<String> {
        let v = self
            .cmd("POST", "/element", json!({ "using": using, "value": value }))
            .await
            .map_err(|e| Error { message: format!("{} [{using} {value:?}]", e.message), ..e })?;
        Self::element_id(&v)
    }

    /// Waits up to `within` for an element matching `css` to appear.
    pub async fn wait_for(&self, css: &str, within: Duration) -> Result<String> {
        let deadline = Instant::now() + within;
        loop {
            match self.find(css).await {
                Ok(id) => return Ok(id),
                Err(e) if e.error == "no such element" && Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(100)).await
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Waits up to `within` until the current URL satisfies `pred`; returns it.
    pub async fn wait_for_url(&self, within: Duration, pred: impl Fn(&str) -> bool) -> Result<String> {
        let deadline = Instant::now() + within;
        loop {
            let url = self.current_url().await?;
            if pred(&url) {
                return Ok(url);
            }
            if Instant::now() > deadline {
                return Err(Error::local(format!("timed out waiting for the URL; still at {url}")));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Types text into an element (appended to what is there).
    pub async fn type_into(&self, element: &str, text: &str) -> Result<()> {
        self.cmd("POST", &format!("/element/{element}/value"), json!({ "text": text })).await.map(drop)
    }

    /// Empties an input or textarea.
    pub async fn clear(&self, element: &str) -> Result<()> {
        self.cmd("POST", &format!("/element/{element}/clear"), json!({})).await.map(drop)
    }

    pub async fn click(&self, element: &str) -> Result<()> {
        self.cmd("POST", &format!("/element/{element}/click"), json!({})).await.map(drop)
    }

    /// The rendered text of an element.
    pub async fn text(&self, element: &str) -> Result<String> {
        Ok(self.get(&format!("/element/{element}/text")).await?.as_str().unwrap_or_default().to_string())
    }

    /// An attribute of an element, if present.
    pub async fn attribute(&self, element: &str, name: &str) -> Result<Option<String>> {
        Ok(self.get(&format!("/element/{element}/attribute/{name}")).await?.as_str().map(str::to_string))
    }

    /// A DOM property of an element (such as an input's current `value`).
    pub async fn property(&self, element: &str, name: &str) -> Result<Value> {
        self.get(&format!("/element/{element}/property/{name}")).await
    }

    /// Runs a script synchronously (its body; `arguments` holds `args`) and returns its result.
    pub async fn execute(&self, script: &str, args: Vec<Value>) -> Result<Value> {
        self.cmd("POST", "/execute/sync", json!({ "script": script, "args": args })).await
    }

    /// Runs an asynchronous script: it calls `arguments[arguments.length - 1](result)` when done.
    pub async fn execute_async(&self, script: &str, args: Vec<Value>) -> Result<Value> {
        self.cmd("POST", "/execute/async", json!({ "script": script, "args": args })).await
    }

    /// Sets the outer window size.
    pub async fn set_window_size(&self, width: u32, height: u32) -> Result<()> {
        self.cmd("POST", "/window/rect", json!({ "width": width, "height": height })).await.map(drop)
    }

    /// Sizes the window so that the page's layout viewport is `width`×`height` CSS pixels.
    pub async fn set_viewport(&self, width: u32, height: u32) -> Result<()> {
        self.set_window_size(width, height).await?;
        let inner = self.execute("return [window.innerWidth, window.innerHeight];", vec![]).await?;
        let (iw, ih) = (inner[0].as_i64().unwrap_or(0), inner[1].as_i64().unwrap_or(0));
        if iw != i64::from(width) || ih != i64::from(height) {
            let w = (2 * i64::from(width) - iw).max(100) as u32;
            let h = (2 * i64::from(height) - ih).max(100) as u32;
            self.set_window_size(w, h).await?;
        }
        Ok(())
    }

    /// A PNG of the viewport.
    pub async fn screenshot_png(&self) -> Result<Vec<u8>> {
        let v = self.get("/screenshot").await?;
        base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap_or_default())
            .map_err(|e| Error::local(format!("screenshot is not base64: {e}")))
    }

    /// Saves a PNG of the viewport to `path` (creating its directory).
    pub async fn screenshot(&self, path: &Path) -> Result<()> {
        let png = self.screenshot_png().await?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::local(format!("{}: {e}", dir.display())))?;
        }
        std::fs::write(path, png).map_err(|e| Error::local(format!("{}: {e}", path.display())))
    }

    /// Saves a PNG of the whole page at the current viewport width: the viewport is made as
    /// tall as the document (at most 5000 px) for the shot, then restored.
    pub async fn screenshot_full_page(&self, path: &Path) -> Result<()> {
        let v = self
            .execute(
                "return [window.innerWidth, window.innerHeight, \
                 Math.max(document.documentElement.scrollHeight, document.body ? document.body.scrollHeight : 0)];",
                vec![],
            )
            .await?;
        let (w, h, full) = (
            v[0].as_u64().unwrap_or(1280) as u32,
            v[1].as_u64().unwrap_or(900) as u32,
            v[2].as_u64().unwrap_or(900) as u32,
        );
        if full <= h {
            return self.screenshot(path).await;
        }
        self.set_viewport(w, full.min(5000)).await?;
        let shot = self.screenshot(path).await;
        self.set_viewport(w, h).await?;
        shot
    }

    /// Whether this chromedriver hands out the browser console log.
    pub fn has_logs(&self) -> bool {
        self.log_endpoint.is_some()
    }

    async fn fetch_logs(&self, endpoint: LogEndpoint) -> Result<Vec<LogEntry>> {
        let v = match endpoint {
            LogEndpoint::PostSe => self.cmd("POST", "/se/log", json!({"type": "browser"})).await?,
            LogEndpoint::GetSe => self.get("/se/log?type=browser").await?,
            LogEndpoint::PostLegacy => self.cmd("POST", "/log", json!({"type": "browser"})).await?,
        };
        let entries = v.as_array().ok_or_else(|| Error::local(format!("log is not a list: {v}")))?;
        Ok(entries
            .iter()
            .map(|e| LogEntry {
                level: e["level"].as_str().unwrap_or_default().to_string(),
                message: e["message"].as_str().unwrap_or_default().to_string(),
            })
            .collect())
    }

    /// The browser console entries logged since the last call (`None` if not offered).
    pub async fn console_log(&self) -> Result<Option<Vec<LogEntry>>> {
        match self.log_endpoint {
            Some(endpoint) => self.fetch_logs(endpoint).await.map(Some),
            None => Ok(None),
        }
    }

    /// Ends the session (closing Chromium) and stops chromedriver.
    pub async fn quit(mut self) {
        if !self.session.is_empty() {
            let _ = self.raw("DELETE", &format!("/session/{}", self.session), None).await;
            self.session.clear();
        }
        // Drop kills chromedriver.
    }

    /// `DELETE /session/{id}` with a plain blocking socket, for use in `Drop`.
    fn delete_session_blocking(&self) {
        let Ok(mut s) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return;
        };
        let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
        let _ = s.set_write_timeout(Some(Duration::from_secs(5)));
        let req = format!(
            "DELETE /session/{} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            self.session, self.port
        );
        if s.write_all(req.as_bytes()).is_ok() {
            let mut sink = Vec::new();
            let _ = s.read_to_end(&mut sink);
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            self.delete_session_blocking();
        }
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
