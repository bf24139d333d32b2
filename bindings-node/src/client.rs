//! `NativeClient`: the core client behind the JS `Client`, and the transaction pager.

use std::sync::Arc;

use dintero_checkout::{
    Callback, Client, ConfirmedCallback, CreateSessionOptions as CoreCreateOptions,
    Error as CoreError, ExtendAuthorizationRequest, ListTransactions, Operation, RetryPolicy,
    Session, SessionCreated, TokenInfo, Transaction, TransactionPager,
};
use napi_derive::napi;
use serde::Deserialize;
use tokio::sync::Mutex;

use crate::convert::{millis, optional, Js, Model};
use crate::error::Out;

/// The package's name and version, sent to Dintero in place of the Rust core's.
const SDK_NAME: &str = "dintero-checkout-node";
pub(crate) const SDK_VERSION: &str = env!("CARGO_PKG_VERSION");

/// What `new Client(...)` takes. Durations are milliseconds; what is left out takes the
/// core's default (`defaults()`).
#[napi(object)]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClientOptions {
    /// `T` (sandbox) or `P` (production) and 8 digits, e.g. `T12345678`.
    pub account_id: String,
    /// The API client's id.
    pub client_id: String,
    /// The API client's secret. Never shown by `inspect`, `JSON.stringify` or errors.
    pub client_secret: String,
    /// One base URL for both Dintero hosts, e.g. the emulator's. `http://` only for loopback.
    pub base_url: Option<String>,
    /// Per-attempt timeout.
    pub timeout_ms: Option<f64>,
    /// Connect timeout.
    pub connect_timeout_ms: Option<f64>,
    /// How failed requests are retried (jittered exponential backoff, honouring `Retry-After`).
    pub retry: Option<RetryOptions>,
    /// Send every request through this proxy (`http://user:pass@host:port`).
    pub proxy: Option<String>,
    /// Your system's name, sent as `Dintero-System-Name`.
    pub system_name: Option<String>,
    /// Your system's version, sent as `Dintero-System-Version`.
    pub system_version: Option<String>,
    /// The longest response body read.
    pub max_response_bytes: Option<u32>,
}

/// `ClientOptions.retry`; what is left out keeps the core's default.
#[napi(object)]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RetryOptions {
    /// Attempts in all, the first included (1 = no retries).
    pub max_attempts: Option<u32>,
    /// Backoff before the first retry.
    pub initial_backoff_ms: Option<f64>,
    /// Largest backoff.
    pub max_backoff_ms: Option<f64>,
    /// Largest `Retry-After` slept for; a longer one ends the retries.
    pub max_retry_after_ms: Option<f64>,
}

/// Options of `sessions.create`.
#[napi(object)]
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateSessionOptions {
    /// Ask Dintero to include the whole session in the answer.
    pub include_session: Option<bool>,
}

/// Options of `sessions.update`.
#[napi(object)]
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateSessionOptions {
    /// Update a session the checkout has not locked (server to server).
    pub update_without_lock: Option<bool>,
}

/// Options of `transactions.get`.
#[napi(object)]
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GetTransactionOptions {
    /// Related objects to include, e.g. `['session']`.
    pub includes: Option<Vec<String>>,
}

/// Options of `waitForPayment` and `waitForEvent`; what is left out takes the core's default.
#[napi(object)]
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WaitOptions {
    /// How often to re-read (`waitForPayment` only).
    pub interval_ms: Option<f64>,
    /// How long to wait in all.
    pub timeout_ms: Option<f64>,
}

fn build_client(options: ClientOptions) -> Result<Client, CoreError> {
    let mut builder = Client::builder()
        .account_id(options.account_id)
        .client_id(options.client_id)
        .client_secret(options.client_secret)
        .sdk_identity(SDK_NAME, SDK_VERSION);
    if let Some(url) = options.base_url {
        builder = builder.base_url(url);
    }
    if let Some(d) = millis("options.timeoutMs", options.timeout_ms)? {
        builder = builder.timeout(d);
    }
    if let Some(d) = millis("options.connectTimeoutMs", options.connect_timeout_ms)? {
        builder = builder.connect_timeout(d);
    }
    if let Some(retry) = options.retry {
        let mut policy = RetryPolicy::default();
        policy.max_attempts = retry.max_attempts.unwrap_or(policy.max_attempts);
        let p = "options.retry.";
        for (name, ms, field) in [
            (
                "initialBackoffMs",
                retry.initial_backoff_ms,
                &mut policy.initial_backoff,
            ),
            (
                "maxBackoffMs",
                retry.max_backoff_ms,
                &mut policy.max_backoff,
            ),
            (
                "maxRetryAfterMs",
                retry.max_retry_after_ms,
                &mut policy.max_retry_after,
            ),
        ] {
            if let Some(d) = millis(&format!("{p}{name}"), ms)? {
                *field = d;
            }
        }
        builder = builder.retry_policy(policy);
    }
    if let Some(proxy) = options.proxy {
        builder = builder.proxy(proxy);
    }
    if let Some(v) = options.system_name {
        builder = builder.system_name(v);
    }
    if let Some(v) = options.system_version {
        builder = builder.system_version(v);
    }
    if let Some(n) = options.max_response_bytes {
        builder = builder.max_response_bytes(n as usize);
    }
    builder.build()
}

/// Checks the options and builds a client (no request is made).
#[napi(
    catch_unwind,
    ts_args_type = "options: ClientOptions",
    ts_return_type = "NativeClient"
)]
pub fn create_client(options: Js) -> Out<NativeClient> {
    Out::from(
        options
            .decode("options")
            .and_then(build_client)
            .map(|client| NativeClient { client }),
    )
}

/// The core client; the JS `Client` and its `sessions` / `transactions` / `callbacks` wrap it.
#[napi]
pub struct NativeClient {
    client: Client,
}

#[napi]
impl NativeClient {
    /// The account id.
    #[napi(getter, catch_unwind)]
    pub fn account_id(&self) -> String {
        self.client.config().account_id().to_string()
    }

    /// The client id.
    #[napi(getter, catch_unwind)]
    pub fn client_id(&self) -> String {
        self.client.config().client_id().to_string()
    }

    /// The checkout base URL in use.
    #[napi(getter, catch_unwind)]
    pub fn base_url(&self) -> String {
        self.client.config().checkout_base_url().to_string()
    }

    /// Token requests made so far.
    #[napi(getter, catch_unwind)]
    pub fn token_requests(&self) -> f64 {
        self.client.token_requests() as f64
    }

    /// Fetches a token now if none is cached.
    #[napi(ts_return_type = "Promise<M.TokenInfo>")]
    pub async fn authenticate(&self) -> Out<Model<TokenInfo>> {
        Out::from(self.client.authenticate().await.map(Model))
    }

    /// `sessions.create`.
    #[napi(
        ts_args_type = "request: M.SessionRequest, options?: CreateSessionOptions",
        ts_return_type = "Promise<M.SessionCreated>"
    )]
    pub async fn create_session(
        &self,
        request: Js,
        options: Option<Js>,
    ) -> Out<Model<SessionCreated>> {
        let run = async {
            let opts: CreateSessionOptions = optional(options, "options")?;
            let opts = CoreCreateOptions {
                include_session: opts.include_session.unwrap_or(false),
            };
            self.client
                .sessions()
                .create_json(request.value("session")?, &opts)
                .await
        };
        Out::from(run.await.map(Model))
    }

    /// `sessions.get`.
    #[napi(
        ts_args_type = "sessionId: string",
        ts_return_type = "Promise<M.Session>"
    )]
    pub async fn get_session(&self, session_id: Js) -> Out<Model<Session>> {
        let run = async {
            self.client
                .sessions()
                .get(&session_id.string("session_id")?)
                .await
        };
        Out::from(run.await.map(Model))
    }

    /// `sessions.update`.
    #[napi(
        ts_args_type = "sessionId: string, update: M.SessionUpdate, options?: UpdateSessionOptions",
        ts_return_type = "Promise<M.Session>"
    )]
    pub async fn update_session(
        &self,
        session_id: Js,
        update: Js,
        options: Option<Js>,
    ) -> Out<Model<Session>> {
        let run = async {
            let id = session_id.string("session_id")?;
            let opts: UpdateSessionOptions = optional(options, "options")?;
            let lockless = opts.update_without_lock.unwrap_or(false);
            self.client
                .sessions()
                .update_json(&id, update.value("update")?, lockless)
                .await
        };
        Out::from(run.await.map(Model))
    }

    /// `sessions.cancel`.
    #[napi(
        ts_args_type = "sessionId: string",
        ts_return_type = "Promise<M.Session>"
    )]
    pub async fn cancel_session(&self, session_id: Js) -> Out<Model<Session>> {
        let run = async {
            self.client
                .sessions()
                .cancel(&session_id.string("session_id")?)
                .await
        };
        Out::from(run.await.map(Model))
    }

    /// Polls the session until it has a transaction, is cancelled, or the timeout passes.
    #[napi(
        ts_args_type = "sessionId: string, options?: WaitOptions",
        ts_return_type = "Promise<M.Session>"
    )]
    pub async fn wait_for_payment(
        &self,
        session_id: Js,
        options: Option<Js>,
    ) -> Out<Model<Session>> {
        let run = async {
            let id = session_id.string("session_id")?;
            let opts: WaitOptions = optional(options, "options")?;
            let interval = millis("options.intervalMs", opts.interval_ms)?;
            let timeout = millis("options.timeoutMs", opts.timeout_ms)?;
            self.client.wait_for_payment(&id, interval, timeout).await
        };
        Out::from(run.await.map(Model))
    }

    /// `transactions.get`.
    #[napi(
        ts_args_type = "transactionId: string, options?: GetTransactionOptions",
        ts_return_type = "Promise<M.Transaction>"
    )]
    pub async fn get_transaction(
        &self,
        transaction_id: Js,
        options: Option<Js>,
    ) -> Out<Model<Transaction>> {
        let run = async {
            let id = transaction_id.string("transaction_id")?;
            let opts: GetTransactionOptions = optional(options, "options")?;
            let includes = opts.includes.unwrap_or_default();
            let includes: Vec<&str> = includes.iter().map(String::as_str).collect();
            self.client.transactions().get(&id, &includes).await
        };
        Out::from(run.await.map(Model))
    }

    /// `transactions.list`: a pager over every page matching the filter (the core's
    /// `ListTransactions`; a field it does not have is refused, not ignored).
    #[napi(
        catch_unwind,
        ts_args_type = "filter?: Partial<M.ListTransactions>",
        ts_return_type = "NativeTransactionPager"
    )]
    pub fn list_transactions(&self, filter: Option<Js>) -> Out<NativeTransactionPager> {
        let filter = filter.map_or_else(
            || Ok(ListTransactions::default()),
            |f| list_filter(f.value("filter")?),
        );
        Out::from(filter.map(|filter| NativeTransactionPager {
            pager: Arc::new(Mutex::new(self.client.transactions().list(filter))),
        }))
    }

    /// `transactions.capture`, exactly once.
    #[napi(
        ts_args_type = "transactionId: string, request: M.CaptureRequest",
        ts_return_type = "Promise<M.Operation>"
    )]
    pub async fn capture(&self, transaction_id: Js, request: Js) -> Out<Model<Operation>> {
        let run = async {
            let id = transaction_id.string("transaction_id")?;
            self.client
                .transactions()
                .capture_json(&id, request.value("capture")?)
                .await
        };
        Out::from(run.await.map(Model))
    }

    /// `transactions.refund`, exactly once.
    #[napi(
        ts_args_type = "transactionId: string, request: M.RefundRequest",
        ts_return_type = "Promise<M.Operation>"
    )]
    pub async fn refund(&self, transaction_id: Js, request: Js) -> Out<Model<Operation>> {
        let run = async {
            let id = transaction_id.string("transaction_id")?;
            self.client
                .transactions()
                .refund_json(&id, request.value("refund")?)
                .await
        };
        Out::from(run.await.map(Model))
    }

    /// `transactions.void`.
    #[napi(
        ts_args_type = "transactionId: string",
        ts_return_type = "Promise<M.Operation>"
    )]
    pub async fn void_transaction(&self, transaction_id: Js) -> Out<Model<Operation>> {
        let run = async {
            self.client
                .transactions()
                .void(&transaction_id.string("transaction_id")?)
                .await
        };
        Out::from(run.await.map(Model))
    }

    /// `transactions.extendAuthorization`.
    #[napi(
        ts_args_type = "transactionId: string, request?: M.ExtendAuthorizationRequest",
        ts_return_type = "Promise<M.Transaction>"
    )]
    pub async fn extend_authorization(
        &self,
        transaction_id: Js,
        request: Option<Js>,
    ) -> Out<Model<Transaction>> {
        let run = async {
            let id = transaction_id.string("transaction_id")?;
            let request: ExtendAuthorizationRequest = optional(request, "authorization")?;
            self.client
                .transactions()
                .extend_authorization(&id, &request)
                .await
        };
        Out::from(run.await.map(Model))
    }

    /// `transactions.update`: sets `merchant_reference_2`.
    #[napi(
        ts_args_type = "transactionId: string, merchantReference2: string",
        ts_return_type = "Promise<M.Transaction>"
    )]
    pub async fn update_transaction(
        &self,
        transaction_id: Js,
        merchant_reference_2: Js,
    ) -> Out<Model<Transaction>> {
        let run = async {
            let id = transaction_id.string("transaction_id")?;
            let reference = merchant_reference_2.string("merchant_reference_2")?;
            self.client.transactions().update(&id, &reference).await
        };
        Out::from(run.await.map(Model))
    }

    /// Waits until the operation Dintero queued (a 202 answer) lands.
    #[napi(
        ts_args_type = "transactionId: string, eventRequestId: string, options?: WaitOptions",
        ts_return_type = "Promise<M.Transaction>"
    )]
    pub async fn wait_for_event(
        &self,
        transaction_id: Js,
        event_request_id: Js,
        options: Option<Js>,
    ) -> Out<Model<Transaction>> {
        let run = async {
            let id = transaction_id.string("transaction_id")?;
            let request_id = event_request_id.string("event_request_id")?;
            let opts: WaitOptions = optional(options, "options")?;
            let timeout = millis("options.timeoutMs", opts.timeout_ms)?;
            self.client
                .transactions()
                .wait_for_event(&id, &request_id, timeout)
                .await
        };
        Out::from(run.await.map(Model))
    }

    /// `callbacks.confirm`: fetches the transaction the callback names and checks they match.
    #[napi(
        ts_args_type = "callback: M.Callback",
        ts_return_type = "Promise<M.ConfirmedCallback>"
    )]
    pub async fn confirm_callback(&self, callback: Js) -> Out<Model<ConfirmedCallback>> {
        let run = async {
            let callback: Callback = callback.decode("callback")?;
            self.client.callbacks().confirm(&callback).await
        };
        Out::from(run.await.map(Model))
    }
}

/// The filter as the core's `ListTransactions`, refusing fields it does not have (the core type
/// ignores them, which would hide a misspelt filter).
fn list_filter(value: serde_json::Value) -> Result<ListTransactions, CoreError> {
    if let (serde_json::Value::Object(given), Ok(serde_json::Value::Object(known))) =
        (&value, serde_json::to_value(ListTransactions::default()))
    {
        if let Some(key) = given.keys().find(|k| !known.contains_key(*k)) {
            let known: Vec<&str> = known.keys().map(String::as_str).collect();
            let shown: String = key.chars().take(60).collect();
            return Err(CoreError::invalid_input(format!(
                "filter: unknown field {shown:?} (known: {}; other query parameters go in `extra`)",
                known.join(", ")
            )));
        }
    }
    crate::convert::decode("filter", value)
}

/// Walks the pages of a transaction listing.
#[napi]
pub struct NativeTransactionPager {
    pager: Arc<Mutex<TransactionPager>>,
}

#[napi]
impl NativeTransactionPager {
    /// The next page, or `null` at the end.
    #[napi(ts_return_type = "Promise<M.Transaction[] | null>")]
    pub async fn next_page(&self) -> Out<Option<Model<Vec<Transaction>>>> {
        let page = self.pager.lock().await.next_page().await;
        Out::from(page.map(|p| p.map(Model)))
    }
}
