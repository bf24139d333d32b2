//! Request observers: a function the client calls before and after every request attempt,
//! for metrics and tracing. What it is given carries no header, body, query or token.

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
pub(crate) fn notify(observer: &RequestObserver, event: &RequestEvent) {
    let call = std::panic::AssertUnwindSafe(|| observer(event));
    if std::panic::catch_unwind(call).is_err() {
        tracing::warn!("a request observer panicked; the request goes on");
    }
}
