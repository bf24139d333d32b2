//! Paying or cancelling a session as the customer would on the checkout page. Used by the
//! hosted page, the control API and the library API alike.

use crate::callbacks::{notify, Trigger};
use crate::cards::{lookup, CardKind, TestCard};
use crate::error::ApiError;
use crate::model::{Session, Transaction, TxEvent, TxStatus};
use crate::state::{lock, AppState};
use crate::util::{append_query, fmt_time, object_id, uuid};
use crate::PayOutcome;
use serde_json::{json, Map, Value};
use std::sync::Arc;

fn redirect(session: &Session, pairs: &[(&str, &str)]) -> String {
    append_query(&session.return_url(), pairs)
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
    let entry = st
        .session(session_id)
        .ok_or_else(|| ApiError::not_found(format!("session {session_id:?} not found")))?;
    let _op = entry.op.lock().await;
    let now = st.now();
    let session = lock(&entry.data).clone();
    if let Some(reason) = session.not_payable_reason(now) {
        return Err(rejected(format!("cannot pay: {reason}")));
    }
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
            Ok(PayOutcome {
                transaction_id: None,
                redirect_url: redirect(
                    &s,
                    &[
                        ("error", error),
                        ("merchant_reference", &mref),
                        ("session_id", &s.id),
                    ],
                ),
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
            let mut tx = new_transaction(st, &session, &card, &expiry, now);
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
            Ok(PayOutcome {
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
            })
        }
        _ => {
            let mut tx = new_transaction(st, &session, &card, &expiry, now);
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
            Ok(PayOutcome {
                transaction_id: Some(tx_id.clone()),
                redirect_url: redirect(
                    &s,
                    &[
                        ("transaction_id", &tx_id),
                        ("merchant_reference", &mref),
                        ("session_id", &s.id),
                    ],
                ),
            })
        }
    }
}

/// The customer presses Cancel on the checkout page.
pub(crate) async fn cancel(st: &Arc<AppState>, session_id: &str) -> Result<PayOutcome, ApiError> {
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
    Ok(PayOutcome {
        transaction_id: None,
        redirect_url: redirect(
            &s,
            &[
                ("error", "cancelled"),
                ("merchant_reference", &mref),
                ("session_id", &s.id),
            ],
        ),
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
    card: &TestCard,
    expiry: &str,
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
        payment_product: "dintero_psp",
        payment_product_type: "dintero_psp.creditcard",
        channel,
        items,
        shipping_option,
        customer,
        shipping_address: order.get("shipping_address").cloned(),
        billing_address: order.get("billing_address").cloned(),
        card: json!({
            "brand": card.brand,
            "masked_pan": card.masked_pan(),
            "expiry_date": expiry,
            "type": "Credit",
            "country": "NO",
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
        card_kind: card.kind,
        captured: 0,
        refunded: 0,
        voided: false,
        final_captured: false,
        pre_authorized: session.pre_authorization(),
        final_authorized: false,
    }
}
