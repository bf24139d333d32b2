//! The one error type Swift and Kotlin see.
//!
//! One variant per core [`core::ErrorKind`], each with the same fields. Swift sees
//! `enum DinteroError: Error`, Kotlin `sealed class DinteroException` (uniffi renames `*Error`
//! to `*Exception` in Kotlin, which is why the enum is not called plain `Error`). The field is
//! called `detail`, not `message`: Kotlin's `Throwable` already has a `message`.

use dintero_checkout as core;

/// An SDK failure: what kind, what went wrong, and what Dintero said.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Error)]
#[uniffi::export(Display)]
pub enum DinteroError {
    /// The caller passed something the SDK or Dintero refused (HTTP 400, or caught before sending).
    InvalidInput {
        detail: String,
        status: Option<i32>,
        code: Option<String>,
        request_id: Option<String>,
    },
    /// Credentials were refused (HTTP 401).
    Authentication {
        detail: String,
        status: Option<i32>,
        code: Option<String>,
        request_id: Option<String>,
    },
    /// The credentials lack the rights for this call (HTTP 403).
    Permission {
        detail: String,
        status: Option<i32>,
        code: Option<String>,
        request_id: Option<String>,
    },
    /// The object does not exist (HTTP 404).
    NotFound {
        detail: String,
        status: Option<i32>,
        code: Option<String>,
        request_id: Option<String>,
    },
    /// The request conflicts with the object's state (HTTP 409), or a callback does not match its transaction.
    Conflict {
        detail: String,
        status: Option<i32>,
        code: Option<String>,
        request_id: Option<String>,
    },
    /// Too many requests (HTTP 429) and the retries ran out.
    RateLimited {
        detail: String,
        status: Option<i32>,
        code: Option<String>,
        request_id: Option<String>,
    },
    /// Dintero failed (HTTP 5xx) and the retries ran out.
    Server {
        detail: String,
        status: Option<i32>,
        code: Option<String>,
        request_id: Option<String>,
    },
    /// The connection failed or was cut.
    Network {
        detail: String,
        status: Option<i32>,
        code: Option<String>,
        request_id: Option<String>,
    },
    /// A request took longer than the configured timeout.
    Timeout {
        detail: String,
        status: Option<i32>,
        code: Option<String>,
        request_id: Option<String>,
    },
    /// A response could not be decoded.
    Decode {
        detail: String,
        status: Option<i32>,
        code: Option<String>,
        request_id: Option<String>,
    },
    /// A callback or webhook signature is missing, malformed, stale or wrong.
    Signature {
        detail: String,
        status: Option<i32>,
        code: Option<String>,
        request_id: Option<String>,
    },
}

/// The stable category of a [`DinteroError`]; `ErrorKind.value` in the wrappers gives the
/// snake_case name shared by every language (`invalid_input`, `not_found`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum ErrorKind {
    InvalidInput,
    Authentication,
    Permission,
    NotFound,
    Conflict,
    RateLimited,
    Server,
    Network,
    Timeout,
    Decode,
    Signature,
}

impl ErrorKind {
    fn from_core(kind: core::ErrorKind) -> Self {
        match kind {
            core::ErrorKind::InvalidInput => ErrorKind::InvalidInput,
            core::ErrorKind::Authentication => ErrorKind::Authentication,
            core::ErrorKind::Permission => ErrorKind::Permission,
            core::ErrorKind::NotFound => ErrorKind::NotFound,
            core::ErrorKind::Conflict => ErrorKind::Conflict,
            core::ErrorKind::RateLimited => ErrorKind::RateLimited,
            core::ErrorKind::Server => ErrorKind::Server,
            core::ErrorKind::Network => ErrorKind::Network,
            core::ErrorKind::Timeout => ErrorKind::Timeout,
            core::ErrorKind::Decode => ErrorKind::Decode,
            core::ErrorKind::Signature => ErrorKind::Signature,
            // The core enum is non-exhaustive; a kind added later is still a server-side failure
            // until this binding learns its name.
            _ => ErrorKind::Server,
        }
    }

    fn to_core(self) -> core::ErrorKind {
        match self {
            ErrorKind::InvalidInput => core::ErrorKind::InvalidInput,
            ErrorKind::Authentication => core::ErrorKind::Authentication,
            ErrorKind::Permission => core::ErrorKind::Permission,
            ErrorKind::NotFound => core::ErrorKind::NotFound,
            ErrorKind::Conflict => core::ErrorKind::Conflict,
            ErrorKind::RateLimited => core::ErrorKind::RateLimited,
            ErrorKind::Server => core::ErrorKind::Server,
            ErrorKind::Network => core::ErrorKind::Network,
            ErrorKind::Timeout => core::ErrorKind::Timeout,
            ErrorKind::Decode => core::ErrorKind::Decode,
            ErrorKind::Signature => core::ErrorKind::Signature,
        }
    }
}

/// The stable snake_case name of a kind (`"not_found"`), the same string in every language.
#[uniffi::export]
pub fn error_kind_name(kind: ErrorKind) -> String {
    kind.to_core().as_str().to_string()
}

impl DinteroError {
    /// The category.
    pub fn kind(&self) -> ErrorKind {
        match self {
            DinteroError::InvalidInput { .. } => ErrorKind::InvalidInput,
            DinteroError::Authentication { .. } => ErrorKind::Authentication,
            DinteroError::Permission { .. } => ErrorKind::Permission,
            DinteroError::NotFound { .. } => ErrorKind::NotFound,
            DinteroError::Conflict { .. } => ErrorKind::Conflict,
            DinteroError::RateLimited { .. } => ErrorKind::RateLimited,
            DinteroError::Server { .. } => ErrorKind::Server,
            DinteroError::Network { .. } => ErrorKind::Network,
            DinteroError::Timeout { .. } => ErrorKind::Timeout,
            DinteroError::Decode { .. } => ErrorKind::Decode,
            DinteroError::Signature { .. } => ErrorKind::Signature,
        }
    }

    fn parts(&self) -> (&str, Option<i32>, Option<&str>, Option<&str>) {
        match self {
            DinteroError::InvalidInput {
                detail,
                status,
                code,
                request_id,
            }
            | DinteroError::Authentication {
                detail,
                status,
                code,
                request_id,
            }
            | DinteroError::Permission {
                detail,
                status,
                code,
                request_id,
            }
            | DinteroError::NotFound {
                detail,
                status,
                code,
                request_id,
            }
            | DinteroError::Conflict {
                detail,
                status,
                code,
                request_id,
            }
            | DinteroError::RateLimited {
                detail,
                status,
                code,
                request_id,
            }
            | DinteroError::Server {
                detail,
                status,
                code,
                request_id,
            }
            | DinteroError::Network {
                detail,
                status,
                code,
                request_id,
            }
            | DinteroError::Timeout {
                detail,
                status,
                code,
                request_id,
            }
            | DinteroError::Decode {
                detail,
                status,
                code,
                request_id,
            }
            | DinteroError::Signature {
                detail,
                status,
                code,
                request_id,
            } => (detail, *status, code.as_deref(), request_id.as_deref()),
        }
    }

    /// An invalid-input error raised by this binding (a bad argument it had to convert).
    pub(crate) fn invalid(detail: impl Into<String>) -> Self {
        core::Error::invalid_input(detail).into()
    }
}

impl From<core::Error> for DinteroError {
    fn from(e: core::Error) -> Self {
        let detail = e.message().to_string();
        let status = e.status().map(i32::from);
        let code = e.code().map(str::to_string);
        let request_id = e.request_id().map(str::to_string);
        match ErrorKind::from_core(e.kind()) {
            ErrorKind::InvalidInput => DinteroError::InvalidInput {
                detail,
                status,
                code,
                request_id,
            },
            ErrorKind::Authentication => DinteroError::Authentication {
                detail,
                status,
                code,
                request_id,
            },
            ErrorKind::Permission => DinteroError::Permission {
                detail,
                status,
                code,
                request_id,
            },
            ErrorKind::NotFound => DinteroError::NotFound {
                detail,
                status,
                code,
                request_id,
            },
            ErrorKind::Conflict => DinteroError::Conflict {
                detail,
                status,
                code,
                request_id,
            },
            ErrorKind::RateLimited => DinteroError::RateLimited {
                detail,
                status,
                code,
                request_id,
            },
            ErrorKind::Server => DinteroError::Server {
                detail,
                status,
                code,
                request_id,
            },
            ErrorKind::Network => DinteroError::Network {
                detail,
                status,
                code,
                request_id,
            },
            ErrorKind::Timeout => DinteroError::Timeout {
                detail,
                status,
                code,
                request_id,
            },
            ErrorKind::Decode => DinteroError::Decode {
                detail,
                status,
                code,
                request_id,
            },
            ErrorKind::Signature => DinteroError::Signature {
                detail,
                status,
                code,
                request_id,
            },
        }
    }
}

/// The same text as the core's `Display`: `not_found: ... (status 404, code X, request id Y)`.
impl std::fmt::Display for DinteroError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (detail, status, code, request_id) = self.parts();
        write!(f, "{}: {detail}", self.kind().to_core().as_str())?;
        let mut extras = Vec::new();
        if let Some(s) = status {
            extras.push(format!("status {s}"));
        }
        if let Some(c) = code {
            extras.push(format!("code {c}"));
        }
        if let Some(r) = request_id {
            extras.push(format!("request id {r}"));
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
