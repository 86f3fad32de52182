//! Minimal WebDriver client (written by a helper).
