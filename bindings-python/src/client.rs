//! `NativeClient`: one entry per core operation. Each converts its arguments (serde, naming
//! the parameter on refusal) and returns a `Pending` that the blocking client waits for and
//! the asyncio client awaits. Unset options stay `None`: the core applies its defaults.

use std::future::Future;
use std::sync::{Arc, Mutex};

use dintero_checkout::{
    Callback, CaptureRequest, Client, ClientBuilder, CreateSessionOptions, Error,
    ExtendAuthorizationRequest, ListTransactions, ReceiveOptions, RefundRequest, RetryPolicy,
    SessionRequest, SessionUpdate, TransactionPager,
};
use pyo3::prelude::*;
use serde::Serialize;

use crate::bridge::Pending;
use crate::callbacks::NativeVerifier;
use crate::convert::{arg, json, opt, seconds};
use crate::errors::to_pyerr;
use crate::log::PyLogSink;

type Arg<'a, 'py> = &'a Bound<'py, PyAny>;
type OptArg<'a, 'py> = Option<&'a Bound<'py, PyAny>>;

struct Slot {
    pid: u32,
    client: Client,
}

/// The compiled client. Use `dintero_checkout.Client` / `AsyncClient` instead.
#[pyclass(frozen, module = "dintero_checkout._native")]
pub struct NativeClient {
    builder: ClientBuilder,
    log: Arc<PyLogSink>,
    slot: Mutex<Slot>,
    #[pyo3(get)]
    account_id: String,
    #[pyo3(get)]
    client_id: String,
    #[pyo3(get)]
    base_url: String,
}

impl NativeClient {
    /// The core client of this process. A forked child gets a fresh one (the parent's
    /// connection pool belongs to a runtime that does not run there).
    fn core(&self, py: Python<'_>) -> PyResult<Client> {
        let mut slot = self.slot.lock().unwrap_or_else(|p| p.into_inner());
        if slot.pid != std::process::id() {
            let fresh = self.builder.clone().build().map_err(|e| to_pyerr(py, &e))?;
            std::mem::forget(std::mem::replace(&mut slot.client, fresh));
            slot.pid = std::process::id();
        }
        Ok(slot.client.clone())
    }

    /// A pending call of `work` on this process's core client; the result is serialized (off
    /// the GIL) when it completes.
    fn run<T, F, Fut>(&self, py: Python<'_>, work: F) -> PyResult<Pending>
    where
        T: Serialize,
        F: FnOnce(Client) -> Fut,
        Fut: Future<Output = Result<T, Error>> + Send + 'static,
    {
        self.log.refresh(py);
        let work = work(self.core(py)?);
        Ok(Pending::new(async move { work.await.map(|v| json(&v)) }))
    }
}

#[pymethods]
impl NativeClient {
    #[new]
    #[pyo3(signature = (
        account_id, client_id, client_secret, *, base_url=None, timeout=None, connect_timeout=None,
        max_attempts=None, initial_backoff=None, max_backoff=None, max_retry_after=None, proxy=None,
        system_name=None, system_version=None, max_response_bytes=None, on_request=None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        account_id: String,
        client_id: String,
        client_secret: String,
        base_url: Option<String>,
        timeout: OptArg,
        connect_timeout: OptArg,
        max_attempts: OptArg,
        initial_backoff: OptArg,
        max_backoff: OptArg,
        max_retry_after: OptArg,
        proxy: Option<String>,
        system_name: Option<String>,
        system_version: Option<String>,
        max_response_bytes: OptArg,
        on_request: Option<Py<PyAny>>,
    ) -> PyResult<Self> {
        let mut retry = RetryPolicy::default();
        if let Some(n) = opt(py, max_attempts, "retry.max_attempts")? {
            retry.max_attempts = n;
        }
        for (value, name, field) in [
            (
                initial_backoff,
                "retry.initial_backoff",
                &mut retry.initial_backoff,
            ),
            (max_backoff, "retry.max_backoff", &mut retry.max_backoff),
            (
                max_retry_after,
                "retry.max_retry_after",
                &mut retry.max_retry_after,
            ),
        ] {
            if let Some(d) = seconds(py, value, name)? {
                *field = d;
            }
        }
        let mut builder = Client::builder()
            .account_id(account_id.clone())
            .client_id(client_id.clone())
            .client_secret(client_secret)
            .retry_policy(retry)
            .sdk_identity(crate::SDK_NAME, crate::VERSION);
        if let Some(d) = seconds(py, timeout, "timeout")? {
            builder = builder.timeout(d);
        }
        if let Some(d) = seconds(py, connect_timeout, "connect_timeout")? {
            builder = builder.connect_timeout(d);
        }
        if let Some(n) = opt(py, max_response_bytes, "max_response_bytes")? {
            builder = builder.max_response_bytes(n);
        }
        if let Some(v) = base_url {
            builder = builder.base_url(v);
        }
        if let Some(v) = proxy {
            builder = builder.proxy(v);
        }
        if let Some(v) = system_name {
            builder = builder.system_name(v);
        }
        if let Some(v) = system_version {
            builder = builder.system_version(v);
        }
        let log = PyLogSink::new(py)?;
        builder = builder.logger(log.clone());
        if let Some(callback) = on_request {
            builder = builder.observer(crate::log::observer(callback));
        }
        let client = builder.clone().build().map_err(|e| to_pyerr(py, &e))?;
        let base_url = client.config().checkout_base_url().to_string();
        let slot = Mutex::new(Slot {
            pid: std::process::id(),
            client,
        });
        Ok(NativeClient {
            builder,
            log,
            slot,
            account_id,
            client_id,
            base_url,
        })
    }

    fn __repr__(&self) -> String {
        format!(
            "NativeClient(account_id={:?}, client_id={:?}, base_url={:?})",
            self.account_id, self.client_id, self.base_url
        )
    }

    fn token_requests(&self, py: Python<'_>) -> PyResult<u64> {
        Ok(self.core(py)?.token_requests())
    }

    fn authenticate(&self, py: Python<'_>) -> PyResult<Pending> {
        self.run(py, |c| async move { c.authenticate().await })
    }

    #[pyo3(signature = (session_id, interval=None, timeout=None))]
    fn wait_for_payment(
        &self,
        py: Python<'_>,
        session_id: Arg,
        interval: OptArg,
        timeout: OptArg,
    ) -> PyResult<Pending> {
        let id: String = arg(py, session_id, "session_id")?;
        let (interval, timeout) = (
            seconds(py, interval, "interval")?,
            seconds(py, timeout, "timeout")?,
        );
        self.run(py, |c| async move {
            c.wait_for_payment(&id, interval, timeout).await
        })
    }

    #[pyo3(signature = (request, include_session=None))]
    fn create_session(
        &self,
        py: Python<'_>,
        request: Arg,
        include_session: OptArg,
    ) -> PyResult<Pending> {
        let request: SessionRequest = arg(py, request, "request")?;
        let include_session = opt(py, include_session, "include_session")?.unwrap_or_default();
        let options = CreateSessionOptions { include_session };
        self.run(py, |c| async move {
            c.sessions().create(&request, &options).await
        })
    }

    fn get_session(&self, py: Python<'_>, session_id: Arg) -> PyResult<Pending> {
        let id: String = arg(py, session_id, "session_id")?;
        self.run(py, |c| async move { c.sessions().get(&id).await })
    }

    #[pyo3(signature = (session_id, update, update_without_lock=None))]
    fn update_session(
        &self,
        py: Python<'_>,
        session_id: Arg,
        update: Arg,
        update_without_lock: OptArg,
    ) -> PyResult<Pending> {
        let (id, update): (String, SessionUpdate) = (
            arg(py, session_id, "session_id")?,
            arg(py, update, "update")?,
        );
        let unlocked = opt(py, update_without_lock, "update_without_lock")?.unwrap_or_default();
        self.run(py, |c| async move {
            c.sessions().update(&id, &update, unlocked).await
        })
    }

    fn cancel_session(&self, py: Python<'_>, session_id: Arg) -> PyResult<Pending> {
        let id: String = arg(py, session_id, "session_id")?;
        self.run(py, |c| async move { c.sessions().cancel(&id).await })
    }

    #[pyo3(signature = (transaction_id, includes=None))]
    fn get_transaction(
        &self,
        py: Python<'_>,
        transaction_id: Arg,
        includes: OptArg,
    ) -> PyResult<Pending> {
        let id: String = arg(py, transaction_id, "transaction_id")?;
        let includes: Vec<String> = opt(py, includes, "includes")?.unwrap_or_default();
        self.run(py, |c| async move {
            let includes: Vec<&str> = includes.iter().map(String::as_str).collect();
            c.transactions().get(&id, &includes).await
        })
    }

    #[pyo3(signature = (filter=None))]
    fn list_transactions(&self, py: Python<'_>, filter: OptArg) -> PyResult<NativePager> {
        let filter: ListTransactions = opt(py, filter, "filter")?.unwrap_or_default();
        let pager = self.core(py)?.transactions().list(filter);
        Ok(NativePager {
            inner: Arc::new(tokio::sync::Mutex::new(pager)),
            log: self.log.clone(),
        })
    }

    fn capture(&self, py: Python<'_>, transaction_id: Arg, request: Arg) -> PyResult<Pending> {
        let (id, request): (String, CaptureRequest) = (
            arg(py, transaction_id, "transaction_id")?,
            arg(py, request, "request")?,
        );
        self.run(py, |c| async move {
            c.transactions().capture(&id, &request).await
        })
    }

    fn refund(&self, py: Python<'_>, transaction_id: Arg, request: Arg) -> PyResult<Pending> {
        let (id, request): (String, RefundRequest) = (
            arg(py, transaction_id, "transaction_id")?,
            arg(py, request, "request")?,
        );
        self.run(py, |c| async move {
            c.transactions().refund(&id, &request).await
        })
    }

    fn void(&self, py: Python<'_>, transaction_id: Arg) -> PyResult<Pending> {
        let id: String = arg(py, transaction_id, "transaction_id")?;
        self.run(py, |c| async move { c.transactions().void(&id).await })
    }

    #[pyo3(signature = (transaction_id, request=None))]
    fn extend_authorization(
        &self,
        py: Python<'_>,
        transaction_id: Arg,
        request: OptArg,
    ) -> PyResult<Pending> {
        let id: String = arg(py, transaction_id, "transaction_id")?;
        let request: ExtendAuthorizationRequest = opt(py, request, "request")?.unwrap_or_default();
        self.run(py, |c| async move {
            c.transactions().extend_authorization(&id, &request).await
        })
    }

    fn update_transaction(
        &self,
        py: Python<'_>,
        transaction_id: Arg,
        merchant_reference_2: Arg,
    ) -> PyResult<Pending> {
        let id: String = arg(py, transaction_id, "transaction_id")?;
        let reference: String = arg(py, merchant_reference_2, "merchant_reference_2")?;
        self.run(py, |c| async move {
            c.transactions().update(&id, &reference).await
        })
    }

    #[pyo3(signature = (transaction_id, event_request_id, timeout=None))]
    fn wait_for_event(
        &self,
        py: Python<'_>,
        transaction_id: Arg,
        event_request_id: Arg,
        timeout: OptArg,
    ) -> PyResult<Pending> {
        let (id, event): (String, String) = (
            arg(py, transaction_id, "transaction_id")?,
            arg(py, event_request_id, "event_request_id")?,
        );
        let timeout = seconds(py, timeout, "timeout")?;
        self.run(py, |c| async move {
            c.transactions().wait_for_event(&id, &event, timeout).await
        })
    }

    fn confirm_callback(&self, py: Python<'_>, callback: Arg) -> PyResult<Pending> {
        let callback: Callback = arg(py, callback, "callback")?;
        self.run(
            py,
            |c| async move { c.callbacks().confirm(&callback).await },
        )
    }

    /// The core's `Callbacks::receive`: never fails once the arguments are converted.
    #[pyo3(signature = (verifier, method, path_and_query, headers, public_url=None, trust_proxy=false, now=None))]
    #[allow(clippy::too_many_arguments)]
    fn receive_callback(
        &self,
        py: Python<'_>,
        verifier: &NativeVerifier,
        method: Arg,
        path_and_query: Arg,
        headers: Arg,
        public_url: Option<String>,
        trust_proxy: bool,
        now: Option<i64>,
    ) -> PyResult<Pending> {
        let (method, path): (String, String) = (
            arg(py, method, "method")?,
            arg(py, path_and_query, "path_and_query")?,
        );
        let headers: Vec<(String, String)> = arg(py, headers, "headers")?;
        let verifier = verifier.inner.clone();
        let options = ReceiveOptions {
            public_url,
            trust_proxy,
            now,
        };
        self.run(py, |c| async move {
            let receipt = c
                .callbacks()
                .receive(&verifier, &method, &path, &headers, &options)
                .await;
            Ok::<_, Error>(receipt)
        })
    }
}

/// Pages through a transaction listing. Use `client.transactions.list(...)` instead.
#[pyclass(frozen, module = "dintero_checkout._native")]
pub struct NativePager {
    inner: Arc<tokio::sync::Mutex<TransactionPager>>,
    log: Arc<PyLogSink>,
}

#[pymethods]
impl NativePager {
    /// The next page (a list of transactions), or `None` at the end.
    fn next_page(&self, py: Python<'_>) -> Pending {
        self.log.refresh(py);
        let pager = self.inner.clone();
        Pending::new(async move { pager.lock().await.next_page().await.map(|page| json(&page)) })
    }
}
