//! The one error type Swift and Kotlin see.
//!
//! One variant per core [`core::ErrorKind`], each with the same fields. Swift sees
//! `enum DinteroError: Error`, Kotlin `sealed class DinteroException` (uniffi renames `*Error`
//! to `*Exception` in Kotlin, which is why the enum is not called plain `Error`). The field is
//! called `detail`, not `message`: Kotlin's `Throwable` already has a `message`.
//!
//! Every variant has the same fields, declared once in the `dintero_error!` macro below:
//! `detail`, `status`, `code`, `request_id`, and for captures, refunds and voids `reference`
//! (the reference the write used: retry with it) and `outcome_unknown` (Dintero may or may
//! not have applied the write).

use dintero_checkout as core;

/// The fields every variant carries, in order.
pub struct ErrorParts<'a> {
    pub detail: &'a str,
    pub status: Option<i32>,
    pub code: Option<&'a str>,
    pub request_id: Option<&'a str>,
    pub reference: Option<&'a str>,
    pub outcome_unknown: bool,
}

macro_rules! dintero_error {
    ($($variant:ident),+ $(,)?) => {
        /// An SDK failure: what kind, what went wrong, and what Dintero said. One case per
        /// stable kind of the core (`InvalidInput`: HTTP 400 or refused before sending,
        /// `Authentication`: 401, `Permission`: 403, `NotFound`: 404, `Conflict`: 409 or a
        /// callback that does not match its transaction, `RateLimited`: 429, `Server`: 5xx,
        /// `Network`, `Timeout`, `Decode`, and `Signature`: anything that is not a valid,
        /// authentic callback, with `code` saying why).
        ///
        /// On a capture, refund or void, `reference` is the reference the write used and
        /// `outcome_unknown` says Dintero may or may not have applied it: the safe retry is
        /// the same call with that reference.
        #[derive(Debug, Clone, PartialEq, Eq, uniffi::Error)]
        #[uniffi::export(Display)]
        pub enum DinteroError {
            $(
                $variant {
                    detail: String,
                    status: Option<i32>,
                    code: Option<String>,
                    request_id: Option<String>,
                    reference: Option<String>,
                    outcome_unknown: bool,
                },
            )+
        }

        /// The stable category of a [`DinteroError`]; `ErrorKind.value` in the wrappers gives
        /// the snake_case name shared by every language (`invalid_input`, `not_found`, ...).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
        pub enum ErrorKind {
            $($variant,)+
        }

        impl ErrorKind {
            fn from_core(kind: core::ErrorKind) -> Self {
                match kind {
                    $(core::ErrorKind::$variant => ErrorKind::$variant,)+
                    // The core enum is non-exhaustive; a kind added later is still a
                    // server-side failure until this binding learns its name.
                    _ => ErrorKind::Server,
                }
            }

            fn to_core(self) -> core::ErrorKind {
                match self {
                    $(ErrorKind::$variant => core::ErrorKind::$variant,)+
                }
            }
        }

        impl DinteroError {
            /// The category.
            pub fn kind(&self) -> ErrorKind {
                match self {
                    $(DinteroError::$variant { .. } => ErrorKind::$variant,)+
                }
            }

            /// Every field, whatever the variant.
            pub fn parts(&self) -> ErrorParts<'_> {
                match self {
                    $(DinteroError::$variant {
                        detail, status, code, request_id, reference, outcome_unknown,
                    })|+ => ErrorParts {
                        detail,
                        status: *status,
                        code: code.as_deref(),
                        request_id: request_id.as_deref(),
                        reference: reference.as_deref(),
                        outcome_unknown: *outcome_unknown,
                    },
                }
            }
        }

        impl From<core::Error> for DinteroError {
            fn from(e: core::Error) -> Self {
                let detail = e.message().to_string();
                let status = e.status().map(i32::from);
                let code = e.code().map(str::to_string);
                let request_id = e.request_id().map(str::to_string);
                let reference = e.reference().map(str::to_string);
                let outcome_unknown = e.outcome_unknown();
                match ErrorKind::from_core(e.kind()) {
                    $(ErrorKind::$variant => DinteroError::$variant {
                        detail, status, code, request_id, reference, outcome_unknown,
                    },)+
                }
            }
        }
    };
}

dintero_error! {
    InvalidInput, Authentication, Permission, NotFound, Conflict, RateLimited, Server, Network,
    Timeout, Decode, Signature,
}

/// The stable snake_case name of a kind (`"not_found"`), the same string in every language.
#[uniffi::export]
pub fn error_kind_name(kind: ErrorKind) -> String {
    kind.to_core().as_str().to_string()
}

impl DinteroError {
    /// An invalid-input error raised by this binding (a bad argument it had to convert).
    pub(crate) fn invalid(detail: impl Into<String>) -> Self {
        core::Error::invalid_input(detail).into()
    }
}

/// The same text as the core's `Display`: `not_found: ... (status 404, code X, request id Y)`.
impl std::fmt::Display for DinteroError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let p = self.parts();
        write!(f, "{}: {}", self.kind().to_core().as_str(), p.detail)?;
        let mut extras = Vec::new();
        if let Some(s) = p.status {
            extras.push(format!("status {s}"));
        }
        if let Some(c) = p.code {
            extras.push(format!("code {c}"));
        }
        if let Some(r) = p.request_id {
            extras.push(format!("request id {r}"));
        }
        if let Some(r) = p.reference {
            extras.push(format!("reference {r}"));
        }
        if p.outcome_unknown {
            extras.push("outcome unknown".to_string());
        }
        if !extras.is_empty() {
            write!(f, " ({})", extras.join(", "))?;
        }
        Ok(())
    }
}

impl std::error::Error for DinteroError {}

/// Shorthand used by every export.
pub type Result<T, E = DinteroError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_core_kind_maps_to_its_variant_and_back() {
        for kind in core::ErrorKind::ALL {
            let e: DinteroError = core::Error::new(kind, "boom").into();
            assert_eq!(e.kind().to_core(), kind);
            assert_eq!(error_kind_name(e.kind()), kind.as_str());
            assert!(e
                .to_string()
                .starts_with(&format!("{}: boom", kind.as_str())));
        }
    }
}
