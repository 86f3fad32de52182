//! Per-IP sign-in limits, kept in memory (each instance limits what it sees; the per-account
//! limit in the database holds across instances).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct IpLimiter {
    max: u32,
    window: Duration,
    hits: Mutex<HashMap<IpAddr, Vec<Instant>>>,
}

impl IpLimiter {
    pub fn new(max: u32, window: Duration) -> Self {
        IpLimiter { max, window, hits: Mutex::new(HashMap::new()) }
    }

    /// Records an attempt; `Err(seconds)` when over the limit, with the wait until one expires.
    pub fn hit(&self, ip: IpAddr) -> Result<(), u64> {
        let now = Instant::now();
        let mut hits = self.hits.lock().unwrap_or_else(|e| e.into_inner());
        if hits.len() > 10_000 {
            hits.retain(|_, v| v.last().is_some_and(|t| now.duration_since(*t) < self.window));
        }
        let list = hits.entry(ip).or_default();
        list.retain(|t| now.duration_since(*t) < self.window);
        if list.len() as u32 >= self.max {
            let oldest = list[0];
            return Err(self.window.saturating_sub(now.duration_since(oldest)).as_secs().max(1));
        }
        list.push(now);
        Ok(())
    }
}
