//! The `email` job: one rendered mail, sent over SMTP.

use std::time::Duration;

use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::AsyncSmtpTransport;
use lettre::{AsyncTransport, Message, Tokio1Executor};
use serde::{Deserialize, Serialize};

pub const KIND: &str = "email";

/// The payload of an `email` job: everything needed to send it, rendered when it was queued.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Outgoing {
    pub to: String,
    pub to_name: String,
    /// The MSP's own sender, or '' for the instance's default.
    pub from: String,
    pub from_name: String,
    /// Stable per job, so a retried send is recognisably the same message.
    pub message_id: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Why a send did not happen.
#[derive(Debug)]
pub struct SendError {
    /// Trying again cannot help (a malformed address, a 5xx answer).
    pub permanent: bool,
    pub message: String,
}

pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    default_from: Mailbox,
}

impl Mailer {
    /// `url` as lettre reads it: `smtp://host:25`, `smtp://user:pass@host:587?tls=required`
    /// (STARTTLS) or `smtps://user:pass@host:465`.
    pub fn new(url: &str, default_from: &str) -> Result<Mailer, String> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("PORTICO_SMTP_URL: {e}"))?
            .timeout(Some(Duration::from_secs(30)))
            .build();
        let default_from = default_from.parse().map_err(|e| format!("PORTICO_SMTP_FROM: {e}"))?;
        Ok(Mailer { transport, default_from })
    }

    pub async fn send(&self, out: &Outgoing) -> Result<(), SendError> {
        let permanent = |message: String| SendError { permanent: true, message };
        let from = if out.from.trim().is_empty() {
            Mailbox::new(Some(out.from_name.clone()), self.default_from.email.clone())
        } else {
            out.from.parse().map_err(|e| permanent(format!("sender {:?}: {e}", out.from)))?
        };
        let to = Mailbox::new(
            Some(out.to_name.clone()).filter(|n| !n.is_empty()),
            out.to.parse().map_err(|e| permanent(format!("recipient {:?}: {e}", out.to)))?,
        );
        let msg = Message::builder()
            .from(from)
            .to(to)
            .subject(out.subject.clone())
            .message_id(Some(out.message_id.clone()))
            .multipart(
                MultiPart::alternative()
                    .singlepart(SinglePart::builder().header(ContentType::TEXT_PLAIN).body(qp(&out.text)))
                    .singlepart(SinglePart::builder().header(ContentType::TEXT_HTML).body(qp(&out.html))),
            )
            .map_err(|e| permanent(e.to_string()))?;
        self.transport
            .send(msg)
            .await
            .map(|_| ())
            .map_err(|e| SendError { permanent: e.is_permanent(), message: e.to_string() })
    }
}

/// Quoted-printable: readable in the raw message, safe for any line length.
fn qp(text: &str) -> Body {
    Body::new_with_encoding(text.to_string(), ContentTransferEncoding::QuotedPrintable)
        .unwrap_or_else(|_| Body::new(text.to_string()))
}
