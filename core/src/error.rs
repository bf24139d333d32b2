//! The one error type of the SDK, with a stable [`ErrorKind`].

use std::fmt;

/// What went wrong, as a stable machine-readable category.
///
/// The string forms (`as_str`) are the same in every language binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub enum ErrorKind {
    /// The caller passed something the SDK or Dintero refused (HTTP 400, or caught before sending).
    InvalidInput,
    /// Credentials were refused (HTTP 401, also after one token refresh).
    Authentication,
    /// The credentials lack the rights for this call (HTTP 403).
    Permission,
    /// The object does not exist (HTTP 404).
    NotFound,
    /// The request conflicts with the object's state (HTTP 409), or a callback does not match
    /// the transaction it names.
    Conflict,
    /// Too many requests (HTTP 429) and the retries ran out.
    RateLimited,
    /// Dintero failed (HTTP 5xx) and the retries ran out.
    Server,
    /// The connection failed or was cut.
    Network,
    /// A request took longer than the configured timeout.
    Timeout,
    /// A response could not be decoded.
    Decode,
    /// A callback or webhook signature is missing, malformed, stale or wrong.
    Signature,
}

impl ErrorKind {
    /// The stable snake_case name of the kind, e.g. `"invalid_input"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidInput => "invalid_input",
            ErrorKind::Authentication => "authentication",
            ErrorKind::Permission => "permission",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Conflict => "conflict",
            ErrorKind::RateLimited => "rate_limited",
            ErrorKind::Server => "server",
            ErrorKind::Network => "network",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Decode => "decode",
            ErrorKind::Signature => "signature",
        }
    }

    /// Every kind, in a fixed order (bindings use it to build their error classes).
    pub const ALL: [ErrorKind; 11] = [
        ErrorKind::InvalidInput,
        ErrorKind::Authentication,
        ErrorKind::Permission,
        ErrorKind::NotFound,
        ErrorKind::Conflict,
        ErrorKind::RateLimited,
        ErrorKind::Server,
        ErrorKind::Network,
        ErrorKind::Timeout,
        ErrorKind::Decode,
        ErrorKind::Signature,
    ];

    /// The kind an HTTP error status maps to.
    pub fn from_status(status: u16) -> ErrorKind {
        match status {
            401 => ErrorKind::Authentication,
            403 => ErrorKind::Permission,
            404 => ErrorKind::NotFound,
            409 => ErrorKind::Conflict,
            429 => ErrorKind::RateLimited,
            400..=499 => ErrorKind::InvalidInput,
            _ => ErrorKind::Server,
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An SDK error: a kind, a message that says what is wrong and where, and what Dintero told us.
///
/// Never carries a secret: messages are written by the SDK or copied from Dintero's error body,
/// and transport errors are reduced to their description without credentials.
#[derive(Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    status: Option<u16>,
    code: Option<String>,
    request_id: Option<String>,
    reference: Option<String>,
    outcome_unknown: bool,
}

/// Shorthand for `Result<T, dintero_checkout::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A new error of `kind` with `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            status: None,
            code: None,
            request_id: None,
            reference: None,
            outcome_unknown: false,
        }
    }

    /// An [`ErrorKind::InvalidInput`] error, raised before any request is sent.
    pub fn invalid_input(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::InvalidInput, message)
    }

    /// An [`ErrorKind::Signature`] error.
    pub fn signature(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Signature, message)
    }

    /// An [`ErrorKind::Decode`] error.
    pub fn decode(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Decode, message)
    }

    pub(crate) fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    pub(crate) fn with_code(mut self, code: Option<String>) -> Self {
        self.code = code;
        self
    }

    pub(crate) fn with_request_id(mut self, request_id: Option<String>) -> Self {
        if request_id.is_some() {
            self.request_id = request_id;
        }
        self
    }

    /// Marks the capture or refund reference this error belongs to.
    pub(crate) fn with_reference(mut self, reference: Option<&str>) -> Self {
        if let Some(r) = reference {
            self.reference = Some(r.to_string());
        }
        self
    }

    /// Marks the error as "the write may or may not have taken effect".
    pub(crate) fn with_outcome_unknown(mut self) -> Self {
        self.outcome_unknown = true;
        self
    }

    /// The stable category.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// What went wrong, in words.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The HTTP status Dintero answered with, when there was an answer.
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// Dintero's `error.code`, when its error body had one.
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// The request id Dintero gave the failed request, when known. Quote it to Dintero support.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The `capture_reference` / `refund_reference` a capture or refund used (the caller's, or
    /// the one the SDK generated), on every error of a capture or refund that got as far as
    /// choosing one. Retry with this reference: the SDK recognises its own earlier attempt.
    pub fn reference(&self) -> Option<&str> {
        self.reference.as_deref()
    }

    /// True when a capture, refund, void or session cancel failed so that the SDK cannot tell
    /// whether Dintero applied it. The safe next step is the same call with the same
    /// [`Error::reference`]: it returns the earlier result if there was one, and writes once
    /// if there was none.
    pub fn outcome_unknown(&self) -> bool {
        self.outcome_unknown
    }

    /// True for failures that may go away on their own (network, timeout, 5xx, 429).
    pub fn is_transient(&self) -> bool {
        matches!(
            self.kind,
            ErrorKind::Network | ErrorKind::Timeout | ErrorKind::Server | ErrorKind::RateLimited
        )
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)?;
        let mut extras = Vec::new();
        if let Some(status) = self.status {
            extras.push(format!("status {status}"));
        }
        if let Some(code) = &self.code {
            extras.push(format!("code {code}"));
        }
        if let Some(id) = &self.request_id {
            extras.push(format!("request id {id}"));
        }
        if let Some(r) = &self.reference {
            extras.push(format!("reference {r}"));
        }
        if self.outcome_unknown {
            extras.push("outcome unknown".to_string());
        }
        if !extras.is_empty() {
            write!(f, " ({})", extras.join(", "))?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.kind)
            .field("message", &self.message)
            .field("status", &self.status)
            .field("code", &self.code)
            .field("request_id", &self.request_id)
            .field("reference", &self.reference)
            .field("outcome_unknown", &self.outcome_unknown)
            .finish()
    }
}

impl std::error::Error for Error {}

/// Decodes JSON into `T`, naming the path of the first offending field on failure.
pub(crate) fn from_json_slice<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
    what: &str,
) -> Result<T> {
    // Fast path: plain serde. Only a failure is decoded again, tracking the path, to say where.
    if let Ok(value) = serde_json::from_slice(bytes) {
        return Ok(value);
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize::<_, T>(de).map_err(|e| {
        let path = e.path().to_string();
        Error::decode(format!(
            "could not decode {what} at `{path}`: {}",
            e.inner()
        ))
    })
}

/// Converts a JSON value into `T`, as caller input: failures are [`ErrorKind::InvalidInput`]
/// and name the offending field.
pub(crate) fn input_from_value<T: serde::de::DeserializeOwned>(
    value: serde_json::Value,
    what: &str,
) -> Result<T> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let at = if path.is_empty() || path == "." {
            what.to_string()
        } else {
            format!("{what}.{path}")
        };
        Error::invalid_input(format!("{at}: {}", e.inner()))
    })
}
