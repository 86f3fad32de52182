//! Demo attachments: a generated screenshot and a log file on some demo tickets, and a
//! staff-only file on an internal note, stored like any upload.

use std::io::Write;

use axum::body::Bytes;

use crate::db::tickets as q;
use crate::db::{self, CustomerScope, Db};
use crate::error::AppResult;
use crate::files::Files;
use crate::services::attachments::{Attaching, Upload};

const PRINTER_LOG: &str = "\
2024-05-13 08:02:11  HP LaserJet M404 (floor 2)  Network link up, 100 Mbit/s full duplex
2024-05-13 08:02:14  DHCP request sent
2024-05-13 08:02:44  DHCP request timed out, retrying
2024-05-13 08:03:44  DHCP request timed out
2024-05-13 08:03:45  Using link-local address 169.254.12.7
2024-05-13 08:03:45  Print queue on print server: printer offline
";

const DHCP_LEASES: &str = "\
scope,address,mac,host,expires
10.20.2.0/24,10.20.2.14,3C:52:82:1A:7F:02,FLOOR2-PRN,2024-05-10 17:55
10.20.2.0/24,10.20.2.31,00:1B:44:11:3A:B7,CONTOSO-LT-042,2024-05-14 09:12
";

/// Attaches the demo files to the customer's tickets, which were just created.
pub async fn seed(db: &Db, files: &Files, scope: CustomerScope) -> AppResult<()> {
    let attach = |name: &str, bytes: Vec<u8>| vec![Upload { file_name: Some(name.into()), bytes: Bytes::from(bytes) }];
    add(db, files, scope, "Outlook keeps asking for my password", None, attach("outlook-prompt.png", screenshot()))
        .await?;
    let printer = "Printer on the 2nd floor shows offline";
    add(db, files, scope, printer, None, attach("printer-event-log.txt", PRINTER_LOG.into())).await?;
    add(db, files, scope, printer, Some(true), attach("dhcp-leases.csv", DHCP_LEASES.into())).await
}

/// Files on the ticket itself from its requester, or (`internal_note`) on its first internal
/// note, or first staff reply, from the note's author.
async fn add(
    db: &Db,
    files: &Files,
    scope: CustomerScope,
    title: &str,
    internal_note: Option<bool>,
    uploads: Vec<Upload>,
) -> AppResult<()> {
    let filter = q::Filter { customer: Some(scope.customer_id()), search: title.into(), ..Default::default() };
    let (rows, _) = q::list(db, scope.msp(), &filter, (q::Sort::Number, false), 5, 0).await?;
    let Some(t) = rows.into_iter().find(|t| t.title == title) else { return Ok(()) };
    let (comment, uploader, internal, at) = match internal_note {
        None => (None, t.requester_id, false, t.created_at + time::Duration::minutes(1)),
        Some(internal) => {
            let comments = q::comments(db, scope.msp(), t.id, true).await?;
            let Some(c) = comments.iter().find(|c| c.internal == internal && c.author_is_staff) else { return Ok(()) };
            (Some(c.id), c.author_id, c.internal, c.created_at)
        }
    };
    let Some(uploader) = uploader else { return Ok(()) };
    let checked = Attaching::new(files, uploads, usize::MAX).check()?;
    checked
        .store_then(scope, uploader, internal, |rows| async move {
            db::attachments::insert(db, scope, t.id, comment, &rows, at).await
        })
        .await
}

/// A 480×300 PNG of a sign-in prompt over a desktop, drawn here so the demo needs no files.
pub fn screenshot() -> Vec<u8> {
    let (w, h) = (480usize, 300usize);
    let mut px = vec![[0u8; 3]; w * h];
    let mut rect = |x0: usize, y0: usize, x1: usize, y1: usize, c: [u8; 3]| {
        for y in y0..y1.min(h) {
            for x in x0..x1.min(w) {
                px[y * w + x] = c;
            }
        }
    };
    rect(0, 0, w, h, [0x1f, 0x4e, 0x79]); // desktop
    rect(0, h - 28, w, h, [0x20, 0x24, 0x2b]); // task bar
    rect(90, 50, 390, 240, [0xff, 0xff, 0xff]); // dialog
    rect(90, 50, 390, 80, [0x0f, 0x6c, 0xbd]); // title bar
    rect(104, 62, 190, 68, [0xff, 0xff, 0xff]); // title text
    rect(110, 100, 330, 108, [0x33, 0x33, 0x33]); // "Enter your password"
    rect(110, 118, 280, 124, [0x88, 0x88, 0x88]);
    rect(110, 140, 370, 166, [0xc8, 0xc8, 0xc8]); // password box border
    rect(111, 141, 369, 165, [0xff, 0xff, 0xff]);
    for i in 0..8 {
        rect(120 + i * 12, 150, 127 + i * 12, 157, [0x33, 0x33, 0x33]); // ••••••••
    }
    rect(290, 196, 370, 224, [0x0f, 0x6c, 0xbd]); // OK button
    rect(312, 207, 348, 213, [0xff, 0xff, 0xff]);
    rect(200, 196, 280, 224, [0xe1, 0xe1, 0xe1]); // Cancel button
    rect(220, 207, 260, 213, [0x55, 0x55, 0x55]);
    let (cx, cy, r) = (352i64, 112i64, 10i64); // a warning dot
    for y in cy - r..=cy + r {
        for x in cx - r..=cx + r {
            if (x - cx).pow(2) + (y - cy).pow(2) <= r * r {
                px[y as usize * w + x as usize] = [0xd1, 0x34, 0x38];
            }
        }
    }
    png(w, h, &px)
}

/// An 8-bit RGB PNG.
fn png(w: usize, h: usize, px: &[[u8; 3]]) -> Vec<u8> {
    let mut raw = Vec::with_capacity(h * (1 + w * 3));
    for row in px.chunks(w) {
        raw.push(0);
        raw.extend(row.iter().flatten());
    }
    let mut z = flate2::write::ZlibEncoder::new(vec![], flate2::Compression::best());
    z.write_all(&raw).expect("writing to memory");
    let idat = z.finish().expect("writing to memory");
    let mut ihdr = vec![];
    ihdr.extend_from_slice(&(w as u32).to_be_bytes());
    ihdr.extend_from_slice(&(h as u32).to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    for (kind, data) in [(b"IHDR", &ihdr[..]), (b"IDAT", &idat[..]), (b"IEND", &[][..])] {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut crc = flate2::Crc::new();
        crc.update(kind);
        crc.update(data);
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        out.extend_from_slice(&crc.sum().to_be_bytes());
    }
    out
}
