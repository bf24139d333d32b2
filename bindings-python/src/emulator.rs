//! The emulator, embedded: `dintero_checkout.testing.Emulator` runs a local Dintero on the
//! package's runtime, on a free loopback port.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use dintero_checkout::{Error, ErrorKind};
use dintero_emulator::{ControlError, Emulator, EmulatorConfig, FaultSpec, PayOutcome};
use pyo3::prelude::*;
use serde_json::{json, Value};

use crate::bridge::Pending;
use crate::convert::{json, to_py};
use crate::errors::{invalid_input, to_pyerr};
use crate::runtime::block_on;

fn control_error(e: ControlError) -> Error {
    match e {
        ControlError::NotFound(m) => Error::new(ErrorKind::NotFound, format!("emulator: {m}")),
        ControlError::Rejected(m) => Error::new(ErrorKind::Conflict, format!("emulator: {m}")),
        ControlError::InvalidFault(m) => Error::invalid_input(format!("emulator fault: {m}")),
    }
}

fn outcome(result: Result<PayOutcome, ControlError>) -> Result<Value, Error> {
    result.map(|o| json(&o)).map_err(control_error)
}

/// A running in-process emulator. Use `dintero_checkout.testing.Emulator`.
#[pyclass(frozen, module = "dintero_checkout._native")]
pub struct NativeEmulator {
    inner: Mutex<Option<Arc<Emulator>>>,
    base_url: String,
    config: EmulatorConfig,
}

impl NativeEmulator {
    fn emu(&self, py: Python<'_>) -> PyResult<Arc<Emulator>> {
        self.inner
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .ok_or_else(|| invalid_input(py, "emulator: it has been closed"))
    }
}

#[pymethods]
impl NativeEmulator {
    #[new]
    #[pyo3(signature = (*, account_id=None, client_id=None, client_secret=None, signature_secret=Some("emulator-signature-secret".to_string()),
        token_ttl=None, fast=true, port=0))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        account_id: Option<String>,
        client_id: Option<String>,
        client_secret: Option<String>,
        signature_secret: Option<String>,
        token_ttl: Option<f64>,
        fast: bool,
        port: u16,
    ) -> PyResult<Self> {
        let mut config = if fast {
            EmulatorConfig::for_tests()
        } else {
            EmulatorConfig::default()
        };
        config.listen = std::net::SocketAddr::from(([127, 0, 0, 1], port));
        if let Some(v) = account_id {
            dintero_checkout::config::validate_account_id(&v).map_err(|e| to_pyerr(py, &e))?;
            config.account_id = v;
        }
        if let Some(v) = client_id {
            config.client_id = v;
        }
        if let Some(v) = client_secret {
            config.client_secret = v;
        }
        config.signature_secret = signature_secret.filter(|s| !s.is_empty());
        if let Some(ttl) = token_ttl {
            config.token_ttl = std::time::Duration::try_from_secs_f64(ttl).map_err(|_| {
                invalid_input(py, format!("token_ttl: {ttl} is not a number of seconds"))
            })?;
        }
        let started = block_on(py, Emulator::start(config.clone()))?;
        let emu = started.map_err(|e| {
            to_pyerr(
                py,
                &Error::new(ErrorKind::Network, format!("emulator: cannot listen: {e}")),
            )
        })?;
        Ok(NativeEmulator {
            base_url: emu.base_url(),
            inner: Mutex::new(Some(Arc::new(emu))),
            config,
        })
    }

    #[getter]
    fn base_url(&self) -> &str {
        &self.base_url
    }

    #[getter]
    fn account_id(&self) -> &str {
        &self.config.account_id
    }

    #[getter]
    fn client_id(&self) -> &str {
        &self.config.client_id
    }

    #[getter]
    fn client_secret(&self) -> &str {
        &self.config.client_secret
    }

    #[getter]
    fn signature_secret(&self) -> Option<&str> {
        self.config.signature_secret.as_deref()
    }

    #[getter]
    fn closed(&self) -> bool {
        self.inner
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_none()
    }

    fn __repr__(&self) -> String {
        format!(
            "Emulator(base_url={:?}, account_id={:?}, client_id={:?}, client_secret=***, signature_secret=***)",
            self.base_url, self.config.account_id, self.config.client_id
        )
    }

    fn pay(&self, py: Python<'_>, session_id: String, card_number: String) -> PyResult<Pending> {
        let emu = self.emu(py)?;
        Ok(Pending::new(async move {
            outcome(emu.pay(&session_id, &card_number).await)
        }))
    }

    fn cancel_payment(&self, py: Python<'_>, session_id: String) -> PyResult<Pending> {
        let emu = self.emu(py)?;
        Ok(Pending::new(async move {
            outcome(emu.cancel_payment(&session_id).await)
        }))
    }

    /// Every callback delivery so far, oldest first, as dicts.
    fn callbacks(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let deliveries = self.emu(py)?.callbacks();
        Ok(to_py(py, &json(&deliveries))?.unbind())
    }

    #[pyo3(signature = (route, fault, *, times=1, retry_after=None, ms=None))]
    fn inject_fault(
        &self,
        py: Python<'_>,
        route: String,
        fault: String,
        times: u32,
        retry_after: Option<u64>,
        ms: Option<u64>,
    ) -> PyResult<()> {
        let spec = json!({"route": route, "fault": fault, "times": times, "retry_after": retry_after, "ms": ms});
        let spec: FaultSpec = serde_json::from_value(spec)
            .map_err(|e| invalid_input(py, format!("emulator fault: {e}")))?;
        self.emu(py)?
            .inject_fault(spec)
            .map_err(|e| to_pyerr(py, &control_error(e)))
    }

    fn request_count(&self, py: Python<'_>, route: &str) -> PyResult<u64> {
        Ok(self.emu(py)?.request_count(route))
    }

    fn advance_clock(&self, py: Python<'_>, seconds: i64) -> PyResult<()> {
        self.emu(py)?.advance_clock(seconds);
        Ok(())
    }

    fn reset(&self, py: Python<'_>) -> PyResult<()> {
        self.emu(py)?.reset();
        Ok(())
    }

    /// Stops the server (idempotent).
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        let taken = self.inner.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(arc) = taken {
            match Arc::try_unwrap(arc) {
                Ok(emu) => {
                    let shutdown = async move {
                        let _ = tokio::time::timeout(Duration::from_secs(5), emu.shutdown()).await;
                    };
                    block_on(py, shutdown)?;
                }
                Err(shared) => drop(shared), // a call is still running; it stops when that ends
            }
        }
        Ok(())
    }
}

/// The emulator's catalog: its test cards, fault kinds and fault routes.
#[pyfunction]
pub fn emulator_catalog(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    to_py(py, &dintero_emulator::catalog())
}

/// The `Dintero-Signature` header value the emulator (and Dintero) sends for a callback.
#[pyfunction]
pub fn signature_header(
    py: Python<'_>,
    secret: &str,
    account_id: &str,
    method: &str,
    url: &str,
    timestamp: i64,
) -> PyResult<String> {
    dintero_emulator::signature_header(secret, account_id, method, url, timestamp)
        .map_err(|e| invalid_input(py, format!("signature_header: {e}")))
}
