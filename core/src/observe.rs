//! Request observers: a function the client calls before and after every request attempt,
//! for metrics and tracing. What it is given carries no header, body, query or token.

use std::fmt::{self, Write as _};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::error::ErrorKind;

/// Before or after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum RequestPhase {
    /// About to send.
    Start,
    /// Answered, failed or cut.
    End,
}

/// One request attempt, as an observer sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RequestEvent {
    /// Before or after the attempt.
    pub phase: RequestPhase,
    /// What the SDK was doing, e.g. `capture`, `get transaction`.
    pub operation: String,
    /// `GET`, `POST`, ...
    pub method: String,
    /// The URL's path, without query.
    pub path: String,
    /// 1 for the first attempt, 2 for the first retry, ...
    pub attempt: u32,
    /// The HTTP status, when an answer came (`End` only).
    pub status: Option<u16>,
    /// How long the attempt took (`End` only).
    pub duration_ms: Option<u64>,
    /// Dintero's request id, when the answer had one (`End` only).
    pub request_id: Option<String>,
    /// The kind of failure, when the attempt failed (`End` only).
    pub error_kind: Option<ErrorKind>,
}

/// A request observer: called on the task making the request, so it must be quick; a panic
/// inside it is caught and logged, never passed to the request.
pub type RequestObserver = Arc<dyn Fn(&RequestEvent) + Send + Sync>;

/// Calls `observer` with `event`, keeping a panic inside it away from the request.
pub(crate) fn notify(observer: &RequestObserver, event: &RequestEvent, logger: Option<&Logger>) {
    let call = std::panic::AssertUnwindSafe(|| observer(event));
    if std::panic::catch_unwind(call).is_err() {
        log_event!(
            logger,
            WARN,
            "a request observer failed; the request goes on",
            operation = &event.operation,
        );
    }
}

/// How much a log record matters. The SDK logs at these three only: `Debug` one line per
/// request attempt, `Info` retries, token fetches and reconciliation, `Warn` what looks wrong
/// but is let through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum LogLevel {
    /// One line per request attempt.
    Debug,
    /// Retries, token fetches, reconciliation decisions.
    Info,
    /// Accepted, but doubtful (a panicking observer, a page without a cursor).
    Warn,
}

impl LogLevel {
    /// `debug`, `info`, `warn`.
    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Debug => "debug",
            LogLevel::Info => "info",
            LogLevel::Warn => "warn",
        }
    }
}

/// A field's value: a number or a text.
#[derive(Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum LogValue {
    /// A count, a status, a duration in milliseconds.
    Int {
        /// The number.
        value: i64,
    },
    /// A method, a path, a request id, a reference.
    Text {
        /// The text.
        value: String,
    },
}

impl fmt::Debug for LogValue {
    // As `tracing` shows its own values: numbers bare, texts quoted.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LogValue::Int { value } => write!(f, "{value}"),
            LogValue::Text { value } => write!(f, "{value:?}"),
        }
    }
}

impl fmt::Display for LogValue {
    // In a readable line: texts quoted only when they hold a space or a quote.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LogValue::Int { value } => write!(f, "{value}"),
            LogValue::Text { value } if value.is_empty() || value.contains([' ', '"', '=']) => {
                write!(f, "{value:?}")
            }
            LogValue::Text { value } => f.write_str(value),
        }
    }
}

/// What a log site may pass as a field; `None` leaves the field out.
pub(crate) trait IntoLogValue {
    fn into_log_value(self) -> Option<LogValue>;
}

macro_rules! int_log_value {
    ($($t:ty),*) => {$(
        impl IntoLogValue for $t {
            fn into_log_value(self) -> Option<LogValue> {
                Some(LogValue::Int { value: i64::try_from(self).unwrap_or(i64::MAX) })
            }
        }
    )*};
}
int_log_value!(u16, u32, u64, i64, usize);

impl IntoLogValue for &str {
    fn into_log_value(self) -> Option<LogValue> {
        Some(LogValue::Text {
            value: self.to_string(),
        })
    }
}

impl IntoLogValue for &String {
    fn into_log_value(self) -> Option<LogValue> {
        self.as_str().into_log_value()
    }
}

impl IntoLogValue for String {
    fn into_log_value(self) -> Option<LogValue> {
        Some(LogValue::Text { value: self })
    }
}

impl<T: IntoLogValue> IntoLogValue for Option<T> {
    fn into_log_value(self) -> Option<LogValue> {
        self.and_then(IntoLogValue::into_log_value)
    }
}

/// One named field of a [`LogRecord`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct LogField {
    /// `method`, `path`, `status`, `attempt`, `duration_ms`, `request_id`, `reference`, ...
    pub name: String,
    /// Its value.
    pub value: LogValue,
}

/// One log record, as a [`LogSink`] receives it. Its fields never hold a header, a body, a
/// query string, a token, a secret or a card field: the path is the URL's path alone.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct LogRecord {
    /// Its level.
    pub level: LogLevel,
    /// What happened, without the fields: `request`, `retrying`, `fetching an access token`.
    pub event: String,
    /// The event followed by its fields, readable on one line:
    /// `request method=GET path=/v1/transactions/T1 status=200 attempt=1 duration_ms=4 request_id=…`.
    pub message: String,
    /// The fields, structured (absent values left out).
    pub fields: Vec<LogField>,
    /// The module that logged, as `tracing` names it (`dintero_checkout::http`).
    pub target: String,
}

/// Where a client's log records go besides `tracing`: each language binding gives one that
/// forwards to its language's logger. `enabled` is asked before a record is built, so a sink
/// whose logger is off costs one call per log site and nothing more; it must be cheap.
pub trait LogSink: Send + Sync {
    /// Whether records of `level` are wanted now.
    fn enabled(&self, level: LogLevel) -> bool;
    /// Takes one record. Called on the task making the request: hand it off, do not block.
    fn log(&self, record: LogRecord);
}

/// A client's log sink.
pub type Logger = Arc<dyn LogSink>;

/// The sink of `logger`, when it wants `level`.
pub(crate) fn sink_on(logger: Option<&Logger>, level: LogLevel) -> Option<&Logger> {
    logger.filter(|l| l.enabled(level))
}

/// Builds the record of one log site and gives it to `sink` (the `tracing` event is written
/// by [`log_event!`] itself, so it keeps its call site and target).
pub(crate) fn to_sink(
    sink: &Logger,
    level: LogLevel,
    target: &str,
    event: &str,
    fields: Vec<(&'static str, Option<LogValue>)>,
) {
    let fields: Vec<LogField> = fields
        .into_iter()
        .filter_map(|(name, value)| {
            value.map(|value| LogField {
                name: name.to_string(),
                value,
            })
        })
        .collect();
    let mut message = event.to_string();
    for f in &fields {
        let _ = write!(message, " {}={}", f.name, f.value);
    }
    let record = LogRecord {
        level,
        event: event.to_string(),
        message,
        fields,
        target: target.to_string(),
    };
    let call = std::panic::AssertUnwindSafe(|| sink.log(record));
    if std::panic::catch_unwind(call).is_err() {
        tracing::warn!("a log sink panicked; the request goes on");
    }
}

/// The one way the core logs: `log_event!(logger, INFO, "retrying", attempt = n, ...)` writes a
/// `tracing` event with these fields AND gives the client's [`LogSink`] the same record. Field
/// values go through [`IntoLogValue`] (numbers, texts, options of them; `None` is left out).
/// Nothing is built when neither `tracing` nor the sink wants the level.
macro_rules! log_event {
    ($logger:expr, $level:ident, $event:literal $(, $name:ident = $value:expr)* $(,)?) => {{
        let level = $crate::observe::log_level!($level);
        let sink = $crate::observe::sink_on($logger, level);
        if sink.is_some() || tracing::enabled!(tracing::Level::$level) {
            #[allow(unused_parens)]
            let ($($name,)*) = ($($crate::observe::IntoLogValue::into_log_value($value),)*);
            tracing::event!(
                tracing::Level::$level,
                $($name = $name.as_ref().map(tracing::field::debug),)*
                $event
            );
            if let Some(sink) = sink {
                $crate::observe::to_sink(
                    sink,
                    level,
                    module_path!(),
                    $event,
                    vec![$((stringify!($name), $name)),*],
                );
            }
        }
    }};
}
pub(crate) use log_event;

macro_rules! log_level {
    (DEBUG) => {
        $crate::observe::LogLevel::Debug
    };
    (INFO) => {
        $crate::observe::LogLevel::Info
    };
    (WARN) => {
        $crate::observe::LogLevel::Warn
    };
}
pub(crate) use log_level;

impl<T: LogSink + ?Sized> LogSink for Arc<T> {
    fn enabled(&self, level: LogLevel) -> bool {
        (**self).enabled(level)
    }
    fn log(&self, record: LogRecord) {
        (**self).log(record)
    }
}
