//! Paying or cancelling a session as the customer would on the checkout page. Used by the
//! hosted page, the control API and the library API alike.

use crate::callbacks::{notify, Trigger};
use crate::cards::{lookup, CardKind, TestCard};
use crate::error::ApiError;
use crate::methods::{self, Method, Outcome, CARD};
use crate::model::{Session, Transaction, TxEvent, TxStatus};
use crate::state::{lock, AppState};
use crate::util::{append_query, fmt_time, object_id, uuid};
use crate::PayOutcome;
use serde_json::{json, Map, Value};
use std::sync::Arc;

fn redirect(session: &Session, pairs: &[(&str, &str)]) -> String {
    append_query(&session.return_url(), pairs)
}

/// How a payment attempt ended, as the checkout page reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PayResult {
    /// AUTHORIZED.
    Authorized,
    /// CAPTURED at once (auto-capture, or a method such as Swish).
    Captured,
    /// ON_HOLD: decided later.
    OnHold,
    /// Declined or refused without a transaction: the session stays payable.
    Declined,
    /// A FAILED transaction: the session cannot be paid again.
    Failed,
    /// The customer cancelled.
    Cancelled,
}

impl PayResult {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            PayResult::Authorized => "authorized",
            PayResult::Captured => "captured",
            PayResult::OnHold => "on_hold",
            PayResult::Declined => "declined",
            PayResult::Failed => "failed",
            PayResult::Cancelled => "cancelled",
        }
    }
}

/// A payment attempt's outcome with what the page shows.
#[derive(Debug, Clone)]
pub(crate) struct Paid {
    pub outcome: PayOutcome,
    pub result: PayResult,
    /// The `error` query parameter of the redirect, if any.
    pub error: Option<&'static str>,
    /// One sentence for the customer.
    pub message: String,
}

impl Paid {
    /// The control API's and the page's JSON answer.
    pub(crate) fn to_json(&self, session: &Session) -> Value {
        let mut v = json!({
            "result": self.result.as_str(),
            "redirect_url": self.outcome.redirect_url,
            "merchant_reference": session.merchant_reference(),
            "message": self.message,
        });
        if let Some(t) = &self.outcome.transaction_id {
            v["transaction_id"] = json!(t);
        }
        if let Some(e) = self.error {
            v["error"] = json!(e);
        }
        v
    }
}

fn not_found(session_id: &str) -> ApiError {
    ApiError::not_found(format!("session {session_id:?} not found"))
}

/// Refuses a method the session does not offer.
fn ensure_offered(session: &Session, product_type: &str) -> Result<&'static Method, ApiError> {
    let Some(method) = methods::find(product_type) else {
        let known: Vec<&str> = methods::METHODS.iter().map(|m| m.product_type).collect();
        return Err(ApiError::validation(vec![(
            "payment_product_type".into(),
            format!(
                "{product_type:?} is not a payment method of the emulator; use one of {}",
                known.join(", ")
            ),
        )]));
    };
    if !methods::enabled(session)
        .iter()
        .any(|m| m.product_type == product_type)
    {
        let why = if method.offered_in(&session.currency()) {
            let mut path = String::from("configuration");
            for p in method.config_path {
                path.push('.');
                path.push_str(p);
            }
            format!("it is not enabled for this session ({path}.enabled)")
        } else {
            format!(
                "it is only offered in {} and the order is in {}",
                method.currencies.join(", "),
                session.currency()
            )
        };
        return Err(rejected(format!("cannot pay with {product_type}: {why}")));
    }
    Ok(method)
}

fn rejected(msg: impl Into<String>) -> ApiError {
    ApiError::new(
        axum::http::StatusCode::BAD_REQUEST,
        "SESSION_NOT_PAYABLE",
        msg,
    )
}

/// Normalises `MM/YY` or `MM/YYYY` to `MM/YYYY`; `None` when blank.
fn parse_expiry(raw: Option<&str>, now: time::OffsetDateTime) -> Result<Option<String>, ApiError> {
    let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let bad = || {
        ApiError::validation(vec![(
            "expiry".into(),
            format!("must be MM/YY or MM/YYYY, got {raw:?}"),
        )])
    };
    let (m, y) = raw.split_once('/').ok_or_else(bad)?;
    let month: u32 = m.trim().parse().map_err(|_| bad())?;
    let y = y.trim();
    let year: i32 = match y.len() {
        2 => 2000 + y.parse::<i32>().map_err(|_| bad())?,
        4 => y.parse().map_err(|_| bad())?,
        _ => return Err(bad()),
    };
    if !(1..=12).contains(&month) {
        return Err(bad());
    }
    let current = (now.year(), now.month() as u32);
    if (year, month) < current {
        return Err(ApiError::validation(vec![(
            "expiry".into(),
            format!("the card expired in {month:02}/{year}"),
        )]));
    }
    Ok(Some(format!("{month:02}/{year}")))
}

/// Pays session `session_id` with a test card.
pub(crate) async fn pay(
    st: &Arc<AppState>,
    session_id: &str,
    card_number: &str,
    expiry: Option<&str>,
) -> Result<PayOutcome, ApiError> {
    pay_card(st, session_id, card_number, expiry)
        .await
        .map(|p| p.outcome)
}

/// Pays with a method by its `payment_product_type`; `input` is the card number for cards
/// and the phone number otherwise.
pub(crate) async fn pay_with(
    st: &Arc<AppState>,
    session_id: &str,
    product_type: &str,
    input: &str,
    expiry: Option<&str>,
) -> Result<Paid, ApiError> {
    if product_type == CARD {
        pay_card(st, session_id, input, expiry).await
    } else {
        pay_phone(st, session_id, product_type, input).await
    }
}

/// Pays session `session_id` with a test card.
pub(crate) async fn pay_card(
    st: &Arc<AppState>,
    session_id: &str,
    card_number: &str,
    expiry: Option<&str>,
) -> Result<Paid, ApiError> {
    let entry = st
        .session(session_id)
        .ok_or_else(|| not_found(session_id))?;
    let _op = entry.op.lock().await;
    let now = st.now();
    let session = lock(&entry.data).clone();
    if let Some(reason) = session.not_payable_reason(now) {
        return Err(rejected(format!("cannot pay: {reason}")));
    }
    let method = ensure_offered(&session, CARD)?;
    let card = lookup(card_number).ok_or_else(|| {
        ApiError::validation(vec![(
            "card_number".into(),
            "unknown test card; use e.g. 4000 0000 0000 0002 (approved) or 4100 0000 0000 0076 (declined)".into(),
        )])
    })?;
    let expiry = parse_expiry(expiry, now)?.unwrap_or_else(|| format!("12/{}", now.year() + 3));
    let mref = session.merchant_reference();

    match card.kind {
        CardKind::Decline | CardKind::ThreeDsFailed => {
            // A failed 3DS verification means the customer did not authorize the payment.
            let error = if card.kind == CardKind::ThreeDsFailed {
                "authorization"
            } else {
                "failed"
            };
            let s = {
                let mut s = lock(&entry.data);
                s.locked = false;
                s.push_event(
                    "DECLINED",
                    now,
                    Some(json!({
                        "error": format!("declined: {}", card.scenario),
                        "payment_product_type": "dintero_psp.creditcard",
                    })),
                );
                s.clone()
            };
            notify(st, &s, None, Trigger::Error(error));
            Ok(Paid {
                outcome: PayOutcome {
                    transaction_id: None,
                    redirect_url: redirect(
                        &s,
                        &[
                            ("error", error),
                            ("merchant_reference", &mref),
                            ("session_id", &s.id),
                        ],
                    ),
                },
                result: PayResult::Declined,
                error: Some(error),
                message: if card.kind == CardKind::ThreeDsFailed {
                    "The card could not be verified (3-D Secure). Try another card.".into()
                } else {
                    "The card was declined. Try another card or another payment method.".into()
                },
            })
        }
        CardKind::AuthTimeout => {
            let generation = st.generation.load(std::sync::atomic::Ordering::SeqCst);
            tokio::time::sleep(st.card_timeout()).await;
            if st.generation.load(std::sync::atomic::Ordering::SeqCst) != generation {
                return Err(ApiError::not_found(format!(
                    "session {session_id:?} not found"
                )));
            }
            let now = st.now();
            let mut tx = new_transaction(st, &session, method, Some((&card, &expiry)), now);
            let mut auth = tx_event(st, "AUTHORIZE", TxStatus::Failed, Some(tx.amount));
            auth.success = false;
            auth.error = Some(json!({"code": "TIMEOUT", "message": "authorization timed out"}));
            tx.status = TxStatus::Failed;
            tx.events.push(auth);
            let tx_id = tx.id.clone();
            st.insert_tx(tx.clone());
            let s = {
                let mut s = lock(&entry.data);
                s.locked = false;
                s.transaction_id = Some(tx_id.clone());
                s.push_event(
                    "FAILED",
                    now,
                    Some(json!({"error": "authorization timed out", "payment_product_type": "dintero_psp.creditcard"})),
                );
                s.clone()
            };
            notify(st, &s, Some(&tx), Trigger::Error("failed"));
            Ok(Paid {
                outcome: PayOutcome {
                    transaction_id: Some(tx_id.clone()),
                    redirect_url: redirect(
                        &s,
                        &[
                            ("error", "failed"),
                            ("transaction_id", &tx_id),
                            ("merchant_reference", &mref),
                            ("session_id", &s.id),
                        ],
                    ),
                },
                result: PayResult::Failed,
                error: Some("failed"),
                message: "The payment failed: the card processor did not answer.".into(),
            })
        }
        _ => {
            let mut tx = new_transaction(st, &session, method, Some((&card, &expiry)), now);
            let auth = tx_event(st, "AUTHORIZE", TxStatus::Authorized, Some(tx.amount));
            let auth_id = auth.id.clone();
            tx.events.push(auth);
            tx.status = TxStatus::Authorized;
            let mut auto_capture_failed = false;
            if session.auto_capture() {
                if card.kind == CardKind::AutoCaptureTimeout {
                    let generation = st.generation.load(std::sync::atomic::Ordering::SeqCst);
                    tokio::time::sleep(st.card_timeout()).await;
                    if st.generation.load(std::sync::atomic::Ordering::SeqCst) != generation {
                        return Err(ApiError::not_found(format!(
                            "session {session_id:?} not found"
                        )));
                    }
                    let mut cap = tx_event(st, "CAPTURE", TxStatus::Authorized, Some(tx.amount));
                    cap.success = false;
                    cap.error =
                        Some(json!({"code": "TIMEOUT", "message": "auto-capture timed out"}));
                    tx.events.push(cap);
                    auto_capture_failed = true;
                } else {
                    let mut cap = tx_event(st, "CAPTURE", TxStatus::Captured, Some(tx.amount));
                    cap.items = Some(tx.items.iter().map(capture_line).collect());
                    tx.events.push(cap);
                    tx.captured = tx.amount;
                    tx.status = TxStatus::Captured;
                }
            }
            tx.updated_at = fmt_time(st.now());
            let tx_id = tx.id.clone();
            st.insert_tx(tx.clone());
            let s = {
                let mut s = lock(&entry.data);
                s.locked = false;
                s.transaction_id = Some(tx_id.clone());
                s.push_event(
                    "AUTHORIZED",
                    st.now(),
                    Some(json!({
                        "payment_product_type": "dintero_psp.creditcard",
                        "amount": tx.amount,
                        "transaction_event_id": auth_id,
                    })),
                );
                s.clone()
            };
            // With auto-capture the success callback waits for CAPTURED; a failed
            // auto-capture is reported as an error (`report_error`) instead.
            let trigger = if auto_capture_failed {
                Trigger::Error("captured")
            } else {
                Trigger::Authorized
            };
            notify(st, &s, Some(&tx), trigger);
            Ok(Paid {
                outcome: PayOutcome {
                    transaction_id: Some(tx_id.clone()),
                    redirect_url: redirect(
                        &s,
                        &[
                            ("transaction_id", &tx_id),
                            ("merchant_reference", &mref),
                            ("session_id", &s.id),
                        ],
                    ),
                },
                result: if tx.status == TxStatus::Captured {
                    PayResult::Captured
                } else {
                    PayResult::Authorized
                },
                error: None,
                message: "Payment received.".into(),
            })
        }
    }
}

/// Pays with a phone-based method (Vipps, Swish, invoice, Klarna) and one of its test
/// phone numbers.
pub(crate) async fn pay_phone(
    st: &Arc<AppState>,
    session_id: &str,
    product_type: &str,
    phone: &str,
) -> Result<Paid, ApiError> {
    let entry = st
        .session(session_id)
        .ok_or_else(|| not_found(session_id))?;
    let _op = entry.op.lock().await;
    let now = st.now();
    let session = lock(&entry.data).clone();
    if let Some(reason) = session.not_payable_reason(now) {
        return Err(rejected(format!("cannot pay: {reason}")));
    }
    let method = ensure_offered(&session, product_type)?;
    let test = method.phone_input(phone).ok_or_else(|| {
        ApiError::validation(vec![(
            "phone_number".into(),
            format!(
                "{phone:?} is not a {} test number; use {}",
                method.label,
                method.hint()
            ),
        )])
    })?;
    let mref = session.merchant_reference();
    match test.outcome {
        Outcome::Reject | Outcome::Fail => {
            let error = if test.outcome == Outcome::Reject {
                "authorization"
            } else {
                "failed"
            };
            let s = {
                let mut s = lock(&entry.data);
                s.locked = false;
                s.push_event(
                    "DECLINED",
                    now,
                    Some(json!({
                        "error": format!("declined: {}", test.description),
                        "payment_product_type": method.product_type,
                    })),
                );
                s.clone()
            };
            notify(st, &s, None, Trigger::Error(error));
            let message = if test.outcome == Outcome::Reject {
                format!(
                    "The payment was not confirmed in {}. Try again or choose another payment method.",
                    method.label
                )
            } else {
                format!(
                    "{} could not accept the payment. Choose another payment method.",
                    method.label
                )
            };
            Ok(Paid {
                outcome: PayOutcome {
                    transaction_id: None,
                    redirect_url: redirect(
                        &s,
                        &[
                            ("error", error),
                            ("merchant_reference", &mref),
                            ("session_id", &s.id),
                        ],
                    ),
                },
                result: PayResult::Declined,
                error: Some(error),
                message,
            })
        }
        Outcome::Approve | Outcome::OnHold => {
            let mut tx = new_transaction(st, &session, method, None, now);
            let customer = tx.customer.get_or_insert_with(|| json!({}));
            if let Some(c) = customer.as_object_mut() {
                c.entry("phone_number").or_insert_with(|| json!(test.value));
            }
            let on_hold = test.outcome == Outcome::OnHold;
            let status = if on_hold {
                TxStatus::OnHold
            } else {
                TxStatus::Authorized
            };
            let auth = tx_event(st, "AUTHORIZE", status, Some(tx.amount));
            let auth_id = auth.id.clone();
            tx.events.push(auth);
            tx.status = status;
            if !on_hold && (method.captures_at_once || session.auto_capture()) {
                capture_all(st, &mut tx);
            }
            tx.updated_at = fmt_time(st.now());
            let tx_id = tx.id.clone();
            st.insert_tx(tx.clone());
            let s = {
                let mut s = lock(&entry.data);
                s.locked = false;
                s.transaction_id = Some(tx_id.clone());
                if !on_hold {
                    s.push_event(
                        "AUTHORIZED",
                        st.now(),
                        Some(json!({
                            "payment_product_type": method.product_type,
                            "amount": tx.amount,
                            "transaction_event_id": auth_id,
                        })),
                    );
                }
                s.clone()
            };
            let trigger = if on_hold {
                Trigger::OnHold
            } else {
                Trigger::Authorized
            };
            notify(st, &s, Some(&tx), trigger);
            let (result, message) = match tx.status {
                TxStatus::OnHold => (
                    PayResult::OnHold,
                    format!(
                        "Thank you. {} is reviewing the purchase; the shop will confirm the order.",
                        method.label
                    ),
                ),
                TxStatus::Captured => (PayResult::Captured, "Payment received.".to_string()),
                _ => (PayResult::Authorized, "Payment received.".to_string()),
            };
            Ok(Paid {
                outcome: PayOutcome {
                    transaction_id: Some(tx_id.clone()),
                    redirect_url: redirect(
                        &s,
                        &[
                            ("transaction_id", &tx_id),
                            ("merchant_reference", &mref),
                            ("session_id", &s.id),
                        ],
                    ),
                },
                result,
                error: None,
                message,
            })
        }
    }
}

/// Captures the whole amount at payment time (auto-capture, or a method that is paid and
/// captured in one step).
fn capture_all(st: &AppState, tx: &mut Transaction) {
    let mut cap = tx_event(st, "CAPTURE", TxStatus::Captured, Some(tx.amount));
    cap.items = Some(tx.items.iter().map(capture_line).collect());
    tx.events.push(cap);
    tx.captured = tx.amount;
    tx.status = TxStatus::Captured;
}

/// Decides an ON_HOLD transaction: approved it becomes AUTHORIZED (CAPTURED with
/// auto-capture), declined it becomes FAILED. Either way the session's callback is sent
/// again.
pub(crate) async fn decide(
    st: &Arc<AppState>,
    transaction_id: &str,
    approve: bool,
) -> Result<Value, ApiError> {
    let entry = st
        .tx(transaction_id)
        .ok_or_else(|| ApiError::not_found(format!("transaction {transaction_id:?} not found")))?;
    let _op = entry.op.lock().await;
    let mut tx = entry.snapshot().tx.clone();
    if tx.status != TxStatus::OnHold {
        return Err(ApiError::new(
            axum::http::StatusCode::BAD_REQUEST,
            "INVALID_OPERATION",
            format!(
                "transaction {transaction_id} has status {}; only an ON_HOLD transaction can be decided",
                tx.status.as_str()
            ),
        ));
    }
    let session = st.session(&tx.session_id);
    let auto_capture = session
        .as_ref()
        .is_some_and(|s| lock(&s.data).auto_capture());
    let now = st.now();
    let event_id;
    if approve {
        let ev = tx_event(st, "AUTHORIZE", TxStatus::Authorized, Some(tx.amount));
        event_id = ev.id.clone();
        tx.events.push(ev);
        tx.status = TxStatus::Authorized;
        if auto_capture {
            capture_all(st, &mut tx);
        }
    } else {
        let mut ev = tx_event(st, "AUTHORIZE", TxStatus::Failed, Some(tx.amount));
        ev.success = false;
        ev.error = Some(json!({"code": "DECLINED", "message": "declined after manual review"}));
        event_id = ev.id.clone();
        tx.events.push(ev);
        tx.status = TxStatus::Failed;
    }
    tx.updated_at = fmt_time(now);
    let snap = entry.store(tx);
    if let Some(entry) = session {
        let s = {
            let mut s = lock(&entry.data);
            if approve {
                s.push_event(
                    "AUTHORIZED",
                    now,
                    Some(json!({
                        "payment_product_type": snap.tx.payment_product_type,
                        "amount": snap.tx.amount,
                        "transaction_event_id": event_id,
                    })),
                );
            } else {
                s.push_event(
                    "FAILED",
                    now,
                    Some(json!({
                        "error": "declined after manual review",
                        "payment_product_type": snap.tx.payment_product_type,
                    })),
                );
            }
            s.clone()
        };
        let trigger = if approve {
            Trigger::Authorized
        } else {
            Trigger::Released
        };
        notify(st, &s, Some(&snap.tx), trigger);
    }
    Ok(serde_json::from_slice(&snap.json).unwrap_or_default())
}

/// Locks the session for payment, as the checkout does when the customer starts paying or
/// the shop asks (`LockSession`). Answers the lock's id: the `PAY_LOCK_START` event's id.
pub(crate) fn lock_for_payment(
    st: &AppState,
    session_id: &str,
) -> Result<(String, Session), ApiError> {
    let entry = st
        .session(session_id)
        .ok_or_else(|| not_found(session_id))?;
    let now = st.now();
    let mut s = lock(&entry.data);
    if let Some(reason) = s.not_payable_reason(now) {
        return Err(ApiError::bad_request(format!("cannot lock: {reason}")));
    }
    if !s.locked {
        s.locked = true;
        s.push_event("PAY_LOCK_START", now, None);
    }
    let id = s
        .events
        .iter()
        .rev()
        .find(|e| e["name"] == "PAY_LOCK_START")
        .and_then(|e| e["id"].as_str())
        .unwrap_or_default()
        .to_string();
    Ok((id, s.clone()))
}

/// The customer presses Cancel on the checkout page.
pub(crate) async fn cancel(st: &Arc<AppState>, session_id: &str) -> Result<PayOutcome, ApiError> {
    cancel_paid(st, session_id).await.map(|p| p.outcome)
}

/// [`cancel`] with what the page shows.
pub(crate) async fn cancel_paid(st: &Arc<AppState>, session_id: &str) -> Result<Paid, ApiError> {
    let entry = st
        .session(session_id)
        .ok_or_else(|| ApiError::not_found(format!("session {session_id:?} not found")))?;
    let _op = entry.op.lock().await;
    let now = st.now();
    let s = {
        let mut s = lock(&entry.data);
        if let Some(reason) = s.not_payable_reason(now) {
            return Err(rejected(format!("cannot cancel: {reason}")));
        }
        s.locked = false;
        s.cancelled_at = Some(now);
        s.cancelled_by = Some("customer".into());
        s.push_event("CANCELLED", now, None);
        s.clone()
    };
    notify(st, &s, None, Trigger::Error("cancelled"));
    let mref = s.merchant_reference();
    Ok(Paid {
        outcome: PayOutcome {
            transaction_id: None,
            redirect_url: redirect(
                &s,
                &[
                    ("error", "cancelled"),
                    ("merchant_reference", &mref),
                    ("session_id", &s.id),
                ],
            ),
        },
        result: PayResult::Cancelled,
        error: Some("cancelled"),
        message: "The payment was cancelled.".into(),
    })
}

fn capture_line(item: &Value) -> Value {
    let mut m = Map::new();
    for key in ["line_id", "amount", "quantity"] {
        if let Some(v) = item.get(key) {
            m.insert(key.into(), v.clone());
        }
    }
    Value::Object(m)
}

fn tx_event(st: &AppState, name: &'static str, status: TxStatus, amount: Option<i64>) -> TxEvent {
    TxEvent {
        id: uuid(),
        event: name,
        transaction_status: status,
        success: true,
        amount,
        items: None,
        event_reference: None,
        metadata: None,
        error: None,
        created_at: fmt_time(st.now()),
        created_by: None,
        request_id: uuid(),
        correlation_request_id: None,
    }
}

fn new_transaction(
    st: &AppState,
    session: &Session,
    method: &Method,
    card: Option<(&TestCard, &str)>,
    now: time::OffsetDateTime,
) -> Transaction {
    let order = session.order().cloned().unwrap_or_default();
    let mut items: Vec<Value> = order
        .get("items")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let shipping_option = order.get("shipping_option").cloned();
    if let Some(so) = shipping_option.as_ref().and_then(Value::as_object) {
        let mut line = Map::new();
        if let Some(v) = so.get("id") {
            line.insert("id".into(), v.clone());
        }
        if let Some(v) = so.get("line_id") {
            line.insert("line_id".into(), v.clone());
        }
        if let Some(v) = so.get("title") {
            line.insert("description".into(), v.clone());
        }
        line.insert("quantity".into(), json!(1));
        for key in ["amount", "vat_amount", "vat"] {
            if let Some(v) = so.get(key) {
                line.insert(key.into(), v.clone());
            }
        }
        line.insert("type".into(), json!("shipping"));
        items.push(Value::Object(line));
    }
    let channel = session
        .body
        .get("configuration")
        .and_then(|c| c.get("channel"))
        .and_then(Value::as_str)
        .filter(|c| ["ecommerce", "in_app", "in_store"].contains(c))
        .unwrap_or("ecommerce")
        .to_string();
    let customer = session
        .body
        .get("customer")
        .and_then(Value::as_object)
        .map(|c| {
            let m: Map<String, Value> = c
                .iter()
                .filter(|(k, v)| {
                    ["customer_id", "email", "phone_number"].contains(&k.as_str()) && v.is_string()
                })
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            Value::Object(m)
        });
    let mut url = Map::new();
    url.insert("redirect_url".into(), json!(session.return_url()));
    if let Some(cb) = session.callback_url() {
        url.insert("callback_url".into(), json!(cb));
    }
    let mut metadata = Map::new();
    if let Some(pid) = &session.profile_id {
        metadata.insert("session:profile_id".into(), json!(pid));
    }
    let amount = session.amount();
    Transaction {
        id: object_id(&st.config.account_id),
        session_id: session.id.clone(),
        status: TxStatus::Initiated,
        amount,
        currency: session.currency(),
        merchant_reference: session.merchant_reference(),
        merchant_reference_2: session
            .order_str("merchant_reference_2")
            .map(str::to_string),
        payment_product: method.product,
        payment_product_type: method.product_type,
        channel,
        items,
        shipping_option,
        customer,
        shipping_address: order.get("shipping_address").cloned(),
        billing_address: order.get("billing_address").cloned(),
        card: card.map_or(Value::Null, |(card, expiry)| {
            json!({
                "brand": card.brand,
                "masked_pan": card.masked_pan(),
                "expiry_date": expiry,
                "type": "Credit",
                "country": "NO",
            })
        }),
        url: Value::Object(url),
        metadata,
        events: vec![tx_event(
            st,
            "INITIALIZE",
            TxStatus::Initiated,
            Some(amount),
        )],
        created_at: fmt_time(now),
        updated_at: fmt_time(now),
        created: now,
        card_kind: card.map_or(CardKind::Approve, |(c, _)| c.kind),
        captured: 0,
        refunded: 0,
        voided: false,
        final_captured: false,
        pre_authorized: card.is_some() && session.pre_authorization(),
        final_authorized: false,
    }
}
