//! The Microsoft 365 sync: reads a customer's tenant through Graph and stores it, area by
//! area. An area that fails (no permission for alerts, say) is recorded and keeps what its
//! last good sync stored; the others still sync. Users go by delta rounds once a full read
//! has been made, with a full read once a day for last sign-in times (delta rounds do not
//! carry them).

mod areas;
mod credentials;
mod engine;
mod job;
mod news;
mod status;
mod users;

pub use credentials::credentials;
pub use engine::{sync_customer, Report};
pub use job::{request, run_job, schedule_due, JOB_KIND};
pub use status::{connections, status, test_connection, Status, PERMISSIONS};
