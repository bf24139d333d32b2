//! Small helpers: ids, timestamps, money formatting, HTML escaping, query strings.

use rand::distr::{Alphanumeric, SampleString};
use rand::RngCore;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// `{aid}.{22 random base62 characters}`, the shape of Dintero session and transaction ids.
pub(crate) fn object_id(account_id: &str) -> String {
    let mut id = String::with_capacity(account_id.len() + 23);
    id.push_str(account_id);
    id.push('.');
    Alphanumeric.append_string(&mut rand::rng(), &mut id, 22);
    id
}

/// A random RFC 4122 version 4 UUID in its hyphenated lower-case form.
pub(crate) fn uuid() -> String {
    let mut b = [0u8; 16];
    rand::rng().fill_bytes(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// Random bytes, hex-encoded.
pub(crate) fn random_hex(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut b);
    hex::encode(b)
}

/// RFC 3339 UTC with milliseconds, e.g. `2026-05-04T09:13:40.306Z` (what Dintero sends).
pub(crate) fn fmt_time(t: OffsetDateTime) -> String {
    let t = t.to_offset(UtcOffset::UTC);
    let f =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    t.format(f)
        .unwrap_or_else(|_| "1970-01-01T00:00:00.000Z".to_string())
}

/// Parses an RFC 3339 timestamp.
pub(crate) fn parse_time_strict(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s, &Rfc3339).ok()
}

/// Parses a list-filter timestamp: RFC 3339, or a date-time without zone (UTC), or a date.
pub(crate) fn parse_time_lenient(s: &str) -> Option<OffsetDateTime> {
    if let Some(t) = parse_time_strict(s) {
        return Some(t);
    }
    let with_frac =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond]");
    let no_frac = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    if let Ok(p) = PrimitiveDateTime::parse(s, with_frac) {
        return Some(p.assume_utc());
    }
    if let Ok(p) = PrimitiveDateTime::parse(s, no_frac) {
        return Some(p.assume_utc());
    }
    let date = format_description!("[year]-[month]-[day]");
    time::Date::parse(s, date)
        .ok()
        .map(|d| d.midnight().assume_utc())
}

/// Number of decimals of a currency's minor unit (ISO 4217). Unknown codes get 2.
pub(crate) fn currency_exponent(currency: &str) -> u32 {
    match currency {
        "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX"
        | "UYI" | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        _ => 2,
    }
}

/// Formats minor units the Norwegian way: `29990 NOK` -> `299,90 NOK`, `129990` -> `1 299,90 NOK`.
pub fn format_money(minor: i64, currency: &str) -> String {
    let exp = currency_exponent(currency);
    let neg = minor < 0;
    let abs = minor.unsigned_abs();
    let div = 10u64.pow(exp);
    let major = abs / div;
    let frac = abs % div;
    let digits = major.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(' ');
        }
        grouped.push(c);
    }
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    out.push_str(&grouped);
    if exp > 0 {
        out.push(',');
        out.push_str(&format!("{:0width$}", frac, width = exp as usize));
    }
    out.push(' ');
    out.push_str(currency);
    out
}

/// Escapes text for HTML element content and quoted attribute values.
pub(crate) fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Decodes an `application/x-www-form-urlencoded` query string into ordered pairs.
pub(crate) fn query_pairs(q: Option<&str>) -> Vec<(String, String)> {
    match q {
        Some(q) => form_urlencoded::parse(q.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect(),
        None => Vec::new(),
    }
}

/// Appends query parameters to a URL string (keeping what is already there).
pub(crate) fn append_query(base: &str, pairs: &[(&str, &str)]) -> String {
    match url::Url::parse(base) {
        Ok(mut u) => {
            {
                let mut q = u.query_pairs_mut();
                for (k, v) in pairs {
                    q.append_pair(k, v);
                }
            }
            u.to_string()
        }
        Err(_) => {
            let mut s = base.to_string();
            let mut ser = form_urlencoded::Serializer::new(String::new());
            for (k, v) in pairs {
                ser.append_pair(k, v);
            }
            s.push(if base.contains('?') { '&' } else { '?' });
            s.push_str(&ser.finish());
            s
        }
    }
}

/// Why an outgoing request (callback, webhook) got no answer, in a few words: the root cause
/// (e.g. "Connection refused (os error 111)") rather than reqwest's "error sending request for
/// url (...)".
pub(crate) fn transport_error(e: &reqwest::Error, timeout: std::time::Duration) -> String {
    if e.is_timeout() {
        return format!("timeout after {timeout:?}");
    }
    let mut cause: &dyn std::error::Error = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    let root = cause.to_string();
    if e.is_connect() {
        format!("could not connect: {root}")
    } else {
        root
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money() {
        assert_eq!(format_money(29990, "NOK"), "299,90 NOK");
        assert_eq!(format_money(129990, "NOK"), "1 299,90 NOK");
        assert_eq!(format_money(5, "NOK"), "0,05 NOK");
        assert_eq!(format_money(1000, "JPY"), "1 000 JPY");
        assert_eq!(format_money(1234, "KWD"), "1,234 KWD");
        assert_eq!(format_money(-150, "EUR"), "-1,50 EUR");
        assert_eq!(format_money(0, "SEK"), "0,00 SEK");
    }

    #[test]
    fn ids() {
        let id = object_id("T12345678");
        assert_eq!(id.len(), 9 + 1 + 22);
        assert!(id.starts_with("T12345678."));
        let u = uuid();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
    }

    #[test]
    fn times() {
        assert!(parse_time_lenient("2026-05-04").is_some());
        assert!(parse_time_lenient("2026-05-04T10:00:00").is_some());
        assert!(parse_time_lenient("2026-05-04T10:00:00.123Z").is_some());
        assert!(parse_time_lenient("yesterday").is_none());
        let t = parse_time_strict("2026-05-04T09:13:40.306Z").unwrap();
        assert_eq!(fmt_time(t), "2026-05-04T09:13:40.306Z");
    }

    #[test]
    fn escape() {
        assert_eq!(
            html_escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
