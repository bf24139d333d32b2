//! Node bindings of the Dintero Checkout SDK (napi-rs).
//!
//! Thin by design: every export reads its arguments ([`convert::Js`]), calls the Rust core and
//! hands back the core's own types as JavaScript objects
//! ([`convert::Model`]). A failure is thrown, or rejects the promise, as an instance of the
//! package's `DinteroError` with its fields set here ([`error::Out`]). The rules (defaults,
//! validation, retries, signatures, exactly-once writes) are the core's; the package's small
//! TypeScript layer in `ts/` only gives the surface its JavaScript shape.
//!
//! No panic crosses into JavaScript: synchronous exports are `catch_unwind`, and napi settles
//! the promise of a panicking async export as rejected.

#![deny(unsafe_op_in_unsafe_fn)]

mod callbacks;
mod client;
mod convert;
mod error;
mod log;

use dintero_checkout::{Defaults, ErrorKind};
use napi::bindgen_prelude::*;
use napi_derive::napi;

pub use callbacks::NativeCallbackVerifier;
pub use client::{NativeClient, NativeTransactionPager};

use crate::convert::{Js, Model};
use crate::error::{run, Out};

/// The stable error kinds, in the core's order.
#[napi(catch_unwind, ts_return_type = "M.ErrorKind[]")]
pub fn error_kinds() -> Vec<&'static str> {
    ErrorKind::ALL.iter().map(|k| k.as_str()).collect()
}

/// Every default the core applies to a setting left out (durations in milliseconds).
#[napi(catch_unwind, ts_return_type = "M.Defaults")]
pub fn defaults() -> Model<Defaults> {
    Model(dintero_checkout::defaults())
}

/// The package version (the crate's).
#[napi(catch_unwind)]
pub fn sdk_version() -> &'static str {
    client::SDK_VERSION
}

/// The whole `Dintero-Signature` header value Dintero would send with a callback to `url`
/// (the testing module's `signCallback`).
#[napi(
    catch_unwind,
    ts_args_type = "secret: string, accountId: string, method: string, url: string, timestamp: number",
    ts_return_type = "string"
)]
pub fn signature_header(
    secret: Js,
    account_id: Js,
    method: Js,
    url: Js,
    timestamp: Js,
) -> Out<String> {
    run(|| {
        let (secret, account_id) = (secret.string("secret")?, account_id.string("account_id")?);
        let (method, url) = (method.string("method")?, url.string("url")?);
        let timestamp: i64 = timestamp.decode("timestamp")?;
        dintero_checkout::signature_header(&secret, &account_id, &method, &url, timestamp)
    })
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
