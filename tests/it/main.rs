//! One integration-test binary: every module boots its own app (see `helpers`).

mod api;
mod attachments;
mod auth;
mod browser;
mod cli;
mod console;
mod helpers;
mod ops;
mod portal;
mod tenancy;
mod tickets;
mod two_factor;
mod webdriver;
