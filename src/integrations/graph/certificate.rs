//! Certificate credentials for Entra ID: the app registration holds an X.509 certificate,
//! Portico holds its RSA private key and proves it with a client assertion — a JWT signed
//! RS256 whose `x5t` header is the certificate's SHA-1 thumbprint, so that Entra ID knows
//! which of the app's certificates to check the signature with.
//!
//! PEM and the few certificate fields needed (validity, public key) are read here by hand:
//! a certificate is a DER `SEQUENCE` of known shape, and nothing else of it is used.

use std::sync::Arc;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use ring::rand::SystemRandom;
use ring::signature::{RsaKeyPair, RSA_PKCS1_SHA256};
use sha1::{Digest, Sha1};
use time::OffsetDateTime;

/// How long a client assertion may be used; Microsoft asks for 5–10 minutes at most.
const ASSERTION_LIFETIME_SECS: u64 = 10 * 60;

/// The DER of the rsaEncryption algorithm id, 1.2.840.113549.1.1.1.
const RSA_OID: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];

/// What is wrong with a certificate or private key an admin supplied, said so that they know
/// what to paste instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertificateError {
    #[error("{0}")]
    Certificate(String),
    #[error("{0}")]
    PrivateKey(String),
}

/// A certificate credential: the RSA key pair and the thumbprint of the certificate it
/// belongs to. Its `Debug` shows the thumbprint, never the key.
#[derive(Clone)]
pub struct ClientCertificate {
    key: Arc<RsaKeyPair>,
    /// The private key as PEM, for storing it (sealed).
    key_pem: Arc<str>,
    thumbprint: [u8; 20],
    not_after: Option<OffsetDateTime>,
}

impl ClientCertificate {
    /// Reads a certificate (PEM; of a chain, the one the key belongs to) and its RSA private
    /// key (PEM, PKCS#8 `PRIVATE KEY` or PKCS#1 `RSA PRIVATE KEY`, unencrypted, 2048–4096
    /// bits), and checks that they belong together. Every problem found is returned.
    pub fn from_pem(certificate_pem: &str, private_key_pem: &str) -> Result<ClientCertificate, Vec<CertificateError>> {
        let certs = read_certificates(certificate_pem).map_err(CertificateError::Certificate);
        let key = read_private_key(private_key_pem).map_err(CertificateError::PrivateKey);
        let (certs, (key, key_pem)) = match (certs, key) {
            (Ok(c), Ok(k)) => (c, k),
            (c, k) => return Err([c.err(), k.err()].into_iter().flatten().collect()),
        };
        if certs.iter().all(|c| c.rsa_public_key.is_none()) {
            return Err(vec![CertificateError::Certificate(
                "This certificate's key is not an RSA key. Entra ID certificate credentials need RSA.".into(),
            )]);
        }
        let public = key.public().as_ref();
        let Some(cert) = certs.iter().find(|c| c.rsa_public_key.as_deref() == Some(public)) else {
            return Err(vec![CertificateError::PrivateKey(
                "This private key does not belong to the certificate: paste the key the certificate was made with."
                    .into(),
            )]);
        };
        Ok(ClientCertificate {
            key: Arc::new(key),
            key_pem: key_pem.into(),
            thumbprint: Sha1::digest(&cert.der).into(),
            not_after: cert.not_after,
        })
    }

    /// The credential as stored: the private key (PEM) and the thumbprint (hex) read when it was saved.
    pub fn from_stored(private_key_pem: &str, thumbprint_hex: &str) -> Result<ClientCertificate, String> {
        let (key, key_pem) = read_private_key(private_key_pem)?;
        let thumbprint = hex_decode(thumbprint_hex).ok_or("the stored certificate thumbprint is not readable")?;
        Ok(ClientCertificate { key: Arc::new(key), key_pem: key_pem.into(), thumbprint, not_after: None })
    }

    /// SHA-1 of the certificate's DER in upper-case hex: what Entra ID lists as the thumbprint.
    pub fn thumbprint_hex(&self) -> String {
        self.thumbprint.iter().map(|b| format!("{b:02X}")).collect()
    }

    /// When the certificate expires, when it was read from the certificate itself.
    pub fn not_after(&self) -> Option<OffsetDateTime> {
        self.not_after
    }

    /// The private key as PEM, for storing it (sealed).
    pub fn expose_private_key_pem(&self) -> &str {
        &self.key_pem
    }

    /// What tells this credential apart from another: the thumbprint and the public key.
    pub(super) fn identity(&self) -> Vec<u8> {
        [&self.thumbprint[..], self.key.public().as_ref()].concat()
    }

    /// A client assertion for the token endpoint `audience`, valid from `now` (Unix seconds)
    /// for ten minutes; `None` only when the system's random source fails.
    pub(super) fn assertion(&self, client_id: &str, audience: &str, now: u64) -> Option<String> {
        let header = serde_json::json!({"alg": "RS256", "typ": "JWT", "x5t": URL_SAFE_NO_PAD.encode(self.thumbprint)});
        let claims = serde_json::json!({
            "aud": audience,
            "iss": client_id,
            "sub": client_id,
            "jti": uuid::Uuid::now_v7().to_string(),
            "nbf": now,
            "iat": now,
            "exp": now + ASSERTION_LIFETIME_SECS,
        });
        let input =
            format!("{}.{}", URL_SAFE_NO_PAD.encode(header.to_string()), URL_SAFE_NO_PAD.encode(claims.to_string()));
        let mut signature = vec![0; self.key.public().modulus_len()];
        self.key.sign(&RSA_PKCS1_SHA256, &SystemRandom::new(), input.as_bytes(), &mut signature).ok()?;
        Some(format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature)))
    }
}

impl PartialEq for ClientCertificate {
    fn eq(&self, other: &Self) -> bool {
        self.identity() == other.identity()
    }
}

impl Eq for ClientCertificate {}

impl std::fmt::Debug for ClientCertificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCertificate")
            .field("thumbprint", &self.thumbprint_hex())
            .field("private_key", &"***")
            .finish()
    }
}

/// One `-----BEGIN …-----` block: its label, whether it has RFC 1421 headers (an encrypted
/// legacy key), and its contents, when they are base64.
struct PemBlock {
    label: String,
    headers: bool,
    der: Option<Vec<u8>>,
}

/// The PEM blocks in `text`, in order. Text around them (openssl's "Bag Attributes", a
/// `openssl x509 -text` dump) is ignored.
fn pem_blocks(text: &str) -> Vec<PemBlock> {
    let mut blocks = vec![];
    let mut lines = text.lines().map(str::trim);
    while let Some(line) = lines.next() {
        let Some(label) = line.strip_prefix("-----BEGIN ").and_then(|l| l.strip_suffix("-----")) else { continue };
        let end = format!("-----END {label}-----");
        let (mut body, mut headers, mut ended) = (String::new(), false, false);
        for line in lines.by_ref() {
            if line == end {
                ended = true;
                break;
            }
            headers |= line.contains(':');
            body.extend(line.chars().filter(|c| !c.is_whitespace()));
        }
        let der = STANDARD.decode(body).ok().filter(|d| ended && !d.is_empty());
        blocks.push(PemBlock { label: label.to_string(), headers, der });
    }
    blocks
}

fn to_pem(label: &str, der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let lines: Vec<&str> = body.as_bytes().chunks(64).map(|c| std::str::from_utf8(c).unwrap_or_default()).collect();
    format!("-----BEGIN {label}-----\n{}\n-----END {label}-----\n", lines.join("\n"))
}

/// The fields of a certificate Portico uses.
struct X509 {
    der: Vec<u8>,
    /// The subject's RSAPublicKey (DER), when its key is RSA.
    rsa_public_key: Option<Vec<u8>>,
    not_after: Option<OffsetDateTime>,
}

fn read_certificates(pem: &str) -> Result<Vec<X509>, String> {
    let blocks = pem_blocks(pem);
    let certs: Vec<&PemBlock> = blocks.iter().filter(|b| b.label == "CERTIFICATE").collect();
    if certs.is_empty() {
        return Err(if blocks.iter().any(|b| b.label.ends_with("PRIVATE KEY")) {
            "This is a private key. Paste the certificate here: the block from -----BEGIN CERTIFICATE-----.".into()
        } else {
            "Paste the certificate in PEM form: the text from -----BEGIN CERTIFICATE----- to \
             -----END CERTIFICATE-----."
                .into()
        });
    }
    certs
        .iter()
        .map(|b| b.der.as_deref().and_then(parse_x509).ok_or_else(|| "The certificate could not be read.".to_string()))
        .collect()
}

/// Reads the RSA private key; also returns it as PEM without anything around it.
fn read_private_key(pem: &str) -> Result<(RsaKeyPair, String), String> {
    let blocks = pem_blocks(pem);
    let Some(block) = blocks.iter().find(|b| b.label.ends_with("PRIVATE KEY")) else {
        return Err(if blocks.iter().any(|b| b.label == "CERTIFICATE") {
            "This is a certificate. Paste its private key here: the block from -----BEGIN PRIVATE KEY-----.".into()
        } else {
            "Paste the private key in PEM form: the text from -----BEGIN PRIVATE KEY----- (or BEGIN RSA PRIVATE \
             KEY) to its END line."
                .into()
        });
    };
    if block.label == "ENCRYPTED PRIVATE KEY" || block.headers {
        return Err("This private key is protected by a password. Save it without one first, e.g. \
                    `openssl pkey -in key.pem -out key-plain.pem`."
            .into());
    }
    let der = block.der.as_deref().ok_or("The private key could not be read: its base64 text is damaged.")?;
    let key = match block.label.as_str() {
        "PRIVATE KEY" => RsaKeyPair::from_pkcs8(der),
        "RSA PRIVATE KEY" => RsaKeyPair::from_der(der),
        _ => return Err("This is not an RSA private key. Entra ID certificate credentials need an RSA key.".into()),
    };
    let key = key.map_err(|e| match e.to_string().as_str() {
        "TooSmall" => "This key is shorter than 2048 bits. Create a key of 2048 bits or more.".to_string(),
        "TooLarge" => "Keys longer than 4096 bits are not supported. Use a 2048, 3072 or 4096-bit key.".into(),
        "WrongAlgorithm" => "This is not an RSA private key. Entra ID certificate credentials need an RSA key.".into(),
        "PrivateModulusLenNotMultipleOf512Bits" => "Use a key of 2048, 3072 or 4096 bits.".into(),
        other => format!("The private key could not be read ({other})."),
    })?;
    Ok((key, to_pem(&block.label, der)))
}

/// One DER element at the start of `input`: (tag, contents, what follows).
fn element(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        (rest[..n].iter().fold(0usize, |acc, b| (acc << 8) | usize::from(*b)), &rest[n..])
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

/// The contents of the next element of `input`, which must have tag `tag`.
fn expect<'a>(input: &mut &'a [u8], tag: u8) -> Option<&'a [u8]> {
    let (t, contents, rest) = element(input)?;
    *input = rest;
    (t == tag).then_some(contents)
}

const SEQUENCE: u8 = 0x30;

/// Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version OPTIONAL, serialNumber,
/// signature, issuer, validity SEQUENCE { notBefore, notAfter }, subject,
/// subjectPublicKeyInfo SEQUENCE { algorithm SEQUENCE { OID, … }, BIT STRING } … } … }
fn parse_x509(der: &[u8]) -> Option<X509> {
    let mut outer = der;
    let mut cert = expect(&mut outer, SEQUENCE)?;
    let mut tbs = expect(&mut cert, SEQUENCE)?;
    if tbs.first() == Some(&0xa0) {
        expect(&mut tbs, 0xa0)?;
    }
    expect(&mut tbs, 0x02)?; // serialNumber
    expect(&mut tbs, SEQUENCE)?; // signature algorithm
    expect(&mut tbs, SEQUENCE)?; // issuer
    let validity = expect(&mut tbs, SEQUENCE)?;
    let (_, _, after_not_before) = element(validity)?;
    let (tag, not_after, _) = element(after_not_before)?;
    expect(&mut tbs, SEQUENCE)?; // subject
    let mut spki = expect(&mut tbs, SEQUENCE)?;
    let mut algorithm = expect(&mut spki, SEQUENCE)?;
    let oid = expect(&mut algorithm, 0x06)?;
    let bits = expect(&mut spki, 0x03)?;
    let rsa_public_key = match bits.split_first() {
        Some((0, key)) if oid == RSA_OID => Some(key.to_vec()),
        _ => None,
    };
    Some(X509 { der: der.to_vec(), rsa_public_key, not_after: asn1_time(tag, not_after) })
}

/// UTCTime (`YYMMDDHHMMSSZ`, tag 0x17) or GeneralizedTime (`YYYYMMDDHHMMSSZ`, tag 0x18).
fn asn1_time(tag: u8, text: &[u8]) -> Option<OffsetDateTime> {
    let text = std::str::from_utf8(text).ok()?.strip_suffix('Z')?;
    let (year, rest) = match (tag, text.len()) {
        (0x17, 12) => {
            let yy: i32 = text[..2].parse().ok()?;
            (if yy >= 50 { 1900 + yy } else { 2000 + yy }, &text[2..])
        }
        (0x18, 14) => (text[..4].parse().ok()?, &text[4..]),
        _ => return None,
    };
    let n = |i: usize| rest.get(i..i + 2).and_then(|s| s.parse::<u8>().ok());
    let date = time::Date::from_calendar_date(year, time::Month::try_from(n(0)?).ok()?, n(2)?).ok()?;
    let at = time::Time::from_hms(n(4)?, n(6)?, n(8)?).ok()?;
    Some(time::PrimitiveDateTime::new(date, at).assume_utc())
}

fn hex_decode(hex: &str) -> Option<[u8; 20]> {
    let hex = hex.trim();
    if hex.len() != 40 || !hex.is_ascii() {
        return None;
    }
    let mut out = [0u8; 20];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(&hex[i * 2..i * 2 + 2], 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn x5t_is_the_base64url_of_the_sha1_thumbprint() {
        // The example in Microsoft's "certificate credentials" article.
        let thumbprint = hex_decode("84E05C1D98BCE3A5421D225B140B36E86A3D5534").unwrap();
        assert_eq!(URL_SAFE_NO_PAD.encode(thumbprint), "hOBcHZi846VCHSJbFAs26Go9VTQ");
        assert!(hex_decode("84E05C1D").is_none());
        assert!(hex_decode("zz".repeat(20).as_str()).is_none());
    }

    #[test]
    fn pem_blocks_are_found_among_other_text() {
        let text = "Bag Attributes\n  localKeyID: 01\r\n-----BEGIN CERTIFICATE-----\r\nAAEC\r\nAw==\r\n\
                    -----END CERTIFICATE-----\nsubject=CN = x\n-----BEGIN PRIVATE KEY-----\nnot base64!\n\
                    -----END PRIVATE KEY-----\n-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nAAAA\n";
        let blocks = pem_blocks(text);
        assert_eq!(blocks.len(), 3);
        assert_eq!((blocks[0].label.as_str(), blocks[0].der.as_deref()), ("CERTIFICATE", Some(&[0, 1, 2, 3][..])));
        assert!(!blocks[0].headers);
        assert!(blocks[1].der.is_none(), "not base64");
        assert!(blocks[2].headers && blocks[2].der.is_none(), "encrypted and never ended");
        assert!(to_pem("CERTIFICATE", &[0, 1, 2, 3]).contains("\nAAECAw==\n"));
    }

    #[test]
    fn what_is_pasted_is_named() {
        let err = |cert: &str, key: &str| ClientCertificate::from_pem(cert, key).unwrap_err();
        let errors = err("", "hello");
        assert!(matches!(&errors[..], [CertificateError::Certificate(c), CertificateError::PrivateKey(k)]
            if c.contains("BEGIN CERTIFICATE") && k.contains("BEGIN PRIVATE KEY")));
        let swapped = err(
            "-----BEGIN PRIVATE KEY-----\nAA==\n-----END PRIVATE KEY-----",
            "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----",
        );
        assert!(swapped[0].to_string().starts_with("This is a private key"));
        assert!(swapped[1].to_string().starts_with("This is a certificate"));
        let locked = err("", "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAA==\n-----END ENCRYPTED PRIVATE KEY-----");
        assert!(locked[1].to_string().contains("password"));
        let ec = err("", "-----BEGIN EC PRIVATE KEY-----\nAA==\n-----END EC PRIVATE KEY-----");
        assert!(ec[1].to_string().contains("not an RSA"));
        let junk = err("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----", "");
        assert_eq!(junk[0].to_string(), "The certificate could not be read.");
    }

    #[test]
    fn certificate_times_are_read() {
        let t = asn1_time(0x17, b"260131235959Z").unwrap();
        assert_eq!((t.year(), t.month() as u8, t.day(), t.hour()), (2026, 1, 31, 23));
        assert_eq!(asn1_time(0x17, b"991231000000Z").unwrap().year(), 1999);
        assert_eq!(asn1_time(0x18, b"20500101000000Z").unwrap().year(), 2050);
        assert!(asn1_time(0x17, b"261331000000Z").is_none());
        assert!(asn1_time(0x18, b"2050010100Z").is_none());
    }

    #[test]
    fn der_lengths_are_checked() {
        assert_eq!(element(&[0x30, 0x02, 1, 2, 9]), Some((0x30, &[1u8, 2][..], &[9u8][..])));
        assert_eq!(element(&[0x30, 0x81, 0x02, 1, 2]), Some((0x30, &[1u8, 2][..], &[][..])));
        assert!(element(&[0x30, 0x05, 1]).is_none(), "longer than the input");
        assert!(element(&[0x30, 0x80]).is_none(), "indefinite length is not DER");
        assert!(parse_x509(&[0x30, 0x03, 0x30, 0x01, 0x00]).is_none());
    }
}
