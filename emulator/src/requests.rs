//! Route names (for faults and counters) and the request log behind `/_emulator/requests`.

use crate::state::lock;
use axum::http::{HeaderMap, Method};
use serde_json::{json, Map, Value};
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

/// How many requests `/_emulator/requests` keeps.
const RECENT_MAX: usize = 1000;

/// Names an API request by method and path. Control routes are `control`; paths that exist
/// with another method are `method_not_allowed`; everything else `not_found`.
pub(crate) fn classify(method: &Method, path: &str) -> &'static str {
    let segs: Vec<&str> = path.trim_end_matches('/').split('/').skip(1).collect();
    let m = method.as_str();
    let name = match segs.as_slice() {
        ["_emulator", ..] => return "control",
        ["v1", "accounts", _, "auth", "token"] => ("token", m == "POST"),
        ["v1", "sessions-profile"] | ["v1", "sessions"] => ("create_session", m == "POST"),
        ["v1", "sessions", _] => match m {
            "GET" => ("get_session", true),
            "PUT" => ("update_session", true),
            _ => ("", false),
        },
        ["v1", "sessions", _, "cancel"] => ("cancel_session", m == "POST"),
        [] | ["embedResult"] | ["checkout", "checkout.js"] => ("view", m == "GET"),
        ["v1", "view", _] => ("view", m == "GET"),
        ["v1", "view", _, "state"] => ("view_state", m == "GET"),
        ["v1", "view", _, "lock"] => ("view_lock", m == "POST"),
        ["v1", "view", _, "pay"] => ("view_pay", m == "POST"),
        ["v1", "view", _, "cancel"] => ("view_cancel", m == "POST"),
        ["v1", "admin", "signature"] => ("admin_signature", m == "GET" || m == "POST"),
        ["v1", "transactions"] => ("list_transactions", m == "GET"),
        ["v1", "transactions", _] => match m {
            "GET" => ("get_transaction", true),
            "PUT" => ("update_transaction", true),
            _ => ("", false),
        },
        ["v1", "transactions", _, "capture"] => ("capture", m == "POST"),
        ["v1", "transactions", _, "refund"] => ("refund", m == "POST"),
        ["v1", "transactions", _, "void"] => ("void", m == "POST"),
        ["v1", "transactions", _, "authorization"] => ("extend_authorization", m == "POST"),
        _ => return "not_found",
    };
    if name.1 {
        name.0
    } else {
        "method_not_allowed"
    }
}

/// Request bodies are kept up to this many bytes in `/_emulator/requests`.
pub(crate) const BODY_CAPTURE_MAX: usize = 64 * 1024;

/// The part of a request body kept for the log, filled while the handler reads it.
#[derive(Default)]
pub(crate) struct CapturedBody {
    pub bytes: Vec<u8>,
    /// Bytes received in all (more than `bytes` when the body was longer than the cap).
    pub total: usize,
}

impl CapturedBody {
    pub fn push(&mut self, chunk: &[u8]) {
        let room = BODY_CAPTURE_MAX.saturating_sub(self.bytes.len());
        self.bytes
            .extend_from_slice(&chunk[..chunk.len().min(room)]);
        self.total += chunk.len();
    }
}

/// One answered request, as `/_emulator/requests` lists it.
pub(crate) struct Recent {
    pub method: Method,
    pub path: String,
    /// The raw query string, if any.
    pub query: Option<String>,
    pub route: &'static str,
    pub status: u16,
    pub headers: HeaderMap,
    /// What arrived of the body (capped at [`BODY_CAPTURE_MAX`]) and its full length.
    pub body: Option<(Vec<u8>, usize)>,
}

/// Per-route counters and the last requests.
#[derive(Default)]
pub(crate) struct RequestLog {
    counts: Mutex<HashMap<&'static str, u64>>,
    recent: Mutex<VecDeque<Recent>>,
}

impl RequestLog {
    /// Counts a request when it arrives, so one whose client gave up is counted too.
    pub fn arrived(&self, route: &'static str) {
        *lock(&self.counts).entry(route).or_insert(0) += 1;
    }

    /// Logs a request once it is answered (status 0: the connection was dropped).
    pub fn record(&self, entry: Recent) {
        let mut recent = lock(&self.recent);
        if recent.len() >= RECENT_MAX {
            recent.pop_front();
        }
        recent.push_back(entry);
    }

    pub fn count(&self, route: &str) -> u64 {
        lock(&self.counts).get(route).copied().unwrap_or(0)
    }

    pub fn clear(&self) {
        lock(&self.counts).clear();
        lock(&self.recent).clear();
    }

    /// `{"counts": {...}, "recent": [...]}` with the Authorization header redacted.
    pub fn to_json(&self) -> Value {
        let counts: Map<String, Value> = lock(&self.counts)
            .iter()
            .map(|(k, v)| (k.to_string(), json!(v)))
            .collect();
        let recent: Vec<Value> = lock(&self.recent)
            .iter()
            .map(|r| {
                let mut headers = Map::new();
                for (k, v) in r.headers.iter() {
                    let value = if k == axum::http::header::AUTHORIZATION {
                        "[redacted]".to_string()
                    } else {
                        String::from_utf8_lossy(v.as_bytes()).into_owned()
                    };
                    headers.insert(k.as_str().to_string(), json!(value));
                }
                let (mut body, body_truncated) = match &r.body {
                    Some((bytes, total)) if *total > 0 => {
                        (json!(String::from_utf8_lossy(bytes)), *total > bytes.len())
                    }
                    _ => (Value::Null, false),
                };
                // A token request body may carry a client secret (form-encoded clients).
                if r.route == "token" && body.as_str().is_some_and(|b| b.contains("secret")) {
                    body = json!("[redacted]");
                }
                json!({
                    "method": r.method.as_str(),
                    "path": r.path,
                    "query": r.query,
                    "route": r.route,
                    "status": r.status,
                    "headers": headers,
                    "body": body,
                    "body_truncated": body_truncated,
                })
            })
            .collect();
        json!({"counts": counts, "recent": recent})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(
            classify(&Method::POST, "/v1/accounts/T1/auth/token"),
            "token"
        );
        assert_eq!(
            classify(&Method::GET, "/v1/transactions/T1.abc"),
            "get_transaction"
        );
        assert_eq!(
            classify(&Method::DELETE, "/v1/transactions/T1.abc"),
            "method_not_allowed"
        );
        assert_eq!(
            classify(&Method::POST, "/v1/transactions/x/capture"),
            "capture"
        );
        assert_eq!(classify(&Method::GET, "/nope"), "not_found");
        assert_eq!(classify(&Method::GET, "/_emulator/callbacks"), "control");
        assert_eq!(classify(&Method::POST, "/v1/sessions"), "create_session");
    }
}
