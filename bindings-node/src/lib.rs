//! Node bindings of the Dintero Checkout SDK (napi-rs).
//!
//! Thin by design: every function converts its arguments, calls the Rust core (or the
//! emulator), and converts the result or the error. Payloads and results cross as JSON text,
//! which keeps every field the API sends and is quick on both sides. The idiomatic surface
//! (`client.sessions.create(...)`, `DinteroError`, async iteration) is the package's small JS
//! layer in `ts/`; the rules (validation, retries, signatures, exactly-once capture) are the
//! core's.
//!
//! No panic crosses into JavaScript: synchronous exports are `catch_unwind`, and napi settles
//! the promise of a panicking async export as rejected.

#![deny(unsafe_op_in_unsafe_fn)]

mod callbacks;
mod client;
mod convert;
mod emulator;
mod error;

use napi::bindgen_prelude::*;
use napi_derive::napi;

pub use callbacks::NativeCallbackVerifier;
pub use client::{NativeClient, NativeTransactionPager};
pub use emulator::NativeEmulator;

/// The stable error kinds, in the core's order.
#[napi(catch_unwind)]
pub fn error_kinds() -> Vec<String> {
    dintero_checkout::ErrorKind::ALL
        .iter()
        .map(|k| k.as_str().to_string())
        .collect()
}

/// The package version (the crate's).
#[napi(catch_unwind)]
pub fn sdk_version() -> String {
    client::SDK_VERSION.to_string()
}

/// The message prefix of errors carrying a core error (`DinteroError:{json}`).
#[napi(catch_unwind)]
pub fn error_marker() -> String {
    error::DINTERO_MARKER.to_string()
}

/// For the package's own tests: panics in a synchronous export, to show it becomes a JS error.
#[napi(js_name = "__panicForTestsSync", catch_unwind)]
pub fn panic_for_tests_sync() -> Result<()> {
    panic!("deliberate panic (sync) from the test hook")
}

/// For the package's own tests: panics in an async export, to show the promise rejects.
#[napi(js_name = "__panicForTestsAsync")]
pub async fn panic_for_tests_async() -> Result<()> {
    tokio::task::yield_now().await;
    panic!("deliberate panic (async) from the test hook")
}
