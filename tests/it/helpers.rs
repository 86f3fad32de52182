//! The test harness: each test gets the real app on a free port against a fresh database
//! (a temporary SQLite file, or a PostgreSQL database cloned from a migrated template when
//! `PORTICO_TEST_DATABASE_URL` is set), seeded with the demo data plus a second MSP.

use std::net::SocketAddr;
use std::sync::Arc;

use portico::config::Settings;
use portico::db::{self, Db, MspScope};
use portico::http::AppState;
use portico::services;
use portico::App;
use reqwest::redirect::Policy;
use reqwest::{Client, Response, StatusCode};

pub const PASSWORD: &str = "portico-demo";
/// The second MSP, served on its own host name, for cross-MSP tests.
pub const OTHER_HOST: &str = "litware.test";
pub const OTHER_STAFF: &str = "owner@litware.test";
pub const OTHER_PORTAL: &str = "admin@woodgrove.test";

pub struct TestApp {
    pub addr: SocketAddr,
    pub state: Arc<AppState>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    _dir: tempfile::TempDir,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

pub fn pg_url() -> Option<String> {
    std::env::var("PORTICO_TEST_DATABASE_URL").ok().filter(|u| !u.is_empty())
}

fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map(|(b, q)| (b, Some(q))).unwrap_or((url, None));
    let root = &base[..base.rfind('/').filter(|i| *i > base.find("://").unwrap_or(0) + 2).unwrap_or(base.len())];
    match query {
        Some(q) => format!("{root}/{name}?{q}"),
        None => format!("{root}/{name}"),
    }
}

async fn admin_exec(url: &str, sql: &str) -> Result<(), sqlx::Error> {
    use sqlx::Connection;
    let mut c = sqlx::PgConnection::connect(url).await?;
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string())).execute(&mut c).await?;
    c.close().await
}

/// A migrated template database, made once per test run; stale ones from earlier runs go.
async fn pg_template(url: &str) -> String {
    static TEMPLATE: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    TEMPLATE
        .get_or_init(|| async {
            use sqlx::Connection;
            let pid = std::process::id();
            let mut c = sqlx::PgConnection::connect(url).await.expect("connect to PORTICO_TEST_DATABASE_URL");
            let stale: Vec<(String,)> =
                sqlx::query_as("SELECT datname FROM pg_database WHERE datname LIKE 'portico\\_t%'")
                    .fetch_all(&mut c)
                    .await
                    .expect("list databases");
            for (name,) in stale {
                // Left by a run that has ended; another live test run's databases stay.
                let owner = name
                    .trim_start_matches("portico_tmpl_")
                    .trim_start_matches("portico_t")
                    .split('_')
                    .next()
                    .and_then(|p| p.parse::<u32>().ok());
                let alive = owner.is_some_and(|p| p == pid || std::path::Path::new(&format!("/proc/{p}")).exists());
                if !alive {
                    let _ =
                        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")))
                            .execute(&mut c)
                            .await;
                }
            }
            c.close().await.ok();
            let name = format!("portico_tmpl_{pid}");
            admin_exec(url, &format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await.expect("drop template");
            admin_exec(url, &format!("CREATE DATABASE \"{name}\"")).await.expect("create template");
            let db = Db::connect(&with_database(url, &name), 2).await.expect("connect template");
            db::migrate::run(&db).await.expect("migrate template");
            db.close().await;
            name
        })
        .await
        .clone()
}

/// A fresh database URL for one test.
pub async fn fresh_database(dir: &std::path::Path) -> String {
    match pg_url() {
        Some(url) => {
            let template = pg_template(&url).await;
            let name = format!("portico_t{}_{}", std::process::id(), uuid::Uuid::now_v7().simple());
            let mut tries = 0;
            // Cloning fails while another clone of the same template is starting; retry.
            while let Err(e) = admin_exec(&url, &format!("CREATE DATABASE \"{name}\" TEMPLATE \"{template}\"")).await {
                tries += 1;
                assert!(tries < 50, "could not clone the template database: {e}");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            with_database(&url, &name)
        }
        None => format!("sqlite://{}", dir.join("test.db").display()),
    }
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    pub async fn spawn_with(configure: impl FnOnce(&mut Settings)) -> TestApp {
        static LOGS: std::sync::Once = std::sync::Once::new();
        LOGS.call_once(|| {
            let filter = std::env::var("PORTICO_TEST_LOG").unwrap_or_else(|_| "warn".into());
            let _ = tracing_subscriber::fmt()
                .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
                .with_test_writer()
                .try_init();
        });
        let dir = tempfile::tempdir().expect("temp dir");
        let mut settings = Settings {
            database_url: fresh_database(dir.path()).await,
            bind: "127.0.0.1:0".parse().unwrap(),
            data_dir: dir.path().join("data"),
            db_pool_size: 4,
            log: "warn".into(),
            ..Settings::default()
        };
        configure(&mut settings);
        let app = App::build(settings, true).await.expect("app builds");
        let state = app.state.clone();
        services::demo::seed(&state.db, &state.files).await.expect("demo seed");
        seed_other_msp(&state.db).await;
        let addr = app.local_addr();
        let (tx, rx) = tokio::sync::oneshot::channel();
        tokio::spawn(app.run_until(async move {
            let _ = rx.await;
        }));
        TestApp { addr, state, shutdown: Some(tx), _dir: dir }
    }

    /// Another instance of the app on the same database, as a second server in production
    /// would be: its own port, pool and job runner, the same settings otherwise.
    pub async fn another_instance(&self) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let settings = Settings { bind: "127.0.0.1:0".parse().unwrap(), ..self.state.settings.clone() };
        let app = App::build(settings, false).await.expect("app builds");
        let (state, addr) = (app.state.clone(), app.local_addr());
        let (tx, rx) = tokio::sync::oneshot::channel();
        tokio::spawn(app.run_until(async move {
            let _ = rx.await;
        }));
        TestApp { addr, state, shutdown: Some(tx), _dir: dir }
    }

    pub fn db(&self) -> &Db {
        &self.state.db
    }

    /// The default MSP's portal (Northwind IT, served on any unclaimed host).
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.addr.port())
    }

    /// The second MSP's portal, on its own host name.
    pub fn other_url(&self, path: &str) -> String {
        format!("http://{OTHER_HOST}:{}{path}", self.addr.port())
    }

    /// A browser-like client: keeps cookies, does not follow redirects.
    pub fn client(&self) -> Client {
        Client::builder().cookie_store(true).redirect(Policy::none()).resolve(OTHER_HOST, self.addr).build().unwrap()
    }

    /// A client signed in through the portal (`/login`) or console (`/msp/login`).
    pub async fn signed_in(&self, email: &str) -> Client {
        let c = self.client();
        let path = if email.ends_with("northwind.test") { "/msp/login" } else { "/login" };
        let r = c.post(self.url(path)).form(&[("email", email), ("password", PASSWORD)]).send().await.unwrap();
        assert_eq!(
            r.status(),
            StatusCode::SEE_OTHER,
            "sign-in of {email} failed: {}",
            r.text().await.unwrap_or_default()
        );
        c
    }

    pub async fn other_signed_in(&self, email: &str) -> Client {
        let c = self.client();
        let path = if email == OTHER_STAFF { "/msp/login" } else { "/login" };
        let r = c.post(self.other_url(path)).form(&[("email", email), ("password", PASSWORD)]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "sign-in of {email} on the other MSP failed");
        c
    }

    pub async fn msp(&self) -> MspScope {
        MspScope(db::msps::find_by_name(self.db(), "Northwind IT").await.unwrap().unwrap().id)
    }

    pub async fn customer_id(&self, name: &str) -> portico::model::CustomerId {
        let msp = self.msp().await;
        db::customers::find_by_name(self.db(), msp, name).await.unwrap().expect("customer exists").id
    }

    /// The scope of a Northwind customer, as background work gets it.
    pub async fn scope(&self, customer_id: portico::model::CustomerId) -> portico::db::CustomerScope {
        let row =
            db::customers::find(self.db(), self.msp().await, customer_id).await.unwrap().expect("customer exists");
        portico::policy::system_scope(&row)
    }

    pub async fn user_id(&self, email: &str) -> portico::model::UserId {
        let msp = self.msp().await;
        db::users::find_by_email(self.db(), msp, email).await.unwrap().expect("user exists").id
    }

    /// An API token acting as the demo account `email`.
    pub async fn token(&self, email: &str) -> String {
        let msp = self.msp().await;
        let id = self.user_id(email).await;
        services::tokens::create_for(self.db(), msp, id, "test").await.unwrap().token
    }

    pub async fn other_token(&self, email: &str) -> String {
        let msp = MspScope(db::msps::find_by_name(self.db(), "Litware MSP").await.unwrap().unwrap().id);
        let id = db::users::find_by_email(self.db(), msp, email).await.unwrap().unwrap().id;
        services::tokens::create_for(self.db(), msp, id, "test").await.unwrap().token
    }

    /// The mail queued for the default MSP, newest first, as the runner would send it.
    pub async fn outbox(&self) -> Vec<portico::jobs::email::Outgoing> {
        let rows = db::jobs::recent(self.db(), self.msp().await, "email", 500).await.unwrap();
        rows.into_iter().map(|j| serde_json::from_str(&j.payload).unwrap()).collect()
    }

    /// Runs one SQL statement against the test database (to age sessions, links …).
    pub async fn exec(&self, sql: &str, arg: impl Into<uuid::Uuid>) {
        let arg: uuid::Uuid = arg.into();
        portico::on_db!(self.db(), p => sqlx::query(sqlx::AssertSqlSafe(sql.to_string())).bind(arg).execute(p).await.map(|_| ())).unwrap();
    }
}

/// Litware MSP on `litware.test`, with one staff owner and a customer Woodgrove with an admin.
async fn seed_other_msp(db: &Db) {
    let msp = services::msps::create(db, "Litware MSP", Some(OTHER_HOST), false).await.unwrap();
    let hash = portico::auth::password::hash_now(PASSWORD);
    let now = portico::model::now();
    let staff = db::users::NewUser {
        id: portico::model::UserId::new(),
        customer_id: None,
        email: OTHER_STAFF,
        name: "Lia Owner",
        role: "owner",
        password_hash: Some(&hash),
    };
    db::users::insert(db, msp, &staff, now).await.unwrap();
    let cid = portico::model::CustomerId::new();
    db::customers::insert(db, msp, cid, "Woodgrove Bank", None, &portico::model::Features::default().to_db(), now)
        .await
        .unwrap();
    let admin = db::users::NewUser {
        id: portico::model::UserId::new(),
        customer_id: Some(cid),
        email: OTHER_PORTAL,
        name: "Wanda Admin",
        role: "admin",
        password_hash: Some(&hash),
    };
    db::users::insert(db, msp, &admin, now).await.unwrap();
}

/// Posts a sign-in form (`/login` or `/msp/login` under `base`) as a browser would.
pub async fn sign_in(c: &Client, url: &str, email: &str, password: &str) -> Response {
    c.post(url).form(&[("email", email), ("password", password)]).send().await.unwrap()
}

/// The CSRF token in a page's forms.
pub fn csrf_of(html: &str) -> String {
    let marker = "name=\"_csrf\" value=\"";
    let start = html.find(marker).expect("page has a CSRF field") + marker.len();
    html[start..start + html[start..].find('"').unwrap()].to_string()
}

/// Fetches `page` to learn the CSRF token, then posts `fields` (plus the token) to `action`.
pub async fn post_form(c: &Client, page: &str, action: &str, fields: &[(&str, &str)]) -> Response {
    let html = c.get(page).send().await.unwrap().text().await.unwrap();
    let token = csrf_of(&html);
    let mut all: Vec<(&str, &str)> = fields.to_vec();
    all.push(("_csrf", &token));
    c.post(action).form(&all).send().await.unwrap()
}

pub fn location(r: &Response) -> String {
    r.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("").to_string()
}

/// A PNG of 1×1 pixel.
pub const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0D, 0x49,
    0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0xF8, 0x0F, 0x00, 0x00, 0x01, 0x01, 0x00, 0x05, 0x18, 0xD8, 0x4D, 0x00, 0x00,
    0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];
