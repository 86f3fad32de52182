//! A real SMTP server for the mail tests: aiosmtpd (Python) writing each message it accepts
//! into a Maildir. Without Python's aiosmtpd the mail tests print `SKIPPED` and pass;
//! `.ci/run` installs it.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct SmtpServer {
    child: Child,
    pub port: u16,
    dir: PathBuf,
    _tmp: tempfile::TempDir,
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// True when `python3 -m aiosmtpd` can run; otherwise prints why the test is skipped.
pub fn available(test: &str) -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import aiosmtpd"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        println!("SKIPPED mail test {test}: no SMTP server (pip install aiosmtpd)");
    }
    ok
}

/// A port nothing listens on (yet).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl SmtpServer {
    /// Starts the server on `port` and waits until it answers.
    pub async fn start(port: u16) -> SmtpServer {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("maildir");
        let child = Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start aiosmtpd");
        let started = Instant::now();
        while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
            assert!(started.elapsed() < Duration::from_secs(15), "the SMTP server did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        SmtpServer { child, port, dir, _tmp: tmp }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message received so far, raw and then decoded (quoted-printable undone).
    pub fn messages(&self) -> Vec<Mail> {
        let mut out = vec![];
        for sub in ["new", "cur"] {
            let Ok(entries) = std::fs::read_dir(self.dir.join(sub)) else { continue };
            for e in entries.flatten() {
                if let Ok(raw) = std::fs::read_to_string(e.path()) {
                    out.push(Mail::parse(&raw));
                }
            }
        }
        out
    }

    /// Waits until at least `n` messages arrived (or the time is up) and returns them all.
    pub async fn wait_for(&self, n: usize, within: Duration) -> Vec<Mail> {
        let started = Instant::now();
        loop {
            let got = self.messages();
            if got.len() >= n || started.elapsed() > within {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

#[derive(Debug, Clone)]
pub struct Mail {
    pub to: String,
    pub from: String,
    pub subject: String,
    pub message_id: String,
    /// The whole message with quoted-printable soft breaks and escapes undone.
    pub body: String,
}

impl Mail {
    fn parse(raw: &str) -> Mail {
        let header = |name: &str| {
            raw.lines()
                .take_while(|l| !l.is_empty())
                .find(|l| l.to_ascii_lowercase().starts_with(&format!("{}:", name.to_ascii_lowercase())))
                .map(|l| l[name.len() + 1..].trim().to_string())
                .unwrap_or_default()
        };
        Mail {
            to: header("To"),
            from: header("From"),
            subject: header("Subject"),
            message_id: header("Message-ID"),
            body: unquote(raw),
        }
    }
}

fn unquote(raw: &str) -> String {
    let joined = raw.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&joined[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
