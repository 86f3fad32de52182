//! Money: an integer count of the currency's minor unit, with the currency it is counted in.
//! No float ever holds a price; the number of decimals is the currency's (ISO 4217).

use std::fmt;

use serde::Serialize;

use super::FieldError;

/// One ISO 4217 currency: its code, how many decimals its minor unit has, and the symbol an
/// English-speaking reader knows it by (CLDR's `en` symbols; the code where it has none).
#[derive(Debug, PartialEq, Eq)]
struct Info {
    code: &'static str,
    exponent: u8,
    symbol: &'static str,
    name: &'static str,
}

const fn c(code: &'static str, exponent: u8, symbol: &'static str, name: &'static str) -> Info {
    Info { code, exponent, symbol, name }
}

/// The currencies an MSP may bill in. A dollar other than the US one carries its country,
/// as CLDR writes it, so that "$" is never ambiguous.
const CURRENCIES: &[Info] = &[
    c("USD", 2, "$", "US dollar"),
    c("EUR", 2, "€", "Euro"),
    c("GBP", 2, "£", "Pound sterling"),
    c("CHF", 2, "CHF", "Swiss franc"),
    c("AUD", 2, "A$", "Australian dollar"),
    c("CAD", 2, "CA$", "Canadian dollar"),
    c("NZD", 2, "NZ$", "New Zealand dollar"),
    c("JPY", 0, "¥", "Japanese yen"),
    c("SEK", 2, "SEK", "Swedish krona"),
    c("NOK", 2, "NOK", "Norwegian krone"),
    c("DKK", 2, "DKK", "Danish krone"),
    c("ISK", 0, "ISK", "Icelandic króna"),
    c("PLN", 2, "PLN", "Polish złoty"),
    c("CZK", 2, "CZK", "Czech koruna"),
    c("HUF", 2, "HUF", "Hungarian forint"),
    c("RON", 2, "RON", "Romanian leu"),
    c("BGN", 2, "BGN", "Bulgarian lev"),
    c("TRY", 2, "TRY", "Turkish lira"),
    c("ILS", 2, "₪", "Israeli new shekel"),
    c("ZAR", 2, "ZAR", "South African rand"),
    c("NGN", 2, "NGN", "Nigerian naira"),
    c("KES", 2, "KES", "Kenyan shilling"),
    c("EGP", 2, "EGP", "Egyptian pound"),
    c("AED", 2, "AED", "UAE dirham"),
    c("SAR", 2, "SAR", "Saudi riyal"),
    c("QAR", 2, "QAR", "Qatari riyal"),
    c("KWD", 3, "KWD", "Kuwaiti dinar"),
    c("BHD", 3, "BHD", "Bahraini dinar"),
    c("OMR", 3, "OMR", "Omani rial"),
    c("JOD", 3, "JOD", "Jordanian dinar"),
    c("INR", 2, "₹", "Indian rupee"),
    c("SGD", 2, "SGD", "Singapore dollar"),
    c("HKD", 2, "HK$", "Hong Kong dollar"),
    c("CNY", 2, "CN¥", "Chinese yuan"),
    c("TWD", 2, "NT$", "New Taiwan dollar"),
    c("KRW", 0, "₩", "South Korean won"),
    c("THB", 2, "THB", "Thai baht"),
    c("MYR", 2, "MYR", "Malaysian ringgit"),
    c("IDR", 2, "IDR", "Indonesian rupiah"),
    c("PHP", 2, "₱", "Philippine peso"),
    c("VND", 0, "₫", "Vietnamese dong"),
    c("MXN", 2, "MX$", "Mexican peso"),
    c("BRL", 2, "R$", "Brazilian real"),
    c("CLP", 0, "CLP", "Chilean peso"),
    c("COP", 2, "COP", "Colombian peso"),
    c("ARS", 2, "ARS", "Argentine peso"),
];

/// A currency from the built-in list; built only by [`Currency::parse`] or from a stored code.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Currency(&'static Info);

impl Currency {
    /// What an MSP bills in until it says otherwise (also migration 0010's default).
    pub const DEFAULT: Currency = Currency(&CURRENCIES[0]);

    /// An ISO 4217 code from the list, in any case ("eur" is EUR).
    pub fn parse(field: &'static str, raw: &str) -> Result<Currency, FieldError> {
        let code = raw.trim().to_ascii_uppercase();
        CURRENCIES.iter().find(|i| i.code == code).map(Currency).ok_or_else(|| {
            FieldError::coded(field, "unknown_currency", "Choose a currency from the list (an ISO 4217 code like EUR).")
        })
    }

    /// A code read back from the database, written there only after [`Currency::parse`].
    pub fn from_stored(code: &str) -> Currency {
        Currency::parse("currency", code).unwrap_or_else(|_| {
            tracing::warn!(code, "unknown stored currency; showing amounts as the default");
            Currency::DEFAULT
        })
    }

    pub fn all() -> impl Iterator<Item = Currency> {
        CURRENCIES.iter().map(Currency)
    }

    pub fn code(self) -> &'static str {
        self.0.code
    }

    pub fn name(self) -> &'static str {
        self.0.name
    }

    /// Decimals of the minor unit: 2 for EUR, 0 for JPY, 3 for KWD.
    pub fn exponent(self) -> u8 {
        self.0.exponent
    }

    /// An amount as a form expects it, for hints: "12.50", "1250" (JPY), "12.500" (KWD).
    pub fn example(self) -> String {
        match usize::from(self.0.exponent) {
            0 => "1250".into(),
            places => format!("12.{:0<places$}", "5"),
        }
    }

    fn scale(self) -> i64 {
        10_i64.pow(u32::from(self.0.exponent))
    }

    /// A plain decimal amount ("1250.00") as a reader sees it: grouped, with the symbol
    /// ("€1,250.00"), or with the code where the currency has no symbol ("CHF 1,250.00").
    pub fn display(self, amount: &str) -> String {
        let (sign, digits) = amount.strip_prefix('-').map(|d| ("-", d)).unwrap_or(("", amount));
        let grouped = group_thousands(digits);
        if self.0.symbol == self.0.code {
            // A no-break space keeps the code on the line of its number.
            format!("{sign}{}\u{a0}{grouped}", self.0.code)
        } else {
            format!("{sign}{}{grouped}", self.0.symbol)
        }
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.code)
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.code)
    }
}

impl Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0.code)
    }
}

/// Digits grouped by thousands with commas: "10003" → "10,003", "1234.50" → "1,234.50".
/// Anything that is not a plain decimal comes back unchanged.
pub fn group_thousands(s: &str) -> String {
    let (sign, rest) = s.strip_prefix('-').map(|r| ("-", r)).unwrap_or(("", s));
    let (whole, frac) = rest.split_once('.').map(|(w, f)| (w, Some(f))).unwrap_or((rest, None));
    if whole.is_empty() || !whole.chars().all(|c| c.is_ascii_digit()) {
        return s.to_string();
    }
    let mut out = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{out}.{f}"),
        None => format!("{sign}{out}"),
    }
}

/// An amount in `currency`'s minor unit (cents, yen, fils). Amounts of one view are all in
/// the MSP's one currency; adding two currencies is a bug, caught in debug builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

impl Money {
    /// The most a price may be: a million per license per month.
    const MAX_WHOLE: i64 = 1_000_000;

    pub fn new(minor: i64, currency: Currency) -> Money {
        Money { minor, currency }
    }

    pub fn zero(currency: Currency) -> Money {
        Money::new(0, currency)
    }

    /// "12.50", "12,50", "12.5" or "12" (as many decimals as the currency has, none for
    /// JPY); empty is `None`.
    pub fn parse(field: &'static str, raw: &str, currency: Currency) -> Result<Option<Money>, FieldError> {
        let s = raw.trim().replace(',', ".");
        if s.is_empty() {
            return Ok(None);
        }
        let places = usize::from(currency.exponent());
        let bad =
            || FieldError::new(field, format!("Enter an amount in {} like {}.", currency.code(), currency.example()));
        let (whole, frac) = s.split_once('.').unwrap_or((&s, ""));
        let digits = |d: &str| d.chars().all(|c| c.is_ascii_digit());
        if whole.is_empty() || whole.len() > 9 || frac.len() > places || !digits(whole) || !digits(frac) {
            return Err(bad());
        }
        let whole: i64 = whole.parse().map_err(|_| bad())?;
        let frac: i64 = if places == 0 { 0 } else { format!("{frac:0<places$}").parse().map_err(|_| bad())? };
        let minor = whole * currency.scale() + frac;
        if minor > Self::MAX_WHOLE * currency.scale() {
            return Err(FieldError::new(field, "That amount is too large."));
        }
        Ok(Some(Money::new(minor, currency)))
    }

    /// The count of minor units, as stored.
    pub fn minor(self) -> i64 {
        self.minor
    }

    pub fn currency(self) -> Currency {
        self.currency
    }

    pub fn times(self, n: i64) -> Money {
        Money::new(self.minor.saturating_mul(n), self.currency)
    }

    /// The plain decimal, as the API and form fields carry it: "1250.00", "1250", "1.250".
    pub fn amount(self) -> String {
        let sign = if self.minor < 0 { "-" } else { "" };
        let (abs, scale) = (self.minor.unsigned_abs(), self.currency.scale().unsigned_abs());
        match self.currency.exponent() {
            0 => format!("{sign}{abs}"),
            places => format!("{sign}{}.{:0places$}", abs / scale, abs % scale, places = usize::from(places)),
        }
    }
}

impl std::ops::Add for Money {
    type Output = Money;
    fn add(self, o: Money) -> Money {
        debug_assert_eq!(self.currency, o.currency, "adding amounts in two currencies");
        Money::new(self.minor.saturating_add(o.minor), self.currency)
    }
}

/// "€1,250.00": what a reader sees.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.currency.display(&self.amount()))
    }
}

/// The plain decimal ("1250.00"), beside which the API gives the `currency`: a string keeps
/// every digit, which a JSON number read as a float would not promise.
impl Serialize for Money {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.amount())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cur(code: &str) -> Currency {
        Currency::parse("c", code).unwrap()
    }

    #[test]
    fn currencies_parse_by_code() {
        assert_eq!(cur(" eur ").code(), "EUR");
        assert_eq!(cur("JPY").exponent(), 0);
        assert_eq!(cur("KWD").exponent(), 3);
        let e = Currency::parse("currency", "XXX").unwrap_err();
        assert_eq!((e.field.as_ref(), e.code), ("currency", Some("unknown_currency")));
        assert!(Currency::parse("currency", "").is_err());
        let mut codes: Vec<_> = Currency::all().map(Currency::code).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), CURRENCIES.len(), "each code once");
    }

    #[test]
    fn money_parses_with_the_currency_exponent() {
        let usd = Currency::DEFAULT;
        assert_eq!(Money::parse("p", "12.50", usd).unwrap(), Some(Money::new(1250, usd)));
        assert_eq!(Money::parse("p", " 12,5 ", usd).unwrap(), Some(Money::new(1250, usd)));
        assert_eq!(Money::parse("p", "7", usd).unwrap(), Some(Money::new(700, usd)));
        assert_eq!(Money::parse("p", "", usd).unwrap(), None);
        for bad in ["12.505", "-3", "1e3", "abc", ".50", "1.2.3"] {
            assert!(Money::parse("p", bad, usd).is_err(), "{bad}");
        }
        assert!(Money::parse("p", "99999999", usd).is_err());
        assert_eq!(Money::parse("p", "1250", cur("JPY")).unwrap().unwrap().minor(), 1250);
        assert!(Money::parse("p", "12.50", cur("JPY")).is_err());
        assert_eq!(Money::parse("p", "1.25", cur("KWD")).unwrap().unwrap().minor(), 1250);
        assert!(Money::parse("p", "1.2505", cur("KWD")).is_err());
    }

    #[test]
    fn money_prints_in_its_currency() {
        let usd = Currency::DEFAULT;
        assert_eq!(Money::new(123405, usd).amount(), "1234.05");
        assert_eq!(Money::new(1250, usd).times(3).amount(), "37.50");
        assert_eq!(Money::new(576520, cur("EUR")).to_string(), "€5,765.20");
        assert_eq!(Money::new(576520, cur("CHF")).to_string(), "CHF\u{a0}5,765.20");
        assert_eq!(Money::new(576520, cur("JPY")).to_string(), "¥576,520");
        assert_eq!(Money::new(1250, cur("KWD")).amount(), "1.250");
        assert_eq!(Money::new(-505, usd).to_string(), "-$5.05");
        assert_eq!(serde_json::to_value(Money::new(5, usd)).unwrap(), serde_json::json!("0.05"));
    }
}
