//! Portico: a white-label client portal for managed IT service providers.

pub mod auth;
pub mod bench;
pub mod config;
pub mod db;
pub mod error;
pub mod files;
pub mod http;
pub mod integrations;
pub mod jobs;
pub mod model;
pub mod policy;
pub mod services;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;

use crate::config::Settings;
use crate::db::Db;
use crate::http::AppState;

/// A built application: the database is connected and migrated, the port is bound.
pub struct App {
    pub state: Arc<AppState>,
    listener: TcpListener,
}

impl App {
    /// Connects the database, optionally migrates, and binds the listening socket.
    pub async fn build(settings: Settings, migrate: bool) -> Result<App, String> {
        let db = Db::connect(&settings.database_url, settings.db_pool_size)
            .await
            .map_err(|e| format!("database {}: {e}", redact(&settings.database_url)))?;
        if migrate {
            db::migrate::run(&db).await.map_err(|e| format!("migrations: {e}"))?;
        }
        let files = files::Files::local(&settings.data_dir).map_err(|e| format!("file store {e}"))?;
        let listener = TcpListener::bind(settings.bind).await.map_err(|e| format!("bind {}: {e}", settings.bind))?;
        let addr = listener.local_addr().map_err(|e| format!("bind {}: {e}", settings.bind))?;
        let public_url = settings.base_url.clone().unwrap_or_else(|| format!("http://{addr}"));
        Ok(App { state: AppState::new(db, files, settings, public_url), listener })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("bound socket has an address")
    }

    /// Serves until `shutdown` resolves, then lets in-flight requests finish.
    pub async fn run_until(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let state = self.state.clone();
        let janitor = tokio::spawn(housekeeping(state.clone()));
        let planner =
            (state.settings.run_jobs && state.graph.is_some()).then(|| tokio::spawn(scheduler(state.clone())));
        let runner = if state.settings.run_jobs {
            let mailer = match state
                .settings
                .smtp_url
                .as_deref()
                .map(|u| jobs::email::Mailer::new(u, &state.settings.smtp_from))
            {
                Some(Ok(m)) => Some(m),
                Some(Err(e)) => {
                    tracing::error!(error = %e, "mail is off: the SMTP settings are not usable");
                    None
                }
                None => None,
            };
            Some(jobs::spawn(jobs::runner::Runner {
                db: state.db.clone(),
                mailer,
                handlers: job_handlers(&state),
                retry_base: time::Duration::seconds(state.settings.job_retry_seconds),
                lease: time::Duration::seconds(state.settings.job_lease_seconds),
                wake: state.jobs_waiting.clone(),
            }))
        } else {
            None
        };
        let router = http::router(state.clone());
        let result = axum::serve(self.listener, router.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(shutdown)
            .await;
        janitor.abort();
        if let Some(p) = planner {
            p.abort();
        }
        if let Some(r) = runner {
            r.stop().await;
        }
        state.db.close().await;
        result
    }

    pub async fn run(self) -> std::io::Result<()> {
        self.run_until(shutdown_signal()).await
    }
}

/// The job kinds beyond mail, and what runs them.
fn job_handlers(state: &Arc<AppState>) -> Vec<(&'static str, jobs::runner::Handler)> {
    let Some(graph) = state.graph.clone() else { return vec![] };
    let (db, key, url) = (state.db.clone(), state.settings.secret_key.clone(), state.public_url.clone());
    let every = time::Duration::minutes(state.settings.sync_minutes);
    let sync: jobs::runner::Handler = Arc::new(move |payload: String| {
        let (db, graph, key, url) = (db.clone(), graph.clone(), key.clone(), url.clone());
        Box::pin(async move { services::m365::sync::run_job(&db, &graph, key.as_ref(), every, &url, &payload).await })
    });
    vec![(services::m365::sync::JOB_KIND, sync)]
}

/// Queues the Microsoft 365 syncs that are due, every minute.
async fn scheduler(state: Arc<AppState>) {
    let mut tick = tokio::time::interval(Duration::from_secs(60));
    let every = time::Duration::minutes(state.settings.sync_minutes);
    loop {
        tick.tick().await;
        match services::m365::sync::schedule_due(&state.db, every).await {
            Ok(0) => {}
            Ok(n) => {
                tracing::info!(customers = n, "Microsoft 365 syncs queued");
                state.jobs_waiting.notify_one();
            }
            Err(e) => tracing::warn!(error = %e, "could not queue Microsoft 365 syncs"),
        }
    }
}

/// Removes expired sessions, old sign-in attempts, old sent mail and old read notifications.
async fn housekeeping(state: Arc<AppState>) {
    let mut tick = tokio::time::interval(Duration::from_secs(300));
    loop {
        tick.tick().await;
        let now = model::now();
        if let Err(e) = db::sessions::delete_expired(&state.db, now).await {
            tracing::warn!(error = %e, "session cleanup failed");
        }
        if let Err(e) = db::login_attempts::delete_before(&state.db, now - time::Duration::days(1)).await {
            tracing::warn!(error = %e, "sign-in attempt cleanup failed");
        }
        // Sent mail is kept a month for the console's outbox; read notifications half a year.
        if let Err(e) = db::jobs::delete_done_before(&state.db, now - time::Duration::days(30)).await {
            tracing::warn!(error = %e, "job cleanup failed");
        }
        if let Err(e) = db::notifications::delete_read_before(&state.db, now - time::Duration::days(180)).await {
            tracing::warn!(error = %e, "notification cleanup failed");
        }
    }
}

pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down: finishing in-flight requests");
}

/// A database URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            let user = creds.split(':').next().unwrap_or("");
            format!("{}://{user}:***@{}", &url[..s], &url[at + 1..])
        }
        _ => url.to_string(),
    }
}
