//! Request validation with messages that say what is wrong and where
//! (`order.items[1].line_id: duplicate "2"`).

use crate::error::ApiError;
use serde_json::{Map, Value};
use std::collections::HashSet;
use time::OffsetDateTime;

/// Collected problems: `(path, message)`.
#[derive(Default)]
pub(crate) struct Problems(pub Vec<(String, String)>);

impl Problems {
    pub fn add(&mut self, path: impl Into<String>, msg: impl Into<String>) {
        self.0.push((path.into(), msg.into()));
    }
    pub fn into_result(self) -> Result<(), ApiError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ApiError::validation(self.0))
        }
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "an integer",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// An integer that fits in int32 and is `>= min`, or a problem.
pub(crate) fn int_field(
    p: &mut Problems,
    obj: &Map<String, Value>,
    key: &str,
    path: &str,
    required: bool,
    min: i64,
) -> Option<i64> {
    let path = format!("{path}{key}");
    match obj.get(key) {
        None if required => {
            p.add(path, "is required");
            None
        }
        None => None,
        Some(v) => match v.as_i64() {
            Some(n) if n < min => {
                p.add(path, format!("must be at least {min}, got {n}"));
                None
            }
            Some(n) if n > i32::MAX as i64 => {
                p.add(
                    path,
                    format!("must be at most {} (int32), got {n}", i32::MAX),
                );
                None
            }
            Some(n) => Some(n),
            None => {
                let got = if v.as_u64().is_some() {
                    "an integer beyond int32".to_string()
                } else {
                    format!("{} ({v})", type_name(v))
                };
                p.add(path, format!("must be an integer, got {got}"));
                None
            }
        },
    }
}

fn str_field<'a>(
    p: &mut Problems,
    obj: &'a Map<String, Value>,
    key: &str,
    path: &str,
    required: bool,
) -> Option<&'a str> {
    let path = format!("{path}{key}");
    match obj.get(key) {
        None if required => {
            p.add(path, "is required");
            None
        }
        None => None,
        Some(Value::String(s)) => Some(s),
        Some(v) => {
            p.add(path, format!("must be a string, got {}", type_name(v)));
            None
        }
    }
}

fn bool_field(p: &mut Problems, obj: &Map<String, Value>, key: &str, path: &str) -> Option<bool> {
    match obj.get(key) {
        None => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(v) => {
            p.add(
                format!("{path}{key}"),
                format!("must be a boolean, got {}", type_name(v)),
            );
            None
        }
    }
}

fn number_field(p: &mut Problems, obj: &Map<String, Value>, key: &str, path: &str) {
    if let Some(v) = obj.get(key) {
        if !v.is_number() {
            p.add(
                format!("{path}{key}"),
                format!("must be a number, got {}", type_name(v)),
            );
        }
    }
}

fn object_field<'a>(
    p: &mut Problems,
    obj: &'a Map<String, Value>,
    key: &str,
    path: &str,
    required: bool,
) -> Option<&'a Map<String, Value>> {
    let path = format!("{path}{key}");
    match obj.get(key) {
        None if required => {
            p.add(path, "is required");
            None
        }
        None => None,
        Some(Value::Object(o)) => Some(o),
        Some(v) => {
            p.add(path, format!("must be an object, got {}", type_name(v)));
            None
        }
    }
}

/// An absolute `http`/`https` URL. (The real Dintero also demands HTTPS and a public host
/// for callback URLs; the emulator allows `http://localhost` and `http://127.0.0.1`.)
fn url_field(p: &mut Problems, obj: &Map<String, Value>, key: &str, path: &str, required: bool) {
    if let Some(s) = str_field(p, obj, key, path, required) {
        match url::Url::parse(s) {
            Ok(u) if (u.scheme() == "http" || u.scheme() == "https") && u.has_host() => {}
            _ => p.add(
                format!("{path}{key}"),
                format!("must be an absolute http(s) URL, got {s:?}"),
            ),
        }
    }
}

/// Dintero refuses `http://` callback and return URLs. A loopback host (`localhost`,
/// `127.0.0.0/8`, `::1`) stays allowed for local development, unless `strict`.
fn require_https(p: &mut Problems, url: &Map<String, Value>, key: &str, strict: bool) {
    let Some(raw) = url.get(key).and_then(Value::as_str) else {
        return;
    };
    let Ok(u) = url::Url::parse(raw) else {
        return; // url_field reported it
    };
    if u.scheme() != "http" {
        return;
    }
    let loopback = match u.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    if strict {
        p.add(
            format!("url.{key}"),
            format!("must be an https:// URL (the emulator runs with strict URLs), got {raw:?}"),
        );
    } else if !loopback {
        p.add(
            format!("url.{key}"),
            format!(
                "must be an https:// URL; http:// is allowed only for localhost, 127.0.0.1 and ::1, got {raw:?}"
            ),
        );
    }
}

const ITEM_TYPES: &[&str] = &[
    "physical",
    "digital",
    "service",
    "gift_card",
    "shipping",
    "surcharge",
];

/// Validates an order. `require_core`: amount, currency and merchant_reference must be there.
/// `strict_sum`: amount must equal Σ items.amount + shipping_option.amount (unless
/// partial_payment, which allows less).
pub(crate) fn check_order(p: &mut Problems, order: &Map<String, Value>, strict_sum: bool) {
    let path = "order.";
    let amount = int_field(p, order, "amount", path, true, 0);
    if let Some(c) = str_field(p, order, "currency", path, true) {
        if !(c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase())) {
            p.add(
                "order.currency",
                format!("must be a 3-letter upper-case ISO 4217 code, got {c:?}"),
            );
        }
    }
    if let Some(r) = str_field(p, order, "merchant_reference", path, true) {
        if r.trim().is_empty() {
            p.add("order.merchant_reference", "must not be empty");
        }
    }
    str_field(p, order, "merchant_reference_2", path, false);
    int_field(p, order, "vat_amount", path, false, i64::MIN);
    let partial = bool_field(p, order, "partial_payment", path).unwrap_or(false);
    for key in ["shipping_address", "billing_address"] {
        object_field(p, order, key, path, false);
    }

    let mut seen: HashSet<String> = HashSet::new();
    let mut sum: i64 = 0;
    let mut sum_ok = true;
    let mut has_lines = false;
    match order.get("items") {
        None => {}
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                let ipath = format!("order.items[{i}].");
                let Some(item) = item.as_object() else {
                    p.add(
                        format!("order.items[{i}]"),
                        format!("must be an object, got {}", type_name(item)),
                    );
                    sum_ok = false;
                    continue;
                };
                has_lines = true;
                match int_field(p, item, "amount", &ipath, true, i64::MIN) {
                    Some(a) => sum = sum.saturating_add(a),
                    None => sum_ok = false,
                }
                int_field(p, item, "vat_amount", &ipath, false, i64::MIN);
                number_field(p, item, "quantity", &ipath);
                number_field(p, item, "vat", &ipath);
                str_field(p, item, "id", &ipath, false);
                str_field(p, item, "description", &ipath, false);
                if let Some(t) = str_field(p, item, "type", &ipath, false) {
                    if !ITEM_TYPES.contains(&t) {
                        p.add(
                            format!("{ipath}type"),
                            format!("must be one of {}, got {t:?}", ITEM_TYPES.join("|")),
                        );
                    }
                }
                if let Some(l) = str_field(p, item, "line_id", &ipath, false) {
                    if !seen.insert(l.to_string()) {
                        p.add(format!("{ipath}line_id"), format!("duplicate {l:?}"));
                    }
                }
            }
        }
        Some(v) => {
            p.add(
                "order.items",
                format!("must be an array, got {}", type_name(v)),
            );
            sum_ok = false;
        }
    }
    if let Some(so) = object_field(p, order, "shipping_option", path, false) {
        has_lines = true;
        let spath = "order.shipping_option.";
        match int_field(p, so, "amount", spath, true, i64::MIN) {
            Some(a) => sum = sum.saturating_add(a),
            None => sum_ok = false,
        }
        for key in ["id", "title", "operator"] {
            str_field(p, so, key, spath, true);
        }
        int_field(p, so, "vat_amount", spath, false, i64::MIN);
        number_field(p, so, "vat", spath);
        if let Some(l) = str_field(p, so, "line_id", spath, true) {
            if !seen.insert(l.to_string()) {
                p.add(
                    "order.shipping_option.line_id",
                    format!("duplicate {l:?} (already used by an item)"),
                );
            }
        }
    }
    if strict_sum && has_lines && sum_ok {
        if let Some(amount) = amount {
            if partial {
                if amount > sum {
                    p.add(
                        "order.amount",
                        format!("{amount} exceeds the sum of items and shipping_option ({sum}) with partial_payment"),
                    );
                }
            } else if amount != sum {
                p.add(
                    "order.amount",
                    format!("{amount} does not equal the sum of items and shipping_option ({sum})"),
                );
            }
        }
    }
}

/// Validates a session create body; returns the parsed `expires_at`, if given.
pub(crate) fn check_session_create(
    body: &Map<String, Value>,
    profile: bool,
    strict_sum: bool,
    strict_urls: bool,
    now: OffsetDateTime,
) -> Result<Option<OffsetDateTime>, ApiError> {
    let mut p = Problems::default();
    if let Some(u) = object_field(&mut p, body, "url", "", true) {
        url_field(&mut p, u, "return_url", "url.", true);
        url_field(&mut p, u, "callback_url", "url.", false);
        for key in ["return_url", "callback_url"] {
            require_https(&mut p, u, key, strict_urls);
        }
        url_field(&mut p, u, "merchant_terms_url", "url.", false);
    }
    if let Some(order) = object_field(&mut p, body, "order", "", true) {
        check_order(&mut p, order, strict_sum);
    }
    if profile {
        if let Some(pid) = str_field(&mut p, body, "profile_id", "", true) {
            if pid.trim().is_empty() {
                p.add("profile_id", "must not be empty");
            }
        }
        object_field(&mut p, body, "configuration", "", false);
    } else {
        object_field(&mut p, body, "configuration", "", true);
    }
    if let Some(cfg) = body.get("configuration").and_then(Value::as_object) {
        bool_field(&mut p, cfg, "auto_capture", "configuration.");
        if let Some(ch) = str_field(&mut p, cfg, "channel", "configuration.", false) {
            if !["ecommerce", "in_app", "in_store", "hosted"].contains(&ch) {
                p.add(
                    "configuration.channel",
                    format!("must be one of ecommerce|in_app|in_store|hosted, got {ch:?}"),
                );
            }
        }
    }
    object_field(&mut p, body, "customer", "", false);
    if let Some(m) = object_field(&mut p, body, "merchant", "", false) {
        str_field(&mut p, m, "name", "merchant.", true);
        url_field(&mut p, m, "logo_url", "merchant.", true);
    }
    if let Some(meta) = object_field(&mut p, body, "metadata", "", false) {
        for (k, v) in meta {
            if !(v.is_string() || v.is_number()) {
                p.add(
                    format!("metadata.{k}"),
                    format!("must be a string or a number, got {}", type_name(v)),
                );
            }
        }
    }
    let mut expires = None;
    if let Some(s) = str_field(&mut p, body, "expires_at", "", false) {
        match crate::util::parse_time_strict(s) {
            Some(t) if t <= now => p.add("expires_at", format!("must be in the future, got {s:?}")),
            Some(t) => expires = Some(t),
            None => p.add(
                "expires_at",
                format!("must be an RFC 3339 date-time, got {s:?}"),
            ),
        }
    }
    p.into_result()?;
    Ok(expires)
}
