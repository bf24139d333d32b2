//! The core's log records and request events, handed to JavaScript through threadsafe
//! functions: a request never waits for JavaScript (the calls are queued without blocking and
//! run on the JS thread), and the functions do not keep the process alive.
//!
//! The package's TypeScript layer gives each function: one that forwards a record to the
//! `logger` option (or to stderr when `DINTERO_CHECKOUT_LOG` is set), one that calls
//! `onRequest`. Both catch what the merchant's code throws.

use dintero_checkout::{LogLevel, LogRecord, LogSink, LogValue, RequestEvent};
use napi::bindgen_prelude::*;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use serde_json::{json, Map, Value};

/// A JavaScript function called with one JSON value, never blocking its caller.
pub type JsCallback = ThreadsafeFunction<Value, Unknown<'static>, Value, Status, false, true>;

/// Forwards records at or above `lowest` to a JavaScript function.
pub struct NodeLogSink {
    callback: JsCallback,
    lowest: LogLevel,
}

impl NodeLogSink {
    pub fn new(callback: JsCallback, lowest: LogLevel) -> Self {
        NodeLogSink { callback, lowest }
    }
}

/// `debug`, `info`, `warn` (what `logLevel` and `DINTERO_CHECKOUT_LOG` take).
pub fn level(name: &str) -> dintero_checkout::Result<LogLevel> {
    match name {
        "debug" => Ok(LogLevel::Debug),
        "info" => Ok(LogLevel::Info),
        "warn" => Ok(LogLevel::Warn),
        other => Err(dintero_checkout::Error::invalid_input(format!(
            "options.logLevel: must be \"debug\", \"info\" or \"warn\" (got {other:?})"
        ))),
    }
}

impl LogSink for NodeLogSink {
    fn enabled(&self, level: LogLevel) -> bool {
        level >= self.lowest
    }

    fn log(&self, record: LogRecord) {
        let fields: Map<String, Value> = record
            .fields
            .into_iter()
            .map(|f| {
                let value = match f.value {
                    LogValue::Int { value } => json!(value),
                    LogValue::Text { value } => json!(value),
                };
                (f.name, value)
            })
            .collect();
        let line = json!({
            "level": record.level.as_str(),
            "message": record.message,
            "event": record.event,
            "fields": fields,
            "target": record.target,
        });
        self.callback
            .call(line, ThreadsafeFunctionCallMode::NonBlocking);
    }
}

/// The core observer queuing each event for `callback`.
pub fn observer(callback: JsCallback) -> impl Fn(&RequestEvent) + Send + Sync + 'static {
    move |event: &RequestEvent| {
        if let Ok(value) = serde_json::to_value(event) {
            callback.call(value, ThreadsafeFunctionCallMode::NonBlocking);
        }
    }
}
