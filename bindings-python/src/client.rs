//! `NativeClient`: every core operation, once blocking (GIL released) and once as an
//! asyncio future (`*_async`). Results are plain dicts/lists; the Python layer wraps them.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use dintero_checkout::{
    Callback, CallbackEventKind, Client, ClientBuilder, CreateSessionOptions, Error,
    ExtendAuthorizationRequest, ListTransactions, Operation, PaymentError, RetryPolicy,
    TransactionPager, TransactionStatus,
};
use pyo3::prelude::*;
use serde_json::{json, Value};

use crate::bridge::{self, Make};
use crate::convert::{json, text, to_py, to_value, whole};
use crate::errors::{invalid_input, to_pyerr};
use crate::runtime::block_on;

type Outcome = Result<Value, Error>;

/// Runs a core future on the calling thread with the GIL released.
fn run_sync<F>(py: Python<'_>, fut: F) -> PyResult<Py<PyAny>>
where
    F: Future<Output = Outcome> + Send,
{
    match block_on(py, fut)? {
        Ok(value) => Ok(to_py(py, &value)?.unbind()),
        Err(e) => Err(to_pyerr(py, &e)),
    }
}

/// Spawns a core future; returns an asyncio future.
fn run_async<'py, F>(py: Python<'py>, fut: F) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = Outcome> + Send + 'static,
{
    bridge::spawn(py, async move {
        let outcome = fut.await;
        Box::new(move |py: Python<'_>| match outcome {
            Ok(value) => Ok(to_py(py, &value)?.unbind()),
            Err(e) => Err(to_pyerr(py, &e)),
        }) as Make
    })
}

pub fn seconds(py: Python<'_>, name: &str, value: f64) -> PyResult<Duration> {
    if !value.is_finite() || value <= 0.0 {
        return Err(invalid_input(
            py,
            format!("{name}: must be a positive number of seconds (got {value})"),
        ));
    }
    Duration::try_from_secs_f64(value)
        .map_err(|_| invalid_input(py, format!("{name}: {value} seconds is too long")))
}

fn seconds_or_zero(py: Python<'_>, name: &str, value: f64) -> PyResult<Duration> {
    if value == 0.0 {
        return Ok(Duration::ZERO);
    }
    seconds(py, name, value)
}

fn operation(op: Operation) -> Value {
    json!({
        "state": op.state.as_str(),
        "transaction": json(&op.transaction),
        "event_request_id": op.event_request_id,
        "reference": op.reference,
        "reconciled": op.reconciled,
        "request_id": op.request_id,
    })
}

/// A callback as a dict (what `Callback` in Python wraps).
pub fn callback_json(cb: &Callback) -> Value {
    json!({
        "transaction_id": cb.transaction_id,
        "session_id": cb.session_id,
        "merchant_reference": cb.merchant_reference,
        "time": cb.time,
        "error": cb.error.as_ref().map(|e| e.as_str().to_string()),
        "event": cb.event.as_ref().map(|e| e.as_str().to_string()),
        "event_id": cb.event_id,
        "params": cb.params.iter().map(|p| json!([p.name, p.value])).collect::<Vec<_>>(),
    })
}

fn callback_from_json(py: Python<'_>, value: &Value) -> PyResult<Callback> {
    let Some(map) = value.as_object() else {
        return Err(invalid_input(
            py,
            "callback: expected a Callback (or its dict)",
        ));
    };
    let text = |name: &str| -> PyResult<Option<String>> {
        match map.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(invalid_input(
                py,
                format!("callback.{name}: expected a string, got {other}"),
            )),
        }
    };
    let mut params = Vec::new();
    if let Some(Value::Array(items)) = map.get("params") {
        for (i, item) in items.iter().enumerate() {
            match item.as_array().map(Vec::as_slice) {
                Some([Value::String(k), Value::String(v)]) => {
                    params.push(dintero_checkout::QueryParam::new(k.clone(), v.clone()))
                }
                _ => {
                    return Err(invalid_input(
                        py,
                        format!("callback.params[{i}]: expected a (name, value) pair"),
                    ))
                }
            }
        }
    }
    Ok(Callback {
        transaction_id: text("transaction_id")?,
        session_id: text("session_id")?,
        merchant_reference: text("merchant_reference")?,
        time: text("time")?,
        error: text("error")?.map(|e| PaymentError::parse(&e)),
        event: text("event")?.map(|e| CallbackEventKind::parse(&e)),
        event_id: text("event_id")?,
        params,
    })
}

struct Slot {
    pid: u32,
    client: Client,
}

/// The compiled client. Use `dintero_checkout.Client` / `AsyncClient` instead.
#[pyclass(frozen, module = "dintero_checkout._native")]
pub struct NativeClient {
    builder: ClientBuilder,
    slot: Mutex<Slot>,
    account_id: String,
    client_id: String,
    base_url: Option<String>,
    timeout: f64,
}

impl NativeClient {
    /// The core client of this process. A forked child gets a fresh one (the parent's
    /// connection pool belongs to a runtime that does not run there).
    fn core(&self, py: Python<'_>) -> PyResult<Client> {
        let pid = std::process::id();
        let mut slot = self.slot.lock().unwrap_or_else(|p| p.into_inner());
        if slot.pid != pid {
            let fresh = self.builder.clone().build().map_err(|e| to_pyerr(py, &e))?;
            std::mem::forget(std::mem::replace(&mut slot.client, fresh));
            slot.pid = pid;
        }
        Ok(slot.client.clone())
    }
}

#[pymethods]
impl NativeClient {
    #[new]
    #[pyo3(signature = (
        account_id, client_id, client_secret, *, base_url=None, timeout=30.0, connect_timeout=10.0,
        max_attempts=None, initial_backoff=0.5, max_backoff=8.0, max_retry_after=60.0, proxy=None,
        system_name=None, system_version=None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        account_id: String,
        client_id: String,
        client_secret: String,
        base_url: Option<String>,
        timeout: f64,
        connect_timeout: f64,
        max_attempts: Option<&Bound<'_, PyAny>>,
        initial_backoff: f64,
        max_backoff: f64,
        max_retry_after: f64,
        proxy: Option<String>,
        system_name: Option<String>,
        system_version: Option<String>,
    ) -> PyResult<Self> {
        let max_attempts = match max_attempts {
            Some(n) => whole(py, n, "retry.max_attempts", 1, i64::from(u32::MAX))? as u32,
            None => RetryPolicy::default().max_attempts,
        };
        let retry = RetryPolicy {
            max_attempts,
            initial_backoff: seconds_or_zero(py, "retry.initial_backoff", initial_backoff)?,
            max_backoff: seconds_or_zero(py, "retry.max_backoff", max_backoff)?,
            max_retry_after: seconds_or_zero(py, "retry.max_retry_after", max_retry_after)?,
        };
        let mut builder = Client::builder()
            .account_id(account_id.clone())
            .client_id(client_id.clone())
            .client_secret(client_secret)
            .timeout(seconds(py, "timeout", timeout)?)
            .connect_timeout(seconds(py, "connect_timeout", connect_timeout)?)
            .retry_policy(retry)
            .sdk_identity(crate::SDK_NAME, crate::VERSION);
        if let Some(url) = &base_url {
            builder = builder.base_url(url.clone());
        }
        if let Some(p) = proxy {
            builder = builder.proxy(p);
        }
        if let Some(s) = system_name {
            builder = builder.system_name(s);
        }
        if let Some(s) = system_version {
            builder = builder.system_version(s);
        }
        let client = builder.clone().build().map_err(|e| to_pyerr(py, &e))?;
        let base_url = Some(client.config().checkout_base_url().to_string());
        Ok(NativeClient {
            builder,
            slot: Mutex::new(Slot {
                pid: std::process::id(),
                client,
            }),
            account_id,
            client_id,
            base_url,
            timeout,
        })
    }

    #[getter]
    fn account_id(&self) -> &str {
        &self.account_id
    }

    #[getter]
    fn client_id(&self) -> &str {
        &self.client_id
    }

    #[getter]
    fn base_url(&self) -> Option<&str> {
        self.base_url.as_deref()
    }

    #[getter]
    fn timeout(&self) -> f64 {
        self.timeout
    }

    fn __repr__(&self) -> String {
        format!(
            "NativeClient(account_id={:?}, client_id={:?}, base_url={:?})",
            self.account_id,
            self.client_id,
            self.base_url.as_deref().unwrap_or("")
        )
    }

    fn token_requests(&self, py: Python<'_>) -> PyResult<u64> {
        Ok(self.core(py)?.token_requests())
    }

    // ---- auth

    fn authenticate(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let c = self.core(py)?;
        run_sync(py, async move {
            c.authenticate().await.map(|i| json!(i.token_requests))
        })
    }

    fn authenticate_async<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core(py)?;
        run_async(py, async move {
            c.authenticate().await.map(|i| json!(i.token_requests))
        })
    }

    // ---- sessions

    fn create_session(
        &self,
        py: Python<'_>,
        session: &Bound<'_, PyAny>,
        include_session: bool,
    ) -> PyResult<Py<PyAny>> {
        let (c, payload) = (self.core(py)?, to_value(py, session, "session")?);
        run_sync(py, create_session(c, payload, include_session))
    }

    fn create_session_async<'py>(
        &self,
        py: Python<'py>,
        session: &Bound<'_, PyAny>,
        include_session: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (c, payload) = (self.core(py)?, to_value(py, session, "session")?);
        run_async(py, create_session(c, payload, include_session))
    }

    fn get_session(&self, py: Python<'_>, session_id: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let session_id = text(py, session_id, "session_id")?;
        let c = self.core(py)?;
        run_sync(py, async move {
            c.sessions().get(&session_id).await.map(|s| json(&s))
        })
    }

    fn get_session_async<'py>(
        &self,
        py: Python<'py>,
        session_id: &Bound<'_, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let session_id = text(py, session_id, "session_id")?;
        let c = self.core(py)?;
        run_async(py, async move {
            c.sessions().get(&session_id).await.map(|s| json(&s))
        })
    }

    fn update_session(
        &self,
        py: Python<'_>,
        session_id: &Bound<'_, PyAny>,
        update: &Bound<'_, PyAny>,
        update_without_lock: bool,
    ) -> PyResult<Py<PyAny>> {
        let session_id = text(py, session_id, "session_id")?;
        let (c, payload) = (self.core(py)?, to_value(py, update, "update")?);
        run_sync(py, async move {
            c.sessions()
                .update_json(&session_id, payload, update_without_lock)
                .await
                .map(|s| json(&s))
        })
    }

    fn update_session_async<'py>(
        &self,
        py: Python<'py>,
        session_id: &Bound<'_, PyAny>,
        update: &Bound<'_, PyAny>,
        update_without_lock: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let session_id = text(py, session_id, "session_id")?;
        let (c, payload) = (self.core(py)?, to_value(py, update, "update")?);
        run_async(py, async move {
            c.sessions()
                .update_json(&session_id, payload, update_without_lock)
                .await
                .map(|s| json(&s))
        })
    }

    fn cancel_session(&self, py: Python<'_>, session_id: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let session_id = text(py, session_id, "session_id")?;
        let c = self.core(py)?;
        run_sync(py, async move {
            c.sessions().cancel(&session_id).await.map(|s| json(&s))
        })
    }

    fn cancel_session_async<'py>(
        &self,
        py: Python<'py>,
        session_id: &Bound<'_, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let session_id = text(py, session_id, "session_id")?;
        let c = self.core(py)?;
        run_async(py, async move {
            c.sessions().cancel(&session_id).await.map(|s| json(&s))
        })
    }

    fn wait_for_payment(
        &self,
        py: Python<'_>,
        session_id: &Bound<'_, PyAny>,
        interval: f64,
        timeout: f64,
    ) -> PyResult<Py<PyAny>> {
        let session_id = text(py, session_id, "session_id")?;
        let c = self.core(py)?;
        let (interval, timeout) = (
            seconds(py, "interval", interval)?,
            seconds(py, "timeout", timeout)?,
        );
        run_sync(py, async move {
            c.wait_for_payment(&session_id, Some(interval), Some(timeout))
                .await
                .map(|s| json(&s))
        })
    }

    fn wait_for_payment_async<'py>(
        &self,
        py: Python<'py>,
        session_id: &Bound<'_, PyAny>,
        interval: f64,
        timeout: f64,
    ) -> PyResult<Bound<'py, PyAny>> {
        let session_id = text(py, session_id, "session_id")?;
        let c = self.core(py)?;
        let (interval, timeout) = (
            seconds(py, "interval", interval)?,
            seconds(py, "timeout", timeout)?,
        );
        run_async(py, async move {
            c.wait_for_payment(&session_id, Some(interval), Some(timeout))
                .await
                .map(|s| json(&s))
        })
    }

    // ---- transactions

    fn get_transaction(
        &self,
        py: Python<'_>,
        transaction_id: &Bound<'_, PyAny>,
        includes: Vec<String>,
    ) -> PyResult<Py<PyAny>> {
        let transaction_id = text(py, transaction_id, "transaction_id")?;
        let c = self.core(py)?;
        run_sync(py, get_transaction(c, transaction_id, includes))
    }

    fn get_transaction_async<'py>(
        &self,
        py: Python<'py>,
        transaction_id: &Bound<'_, PyAny>,
        includes: Vec<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let transaction_id = text(py, transaction_id, "transaction_id")?;
        let c = self.core(py)?;
        run_async(py, get_transaction(c, transaction_id, includes))
    }

    #[pyo3(signature = (*, limit=None, starting_after=None, merchant_reference=None, session_id=Vec::new(),
        status=Vec::new(), created_at_gte=None, created_at_lte=None, extra=Vec::new()))]
    #[allow(clippy::too_many_arguments)]
    fn list_transactions(
        &self,
        py: Python<'_>,
        limit: Option<&Bound<'_, PyAny>>,
        starting_after: Option<String>,
        merchant_reference: Option<String>,
        session_id: Vec<String>,
        status: Vec<String>,
        created_at_gte: Option<String>,
        created_at_lte: Option<String>,
        extra: Vec<(String, String)>,
    ) -> PyResult<NativePager> {
        let limit = match limit {
            Some(l) => Some(whole(py, l, "limit", 1, i64::from(u32::MAX))? as u32),
            None => None,
        };
        let filter = ListTransactions {
            limit,
            starting_after,
            merchant_reference,
            session_id,
            status: status.iter().map(|s| TransactionStatus::parse(s)).collect(),
            created_at_gte,
            created_at_lte,
            extra: extra
                .into_iter()
                .map(|(k, v)| dintero_checkout::QueryParam::new(k, v))
                .collect(),
        };
        let pager = self.core(py)?.transactions().list(filter);
        Ok(NativePager {
            inner: Arc::new(tokio::sync::Mutex::new(pager)),
        })
    }

    fn capture(
        &self,
        py: Python<'_>,
        transaction_id: &Bound<'_, PyAny>,
        capture: &Bound<'_, PyAny>,
    ) -> PyResult<Py<PyAny>> {
        let transaction_id = text(py, transaction_id, "transaction_id")?;
        let (c, payload) = (self.core(py)?, to_value(py, capture, "capture")?);
        run_sync(py, async move {
            c.transactions()
                .capture_json(&transaction_id, payload)
                .await
                .map(operation)
        })
    }

    fn capture_async<'py>(
        &self,
        py: Python<'py>,
        transaction_id: &Bound<'_, PyAny>,
        capture: &Bound<'_, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let transaction_id = text(py, transaction_id, "transaction_id")?;
        let (c, payload) = (self.core(py)?, to_value(py, capture, "capture")?);
        run_async(py, async move {
            c.transactions()
                .capture_json(&transaction_id, payload)
                .await
                .map(operation)
        })
    }

    fn refund(
        &self,
        py: Python<'_>,
        transaction_id: &Bound<'_, PyAny>,
        refund: &Bound<'_, PyAny>,
    ) -> PyResult<Py<PyAny>> {
        let transaction_id = text(py, transaction_id, "transaction_id")?;
        let (c, payload) = (self.core(py)?, to_value(py, refund, "refund")?);
        run_sync(py, async move {
            c.transactions()
                .refund_json(&transaction_id, payload)
                .await
                .map(operation)
        })
    }

    fn refund_async<'py>(
        &self,
        py: Python<'py>,
        transaction_id: &Bound<'_, PyAny>,
        refund: &Bound<'_, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let transaction_id = text(py, transaction_id, "transaction_id")?;
        let (c, payload) = (self.core(py)?, to_value(py, refund, "refund")?);
        run_async(py, async move {
            c.transactions()
                .refund_json(&transaction_id, payload)
                .await
                .map(operation)
        })
    }

    fn void(&self, py: Python<'_>, transaction_id: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let transaction_id = text(py, transaction_id, "transaction_id")?;
        let c = self.core(py)?;
        run_sync(py, async move {
            c.transactions().void(&transaction_id).await.map(operation)
        })
    }

    fn void_async<'py>(
        &self,
        py: Python<'py>,
        transaction_id: &Bound<'_, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let transaction_id = text(py, transaction_id, "transaction_id")?;
        let c = self.core(py)?;
        run_async(py, async move {
            c.transactions().void(&transaction_id).await.map(operation)
        })
    }

    fn extend_authorization(
        &self,
        py: Python<'_>,
        transaction_id: &Bound<'_, PyAny>,
        request: &Bound<'_, PyAny>,
    ) -> PyResult<Py<PyAny>> {
        let transaction_id = text(py, transaction_id, "transaction_id")?;
        let (c, request) = (self.core(py)?, extend_request(py, request)?);
        run_sync(py, async move {
            c.transactions()
                .extend_authorization(&transaction_id, &request)
                .await
                .map(|t| json(&t))
        })
    }

    fn extend_authorization_async<'py>(
        &self,
        py: Python<'py>,
        transaction_id: &Bound<'_, PyAny>,
        request: &Bound<'_, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let transaction_id = text(py, transaction_id, "transaction_id")?;
        let (c, request) = (self.core(py)?, extend_request(py, request)?);
        run_async(py, async move {
            c.transactions()
                .extend_authorization(&transaction_id, &request)
                .await
                .map(|t| json(&t))
        })
    }

    fn update_transaction(
        &self,
        py: Python<'_>,
        transaction_id: &Bound<'_, PyAny>,
        merchant_reference_2: &Bound<'_, PyAny>,
    ) -> PyResult<Py<PyAny>> {
        let transaction_id = text(py, transaction_id, "transaction_id")?;
        let merchant_reference_2 = text(py, merchant_reference_2, "merchant_reference_2")?;
        let c = self.core(py)?;
        run_sync(py, async move {
            c.transactions()
                .update(&transaction_id, &merchant_reference_2)
                .await
                .map(|t| json(&t))
        })
    }

    fn update_transaction_async<'py>(
        &self,
        py: Python<'py>,
        transaction_id: &Bound<'_, PyAny>,
        merchant_reference_2: &Bound<'_, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let transaction_id = text(py, transaction_id, "transaction_id")?;
        let merchant_reference_2 = text(py, merchant_reference_2, "merchant_reference_2")?;
        let c = self.core(py)?;
        run_async(py, async move {
            c.transactions()
                .update(&transaction_id, &merchant_reference_2)
                .await
                .map(|t| json(&t))
        })
    }

    fn wait_for_event(
        &self,
        py: Python<'_>,
        transaction_id: &Bound<'_, PyAny>,
        event_request_id: &Bound<'_, PyAny>,
        timeout: f64,
    ) -> PyResult<Py<PyAny>> {
        let transaction_id = text(py, transaction_id, "transaction_id")?;
        let event_request_id = text(py, event_request_id, "event_request_id")?;
        let (c, timeout) = (self.core(py)?, seconds(py, "timeout", timeout)?);
        run_sync(py, async move {
            c.transactions()
                .wait_for_event(&transaction_id, &event_request_id, Some(timeout))
                .await
                .map(|t| json(&t))
        })
    }

    fn wait_for_event_async<'py>(
        &self,
        py: Python<'py>,
        transaction_id: &Bound<'_, PyAny>,
        event_request_id: &Bound<'_, PyAny>,
        timeout: f64,
    ) -> PyResult<Bound<'py, PyAny>> {
        let transaction_id = text(py, transaction_id, "transaction_id")?;
        let event_request_id = text(py, event_request_id, "event_request_id")?;
        let (c, timeout) = (self.core(py)?, seconds(py, "timeout", timeout)?);
        run_async(py, async move {
            c.transactions()
                .wait_for_event(&transaction_id, &event_request_id, Some(timeout))
                .await
                .map(|t| json(&t))
        })
    }

    // ---- callbacks

    fn confirm_callback(&self, py: Python<'_>, callback: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let c = self.core(py)?;
        let callback = callback_from_json(py, &to_value(py, callback, "callback")?)?;
        run_sync(py, confirm(c, callback))
    }

    fn confirm_callback_async<'py>(
        &self,
        py: Python<'py>,
        callback: &Bound<'_, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let c = self.core(py)?;
        let callback = callback_from_json(py, &to_value(py, callback, "callback")?)?;
        run_async(py, confirm(c, callback))
    }
}

async fn create_session(c: Client, payload: Value, include_session: bool) -> Outcome {
    let options = CreateSessionOptions { include_session };
    c.sessions()
        .create_json(payload, &options)
        .await
        .map(|s| json(&s))
}

async fn get_transaction(c: Client, transaction_id: String, includes: Vec<String>) -> Outcome {
    let includes: Vec<&str> = includes.iter().map(String::as_str).collect();
    c.transactions()
        .get(&transaction_id, &includes)
        .await
        .map(|t| json(&t))
}

async fn confirm(c: Client, callback: Callback) -> Outcome {
    let confirmed = c.callbacks().confirm(&callback).await?;
    Ok(json!({
        "callback": callback_json(&confirmed.callback),
        "transaction": json(&confirmed.transaction),
    }))
}

fn extend_request(
    py: Python<'_>,
    request: &Bound<'_, PyAny>,
) -> PyResult<ExtendAuthorizationRequest> {
    let value = to_value(py, request, "authorization")?;
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let at = if path.is_empty() || path == "." {
            "authorization".to_string()
        } else {
            format!("authorization.{path}")
        };
        invalid_input(py, format!("{at}: {}", e.inner()))
    })
}

/// Pages through a transaction listing. Use `client.transactions.list(...)` instead.
#[pyclass(frozen, module = "dintero_checkout._native")]
pub struct NativePager {
    inner: Arc<tokio::sync::Mutex<TransactionPager>>,
}

async fn next_page(pager: Arc<tokio::sync::Mutex<TransactionPager>>) -> Outcome {
    let mut pager = pager.lock().await;
    Ok(match pager.next_page().await? {
        Some(page) => Value::Array(page.iter().map(json).collect()),
        None => Value::Null,
    })
}

#[pymethods]
impl NativePager {
    /// The next page as a list of dicts, or `None` at the end.
    fn next_page(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        run_sync(py, next_page(self.inner.clone()))
    }

    fn next_page_async<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        run_async(py, next_page(self.inner.clone()))
    }
}
