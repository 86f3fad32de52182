//! One integration-test binary: every module boots its own app (see `helpers`).

mod api;
mod attachments;
mod auth;
mod browser;
mod certs;
mod cli;
mod console;
mod currency;
mod fake_graph;
mod graph;
mod helpers;
mod keep_one;
mod m365;
mod m365_certificates;
mod m365_groups;
mod m365_sync;
mod notifications;
mod ops;
mod portal;
mod schema;
mod smtp;
mod tenancy;
mod ticket_settings;
mod tickets;
mod two_factor;
mod webdriver;
