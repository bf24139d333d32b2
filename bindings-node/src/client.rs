//! `NativeClient`: the core client behind the JS `Client`, and the transaction pager.

use std::sync::Arc;

use dintero_checkout as core;
use dintero_checkout::{
    CallbackReceipt, Client, ClientBuilder, ConfirmedCallback, ListTransactions, Operation,
    RetryPolicy, Session, SessionCreated, TokenInfo, Transaction, TransactionPager,
};
use napi::bindgen_prelude::PromiseRaw;
use napi::Env;
use napi_derive::napi;
use serde::Deserialize;
use tokio::sync::Mutex;

use crate::callbacks::{NativeCallbackVerifier, RequestUrlOptions};
use crate::convert::{millis, optional, Js, Model};
use crate::error::{model, run, Out};

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

/// How the JS layer wires logs and observers (see `ts/client.ts`).
pub struct Hooks {
    pub log: Option<crate::log::JsCallback>,
    pub log_level: Option<String>,
    pub on_request: Option<crate::log::JsCallback>,
}

fn build_client(o: ClientOptions, hooks: Hooks) -> core::Result<Client> {
    let retry = |r: RetryOptions| -> core::Result<RetryPolicy> {
        let d = RetryPolicy::default();
        let ms = |name: &str, v, default| {
            Ok::<_, core::Error>(millis(&format!("options.retry.{name}"), v)?.unwrap_or(default))
        };
        Ok(RetryPolicy {
            max_attempts: r.max_attempts.unwrap_or(d.max_attempts),
            initial_backoff: ms("initialBackoffMs", r.initial_backoff_ms, d.initial_backoff)?,
            max_backoff: ms("maxBackoffMs", r.max_backoff_ms, d.max_backoff)?,
            max_retry_after: ms("maxRetryAfterMs", r.max_retry_after_ms, d.max_retry_after)?,
        })
    };
    // What is left out stays unset: the core applies its defaults.
    let b = Client::builder()
        .account_id(o.account_id)
        .client_id(o.client_id);
    let b = b
        .client_secret(o.client_secret)
        .sdk_identity(SDK_NAME, SDK_VERSION);
    let b = set(b, o.base_url, |b, v| b.base_url(v));
    let b = set(
        b,
        millis("options.timeoutMs", o.timeout_ms)?,
        ClientBuilder::timeout,
    );
    let b = set(
        b,
        millis("options.connectTimeoutMs", o.connect_timeout_ms)?,
        ClientBuilder::connect_timeout,
    );
    let b = set(
        b,
        o.retry.map(retry).transpose()?,
        ClientBuilder::retry_policy,
    );
    let b = set(b, o.proxy, |b, v| b.proxy(v));
    let b = set(b, o.system_name, |b, v| b.system_name(v));
    let b = set(b, o.system_version, |b, v| b.system_version(v));
    let b = match hooks.log {
        Some(f) => {
            let lowest = crate::log::level(hooks.log_level.as_deref().unwrap_or("debug"))?;
            b.logger(crate::log::NodeLogSink::new(f, lowest))
        }
        None => b,
    };
    let b = set(b, hooks.on_request, |b, f| {
        b.observer(crate::log::observer(f))
    });
    set(b, o.max_response_bytes, |b, n| {
        b.max_response_bytes(n as usize)
    })
    .build()
}

fn set<T>(
    b: ClientBuilder,
    value: Option<T>,
    f: impl FnOnce(ClientBuilder, T) -> ClientBuilder,
) -> ClientBuilder {
    match value {
        Some(v) => f(b, v),
        None => b,
    }
}

/// Checks the options and builds a client (no request is made).
/// `log` gets each record at or above `logLevel` (default `debug`); `onRequest` each request
/// event. Both are queued for the JS thread; a request never waits for them.
#[napi(
    catch_unwind,
    ts_args_type = "options: ClientOptions, log?: (record: { level: 'debug' | 'info' | 'warn'; message: string; event: string; fields: Record<string, string | number>; target: string }) => void, logLevel?: 'debug' | 'info' | 'warn', onRequest?: (event: M.RequestEvent) => void",
    ts_return_type = "NativeClient"
)]
pub fn create_client(
    options: Js,
    log: Option<crate::log::JsCallback>,
    log_level: Option<String>,
    on_request: Option<crate::log::JsCallback>,
) -> Out<NativeClient> {
    let hooks = Hooks {
        log,
        log_level,
        on_request,
    };
    run(|| {
        Ok(NativeClient {
            client: build_client(options.decode("options")?, hooks)?,
        })
    })
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
        model(self.client.authenticate()).await
    }

    /// `sessions.create`.
    #[napi(
        ts_args_type = "request: M.SessionRequest, options?: CreateSessionOptions",
        ts_return_type = "Promise<M.SessionCreated>"
    )]
    pub async fn create_session(
        &self,
        request: Js,
        opts: Option<Js>,
    ) -> Out<Model<SessionCreated>> {
        model(async {
            let include_session =
                optional::<CreateSessionOptions>(opts, "options")?.include_session;
            let opts = core::CreateSessionOptions {
                include_session: include_session.unwrap_or(false),
            };
            self.client
                .sessions()
                .create_json(request.value("session")?, &opts)
                .await
        })
        .await
    }

    /// `sessions.get`.
    #[napi(
        ts_args_type = "sessionId: string",
        ts_return_type = "Promise<M.Session>"
    )]
    pub async fn get_session(&self, session_id: Js) -> Out<Model<Session>> {
        model(async {
            self.client
                .sessions()
                .get(&session_id.string("session_id")?)
                .await
        })
        .await
    }

    /// `sessions.update`.
    #[napi(
        ts_args_type = "sessionId: string, update: M.SessionUpdate, options?: UpdateSessionOptions",
        ts_return_type = "Promise<M.Session>"
    )]
    pub async fn update_session(
        &self,
        id: Js,
        update: Js,
        opts: Option<Js>,
    ) -> Out<Model<Session>> {
        model(async {
            let (id, update) = (id.string("session_id")?, update.value("update")?);
            let opts: UpdateSessionOptions = optional(opts, "options")?;
            let lockless = opts.update_without_lock.unwrap_or(false);
            self.client
                .sessions()
                .update_json(&id, update, lockless)
                .await
        })
        .await
    }

    /// `sessions.cancel`.
    #[napi(
        ts_args_type = "sessionId: string",
        ts_return_type = "Promise<M.Session>"
    )]
    pub async fn cancel_session(&self, session_id: Js) -> Out<Model<Session>> {
        model(async {
            self.client
                .sessions()
                .cancel(&session_id.string("session_id")?)
                .await
        })
        .await
    }

    /// Polls the session until it has a transaction, is cancelled, or the timeout passes.
    #[napi(
        ts_args_type = "sessionId: string, options?: WaitOptions",
        ts_return_type = "Promise<M.Session>"
    )]
    pub async fn wait_for_payment(&self, session_id: Js, opts: Option<Js>) -> Out<Model<Session>> {
        model(async {
            let (id, o) = (
                session_id.string("session_id")?,
                optional::<WaitOptions>(opts, "options")?,
            );
            let interval = millis("options.intervalMs", o.interval_ms)?;
            let timeout = millis("options.timeoutMs", o.timeout_ms)?;
            self.client.wait_for_payment(&id, interval, timeout).await
        })
        .await
    }

    /// `transactions.get`.
    #[napi(
        ts_args_type = "transactionId: string, options?: GetTransactionOptions",
        ts_return_type = "Promise<M.Transaction>"
    )]
    pub async fn get_transaction(&self, id: Js, opts: Option<Js>) -> Out<Model<Transaction>> {
        model(async {
            let id = id.string("transaction_id")?;
            let includes = optional::<GetTransactionOptions>(opts, "options")?
                .includes
                .unwrap_or_default();
            let includes: Vec<&str> = includes.iter().map(String::as_str).collect();
            self.client.transactions().get(&id, &includes).await
        })
        .await
    }

    /// `transactions.list`: a pager over every page matching the filter (the core's
    /// `ListTransactions`; a field it does not have is refused, not ignored).
    #[napi(
        catch_unwind,
        ts_args_type = "filter?: Partial<M.ListTransactions>",
        ts_return_type = "NativeTransactionPager"
    )]
    pub fn list_transactions(&self, filter: Option<Js>) -> Out<NativeTransactionPager> {
        run(|| {
            let filter = filter.map_or_else(
                || Ok(ListTransactions::default()),
                |f| list_filter(f.value("filter")?),
            )?;
            let pager = Arc::new(Mutex::new(self.client.transactions().list(filter)));
            Ok(NativeTransactionPager { pager })
        })
    }

    /// `transactions.capture`, exactly once.
    #[napi(
        ts_args_type = "transactionId: string, request: M.CaptureRequest",
        ts_return_type = "Promise<M.Operation>"
    )]
    pub async fn capture(&self, id: Js, request: Js) -> Out<Model<Operation>> {
        model(async {
            let (id, request) = (id.string("transaction_id")?, request.value("capture")?);
            self.client.transactions().capture_json(&id, request).await
        })
        .await
    }

    /// `transactions.refund`, exactly once.
    #[napi(
        ts_args_type = "transactionId: string, request: M.RefundRequest",
        ts_return_type = "Promise<M.Operation>"
    )]
    pub async fn refund(&self, id: Js, request: Js) -> Out<Model<Operation>> {
        model(async {
            let (id, request) = (id.string("transaction_id")?, request.value("refund")?);
            self.client.transactions().refund_json(&id, request).await
        })
        .await
    }

    /// `transactions.void`.
    #[napi(
        ts_args_type = "transactionId: string",
        ts_return_type = "Promise<M.Operation>"
    )]
    pub async fn void_transaction(&self, id: Js) -> Out<Model<Operation>> {
        model(async {
            self.client
                .transactions()
                .void(&id.string("transaction_id")?)
                .await
        })
        .await
    }

    /// `transactions.extendAuthorization`.
    #[napi(
        ts_args_type = "transactionId: string, request?: M.ExtendAuthorizationRequest",
        ts_return_type = "Promise<M.Transaction>"
    )]
    pub async fn extend_authorization(
        &self,
        id: Js,
        request: Option<Js>,
    ) -> Out<Model<Transaction>> {
        model(async {
            let (id, request) = (
                id.string("transaction_id")?,
                optional(request, "authorization")?,
            );
            self.client
                .transactions()
                .extend_authorization(&id, &request)
                .await
        })
        .await
    }

    /// `transactions.update`: sets `merchant_reference_2`.
    #[napi(
        ts_args_type = "transactionId: string, merchantReference2: string",
        ts_return_type = "Promise<M.Transaction>"
    )]
    pub async fn update_transaction(&self, id: Js, reference: Js) -> Out<Model<Transaction>> {
        model(async {
            let (id, reference) = (
                id.string("transaction_id")?,
                reference.string("merchant_reference_2")?,
            );
            self.client.transactions().update(&id, &reference).await
        })
        .await
    }

    /// Waits until the operation Dintero queued (a 202 answer) lands.
    #[napi(
        ts_args_type = "transactionId: string, eventRequestId: string, options?: WaitOptions",
        ts_return_type = "Promise<M.Transaction>"
    )]
    pub async fn wait_for_event(
        &self,
        id: Js,
        request_id: Js,
        opts: Option<Js>,
    ) -> Out<Model<Transaction>> {
        model(async {
            let (id, request_id) = (
                id.string("transaction_id")?,
                request_id.string("event_request_id")?,
            );
            let timeout = millis(
                "options.timeoutMs",
                optional::<WaitOptions>(opts, "options")?.timeout_ms,
            )?;
            self.client
                .transactions()
                .wait_for_event(&id, &request_id, timeout)
                .await
        })
        .await
    }

    /// `callbacks.receive`: the core's `Callbacks::receive` (verify, late retries, `error=`,
    /// confirm) on a request as a framework hands it over. The promise always resolves with a
    /// receipt; only arguments that cannot be read throw.
    #[napi(
        ts_args_type = "verifier: NativeCallbackVerifier, method: string, pathAndQuery: string, headers: Array<[string, string]>, options?: RequestUrlOptions",
        ts_return_type = "Promise<M.CallbackReceipt>"
    )]
    pub fn receive_callback<'env>(
        &self,
        env: &'env Env,
        verifier: &NativeCallbackVerifier,
        method: Js,
        path: Js,
        headers: Js,
        opts: Option<Js>,
    ) -> Out<PromiseRaw<'env, Model<CallbackReceipt>>> {
        let read = || -> core::Result<_> {
            let o: RequestUrlOptions = optional(opts, "options")?;
            let options = core::ReceiveOptions {
                public_url: o.public_url,
                trust_proxy: o.trust_proxy.unwrap_or(false),
                now: o.now,
            };
            let request: (String, String, Vec<(String, String)>) = (
                method.string("method")?,
                path.string("path_and_query")?,
                headers.decode("headers")?,
            );
            Ok((request, options))
        };
        let client = self.client.clone();
        let verifier = verifier.verifier.clone();
        run(|| {
            let ((method, path, headers), options) = read()?;
            let work = async move {
                let callbacks = client.callbacks();
                let receipt = callbacks
                    .receive(&verifier, &method, &path, &headers, &options)
                    .await;
                Ok(Model(receipt))
            };
            env.spawn_future(work)
                .map_err(|e| core::Error::new(core::ErrorKind::Server, e.reason.clone()))
        })
    }

    /// `callbacks.confirm`: fetches the transaction the callback names and checks they match.
    #[napi(
        ts_args_type = "callback: M.Callback",
        ts_return_type = "Promise<M.ConfirmedCallback>"
    )]
    pub async fn confirm_callback(&self, callback: Js) -> Out<Model<ConfirmedCallback>> {
        model(async {
            self.client
                .callbacks()
                .confirm(&callback.decode("callback")?)
                .await
        })
        .await
    }
}

/// The filter as the core's `ListTransactions`, refusing fields it does not have (the core type
/// ignores them, which would hide a misspelt filter).
fn list_filter(value: serde_json::Value) -> core::Result<ListTransactions> {
    let known = serde_json::to_value(ListTransactions::default()).unwrap_or_default();
    if let (Some(given), Some(known)) = (value.as_object(), known.as_object()) {
        if let Some(key) = given.keys().find(|k| !known.contains_key(*k)) {
            let known: Vec<&str> = known.keys().map(String::as_str).collect();
            let key: String = key.chars().take(60).collect();
            return Err(core::Error::invalid_input(format!(
                "filter: unknown field {key:?} (known: {}; other query parameters go in `extra`)",
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
