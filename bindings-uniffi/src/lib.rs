//! # dintero-checkout-uniffi
//!
//! The one uniffi crate behind the Swift and Kotlin packages. The core's own types (models,
//! enums, `Callback`, `Operation`, `Defaults`, `ErrorKind`, ...) cross the FFI as themselves
//! (the core's `uniffi` feature); this crate only adds the objects that hold a client or a
//! secret, and one-line exports around core functions. Every rule and every default lives in
//! the core: an argument left out here is passed on as "not set".
//!
//! Every impl with async methods is exported with `async_runtime = "tokio"`: the core's
//! reqwest and timers need a tokio reactor, which uniffi then provides around each future.
//!
//! Secrets (the client secret, the signature secret, a proxy's credentials) only enter through
//! object constructors, never records (whose generated `toString`/`description` print every
//! field), and the objects' descriptions are the core's `Debug`, which prints `***` for them.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use dintero_checkout as core;
use dintero_checkout::{
    Callback, CallbackReceipt, CaptureRequest, ConfirmedCallback, Defaults,
    ExtendAuthorizationRequest, ListTransactions, Operation, Order, RefundRequest, ReturnResult,
    Session, SessionCreated, SessionRequest, SessionUpdate, TokenInfo, Transaction, WebhookEvent,
};

mod error;

use error::IntoFfi;
pub use error::{error_kind_name, DinteroError, Result};

uniffi::setup_scaffolding!();

/// The name this binding sends as `Dintero-System-Plugin-Name`.
pub const SDK_NAME: &str = "dintero-checkout-uniffi";

/// This package's version.
#[uniffi::export]
pub fn sdk_version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// How failed requests are retried; a field left out keeps the core's default (`defaults()`).
#[derive(Debug, Clone, Default, uniffi::Record)]
pub struct RetryOptions {
    /// Attempts in all, the first included (1 = no retries).
    #[uniffi(default)]
    pub max_attempts: Option<u32>,
    /// Backoff before the first retry.
    #[uniffi(default)]
    pub initial_backoff: Option<Duration>,
    /// Largest backoff.
    #[uniffi(default)]
    pub max_backoff: Option<Duration>,
    /// Largest `Retry-After` the SDK sleeps for.
    #[uniffi(default)]
    pub max_retry_after: Option<Duration>,
}

impl From<RetryOptions> for core::RetryPolicy {
    fn from(o: RetryOptions) -> Self {
        let d = core::RetryPolicy::default();
        core::RetryPolicy {
            max_attempts: o.max_attempts.unwrap_or(d.max_attempts),
            initial_backoff: o.initial_backoff.unwrap_or(d.initial_backoff),
            max_backoff: o.max_backoff.unwrap_or(d.max_backoff),
            max_retry_after: o.max_retry_after.unwrap_or(d.max_retry_after),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The client.

/// Told before and after every request attempt (for metrics and tracing). The event has no
/// header, body, query or token. It runs on the task making the request, so it must be quick;
/// what it throws is caught, logged at warn, and never reaches the request.
#[uniffi::export(with_foreign)]
pub trait RequestObserver: Send + Sync {
    /// One attempt starting (`phase` start) or ended (end: status, duration, request id).
    fn on_request(&self, event: core::RequestEvent);
}

/// Where a client's log records go: the core's `LogSink`, implemented in Swift or Kotlin
/// (`Slf4jLogger`, `OSLogLogger`, `StderrLogger`, or your own). `enabled` is asked before a
/// record is built, once per log site, so it must be cheap and must read the logger's level
/// each time (nothing is cached here). The records carry no header, body, query, token or
/// secret. `log` runs on the task making the request: hand the record off, do not block; what
/// it throws is caught and never reaches the request.
#[uniffi::export(with_foreign)]
pub trait LogSink: Send + Sync {
    /// Whether records of `level` are wanted now.
    fn enabled(&self, level: core::LogLevel) -> bool;
    /// Takes one record (`message` is the event and its fields on one line).
    fn log(&self, record: core::LogRecord);
}

/// The foreign sink as the core's.
struct ForeignSink(Arc<dyn LogSink>);

impl core::LogSink for ForeignSink {
    fn enabled(&self, level: core::LogLevel) -> bool {
        self.0.enabled(level)
    }
    fn log(&self, record: core::LogRecord) {
        self.0.log(record)
    }
}

/// A Dintero Checkout client for a merchant's BACKEND (it holds the client secret: never ship
/// it in a mobile app). Cheap to share: sub-objects share the connection pool and the token.
#[derive(Debug, uniffi::Object)]
#[uniffi::export(Debug)]
pub struct Client {
    inner: core::Client,
}

#[uniffi::export(async_runtime = "tokio")]
impl Client {
    /// A client for `account_id` (`T…` sandbox / `P…` production, 8 digits) with the API
    /// client's id and secret. Every setting left out takes the core's default (`defaults()`).
    /// `base_url` serves both Dintero hosts (the emulator); `proxy` may carry credentials and is
    /// never shown. `on_request` sees every request attempt; `logger` receives the client's log
    /// records (none when left out).
    #[allow(clippy::too_many_arguments)]
    #[uniffi::constructor(default(
        base_url = None,
        timeout = None,
        connect_timeout = None,
        retry = None,
        proxy = None,
        system_name = None,
        system_version = None,
        max_response_bytes = None,
        on_request = None,
        logger = None
    ))]
    pub fn new(
        account_id: String,
        client_id: String,
        client_secret: String,
        base_url: Option<String>,
        timeout: Option<Duration>,
        connect_timeout: Option<Duration>,
        retry: Option<RetryOptions>,
        proxy: Option<String>,
        system_name: Option<String>,
        system_version: Option<String>,
        max_response_bytes: Option<u64>,
        on_request: Option<Arc<dyn RequestObserver>>,
        logger: Option<Arc<dyn LogSink>>,
    ) -> Result<Arc<Self>> {
        let mut b = core::Client::builder()
            .account_id(account_id)
            .client_id(client_id)
            .client_secret(client_secret)
            .sdk_identity(SDK_NAME, env!("CARGO_PKG_VERSION"));
        if let Some(v) = base_url {
            b = b.base_url(v);
        }
        if let Some(v) = timeout {
            b = b.timeout(v);
        }
        if let Some(v) = connect_timeout {
            b = b.connect_timeout(v);
        }
        if let Some(v) = retry {
            b = b.retry_policy(v.into());
        }
        if let Some(v) = proxy {
            b = b.proxy(v);
        }
        if let Some(v) = system_name {
            b = b.system_name(v);
        }
        if let Some(v) = system_version {
            b = b.system_version(v);
        }
        if let Some(v) = max_response_bytes {
            b = b.max_response_bytes(usize::try_from(v).unwrap_or(usize::MAX));
        }
        if let Some(observer) = on_request {
            b = b.observer(move |event| observer.on_request(event.clone()));
        }
        if let Some(sink) = logger {
            b = b.logger(ForeignSink(sink));
        }
        Ok(Arc::new(Client {
            inner: b.build().ffi()?,
        }))
    }

    /// Session operations.
    pub fn sessions(&self) -> Arc<Sessions> {
        Arc::new(Sessions {
            client: self.inner.clone(),
        })
    }

    /// Transaction operations.
    pub fn transactions(&self) -> Arc<Transactions> {
        Arc::new(Transactions {
            client: self.inner.clone(),
        })
    }

    /// Callback confirmation.
    pub fn callbacks(&self) -> Arc<Callbacks> {
        Arc::new(Callbacks {
            client: self.inner.clone(),
        })
    }

    /// The account id.
    pub fn account_id(&self) -> String {
        self.inner.config().account_id().to_string()
    }

    /// Makes sure a valid access token is cached (fetching one if needed). Calls do this by
    /// themselves; use it to check credentials at start-up.
    pub async fn authenticate(&self) -> Result<TokenInfo> {
        self.inner.authenticate().await.ffi()
    }

    /// Token requests this client has made so far.
    pub fn token_requests(&self) -> u64 {
        self.inner.token_requests()
    }

    /// Re-reads the session every `interval` until it has a transaction or is cancelled, or
    /// fails with a `timeout` error after `timeout` (both default to the core's `defaults()`).
    #[uniffi::method(default(interval = None, timeout = None))]
    pub async fn wait_for_payment(
        &self,
        session_id: String,
        interval: Option<Duration>,
        timeout: Option<Duration>,
    ) -> Result<Session> {
        let wait = self.inner.wait_for_payment(&session_id, interval, timeout);
        wait.await.ffi()
    }
}

/// Session operations; get one from `Client.sessions()`.
#[derive(Debug, uniffi::Object)]
pub struct Sessions {
    client: core::Client,
}

#[uniffi::export(async_runtime = "tokio")]
impl Sessions {
    /// Creates a session (the request is checked first). Send the customer to the answer's
    /// `url`. `include_session` asks Dintero for the whole session in the answer.
    #[uniffi::method(default(include_session = None))]
    pub async fn create(
        &self,
        request: SessionRequest,
        include_session: Option<bool>,
    ) -> Result<SessionCreated> {
        let mut options = core::CreateSessionOptions::default();
        if let Some(v) = include_session {
            options.include_session = v;
        }
        self.client
            .sessions()
            .create(&request, &options)
            .await
            .ffi()
    }

    /// Reads a session.
    pub async fn get(&self, session_id: String) -> Result<Session> {
        self.client.sessions().get(&session_id).await.ffi()
    }

    /// Replaces the order of a session (it must add up). `update_without_lock` updates a
    /// session the checkout has not locked yet.
    #[uniffi::method(default(update_without_lock = None))]
    pub async fn update(
        &self,
        session_id: String,
        update: SessionUpdate,
        update_without_lock: Option<bool>,
    ) -> Result<Session> {
        let unlocked = update_without_lock.unwrap_or_default();
        let sessions = self.client.sessions();
        sessions.update(&session_id, &update, unlocked).await.ffi()
    }

    /// Cancels a session (voids an authorized payment).
    pub async fn cancel(&self, session_id: String) -> Result<Session> {
        self.client.sessions().cancel(&session_id).await.ffi()
    }
}

/// Transaction operations; get one from `Client.transactions()`.
#[derive(Debug, uniffi::Object)]
pub struct Transactions {
    client: core::Client,
}

#[uniffi::export(async_runtime = "tokio")]
impl Transactions {
    /// Reads a transaction; `includes` adds e.g. `session` to it.
    #[uniffi::method(default(includes = []))]
    pub async fn get(&self, transaction_id: String, includes: Vec<String>) -> Result<Transaction> {
        let includes: Vec<&str> = includes.iter().map(String::as_str).collect();
        let transactions = self.client.transactions();
        transactions.get(&transaction_id, &includes).await.ffi()
    }

    /// Every transaction matching `filter`, fetched a page at a time as you go.
    #[uniffi::method(default(filter = None))]
    pub fn list(&self, filter: Option<ListTransactions>) -> Arc<TransactionPager> {
        let pager = self.client.transactions().list(filter.unwrap_or_default());
        Arc::new(TransactionPager {
            inner: tokio::sync::Mutex::new(pager),
        })
    }

    /// Captures money, exactly once (the reference makes retries safe).
    pub async fn capture(
        &self,
        transaction_id: String,
        request: CaptureRequest,
    ) -> Result<Operation> {
        let transactions = self.client.transactions();
        transactions.capture(&transaction_id, &request).await.ffi()
    }

    /// Refunds captured money, exactly once.
    pub async fn refund(
        &self,
        transaction_id: String,
        request: RefundRequest,
    ) -> Result<Operation> {
        let transactions = self.client.transactions();
        transactions.refund(&transaction_id, &request).await.ffi()
    }

    /// Voids the authorization.
    pub async fn void(&self, transaction_id: String) -> Result<Operation> {
        self.client.transactions().void(&transaction_id).await.ffi()
    }

    /// Extends or changes the authorization.
    #[uniffi::method(default(request = None))]
    pub async fn extend_authorization(
        &self,
        transaction_id: String,
        request: Option<ExtendAuthorizationRequest>,
    ) -> Result<Transaction> {
        let request = request.unwrap_or_default();
        let transactions = self.client.transactions();
        let extend = transactions.extend_authorization(&transaction_id, &request);
        extend.await.ffi()
    }

    /// Sets `merchant_reference_2`.
    pub async fn update(
        &self,
        transaction_id: String,
        merchant_reference_2: String,
    ) -> Result<Transaction> {
        let transactions = self.client.transactions();
        let update = transactions.update(&transaction_id, &merchant_reference_2);
        update.await.ffi()
    }

    /// Waits until the event queued by a 202 answer (`Operation.eventRequestId`) lands and
    /// returns the transaction then; a `timeout` error after `timeout` (default: `defaults()`).
    #[uniffi::method(default(timeout = None))]
    pub async fn wait_for_event(
        &self,
        transaction_id: String,
        event_request_id: String,
        timeout: Option<Duration>,
    ) -> Result<Transaction> {
        let transactions = self.client.transactions();
        let wait = transactions.wait_for_event(&transaction_id, &event_request_id, timeout);
        wait.await.ffi()
    }
}

/// Walks every page of a transaction listing. Safe to share; calls are served one at a time.
#[derive(Debug, uniffi::Object)]
pub struct TransactionPager {
    inner: tokio::sync::Mutex<core::TransactionPager>,
}

#[uniffi::export(async_runtime = "tokio")]
impl TransactionPager {
    /// The next transaction, fetching the next page when needed; null/nil at the end.
    pub async fn next(&self) -> Result<Option<Transaction>> {
        self.inner.lock().await.next().await.ffi()
    }

    /// The next whole page (what is left of the current one first); null/nil at the end.
    pub async fn next_page(&self) -> Result<Option<Vec<Transaction>>> {
        self.inner.lock().await.next_page().await.ffi()
    }

    /// Everything that is left (careful with large accounts).
    pub async fn collect_all(&self) -> Result<Vec<Transaction>> {
        let mut pager = self.inner.lock().await;
        let mut all = Vec::new();
        while let Some(tx) = pager.next().await.ffi()? {
            all.push(tx);
        }
        Ok(all)
    }
}

/// Callback confirmation; get one from `Client.callbacks()`.
#[derive(Debug, uniffi::Object)]
pub struct Callbacks {
    client: core::Client,
}

#[uniffi::export(async_runtime = "tokio")]
impl Callbacks {
    /// Fetches the transaction a (verified) callback names and checks that it matches; a
    /// `conflict` error (code `callback_mismatch`) when it does not. Act on its status.
    pub async fn confirm(&self, callback: Callback) -> Result<ConfirmedCallback> {
        self.client.callbacks().confirm(&callback).await.ffi()
    }

    /// Receives a callback request as a server framework hands it over (method, path and query
    /// as received, headers) and decides the answer: verify (a late retry counts as authentic),
    /// note an `error=` callback, confirm the rest against the transaction. Never throws:
    /// answer with the receipt's `status` and `reason`, and fulfil only from its `transaction`
    /// (set only when confirmed). `public_url` / `trust_proxy` as in `requestUrl`; `now` is
    /// unix seconds (the clock when left out).
    #[uniffi::method(default(public_url = None, trust_proxy = None, now = None))]
    #[allow(clippy::too_many_arguments)]
    pub async fn receive(
        &self,
        verifier: Arc<CallbackVerifier>,
        method: String,
        path_and_query: String,
        headers: HashMap<String, String>,
        public_url: Option<String>,
        trust_proxy: Option<bool>,
        now: Option<i64>,
    ) -> CallbackReceipt {
        let headers: Vec<(String, String)> = headers.into_iter().collect();
        let options = core::ReceiveOptions {
            public_url,
            trust_proxy: trust_proxy.unwrap_or_default(),
            now,
        };
        let callbacks = self.client.callbacks();
        let (method, path) = (method.as_str(), path_and_query.as_str());
        callbacks
            .receive(&verifier.inner, method, path, &headers, &options)
            .await
    }
}

// ---------------------------------------------------------------------------------------------
// Callbacks, returns, webhooks, orders.

/// Checks `Dintero-Signature` headers of callbacks with your signature secret (backend only).
#[derive(Debug, uniffi::Object)]
#[uniffi::export(Debug)]
pub struct CallbackVerifier {
    inner: core::CallbackVerifier,
}

/// The clock, in unix seconds, for a `now` left out.
fn unix_now() -> i64 {
    let since = SystemTime::now().duration_since(UNIX_EPOCH);
    since.map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

#[uniffi::export]
impl CallbackVerifier {
    /// A verifier for `account_id` with the secret from `GET /v1/admin/signature`. `tolerance`
    /// is how far a timestamp may be from now (default: `defaults()`).
    #[uniffi::constructor(default(tolerance = None))]
    pub fn new(
        secret: String,
        account_id: String,
        tolerance: Option<Duration>,
    ) -> Result<Arc<Self>> {
        let mut inner = core::CallbackVerifier::new(secret, account_id).ffi()?;
        if let Some(t) = tolerance {
            inner = inner.with_tolerance(t);
        }
        Ok(Arc::new(CallbackVerifier { inner }))
    }

    /// Verifies a callback request from its method, the full URL as received and its headers
    /// (names in any case); returns the parsed callback. `now` is unix seconds (the clock).
    #[uniffi::method(default(now = None))]
    pub fn verify(
        &self,
        method: String,
        url: String,
        headers: HashMap<String, String>,
        now: Option<i64>,
    ) -> Result<Callback> {
        let now = now.unwrap_or_else(unix_now);
        self.inner.verify_at(&method, &url, &headers, now).ffi()
    }

    /// Verifies the request a web framework handed you: method, path and query as received,
    /// and headers; the URL is rebuilt by the core (`requestUrl`).
    #[uniffi::method(default(public_url = None, trust_proxy = None, now = None))]
    pub fn verify_request(
        &self,
        method: String,
        path_and_query: String,
        headers: HashMap<String, String>,
        public_url: Option<String>,
        trust_proxy: Option<bool>,
        now: Option<i64>,
    ) -> Result<Callback> {
        let headers: Vec<(String, String)> = headers.into_iter().collect();
        let trust = trust_proxy.unwrap_or_default();
        let public = public_url.as_deref();
        let verifier = &self.inner;
        let r = verifier.verify_request(&method, &path_and_query, &headers, public, trust, now);
        r.ffi()
    }

    /// Checks one `Dintero-Signature` header value for `method` and `url` at `now` (unix
    /// seconds; the clock when left out).
    #[uniffi::method(default(now = None))]
    pub fn verify_signature(
        &self,
        method: String,
        url: String,
        signature_header: String,
        now: Option<i64>,
    ) -> Result<()> {
        let now = now.unwrap_or_else(unix_now);
        let verifier = &self.inner;
        verifier
            .verify_header_at(&method, &url, &signature_header, now)
            .ffi()
    }
}

/// Rebuilds the URL Dintero called from the path and query as received and the headers
/// (`public_url`, then a trusted proxy's `Forwarded` / `X-Forwarded-*`, then `Host`).
#[uniffi::export(default(public_url = None, trust_proxy = None))]
pub fn request_url(
    path_and_query: String,
    headers: HashMap<String, String>,
    public_url: Option<String>,
    trust_proxy: Option<bool>,
) -> Result<String> {
    let trust = trust_proxy.unwrap_or_default();
    core::request_url(&path_and_query, &headers, public_url.as_deref(), trust).ffi()
}

/// Parses the `return_url` the customer's browser came back to. This is all a MOBILE app
/// needs: show the outcome, then ask your backend to confirm the transaction.
#[uniffi::export]
pub fn parse_return_url(url: String) -> Result<ReturnResult> {
    core::parse_return_url(&url).ffi()
}

/// Parses a callback URL without checking its signature (prefer `CallbackVerifier.verify`).
#[uniffi::export]
pub fn parse_callback(url: String) -> Result<Callback> {
    core::parse_callback(&url).ffi()
}

/// The hex `v0-hmac-sha256` signature Dintero sends for a callback (for tests and tools).
#[uniffi::export]
pub fn compute_signature(
    secret: String,
    account_id: String,
    method: String,
    url: String,
    timestamp: i64,
) -> Result<String> {
    core::compute_signature(&secret, &account_id, &method, &url, timestamp).ffi()
}

/// Verifies a webhook's `event-signature` over its raw body bytes and parses the event.
#[uniffi::export]
pub fn verify_webhook(
    secret: String,
    body: Vec<u8>,
    signature: Option<String>,
) -> Result<WebhookEvent> {
    core::verify_webhook(&secret, &body, signature.as_deref()).ffi()
}

/// Checks an order: sums, unique line ids, VAT; `strict` adds the core's strict checks. The
/// error names the offending line.
#[uniffi::export(default(strict = None))]
pub fn validate_order(order: Order, strict: Option<bool>) -> Result<()> {
    match strict {
        Some(true) => core::validate_order_strict(&order).ffi(),
        _ => core::validate_order(&order).ffi(),
    }
}

/// Checks a session request before sending it: URLs, profile or configuration, the order.
#[uniffi::export]
pub fn validate_session_request(request: SessionRequest) -> Result<()> {
    core::validate_session_request(&request).ffi()
}

/// Every default the SDK applies to a setting left out (the core's, in one place).
#[uniffi::export]
pub fn defaults() -> Defaults {
    core::defaults()
}

/// Dintero's spelling of a status (`"AUTHORIZED"`; Swift/Kotlin: `status.value`).
#[uniffi::export]
pub fn transaction_status_name(status: core::TransactionStatus) -> String {
    status.as_str().to_string()
}

/// The core's `Transaction::is_paid` (Swift/Kotlin: `transaction.isPaid`).
#[uniffi::export]
pub fn transaction_is_paid(transaction: Transaction) -> bool {
    transaction.is_paid()
}

/// The core's `Transaction::captured_amount` (Swift/Kotlin: `transaction.capturedAmount`).
#[uniffi::export]
pub fn transaction_captured_amount(transaction: Transaction) -> i64 {
    transaction.captured_amount()
}

/// The core's `Transaction::refunded_amount` (Swift/Kotlin: `transaction.refundedAmount`).
#[uniffi::export]
pub fn transaction_refunded_amount(transaction: Transaction) -> i64 {
    transaction.refunded_amount()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(secret: &str, proxy: Option<String>) -> Result<Arc<Client>> {
        let (a, id, s) = ("T12345678".into(), "id".into(), secret.into());
        Client::new(
            a, id, s, None, None, None, None, proxy, None, None, None, None, None,
        )
    }

    #[test]
    fn descriptions_hide_the_secrets() {
        let proxy = Some("http://user:proxy-pass@127.0.0.1:3128".to_string());
        let shown = format!("{:?}", client("very-secret-value", proxy).unwrap());
        assert!(!shown.contains("very-secret-value"), "{shown}");
        assert!(!shown.contains("proxy-pass"), "{shown}");
        assert!(shown.contains("T12345678"));
        let v = CallbackVerifier::new("sig-secret-xyz".into(), "T12345678".into(), None).unwrap();
        assert!(!format!("{v:?}").contains("sig-secret-xyz"));
    }

    #[test]
    fn a_retry_option_left_out_keeps_the_core_default() {
        let policy: core::RetryPolicy = RetryOptions {
            max_attempts: Some(1),
            ..Default::default()
        }
        .into();
        let d = core::RetryPolicy::default();
        assert_eq!(policy.max_attempts, 1);
        assert_eq!(policy.initial_backoff, d.initial_backoff);
        assert_eq!(policy.max_retry_after, d.max_retry_after);
    }
}
