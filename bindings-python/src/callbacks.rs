//! Callback signatures, return URLs and webhooks: pure functions of the core, no I/O.

use std::time::Duration;

use dintero_checkout::{CallbackVerifier, Error};
use pyo3::prelude::*;
use serde_json::json;

use crate::client::callback_json;
use crate::convert::{json, to_py};
use crate::errors::{invalid_input, to_pyerr};

fn done<'py>(
    py: Python<'py>,
    result: Result<serde_json::Value, Error>,
) -> PyResult<Bound<'py, PyAny>> {
    match result {
        Ok(v) => to_py(py, &v),
        Err(e) => Err(to_pyerr(py, &e)),
    }
}

/// Checks `Dintero-Signature` with a signature secret. Use `dintero_checkout.CallbackVerifier`.
#[pyclass(frozen, name = "CallbackVerifier", module = "dintero_checkout._native")]
pub struct NativeVerifier {
    inner: CallbackVerifier,
    account_id: String,
    tolerance: f64,
}

#[pymethods]
impl NativeVerifier {
    #[new]
    #[pyo3(signature = (secret, account_id, tolerance=300.0))]
    fn new(py: Python<'_>, secret: String, account_id: String, tolerance: f64) -> PyResult<Self> {
        if !tolerance.is_finite() || tolerance < 0.0 {
            return Err(invalid_input(
                py,
                format!("tolerance: must be zero or more seconds (got {tolerance})"),
            ));
        }
        let inner = CallbackVerifier::new(secret, account_id.clone())
            .map_err(|e| to_pyerr(py, &e))?
            .with_tolerance(Duration::from_secs_f64(tolerance.min(1e12)));
        Ok(NativeVerifier {
            inner,
            account_id,
            tolerance,
        })
    }

    #[getter]
    fn account_id(&self) -> &str {
        &self.account_id
    }

    #[getter]
    fn tolerance(&self) -> f64 {
        self.tolerance
    }

    fn __repr__(&self) -> String {
        format!(
            "CallbackVerifier(account_id={:?}, secret=***, tolerance={})",
            self.account_id, self.tolerance
        )
    }

    /// Checks only the signature header value (no parsing of the query); `now` as in `verify`.
    #[pyo3(signature = (method, url, header, now=None))]
    fn verify_signature(
        &self,
        py: Python<'_>,
        method: &str,
        url: &str,
        header: &str,
        now: Option<i64>,
    ) -> PyResult<()> {
        let now = now.unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0)
        });
        self.inner
            .verify_header_at(method, url, header, now)
            .map_err(|e| to_pyerr(py, &e))
    }

    /// Verifies a request (method, full URL, header pairs) and returns the callback as a dict.
    /// `now` (unix seconds) replaces the clock; meant for tests with fixed vectors.
    #[pyo3(signature = (method, url, headers, now=None))]
    fn verify<'py>(
        &self,
        py: Python<'py>,
        method: &str,
        url: &str,
        headers: Vec<(String, String)>,
        now: Option<i64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let result = match now {
            None => self.inner.verify(method, url, headers),
            Some(now) => self.inner.verify_at(method, url, headers, now),
        };
        done(py, result.map(|cb| callback_json(&cb)))
    }
}

/// Parses a callback URL without checking its signature.
#[pyfunction]
pub fn parse_callback<'py>(py: Python<'py>, url: &str) -> PyResult<Bound<'py, PyAny>> {
    done(
        py,
        dintero_checkout::parse_callback(url).map(|cb| callback_json(&cb)),
    )
}

/// Parses the URL a customer's browser came back on.
#[pyfunction]
pub fn parse_return_url<'py>(py: Python<'py>, url: &str) -> PyResult<Bound<'py, PyAny>> {
    let result = dintero_checkout::parse_return_url(url).map(|r| {
        json!({
            "outcome": r.outcome.as_str(),
            "transaction_id": r.transaction_id,
            "merchant_reference": r.merchant_reference,
            "session_id": r.session_id,
            "error": r.error.as_ref().map(|e| e.as_str().to_string()),
        })
    });
    done(py, result)
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

/// Verifies a webhook's `event-signature` over the raw body and returns the event as a dict.
#[pyfunction]
#[pyo3(signature = (secret, body, signature=None))]
pub fn verify_webhook<'py>(
    py: Python<'py>,
    secret: &str,
    body: &[u8],
    signature: Option<&str>,
) -> PyResult<Bound<'py, PyAny>> {
    done(
        py,
        dintero_checkout::verify_webhook(secret, body, signature).map(|e| json(&e)),
    )
}
