//! Browser tests (written by a helper).
