//! Errors crossing into JavaScript.
//!
//! A core error becomes a plain JS `Error` whose message is a marker followed by a JSON object
//! (`kind`, `message`, `status`, `code`, `request_id`, `reference`, `outcome_unknown`). The package's JS layer turns it into a
//! `DinteroError` instance; nothing in the payload is ever a secret (the core guarantees that
//! for its messages, and this crate never echoes option values).

use dintero_checkout::Error as CoreError;
use napi::{Error, Status};
use serde_json::json;

/// Prefix of the message of every error that carries a core error.
pub(crate) const DINTERO_MARKER: &str = "DinteroError:";
/// Prefix of the message of every error raised by the emulator's control methods.
pub(crate) const EMULATOR_MARKER: &str = "EmulatorError:";

/// Converts a core error for JavaScript.
pub(crate) fn to_js(e: CoreError) -> Error {
    let payload = json!({
        "kind": e.kind().as_str(),
        "message": e.message(),
        "status": e.status(),
        "code": e.code(),
        "request_id": e.request_id(),
        "transient": e.is_transient(),
        "reference": e.reference(),
        "outcome_unknown": e.outcome_unknown(),
    });
    Error::new(Status::GenericFailure, format!("{DINTERO_MARKER}{payload}"))
}

/// An `invalid_input` error, raised before anything is sent.
pub(crate) fn invalid(message: impl Into<String>) -> Error {
    to_js(CoreError::invalid_input(message))
}

/// An error of the emulator's control methods (`not_found`, `rejected`, `invalid_fault`, `io`).
pub(crate) fn emulator_error(reason: &str, message: impl Into<String>) -> Error {
    let payload = json!({ "reason": reason, "message": message.into() });
    Error::new(
        Status::GenericFailure,
        format!("{EMULATOR_MARKER}{payload}"),
    )
}

/// `.js()` on core results.
pub(crate) trait IntoJs<T> {
    /// Maps the core error to a JS error.
    fn js(self) -> napi::Result<T>;
}

impl<T> IntoJs<T> for Result<T, CoreError> {
    fn js(self) -> napi::Result<T> {
        self.map_err(to_js)
    }
}
