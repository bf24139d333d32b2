//! Callbacks (`url.callback_url`) and browser returns (`url.return_url`).
//!
//! Treat a callback as a trigger, never as proof: [`CallbackVerifier::verify`] checks the
//! `Dintero-Signature`, then [`Callbacks::confirm`] fetches the transaction and checks that it
//! is the one the callback names before you fulfil the order.
//!
//! The signature is `HMAC-SHA256(secret, "{t}\n{account_id}\n{METHOD}\n{hostname}\n{path}\n{query}")`
//! in hex, sent as `Dintero-Signature: t=<unix seconds>,v0-hmac-sha256=<hex>`, where `hostname`
//! has no port and `query` is every query parameter sorted by name and form-encoded (`+` for
//! spaces). The body is not signed.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use url::Url;

use crate::config::validate_account_id;
use crate::error::{Error, ErrorKind, Result};
use crate::models::{
    CallbackEventKind, PaymentError, QueryParam, Transaction, TransactionEventKind,
    TransactionStatus,
};
use crate::secret::Secret;
use crate::Client;

/// How far a callback's timestamp may be from now, either way (5 minutes).
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

/// The header Dintero signs callbacks with.
pub const SIGNATURE_HEADER: &str = "dintero-signature";

/// `Error::code()` of a signature error whose signature is authentic (made with your secret,
/// for this URL) but older than the tolerance: most likely one of Dintero's late retries.
/// Do not answer it with a 4xx (that ends Dintero's retries for good): parse the callback,
/// confirm it by re-reading the transaction, and answer 2xx.
pub const SIGNATURE_EXPIRED: &str = "signature_expired";
/// `Error::code()` of a signature error whose signature is authentic but dated further in the
/// future than the tolerance (a clock that is off). Handle it like [`SIGNATURE_EXPIRED`].
pub const SIGNATURE_FROM_FUTURE: &str = "signature_from_future";
/// `Error::code()` of a signature error whose signature does not match: forged, made with
/// another secret or account, or for a URL that was changed on the way. Answer 4xx.
pub const SIGNATURE_MISMATCH: &str = "signature_mismatch";
/// `Error::code()` when the `Dintero-Signature` header is missing.
pub const SIGNATURE_MISSING: &str = "signature_missing";
/// `Error::code()` of the conflict [`Callbacks::confirm`] reports when a callback does not
/// match the transaction it names (id, session, merchant reference or event): do not fulfil.
pub const CALLBACK_MISMATCH: &str = "callback_mismatch";
/// `Error::code()` when the header, or the URL it signs, cannot be read, or the request is
/// not a callback at all (no `transaction_id` and no `error`).
pub const SIGNATURE_MALFORMED: &str = "signature_malformed";

fn signature_error(code: &str, message: impl Into<String>) -> Error {
    Error::signature(message).with_code(Some(code.to_string()))
}

/// True when `error` is a signature error whose signature is authentic but outside the time
/// window ([`SIGNATURE_EXPIRED`] or [`SIGNATURE_FROM_FUTURE`]).
pub fn is_authentic_but_late(error: &Error) -> bool {
    error.kind() == ErrorKind::Signature
        && matches!(
            error.code(),
            Some(SIGNATURE_EXPIRED | SIGNATURE_FROM_FUTURE)
        )
}

/// A parsed callback query.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Callback {
    /// The transaction (absent on some error callbacks).
    pub transaction_id: Option<String>,
    /// The session (`session_id`, or `sid` with `sid_parameter_name=sid`).
    pub session_id: Option<String>,
    /// Your order id.
    pub merchant_reference: Option<String>,
    /// When Dintero sent it (ISO-8601).
    pub time: Option<String>,
    /// Set on error callbacks (`report_error=true`).
    pub error: Option<PaymentError>,
    /// Set on event callbacks (`report_event=...`).
    pub event: Option<CallbackEventKind>,
    /// The transaction event the callback reports.
    pub event_id: Option<String>,
    /// Every query parameter, in order, decoded.
    pub params: Vec<QueryParam>,
}

/// Parses a callback URL's query without checking any signature. Prefer
/// [`CallbackVerifier::verify`].
pub fn parse_callback(url: &str) -> Result<Callback> {
    let parsed = parse_url("callback url", url)?;
    let params: Vec<QueryParam> = parsed
        .query_pairs()
        .map(|(k, v)| QueryParam::new(k, v))
        .collect();
    let get = |name: &str| {
        params
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.value.clone())
            .filter(|v| !v.is_empty())
    };
    let cb = Callback {
        transaction_id: get("transaction_id"),
        session_id: get("session_id").or_else(|| get("sid")),
        merchant_reference: get("merchant_reference"),
        time: get("time"),
        error: get("error").map(|e| PaymentError::parse(&e)),
        event: get("event").map(|e| CallbackEventKind::parse(&e)),
        event_id: get("event_id"),
        params: Vec::new(),
    };
    if cb.transaction_id.is_none() && cb.error.is_none() {
        return Err(Error::invalid_input(
            "callback url: has neither transaction_id nor error; this is not a Dintero callback",
        ));
    }
    Ok(Callback { params, ..cb })
}

fn parse_url(what: &str, url: &str) -> Result<Url> {
    Url::parse(url).map_err(|e| {
        let shown: String = url.chars().take(200).collect();
        Error::invalid_input(format!("{what}: {shown:?} is not an absolute URL ({e}); pass the full URL, scheme and host included"))
    })
}

/// The string Dintero signs for `method` and `url` at `timestamp`.
pub fn signing_payload(
    account_id: &str,
    method: &str,
    url: &str,
    timestamp: i64,
) -> Result<String> {
    let parsed = parse_url("callback url", url)?;
    let host = parsed.host_str().unwrap_or("");
    let mut pairs: Vec<(String, String)> = parsed
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    // JavaScript's URLSearchParams.sort() (what Dintero signs with) orders keys by UTF-16
    // code units, and keeps equal keys in their original order (a stable sort).
    pairs.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
    let mut q = form_urlencoded::Serializer::new(String::new());
    for (k, v) in &pairs {
        q.append_pair(k, v);
    }
    Ok(format!(
        "{timestamp}\n{account_id}\n{}\n{host}\n{}\n{}",
        method.to_ascii_uppercase(),
        parsed.path(),
        q.finish()
    ))
}

/// The hex `v0-hmac-sha256` signature of a callback (what the emulator and Dintero send).
pub fn compute_signature(
    secret: &str,
    account_id: &str,
    method: &str,
    url: &str,
    timestamp: i64,
) -> Result<String> {
    let payload = signing_payload(account_id, method, url, timestamp)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
        .map_err(|_| Error::invalid_input("signature secret is not usable as an HMAC key"))?;
    mac.update(payload.as_bytes());
    Ok(hex::encode(mac.finalize().into_bytes()))
}

/// The whole `Dintero-Signature` header value Dintero sends for a callback to `url`:
/// `t=<timestamp>,v0-hmac-sha256=<hex>`. For testing a receiver without a payment (the
/// bindings' `sign_callback` / `signCallback` helpers); a merchant's server never needs it.
pub fn signature_header(
    secret: &str,
    account_id: &str,
    method: &str,
    url: &str,
    timestamp: i64,
) -> Result<String> {
    let sig = compute_signature(secret, account_id, method, url, timestamp)?;
    Ok(format!("t={timestamp},v0-hmac-sha256={sig}"))
}

struct ParsedHeader {
    timestamp: i64,
    signatures: Vec<String>,
}

fn parse_signature_header(value: &str) -> Result<ParsedHeader> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in value.split(',') {
        let Some((k, v)) = part.trim().split_once('=') else {
            continue;
        };
        match k.trim() {
            "t" => {
                timestamp = Some(v.trim().parse::<i64>().map_err(|_| {
                    signature_error(
                        SIGNATURE_MALFORMED,
                        "Dintero-Signature: t= is not a unix timestamp",
                    )
                })?)
            }
            "v0-hmac-sha256" => signatures.push(v.trim().to_ascii_lowercase()),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or_else(|| {
        signature_error(
            SIGNATURE_MALFORMED,
            "Dintero-Signature: has no t= timestamp",
        )
    })?;
    if signatures.is_empty() {
        return Err(signature_error(
            SIGNATURE_MALFORMED,
            "Dintero-Signature: has no v0-hmac-sha256= signature",
        ));
    }
    Ok(ParsedHeader {
        timestamp,
        signatures,
    })
}

pub(crate) fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Checks `Dintero-Signature` headers with your signature secret.
#[derive(Clone)]
pub struct CallbackVerifier {
    secret: Secret,
    account_id: String,
    tolerance: Duration,
}

impl std::fmt::Debug for CallbackVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallbackVerifier")
            .field("secret", &self.secret)
            .field("account_id", &self.account_id)
            .field("tolerance", &self.tolerance)
            .finish()
    }
}

impl CallbackVerifier {
    /// A verifier for `account_id` (`T…`/`P…`) with the secret from `GET /v1/admin/signature`.
    pub fn new(secret: impl Into<Secret>, account_id: impl Into<String>) -> Result<Self> {
        let secret = secret.into();
        if secret.is_empty() {
            return Err(Error::invalid_input("signature secret must not be empty"));
        }
        let account_id = account_id.into();
        validate_account_id(&account_id)?;
        Ok(CallbackVerifier {
            secret,
            account_id,
            tolerance: DEFAULT_TOLERANCE,
        })
    }

    /// Changes how old (or how far in the future) a timestamp may be.
    pub fn with_tolerance(mut self, tolerance: Duration) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// Checks one `Dintero-Signature` header value against `method` + `url` at `now` (unix s).
    ///
    /// Every failure is an [`ErrorKind::Signature`] error whose `code()` says why:
    /// [`SIGNATURE_MISMATCH`] (not made with your secret for this URL: answer 4xx),
    /// [`SIGNATURE_EXPIRED`] / [`SIGNATURE_FROM_FUTURE`] (authentic, but outside the
    /// tolerance: confirm by re-reading the transaction and answer 2xx), or
    /// [`SIGNATURE_MALFORMED`]. The HMAC is checked before the age, so a late error is only
    /// ever reported for an authentic signature.
    pub fn verify_header_at(&self, method: &str, url: &str, header: &str, now: i64) -> Result<()> {
        let parsed = parse_signature_header(header)?;
        let expected = compute_signature(
            self.secret.expose(),
            &self.account_id,
            method,
            url,
            parsed.timestamp,
        )
        .map_err(|e| signature_error(SIGNATURE_MALFORMED, e.message().to_string()))?;
        let matched = parsed
            .signatures
            .iter()
            .fold(subtle::Choice::from(0u8), |acc, sig| {
                acc | expected.as_bytes().ct_eq(sig.as_bytes())
            });
        if !bool::from(matched) {
            return Err(signature_error(
                SIGNATURE_MISMATCH,
                "Dintero-Signature: signature does not match (wrong secret or account, or the URL was changed: pass the full URL exactly as received)",
            ));
        }
        let age = now.saturating_sub(parsed.timestamp);
        let tol = i64::try_from(self.tolerance.as_secs()).unwrap_or(i64::MAX);
        if age > tol {
            return Err(signature_error(
                SIGNATURE_EXPIRED,
                format!("Dintero-Signature: authentic, but the timestamp is {age} s old; at most {tol} s is accepted (a late retry, a replay, or a clock that is off: confirm by re-reading the transaction)"),
            ));
        }
        let ahead = parsed.timestamp.saturating_sub(now);
        if ahead > tol {
            return Err(signature_error(
                SIGNATURE_FROM_FUTURE,
                format!("Dintero-Signature: authentic, but the timestamp is {ahead} s in the future; at most {tol} s is accepted (a clock that is off)"),
            ));
        }
        Ok(())
    }

    /// Verifies a callback request from what any web framework gives you: the method, the
    /// full URL as received (scheme, host, path and query), and the headers. Returns the parsed
    /// callback.
    ///
    /// Anything that is not a valid, authentic callback (no header, a header or URL that
    /// cannot be read, a wrong signature, a signed URL that is not a callback, a timestamp
    /// outside the tolerance) is an [`ErrorKind::Signature`] error; its `code()` tells a late
    /// but authentic callback ([`is_authentic_but_late`]) from a forged one.
    pub fn verify<I, K, V>(&self, method: &str, url: &str, headers: I) -> Result<Callback>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        self.verify_at(method, url, headers, unix_now())
    }

    /// Verifies the request a web framework handed you: its method, its path and query as
    /// received, and its headers; the URL is rebuilt by [`request_url`] (with `public_url` and
    /// `trust_proxy`). `now` is unix seconds, `None` for the clock.
    pub fn verify_request<K, V>(
        &self,
        method: &str,
        path_and_query: &str,
        headers: &[(K, V)],
        public_url: Option<&str>,
        trust_proxy: bool,
        now: Option<i64>,
    ) -> Result<Callback>
    where
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let pairs = || headers.iter().map(|(k, v)| (k.as_ref(), v.as_ref()));
        let url = request_url(path_and_query, pairs(), public_url, trust_proxy)?;
        self.verify_at(method, &url, pairs(), now.unwrap_or_else(unix_now))
    }

    /// [`CallbackVerifier::verify`] at a given time (`now`, unix seconds): for tests and for
    /// replaying stored callbacks.
    pub fn verify_at<I, K, V>(
        &self,
        method: &str,
        url: &str,
        headers: I,
        now: i64,
    ) -> Result<Callback>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let header = headers
            .into_iter()
            .find(|(k, _)| k.as_ref().eq_ignore_ascii_case(SIGNATURE_HEADER))
            .map(|(_, v)| v.as_ref().to_string())
            .ok_or_else(|| signature_error(SIGNATURE_MISSING, "Dintero-Signature header is missing; is a signature secret set up (POST /v1/admin/signature)?"))?;
        self.verify_header_at(method, url, &header, now)?;
        // Signed, yet not a callback (no transaction_id and no error): still not a valid
        // callback, so a signature error like every other refusal of `verify`.
        parse_callback(url)
            .map_err(|e| signature_error(SIGNATURE_MALFORMED, e.message().to_string()))
    }
}

/// Rebuilds the URL Dintero called from what a web framework hands you: the path and query
/// as received (`/dintero/callback?transaction_id=...`) and the request headers.
///
/// The origin comes from `public_url` when given (your public origin, for a server behind a
/// proxy that rewrites `Host`). Otherwise, when `trust_proxy` is set (only behind your own
/// proxy or load balancer, which overwrites these headers), from the first hop of
/// `Forwarded` (`host=`, `proto=`, RFC 7239), else `X-Forwarded-Host` / `X-Forwarded-Proto` /
/// `X-Forwarded-Port`; and without a trusted proxy from `Host` (or HTTP/2's `:authority`),
/// with `http`. The signature covers the host, the path and the query, not the scheme or the
/// port, but the URL returned is the one the callback was sent to as far as the headers say.
///
/// A request Dintero could not have made (no host, a path that is not absolute) is a
/// [`ErrorKind::Signature`] error with code [`SIGNATURE_MALFORMED`]; a `public_url` that is not
/// an absolute URL is [`ErrorKind::InvalidInput`].
pub fn request_url<I, K, V>(
    path_and_query: &str,
    headers: I,
    public_url: Option<&str>,
    trust_proxy: bool,
) -> Result<String>
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str>,
    V: AsRef<str>,
{
    if !path_and_query.starts_with('/') || path_and_query.starts_with("//") {
        let shown: String = path_and_query.chars().take(80).collect();
        return Err(signature_error(
            SIGNATURE_MALFORMED,
            format!("request path: {shown:?} is not a path and query such as /dintero/callback?transaction_id=..."),
        ));
    }
    if let Some(public) = public_url {
        let parsed = Url::parse(public)
            .ok()
            .filter(|u| u.has_host() && matches!(u.scheme(), "http" | "https"))
            .ok_or_else(|| {
                Error::invalid_input(
                    "public_url: must be an absolute URL such as https://shop.example",
                )
            })?;
        return Ok(format!(
            "{}{path_and_query}",
            parsed.origin().ascii_serialization()
        ));
    }
    let mut seen = ProxyHeaders::default();
    for (k, v) in headers {
        seen.note(k.as_ref(), v.as_ref());
    }
    let (mut scheme, mut host) = ("http".to_string(), None);
    if trust_proxy {
        if let Some((proto, fhost)) = seen.forwarded.as_deref().map(first_forwarded_hop) {
            scheme = proto.unwrap_or(scheme);
            host = fhost;
        }
        if host.is_none() {
            if let Some(proto) = seen.x_proto.as_deref().and_then(first_value) {
                scheme = proto.to_ascii_lowercase();
            }
            host = seen.x_host.as_deref().and_then(first_value);
            if let (Some(h), Some(port)) = (&mut host, seen.x_port.as_deref().and_then(first_value))
            {
                let has_port = h.rsplit_once(':').is_some_and(|(_, p)| !p.contains(']'));
                if !has_port && port.bytes().all(|b| b.is_ascii_digit()) {
                    let default =
                        (scheme == "https" && port == "443") || (scheme == "http" && port == "80");
                    if !default {
                        h.push(':');
                        h.push_str(&port);
                    }
                }
            }
        }
    }
    if !matches!(scheme.as_str(), "http" | "https") {
        scheme = "http".to_string();
    }
    let host = host
        .or(seen.host)
        .or(seen.authority)
        .filter(|h| !h.is_empty())
        .ok_or_else(|| {
            signature_error(
                SIGNATURE_MALFORMED,
                "request headers: no Host header; pass public_url",
            )
        })?;
    // The host must be a host (name or address, optional port): a header smuggling a path,
    // a query or credentials is refused, not joined into the URL.
    let host_like = host
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-._:[]".contains(&b));
    let url = format!("{scheme}://{host}{path_and_query}");
    match Url::parse(&url) {
        Ok(u) if host_like && u.host_str().is_some() => Ok(url),
        _ => Err(signature_error(
            SIGNATURE_MALFORMED,
            "request headers: the host is not a valid host name",
        )),
    }
}

/// The headers [`request_url`] reads, first occurrence of each.
#[derive(Default)]
struct ProxyHeaders {
    host: Option<String>,
    authority: Option<String>,
    forwarded: Option<String>,
    x_host: Option<String>,
    x_proto: Option<String>,
    x_port: Option<String>,
}

impl ProxyHeaders {
    fn note(&mut self, name: &str, value: &str) {
        let slot = match name.to_ascii_lowercase().as_str() {
            "host" => &mut self.host,
            ":authority" => &mut self.authority,
            "forwarded" => &mut self.forwarded,
            "x-forwarded-host" => &mut self.x_host,
            "x-forwarded-proto" => &mut self.x_proto,
            "x-forwarded-port" => &mut self.x_port,
            _ => return,
        };
        if slot.is_none() {
            *slot = Some(value.trim().to_string());
        }
    }
}

/// The first value of a comma-separated proxy header: the hop closest to the client.
fn first_value(v: &str) -> Option<String> {
    v.split(',')
        .next()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// `proto` and `host` of the first hop of a `Forwarded` header (`for=...;proto=https;host=a`).
fn first_forwarded_hop(v: &str) -> (Option<String>, Option<String>) {
    let hop = v.split(',').next().unwrap_or("");
    let (mut proto, mut host) = (None, None);
    for pair in hop.split(';') {
        let Some((k, val)) = pair.split_once('=') else {
            continue;
        };
        let val = val.trim().trim_matches('"').to_string();
        match k.trim().to_ascii_lowercase().as_str() {
            "proto" if !val.is_empty() => proto = Some(val.to_ascii_lowercase()),
            "host" if !val.is_empty() => host = Some(val),
            _ => {}
        }
    }
    (proto, host)
}

/// How a customer came back to your `return_url`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum ReturnOutcome {
    /// A transaction was created. Confirm it on your server before showing "paid".
    Completed,
    /// The customer cancelled.
    Cancelled,
    /// The payment failed or was not authorized.
    Failed,
}

impl ReturnOutcome {
    /// `"completed"`, `"cancelled"` or `"failed"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ReturnOutcome::Completed => "completed",
            ReturnOutcome::Cancelled => "cancelled",
            ReturnOutcome::Failed => "failed",
        }
    }
}

/// A parsed `return_url` hit.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ReturnResult {
    /// What happened.
    pub outcome: ReturnOutcome,
    /// The transaction, when one was created.
    pub transaction_id: Option<String>,
    /// Your order id.
    pub merchant_reference: Option<String>,
    /// The session, when Dintero adds it.
    pub session_id: Option<String>,
    /// The raw `error` value.
    pub error: Option<PaymentError>,
}

/// Parses the URL the customer's browser came back on. It is not signed: use it to choose
/// what page to show, and confirm the transaction on your server before fulfilling.
pub fn parse_return_url(url: &str) -> Result<ReturnResult> {
    let parsed = parse_url("return url", url)?;
    let mut transaction_id = None;
    let mut merchant_reference = None;
    let mut session_id = None;
    let mut error = None;
    for (k, v) in parsed.query_pairs() {
        let v = v.into_owned();
        if v.is_empty() {
            continue;
        }
        match k.as_ref() {
            "transaction_id" => transaction_id = Some(v),
            "merchant_reference" => merchant_reference = Some(v),
            "session_id" | "sid" => session_id = Some(v),
            "error" => error = Some(PaymentError::parse(&v)),
            _ => {}
        }
    }
    let outcome =
        match (&error, &transaction_id) {
            (Some(PaymentError::Cancelled), _) => ReturnOutcome::Cancelled,
            (Some(_), _) => ReturnOutcome::Failed,
            (None, Some(_)) => ReturnOutcome::Completed,
            (None, None) => return Err(Error::invalid_input(
                "return url: has neither transaction_id nor error; this is not a Dintero return",
            )),
        };
    Ok(ReturnResult {
        outcome,
        transaction_id,
        merchant_reference,
        session_id,
        error,
    })
}

/// A callback checked against the transaction it names.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ConfirmedCallback {
    /// The callback.
    pub callback: Callback,
    /// The transaction as Dintero has it now: act on its `status`.
    pub transaction: Transaction,
}

/// Callback confirmation; get one from [`Client::callbacks`].
#[derive(Debug, Clone, Copy)]
pub struct Callbacks<'a> {
    pub(crate) client: &'a Client,
}

impl Callbacks<'_> {
    /// Fetches the transaction the callback names and checks that its id, session and
    /// merchant reference match the callback, and, for event callbacks (`event=CAPTURE`,
    /// `REFUND`, `VOID`), that the transaction shows such an event or a status that follows
    /// from one. Fails with [`ErrorKind::Conflict`] (code [`CALLBACK_MISMATCH`]) when they do
    /// not. [`Callbacks::receive`] does all of a receiver's work, this included.
    ///
    /// The callback's `event_id` is not checked: Dintero documents it only by an example
    /// (`"3"`) that does not look like an event `id`, so a callback is never refused because
    /// its `event_id` matches no event.
    pub async fn confirm(&self, callback: &Callback) -> Result<ConfirmedCallback> {
        let Some(tx_id) = callback.transaction_id.as_deref() else {
            return Err(Error::invalid_input(format!(
                "callback: names no transaction (error={}); nothing to confirm",
                callback.error.as_ref().map_or("none", |e| e.as_str())
            )));
        };
        let includes: &[&str] = &[];
        let tx = self.client.transactions().get(tx_id, includes).await?;
        check_callback_against(callback, tx_id, &tx)?;
        Ok(ConfirmedCallback {
            callback: callback.clone(),
            transaction: tx,
        })
    }
}

fn mismatch(field: &str, theirs: &str, ours: &str) -> Error {
    Error::new(
        ErrorKind::Conflict,
        format!("callback: {field} {theirs:?} does not match the transaction's {ours:?}; do not fulfil this order"),
    )
    .with_code(Some(CALLBACK_MISMATCH.into()))
}

/// What `confirm` decides by: only what is certain about a callback and its transaction.
fn check_callback_against(callback: &Callback, tx_id: &str, tx: &Transaction) -> Result<()> {
    if tx.id != tx_id {
        return Err(mismatch("transaction_id", tx_id, &tx.id));
    }
    if let (Some(cb), Some(real)) = (&callback.session_id, &tx.session_id) {
        if cb != real {
            return Err(mismatch("session_id", cb, real));
        }
    }
    if let Some(cb) = &callback.merchant_reference {
        if cb != &tx.merchant_reference {
            return Err(mismatch("merchant_reference", cb, &tx.merchant_reference));
        }
    }
    if let Some(kind) = &callback.event {
        if !shows_event(tx, kind) {
            return Err(mismatch(
                "event",
                kind.as_str(),
                &format!(
                    "status {} and no {} event",
                    tx.status.as_ref().map_or("unknown", |s| s.as_str()),
                    kind.as_str()
                ),
            ));
        }
    }
    Ok(())
}

/// True when `tx` shows that an event of `kind` happened: an event of that kind, or a status
/// that only such an event leads to. Kinds this SDK does not know are not checked.
fn shows_event(tx: &Transaction, kind: &CallbackEventKind) -> bool {
    use TransactionStatus as S;
    let (event, statuses): (TransactionEventKind, &[S]) = match kind {
        CallbackEventKind::Capture => (
            TransactionEventKind::Capture,
            &[
                S::Captured,
                S::PartiallyCaptured,
                S::PartiallyCapturedRefunded,
                S::PartiallyRefunded,
                S::Refunded,
            ],
        ),
        CallbackEventKind::Refund => (
            TransactionEventKind::Refund,
            &[
                S::PartiallyCapturedRefunded,
                S::PartiallyRefunded,
                S::Refunded,
            ],
        ),
        CallbackEventKind::Void => (TransactionEventKind::Void, &[S::AuthorizationVoided]),
        _ => return true,
    };
    match &tx.status {
        Some(S::Unrecognized(_)) => return true,
        Some(status) if statuses.contains(status) => return true,
        _ => {}
    }
    tx.events.iter().any(|e| e.is(&event))
}

#[cfg(test)]
mod tests {

    #[test]
    fn request_url_takes_the_host_from_the_right_header() {
        let h = [
            ("Host", "internal:8080"),
            ("X-Forwarded-Host", "shop.example, proxy.local"),
        ];
        assert_eq!(
            request_url("/cb?transaction_id=T1", h, None, false).unwrap(),
            "http://internal:8080/cb?transaction_id=T1"
        );
        assert_eq!(
            request_url("/cb?transaction_id=T1", h, None, true).unwrap(),
            "http://shop.example/cb?transaction_id=T1"
        );
        assert_eq!(
            request_url("/cb?x=1", h, Some("https://pay.shop.example/ignored"), true).unwrap(),
            "https://pay.shop.example/cb?x=1"
        );
        assert_eq!(
            request_url("/cb", [(":authority", "h2.example")], None, false).unwrap(),
            "http://h2.example/cb"
        );
        let no_host = request_url("/cb", [("Accept", "*/*")], None, true).unwrap_err();
        assert_eq!(no_host.kind(), ErrorKind::Signature);
        assert_eq!(no_host.code(), Some(SIGNATURE_MALFORMED));
        let not_a_path = request_url("http://evil/cb", h, None, false).unwrap_err();
        assert_eq!(not_a_path.code(), Some(SIGNATURE_MALFORMED));
        let bad_public = request_url("/cb", h, Some("shop.example"), false).unwrap_err();
        assert_eq!(bad_public.kind(), ErrorKind::InvalidInput);
        // Behind a trusted proxy: Forwarded first, then X-Forwarded-*; untrusted, only Host.
        let behind = [
            ("Host", "10.0.0.5:8000"),
            (
                "Forwarded",
                "for=192.0.2.60;proto=https;host=\"shop.example\", for=10.0.0.1",
            ),
            ("X-Forwarded-Host", "other.example"),
        ];
        assert_eq!(
            request_url("/cb?a=1", behind, None, true).unwrap(),
            "https://shop.example/cb?a=1"
        );
        assert_eq!(
            request_url("/cb?a=1", behind, None, false).unwrap(),
            "http://10.0.0.5:8000/cb?a=1"
        );
        let x = [
            ("host", "app:3000"),
            ("x-forwarded-proto", "https"),
            ("x-forwarded-host", "shop.example"),
            ("x-forwarded-port", "8443"),
        ];
        assert_eq!(
            request_url("/cb", x, None, true).unwrap(),
            "https://shop.example:8443/cb"
        );
        let default_port = [
            ("x-forwarded-proto", "https"),
            ("x-forwarded-host", "shop.example"),
            ("x-forwarded-port", "443"),
        ];
        assert_eq!(
            request_url("/cb", default_port, None, true).unwrap(),
            "https://shop.example/cb"
        );
        // A host header that smuggles a path or credentials is refused.
        for evil in ["shop.example/evil", "user@shop.example", "shop.example?x=1"] {
            let e = request_url("/cb", [("Host", evil)], None, false).unwrap_err();
            assert_eq!(e.code(), Some(SIGNATURE_MALFORMED), "{evil}");
        }
        assert!(request_url("//evil.example/cb", h, None, false).is_err());
    }

    use super::*;

    fn tx(json: &str) -> Transaction {
        serde_json::from_str(json).unwrap()
    }

    fn event_callback(kind: CallbackEventKind, event_id: &str) -> Callback {
        Callback {
            transaction_id: Some("T1.t".into()),
            merchant_reference: Some("o1".into()),
            event: Some(kind),
            event_id: Some(event_id.into()),
            ..Callback::default()
        }
    }

    #[test]
    fn confirm_decides_by_kind_and_status_not_by_event_id() {
        let captured = tx(
            r#"{"id":"T1.t","status":"CAPTURED","amount":100,"merchant_reference":"o1",
            "events":[{"id":"e-9","event":"CAPTURE","amount":100,"success":true}]}"#,
        );
        for id in ["3", "e-9", "anything"] {
            let cb = event_callback(CallbackEventKind::Capture, id);
            assert!(
                check_callback_against(&cb, "T1.t", &captured).is_ok(),
                "{id}"
            );
        }
        // The status alone is enough: the events may be left out of the read.
        let refunded =
            tx(r#"{"id":"T1.t","status":"REFUNDED","amount":100,"merchant_reference":"o1"}"#);
        let cb = event_callback(CallbackEventKind::Refund, "3");
        assert!(check_callback_against(&cb, "T1.t", &refunded).is_ok());
        let cb = event_callback(CallbackEventKind::Capture, "3");
        assert!(check_callback_against(&cb, "T1.t", &refunded).is_ok());

        let authorized =
            tx(r#"{"id":"T1.t","status":"AUTHORIZED","amount":100,"merchant_reference":"o1"}"#);
        for kind in [
            CallbackEventKind::Capture,
            CallbackEventKind::Refund,
            CallbackEventKind::Void,
        ] {
            let err =
                check_callback_against(&event_callback(kind.clone(), "3"), "T1.t", &authorized)
                    .unwrap_err();
            assert_eq!(err.code(), Some("callback_mismatch"), "{kind}");
        }
        // A status this SDK does not know is not held against the callback.
        let new_status =
            tx(r#"{"id":"T1.t","status":"SOMETHING_NEW","amount":100,"merchant_reference":"o1"}"#);
        let cb = event_callback(CallbackEventKind::Void, "3");
        assert!(check_callback_against(&cb, "T1.t", &new_status).is_ok());
    }
}
