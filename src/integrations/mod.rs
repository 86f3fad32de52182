//! Clients for the external services Portico reads, one module each. They know HTTP and
//! the service's wire format, and nothing of Portico's database or pages.

pub mod graph;
