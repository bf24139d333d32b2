//! Callback and webhook verification, return-URL parsing and order checks (all synchronous).

use std::time::Duration;

use dintero_checkout::{
    compute_signature, parse_callback, parse_return_url, validate_order, validate_session_request,
    verify_webhook, CallbackVerifier, Order, SessionRequest,
};
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::convert::{callback_value, decode_input, parse_object, return_value, to_json};
use crate::error::{invalid, IntoJs};

/// Checks `Dintero-Signature` headers with the account's signature secret.
#[napi]
pub struct NativeCallbackVerifier {
    verifier: CallbackVerifier,
}

fn whole_seconds(what: &str, value: f64) -> Result<i64> {
    if !value.is_finite() || value.fract() != 0.0 || value.abs() > 1e15 {
        return Err(invalid(format!(
            "{what}: must be a whole number of seconds"
        )));
    }
    Ok(value as i64)
}

#[napi]
impl NativeCallbackVerifier {
    /// A verifier for `account_id`; `tolerance_seconds` widens or narrows the 5-minute window.
    #[napi(constructor, catch_unwind)]
    pub fn new(secret: String, account_id: String, tolerance_seconds: Option<f64>) -> Result<Self> {
        let mut verifier = CallbackVerifier::new(secret, account_id).js()?;
        if let Some(t) = tolerance_seconds {
            let t = whole_seconds("toleranceSeconds", t)?;
            if t < 0 {
                return Err(invalid("toleranceSeconds: must not be negative"));
            }
            verifier = verifier.with_tolerance(Duration::from_secs(t as u64));
        }
        Ok(NativeCallbackVerifier { verifier })
    }

    /// Verifies a callback request: method, the full URL as received, and the headers as a
    /// flat `[name, value, name, value, ...]` list. `now` (unix seconds) replaces the clock.
    /// Returns the parsed callback as JSON.
    #[napi(catch_unwind)]
    pub fn verify(
        &self,
        method: String,
        url: String,
        headers: Vec<String>,
        now: Option<f64>,
    ) -> Result<String> {
        if !headers.len().is_multiple_of(2) {
            return Err(invalid("headers: must be name/value pairs"));
        }
        let pairs = headers
            .chunks_exact(2)
            .map(|c| (c[0].as_str(), c[1].as_str()));
        let callback = match now {
            None => self.verifier.verify(&method, &url, pairs).js()?,
            Some(now) => {
                let now = whole_seconds("now", now)?;
                self.verifier.verify_at(&method, &url, pairs, now).js()?
            }
        };
        to_json(&callback_value(&callback))
    }

    /// Checks one `Dintero-Signature` header value against method and URL, without parsing
    /// the URL as a callback. `now` (unix seconds) replaces the clock.
    #[napi(catch_unwind)]
    pub fn verify_signature(
        &self,
        method: String,
        url: String,
        header: String,
        now: Option<f64>,
    ) -> Result<()> {
        let now = match now {
            Some(n) => whole_seconds("now", n)?,
            None => unix_now(),
        };
        self.verifier
            .verify_header_at(&method, &url, &header, now)
            .js()
    }
}

/// Seconds since the Unix epoch, now.
fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Parses a callback URL without checking a signature.
#[napi(catch_unwind)]
pub fn parse_callback_url(url: String) -> Result<String> {
    to_json(&callback_value(&parse_callback(&url).js()?))
}

/// Parses the URL the customer's browser came back on.
#[napi(catch_unwind)]
pub fn parse_return(url: String) -> Result<String> {
    to_json(&return_value(&parse_return_url(&url).js()?))
}

/// The hex `v0-hmac-sha256` signature of a callback.
#[napi(catch_unwind)]
pub fn callback_signature(
    secret: String,
    account_id: String,
    method: String,
    url: String,
    timestamp: f64,
) -> Result<String> {
    let timestamp = whole_seconds("timestamp", timestamp)?;
    compute_signature(&secret, &account_id, &method, &url, timestamp).js()
}

/// Verifies a webhook's `event-signature` over the raw body; returns the event as JSON.
#[napi(catch_unwind)]
pub fn verify_webhook_body(
    secret: String,
    body: Buffer,
    signature: Option<String>,
) -> Result<String> {
    to_json(&verify_webhook(&secret, &body, signature.as_deref()).js()?)
}

/// Checks an order (sums, line ids, VAT) as the core does before sending it.
#[napi(catch_unwind)]
pub fn check_order(order: String) -> Result<()> {
    let order: Order = decode_input("order", parse_object("order", &order)?)?;
    validate_order(&order).js()
}

/// Checks a whole session request before it is sent.
#[napi(catch_unwind)]
pub fn check_session_request(session: String) -> Result<()> {
    let request: SessionRequest = decode_input("session", parse_object("session", &session)?)?;
    validate_session_request(&request).js()
}
