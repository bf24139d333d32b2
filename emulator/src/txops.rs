//! The transaction state machine: capture, refund, void, extend authorization.
//! Callers hold the transaction's `op` lock while calling [`apply`].

use crate::callbacks::{notify, Trigger};
use crate::cards::CardKind;
use crate::error::ApiError;
use crate::model::{Transaction, TxEvent, TxStatus};
use crate::state::{lock, AppState, TxEntry, TxSnapshot};
use crate::util::{fmt_time, uuid};
use crate::validate::{int_field, Problems};
use axum::http::StatusCode;
use serde_json::{json, Map, Value};
use std::sync::Arc;

#[derive(Debug, Clone)]
pub(crate) enum Op {
    Capture {
        amount: i64,
        reference: Option<String>,
        items: Option<Vec<Value>>,
        metadata: Option<Value>,
        final_capture: bool,
    },
    Refund {
        amount: i64,
        reference: Option<String>,
        reason: Option<String>,
        items: Option<Vec<Value>>,
        metadata: Option<Value>,
    },
    Void,
    Extend {
        amount: Option<i64>,
        reference: Option<String>,
        reason: Option<String>,
        final_authorization: bool,
        description: Option<String>,
        items: Option<Vec<Value>>,
    },
}

impl Op {
    pub fn name(&self) -> &'static str {
        match self {
            Op::Capture { .. } => "CAPTURE",
            Op::Refund { .. } => "REFUND",
            Op::Void => "VOID",
            Op::Extend { .. } => "AUTHORIZE",
        }
    }
    /// The event a 202 records at once (`INITIATE_CAPTURE`, ...).
    pub fn initiate_name(&self) -> &'static str {
        match self {
            Op::Capture { .. } => "INITIATE_CAPTURE",
            Op::Refund { .. } => "INITIATE_REFUND",
            _ => "INITIATE_VOID",
        }
    }
    fn verb(&self) -> &'static str {
        match self {
            Op::Capture { .. } => "capture",
            Op::Refund { .. } => "refund",
            Op::Void => "void",
            Op::Extend { .. } => "extend the authorization of",
        }
    }
}

fn opt_string(p: &mut Problems, body: &Map<String, Value>, key: &str) -> Option<String> {
    match body.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            p.add(key, "must be a string");
            None
        }
    }
}

fn op_items(p: &mut Problems, body: &Map<String, Value>) -> Option<Vec<Value>> {
    match body.get("items") {
        None | Some(Value::Null) => None,
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                let path = format!("items[{i}].");
                match item.as_object() {
                    Some(obj) => {
                        int_field(p, obj, "amount", &path, true, i64::MIN);
                        match obj.get("line_id") {
                            Some(Value::String(_)) => {}
                            None => p.add(format!("{path}line_id"), "is required"),
                            Some(_) => p.add(format!("{path}line_id"), "must be a string"),
                        }
                    }
                    None => p.add(format!("items[{i}]"), "must be an object"),
                }
            }
            Some(items.clone())
        }
        Some(_) => {
            p.add("items", "must be an array");
            None
        }
    }
}

fn op_metadata(p: &mut Problems, body: &Map<String, Value>) -> Option<Value> {
    match body.get("metadata") {
        None | Some(Value::Null) => None,
        Some(Value::Object(m)) => {
            for (k, v) in m {
                if !v.is_string() {
                    p.add(format!("metadata.{k}"), "must be a string");
                }
            }
            Some(Value::Object(m.clone()))
        }
        Some(_) => {
            p.add("metadata", "must be an object");
            None
        }
    }
}

/// Parses a capture body.
pub(crate) fn parse_capture(body: &Map<String, Value>) -> Result<Op, ApiError> {
    let mut p = Problems::default();
    let amount = int_field(&mut p, body, "amount", "", true, 1);
    let reference = opt_string(&mut p, body, "capture_reference");
    let items = op_items(&mut p, body);
    let metadata = op_metadata(&mut p, body);
    let final_capture = match body.get("final_capture") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            p.add("final_capture", "must be a boolean");
            false
        }
    };
    p.into_result()?;
    Ok(Op::Capture {
        amount: amount.unwrap_or(0),
        reference,
        items,
        metadata,
        final_capture,
    })
}

/// Parses a refund body.
pub(crate) fn parse_refund(body: &Map<String, Value>) -> Result<Op, ApiError> {
    let mut p = Problems::default();
    let amount = int_field(&mut p, body, "amount", "", true, 1);
    let reference = opt_string(&mut p, body, "refund_reference");
    let reason = opt_string(&mut p, body, "reason");
    let items = op_items(&mut p, body);
    let metadata = op_metadata(&mut p, body);
    p.into_result()?;
    Ok(Op::Refund {
        amount: amount.unwrap_or(0),
        reference,
        reason,
        items,
        metadata,
    })
}

/// Parses an extend-authorization body (all fields optional).
pub(crate) fn parse_extend(body: &Map<String, Value>) -> Result<Op, ApiError> {
    let mut p = Problems::default();
    let amount = int_field(&mut p, body, "amount", "", false, 1);
    let reference = opt_string(&mut p, body, "reference");
    let reason = opt_string(&mut p, body, "reason");
    let description = opt_string(&mut p, body, "description");
    let final_authorization = match body.get("final_authorization") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            p.add("final_authorization", "must be a boolean");
            false
        }
    };
    let items = match body.get("items") {
        None | Some(Value::Null) => None,
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                match item.as_object() {
                    Some(obj) => {
                        int_field(
                            &mut p,
                            obj,
                            "amount",
                            &format!("items[{i}]."),
                            false,
                            i64::MIN,
                        );
                    }
                    None => p.add(format!("items[{i}]"), "must be an object"),
                }
            }
            Some(items.clone())
        }
        Some(_) => {
            p.add("items", "must be an array");
            None
        }
    };
    p.into_result()?;
    Ok(Op::Extend {
        amount,
        reference,
        reason,
        final_authorization,
        description,
        items,
    })
}

fn illegal(tx: &Transaction, op: &Op, why: &str) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "INVALID_OPERATION",
        format!(
            "cannot {} transaction {} with status {}: {why}",
            op.verb(),
            tx.id,
            tx.status.as_str()
        ),
    )
}

fn check_items(tx: &Transaction, items: &Option<Vec<Value>>, amount: i64) -> Result<(), ApiError> {
    let Some(items) = items else { return Ok(()) };
    let mut p = Problems::default();
    let mut sum = 0i64;
    for (i, item) in items.iter().enumerate() {
        let line = item.get("line_id").and_then(Value::as_str).unwrap_or("");
        if !tx.has_line(line) {
            p.add(
                format!("items[{i}].line_id"),
                format!("{line:?} is not a line on transaction {}", tx.id),
            );
        }
        sum = sum.saturating_add(item.get("amount").and_then(Value::as_i64).unwrap_or(0));
    }
    if p.0.is_empty() && !items.is_empty() && sum != amount {
        p.add(
            "items",
            format!("item amounts sum to {sum}, but amount is {amount}"),
        );
    }
    p.into_result()
}

/// Checks the state machine rules for `op` on `tx` (nothing is changed).
pub(crate) fn check(tx: &Transaction, op: &Op) -> Result<(), ApiError> {
    use TxStatus::*;
    match op {
        Op::Capture { amount, items, .. } => {
            if tx.final_captured {
                return Err(illegal(
                    tx,
                    op,
                    "a final capture (final_capture: true) closed the authorization",
                ));
            }
            if !matches!(
                tx.status,
                Authorized | PartiallyCaptured | PartiallyCapturedRefunded
            ) {
                return Err(illegal(tx, op, "only an authorized amount can be captured"));
            }
            let remaining = tx.amount - tx.captured;
            if *amount > remaining {
                return Err(ApiError::validation(vec![(
                    "amount".into(),
                    format!("{amount} exceeds the remaining authorized amount {remaining}"),
                )]));
            }
            check_items(tx, items, *amount)
        }
        Op::Refund { amount, items, .. } => {
            if !matches!(
                tx.status,
                Captured | PartiallyCaptured | PartiallyCapturedRefunded | PartiallyRefunded
            ) {
                return Err(illegal(tx, op, "only a captured amount can be refunded"));
            }
            let remaining = tx.captured - tx.refunded;
            if *amount > remaining {
                return Err(ApiError::validation(vec![(
                    "amount".into(),
                    format!("{amount} exceeds the captured amount not yet refunded {remaining}"),
                )]));
            }
            check_items(tx, items, *amount)
        }
        Op::Void => {
            if tx.status != Authorized {
                return Err(illegal(
                    tx,
                    op,
                    "only an authorization without captures can be voided",
                ));
            }
            Ok(())
        }
        Op::Extend {
            amount,
            items,
            final_authorization,
            ..
        } => {
            if !matches!(tx.status, Authorized | PartiallyCaptured) {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    "CONFLICT",
                    format!(
                        "cannot extend the authorization of transaction {} with status {}",
                        tx.id,
                        tx.status.as_str()
                    ),
                ));
            }
            if updates_authorization(tx) {
                // Klarna: extend (no amount) or update the order amount and lines.
                if *final_authorization {
                    return Err(illegal(
                        tx,
                        op,
                        "final_authorization is for pre-authorized card payments",
                    ));
                }
                if let Some(a) = amount {
                    let Some(lines) = items.as_ref().filter(|i| !i.is_empty()) else {
                        return Err(ApiError::validation(vec![(
                            "items".into(),
                            "are required with amount: they replace the order lines".into(),
                        )]));
                    };
                    let sum: i64 = lines
                        .iter()
                        .map(|i| i.get("amount").and_then(Value::as_i64).unwrap_or(0))
                        .sum();
                    let mut p = Problems::default();
                    for (i, line) in lines.iter().enumerate() {
                        if !line.get("line_id").is_some_and(Value::is_string) {
                            p.add(format!("items[{i}].line_id"), "is required");
                        }
                    }
                    if sum != *a {
                        p.add(
                            "items",
                            format!("item amounts sum to {sum}, but amount is {a}"),
                        );
                    }
                    p.into_result()?;
                }
            } else if !tx.pre_authorized {
                return Err(illegal(
                    tx,
                    op,
                    "it was not pre-authorized (session configuration.pre_authorization: true)",
                ));
            }
            if tx.final_authorized {
                return Err(illegal(
                    tx,
                    op,
                    "a final authorization (final_authorization: true) closed it",
                ));
            }
            if let Some(a) = amount {
                if *a < tx.captured {
                    return Err(ApiError::validation(vec![(
                        "amount".into(),
                        format!("{a} is less than the captured amount {}", tx.captured),
                    )]));
                }
            }
            Ok(())
        }
    }
}

/// Methods whose authorization can be extended and changed after payment (Klarna).
fn updates_authorization(tx: &Transaction) -> bool {
    crate::methods::find(tx.payment_product_type).is_some_and(|m| m.authorization_updates)
}

fn times_out(tx: &Transaction, op: &Op) -> bool {
    matches!(
        (tx.card_kind, op),
        (CardKind::CaptureTimeout, Op::Capture { .. })
            | (CardKind::RefundTimeout, Op::Refund { .. })
            | (CardKind::VoidTimeout, Op::Void)
    )
}

/// Appends an unsuccessful event for `op` (status unchanged) and stores the transaction.
pub(crate) fn record_failed_event(
    st: &AppState,
    entry: &TxEntry,
    op: &Op,
    request_id: &str,
    correlation: Option<String>,
    error: Value,
) -> Arc<TxSnapshot> {
    let mut tx = entry.snapshot().tx.clone();
    let now = st.now();
    let mut ev = event(st, &tx, op, request_id, correlation);
    ev.success = false;
    ev.error = Some(error);
    ev.created_at = fmt_time(now);
    tx.events.push(ev);
    tx.updated_at = fmt_time(now);
    entry.store(tx)
}

/// Records an unsuccessful event for a queued (202) operation that could not be applied, so
/// the merchant polling for `correlation` sees the outcome. No-op when one is already there.
pub(crate) fn record_queued_failure(
    st: &AppState,
    entry: &TxEntry,
    op: &Op,
    request_id: &str,
    correlation: &str,
    error: &ApiError,
) {
    let done = entry
        .snapshot()
        .tx
        .events
        .iter()
        .any(|e| e.correlation_request_id.as_deref() == Some(correlation));
    if !done {
        let error = json!({"code": error.code, "message": error.message});
        record_failed_event(
            st,
            entry,
            op,
            request_id,
            Some(correlation.to_string()),
            error,
        );
    }
}

/// Records the `INITIATE_*` event of an accepted (202) operation: successful, with
/// `request_id` = the `event-request-id` header, and the status unchanged.
pub(crate) fn record_initiate(
    st: &AppState,
    entry: &TxEntry,
    op: &Op,
    event_request_id: &str,
) -> Arc<TxSnapshot> {
    let mut tx = entry.snapshot().tx.clone();
    let mut ev = event(st, &tx, op, event_request_id, None);
    ev.event = op.initiate_name();
    tx.updated_at = ev.created_at.clone();
    tx.events.push(ev);
    entry.store(tx)
}

/// Fault `failed_event`: the operation is refused by the processor. The request is checked
/// first (an invalid one still gets 400); then an unsuccessful event is recorded.
pub(crate) fn fail(
    st: &AppState,
    entry: &TxEntry,
    op: &Op,
    request_id: &str,
) -> Result<Arc<TxSnapshot>, ApiError> {
    check(&entry.snapshot().tx, op)?;
    let error = json!({
        "code": FAILED_EVENT_CODE,
        "message": format!("the card processor declined the {} (fault failed_event)", op.verb()),
    });
    Ok(record_failed_event(st, entry, op, request_id, None, error))
}

/// `error.code` of the event recorded by fault `failed_event`.
pub(crate) const FAILED_EVENT_CODE: &str = "DECLINED";

/// Applies `op` to the transaction. The caller holds `entry.op`. On a timeout card this
/// waits `card_timeout`, records an unsuccessful event and answers 503 without applying.
pub(crate) async fn apply(
    st: &Arc<AppState>,
    entry: &TxEntry,
    op: &Op,
    request_id: &str,
    correlation: Option<String>,
) -> Result<Arc<TxSnapshot>, ApiError> {
    let mut tx = entry.snapshot().tx.clone();
    check(&tx, op)?;
    if times_out(&tx, op) {
        let generation = st.generation.load(std::sync::atomic::Ordering::SeqCst);
        tokio::time::sleep(st.card_timeout()).await;
        if st.generation.load(std::sync::atomic::Ordering::SeqCst) == generation {
            let error = json!({
                "code": "TIMEOUT",
                "message": format!("{} timed out at the card processor", op.verb()),
            });
            record_failed_event(st, entry, op, request_id, correlation, error);
        }
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "PROCESSOR_UNAVAILABLE",
            format!(
                "the card processor timed out; {} was not applied",
                op.name().to_ascii_lowercase()
            ),
        ));
    }
    let now = st.now();
    match op {
        Op::Capture {
            amount,
            final_capture,
            ..
        } => {
            tx.captured += amount;
            tx.final_captured |= *final_capture;
        }
        Op::Refund { amount, .. } => tx.refunded += amount,
        Op::Void => tx.voided = true,
        Op::Extend {
            amount,
            final_authorization,
            items,
            ..
        } => {
            if let Some(a) = amount {
                tx.amount = *a;
                if updates_authorization(&tx) {
                    if let Some(lines) = items {
                        tx.items = lines.clone();
                    }
                }
            }
            tx.final_authorized |= *final_authorization;
        }
    }
    tx.status = tx.derived_status();
    let ev = event(st, &tx, op, request_id, correlation);
    let event_id = ev.id.clone();
    tx.events.push(ev);
    tx.updated_at = fmt_time(now);
    let snap = entry.store(tx);
    if !matches!(op, Op::Extend { .. }) {
        if let Some(session) = st.session(&snap.tx.session_id) {
            let session = lock(&session.data).clone();
            notify(
                st,
                &session,
                Some(&snap.tx),
                Trigger::Event(op.name(), &event_id),
            );
        }
    }
    Ok(snap)
}

fn event(
    st: &AppState,
    tx: &Transaction,
    op: &Op,
    request_id: &str,
    correlation: Option<String>,
) -> TxEvent {
    // The session's `order.event_reference` is the default reference of every event.
    let default_reference = || {
        st.session(&tx.session_id).and_then(|s| {
            lock(&s.data)
                .order_str("event_reference")
                .map(str::to_string)
        })
    };
    let mut ev = TxEvent {
        id: uuid(),
        event: op.name(),
        transaction_status: tx.status,
        success: true,
        amount: None,
        items: None,
        event_reference: None,
        metadata: None,
        error: None,
        created_at: fmt_time(st.now()),
        created_by: Some(st.config.client_id.clone()),
        request_id: request_id.to_string(),
        correlation_request_id: correlation,
    };
    match op {
        Op::Capture {
            amount,
            reference,
            items,
            metadata,
            ..
        } => {
            ev.amount = Some(*amount);
            ev.items = items.clone();
            ev.event_reference = reference.clone().or_else(default_reference);
            ev.metadata = metadata.clone();
        }
        Op::Refund {
            amount,
            reference,
            reason,
            items,
            metadata,
        } => {
            ev.amount = Some(*amount);
            ev.items = items.clone();
            ev.event_reference = reference.clone().or_else(default_reference);
            let mut m = metadata
                .as_ref()
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            if let Some(r) = reason {
                m.insert("reason".into(), json!(r));
            }
            if !m.is_empty() {
                ev.metadata = Some(Value::Object(m));
            }
        }
        Op::Void => {
            ev.amount = Some(tx.amount - tx.captured);
            ev.event_reference = default_reference();
        }
        Op::Extend {
            amount,
            reference,
            reason,
            description,
            items,
            ..
        } => {
            ev.amount = Some(amount.unwrap_or(tx.amount));
            ev.event_reference = reference.clone();
            ev.items = items.clone();
            let mut m = Map::new();
            if let Some(r) = reason {
                m.insert("reason".into(), json!(r));
            }
            if let Some(d) = description {
                m.insert("description".into(), json!(d));
            }
            if !m.is_empty() {
                ev.metadata = Some(Value::Object(m));
            }
        }
    }
    ev
}
