//! Dintero's error body `{"error": {"code", "message", "errors": [..]}}` and JSON responses.

use axum::body::Body;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

/// An API error rendered as Dintero's `Error` body.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub errors: Vec<Value>,
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            errors: Vec::new(),
            retry_after: None,
        }
    }
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "BAD_REQUEST", message)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "NOT_FOUND", message)
    }
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", message)
    }
    /// A 400 listing every validation problem; the message joins them as `path: problem`.
    pub fn validation(problems: Vec<(String, String)>) -> Self {
        let message = problems
            .iter()
            .map(|(p, m)| format!("{p}: {m}"))
            .collect::<Vec<_>>()
            .join("; ");
        let errors = problems
            .into_iter()
            .map(|(p, m)| json!({"path": p, "message": m}))
            .collect();
        ApiError {
            status: StatusCode::BAD_REQUEST,
            code: "VALIDATION_ERROR",
            message,
            errors,
            retry_after: None,
        }
    }
    pub fn body(&self) -> Value {
        json!({"error": {"code": self.code, "message": self.message, "errors": self.errors}})
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut resp = json_response(self.status, &self.body());
        if let Some(secs) = self.retry_after {
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                resp.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        resp
    }
}

/// Serializes a value as a JSON response with the given status.
pub(crate) fn json_response(status: StatusCode, value: &Value) -> Response {
    let bytes = serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec());
    json_bytes_response(status, bytes::Bytes::from(bytes))
}

/// A JSON response from already-serialized bytes.
pub(crate) fn json_bytes_response(status: StatusCode, bytes: bytes::Bytes) -> Response {
    let mut resp = Response::new(Body::from(bytes));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

pub(crate) type ApiResult = Result<Response, ApiError>;
