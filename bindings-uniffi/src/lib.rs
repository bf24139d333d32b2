//! # dintero-checkout-uniffi
//!
//! The one uniffi crate behind the Swift and Kotlin packages. Thin: every method converts its
//! arguments, calls the core (`dintero_checkout`), and converts the answer or the error.
//! Business rules (validation, retries, exactly-once capture, signatures) live in the core.
//!
//! Every impl with async methods is exported with `async_runtime = "tokio"`: the core's
//! reqwest and timers need a tokio reactor, which uniffi then provides around each future.
//!
//! Secrets: the client secret and the signature secret only enter through constructors of
//! objects (never records, whose generated `toString`/`description` print every field), and
//! the objects' `Debug`-based descriptions print `***` for them.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use dintero_checkout as core;

mod error;
mod models;

pub use error::{error_kind_name, DinteroError, ErrorKind, Result};
pub use models::*;

uniffi::setup_scaffolding!();

/// The name this binding sends as `Dintero-System-Plugin-Name`.
pub const SDK_NAME: &str = "dintero-checkout-uniffi";

/// This package's version.
#[uniffi::export]
pub fn sdk_version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// Counters cross as signed 64-bit (Kotlin `Long`, Swift `Int64`), not `ULong`/`UInt64`.
fn count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

// ---------------------------------------------------------------------------------------------
// The client.

/// A Dintero Checkout client for a merchant's BACKEND (it holds the client secret: never ship
/// it in a mobile app). Cheap to share: sub-objects share the connection pool and the token.
#[derive(Debug, uniffi::Object)]
#[uniffi::export(Debug)]
pub struct DinteroClient {
    inner: core::Client,
}

#[uniffi::export(async_runtime = "tokio")]
impl DinteroClient {
    /// A client for `account_id` (`T…` sandbox / `P…` production, 8 digits) with the API
    /// client's id and secret. `proxy` (`http://user:pass@host:port`) is kept out of `options`
    /// because it may carry credentials.
    #[uniffi::constructor(default(options = None, proxy = None))]
    pub fn new(
        account_id: String,
        client_id: String,
        client_secret: String,
        options: Option<ClientOptions>,
        proxy: Option<String>,
    ) -> Result<Arc<Self>> {
        let mut b = core::Client::builder()
            .account_id(account_id)
            .client_id(client_id)
            .client_secret(client_secret)
            .sdk_identity(SDK_NAME, env!("CARGO_PKG_VERSION"));
        if let Some(o) = options {
            if let Some(v) = o.base_url {
                b = b.base_url(v);
            }
            if let Some(v) = o.timeout {
                b = b.timeout(v);
            }
            if let Some(v) = o.connect_timeout {
                b = b.connect_timeout(v);
            }
            if let Some(r) = o.retry {
                b = b.retry_policy(r.into_core()?);
            }
            if let Some(v) = o.system_name {
                b = b.system_name(v);
            }
            if let Some(v) = o.system_version {
                b = b.system_version(v);
            }
        }
        if let Some(p) = proxy {
            b = b.proxy(p);
        }
        Ok(Arc::new(DinteroClient { inner: b.build()? }))
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

    /// The account id.
    pub fn account_id(&self) -> String {
        self.inner.config().account_id().to_string()
    }

    /// Makes sure a valid access token is cached (fetching one if needed); returns how many
    /// token requests this client has made. Calls do this by themselves; use it to check
    /// credentials at start-up.
    pub async fn authenticate(&self) -> Result<i64> {
        Ok(count(self.inner.authenticate().await?.token_requests))
    }

    /// Token requests this client has made so far.
    pub fn token_requests(&self) -> i64 {
        count(self.inner.token_requests())
    }

    /// Fetches the transaction a (verified) callback names and checks that its id, session and
    /// merchant reference match. Fails with a `Conflict` error (code `callback_mismatch`) when
    /// they do not. Act on the returned transaction's status.
    pub async fn confirm_callback(&self, callback: PaymentCallback) -> Result<ConfirmedCallback> {
        let cb: core::Callback = callback.into();
        let c = self.inner.callbacks().confirm(&cb).await?;
        Ok(ConfirmedCallback {
            callback: (&c.callback).into(),
            transaction: (&c.transaction).into(),
        })
    }

    /// Re-reads the session every `interval` until it has a transaction or is cancelled, or
    /// fails with a `Timeout` error after `timeout`.
    pub async fn wait_for_payment(
        &self,
        session_id: String,
        interval: Duration,
        timeout: Duration,
    ) -> Result<Session> {
        Ok((&self
            .inner
            .wait_for_payment(&session_id, Some(interval), Some(timeout))
            .await?)
            .into())
    }
}

// ---------------------------------------------------------------------------------------------
// Sessions.

/// Session operations; get one from `DinteroClient.sessions()`.
#[derive(Debug, uniffi::Object)]
pub struct Sessions {
    client: core::Client,
}

#[uniffi::export(async_runtime = "tokio")]
impl Sessions {
    /// Creates a session (the order is checked first). Send the customer to the answer's `url`.
    #[uniffi::method(default(include_session = false))]
    pub async fn create(
        &self,
        request: SessionRequest,
        include_session: bool,
    ) -> Result<SessionCreated> {
        let request = request.into_core()?;
        let opts = core::CreateSessionOptions { include_session };
        Ok((&self.client.sessions().create(&request, &opts).await?).into())
    }

    /// Creates a session from the API's JSON body (snake_case fields, as in Dintero's docs).
    #[uniffi::method(default(include_session = false))]
    pub async fn create_json(&self, json: String, include_session: bool) -> Result<SessionCreated> {
        let value = models::parse_json("session", &json)?;
        let opts = core::CreateSessionOptions { include_session };
        Ok((&self.client.sessions().create_json(value, &opts).await?).into())
    }

    /// Reads a session.
    pub async fn get(&self, session_id: String) -> Result<Session> {
        Ok((&self.client.sessions().get(&session_id).await?).into())
    }

    /// Replaces the order of a session (it must add up). `update_without_lock` updates a
    /// session the checkout has not locked yet.
    #[uniffi::method(default(remove_lock = None, update_without_lock = false))]
    pub async fn update(
        &self,
        session_id: String,
        order: Order,
        remove_lock: Option<bool>,
        update_without_lock: bool,
    ) -> Result<Session> {
        let update = core::SessionUpdate {
            order: order.into(),
            remove_lock,
            extra: Default::default(),
        };
        Ok((&self
            .client
            .sessions()
            .update(&session_id, &update, update_without_lock)
            .await?)
            .into())
    }

    /// `update` from the API's JSON body (`{"order": {...}, "remove_lock": true}`).
    #[uniffi::method(default(update_without_lock = false))]
    pub async fn update_json(
        &self,
        session_id: String,
        json: String,
        update_without_lock: bool,
    ) -> Result<Session> {
        let value = models::parse_json("update", &json)?;
        Ok((&self
            .client
            .sessions()
            .update_json(&session_id, value, update_without_lock)
            .await?)
            .into())
    }

    /// Cancels a session (voids an authorized payment).
    pub async fn cancel(&self, session_id: String) -> Result<Session> {
        Ok((&self.client.sessions().cancel(&session_id).await?).into())
    }
}

// ---------------------------------------------------------------------------------------------
// Transactions.

/// Transaction operations; get one from `DinteroClient.transactions()`.
#[derive(Debug, uniffi::Object)]
pub struct Transactions {
    client: core::Client,
}

#[uniffi::export(async_runtime = "tokio")]
impl Transactions {
    /// Reads a transaction; `includes` adds e.g. `session` to its JSON.
    #[uniffi::method(default(includes = []))]
    pub async fn get(&self, transaction_id: String, includes: Vec<String>) -> Result<Transaction> {
        let includes: Vec<&str> = includes.iter().map(String::as_str).collect();
        Ok((&self
            .client
            .transactions()
            .get(&transaction_id, &includes)
            .await?)
            .into())
    }

    /// Every transaction matching `filter`, fetched a page at a time as you go.
    #[uniffi::method(default(filter = None))]
    pub fn list(&self, filter: Option<TransactionFilter>) -> Result<Arc<TransactionPager>> {
        let filter = match filter {
            Some(f) => f.into_core()?,
            None => core::ListTransactions::default(),
        };
        Ok(Arc::new(TransactionPager {
            inner: tokio::sync::Mutex::new(self.client.transactions().list(filter)),
        }))
    }

    /// Captures money, exactly once (the reference makes retries safe).
    pub async fn capture(
        &self,
        transaction_id: String,
        request: CaptureRequest,
    ) -> Result<Operation> {
        let request = request.into_core()?;
        Ok((&self
            .client
            .transactions()
            .capture(&transaction_id, &request)
            .await?)
            .into())
    }

    /// `capture` from the API's JSON body (`{"amount": 100, "capture_reference": "...", "items": [...]}`).
    pub async fn capture_json(&self, transaction_id: String, json: String) -> Result<Operation> {
        let value = models::parse_json("capture", &json)?;
        Ok((&self
            .client
            .transactions()
            .capture_json(&transaction_id, value)
            .await?)
            .into())
    }

    /// Refunds captured money, exactly once.
    pub async fn refund(
        &self,
        transaction_id: String,
        request: RefundRequest,
    ) -> Result<Operation> {
        let request = request.into_core()?;
        Ok((&self
            .client
            .transactions()
            .refund(&transaction_id, &request)
            .await?)
            .into())
    }

    /// `refund` from the API's JSON body.
    pub async fn refund_json(&self, transaction_id: String, json: String) -> Result<Operation> {
        let value = models::parse_json("refund", &json)?;
        Ok((&self
            .client
            .transactions()
            .refund_json(&transaction_id, value)
            .await?)
            .into())
    }

    /// Voids the authorization.
    pub async fn void(&self, transaction_id: String) -> Result<Operation> {
        Ok((&self.client.transactions().void(&transaction_id).await?).into())
    }

    /// Extends or changes the authorization.
    pub async fn extend_authorization(
        &self,
        transaction_id: String,
        request: ExtendAuthorizationRequest,
    ) -> Result<Transaction> {
        let request: core::ExtendAuthorizationRequest = request.into();
        Ok((&self
            .client
            .transactions()
            .extend_authorization(&transaction_id, &request)
            .await?)
            .into())
    }

    /// Sets `merchant_reference_2`.
    pub async fn update(
        &self,
        transaction_id: String,
        merchant_reference_2: String,
    ) -> Result<Transaction> {
        Ok((&self
            .client
            .transactions()
            .update(&transaction_id, &merchant_reference_2)
            .await?)
            .into())
    }

    /// Waits until the event queued by a 202 answer (`Operation.eventRequestId`) lands and
    /// returns the transaction then; a `Timeout` error after `timeout`.
    pub async fn wait_for_event(
        &self,
        transaction_id: String,
        event_request_id: String,
        timeout: Duration,
    ) -> Result<Transaction> {
        let tx = self
            .client
            .transactions()
            .wait_for_event(&transaction_id, &event_request_id, Some(timeout))
            .await?;
        Ok((&tx).into())
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
        let mut pager = self.inner.lock().await;
        Ok(pager.next().await?.as_ref().map(Transaction::from))
    }

    /// The next whole page (what is left of the current one first); null/nil at the end.
    pub async fn next_page(&self) -> Result<Option<Vec<Transaction>>> {
        let mut pager = self.inner.lock().await;
        Ok(pager
            .next_page()
            .await?
            .map(|page| page.iter().map(Transaction::from).collect()))
    }

    /// Everything that is left (careful with large accounts).
    pub async fn collect_all(&self) -> Result<Vec<Transaction>> {
        let mut pager = self.inner.lock().await;
        let mut all = Vec::new();
        while let Some(tx) = pager.next().await? {
            all.push(Transaction::from(&tx));
        }
        Ok(all)
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

#[uniffi::export]
impl CallbackVerifier {
    /// A verifier for `account_id` with the secret from `GET /v1/admin/signature`.
    /// `tolerance` is how far a timestamp may be from now (default 5 minutes).
    #[uniffi::constructor(default(tolerance = None))]
    pub fn new(
        secret: String,
        account_id: String,
        tolerance: Option<Duration>,
    ) -> Result<Arc<Self>> {
        let mut inner = core::CallbackVerifier::new(secret, account_id)?;
        if let Some(t) = tolerance {
            inner = inner.with_tolerance(t);
        }
        Ok(Arc::new(CallbackVerifier { inner }))
    }

    /// Verifies a callback request from its method, the full URL as received (scheme, host,
    /// path, query) and its headers (names in any case); returns the parsed callback.
    pub fn verify(
        &self,
        method: String,
        url: String,
        headers: HashMap<String, String>,
    ) -> Result<PaymentCallback> {
        Ok((&self.inner.verify(&method, &url, headers.iter())?).into())
    }

    /// Checks one `Dintero-Signature` header value at `now` (unix seconds).
    pub fn verify_header_at(
        &self,
        method: String,
        url: String,
        header: String,
        now: i64,
    ) -> Result<()> {
        Ok(self.inner.verify_header_at(&method, &url, &header, now)?)
    }
}

/// Parses the `return_url` the customer's browser came back to. This is all a MOBILE app
/// needs: show the outcome, then ask your backend to confirm the transaction.
#[uniffi::export]
pub fn parse_return_url(url: String) -> Result<ReturnResult> {
    Ok((&core::parse_return_url(&url)?).into())
}

/// Parses a callback URL without checking its signature (prefer `CallbackVerifier.verify`).
#[uniffi::export]
pub fn parse_callback(url: String) -> Result<PaymentCallback> {
    Ok((&core::parse_callback(&url)?).into())
}

/// The hex `v0-hmac-sha256` signature Dintero sends for a callback (for tests and tools).
#[uniffi::export]
pub fn compute_callback_signature(
    secret: String,
    account_id: String,
    method: String,
    url: String,
    timestamp: i64,
) -> Result<String> {
    Ok(core::compute_signature(
        &secret,
        &account_id,
        &method,
        &url,
        timestamp,
    )?)
}

/// Verifies a webhook's `event-signature` over its raw body bytes and parses the event.
#[uniffi::export]
pub fn verify_webhook(
    secret: String,
    body: Vec<u8>,
    signature: Option<String>,
) -> Result<WebhookEvent> {
    Ok((&core::verify_webhook(&secret, &body, signature.as_deref())?).into())
}

/// Checks an order: sums, unique line ids, VAT. The error names the offending line.
#[uniffi::export]
pub fn validate_order(order: Order) -> Result<()> {
    Ok(core::validate_order(&order.into())?)
}

/// Checks a session request before sending it: URLs, profile or configuration, the order.
#[uniffi::export]
pub fn validate_session_request(request: SessionRequest) -> Result<()> {
    Ok(core::validate_session_request(&request.into_core()?)?)
}

/// Builds an order from its lines: `amount` and `vat_amount` are the sums; then checks it.
#[uniffi::export(default(shipping_option = None))]
pub fn build_order(
    currency: String,
    merchant_reference: String,
    items: Vec<OrderItem>,
    shipping_option: Option<ShippingOption>,
) -> Result<Order> {
    let mut b = core::OrderBuilder::new(currency, merchant_reference);
    for item in items {
        b = b.item(item.into());
    }
    if let Some(s) = shipping_option {
        b = b.shipping(s.into());
    }
    Ok((&b.build()?).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_debug_hides_the_secret() {
        let c = DinteroClient::new(
            "T12345678".into(),
            "id".into(),
            "very-secret-value".into(),
            None,
            None,
        )
        .unwrap();
        let shown = format!("{c:?}");
        assert!(!shown.contains("very-secret-value"), "{shown}");
        assert!(shown.contains("T12345678"));
    }

    #[test]
    fn bad_account_id_names_the_field() {
        let e = DinteroClient::new("X1".into(), "id".into(), "s3cr3t-value".into(), None, None)
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        let text = e.to_string();
        assert!(text.contains("account_id"), "{text}");
        assert!(!text.contains("s3cr3t-value"));
    }

    #[test]
    fn negative_retry_attempts_are_refused() {
        let options = ClientOptions {
            base_url: None,
            timeout: None,
            connect_timeout: None,
            retry: Some(RetryOptions {
                max_attempts: Some(-1),
                initial_backoff: None,
                max_backoff: None,
                max_retry_after: None,
            }),
            system_name: None,
            system_version: None,
        };
        let e = DinteroClient::new(
            "T12345678".into(),
            "id".into(),
            "s".into(),
            Some(options),
            None,
        )
        .unwrap_err();
        assert!(e.to_string().contains("retry.max_attempts"), "{e}");
    }

    #[test]
    fn return_url_round_trip() {
        let r = parse_return_url(
            "https://shop.example/return?transaction_id=T12345678.abc&merchant_reference=o-1"
                .into(),
        )
        .unwrap();
        assert_eq!(r.outcome, ReturnOutcome::Completed);
        assert_eq!(r.transaction_id.as_deref(), Some("T12345678.abc"));
        let r = parse_return_url(
            "https://shop.example/return?error=cancelled&merchant_reference=o-1".into(),
        )
        .unwrap();
        assert_eq!(r.outcome, ReturnOutcome::Cancelled);
        assert_eq!(r.error.as_deref(), Some("cancelled"));
    }

    #[test]
    fn build_order_sums_the_lines() {
        let item = OrderItem {
            line_id: Some("1".into()),
            amount: Some(29990),
            id: None,
            description: Some("Chair".into()),
            quantity: Some(1.0),
            vat: Some(25.0),
            vat_amount: Some(5998),
        };
        let order = build_order("NOK".into(), "o-1".into(), vec![item], None).unwrap();
        assert_eq!(order.amount, 29990);
        assert_eq!(order.vat_amount, Some(5998));
    }
}
