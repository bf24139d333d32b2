//! Fault injection: the next N requests to a route misbehave in a chosen way.

use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Route names a fault can target (also the keys of the request counters).
pub const FAULT_ROUTES: &[&str] = &[
    "token",
    "create_session",
    "get_session",
    "update_session",
    "cancel_session",
    "get_transaction",
    "list_transactions",
    "capture",
    "refund",
    "void",
    "extend_authorization",
    "update_transaction",
    "*",
];

/// What goes wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// Answer 500 with Dintero's error body, without applying.
    #[serde(rename = "status_500")]
    Status500,
    /// Answer 502, without applying.
    #[serde(rename = "status_502")]
    Status502,
    /// Answer 503, without applying.
    #[serde(rename = "status_503")]
    Status503,
    /// Answer 403 (the credentials lack a scope), without applying.
    #[serde(rename = "status_403")]
    Status403,
    /// Answer 429 with `Retry-After: retry_after`, without applying.
    #[serde(rename = "status_429")]
    Status429,
    /// Sleep `ms` milliseconds, then handle the request normally. If the client gives up
    /// first, the request is dropped and nothing is applied.
    Delay,
    /// The operation takes `ms` milliseconds and completes even if the client gives up
    /// meanwhile (a server still working after the client's timeout).
    SlowApply,
    /// Drop the connection without a response; nothing is applied.
    ResetBeforeApply,
    /// Apply the operation, then drop the connection without a response.
    ResetAfterApply,
    /// Apply the operation, then answer 200 with a body that is not valid JSON.
    MalformedJson,
    /// Capture/refund/void answer 202 with `event-request-id`; the operation completes later.
    #[serde(rename = "accepted_202")]
    Accepted202,
    /// Capture/refund/void answer 200 with the transaction, whose new event for the
    /// operation has `success: false` and an `error`; nothing is applied.
    FailedEvent,
    /// A gateway in front of Dintero gives up: the operation is applied as with
    /// `slow_apply` (it takes `ms`), but the answer is `504` with a plain HTML body (not
    /// Dintero's JSON) after `gateway_ms`.
    GatewayTimeout,
    /// A gateway in front of Dintero answers `502` at once with a plain HTML body (not
    /// Dintero's JSON); nothing is applied.
    #[serde(rename = "gateway_502")]
    Gateway502,
}

impl FaultKind {
    /// Every fault kind, in the order the catalog lists them.
    pub const ALL: &'static [FaultKind] = &[
        FaultKind::Status500,
        FaultKind::Status502,
        FaultKind::Status503,
        FaultKind::Status403,
        FaultKind::Status429,
        FaultKind::Delay,
        FaultKind::SlowApply,
        FaultKind::ResetBeforeApply,
        FaultKind::ResetAfterApply,
        FaultKind::MalformedJson,
        FaultKind::Accepted202,
        FaultKind::FailedEvent,
        FaultKind::GatewayTimeout,
        FaultKind::Gateway502,
    ];

    /// The name `POST /_emulator/faults` takes (`status_503`, `slow_apply`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            FaultKind::Status500 => "status_500",
            FaultKind::Status502 => "status_502",
            FaultKind::Status503 => "status_503",
            FaultKind::Status403 => "status_403",
            FaultKind::Status429 => "status_429",
            FaultKind::Delay => "delay",
            FaultKind::SlowApply => "slow_apply",
            FaultKind::ResetBeforeApply => "reset_before_apply",
            FaultKind::ResetAfterApply => "reset_after_apply",
            FaultKind::MalformedJson => "malformed_json",
            FaultKind::Accepted202 => "accepted_202",
            FaultKind::FailedEvent => "failed_event",
            FaultKind::GatewayTimeout => "gateway_timeout",
            FaultKind::Gateway502 => "gateway_502",
        }
    }

    /// True for the faults that only apply to capture, refund and void.
    pub fn only_for_operations(self) -> bool {
        self.operation_only()
    }

    /// Faults that only make sense on capture, refund and void.
    fn operation_only(self) -> bool {
        matches!(self, FaultKind::Accepted202 | FaultKind::FailedEvent)
    }
}

/// A fault to inject; the same JSON as `POST /_emulator/faults`.
///
/// ```json
/// {"route": "capture", "fault": "status_503", "times": 2}
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    /// One of [`FAULT_ROUTES`] (`*` matches every API route).
    pub route: String,
    /// What goes wrong.
    pub fault: FaultKind,
    /// How many matching requests it fires on (default 1).
    #[serde(default = "one")]
    pub times: u32,
    /// Seconds for the `Retry-After` header of `status_429` (default 1).
    #[serde(default)]
    pub retry_after: Option<u64>,
    /// Milliseconds for `delay`, `slow_apply` and `gateway_timeout` (default 1000).
    #[serde(default)]
    pub ms: Option<u64>,
    /// Milliseconds after which `gateway_timeout` answers 504 (default 300).
    #[serde(default)]
    pub gateway_ms: Option<u64>,
}

fn one() -> u32 {
    1
}

impl FaultSpec {
    /// A fault firing once.
    pub fn new(route: &str, fault: FaultKind) -> Self {
        FaultSpec {
            route: route.to_string(),
            fault,
            times: 1,
            retry_after: None,
            ms: None,
            gateway_ms: None,
        }
    }

    /// Checks the route name and the fault/route combination.
    pub(crate) fn check(&self) -> Result<(), String> {
        if !FAULT_ROUTES.contains(&self.route.as_str()) {
            return Err(format!(
                "route: unknown route {:?}; expected one of {}",
                self.route,
                FAULT_ROUTES.join(", ")
            ));
        }
        if self.fault.operation_only()
            && !matches!(self.route.as_str(), "capture" | "refund" | "void" | "*")
        {
            return Err(format!(
                "fault: {} only applies to capture, refund and void, not {:?}",
                serde_json::to_value(self.fault)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
                self.route
            ));
        }
        if self.times == 0 {
            return Err("times: must be at least 1".into());
        }
        for (name, v) in [("ms", self.ms), ("gateway_ms", self.gateway_ms)] {
            if v.is_some_and(|ms| ms > 600_000) {
                return Err(format!("{name}: at most 600000"));
            }
        }
        Ok(())
    }

    fn matches(&self, route: &str) -> bool {
        if self.fault.operation_only() && !matches!(route, "capture" | "refund" | "void") {
            return false;
        }
        self.route == "*" || self.route == route
    }
}

/// Armed faults, consumed first-in first-out.
#[derive(Default)]
pub(crate) struct Faults {
    armed: Mutex<Vec<FaultSpec>>,
    count: AtomicUsize,
}

impl Faults {
    pub fn add(&self, spec: FaultSpec) {
        let mut armed = self.armed.lock().unwrap_or_else(|e| e.into_inner());
        armed.push(spec);
        self.count.store(armed.len(), Ordering::Release);
    }

    pub fn clear(&self) {
        let mut armed = self.armed.lock().unwrap_or_else(|e| e.into_inner());
        armed.clear();
        self.count.store(0, Ordering::Release);
    }

    pub fn list(&self) -> Vec<FaultSpec> {
        self.armed.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Takes one firing of the first fault matching `route`, if any.
    pub fn take(&self, route: &str) -> Option<FaultSpec> {
        if self.count.load(Ordering::Acquire) == 0 {
            return None;
        }
        let mut armed = self.armed.lock().unwrap_or_else(|e| e.into_inner());
        let idx = armed.iter().position(|f| f.matches(route))?;
        let spec = armed[idx].clone();
        armed[idx].times -= 1;
        if armed[idx].times == 0 {
            armed.remove(idx);
        }
        self.count.store(armed.len(), Ordering::Release);
        Some(spec)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_consume() {
        let f: FaultSpec =
            serde_json::from_str(r#"{"route":"capture","fault":"status_503","times":2}"#).unwrap();
        assert_eq!(f.fault, FaultKind::Status503);
        f.check().unwrap();
        let faults = Faults::default();
        faults.add(f);
        assert!(faults.take("refund").is_none());
        assert!(faults.take("capture").is_some());
        assert!(faults.take("capture").is_some());
        assert!(faults.take("capture").is_none());
        let bad: FaultSpec = serde_json::from_str(r#"{"route":"nope","fault":"delay"}"#).unwrap();
        assert!(bad.check().is_err());
        let bad: FaultSpec =
            serde_json::from_str(r#"{"route":"token","fault":"accepted_202"}"#).unwrap();
        assert!(bad.check().is_err());
        let star = FaultSpec::new("*", FaultKind::Accepted202);
        faults.add(star);
        assert!(faults.take("token").is_none());
        assert!(faults.take("void").is_some());
    }
}
