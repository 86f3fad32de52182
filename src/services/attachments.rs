//! Files attached to tickets and comments: what may be uploaded (decided by content, never by
//! name), how it is stored, and who may read it back (whoever may see the ticket; internal
//! notes' files only staff).

use axum::body::Bytes;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::db::attachments::{self as q, AttachmentRow, NewAttachment};
use crate::db::tickets::TicketRow;
use crate::db::{CustomerScope, Db};
use crate::error::{AppError, AppResult};
use crate::files::{FileError, Files, Reading};
use crate::model::{self, now, FieldError};
use crate::policy::{Action, Actor};
use crate::services::tickets;

/// Most files in one upload.
pub const MAX_FILES: usize = 10;
/// Longest kept file name, in characters.
pub const NAME_MAX: usize = 150;

/// What the allow-list says, for messages and documentation.
pub const ALLOWED: &str = "images (PNG, JPEG, GIF, WebP), PDF, text, CSV, log and email (.eml) files, \
    ZIP archives and Office documents (Word, Excel, PowerPoint)";

/// A file as it arrived: the name the sender gave, if any, and its bytes.
#[derive(Debug, Clone)]
pub struct Upload {
    pub file_name: Option<String>,
    pub bytes: Bytes,
}

/// The media type of an allowed file, found from its content.
pub fn sniff(bytes: &[u8]) -> Result<&'static str, &'static str> {
    const NOT_ALLOWED: &str = "isn't a type of file that can be attached";
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Ok("image/png");
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok("image/jpeg");
    }
    if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        return Ok("image/gif");
    }
    if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return Ok("image/webp");
    }
    if bytes.starts_with(b"%PDF-") {
        return Ok("application/pdf");
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        let names = zip_entry_names(bytes).ok_or("looks like a ZIP archive but can't be read")?;
        let has = |n: &str| names.iter().any(|e| e == n);
        if names.iter().any(|e| e.to_ascii_lowercase().ends_with("vbaproject.bin")) {
            return Err("contains macros, which aren't allowed (save it without macros, e.g. as .docx or .xlsx)");
        }
        if has("[Content_Types].xml") {
            if has("word/document.xml") {
                return Ok("application/vnd.openxmlformats-officedocument.wordprocessingml.document");
            }
            if has("xl/workbook.xml") {
                return Ok("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
            }
            if has("ppt/presentation.xml") {
                return Ok("application/vnd.openxmlformats-officedocument.presentationml.presentation");
            }
        }
        return Ok("application/zip");
    }
    // Text: UTF-8 without NULs or other control characters than tabs, line ends, form
    // feeds and the escapes of coloured logs.
    let text = std::str::from_utf8(bytes).map_err(|_| NOT_ALLOWED)?;
    if text.chars().any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\x0c' | '\x1b')) {
        return Err(NOT_ALLOWED);
    }
    if looks_like_markup(text) {
        return Err(
            "is a web page or markup (HTML, SVG or XML), which can't be attached; attach a PDF or screenshot instead",
        );
    }
    if looks_like_email(text) {
        return Ok("message/rfc822");
    }
    Ok("text/plain; charset=utf-8")
}

/// HTML, SVG or XML: a browser could run it, so it is refused even though it is text.
fn looks_like_markup(text: &str) -> bool {
    let t = text.trim_start_matches('\u{feff}').trim_start();
    let head: String = t.chars().take(1024).collect::<String>().to_ascii_lowercase();
    t.starts_with('<') || ["<html", "<!doctype", "<svg", "<script", "<?xml"].iter().any(|m| head.contains(m))
}

/// A saved email: header lines up to the first empty line, with at least two of the usual ones.
fn looks_like_email(text: &str) -> bool {
    let mut known = 0;
    for line in text.lines().take(200) {
        if line.is_empty() {
            return known >= 2;
        }
        if line.starts_with([' ', '\t']) {
            continue;
        }
        let Some((name, _)) = line.split_once(':') else { return false };
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return false;
        }
        let name = name.to_ascii_lowercase();
        if ["from", "to", "subject", "date", "received", "message-id", "mime-version", "return-path"]
            .contains(&name.as_str())
        {
            known += 1;
        }
    }
    false
}

/// The names in a ZIP archive's central directory, or `None` if it can't be read.
fn zip_entry_names(bytes: &[u8]) -> Option<Vec<String>> {
    let u16_at = |i: usize| bytes.get(i..i + 2).map(|b| u16::from_le_bytes([b[0], b[1]]) as usize);
    let u32_at = |i: usize| bytes.get(i..i + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize);
    // The end-of-central-directory record: in the last 22 bytes plus a comment of up to 64 kB.
    let earliest = bytes.len().saturating_sub(22 + 65_535);
    let end = (earliest..=bytes.len().saturating_sub(22)).rev().find(|&i| bytes[i..].starts_with(b"PK\x05\x06"))?;
    let count = u16_at(end + 10)?;
    let mut at = u32_at(end + 16)?;
    let mut names = Vec::with_capacity(count.min(10_000));
    for _ in 0..count.min(10_000) {
        if !bytes.get(at..)?.starts_with(b"PK\x01\x02") {
            return None;
        }
        let (name_len, extra_len, comment_len) = (u16_at(at + 28)?, u16_at(at + 30)?, u16_at(at + 32)?);
        let name = bytes.get(at + 46..at + 46 + name_len)?;
        names.push(String::from_utf8_lossy(name).into_owned());
        at += 46 + name_len + extra_len + comment_len;
    }
    Some(names)
}

/// A file name safe to keep and offer for download: the last path part only, no control
/// or reserved characters, at most `NAME_MAX` characters (the extension kept).
pub fn clean_name(raw: Option<&str>, content_type: &str) -> String {
    let last = raw.unwrap_or("").rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        .filter(|c| {
            !c.is_control() && !matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        })
        .map(|c| if matches!(c, '<' | '>' | ':' | '"' | '|' | '?' | '*') { '_' } else { c })
        .collect();
    let trimmed = cleaned.trim().trim_start_matches('.').trim();
    let name = if trimmed.is_empty() { format!("attachment.{}", extension_for(content_type)) } else { trimmed.into() };
    if name.chars().count() <= NAME_MAX {
        return name;
    }
    let (stem, ext) = match name.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() && e.chars().count() <= 10 => (s, format!(".{e}")),
        _ => (name.as_str(), String::new()),
    };
    let keep = NAME_MAX - ext.chars().count();
    format!("{}{ext}", stem.chars().take(keep).collect::<String>().trim_end())
}

fn extension_for(content_type: &str) -> &'static str {
    match content_type {
        "image/png" => "png",
        "image/jpeg" => "jpg",
        "image/gif" => "gif",
        "image/webp" => "webp",
        "application/pdf" => "pdf",
        "application/zip" => "zip",
        "message/rfc822" => "eml",
        t if t.ends_with("wordprocessingml.document") => "docx",
        t if t.ends_with("spreadsheetml.sheet") => "xlsx",
        t if t.ends_with("presentationml.presentation") => "pptx",
        _ => "txt",
    }
}

/// Files on their way to a ticket or comment: given to the service that writes it, which
/// checks them after deciding the actor may write at all.
pub struct Attaching<'a> {
    files: Option<&'a Files>,
    uploads: Vec<Upload>,
    max_bytes: usize,
}

impl<'a> Attaching<'a> {
    pub fn none() -> Attaching<'static> {
        Attaching { files: None, uploads: vec![], max_bytes: 0 }
    }

    /// `uploads` for the file store `files`, at most `max_bytes` together.
    pub fn new(files: &'a Files, uploads: Vec<Upload>, max_bytes: usize) -> Attaching<'a> {
        Attaching { files: Some(files), uploads, max_bytes }
    }

    /// Checks every upload before anything is written: at most `MAX_FILES`, none empty, all
    /// together within the limit, each of an allowed type. The first problem refuses them all.
    pub fn check(self) -> AppResult<Checked<'a>> {
        let uploads = self.uploads;
        if uploads.len() > MAX_FILES {
            return Err(FieldError::new("attachments", format!("Attach at most {MAX_FILES} files at once.")).into());
        }
        if uploads.iter().map(|u| u.bytes.len()).sum::<usize>() > self.max_bytes {
            return Err(AppError::PayloadTooLarge);
        }
        let mut items = vec![];
        for u in uploads {
            let shown = match u.file_name.as_deref().filter(|n| !n.trim().is_empty()) {
                Some(n) => format!("“{}”", clean_name(Some(n), "")),
                None => "A file without a name".into(),
            };
            if u.bytes.is_empty() {
                return Err(FieldError::new("attachments", format!("{shown} is empty.")).into());
            }
            let content_type = sniff(&u.bytes)
                .map_err(|why| AppError::UnsupportedMedia(format!("{shown} {why}. You can attach {ALLOWED}.")))?;
            let row = NewAttachment {
                id: model::new_id(),
                customer_id: crate::model::CustomerId(uuid::Uuid::nil()),
                uploader_id: crate::model::UserId(Uuid::nil()),
                file_name: clean_name(u.file_name.as_deref(), content_type),
                content_type,
                size_bytes: u.bytes.len() as i64,
                sha256: format!("{:x}", Sha256::digest(&u.bytes)),
                storage_key: String::new(),
                internal: false,
            };
            items.push((row, u.bytes));
        }
        Ok(Checked { files: self.files, items })
    }
}

/// Files that passed every check and are ready to store, in the order given.
pub struct Checked<'a> {
    files: Option<&'a Files>,
    items: Vec<(NewAttachment, Bytes)>,
}

impl Checked<'_> {
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Stores the files, then runs `write` with their rows (for the ticket's customer, by
    /// `uploader`); if `write` fails, the stored files are removed again.
    pub async fn store_then<T, F, Fut>(
        self,
        scope: CustomerScope,
        uploader: crate::model::UserId,
        internal: bool,
        write: F,
    ) -> AppResult<T>
    where
        F: FnOnce(Vec<NewAttachment>) -> Fut,
        Fut: std::future::Future<Output = Result<T, crate::db::DbError>>,
    {
        let mut rows: Vec<NewAttachment> = Vec::with_capacity(self.items.len());
        if let Some(files) = self.files {
            for (mut row, bytes) in self.items {
                row.customer_id = scope.customer_id();
                row.uploader_id = uploader;
                row.internal = internal;
                row.storage_key = format!("attachments/{}/{}/{}", scope.msp_id(), scope.customer_id(), row.id);
                if let Err(e) = files.put(&row.storage_key, bytes).await {
                    discard(files, &rows).await;
                    return Err(e.into());
                }
                rows.push(row);
            }
        }
        match write(rows.clone()).await {
            Ok(v) => Ok(v),
            Err(e) => {
                if let Some(files) = self.files {
                    discard(files, &rows).await;
                }
                Err(e.into())
            }
        }
    }
}

/// Best effort: a file left behind is only disk space, never visible.
async fn discard(files: &Files, rows: &[NewAttachment]) {
    for r in rows {
        if let Err(e) = files.delete(&r.storage_key).await {
            tracing::warn!(key = %r.storage_key, error = %e, "could not remove a stored file after a failed write");
        }
    }
}

impl From<FileError> for AppError {
    fn from(e: FileError) -> Self {
        AppError::Internal(e.to_string())
    }
}

/// The attachments of a ticket the actor may see (see `tickets::get`), as the actor may see them.
pub async fn of_ticket(db: &Db, actor: &Actor, t: &TicketRow) -> AppResult<Vec<AttachmentRow>> {
    Ok(q::for_ticket(db, actor.msp(), t.id, actor.may(Action::WriteInternalNotes, None)).await?)
}

/// One attachment of a ticket the actor may see (see `tickets::get`) and its bytes, if the
/// actor may see the file too.
pub async fn open(
    db: &Db,
    files: &Files,
    actor: &Actor,
    t: &TicketRow,
    id: Uuid,
) -> AppResult<(AttachmentRow, Reading)> {
    let row = q::get(db, actor.msp(), t.id, id, actor.may(Action::WriteInternalNotes, None))
        .await?
        .ok_or(AppError::NotFound)?;
    let reading = files.get(&row.storage_key).await?;
    Ok((row, reading))
}

/// Attaches files to a ticket, or to one of the actor's own comments on it. Staff may mark
/// them internal; those on an internal note are internal too.
pub async fn add(
    db: &Db,
    actor: &Actor,
    number: i64,
    comment: Option<Uuid>,
    internal: bool,
    attaching: Attaching<'_>,
) -> AppResult<Vec<AttachmentRow>> {
    let t = tickets::get(db, actor, number).await?;
    if internal && !actor.may(Action::WriteInternalNotes, None) {
        return Err(AppError::Forbidden);
    }
    let internal = match comment {
        Some(c) => {
            q::own_comment(db, actor.msp(), t.id, c, actor.user_id)
                .await?
                .ok_or_else(|| FieldError::new("comment_id", "Name one of your own comments on this ticket."))?
                || internal
        }
        None => internal,
    };
    let checked = attaching.check()?;
    if checked.is_empty() {
        return Err(FieldError::new("attachments", "Choose at least one file.").into());
    }
    let scope = actor.customer_scope(&t)?;
    let ticket = t.id;
    let ids: Vec<Uuid> = checked.items.iter().map(|(r, _)| r.id).collect();
    checked
        .store_then(scope, actor.user_id, internal, |rows| async move {
            q::insert(db, scope, ticket, comment, &rows, now()).await
        })
        .await?;
    let all = q::for_ticket(db, actor.msp(), ticket, actor.may(Action::WriteInternalNotes, None)).await?;
    Ok(all.into_iter().filter(|a| ids.contains(&a.id)).collect())
}

/// `attachment; filename="…"; filename*=UTF-8''…` (RFC 6266, with RFC 5987 for non-ASCII).
pub fn content_disposition(name: &str) -> String {
    let ascii: String =
        name.chars().map(|c| if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' { c } else { '_' }).collect();
    let mut encoded = String::with_capacity(name.len() * 3);
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// "12 KB", "3.4 MB": sizes as people read them.
pub fn human_size(bytes: i64) -> String {
    const KB: f64 = 1024.0;
    let b = bytes as f64;
    if b < KB {
        format!("{bytes} bytes")
    } else if b < KB * KB {
        format!("{:.0} KB", (b / KB).max(1.0))
    } else {
        format!("{:.1} MB", b / KB / KB)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffing_goes_by_content() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\nrest").unwrap(), "image/png");
        assert_eq!(sniff(b"%PDF-1.7\n").unwrap(), "application/pdf");
        assert_eq!(sniff(b"2024-05-01 12:00 error: disk full\n").unwrap(), "text/plain; charset=utf-8");
        assert_eq!(sniff(b"name,seats\nE3,12\n").unwrap(), "text/plain; charset=utf-8");
        assert_eq!(sniff(b"From: a@b.test\r\nTo: c@d.test\r\nSubject: hi\r\n\r\nBody").unwrap(), "message/rfc822");
        assert!(sniff(b"MZ\x90\x00\x03\x00\x00\x00").is_err(), "a Windows executable");
        assert!(sniff(b"\x7fELF\x02\x01\x01").is_err(), "an ELF executable");
        assert!(sniff(b"<!DOCTYPE html><html><script>alert(1)</script>").is_err());
        assert!(sniff(b"  <svg xmlns='http://www.w3.org/2000/svg'/>").is_err());
        assert!(sniff(b"text with a \0 NUL").is_err());
        assert_eq!(sniff(b"\x1b[31mERROR\x1b[0m\tcoloured\r\n").unwrap(), "text/plain; charset=utf-8");
        assert!(sniff(b"PK\x03\x04garbage").is_err(), "a broken ZIP");
    }

    /// A stored (uncompressed) ZIP with the given entry names and empty contents.
    fn zip_of(names: &[&str]) -> Vec<u8> {
        let mut out = vec![];
        let mut central = vec![];
        for n in names {
            let offset = out.len() as u32;
            out.extend_from_slice(b"PK\x03\x04");
            out.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            out.extend_from_slice(&(n.len() as u16).to_le_bytes());
            out.extend_from_slice(&[0, 0]);
            out.extend_from_slice(n.as_bytes());
            central.extend_from_slice(b"PK\x01\x02");
            central.extend_from_slice(&[20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            central.extend_from_slice(&(n.len() as u16).to_le_bytes());
            central.extend_from_slice(&[0; 12]);
            central.extend_from_slice(&offset.to_le_bytes());
            central.extend_from_slice(n.as_bytes());
        }
        let cd_offset = out.len() as u32;
        out.extend_from_slice(&central);
        out.extend_from_slice(b"PK\x05\x06\0\0\0\0");
        out.extend_from_slice(&(names.len() as u16).to_le_bytes());
        out.extend_from_slice(&(names.len() as u16).to_le_bytes());
        out.extend_from_slice(&(central.len() as u32).to_le_bytes());
        out.extend_from_slice(&cd_offset.to_le_bytes());
        out.extend_from_slice(&[0, 0]);
        out
    }

    #[test]
    fn office_files_are_told_from_zip_archives() {
        assert_eq!(sniff(&zip_of(&["notes.txt"])).unwrap(), "application/zip");
        assert!(sniff(&zip_of(&["[Content_Types].xml", "word/document.xml"]))
            .unwrap()
            .ends_with("wordprocessingml.document"));
        assert!(sniff(&zip_of(&["[Content_Types].xml", "xl/workbook.xml"])).unwrap().ends_with("spreadsheetml.sheet"));
        assert!(sniff(&zip_of(&["[Content_Types].xml", "ppt/presentation.xml"]))
            .unwrap()
            .ends_with("presentationml.presentation"));
        assert!(sniff(&zip_of(&["[Content_Types].xml", "word/document.xml", "word/vbaProject.bin"])).is_err());
    }

    #[test]
    fn names_are_cleaned() {
        assert_eq!(clean_name(Some("C:\\Users\\lee\\Desktop\\error.png"), "image/png"), "error.png");
        assert_eq!(clean_name(Some("../../etc/passwd"), "text/plain"), "passwd");
        assert_eq!(clean_name(Some("a\u{0}b\nc\u{202e}gnp.exe"), ""), "abcgnp.exe");
        assert_eq!(clean_name(Some("..."), "image/png"), "attachment.png");
        assert_eq!(clean_name(None, "application/pdf"), "attachment.pdf");
        let long = format!("{}.pdf", "x".repeat(400));
        let cut = clean_name(Some(&long), "application/pdf");
        assert_eq!(cut.chars().count(), NAME_MAX);
        assert!(cut.ends_with(".pdf"));
    }

    #[test]
    fn download_names_are_encoded() {
        assert_eq!(
            content_disposition("Rapport été \"final\".pdf"),
            "attachment; filename=\"Rapport _t_ _final_.pdf\"; filename*=UTF-8''Rapport%20%C3%A9t%C3%A9%20%22final%22.pdf"
        );
    }
}
