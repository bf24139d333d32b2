//! `dintero_checkout._native`: the compiled half of the Python package.
//!
//! Thin by design: every entry converts its arguments (generically, through serde), calls the
//! Rust core (`dintero_checkout`) and converts the result or the error. I/O operations return
//! a `Pending` that the blocking client waits for and the asyncio client awaits. The
//! pure-Python half (`python/dintero_checkout/`) wraps the returned dicts in the classes
//! generated from the core's JSON Schema.

#![forbid(unsafe_code)]

mod bridge;
mod callbacks;
mod client;
mod convert;
mod errors;
mod log;
mod runtime;

use pyo3::prelude::*;

/// The package version, sent to Dintero as `Dintero-System-Plugin-Version`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// The package name, sent to Dintero as `Dintero-System-Plugin-Name`.
pub const SDK_NAME: &str = "dintero-checkout-python";

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", VERSION)?;
    m.add("SDK_NAME", SDK_NAME)?;
    m.add_class::<client::NativeClient>()?;
    m.add_class::<client::NativePager>()?;
    m.add_class::<callbacks::NativeVerifier>()?;
    m.add_class::<bridge::Pending>()?;
    m.add_class::<bridge::Drainer>()?;
    m.add_class::<bridge::Canceller>()?;
    m.add_function(wrap_pyfunction!(bridge::_panicking_call, m)?)?;
    m.add_function(wrap_pyfunction!(errors::error_kinds, m)?)?;
    m.add_function(wrap_pyfunction!(callbacks::parse_callback, m)?)?;
    m.add_function(wrap_pyfunction!(callbacks::parse_return_url, m)?)?;
    m.add_function(wrap_pyfunction!(callbacks::compute_signature, m)?)?;
    m.add_function(wrap_pyfunction!(callbacks::verify_webhook, m)?)?;
    m.add_function(wrap_pyfunction!(callbacks::request_url, m)?)?;
    m.add_function(wrap_pyfunction!(callbacks::validate_order, m)?)?;
    m.add_function(wrap_pyfunction!(callbacks::validate_session_request, m)?)?;
    m.add_function(wrap_pyfunction!(callbacks::defaults, m)?)?;
    m.add_function(wrap_pyfunction!(callbacks::transaction_rule, m)?)?;
    m.add_function(wrap_pyfunction!(runtime::runtime_generation, m)?)?;
    m.add_function(wrap_pyfunction!(callbacks::signature_header, m)?)?;
    Ok(())
}
