//! gzip for rendered pages. The generic compression layer builds a fresh deflate state
//! (hundreds of kilobytes, zeroed) for every response, which cost more than rendering a
//! page; a page is compressed here in one call with a per-thread compressor that is reset,
//! not rebuilt.

use std::cell::RefCell;

use axum::http::{header, HeaderMap, HeaderValue};
use flate2::{Compress, Compression, FlushCompress, Status};

thread_local! {
    static COMPRESSOR: RefCell<Compress> = RefCell::new(Compress::new_gzip(Compression::fast(), 15));
}

/// Whether the client accepts gzip (and has not refused it with `q=0`).
pub fn accepted(headers: &HeaderMap) -> bool {
    headers.get_all(header::ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).any(
        |part| {
            let mut it = part.trim().split(';');
            let coding = it.next().unwrap_or("").trim();
            let refused = it.any(|p| p.trim().replace(' ', "") == "q=0");
            (coding == "gzip" || coding == "*") && !refused
        },
    )
}

/// `body` compressed as one gzip member, or `None` if compression failed.
pub fn compress(body: &[u8]) -> Option<Vec<u8>> {
    COMPRESSOR.with(|c| {
        let mut c = c.borrow_mut();
        c.reset();
        let mut out = Vec::with_capacity(body.len() / 3 + 64);
        loop {
            let consumed = c.total_in() as usize;
            match c.compress_vec(&body[consumed..], &mut out, FlushCompress::Finish).ok()? {
                Status::StreamEnd => return Some(out),
                Status::Ok | Status::BufError => out.reserve(out.capacity().max(1024)),
            }
        }
    })
}

pub fn headers(h: &mut HeaderMap) {
    h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
}
