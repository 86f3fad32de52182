//! Claims due jobs one at a time and runs them; a failed job is tried again later with a
//! growing delay, up to its limit. Any number of instances may run a runner: a claim is a
//! lease, and on PostgreSQL claims skip rows another instance holds.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

use super::email::{self, Mailer, Outgoing};
use crate::db::{jobs, Db};
use crate::model::now;

/// How long a claimed job is ours; a crashed instance's job is taken again after it.
const LEASE: time::Duration = time::Duration::minutes(5);
const IDLE_POLL: Duration = Duration::from_secs(5);
const MAX_DELAY: time::Duration = time::Duration::hours(2);

/// Runs one job of a kind from its payload: Ok, or (permanent?, why).
pub type Handler =
    Arc<dyn Fn(String) -> Pin<Box<dyn Future<Output = Result<(), (bool, String)>> + Send>> + Send + Sync>;

pub struct Runner {
    pub db: Db,
    pub mailer: Option<Mailer>,
    /// Handlers for the other kinds, given by the application (jobs know no services).
    pub handlers: Vec<(&'static str, Handler)>,
    /// The first retry waits this long; each later one twice as long as the one before.
    pub retry_base: time::Duration,
    pub wake: Arc<Notify>,
}

pub struct RunnerHandle {
    stop: Arc<AtomicBool>,
    wake: Arc<Notify>,
    task: tokio::task::JoinHandle<()>,
}

impl RunnerHandle {
    /// Lets the job in hand finish (up to a limit), then stops.
    pub async fn stop(self) {
        self.stop.store(true, Ordering::SeqCst);
        self.wake.notify_one();
        let _ = tokio::time::timeout(Duration::from_secs(35), self.task).await;
    }
}

pub fn spawn(runner: Runner) -> RunnerHandle {
    let stop = Arc::new(AtomicBool::new(false));
    let wake = runner.wake.clone();
    let task = tokio::spawn(run(runner, stop.clone()));
    RunnerHandle { stop, wake, task }
}

async fn run(r: Runner, stop: Arc<AtomicBool>) {
    // Without SMTP, mail stays queued (the console says so) until an instance that has it runs.
    let mut kinds: Vec<&str> = r.handlers.iter().map(|(k, _)| *k).collect();
    if r.mailer.is_some() {
        kinds.push(email::KIND);
    }
    while !stop.load(Ordering::SeqCst) {
        match jobs::claim(&r.db, &kinds, now(), LEASE).await {
            Ok(Some(job)) => r.handle(job).await,
            Ok(None) => {
                let _ = tokio::time::timeout(IDLE_POLL, r.wake.notified()).await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "job queue unavailable");
                tokio::time::sleep(IDLE_POLL).await;
            }
        }
    }
}

impl Runner {
    async fn handle(&self, job: jobs::JobRow) {
        let result = match job.kind.as_str() {
            email::KIND => self.send(&job.payload).await,
            other => match self.handlers.iter().find(|(k, _)| *k == other) {
                Some((_, handler)) => handler(job.payload.clone()).await,
                None => Err((true, format!("unknown job kind {other:?}"))),
            },
        };
        let at = now();
        let outcome = match result {
            Ok(()) => jobs::complete(&self.db, job.id, at).await,
            Err((permanent, message)) => {
                let retry = (!permanent && job.attempts < job.max_attempts).then(|| at + self.delay(job.attempts));
                tracing::warn!(job = %job.id, kind = %job.kind, attempt = job.attempts, retry = retry.is_some(), error = %message, "job failed");
                jobs::fail(&self.db, job.id, &message, at, retry).await
            }
        };
        if let Err(e) = outcome {
            // The lease runs out and the job is taken again.
            tracing::error!(job = %job.id, error = %e, "could not record a job's outcome");
        }
    }

    fn delay(&self, attempts: i64) -> time::Duration {
        let factor = 1i32 << attempts.clamp(1, 16).saturating_sub(1);
        (self.retry_base * factor).min(MAX_DELAY)
    }

    async fn send(&self, payload: &str) -> Result<(), (bool, String)> {
        let mailer = self.mailer.as_ref().ok_or((false, "SMTP is not configured".to_string()))?;
        let out: Outgoing = serde_json::from_str(payload).map_err(|e| (true, format!("unreadable mail: {e}")))?;
        mailer.send(&out).await.map_err(|e| (e.permanent, e.message))?;
        tracing::info!(to = %out.to, subject = %out.subject, "mail sent");
        Ok(())
    }
}
