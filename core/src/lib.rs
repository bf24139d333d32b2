//! # dintero-checkout
//!
//! The core of the Dintero Checkout SDK: one implementation of auth, sessions, transactions,
//! callbacks, retries and errors that the Python, Node, Swift and Kotlin packages call.
//!
//! * Tokens are fetched on first use, cached, refreshed before they expire, one request at a
//!   time however many calls wait; a 401 refreshes once and retries once.
//! * Reads are retried with jittered exponential backoff and `Retry-After`; 4xx other than
//!   401/429 is never retried.
//! * Capture, refund and void happen **exactly once** within a client: the SDK recognises its
//!   own write on the transaction (by your reference, or by kind and amount among the new
//!   events), joins a write that is already running, never resends one Dintero accepted, and
//!   after an ambiguous failure re-reads the transaction instead of guessing (see
//!   [`transactions`]).
//! * Callbacks are verified ([`CallbackVerifier`]) and confirmed against the transaction
//!   ([`Callbacks::confirm`]); [`Callbacks::receive`] does both for a web framework's request
//!   and says what to answer.
//! * Secrets never appear in `Debug`, `Display`, logs or errors.
//!
//! ## Quickstart
//!
//! ```no_run
//! use dintero_checkout::{Client, CaptureRequest, CreateSessionOptions, SessionRequest};
//! # async fn run() -> dintero_checkout::Result<()> {
//! let client = Client::builder()
//!     .account_id("T12345678")
//!     .client_id("your-client-id")
//!     .client_secret("your-client-secret")
//!     .build()?;
//!
//! let session: SessionRequest = serde_json::from_value(serde_json::json!({
//!     "url": {"return_url": "https://shop.example/return",
//!             "callback_url": "https://shop.example/dintero/callback"},
//!     "order": {"amount": 29990, "currency": "NOK", "merchant_reference": "order-1001",
//!               "items": [{"line_id": "1", "description": "Chair", "quantity": 1,
//!                          "amount": 29990, "vat": 25, "vat_amount": 5998}]},
//!     "profile_id": "default"
//! })).expect("valid json");
//! let created = client.sessions().create(&session, &CreateSessionOptions::default()).await?;
//! if let Some(url) = &created.url {
//!     println!("send the customer to {url}");
//! }
//!
//! // ...later, in your callback handler, after verifying the signature:
//! # let transaction_id = "T12345678.abc";
//! let capture = CaptureRequest { amount: 29990, ..Default::default() };
//! let op = client.transactions().capture(transaction_id, &capture).await?;
//! println!("status {:?}, paid: {}", op.transaction.status, op.transaction.is_paid());
//! # Ok(()) }
//! ```
//!
//! Against the local emulator, set `.base_url("http://127.0.0.1:8400")` (plain `http://` is
//! accepted for loopback hosts only).

#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!("dintero_checkout");

pub mod admin;
mod auth;
pub mod callbacks;
pub mod config;
pub mod error;
mod http;
pub mod models;
pub mod observe;
pub mod order;
pub mod receive;
mod secret;
pub mod sessions;
pub mod transactions;
pub mod webhooks;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

pub use admin::{Admin, HookSubscription, NewHookSubscription, SignatureSecret};
pub use callbacks::{
    compute_signature, is_authentic_but_late, parse_callback, parse_return_url, request_url,
    signature_header, Callback, CallbackVerifier, Callbacks, ConfirmedCallback, ReturnOutcome,
    ReturnResult,
};
pub use config::{defaults, ClientBuilder, Config, Defaults, RetryPolicy};
pub use error::{Error, ErrorKind, Result};
pub use models::*;
pub use observe::{
    LogField, LogLevel, LogRecord, LogSink, LogValue, Logger, RequestEvent, RequestObserver,
    RequestPhase,
};
pub use order::{validate_order, validate_order_strict, OrderBuilder};
pub use receive::{CallbackReceipt, ErrorDetails, ReceiptOutcome, ReceiveOptions};
pub use secret::Secret;
pub use sessions::{validate_session_request, CreateSessionOptions, Sessions};
pub use transactions::{
    ListTransactions, Operation, OperationState, TransactionPager, Transactions,
};
pub use webhooks::{verify_webhook, verify_webhook_headers, WebhookEvent};

/// A Dintero Checkout client. Cheap to clone: clones share the connection pool and the token.
#[derive(Clone)]
pub struct Client {
    inner: Arc<http::Transport>,
    writes: Arc<transactions::WriteRegistry>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.inner.config)
            .finish()
    }
}

/// What [`Client::authenticate`] tells about the token, without the token itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TokenInfo {
    /// Token requests this client has made so far.
    pub token_requests: u64,
}

impl Client {
    /// Starts building a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    pub(crate) fn from_config(config: Config) -> Result<Self> {
        Ok(Client {
            inner: Arc::new(http::Transport::new(config)?),
            writes: Arc::default(),
        })
    }

    /// The configuration (secrets stay hidden in its `Debug`).
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Session operations.
    pub fn sessions(&self) -> Sessions<'_> {
        Sessions { client: self }
    }

    /// Transaction operations.
    pub fn transactions(&self) -> Transactions<'_> {
        Transactions { client: self }
    }

    /// Callback confirmation.
    pub fn callbacks(&self) -> Callbacks<'_> {
        Callbacks { client: self }
    }

    /// Account set-up: the callback signature secret and webhook subscriptions.
    pub fn admin(&self) -> Admin<'_> {
        Admin { client: self }
    }

    /// Makes sure a valid access token is cached (fetching one if needed). Calls do this by
    /// themselves; use it to check credentials at start-up.
    pub async fn authenticate(&self) -> Result<TokenInfo> {
        self.inner.auth.token(&self.inner).await?;
        Ok(TokenInfo {
            token_requests: self.inner.auth.fetch_count(),
        })
    }

    /// Token requests this client has made so far.
    pub fn token_requests(&self) -> u64 {
        self.inner.auth.fetch_count()
    }

    /// A poll helper: re-reads the session every `interval` until it has a `transaction_id`,
    /// is cancelled, or `timeout` passes. `None` takes the defaults
    /// ([`config::DEFAULT_WAIT_FOR_PAYMENT_INTERVAL`], [`config::DEFAULT_WAIT_FOR_PAYMENT_TIMEOUT`]).
    pub async fn wait_for_payment(
        &self,
        session_id: &str,
        interval: Option<Duration>,
        timeout: Option<Duration>,
    ) -> Result<models::Session> {
        let interval = interval.unwrap_or(config::DEFAULT_WAIT_FOR_PAYMENT_INTERVAL);
        let timeout = timeout.unwrap_or(config::DEFAULT_WAIT_FOR_PAYMENT_TIMEOUT);
        if interval < Duration::from_millis(100) {
            return Err(Error::invalid_input(format!(
                "wait_for_payment: interval must be at least 100 ms (got {interval:?}); polling faster only loads Dintero"
            )));
        }
        let deadline = tokio::time::Instant::now().checked_add(timeout);
        loop {
            let session = self.sessions().get(session_id).await?;
            if session.transaction_id.is_some() || session.cancelled_at.is_some() {
                return Ok(session);
            }
            let next = tokio::time::Instant::now().checked_add(interval);
            if matches!((next, deadline), (Some(n), Some(d)) if n > d) {
                return Err(Error::new(
                    ErrorKind::Timeout,
                    format!("session {session_id} was not paid within {timeout:?}"),
                ));
            }
            tokio::time::sleep(interval).await;
        }
    }
}
