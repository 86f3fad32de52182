//! Background work: the runner that claims queued jobs, and one handler per job kind.

pub mod email;
pub mod runner;

pub use runner::{spawn, RunnerHandle};
