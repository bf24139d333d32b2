//! `NativeClient`: the core client behind the JS `Client`, and the transaction pager.

use std::sync::Arc;

use dintero_checkout::{
    Client, CreateSessionOptions, ExtendAuthorizationRequest, RetryPolicy, TransactionPager,
};
use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::{Map, Value};

use crate::convert::{
    callback_from_value, callback_value, check_keys, list_filter, millis, operation_json, opt_num,
    opt_str, opt_uint, parse_object, to_json, type_name,
};
use crate::error::{invalid, IntoJs};

const OPTION_KEYS: &[&str] = &[
    "accountId",
    "clientId",
    "clientSecret",
    "baseUrl",
    "timeoutMs",
    "connectTimeoutMs",
    "retry",
    "proxy",
    "systemName",
    "systemVersion",
];

const RETRY_KEYS: &[&str] = &[
    "maxAttempts",
    "initialBackoffMs",
    "maxBackoffMs",
    "maxRetryAfterMs",
];

/// The package's name and version, sent to Dintero in place of the Rust core's.
pub(crate) const SDK_NAME: &str = "dintero-checkout-node";
pub(crate) const SDK_VERSION: &str = env!("CARGO_PKG_VERSION");

fn required_str(map: &Map<String, Value>, key: &str) -> napi::Result<String> {
    opt_str(map, "options.", key)?.ok_or_else(|| invalid(format!("options.{key}: is required")))
}

/// Builds a core client from the JS options object. Option values are never echoed in
/// messages (one of them is the client secret).
fn build_client(options: Value) -> napi::Result<Client> {
    let Value::Object(map) = options else {
        return Err(invalid(format!(
            "options: must be an object (got {})",
            type_name(&options)
        )));
    };
    check_keys(&map, "options", OPTION_KEYS)?;
    let mut builder = Client::builder()
        .account_id(required_str(&map, "accountId")?)
        .client_id(required_str(&map, "clientId")?)
        .client_secret(required_str(&map, "clientSecret")?)
        .sdk_identity(SDK_NAME, SDK_VERSION);
    if let Some(url) = opt_str(&map, "options.", "baseUrl")? {
        builder = builder.base_url(url);
    }
    if let Some(ms) = opt_num(&map, "options.", "timeoutMs")? {
        builder = builder.timeout(millis("options.timeoutMs", ms)?);
    }
    if let Some(ms) = opt_num(&map, "options.", "connectTimeoutMs")? {
        builder = builder.connect_timeout(millis("options.connectTimeoutMs", ms)?);
    }
    match map.get("retry") {
        None | Some(Value::Null) => {}
        Some(Value::Object(retry)) => {
            check_keys(retry, "options.retry", RETRY_KEYS)?;
            let mut policy = RetryPolicy::default();
            let p = "options.retry.";
            if let Some(n) = opt_uint(retry, p, "maxAttempts", 1000)? {
                policy.max_attempts = n as u32;
            }
            if let Some(ms) = opt_num(retry, p, "initialBackoffMs")? {
                policy.initial_backoff = millis("options.retry.initialBackoffMs", ms)?;
            }
            if let Some(ms) = opt_num(retry, p, "maxBackoffMs")? {
                policy.max_backoff = millis("options.retry.maxBackoffMs", ms)?;
            }
            if let Some(ms) = opt_num(retry, p, "maxRetryAfterMs")? {
                policy.max_retry_after = millis("options.retry.maxRetryAfterMs", ms)?;
            }
            builder = builder.retry_policy(policy);
        }
        Some(other) => {
            return Err(invalid(format!(
                "options.retry: must be an object (got {})",
                type_name(other)
            )))
        }
    }
    if let Some(proxy) = opt_str(&map, "options.", "proxy")? {
        builder = builder.proxy(proxy);
    }
    if let Some(v) = opt_str(&map, "options.", "systemName")? {
        builder = builder.system_name(v);
    }
    if let Some(v) = opt_str(&map, "options.", "systemVersion")? {
        builder = builder.system_version(v);
    }
    builder.build().js()
}

/// The core client. Payloads go in and results come out as JSON text; the JS `Client` wraps it.
#[napi]
pub struct NativeClient {
    client: Client,
}

#[napi]
impl NativeClient {
    /// Checks the options (JSON) and builds the client (no request is made).
    #[napi(constructor, catch_unwind)]
    pub fn new(options: String) -> Result<Self> {
        Ok(NativeClient {
            client: build_client(parse_object("options", &options)?)?,
        })
    }

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
    pub fn token_requests(&self) -> i64 {
        self.client.token_requests() as i64
    }

    /// Fetches a token now if none is cached; resolves to the token request count.
    #[napi]
    pub async fn authenticate(&self) -> Result<i64> {
        let info = self.client.authenticate().await.js()?;
        Ok(info.token_requests as i64)
    }

    /// `sessions.create`: the payload as JSON; resolves to the created session as JSON.
    #[napi]
    pub async fn create_session(&self, payload: String, include_session: bool) -> Result<String> {
        let value = parse_object("session", &payload)?;
        let options = CreateSessionOptions { include_session };
        to_json(
            &self
                .client
                .sessions()
                .create_json(value, &options)
                .await
                .js()?,
        )
    }

    /// `sessions.get`.
    #[napi]
    pub async fn get_session(&self, session_id: String) -> Result<String> {
        to_json(&self.client.sessions().get(&session_id).await.js()?)
    }

    /// `sessions.update`: `{"order": ..., "remove_lock"?: bool}` as JSON.
    #[napi]
    pub async fn update_session(
        &self,
        session_id: String,
        payload: String,
        update_without_lock: bool,
    ) -> Result<String> {
        let value = parse_object("update", &payload)?;
        let session = self
            .client
            .sessions()
            .update_json(&session_id, value, update_without_lock)
            .await
            .js()?;
        to_json(&session)
    }

    /// `sessions.cancel`.
    #[napi]
    pub async fn cancel_session(&self, session_id: String) -> Result<String> {
        to_json(&self.client.sessions().cancel(&session_id).await.js()?)
    }

    /// Polls the session until it has a transaction, is cancelled, or the timeout passes.
    #[napi]
    pub async fn wait_for_payment(
        &self,
        session_id: String,
        interval_ms: f64,
        timeout_ms: f64,
    ) -> Result<String> {
        let interval = millis("intervalMs", interval_ms)?;
        let timeout = millis("timeoutMs", timeout_ms)?;
        to_json(
            &self
                .client
                .wait_for_payment(&session_id, Some(interval), Some(timeout))
                .await
                .js()?,
        )
    }

    /// `transactions.get`, with `includes` such as `["session"]`.
    #[napi]
    pub async fn get_transaction(
        &self,
        transaction_id: String,
        includes: Vec<String>,
    ) -> Result<String> {
        let includes: Vec<&str> = includes.iter().map(String::as_str).collect();
        to_json(
            &self
                .client
                .transactions()
                .get(&transaction_id, &includes)
                .await
                .js()?,
        )
    }

    /// `transactions.list`: a pager over every page matching the JSON filter.
    #[napi(catch_unwind)]
    pub fn list_transactions(&self, filter: String) -> Result<NativeTransactionPager> {
        let filter = list_filter(parse_object("filter", &filter)?)?;
        let pager = self.client.transactions().list(filter);
        Ok(NativeTransactionPager {
            pager: Arc::new(tokio::sync::Mutex::new(pager)),
        })
    }

    /// `transactions.capture`, exactly once. Resolves to the operation as JSON.
    #[napi]
    pub async fn capture(&self, transaction_id: String, payload: String) -> Result<String> {
        let value = parse_object("capture", &payload)?;
        operation_json(
            self.client
                .transactions()
                .capture_json(&transaction_id, value)
                .await
                .js()?,
        )
    }

    /// `transactions.refund`, exactly once.
    #[napi]
    pub async fn refund(&self, transaction_id: String, payload: String) -> Result<String> {
        let value = parse_object("refund", &payload)?;
        operation_json(
            self.client
                .transactions()
                .refund_json(&transaction_id, value)
                .await
                .js()?,
        )
    }

    /// `transactions.void`.
    #[napi]
    pub async fn void_transaction(&self, transaction_id: String) -> Result<String> {
        operation_json(
            self.client
                .transactions()
                .void(&transaction_id)
                .await
                .js()?,
        )
    }

    /// `transactions.extendAuthorization`: an `ExtendAuthorizationRequest` as JSON.
    #[napi]
    pub async fn extend_authorization(
        &self,
        transaction_id: String,
        payload: String,
    ) -> Result<String> {
        let value = parse_object("authorization", &payload)?;
        let request: ExtendAuthorizationRequest =
            crate::convert::decode_input("authorization", value)?;
        let tx = self
            .client
            .transactions()
            .extend_authorization(&transaction_id, &request)
            .await
            .js()?;
        to_json(&tx)
    }

    /// `transactions.update`: sets `merchant_reference_2`.
    #[napi]
    pub async fn update_transaction(
        &self,
        transaction_id: String,
        merchant_reference_2: String,
    ) -> Result<String> {
        to_json(
            &self
                .client
                .transactions()
                .update(&transaction_id, &merchant_reference_2)
                .await
                .js()?,
        )
    }

    /// Waits until the event queued by a 202 answer lands.
    #[napi]
    pub async fn wait_for_event(
        &self,
        transaction_id: String,
        event_request_id: String,
        timeout_ms: f64,
    ) -> Result<String> {
        let timeout = millis("timeoutMs", timeout_ms)?;
        let tx = self
            .client
            .transactions()
            .wait_for_event(&transaction_id, &event_request_id, Some(timeout))
            .await
            .js()?;
        to_json(&tx)
    }

    /// `callbacks.confirm`: the callback as JSON; resolves to `{"callback", "transaction"}`.
    #[napi]
    pub async fn confirm_callback(&self, callback: String) -> Result<String> {
        let value: Value = serde_json::from_str(&callback)
            .map_err(|e| invalid(format!("callback: is not valid JSON ({e})")))?;
        let callback = callback_from_value(value)?;
        let confirmed = self.client.callbacks().confirm(&callback).await.js()?;
        let mut out = Map::new();
        out.insert("callback".into(), callback_value(&confirmed.callback));
        out.insert(
            "transaction".into(),
            serde_json::to_value(&confirmed.transaction)
                .map_err(|e| invalid(format!("transaction: {e}")))?,
        );
        to_json(&out)
    }
}

/// Walks the pages of a transaction listing.
#[napi]
pub struct NativeTransactionPager {
    pager: Arc<tokio::sync::Mutex<TransactionPager>>,
}

#[napi]
impl NativeTransactionPager {
    /// The next page as a JSON array, or `null` at the end.
    #[napi]
    pub async fn next_page(&self) -> Result<Option<String>> {
        let pager = self.pager.clone();
        let mut pager = pager.lock().await;
        match pager.next_page().await.js()? {
            Some(page) => Ok(Some(to_json(&page)?)),
            None => Ok(None),
        }
    }
}
