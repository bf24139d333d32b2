//! The core's pure functions: callback signatures and URLs, return URLs, webhooks, order
//! validation, defaults and the transaction rules. No I/O.

use dintero_checkout::callbacks::DEFAULT_TOLERANCE;
use dintero_checkout::{CallbackVerifier, Error, Order, SessionRequest, Transaction};
use pyo3::prelude::*;
use serde::Serialize;

use crate::convert::{arg, json, seconds, to_py};
use crate::errors::to_pyerr;

type Arg<'a, 'py> = &'a Bound<'py, PyAny>;
type Headers = Vec<(String, String)>;

fn done<'py, T: Serialize>(
    py: Python<'py>,
    result: Result<T, Error>,
) -> PyResult<Bound<'py, PyAny>> {
    match result {
        Ok(v) => to_py(py, &json(&v)),
        Err(e) => Err(to_pyerr(py, &e)),
    }
}

/// Checks `Dintero-Signature` with a signature secret. Use `dintero_checkout.CallbackVerifier`.
#[pyclass(frozen, name = "CallbackVerifier", module = "dintero_checkout._native")]
pub struct NativeVerifier {
    pub(crate) inner: CallbackVerifier,
    #[pyo3(get)]
    account_id: String,
    #[pyo3(get)]
    tolerance: f64,
}

#[pymethods]
impl NativeVerifier {
    #[new]
    #[pyo3(signature = (secret, account_id, tolerance=None))]
    fn new(
        py: Python<'_>,
        secret: String,
        account_id: String,
        tolerance: Option<Arg>,
    ) -> PyResult<Self> {
        let mut inner =
            CallbackVerifier::new(secret, account_id.clone()).map_err(|e| to_pyerr(py, &e))?;
        let tolerance = seconds(py, tolerance, "tolerance")?.unwrap_or(DEFAULT_TOLERANCE);
        inner = inner.with_tolerance(tolerance);
        Ok(NativeVerifier {
            inner,
            account_id,
            tolerance: tolerance.as_secs_f64(),
        })
    }

    fn __repr__(&self) -> String {
        format!(
            "CallbackVerifier(account_id={:?}, secret=***, tolerance={})",
            self.account_id, self.tolerance
        )
    }

    /// Checks one signature header value for `method` + `url` at `now` (unix s, None = clock).
    #[pyo3(signature = (method, url, header, now=None))]
    fn verify_signature(
        &self,
        py: Python<'_>,
        method: &str,
        url: &str,
        header: &str,
        now: Option<i64>,
    ) -> PyResult<()> {
        let now = now.unwrap_or_else(unix_now);
        self.inner
            .verify_header_at(method, url, header, now)
            .map_err(|e| to_pyerr(py, &e))
    }

    /// Verifies a request (method, full URL, header pairs) and returns the callback.
    #[pyo3(signature = (method, url, headers, now=None))]
    fn verify<'py>(
        &self,
        py: Python<'py>,
        method: &str,
        url: &str,
        headers: Arg,
        now: Option<i64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let headers: Headers = arg(py, headers, "headers")?;
        done(
            py,
            self.inner
                .verify_at(method, url, headers, now.unwrap_or_else(unix_now)),
        )
    }

    /// Verifies a request from its path and query; the URL is rebuilt by the core.
    #[pyo3(signature = (method, path_and_query, headers, public_url=None, trust_proxy=false, now=None))]
    #[allow(clippy::too_many_arguments)]
    fn verify_request<'py>(
        &self,
        py: Python<'py>,
        method: &str,
        path_and_query: &str,
        headers: Arg,
        public_url: Option<&str>,
        trust_proxy: bool,
        now: Option<i64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let headers: Headers = arg(py, headers, "headers")?;
        done(
            py,
            self.inner.verify_request(
                method,
                path_and_query,
                &headers,
                public_url,
                trust_proxy,
                now,
            ),
        )
    }
}

fn unix_now() -> i64 {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    since.map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// The URL a callback was sent to, rebuilt from the path and query and the headers.
#[pyfunction]
#[pyo3(signature = (path_and_query, headers, public_url=None, trust_proxy=false))]
pub fn request_url(
    py: Python<'_>,
    path_and_query: &str,
    headers: Arg,
    public_url: Option<&str>,
    trust_proxy: bool,
) -> PyResult<String> {
    let headers: Headers = arg(py, headers, "headers")?;
    dintero_checkout::request_url(path_and_query, headers, public_url, trust_proxy)
        .map_err(|e| to_pyerr(py, &e))
}

/// Parses a callback URL without checking its signature.
#[pyfunction]
pub fn parse_callback<'py>(py: Python<'py>, url: &str) -> PyResult<Bound<'py, PyAny>> {
    done(py, dintero_checkout::parse_callback(url))
}

/// Parses the URL a customer's browser came back on.
#[pyfunction]
pub fn parse_return_url<'py>(py: Python<'py>, url: &str) -> PyResult<Bound<'py, PyAny>> {
    done(py, dintero_checkout::parse_return_url(url))
}

/// The hex `v0-hmac-sha256` signature Dintero sends for `method` + `url` at `timestamp`.
#[pyfunction]
pub fn compute_signature(
    py: Python<'_>,
    secret: &str,
    account_id: &str,
    method: &str,
    url: &str,
    timestamp: i64,
) -> PyResult<String> {
    dintero_checkout::compute_signature(secret, account_id, method, url, timestamp)
        .map_err(|e| to_pyerr(py, &e))
}

/// Verifies a webhook's `event-signature` over the raw body and returns the event.
#[pyfunction]
pub fn verify_webhook<'py>(
    py: Python<'py>,
    secret: &str,
    body: &[u8],
    signature: Option<&str>,
) -> PyResult<Bound<'py, PyAny>> {
    done(
        py,
        dintero_checkout::verify_webhook(secret, body, signature),
    )
}

/// Checks an order's sums, line ids and VAT (`strict`: doubts are errors too).
#[pyfunction]
#[pyo3(signature = (order, strict=false))]
pub fn validate_order(py: Python<'_>, order: Arg, strict: bool) -> PyResult<()> {
    let order: Order = arg(py, order, "order")?;
    let checked = if strict {
        dintero_checkout::validate_order_strict(&order)
    } else {
        dintero_checkout::validate_order(&order)
    };
    checked.map_err(|e| to_pyerr(py, &e))
}

/// Checks a session request as `sessions.create` does before sending it.
#[pyfunction]
pub fn validate_session_request(py: Python<'_>, request: Arg) -> PyResult<()> {
    let request: SessionRequest = arg(py, request, "request")?;
    dintero_checkout::validate_session_request(&request).map_err(|e| to_pyerr(py, &e))
}

/// The core's defaults for everything a caller may leave unset.
#[pyfunction]
pub fn defaults(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    to_py(py, &json(&dintero_checkout::defaults()))
}

/// A rule of the core about a transaction: `is_paid`, `captured_amount`, `refunded_amount`.
#[pyfunction]
pub fn transaction_rule<'py>(
    py: Python<'py>,
    rule: &str,
    transaction: Arg,
) -> PyResult<Bound<'py, PyAny>> {
    let tx: Transaction = arg(py, transaction, "transaction")?;
    match rule {
        "is_paid" => Ok(pyo3::types::PyBool::new(py, tx.is_paid())
            .to_owned()
            .into_any()),
        "captured_amount" => Ok(tx.captured_amount().into_pyobject(py)?.into_any()),
        "refunded_amount" => Ok(tx.refunded_amount().into_pyobject(py)?.into_any()),
        other => Err(crate::errors::invalid_input(
            py,
            format!("rule: unknown transaction rule {other:?}"),
        )),
    }
}
