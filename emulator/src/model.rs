//! In-memory records: sessions and transactions, and how they render as Dintero JSON.

use crate::cards::CardKind;
use crate::util::fmt_time;
use serde::Serialize;
use serde_json::{json, Map, Value};
use time::OffsetDateTime;

/// `Transaction.status` values the emulator produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum TxStatus {
    Initiated,
    Authorized,
    AuthorizationVoided,
    Captured,
    PartiallyCaptured,
    PartiallyCapturedRefunded,
    Refunded,
    PartiallyRefunded,
    Failed,
    /// Waiting for the provider's manual review (invoice); decided later.
    OnHold,
}

impl TxStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TxStatus::Initiated => "INITIATED",
            TxStatus::Authorized => "AUTHORIZED",
            TxStatus::AuthorizationVoided => "AUTHORIZATION_VOIDED",
            TxStatus::Captured => "CAPTURED",
            TxStatus::PartiallyCaptured => "PARTIALLY_CAPTURED",
            TxStatus::PartiallyCapturedRefunded => "PARTIALLY_CAPTURED_REFUNDED",
            TxStatus::Refunded => "REFUNDED",
            TxStatus::PartiallyRefunded => "PARTIALLY_REFUNDED",
            TxStatus::Failed => "FAILED",
            TxStatus::OnHold => "ON_HOLD",
        }
    }
}

/// All statuses of Dintero's `TransactionStatus` enum (for validating list filters).
pub(crate) const ALL_STATUSES: &[&str] = &[
    "INITIATED",
    "AUTHORIZED",
    "AUTHORIZATION_VOIDED",
    "CAPTURED",
    "PARTIALLY_CAPTURED",
    "PARTIALLY_CAPTURED_REFUNDED",
    "REFUNDED",
    "PARTIALLY_REFUNDED",
    "DECLINED",
    "FAILED",
    "UNKNOWN",
    "ON_HOLD",
];

/// One entry of `Transaction.events`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct TxEvent {
    pub id: String,
    pub event: &'static str,
    /// The transaction's status after the event.
    pub transaction_status: TxStatus,
    pub success: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_reference: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Value>,
    pub created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    pub request_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correlation_request_id: Option<String>,
}

/// A transaction as Dintero returns it, plus the emulator's bookkeeping (not serialized).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Transaction {
    pub id: String,
    pub session_id: String,
    pub status: TxStatus,
    pub amount: i64,
    pub currency: String,
    pub merchant_reference: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merchant_reference_2: Option<String>,
    pub payment_product: &'static str,
    pub payment_product_type: &'static str,
    pub channel: String,
    pub items: Vec<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipping_option: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipping_address: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billing_address: Option<Value>,
    /// The card, for card payments; absent for other methods.
    #[serde(skip_serializing_if = "Value::is_null")]
    pub card: Value,
    pub url: Value,
    pub metadata: Map<String, Value>,
    pub events: Vec<TxEvent>,
    pub created_at: String,
    pub updated_at: String,

    #[serde(skip)]
    pub created: OffsetDateTime,
    #[serde(skip)]
    pub card_kind: CardKind,
    #[serde(skip)]
    pub captured: i64,
    #[serde(skip)]
    pub refunded: i64,
    #[serde(skip)]
    pub voided: bool,
    /// A `final_capture: true` capture closed the authorization: the rest is released and
    /// no more captures are possible.
    #[serde(skip)]
    pub final_captured: bool,
    /// The session asked for a pre-authorization (`configuration.pre_authorization`), so
    /// `POST /authorization` may change the amount.
    #[serde(skip)]
    pub pre_authorized: bool,
    /// A `final_authorization: true` request closed the pre-authorization.
    #[serde(skip)]
    pub final_authorized: bool,
}

impl Transaction {
    /// The status implied by the authorized, captured and refunded totals.
    pub fn derived_status(&self) -> TxStatus {
        if matches!(self.status, TxStatus::Failed | TxStatus::OnHold) {
            return self.status;
        }
        if self.voided {
            return TxStatus::AuthorizationVoided;
        }
        if self.captured == 0 {
            return TxStatus::Authorized;
        }
        let fully_captured = self.captured >= self.amount || self.final_captured;
        match (fully_captured, self.refunded) {
            (true, 0) => TxStatus::Captured,
            (true, r) if r >= self.captured => TxStatus::Refunded,
            (true, _) => TxStatus::PartiallyRefunded,
            (false, 0) => TxStatus::PartiallyCaptured,
            (false, _) => TxStatus::PartiallyCapturedRefunded,
        }
    }

    pub fn has_line(&self, line_id: &str) -> bool {
        self.items
            .iter()
            .any(|i| i.get("line_id").and_then(Value::as_str) == Some(line_id))
    }
}

/// A checkout session: the stored request body plus what Dintero adds.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    pub id: String,
    /// The request body as given (unknown fields kept), without `profile_id`.
    pub body: Map<String, Value>,
    pub profile_id: Option<String>,
    pub created: OffsetDateTime,
    pub updated: OffsetDateTime,
    pub expires: OffsetDateTime,
    pub events: Vec<Value>,
    pub transaction_id: Option<String>,
    pub cancelled_at: Option<OffsetDateTime>,
    pub cancelled_by: Option<String>,
    pub locked: bool,
    pub visited: bool,
}

impl Session {
    pub fn order(&self) -> Option<&Map<String, Value>> {
        self.body.get("order").and_then(Value::as_object)
    }
    pub fn order_str(&self, key: &str) -> Option<&str> {
        self.order()
            .and_then(|o| o.get(key))
            .and_then(Value::as_str)
    }
    pub fn merchant_reference(&self) -> String {
        self.order_str("merchant_reference")
            .unwrap_or_default()
            .to_string()
    }
    pub fn currency(&self) -> String {
        self.order_str("currency").unwrap_or_default().to_string()
    }
    pub fn amount(&self) -> i64 {
        self.order()
            .and_then(|o| o.get("amount"))
            .and_then(Value::as_i64)
            .unwrap_or(0)
    }
    fn url_field(&self, key: &str) -> Option<String> {
        self.body
            .get("url")
            .and_then(|u| u.get(key))
            .and_then(Value::as_str)
            .map(str::to_string)
    }
    pub fn return_url(&self) -> String {
        self.url_field("return_url").unwrap_or_default()
    }
    pub fn callback_url(&self) -> Option<String> {
        self.url_field("callback_url")
    }
    pub fn auto_capture(&self) -> bool {
        self.body
            .get("configuration")
            .and_then(|c| c.get("auto_capture"))
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }
    /// `configuration.pre_authorization: true` (see README "Where we guessed").
    pub fn pre_authorization(&self) -> bool {
        self.body
            .get("configuration")
            .and_then(|c| c.get("pre_authorization"))
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }
    pub fn is_expired(&self, now: OffsetDateTime) -> bool {
        now >= self.expires
    }

    /// Why the session cannot be paid (or updated), if it cannot.
    pub fn not_payable_reason(&self, now: OffsetDateTime) -> Option<&'static str> {
        if self.cancelled_at.is_some() {
            Some("the session is cancelled")
        } else if self.transaction_id.is_some() {
            Some("the session is already paid")
        } else if self.is_expired(now) {
            Some("the session has expired")
        } else {
            None
        }
    }

    pub fn push_event(&mut self, name: &str, now: OffsetDateTime, details: Option<Value>) {
        let mut ev = json!({
            "id": crate::util::uuid(),
            "name": name,
            "created_at": fmt_time(now),
            "request_id": crate::util::uuid(),
        });
        if let (Some(d), Some(obj)) = (details, ev.as_object_mut()) {
            obj.insert("details".into(), d);
        }
        self.events.push(ev);
        self.updated = now;
    }

    /// The session as `GET /v1/sessions/{id}` returns it.
    pub fn render(&self, account_id: &str) -> Value {
        let mut out = Map::new();
        out.insert("id".into(), json!(self.id));
        const OURS: &[&str] = &[
            "id",
            "created_at",
            "updated_at",
            "expires_at",
            "events",
            "transaction_id",
            "cancelled_at",
            "cancelled_by",
        ];
        for (k, v) in &self.body {
            if !OURS.contains(&k.as_str()) {
                out.insert(k.clone(), v.clone());
            }
        }
        // Session reads always carry `configuration` (the contract requires it) with the
        // merchant Dintero adds from the account.
        let merchant_name = self
            .body
            .get("merchant")
            .and_then(|m| m.get("name"))
            .and_then(Value::as_str)
            .unwrap_or("Dintero Emulator Merchant")
            .to_string();
        let cfg = out
            .entry("configuration")
            .or_insert_with(|| json!({"channel": "ecommerce"}));
        if let Some(cfg) = cfg.as_object_mut() {
            cfg.entry("merchant")
                .or_insert_with(|| json!({"id": account_id, "name": merchant_name}));
        }
        let meta = out
            .entry("metadata")
            .or_insert_with(|| Value::Object(Map::new()));
        if let (Some(pid), Some(m)) = (&self.profile_id, meta.as_object_mut()) {
            m.insert("session:profile_id".into(), json!(pid));
        }
        out.insert("created_at".into(), json!(fmt_time(self.created)));
        out.insert("updated_at".into(), json!(fmt_time(self.updated)));
        out.insert("expires_at".into(), json!(fmt_time(self.expires)));
        if let Some(t) = &self.transaction_id {
            out.insert("transaction_id".into(), json!(t));
        }
        if let Some(c) = self.cancelled_at {
            out.insert("cancelled_at".into(), json!(fmt_time(c)));
        }
        if let Some(c) = &self.cancelled_by {
            out.insert("cancelled_by".into(), json!(c));
        }
        out.insert("events".into(), Value::Array(self.events.clone()));
        Value::Object(out)
    }
}
