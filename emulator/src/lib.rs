//! A local Dintero Checkout for development and tests.
//!
//! The emulator serves both Dintero hosts (`api.dintero.com` for the token,
//! `checkout.dintero.com` for sessions and transactions) on one port: the same paths,
//! status codes and error bodies, a hosted checkout page where Dintero's test cards pay,
//! the redirect to `return_url`, signed callbacks with Dintero's retry rules, and a
//! control API under `/_emulator/` for tests (pay, read callbacks, inject faults,
//! advance the clock).
//!
//! ```no_run
//! use dintero_emulator::{Emulator, EmulatorConfig};
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let emu = Emulator::start(EmulatorConfig::for_tests()).await?;
//! let base = emu.base_url(); // e.g. "http://127.0.0.1:41234"
//! // ... point your Dintero client at `base`, create a session, then pay it:
//! # let session_id = "T12345678.xxxxxxxxxxxxxxxxxxxxxx";
//! let paid = emu.pay(session_id, "4000 0000 0000 0002").await?;
//! println!("transaction {:?}, browser goes to {}", paid.transaction_id, paid.redirect_url);
//! assert_eq!(emu.request_count("token"), 1);
//! emu.shutdown().await;
//! # Ok(())
//! # }
//! ```

mod api;
mod callbacks;
mod cards;
mod catalog;
mod error;
mod faults;
mod methods;
mod model;
mod pay;
mod requests;
mod server;
mod state;
mod txops;
mod util;
mod validate;

pub use api::MAX_BODY_BYTES;
pub use callbacks::{callback_signature, signature_header, signature_payload, CallbackDelivery};
pub use catalog::catalog;
pub use faults::{FaultKind, FaultSpec, FAULT_ROUTES};
pub use util::format_money;

use serde::{Deserialize, Serialize};
use state::{lock, AppState};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How the emulator runs. `Default` mirrors Dintero; [`EmulatorConfig::for_tests`] is fast.
#[derive(Clone)]
pub struct EmulatorConfig {
    /// Address to listen on (`127.0.0.1:0` picks a free port).
    pub listen: SocketAddr,
    /// Account id, `T` or `P` plus 8 digits.
    pub account_id: String,
    /// Client id accepted by the token endpoint.
    pub client_id: String,
    /// Client secret accepted by the token endpoint.
    pub client_secret: String,
    /// Secret for `Dintero-Signature` on callbacks (`None`: no secret exists and
    /// callbacks are unsigned until `POST /v1/admin/signature` creates one).
    pub signature_secret: Option<String>,
    /// Access token lifetime (`expires_in`).
    pub token_ttl: Duration,
    /// Per-attempt timeout of callback deliveries.
    pub callback_timeout: Duration,
    /// Wait before the first callback retry; doubles per retry, capped at 64x.
    pub callback_retry_base: Duration,
    /// Retries after the first failed callback attempt.
    pub callback_max_retries: u32,
    /// How long a timeout test card makes its operation wait.
    pub card_timeout: Duration,
    /// Delay before an `accepted_202` operation completes.
    pub accepted_delay: Duration,
    /// Print one line per request to stdout.
    pub log_requests: bool,
    /// How long a request body may take to arrive before the answer is 408.
    pub body_read_timeout: Duration,
    /// Refuse every `callback_url` and `return_url` that is not `https://` (by default,
    /// `http://` is allowed to loopback hosts only).
    pub strict_urls: bool,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            listen: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
            account_id: "T12345678".into(),
            client_id: "emulator-client-id".into(),
            client_secret: "emulator-client-secret".into(),
            signature_secret: Some("emulator-signature-secret".into()),
            token_ttl: Duration::from_secs(14400),
            callback_timeout: Duration::from_secs(10),
            callback_retry_base: Duration::from_secs(1),
            callback_max_retries: 20,
            card_timeout: Duration::from_secs(30),
            accepted_delay: Duration::from_millis(200),
            log_requests: false,
            body_read_timeout: Duration::from_secs(10),
            strict_urls: false,
        }
    }
}

impl EmulatorConfig {
    /// Defaults with test-speed timings: 10 ms retry base, 200 ms card timeout, 50 ms
    /// accepted delay, 2 s callback timeout, no logging.
    pub fn for_tests() -> Self {
        EmulatorConfig {
            callback_timeout: Duration::from_secs(2),
            callback_retry_base: Duration::from_millis(10),
            card_timeout: Duration::from_millis(200),
            accepted_delay: Duration::from_millis(50),
            log_requests: false,
            ..Default::default()
        }
    }
}

impl std::fmt::Debug for EmulatorConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmulatorConfig")
            .field("listen", &self.listen)
            .field("account_id", &self.account_id)
            .field("client_id", &self.client_id)
            .field("client_secret", &"***")
            .field(
                "signature_secret",
                &self.signature_secret.as_ref().map(|_| "***"),
            )
            .field("token_ttl", &self.token_ttl)
            .field("callback_timeout", &self.callback_timeout)
            .field("callback_retry_base", &self.callback_retry_base)
            .field("callback_max_retries", &self.callback_max_retries)
            .field("card_timeout", &self.card_timeout)
            .field("accepted_delay", &self.accepted_delay)
            .field("log_requests", &self.log_requests)
            .field("body_read_timeout", &self.body_read_timeout)
            .field("strict_urls", &self.strict_urls)
            .finish()
    }
}

/// Result of paying or cancelling a session as the customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayOutcome {
    /// The transaction created, if any (none for declines and cancellations).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub transaction_id: Option<String>,
    /// Where the customer's browser is sent: `return_url` plus Dintero's query.
    pub redirect_url: String,
}

/// Errors of the library and control API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ControlError {
    /// No such session.
    NotFound(String),
    /// The request was refused (unknown card, session already paid, cancelled, expired...).
    Rejected(String),
    /// A fault spec with an unknown route or an impossible combination.
    InvalidFault(String),
}

impl std::fmt::Display for ControlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ControlError::NotFound(m) => write!(f, "not found: {m}"),
            ControlError::Rejected(m) => write!(f, "rejected: {m}"),
            ControlError::InvalidFault(m) => write!(f, "invalid fault: {m}"),
        }
    }
}

impl std::error::Error for ControlError {}

impl From<error::ApiError> for ControlError {
    fn from(e: error::ApiError) -> Self {
        if e.status == axum::http::StatusCode::NOT_FOUND {
            ControlError::NotFound(e.message)
        } else {
            ControlError::Rejected(e.message)
        }
    }
}

/// A running emulator. Dropping it stops the server.
pub struct Emulator {
    state: Arc<AppState>,
    shutdown: Option<watch::Sender<bool>>,
    task: Option<JoinHandle<()>>,
}

impl Emulator {
    /// Binds `config.listen` and serves in the background on the current tokio runtime.
    pub async fn start(config: EmulatorConfig) -> std::io::Result<Emulator> {
        let listener = tokio::net::TcpListener::bind(config.listen).await?;
        let mut addr = listener.local_addr()?;
        if addr.ip().is_unspecified() {
            addr.set_ip(match addr.ip() {
                IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::LOCALHOST),
                IpAddr::V6(_) => IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
            });
        }
        let base_url = format!("http://{addr}");
        let state = Arc::new(AppState::new(config, base_url));
        let (tx, rx) = watch::channel(false);
        let task = tokio::spawn(server::serve(listener, state.clone(), rx));
        Ok(Emulator {
            state,
            shutdown: Some(tx),
            task: Some(task),
        })
    }

    /// `http://127.0.0.1:PORT`; both Dintero hosts map to it.
    pub fn base_url(&self) -> String {
        self.state.base_url.clone()
    }

    /// The configuration it runs with.
    pub fn config(&self) -> &EmulatorConfig {
        &self.state.config
    }

    /// Pays a session with a test card, as a customer on the checkout page would.
    pub async fn pay(
        &self,
        session_id: &str,
        card_number: &str,
    ) -> Result<PayOutcome, ControlError> {
        pay::pay(&self.state, session_id, card_number, None)
            .await
            .map_err(ControlError::from)
    }

    /// Pays a session with any payment method by its `payment_product_type`
    /// (`dintero_psp.creditcard`, `vipps`, `swish.swish`, `collector.invoice`,
    /// `klarna.klarna`). `input` is the card number for cards and a test phone number
    /// otherwise (see the catalog's `payment_methods`).
    pub async fn pay_with(
        &self,
        session_id: &str,
        payment_product_type: &str,
        input: &str,
    ) -> Result<PayOutcome, ControlError> {
        pay::pay_with(&self.state, session_id, payment_product_type, input, None)
            .await
            .map(|p| p.outcome)
            .map_err(ControlError::from)
    }

    /// Decides an ON_HOLD transaction as the provider's manual review would: approved it
    /// becomes AUTHORIZED, declined it becomes FAILED, and the callback is sent again.
    pub async fn decide(&self, transaction_id: &str, approve: bool) -> Result<(), ControlError> {
        pay::decide(&self.state, transaction_id, approve)
            .await
            .map(|_| ())
            .map_err(ControlError::from)
    }

    /// Presses Cancel on the checkout page of a session.
    pub async fn cancel_payment(&self, session_id: &str) -> Result<PayOutcome, ControlError> {
        pay::cancel(&self.state, session_id)
            .await
            .map_err(ControlError::from)
    }

    /// Every callback delivery so far, oldest first.
    pub fn callbacks(&self) -> Vec<CallbackDelivery> {
        Self::callbacks_of(&self.state)
    }

    pub(crate) fn callbacks_of(st: &AppState) -> Vec<CallbackDelivery> {
        lock(&st.callbacks)
            .iter()
            .map(|r| lock(r).clone())
            .collect()
    }

    /// Arms a fault for the next `fault.times` matching requests.
    pub fn inject_fault(&self, fault: FaultSpec) -> Result<(), ControlError> {
        fault.check().map_err(ControlError::InvalidFault)?;
        self.state.faults.add(fault);
        Ok(())
    }

    /// Requests seen on a route (`token`, `capture`, `get_transaction`, ...).
    pub fn request_count(&self, route: &str) -> u64 {
        self.state.requests.count(route)
    }

    /// Every access token this emulator has issued (since the last reset). For tests that
    /// check a client never shows its token in logs, errors or debug output.
    pub fn issued_tokens(&self) -> Vec<String> {
        self.state.issued_tokens()
    }

    /// Moves the emulator clock (token and session expiry) forward by `seconds`.
    pub fn advance_clock(&self, seconds: i64) {
        self.state.advance_clock(seconds)
    }

    /// Forgets sessions, transactions, tokens, callbacks, faults, counters and the clock
    /// offset; keeps the configuration.
    pub fn reset(&self) {
        self.state.reset()
    }

    /// Stops accepting connections and closes open ones.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(true);
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        // Background work (callback deliveries, queued operations) checks the generation and
        // stops when it changes.
        self.state
            .generation
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(true);
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}
