//! White-label branding of an MSP: names, colour, support contact, logo and favicon.

use serde::{Deserialize, Serialize};

use crate::db::{self, msps::Image, Db, MspScope};
use crate::error::{AppError, AppResult};
use crate::model::{self, Colour, Currency, Email, FieldError, Patch};
use crate::policy::{Action, Actor};

pub const MAX_LOGO_BYTES: usize = 512 * 1024;
pub const MAX_FAVICON_BYTES: usize = 128 * 1024;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Branding {
    pub product_name: String,
    /// `#rrggbb`
    pub primary_color: String,
    pub welcome_message: String,
    pub support_phone: String,
    pub support_email: String,
    pub support_hours: String,
    /// The ISO 4217 code of the currency the MSP bills in; every amount is in it.
    #[schema(value_type = String, example = "EUR")]
    pub currency: Currency,
    /// Where the logo is served, or null when none was uploaded. Read-only.
    pub logo_url: Option<String>,
    /// Where the favicon is served, or null. Read-only.
    pub favicon_url: Option<String>,
}

impl Branding {
    pub fn of(m: &db::msps::MspRow) -> Branding {
        Branding {
            product_name: m.product_name.clone(),
            primary_color: m.primary_color.clone(),
            welcome_message: m.welcome_message.clone(),
            support_phone: m.support_phone.clone(),
            support_email: m.support_email.clone(),
            support_hours: m.support_hours.clone(),
            currency: Currency::from_stored(&m.currency),
            logo_url: m.logo_type.as_ref().map(|_| format!("/brand/logo?v={}", m.branding_version)),
            favicon_url: m.favicon_type.as_ref().map(|_| format!("/brand/favicon?v={}", m.branding_version)),
        }
    }
}

/// A branding update; absent fields keep their value, `""` empties an optional one.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BrandingUpdate {
    #[serde(default)]
    #[schema(inline)]
    pub product_name: Patch<String>,
    #[serde(default)]
    #[schema(inline)]
    pub primary_color: Patch<String>,
    #[serde(default)]
    #[schema(inline)]
    pub welcome_message: Patch<String>,
    #[serde(default)]
    #[schema(inline)]
    pub support_phone: Patch<String>,
    #[serde(default)]
    #[schema(inline)]
    pub support_email: Patch<String>,
    #[serde(default)]
    #[schema(inline)]
    pub support_hours: Patch<String>,
    /// An ISO 4217 code from the built-in list (USD, EUR, GBP, CHF, JPY, KWD …); another code
    /// is a 422 `unknown_currency`. Prices already set keep their number: 12.50 USD becomes
    /// 12.50 EUR (and 13 JPY, which has no decimals). Nothing is converted.
    #[serde(default)]
    #[schema(inline, example = "EUR")]
    pub currency: Patch<String>,
    /// Ignored: the logo is uploaded through its own endpoint.
    #[serde(default)]
    #[schema(read_only)]
    pub logo_url: Option<serde_json::Value>,
    /// Ignored: the favicon is uploaded through its own endpoint.
    #[serde(default)]
    #[schema(read_only)]
    pub favicon_url: Option<serde_json::Value>,
}

pub async fn get(db: &Db, msp: MspScope) -> AppResult<Branding> {
    let m = db::msps::get(db, msp).await?.ok_or(AppError::NotFound)?;
    Ok(Branding::of(&m))
}

pub async fn update(db: &Db, actor: &Actor, u: BrandingUpdate) -> AppResult<Branding> {
    actor.require(Action::ManageBranding, None)?;
    let cur = get(db, actor.msp()).await?;
    let pick = |v: &Patch<String>, cur: &str| v.clone().or(cur.to_string());
    let mut errors: Vec<FieldError> = vec![];
    let mut field = |r: Result<String, FieldError>| r.map_err(|e| errors.push(e)).unwrap_or_default();
    let product_name = field(model::text("product_name", &pick(&u.product_name, &cur.product_name), 80, true));
    let primary_color = field(
        Colour::parse("primary_color", &pick(&u.primary_color, &cur.primary_color)).map(|c| c.as_str().to_string()),
    );
    let welcome_message =
        field(model::text("welcome_message", &pick(&u.welcome_message, &cur.welcome_message), 1000, false));
    let support_phone = field(model::text("support_phone", &pick(&u.support_phone, &cur.support_phone), 40, false));
    let email_raw = pick(&u.support_email, &cur.support_email);
    let support_email = if email_raw.trim().is_empty() {
        String::new()
    } else {
        field(Email::parse("support_email", &email_raw).map(|e| e.to_string()))
    };
    let support_hours = field(model::text("support_hours", &pick(&u.support_hours, &cur.support_hours), 120, false));
    let currency = match u.currency.clone().into_option() {
        Some(raw) => Currency::parse("currency", &raw).map_err(|e| errors.push(e)).unwrap_or(cur.currency),
        None => cur.currency,
    };
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let text = db::msps::BrandingText {
        product_name: &product_name,
        primary_color: &primary_color,
        welcome_message: &welcome_message,
        support_phone: &support_phone,
        support_email: &support_email,
        support_hours: &support_hours,
        currency: currency.code(),
        rescale_prices: rescale(cur.currency, currency),
    };
    db::msps::update_branding(db, actor.msp(), &text).await?;
    if currency != cur.currency {
        crate::services::m365::forget_all();
    }
    get(db, actor.msp()).await
}

/// Prices are stored in minor units: when the number of decimals changes, they are scaled so
/// that 12.50 stays 12.50 (a currency change relabels prices, it converts nothing).
fn rescale(from: Currency, to: Currency) -> (i64, i64) {
    let (f, t) = (u32::from(from.exponent()), u32::from(to.exponent()));
    if t >= f {
        (10_i64.pow(t - f), 1)
    } else {
        (1, 10_i64.pow(f - t))
    }
}

/// Checks an uploaded image by its content (never its name) and returns its media type.
pub fn sniff_image(which: Image, bytes: &[u8]) -> AppResult<&'static str> {
    let max = if which == Image::Logo { MAX_LOGO_BYTES } else { MAX_FAVICON_BYTES };
    if bytes.is_empty() {
        return Err(AppError::BadRequest("The file is empty.".into()));
    }
    if bytes.len() > max {
        return Err(AppError::PayloadTooLarge);
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Ok("image/png");
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok("image/jpeg");
    }
    if which == Image::Favicon && bytes.starts_with(&[0, 0, 1, 0]) {
        return Ok("image/x-icon");
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        if looks_like_svg(text) {
            return check_svg(text).map(|_| "image/svg+xml");
        }
    }
    let kinds = if which == Image::Logo { "PNG, JPEG or SVG" } else { "PNG, ICO or SVG" };
    Err(AppError::UnsupportedMedia(format!("That file isn't a {kinds} image.")))
}

fn looks_like_svg(text: &str) -> bool {
    let t = text.trim_start_matches('\u{feff}').trim_start();
    (t.starts_with("<?xml") || t.starts_with("<svg") || t.starts_with("<!--")) && t.contains("<svg")
}

/// SVG can carry script. Logos are served with a CSP that forbids it anyway; on top of that
/// anything active or external is refused outright.
fn check_svg(text: &str) -> AppResult<()> {
    let lower = text.to_lowercase();
    let forbidden = [
        "<script",
        "javascript:",
        "<foreignobject",
        "<iframe",
        "<embed",
        "<object",
        "<!entity",
        "<!doctype",
        "xlink:href=\"http",
        "href=\"http",
        "href='http",
        "@import",
    ];
    let has_handler = lower.match_indices(" on").any(|(i, _)| {
        let rest = &lower[i + 3..];
        let name: String = rest.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
        !name.is_empty() && rest[name.len()..].trim_start().starts_with('=')
    });
    if has_handler || forbidden.iter().any(|f| lower.contains(f)) {
        return Err(AppError::UnsupportedMedia(
            "That SVG contains scripts or external references, which aren't allowed. Export it as plain SVG or PNG."
                .into(),
        ));
    }
    Ok(())
}

pub async fn set_image(db: &Db, actor: &Actor, which: Image, bytes: &[u8]) -> AppResult<Branding> {
    actor.require(Action::ManageBranding, None)?;
    let content_type = sniff_image(which, bytes)?;
    db::msps::set_image(db, actor.msp(), which, bytes, content_type).await?;
    get(db, actor.msp()).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_keep_their_number_across_decimals() {
        let c = |code| Currency::parse("c", code).unwrap();
        assert_eq!(rescale(c("USD"), c("EUR")), (1, 1));
        assert_eq!(rescale(c("USD"), c("JPY")), (1, 100));
        assert_eq!(rescale(c("JPY"), c("KWD")), (1000, 1));
    }

    #[test]
    fn svg_with_script_is_refused() {
        assert!(sniff_image(Image::Logo, b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>")
            .is_err());
        assert!(sniff_image(Image::Logo, b"<svg xmlns='http://www.w3.org/2000/svg' onload = 'x()'></svg>").is_err());
        assert_eq!(
            sniff_image(Image::Logo, b"<svg xmlns='http://www.w3.org/2000/svg'><rect/></svg>").unwrap(),
            "image/svg+xml"
        );
        assert!(sniff_image(Image::Logo, b"GIF89a").is_err());
    }
}
