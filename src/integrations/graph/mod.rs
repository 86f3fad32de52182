//! Microsoft Graph.

pub mod skus;

pub use skus::product_name;
