//! Failures crossing into JavaScript.
//!
//! Every fallible export returns [`Out`]. On failure, its conversion builds an instance of the
//! package's `DinteroError`, sets the fields natively (`kind`, `status`, `code`, `requestId`,
//! `reference`, `outcomeUnknown`, and the core's `isTransient` / `isAuthenticButLate`), and
//! napi throws that very object, or rejects the promise with it. Nothing is encoded in the
//! message. Messages come from the core, which keeps secrets out of them; this crate never
//! echoes an option.

use std::cell::RefCell;
use std::future::Future;
use std::mem::ManuallyDrop;

use dintero_checkout::{callbacks::is_authentic_but_late, Error as CoreError};
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::convert::Model;

/// What an export returns: the value, or a failure thrown (or rejected) as an error object.
pub struct Out<T>(std::result::Result<T, CoreError>);

impl<T, E: Into<CoreError>> From<std::result::Result<T, E>> for Out<T> {
    fn from(r: std::result::Result<T, E>) -> Self {
        Out(r.map_err(Into::into))
    }
}

impl<T: ToNapiValue> ToNapiValue for Out<T> {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> Result<sys::napi_value> {
        match val.0 {
            // SAFETY: called by napi on the JS thread with its live env, as T expects.
            Ok(v) => unsafe { T::to_napi_value(env, v) },
            Err(e) => Err(js_error(&Env::from_raw(env), e)),
        }
    }
}

/// A body using `?` on core errors, as an export's result.
pub(crate) fn run<T>(body: impl FnOnce() -> dintero_checkout::Result<T>) -> Out<T> {
    Out::from(body())
}

/// An async body using `?` on core errors, its value as a plain object.
pub(crate) async fn model<T>(
    body: impl Future<Output = dintero_checkout::Result<T>>,
) -> Out<Model<T>> {
    Out::from(body.await.map(Model))
}

type ErrorClass = FunctionRef<String, ()>;

thread_local! {
    // The constructor the package registered at load, per JS thread (a worker loads its own);
    // never dropped, as a reference must not outlive its env (a thread's exit).
    static CLASS: RefCell<Option<ManuallyDrop<ErrorClass>>> = const { RefCell::new(None) };
}

/// Called once by the package at load: the class failures are made of.
#[napi(
    catch_unwind,
    ts_args_type = "dinteroError: new (message: string) => Error"
)]
pub fn register_error_class(dintero: Function<String, ()>) -> Result<()> {
    let class = dintero.create_ref()?;
    CLASS.with(|c| *c.borrow_mut() = Some(ManuallyDrop::new(class)));
    Ok(())
}

/// The error object for `e`, or napi's own error if it cannot be built.
fn js_error(env: &Env, e: CoreError) -> Error {
    build(env, &e)
        // SAFETY: `raw` is a live value of this env, just created.
        .and_then(|raw| unsafe { Unknown::from_napi_value(env.raw(), raw) })
        .map_or_else(|e| e, Error::from)
}

fn build(env: &Env, e: &CoreError) -> Result<sys::napi_value> {
    let message = e.message();
    let registered = CLASS.with(|c| -> Result<Option<sys::napi_value>> {
        match &*c.borrow() {
            Some(class) => Ok(Some(
                class
                    .borrow_back(env)?
                    .new_instance(message.to_string())?
                    .raw(),
            )),
            None => Ok(None),
        }
    })?;
    let raw = match registered {
        Some(raw) => raw,
        None => env.create_error(Error::from_reason(message))?.raw(),
    };
    let mut obj = Object::from_raw(env.raw(), raw);
    obj.set("kind", e.kind().as_str())?;
    if let Some(status) = e.status() {
        obj.set("status", u32::from(status))?;
    }
    for (key, value) in [
        ("code", e.code()),
        ("requestId", e.request_id()),
        ("reference", e.reference()),
    ] {
        if let Some(v) = value {
            obj.set(key, v)?;
        }
    }
    obj.set("outcomeUnknown", e.outcome_unknown())?;
    obj.set("isTransient", e.is_transient())?;
    obj.set("isAuthenticButLate", is_authentic_but_late(e))?;
    Ok(raw)
}
