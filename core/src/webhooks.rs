//! Account webhooks (`/v1/accounts/{aid}/hooks/subscriptions`): `event-signature` is the
//! HMAC-SHA1 hex of the raw body with the subscription's secret.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha1::Sha1;
use subtle::ConstantTimeEq;

use crate::error::{from_json_slice, Error, Result};
use crate::models::Extra;

/// The header webhooks are signed with.
pub const WEBHOOK_SIGNATURE_HEADER: &str = "event-signature";

/// A webhook delivery's body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct WebhookEvent {
    /// E.g. `checkout_transaction`, `checkout_authorization`, `ping`.
    #[serde(default)]
    pub event: Option<String>,
    /// The account.
    #[serde(default)]
    pub account_id: Option<String>,
    /// Unique id of this delivery.
    #[serde(default)]
    pub event_delivery: Option<String>,
    /// The transaction summary, when the event has one.
    #[serde(default)]
    pub transaction: Option<serde_json::Value>,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The hex HMAC-SHA1 of `body` with `secret`.
pub fn compute_webhook_signature(secret: &str, body: &[u8]) -> String {
    // HMAC accepts keys of any length; this cannot fail.
    let mut mac = match Hmac::<Sha1>::new_from_slice(secret.as_bytes()) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// Verifies the `event-signature` of a webhook delivery over its raw body (bytes as
/// received, before any JSON parsing) and parses the event.
pub fn verify_webhook(secret: &str, body: &[u8], signature: Option<&str>) -> Result<WebhookEvent> {
    if secret.is_empty() {
        return Err(Error::invalid_input("webhook secret must not be empty"));
    }
    let given = signature
        .map(|s| s.trim().to_ascii_lowercase())
        .filter(|s| !s.is_empty())
        .ok_or_else(|| Error::signature("event-signature header is missing"))?;
    let expected = compute_webhook_signature(secret, body);
    if !bool::from(expected.as_bytes().ct_eq(given.as_bytes())) {
        return Err(Error::signature(
            "event-signature does not match the body (wrong secret, or the body was re-encoded: verify the raw bytes)",
        ));
    }
    from_json_slice(body, "the webhook body")
}

/// [`verify_webhook`] taking the request's headers.
pub fn verify_webhook_headers<I, K, V>(
    secret: &str,
    body: &[u8],
    headers: I,
) -> Result<WebhookEvent>
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str>,
    V: AsRef<str>,
{
    let sig = headers
        .into_iter()
        .find(|(k, _)| k.as_ref().eq_ignore_ascii_case(WEBHOOK_SIGNATURE_HEADER))
        .map(|(_, v)| v.as_ref().to_string());
    verify_webhook(secret, body, sig.as_deref())
}
