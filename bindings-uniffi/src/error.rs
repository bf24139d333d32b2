//! The one error type Swift and Kotlin see: the core's error, carried whole.
//!
//! A uniffi object used as an error: Swift sees `DinteroError` (a class conforming to `Error`),
//! Kotlin `DinteroException` (uniffi renames `*Error`). Every accessor reads the core's error;
//! `isTransient()` and `isAuthenticButLate()` are the core's rules, not copies of them.

use std::fmt;
use std::sync::Arc;

use dintero_checkout as core;

/// An SDK failure: its stable `kind`, what went wrong, and what Dintero said (HTTP status,
/// `error.code`, request id). On a capture, refund or void, `reference` is the reference the
/// write used and `outcomeUnknown` says Dintero may or may not have applied it: the safe retry
/// is the same call with that reference.
#[derive(uniffi::Object)]
#[uniffi::export(Debug, Display)]
pub struct DinteroError {
    inner: core::Error,
}

#[uniffi::export]
impl DinteroError {
    /// The stable category (`ErrorKind`), the same in every language.
    pub fn kind(&self) -> core::ErrorKind {
        self.inner.kind()
    }

    /// What went wrong, in words (it names the offending field for bad input).
    pub fn message(&self) -> String {
        self.inner.message().to_string()
    }

    /// The HTTP status Dintero answered with, when there was an answer.
    pub fn status(&self) -> Option<i32> {
        self.inner.status().map(i32::from)
    }

    /// Dintero's `error.code`, or the SDK's code for signature errors.
    pub fn code(&self) -> Option<String> {
        self.inner.code().map(str::to_string)
    }

    /// Dintero's request id for the failed request; quote it to Dintero support.
    pub fn request_id(&self) -> Option<String> {
        self.inner.request_id().map(str::to_string)
    }

    /// The `capture_reference` / `refund_reference` a capture or refund used.
    pub fn reference(&self) -> Option<String> {
        self.inner.reference().map(str::to_string)
    }

    /// True when the SDK cannot tell whether Dintero applied the write; retry with `reference`.
    pub fn outcome_unknown(&self) -> bool {
        self.inner.outcome_unknown()
    }

    /// True for failures that may go away on their own (the core's rule).
    pub fn is_transient(&self) -> bool {
        self.inner.is_transient()
    }

    /// True for a callback whose signature is authentic but outside the time window: confirm it
    /// by re-reading the transaction and answer 2xx (the core's rule).
    pub fn is_authentic_but_late(&self) -> bool {
        core::is_authentic_but_late(&self.inner)
    }
}

impl fmt::Display for DinteroError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.inner, f)
    }
}

/// The same text as `Display`: Swift's `debugDescription` and `errorDescription` (hence
/// `localizedDescription` on Apple platforms) show it.
impl fmt::Debug for DinteroError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.inner, f)
    }
}

impl std::error::Error for DinteroError {}

/// The result of every fallible export.
pub type Result<T> = std::result::Result<T, Arc<DinteroError>>;

/// `core::Result<T>` → [`Result<T>`] (the orphan rule forbids a `From` into `Arc<_>`).
pub(crate) trait IntoFfi<T> {
    fn ffi(self) -> Result<T>;
}

impl<T> IntoFfi<T> for core::Result<T> {
    fn ffi(self) -> Result<T> {
        self.map_err(|inner| Arc::new(DinteroError { inner }))
    }
}

/// The stable snake_case name of a kind (`"not_found"`), the same string in every language.
#[uniffi::export]
pub fn error_kind_name(kind: core::ErrorKind) -> String {
    kind.as_str().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_and_rule_comes_from_the_core_error() {
        for kind in core::ErrorKind::ALL {
            let core_error = core::Error::new(kind, "boom");
            let e = Err::<(), _>(core_error.clone()).ffi().unwrap_err();
            assert_eq!(e.kind(), kind);
            assert_eq!(e.message(), "boom");
            assert_eq!(e.to_string(), core_error.to_string());
            assert_eq!(format!("{e:?}"), core_error.to_string());
            assert_eq!(e.is_transient(), core_error.is_transient());
            assert_eq!(error_kind_name(kind), kind.as_str());
        }
    }
}
