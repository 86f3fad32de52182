//! Claims due jobs one at a time and runs them; a failed job is tried again later with a
//! growing delay, up to its limit. Any number of instances may run a runner: a claim is a
//! lease, renewed while the job runs, and on PostgreSQL claims skip rows another instance holds.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

use super::email::{self, Mailer, Outgoing};
use crate::db::{jobs, Db};
use crate::model::{new_id, now};

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
    /// How long a claim holds a job without a renewal; a crashed instance's job is taken again
    /// after it. A running job renews it every third of this.
    pub lease: time::Duration,
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
        let lease_id = new_id();
        match jobs::claim(&r.db, &kinds, now(), r.lease, lease_id).await {
            Ok(Some(job)) => r.handle(job, lease_id).await,
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
    async fn handle(&self, job: jobs::JobRow, lease_id: uuid::Uuid) {
        // Whichever ends first ends the other: the job's end stops the heartbeat, and a lost
        // lease stops the job, since the instance that took it over runs it now.
        let result = tokio::select! {
            result = self.execute(&job) => result,
            () = self.heartbeat(job.id, lease_id) => {
                tracing::error!(job = %job.id, kind = %job.kind, "job lease lost to another instance; stopped here");
                return;
            }
        };
        let at = now();
        let outcome = match result {
            Ok(()) => jobs::complete(&self.db, job.id, lease_id, at).await,
            Err((permanent, message)) => {
                let retry = (!permanent && job.attempts < job.max_attempts).then(|| at + self.delay(job.attempts));
                tracing::warn!(job = %job.id, kind = %job.kind, attempt = job.attempts, retry = retry.is_some(), error = %message, "job failed");
                jobs::fail(&self.db, job.id, lease_id, &message, at, retry).await
            }
        };
        match outcome {
            Ok(true) => {}
            Ok(false) => {
                tracing::error!(job = %job.id, kind = %job.kind, "job lease lost before its outcome was recorded")
            }
            // The lease runs out and the job is taken again.
            Err(e) => tracing::error!(job = %job.id, error = %e, "could not record a job's outcome"),
        }
    }

    async fn execute(&self, job: &jobs::JobRow) -> Result<(), (bool, String)> {
        match job.kind.as_str() {
            email::KIND => self.send(&job.payload).await,
            other => match self.handlers.iter().find(|(k, _)| *k == other) {
                Some((_, handler)) => handler(job.payload.clone()).await,
                None => Err((true, format!("unknown job kind {other:?}"))),
            },
        }
    }

    /// Renews the lease every third of its length; returns only once it is no longer ours.
    /// A renewal that fails on a database error is tried again at the next beat: two more
    /// come before the lease runs out.
    async fn heartbeat(&self, id: uuid::Uuid, lease_id: uuid::Uuid) {
        let beat = Duration::try_from(self.lease / 3).unwrap_or(Duration::from_secs(1));
        loop {
            tokio::time::sleep(beat).await;
            match jobs::renew(&self.db, id, lease_id, now() + self.lease).await {
                Ok(true) => {}
                Ok(false) => return,
                Err(e) => tracing::warn!(job = %id, error = %e, "could not renew a job's lease"),
            }
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
