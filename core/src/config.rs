//! Client configuration: credentials, hosts, timeouts, retries.

use std::fmt;
use std::time::Duration;

use url::Url;

use crate::error::{Error, Result};
use crate::secret::Secret;

/// Dintero's API host (token, webhooks).
pub const DEFAULT_API_BASE_URL: &str = "https://api.dintero.com";
/// Dintero's checkout host (sessions, transactions, hosted page).
pub const DEFAULT_CHECKOUT_BASE_URL: &str = "https://checkout.dintero.com";
/// This SDK's name, sent as `Dintero-System-Plugin-Name` and in `User-Agent`.
pub const SDK_NAME: &str = "dintero-checkout-rust";
/// This SDK's version.
pub const SDK_VERSION: &str = env!("CARGO_PKG_VERSION");

/// How failed requests are retried.
///
/// Backoff is exponential with "equal jitter": attempt `n` waits a random time between half
/// and all of `min(max_backoff, initial_backoff * 2^(n-1))`. A `Retry-After` header replaces
/// the backoff when it is at most `max_retry_after`; a longer one ends the retries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1 = no retries).
    pub max_attempts: u32,
    /// Backoff before the first retry.
    pub initial_backoff: Duration,
    /// Largest backoff.
    pub max_backoff: Duration,
    /// Largest `Retry-After` the SDK will sleep for.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// The wait before retry number `retry` (1-based), jitter included.
    pub fn backoff(&self, retry: u32) -> Duration {
        let exp = retry.saturating_sub(1).min(20);
        let base = self
            .initial_backoff
            .saturating_mul(1u32 << exp)
            .min(self.max_backoff);
        let half = base / 2;
        let jitter = if half.is_zero() {
            Duration::ZERO
        } else {
            Duration::from_nanos(rand::random_range(
                0..=half.as_nanos().min(u64::MAX as u128) as u64,
            ))
        };
        half + jitter
    }
}

/// Everything a [`crate::Client`] needs. Built by [`ClientBuilder`].
#[derive(Clone)]
pub struct Config {
    pub(crate) account_id: String,
    pub(crate) client_id: String,
    pub(crate) client_secret: Secret,
    pub(crate) api_base: String,
    pub(crate) checkout_base: String,
    pub(crate) timeout: Duration,
    pub(crate) connect_timeout: Duration,
    pub(crate) retry: RetryPolicy,
    pub(crate) proxy: Option<Secret>,
    pub(crate) system_name: Option<String>,
    pub(crate) system_version: Option<String>,
    pub(crate) plugin_name: String,
    pub(crate) plugin_version: String,
    pub(crate) token_refresh_margin: Duration,
    pub(crate) reconcile_window: Duration,
    pub(crate) max_response_bytes: usize,
    pub(crate) observer: Option<crate::observe::RequestObserver>,
    pub(crate) logger: Option<crate::observe::Logger>,
}

impl Config {
    /// The account id (`T…` sandbox, `P…` production).
    pub fn account_id(&self) -> &str {
        &self.account_id
    }
    /// The client id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }
    /// Base URL of the API host (token).
    pub fn api_base_url(&self) -> &str {
        &self.api_base
    }
    /// Base URL of the checkout host (sessions, transactions).
    pub fn checkout_base_url(&self) -> &str {
        &self.checkout_base
    }
    /// Per-attempt timeout.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }
    /// The retry policy.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }
    /// How long capture/refund/void keep re-reading after an attempt got no answer.
    pub fn reconcile_window(&self) -> Duration {
        self.reconcile_window
    }
    /// The longest response body the client reads.
    pub fn max_response_bytes(&self) -> usize {
        self.max_response_bytes
    }
    /// True for a `T…` (sandbox) account.
    pub fn is_test_account(&self) -> bool {
        self.account_id.starts_with('T')
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("account_id", &self.account_id)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("api_base", &self.api_base)
            .field("checkout_base", &self.checkout_base)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("proxy", &self.proxy.as_ref().map(|_| "***"))
            .field("max_response_bytes", &self.max_response_bytes)
            .finish()
    }
}

/// Builds a [`crate::Client`]. Every setting is checked in [`ClientBuilder::build`].
#[derive(Default, Clone)]
pub struct ClientBuilder {
    account_id: Option<String>,
    client_id: Option<String>,
    client_secret: Option<Secret>,
    base_url: Option<String>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    retry: Option<RetryPolicy>,
    proxy: Option<Secret>,
    system_name: Option<String>,
    system_version: Option<String>,
    plugin: Option<(String, String)>,
    reconcile_window: Option<Duration>,
    max_response_bytes: Option<usize>,
    observer: Option<crate::observe::RequestObserver>,
    logger: Option<crate::observe::Logger>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("account_id", &self.account_id)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// The account id, `T` (sandbox) or `P` (production) and 8 digits.
    pub fn account_id(mut self, v: impl Into<String>) -> Self {
        self.account_id = Some(v.into());
        self
    }
    /// The API client's id.
    pub fn client_id(mut self, v: impl Into<String>) -> Self {
        self.client_id = Some(v.into());
        self
    }
    /// The API client's secret.
    pub fn client_secret(mut self, v: impl Into<Secret>) -> Self {
        self.client_secret = Some(v.into());
        self
    }
    /// One base URL for both Dintero hosts, e.g. the emulator's `http://127.0.0.1:8400`.
    /// `http://` is refused unless the host is loopback.
    pub fn base_url(mut self, v: impl Into<String>) -> Self {
        self.base_url = Some(v.into());
        self
    }
    /// Per-attempt timeout (default 30 s).
    pub fn timeout(mut self, v: Duration) -> Self {
        self.timeout = Some(v);
        self
    }
    /// Connect timeout (default 10 s).
    pub fn connect_timeout(mut self, v: Duration) -> Self {
        self.connect_timeout = Some(v);
        self
    }
    /// How failed requests are retried.
    pub fn retry_policy(mut self, v: RetryPolicy) -> Self {
        self.retry = Some(v);
        self
    }
    /// After a capture, refund or void got no answer (timeout, cut connection), how long the
    /// SDK keeps re-reading the transaction for the operation's event before it concludes the
    /// operation did not happen and sends it again. Default: the per-attempt timeout, so Dintero
    /// has had twice the timeout to finish. Longer is safer; the wait only happens on failures.
    pub fn reconcile_window(mut self, v: Duration) -> Self {
        self.reconcile_window = Some(v);
        self
    }
    /// The longest response body the client reads (default 16 MiB, at least 64 KiB). A longer
    /// answer is not read past the limit and fails with a `decode` error naming it, so an
    /// endless or enormous answer cannot exhaust memory. Dintero's largest answers (a page of
    /// 100 transactions with their sessions) stay far below the default.
    pub fn max_response_bytes(mut self, v: usize) -> Self {
        self.max_response_bytes = Some(v);
        self
    }
    /// Sends every request through this proxy: `http://host:port` or `https://host:port`,
    /// optionally with `user:pass@`. Other schemes (SOCKS among them) are refused.
    pub fn proxy(mut self, v: impl Into<String>) -> Self {
        self.proxy = Some(Secret::new(v.into()));
        self
    }
    /// Your system's name, sent as `Dintero-System-Name`.
    pub fn system_name(mut self, v: impl Into<String>) -> Self {
        self.system_name = Some(v.into());
        self
    }
    /// Your system's version, sent as `Dintero-System-Version`.
    pub fn system_version(mut self, v: impl Into<String>) -> Self {
        self.system_version = Some(v.into());
        self
    }
    /// For language bindings: the SDK name and version to send instead of the Rust core's.
    #[doc(hidden)]
    pub fn sdk_identity(mut self, name: impl Into<String>, version: impl Into<String>) -> Self {
        self.plugin = Some((name.into(), version.into()));
        self
    }

    /// Calls `observer` before and after every request attempt (for metrics and tracing); it
    /// is given the operation, method, path, attempt, status, duration and request id, never a
    /// header, body, query or token.
    pub fn observer(
        mut self,
        observer: impl Fn(&crate::observe::RequestEvent) + Send + Sync + 'static,
    ) -> Self {
        self.observer = Some(std::sync::Arc::new(observer));
        self
    }

    /// Gives every log record of this client to `sink` as well as to `tracing` (which Rust
    /// users keep): one record per request attempt at debug; retries, token fetches and
    /// reconciliation at info. A record never holds a header, body, query, token or secret.
    /// Language bindings pass a sink that forwards to their language's logger.
    pub fn logger(mut self, sink: impl crate::observe::LogSink + 'static) -> Self {
        self.logger = Some(std::sync::Arc::new(sink));
        self
    }

    /// Checks every setting and builds the client.
    pub fn build(self) -> Result<crate::Client> {
        let config = self.into_config()?;
        crate::Client::from_config(config)
    }

    pub(crate) fn into_config(self) -> Result<Config> {
        let account_id = self
            .account_id
            .ok_or_else(|| Error::invalid_input("account_id is required"))?;
        validate_account_id(&account_id)?;
        let client_id = self
            .client_id
            .ok_or_else(|| Error::invalid_input("client_id is required"))?;
        if client_id.trim().is_empty() {
            return Err(Error::invalid_input("client_id must not be empty"));
        }
        let client_secret = self
            .client_secret
            .ok_or_else(|| Error::invalid_input("client_secret is required"))?;
        if client_secret.is_empty() {
            return Err(Error::invalid_input("client_secret must not be empty"));
        }
        let (api_base, checkout_base) = match self.base_url {
            Some(url) => {
                let url = normalize_base_url(&url)?;
                (url.clone(), url)
            }
            None => (
                DEFAULT_API_BASE_URL.to_string(),
                DEFAULT_CHECKOUT_BASE_URL.to_string(),
            ),
        };
        let timeout = self.timeout.unwrap_or(DEFAULT_TIMEOUT);
        if timeout.is_zero() {
            return Err(Error::invalid_input("timeout must be greater than zero"));
        }
        let retry = self.retry.unwrap_or_default();
        if retry.max_attempts == 0 {
            return Err(Error::invalid_input(
                "retry_policy.max_attempts must be at least 1",
            ));
        }
        if let Some(proxy) = &self.proxy {
            check_proxy(proxy)?;
        }
        let max_response_bytes = self
            .max_response_bytes
            .unwrap_or(DEFAULT_MAX_RESPONSE_BYTES);
        if max_response_bytes < MIN_MAX_RESPONSE_BYTES {
            return Err(Error::invalid_input(format!(
                "max_response_bytes must be at least {MIN_MAX_RESPONSE_BYTES} (got {max_response_bytes})"
            )));
        }
        for (name, value) in [
            ("system_name", &self.system_name),
            ("system_version", &self.system_version),
        ] {
            if let Some(v) = value {
                if http::HeaderValue::from_str(v).is_err() {
                    return Err(Error::invalid_input(format!(
                        "{name} must be printable ASCII (it is sent as a header)"
                    )));
                }
            }
        }
        let (plugin_name, plugin_version) = self
            .plugin
            .unwrap_or_else(|| (SDK_NAME.to_string(), SDK_VERSION.to_string()));
        Ok(Config {
            account_id,
            client_id,
            client_secret,
            api_base,
            checkout_base,
            timeout,
            connect_timeout: self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT),
            retry,
            proxy: self.proxy,
            system_name: self.system_name,
            system_version: self.system_version,
            plugin_name,
            plugin_version,
            token_refresh_margin: Duration::from_secs(300),
            reconcile_window: self.reconcile_window.unwrap_or(timeout),
            max_response_bytes,
            observer: self.observer,
            logger: self.logger,
        })
    }
}

/// The default per-attempt timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The default connect timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How often `wait_for_payment` re-reads the session, by default.
pub const DEFAULT_WAIT_FOR_PAYMENT_INTERVAL: Duration = Duration::from_secs(1);
/// How long `wait_for_payment` waits, by default.
pub const DEFAULT_WAIT_FOR_PAYMENT_TIMEOUT: Duration = Duration::from_secs(300);
/// How long `wait_for_event` waits for a 202'd operation to complete, by default.
pub const DEFAULT_WAIT_FOR_EVENT_TIMEOUT: Duration = Duration::from_secs(30);

/// Every default the SDK applies to a setting the caller left out, in one place: the
/// bindings pass "not set" and the core applies these. Durations in milliseconds.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Defaults {
    /// Per-attempt timeout.
    pub timeout_ms: u64,
    /// Connect timeout.
    pub connect_timeout_ms: u64,
    /// Attempts in all, the first included.
    pub retry_max_attempts: u32,
    /// Backoff before the first retry.
    pub retry_initial_backoff_ms: u64,
    /// Largest backoff.
    pub retry_max_backoff_ms: u64,
    /// Largest `Retry-After` slept for.
    pub retry_max_retry_after_ms: u64,
    /// How old or how far ahead a callback signature's timestamp may be.
    pub signature_tolerance_seconds: u64,
    /// `wait_for_payment`'s polling interval.
    pub wait_for_payment_interval_ms: u64,
    /// `wait_for_payment`'s timeout.
    pub wait_for_payment_timeout_ms: u64,
    /// `wait_for_event`'s timeout.
    pub wait_for_event_timeout_ms: u64,
    /// The longest response body read.
    pub max_response_bytes: u64,
}

/// The defaults, as [`Defaults`].
pub fn defaults() -> Defaults {
    let ms = |d: Duration| d.as_millis() as u64;
    let retry = RetryPolicy::default();
    Defaults {
        timeout_ms: ms(DEFAULT_TIMEOUT),
        connect_timeout_ms: ms(DEFAULT_CONNECT_TIMEOUT),
        retry_max_attempts: retry.max_attempts,
        retry_initial_backoff_ms: ms(retry.initial_backoff),
        retry_max_backoff_ms: ms(retry.max_backoff),
        retry_max_retry_after_ms: ms(retry.max_retry_after),
        signature_tolerance_seconds: crate::callbacks::DEFAULT_TOLERANCE.as_secs(),
        wait_for_payment_interval_ms: ms(DEFAULT_WAIT_FOR_PAYMENT_INTERVAL),
        wait_for_payment_timeout_ms: ms(DEFAULT_WAIT_FOR_PAYMENT_TIMEOUT),
        wait_for_event_timeout_ms: ms(DEFAULT_WAIT_FOR_EVENT_TIMEOUT),
        max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES as u64,
    }
}

/// The default longest response body: 16 MiB. Dintero's largest answer is a page of at most
/// 100 transactions, with their sessions when asked; even with hundreds of order lines each,
/// that is a few MiB. 16 MiB leaves room for that and bounds what one hostile or broken answer
/// can cost per concurrent call.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;
const MIN_MAX_RESPONSE_BYTES: usize = 64 * 1024;

/// Accepts only proxies this client can use: `http://` and `https://` with a host. The value
/// is never echoed: it may carry credentials.
pub(crate) fn check_proxy(proxy: &Secret) -> Result<()> {
    let refuse = |why: &str| {
        Err(Error::invalid_input(format!(
            "proxy: {why}; expected http://host:port or https://host:port (the value is not shown: it may hold credentials)"
        )))
    };
    let Ok(url) = Url::parse(proxy.expose().trim()) else {
        return refuse("not an absolute URL");
    };
    match url.scheme() {
        "http" | "https" => {}
        s if s.starts_with("socks") => {
            return refuse("SOCKS proxies are not supported by this build")
        }
        _ => return refuse("unsupported scheme"),
    }
    if url.host_str().is_none_or(str::is_empty) {
        return refuse("no host");
    }
    if reqwest::Proxy::all(url.as_str()).is_err() {
        return refuse("not a valid proxy URL");
    }
    Ok(())
}

/// Checks `^[PT]\d{8}$`.
pub fn validate_account_id(account_id: &str) -> Result<()> {
    let bytes = account_id.as_bytes();
    let ok = bytes.len() == 9
        && (bytes[0] == b'P' || bytes[0] == b'T')
        && bytes[1..].iter().all(u8::is_ascii_digit);
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_input(format!(
            "account_id {account_id:?} is not valid: expected T (sandbox) or P (production) followed by 8 digits, e.g. T12345678"
        )))
    }
}

fn normalize_base_url(raw: &str) -> Result<String> {
    // Never echo `raw`: it could carry credentials. Messages show the URL without userinfo.
    let url = Url::parse(raw.trim())
        .map_err(|e| Error::invalid_input(format!("base_url is not a valid absolute URL: {e}")))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::invalid_input(
            "base_url must not carry credentials (user:password@)",
        ));
    }
    let shown = url.as_str().to_string();
    match url.scheme() {
        "https" => {}
        "http" => {
            let loopback = match url.host() {
                Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                None => false,
            };
            if !loopback {
                return Err(Error::invalid_input(format!(
                    "base_url {shown:?} uses plain http:// on a non-loopback host; use https:// (http:// is only allowed for 127.0.0.1, ::1 and localhost)"
                )));
            }
        }
        other => {
            return Err(Error::invalid_input(format!(
            "base_url {shown:?} has scheme {other:?}; expected https:// (or http:// on loopback)"
        )))
        }
    }
    if url.host().is_none() {
        return Err(Error::invalid_input(format!(
            "base_url {shown:?} has no host"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::invalid_input(format!(
            "base_url {shown:?} must not have a query or fragment"
        )));
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}
