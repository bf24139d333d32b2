//! Session callbacks: Dintero's query parameters and options, the `Dintero-Signature`
//! header, and background delivery with retries.

use crate::model::{Session, Transaction};
use crate::state::{lock, AppState};
use crate::util::{fmt_time, uuid};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Longest `delay_callback` honoured, in seconds (Dintero's documented maximum).
const MAX_DELAY_CALLBACK: f64 = 60.0;

/// One callback the emulator sent (or is still trying to send).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CallbackDelivery {
    /// The `event-delivery` header value; unique per delivery (the same on every retry).
    pub id: String,
    /// The full URL called, with Dintero's query parameters appended.
    pub url: String,
    /// `GET` or `POST`.
    pub method: String,
    /// Attempts made so far.
    pub attempts: u32,
    /// HTTP status of the last attempt, if it got a response.
    pub last_status: Option<u16>,
    /// Transport error of the last attempt (timeout, connection refused, ...).
    pub last_error: Option<String>,
    /// A 2xx/3xx response was received.
    pub delivered: bool,
    /// No more attempts will be made (delivered, 4xx, or retries exhausted).
    #[serde(rename = "final")]
    pub is_final: bool,
    /// Headers of the last attempt (`event-delivery`, `Dintero-Signature`, ...).
    pub headers: BTreeMap<String, String>,
    /// Body sent (`method=POST` only): the transaction JSON.
    pub body: Option<String>,
    /// When the delivery was created (emulator clock).
    pub created_at: String,
}

type HmacSha256 = Hmac<Sha256>;

/// The string Dintero signs: `"{t}\n{account_id}\n{METHOD}\n{hostname}\n{pathname}\n{query}"`
/// where `query` is the URL's query sorted by key and form-encoded (space as `+`).
pub fn signature_payload(
    account_id: &str,
    method: &str,
    url: &str,
    timestamp: i64,
) -> Result<String, String> {
    let u = url::Url::parse(url).map_err(|e| format!("invalid URL {url:?}: {e}"))?;
    let host = u.host_str().unwrap_or_default();
    let mut pairs: Vec<(String, String)> = u
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    // Like JavaScript's URLSearchParams.sort(): UTF-16 code-unit order, stable for equal keys.
    pairs.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
    let mut ser = form_urlencoded::Serializer::new(String::new());
    for (k, v) in &pairs {
        ser.append_pair(k, v);
    }
    Ok(format!(
        "{timestamp}\n{account_id}\n{}\n{host}\n{}\n{}",
        method.to_ascii_uppercase(),
        u.path(),
        ser.finish()
    ))
}

/// HMAC-SHA256 (hex) of [`signature_payload`] with `secret`.
pub fn callback_signature(
    secret: &str,
    account_id: &str,
    method: &str,
    url: &str,
    timestamp: i64,
) -> Result<String, String> {
    let payload = signature_payload(account_id, method, url, timestamp)?;
    let mut mac =
        HmacSha256::new_from_slice(secret.as_bytes()).map_err(|e| format!("bad HMAC key: {e}"))?;
    mac.update(payload.as_bytes());
    Ok(hex::encode(mac.finalize().into_bytes()))
}

/// The `Dintero-Signature` header value: `t=<unix>,v0-hmac-sha256=<hex>`.
pub fn signature_header(
    secret: &str,
    account_id: &str,
    method: &str,
    url: &str,
    timestamp: i64,
) -> Result<String, String> {
    let sig = callback_signature(secret, account_id, method, url, timestamp)?;
    Ok(format!("t={timestamp},v0-hmac-sha256={sig}"))
}

/// Options read from the callback URL's own query string.
#[derive(Debug, Default, Clone)]
pub(crate) struct CallbackOptions {
    pub post: bool,
    pub report_error: bool,
    pub report_event: Vec<String>,
    pub sid_name: String,
    pub delay: Duration,
    pub include_session: bool,
}

impl CallbackOptions {
    pub fn parse(callback_url: &str) -> Option<Self> {
        let u = url::Url::parse(callback_url).ok()?;
        let mut o = CallbackOptions {
            sid_name: "session_id".into(),
            ..Default::default()
        };
        for (k, v) in u.query_pairs() {
            match k.as_ref() {
                "method" => o.post = v.eq_ignore_ascii_case("POST"),
                "report_error" => o.report_error = v == "true",
                "report_event" => o.report_event.push(v.to_ascii_uppercase()),
                "sid_parameter_name" if v == "sid" => o.sid_name = "sid".into(),
                "delay_callback" => {
                    if let Ok(secs) = v.parse::<f64>() {
                        if secs.is_finite() && secs > 0.0 {
                            o.delay = Duration::from_secs_f64(secs.min(MAX_DELAY_CALLBACK));
                        }
                    }
                }
                "includes" if v == "session" => o.include_session = true,
                _ => {}
            }
        }
        Some(o)
    }
}

/// Why a callback is sent.
pub(crate) enum Trigger<'a> {
    /// Payment completed (AUTHORIZED, or CAPTURED with auto-capture).
    Authorized,
    /// The transaction was created ON_HOLD (the first of its two callbacks).
    OnHold,
    /// An ON_HOLD transaction was declined (FAILED): the second callback, sent whatever
    /// `report_error` says.
    Released,
    /// `report_error`: `cancelled`, `failed`, `authorization` or `captured`.
    Error(&'a str),
    /// `report_event`: `CAPTURE`, `REFUND` or `VOID` with the event id.
    Event(&'static str, &'a str),
}

/// Sends the session's callback for `trigger` if the session has a callback URL and its
/// options ask for it. Delivery happens in the background.
pub(crate) fn notify(
    st: &Arc<AppState>,
    session: &Session,
    tx: Option<&Transaction>,
    trigger: Trigger<'_>,
) {
    let Some(cb) = session.callback_url() else {
        return;
    };
    let Some(opts) = CallbackOptions::parse(&cb) else {
        return;
    };
    let mut extra: Vec<(&str, String)> = Vec::new();
    if let Some(tx) = tx {
        extra.push(("transaction_id", tx.id.clone()));
    }
    extra.push((
        if opts.sid_name == "sid" {
            "sid"
        } else {
            "session_id"
        },
        session.id.clone(),
    ));
    extra.push(("merchant_reference", session.merchant_reference()));
    // Dintero's `time` is when the transaction was created.
    let time = tx.map_or_else(|| fmt_time(st.now()), |tx| tx.created_at.clone());
    extra.push(("time", time));
    let sent_event = match trigger {
        Trigger::Authorized => Some("AUTH_CALLBACK_SENT"),
        Trigger::OnHold => Some("ON_HOLD_CALLBACK_SENT"),
        _ => None,
    };
    match trigger {
        Trigger::Authorized | Trigger::OnHold | Trigger::Released => {}
        Trigger::Error(e) => {
            if !opts.report_error {
                return;
            }
            extra.push(("error", e.to_string()));
        }
        Trigger::Event(name, id) => {
            if !opts.report_event.iter().any(|e| e == name) {
                return;
            }
            extra.push(("event", name.to_string()));
            extra.push(("event_id", id.to_string()));
        }
    }
    let pairs: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let url = crate::util::append_query(&cb, &pairs);
    let body = if opts.post {
        tx.map(|tx| {
            let mut v = serde_json::to_value(tx).unwrap_or_default();
            if opts.include_session {
                if let Some(obj) = v.as_object_mut() {
                    obj.insert("session".into(), session.render(&st.config.account_id));
                }
            }
            v.to_string()
        })
    } else {
        None
    };
    let delivery = CallbackDelivery {
        id: uuid(),
        url,
        method: if opts.post { "POST" } else { "GET" }.into(),
        attempts: 0,
        last_status: None,
        last_error: None,
        delivered: false,
        is_final: false,
        headers: BTreeMap::new(),
        body,
        created_at: fmt_time(st.now()),
    };
    let record = Arc::new(Mutex::new(delivery));
    lock(&st.callbacks).push(record.clone());
    let session_id = sent_event.map(|name| (session.id.clone(), name));
    let st = st.clone();
    tokio::spawn(deliver(st, record, opts.delay, session_id));
}

enum Outcome {
    Done,
    Permanent,
    Retry,
}

async fn deliver(
    st: Arc<AppState>,
    record: Arc<Mutex<CallbackDelivery>>,
    delay: Duration,
    auth_session: Option<(String, &'static str)>,
) {
    let generation = st.generation.load(Ordering::SeqCst);
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let (id, url, method, body) = {
        let r = lock(&record);
        (
            r.id.clone(),
            r.url.clone(),
            r.method.clone(),
            r.body.clone(),
        )
    };
    let client = match &st.http {
        Ok(c) => c.clone(),
        Err(e) => {
            let mut r = lock(&record);
            r.last_error = Some(e.clone());
            r.is_final = true;
            return;
        }
    };
    let max_retries = st.config.callback_max_retries;
    let mut attempt: u32 = 0;
    loop {
        if st.generation.load(Ordering::SeqCst) != generation {
            return;
        }
        let mut headers = BTreeMap::new();
        headers.insert("event-delivery".to_string(), id.clone());
        if let Some(secret) = st.signature_secret() {
            let t = time::OffsetDateTime::now_utc().unix_timestamp();
            if let Ok(h) = signature_header(&secret, &st.config.account_id, &method, &url, t) {
                headers.insert("Dintero-Signature".to_string(), h);
            }
        }
        if body.is_some() {
            headers.insert("Content-Type".to_string(), "application/json".to_string());
        }
        let mut req = if method == "POST" {
            client.post(&url)
        } else {
            client.get(&url)
        };
        for (k, v) in &headers {
            req = req.header(k.as_str(), v.as_str());
        }
        if let Some(b) = &body {
            req = req.body(b.clone());
        }
        let result = req.send().await;
        attempt += 1;
        let outcome = {
            let mut r = lock(&record);
            r.attempts = attempt;
            r.headers = headers;
            match result {
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    r.last_status = Some(status);
                    r.last_error = None;
                    match status {
                        200..=399 => Outcome::Done,
                        400..=499 => Outcome::Permanent,
                        _ => Outcome::Retry,
                    }
                }
                Err(e) => {
                    r.last_status = None;
                    r.last_error = Some(if e.is_timeout() {
                        format!("timeout after {:?}", st.config.callback_timeout)
                    } else {
                        format!("{e}")
                    });
                    Outcome::Retry
                }
            }
        };
        match outcome {
            Outcome::Done => {
                {
                    let mut r = lock(&record);
                    r.delivered = true;
                    r.is_final = true;
                }
                if let Some((sid, event_name)) = &auth_session {
                    if st.generation.load(Ordering::SeqCst) == generation {
                        if let Some(entry) = st.session(sid) {
                            let now = st.now();
                            lock(&entry.data).push_event(event_name, now, None);
                        }
                    }
                }
                return;
            }
            Outcome::Permanent => {
                lock(&record).is_final = true;
                return;
            }
            Outcome::Retry => {
                if attempt > max_retries {
                    lock(&record).is_final = true;
                    return;
                }
                tokio::time::sleep(backoff(st.config.callback_retry_base, attempt)).await;
            }
        }
    }
}

/// Wait before retry number `n` (1-based): `base * 2^(n-1)`, capped at `base * 64`.
pub(crate) fn backoff(base: Duration, n: u32) -> Duration {
    let factor = 1u32 << n.saturating_sub(1).min(6);
    base.saturating_mul(factor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docs_vector() {
        let p = signature_payload(
            "P00000000",
            "GET",
            "https://example.com/callback?B=123&A=992",
            1582236537,
        )
        .unwrap();
        assert_eq!(
            p,
            "1582236537\nP00000000\nGET\nexample.com\n/callback\nA=992&B=123"
        );
        let s = callback_signature(
            "123",
            "P00000000",
            "GET",
            "https://example.com/callback?B=123&A=992",
            1582236537,
        )
        .unwrap();
        assert_eq!(
            s,
            "6bed2ab1b919d460ef7465a20dc6c97260dca73fab6647106ca525f0908df64a"
        );
    }

    #[test]
    fn spaces_and_ports() {
        let p =
            signature_payload("T1", "post", "http://localhost:8080/cb?b=a%20b&a=x+y", 1).unwrap();
        assert_eq!(p, "1\nT1\nPOST\nlocalhost\n/cb\na=x+y&b=a+b");
    }

    #[test]
    fn backoff_doubles_and_caps() {
        let b = Duration::from_millis(10);
        assert_eq!(backoff(b, 1), Duration::from_millis(10));
        assert_eq!(backoff(b, 2), Duration::from_millis(20));
        assert_eq!(backoff(b, 7), Duration::from_millis(640));
        assert_eq!(backoff(b, 20), Duration::from_millis(640));
    }

    #[test]
    fn options() {
        let o = CallbackOptions::parse(
            "https://x.example/cb?method=POST&report_error=true&report_event=CAPTURE&report_event=VOID&sid_parameter_name=sid&delay_callback=120",
        )
        .unwrap();
        assert!(o.post && o.report_error);
        assert_eq!(o.report_event, vec!["CAPTURE", "VOID"]);
        assert_eq!(o.sid_name, "sid");
        assert_eq!(o.delay, Duration::from_secs(60));
    }
}
