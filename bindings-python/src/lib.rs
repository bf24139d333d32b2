//! `dintero_checkout._native`: the compiled half of the Python package.
//!
//! Thin by design: every function converts its arguments, calls the Rust core
//! (`dintero_checkout`), and converts the result or the error. The pure-Python half
//! (`python/dintero_checkout/`) adds typed wrappers around the returned dicts.

#![forbid(unsafe_code)]

mod bridge;
mod callbacks;
mod client;
mod convert;
mod emulator;
mod errors;
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
    m.add_class::<emulator::NativeEmulator>()?;
    m.add_class::<bridge::Drainer>()?;
    m.add_class::<bridge::Canceller>()?;
    m.add_function(wrap_pyfunction!(errors::error_kinds, m)?)?;
    m.add_function(wrap_pyfunction!(callbacks::parse_callback, m)?)?;
    m.add_function(wrap_pyfunction!(callbacks::parse_return_url, m)?)?;
    m.add_function(wrap_pyfunction!(callbacks::compute_signature, m)?)?;
    m.add_function(wrap_pyfunction!(callbacks::verify_webhook, m)?)?;
    m.add_function(wrap_pyfunction!(runtime::runtime_generation, m)?)?;
    m.add_function(wrap_pyfunction!(emulator::signature_header, m)?)?;
    Ok(())
}
