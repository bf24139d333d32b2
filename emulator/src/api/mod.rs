//! HTTP handlers. Every handler takes the whole request and parses it itself, so every
//! failure (bad JSON, oversized body, bad query) becomes Dintero's error body.

pub(crate) mod admin;
pub(crate) mod auth;
pub(crate) mod control;
pub(crate) mod dashboard;
pub(crate) mod hooks;
pub(crate) mod sessions;
pub(crate) mod transactions;
pub(crate) mod view;

use crate::error::ApiError;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode};
use futures_util::StreamExt;
use serde_json::{Map, Value};

/// Largest request body accepted (1 MiB); larger bodies get 413.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Set by the server on a capture, refund or void that a fault changes inside the handler.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OpFault {
    /// Answer `202 Accepted` and complete later (fault `accepted_202`).
    Accepted202,
    /// Answer 200 with an unsuccessful event (fault `failed_event`).
    FailedEvent,
}

/// How long a request body may take to arrive (set by the server on every request).
#[derive(Clone, Copy, Debug)]
pub(crate) struct BodyTimeout(pub std::time::Duration);

/// The random request id the server generated (also sent as the `request-id` header).
#[derive(Clone, Debug)]
pub(crate) struct RequestId(pub String);

/// The 408 for a request body that did not arrive within `limit`.
pub(crate) fn body_timed_out(limit: std::time::Duration) -> ApiError {
    ApiError::new(
        StatusCode::REQUEST_TIMEOUT,
        "REQUEST_TIMEOUT",
        format!(
            "the request body did not arrive within {} ms",
            limit.as_millis()
        ),
    )
}

/// The parts of a request a handler needs.
pub(crate) struct Ctx {
    pub headers: HeaderMap,
    pub query: Vec<(String, String)>,
    pub request_id: String,
    pub op_fault: Option<OpFault>,
    pub body_timeout: std::time::Duration,
    pub body: Body,
}

impl Ctx {
    pub fn new(req: Request) -> Self {
        let (parts, body) = req.into_parts();
        let query = crate::util::query_pairs(parts.uri.query());
        let request_id = parts
            .extensions
            .get::<RequestId>()
            .map(|r| r.0.clone())
            .unwrap_or_else(crate::util::uuid);
        let op_fault = parts.extensions.get::<OpFault>().copied();
        let body_timeout = parts
            .extensions
            .get::<BodyTimeout>()
            .map(|t| t.0)
            .unwrap_or(std::time::Duration::from_secs(10));
        Ctx {
            headers: parts.headers,
            query,
            request_id,
            op_fault,
            body_timeout,
            body,
        }
    }

    /// All values of a query parameter; `key[]` counts as `key`.
    pub fn query_all(&self, key: &str) -> Vec<&str> {
        self.query
            .iter()
            .filter(|(k, _)| {
                k == key || (k.len() == key.len() + 2 && k.starts_with(key) && k.ends_with("[]"))
            })
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn query_one(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub fn query_true(&self, key: &str) -> bool {
        self.query_one(key) == Some("true")
    }

    /// Reads the body, refusing more than [`MAX_BODY_BYTES`] with 413.
    pub async fn bytes(&mut self) -> Result<Vec<u8>, ApiError> {
        let too_large = || {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "PAYLOAD_TOO_LARGE",
                format!("request body is larger than the limit of {MAX_BODY_BYTES} bytes"),
            )
        };
        if let Some(len) = self
            .headers
            .get(axum::http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
        {
            if len > MAX_BODY_BYTES as u64 {
                return Err(too_large());
            }
        }
        let body = std::mem::replace(&mut self.body, Body::empty());
        let mut stream = body.into_data_stream();
        let mut buf = Vec::new();
        let deadline = tokio::time::Instant::now() + self.body_timeout;
        loop {
            let Ok(next) = tokio::time::timeout_at(deadline, stream.next()).await else {
                return Err(body_timed_out(self.body_timeout));
            };
            let Some(chunk) = next else { break };
            let chunk = chunk
                .map_err(|e| ApiError::bad_request(format!("cannot read request body: {e}")))?;
            if buf.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(too_large());
            }
            buf.extend_from_slice(&chunk);
        }
        Ok(buf)
    }

    /// Reads a JSON body that must be an object. An empty body is `None`.
    pub async fn json_object_opt(&mut self) -> Result<Option<Map<String, Value>>, ApiError> {
        let bytes = self.bytes().await?;
        if bytes.iter().all(|b| b.is_ascii_whitespace()) {
            return Ok(None);
        }
        let v: Value = serde_json::from_slice(&bytes)
            .map_err(|e| ApiError::bad_request(format!("request body is not valid JSON: {e}")))?;
        match v {
            Value::Object(m) => Ok(Some(m)),
            other => Err(ApiError::bad_request(format!(
                "request body must be a JSON object, got {}",
                match other {
                    Value::Array(_) => "an array",
                    Value::String(_) => "a string",
                    Value::Number(_) => "a number",
                    Value::Bool(_) => "a boolean",
                    _ => "null",
                }
            ))),
        }
    }

    /// Reads a JSON object body that must be present.
    pub async fn json_object(&mut self) -> Result<Map<String, Value>, ApiError> {
        self.json_object_opt()
            .await?
            .ok_or_else(|| ApiError::bad_request("request body is required (a JSON object)"))
    }
}
