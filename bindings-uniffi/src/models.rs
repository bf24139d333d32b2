//! Typed records for what matters (ids, amounts, statuses, events), each answer with its full
//! JSON in `json` so nothing Dintero sends is lost. Money is integer minor units
//! (`29990` is 299.90 NOK). Conversion only: every rule lives in the core.

use std::collections::HashMap;
use std::time::Duration;

use dintero_checkout as core;
use serde_json::{Map, Value};

use crate::error::{DinteroError, Result};

// ---------------------------------------------------------------------------------------------
// Open enums: the core keeps values it does not know; here they become `Unrecognized`, and the
// record beside them carries Dintero's spelling (`status_raw`, `event_raw`).

macro_rules! mirror_enum {
    ($(#[$meta:meta])* $name:ident => $core:path { $($(#[$vmeta:meta])* $variant:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
            /// A value this version of the SDK does not know; see the `*_raw` field beside it.
            Unrecognized,
        }

        impl From<&$core> for $name {
            fn from(v: &$core) -> Self {
                match v {
                    $(<$core>::$variant => $name::$variant,)+
                    _ => $name::Unrecognized,
                }
            }
        }

        impl $name {
            #[allow(dead_code)]
            pub(crate) fn to_core(self) -> Option<$core> {
                match self {
                    $($name::$variant => Some(<$core>::$variant),)+
                    $name::Unrecognized => None,
                }
            }
        }
    };
}

mirror_enum!(
    /// `Transaction.status`.
    TransactionStatus => core::TransactionStatus {
        /// The payment was started.
        Initiated,
        /// Money is reserved; capture or void it.
        Authorized,
        /// The authorization was voided (terminal).
        AuthorizationVoided,
        /// Everything authorized was captured.
        Captured,
        /// Part of the authorization was captured.
        PartiallyCaptured,
        /// Part captured, and part of that refunded.
        PartiallyCapturedRefunded,
        /// Everything captured was refunded (terminal).
        Refunded,
        /// Part of the captured amount was refunded.
        PartiallyRefunded,
        /// The payment was declined (terminal).
        Declined,
        /// The payment failed (terminal).
        Failed,
        /// Dintero's own `UNKNOWN` status.
        Unknown,
        /// Pending manual review; treat as not paid yet.
        OnHold,
    }
);

mirror_enum!(
    /// `TransactionEvent.event`.
    TransactionEventKind => core::TransactionEventKind {
        Initialize,
        Authorize,
        Capture,
        Refund,
        Void,
        InitiateRefund,
        InitiateVoid,
        InitiateCapture,
        Settlement,
        Authorization,
    }
);

/// Whether Dintero finished an operation (HTTP 200) or queued it (HTTP 202).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum OperationState {
    /// Done: `transaction` shows the result.
    Completed,
    /// Queued: the event lands later; see `Transactions.waitForEvent`.
    Accepted,
}

/// How a customer came back to the `return_url`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ReturnOutcome {
    /// A transaction was created. Ask your backend to confirm it before showing "paid".
    Completed,
    /// The customer cancelled.
    Cancelled,
    /// The payment failed or was not authorized.
    Failed,
}

// ---------------------------------------------------------------------------------------------
// JSON helpers.

pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> String {
    // The core's models serialize infallibly (string keys, no non-finite floats from Dintero).
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_string())
}

/// Parses caller JSON text, naming the argument on failure.
pub(crate) fn parse_json(what: &str, text: &str) -> Result<Value> {
    serde_json::from_str(text)
        .map_err(|e| DinteroError::invalid(format!("{what}: is not valid JSON ({e})")))
}

fn parse_object(what: &str, text: &Option<String>) -> Result<Map<String, Value>> {
    match text {
        None => Ok(Map::new()),
        Some(t) => match parse_json(what, t)? {
            Value::Object(m) => Ok(m),
            _ => Err(DinteroError::invalid(format!(
                "{what}: must be a JSON object"
            ))),
        },
    }
}

fn parse_opt(what: &str, text: &Option<String>) -> Result<Option<Value>> {
    text.as_deref().map(|t| parse_json(what, t)).transpose()
}

// ---------------------------------------------------------------------------------------------
// Orders (used both in requests and in answers).

/// One order line. `amount` is the line total including VAT, in minor units.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct OrderItem {
    /// Unique per order; capture and refund refer to lines by it.
    #[uniffi(default = None)]
    pub line_id: Option<String>,
    /// Line total including VAT and discounts, minor units; negative on discount and gift-card
    /// lines. Required in an order you send; a line Dintero returns may lack it.
    pub amount: Option<i64>,
    /// Your product id (SKU).
    #[uniffi(default = None)]
    pub id: Option<String>,
    /// What the customer sees.
    #[uniffi(default = None)]
    pub description: Option<String>,
    /// Quantity (may be fractional).
    #[uniffi(default = None)]
    pub quantity: Option<f64>,
    /// VAT in percent (`25`, not `0.25`).
    #[uniffi(default = None)]
    pub vat: Option<f64>,
    /// VAT part of `amount`, minor units.
    #[uniffi(default = None)]
    pub vat_amount: Option<i64>,
}

impl From<&core::OrderItem> for OrderItem {
    fn from(i: &core::OrderItem) -> Self {
        OrderItem {
            line_id: i.line_id.clone(),
            amount: i.amount,
            id: i.id.clone(),
            description: i.description.clone(),
            quantity: i.quantity,
            vat: i.vat,
            vat_amount: i.vat_amount,
        }
    }
}

impl From<OrderItem> for core::OrderItem {
    fn from(i: OrderItem) -> Self {
        core::OrderItem {
            id: i.id,
            line_id: i.line_id,
            description: i.description,
            quantity: i.quantity,
            amount: i.amount,
            vat_amount: i.vat_amount,
            vat: i.vat,
            extra: Map::new(),
        }
    }
}

/// The chosen shipping; it becomes a line on the transaction.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ShippingOption {
    /// Your id for the option.
    pub id: String,
    /// Line id of the shipping line.
    pub line_id: String,
    /// Price including VAT, minor units.
    pub amount: i64,
    /// Shown to the customer.
    pub title: String,
    /// The carrier; may be empty.
    #[uniffi(default = "")]
    pub operator: String,
    /// VAT in percent.
    #[uniffi(default = None)]
    pub vat: Option<f64>,
    /// VAT part of `amount`.
    #[uniffi(default = None)]
    pub vat_amount: Option<i64>,
}

impl From<&core::ShippingOption> for ShippingOption {
    fn from(s: &core::ShippingOption) -> Self {
        ShippingOption {
            id: s.id.clone(),
            line_id: s.line_id.clone(),
            amount: s.amount,
            title: s.title.clone(),
            operator: s.operator.clone(),
            vat: s.vat,
            vat_amount: s.vat_amount,
        }
    }
}

impl From<ShippingOption> for core::ShippingOption {
    fn from(s: ShippingOption) -> Self {
        core::ShippingOption {
            id: s.id,
            line_id: s.line_id,
            amount: s.amount,
            vat_amount: s.vat_amount,
            vat: s.vat,
            title: s.title,
            operator: s.operator,
            extra: Map::new(),
        }
    }
}

/// What the customer pays for. `amount` must equal Σ items + shipping (the core checks it and
/// names the line that is wrong); `buildOrder` computes it for you.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Order {
    /// Total in minor units.
    pub amount: i64,
    /// ISO-4217 code, e.g. `NOK`.
    pub currency: String,
    /// Your order id; carried to the transaction and to callbacks.
    pub merchant_reference: String,
    /// The lines.
    #[uniffi(default = [])]
    pub items: Vec<OrderItem>,
    /// The chosen shipping.
    #[uniffi(default = None)]
    pub shipping_option: Option<ShippingOption>,
    /// Σ VAT of the lines.
    #[uniffi(default = None)]
    pub vat_amount: Option<i64>,
    /// A second reference, updatable later on the transaction.
    #[uniffi(default = None)]
    pub merchant_reference_2: Option<String>,
    /// Allows `amount` below the sum of the lines.
    #[uniffi(default = None)]
    pub partial_payment: Option<bool>,
}

impl From<&core::Order> for Order {
    fn from(o: &core::Order) -> Self {
        Order {
            amount: o.amount,
            currency: o.currency.clone(),
            merchant_reference: o.merchant_reference.clone(),
            items: o.items.iter().map(OrderItem::from).collect(),
            shipping_option: o.shipping_option.as_ref().map(ShippingOption::from),
            vat_amount: o.vat_amount,
            merchant_reference_2: o.merchant_reference_2.clone(),
            partial_payment: o.partial_payment,
        }
    }
}

impl From<Order> for core::Order {
    fn from(o: Order) -> Self {
        core::Order {
            amount: o.amount,
            currency: o.currency,
            merchant_reference: o.merchant_reference,
            vat_amount: o.vat_amount,
            merchant_reference_2: o.merchant_reference_2,
            items: o.items.into_iter().map(core::OrderItem::from).collect(),
            shipping_option: o.shipping_option.map(core::ShippingOption::from),
            partial_payment: o.partial_payment,
            extra: Map::new(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Sessions.

/// Where the customer returns and where Dintero calls your server.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct SessionUrls {
    /// Where the browser is sent after paying, cancelling or failing.
    pub return_url: String,
    /// Where Dintero calls your server when the payment is done.
    #[uniffi(default = None)]
    pub callback_url: Option<String>,
    /// Link to your terms.
    #[uniffi(default = None)]
    pub merchant_terms_url: Option<String>,
}

impl From<&core::SessionUrls> for SessionUrls {
    fn from(u: &core::SessionUrls) -> Self {
        SessionUrls {
            return_url: u.return_url.clone(),
            callback_url: u.callback_url.clone(),
            merchant_terms_url: u.merchant_terms_url.clone(),
        }
    }
}

/// A session to create. Fields the SDK does not model go in `extra_json` (a JSON object merged
/// into the body, e.g. `{"metadata": {...}}`); or use `Sessions.createJson`.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct SessionRequest {
    /// Return and callback URLs.
    pub url: SessionUrls,
    /// The order.
    pub order: Order,
    /// The payment profile (`default` on new accounts).
    #[uniffi(default = None)]
    pub profile_id: Option<String>,
    /// When the session stops being payable (ISO-8601).
    #[uniffi(default = None)]
    pub expires_at: Option<String>,
    /// `configuration` as JSON text (required when there is no profile).
    #[uniffi(default = None)]
    pub configuration_json: Option<String>,
    /// `customer` as JSON text.
    #[uniffi(default = None)]
    pub customer_json: Option<String>,
    /// More top-level fields, as a JSON object.
    #[uniffi(default = None)]
    pub extra_json: Option<String>,
}

impl SessionRequest {
    pub(crate) fn into_core(self) -> Result<core::SessionRequest> {
        Ok(core::SessionRequest {
            url: core::SessionUrls {
                return_url: self.url.return_url,
                callback_url: self.url.callback_url,
                merchant_terms_url: self.url.merchant_terms_url,
                extra: Map::new(),
            },
            order: self.order.into(),
            profile_id: self.profile_id,
            configuration: parse_opt("configuration_json", &self.configuration_json)?,
            customer: parse_opt("customer_json", &self.customer_json)?,
            expires_at: self.expires_at,
            extra: parse_object("extra_json", &self.extra_json)?,
        })
    }
}

/// One entry of a session's event log.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SessionEvent {
    /// `INITIATED`, `AUTHORIZED`, `CANCELLED`, ... (Dintero may leave it out).
    pub name: Option<String>,
    /// Event id.
    pub id: Option<String>,
    /// When (ISO-8601).
    pub created_at: Option<String>,
}

/// A checkout session as Dintero has it.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Session {
    /// Session id.
    pub id: String,
    /// Set once a payment produced a transaction.
    pub transaction_id: Option<String>,
    /// The order.
    pub order: Option<Order>,
    /// Return and callback URLs.
    pub url: Option<SessionUrls>,
    /// Creation time.
    pub created_at: Option<String>,
    /// Last change.
    pub updated_at: Option<String>,
    /// When it stops being payable.
    pub expires_at: Option<String>,
    /// Set when cancelled.
    pub cancelled_at: Option<String>,
    /// The event log (a session's state).
    pub events: Vec<SessionEvent>,
    /// The whole session as Dintero sent it (unknown fields included).
    pub json: String,
}

impl From<&core::Session> for Session {
    fn from(s: &core::Session) -> Self {
        Session {
            id: s.id.clone(),
            transaction_id: s.transaction_id.clone(),
            order: s.order.as_ref().map(Order::from),
            url: s.url.as_ref().map(SessionUrls::from),
            created_at: s.created_at.clone(),
            updated_at: s.updated_at.clone(),
            expires_at: s.expires_at.clone(),
            cancelled_at: s.cancelled_at.clone(),
            events: s
                .events
                .iter()
                .map(|e| SessionEvent {
                    name: e.name.clone(),
                    id: e.id.clone(),
                    created_at: e.created_at.clone(),
                })
                .collect(),
            json: to_json(s),
        }
    }
}

/// The answer to a session create.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct SessionCreated {
    /// Session id.
    pub id: String,
    /// The hosted checkout page: send the customer here (redirect, in-app browser, web view).
    /// Absent only if Dintero left it out (the spec allows it): then there is no page to show.
    pub url: Option<String>,
    /// The whole session, when `includeSession` was asked for.
    pub session: Option<Session>,
    /// The answer as Dintero sent it.
    pub json: String,
}

impl From<&core::SessionCreated> for SessionCreated {
    fn from(s: &core::SessionCreated) -> Self {
        SessionCreated {
            id: s.id.clone(),
            url: s.url.clone(),
            session: s.session.as_ref().map(Session::from),
            json: to_json(s),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Transactions.

/// One entry of a transaction's event log.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct TransactionEvent {
    /// What happened (absent when Dintero does not say).
    pub event: Option<TransactionEventKind>,
    /// `event` as Dintero spells it (`CAPTURE`, ...), also when unrecognized.
    pub event_raw: Option<String>,
    /// Event id.
    pub id: Option<String>,
    /// `true` succeeded, `false` failed, absent when Dintero does not say (not a success).
    pub success: Option<bool>,
    /// Amount of the operation, minor units.
    pub amount: Option<i64>,
    /// The transaction status after the event.
    pub transaction_status: Option<TransactionStatus>,
    /// The lines of the operation.
    pub items: Vec<OrderItem>,
    /// The capture or refund reference.
    pub event_reference: Option<String>,
    /// The `event-request-id` of the 202 answer this event completes.
    pub correlation_request_id: Option<String>,
    /// Dintero's id for the request that made the event.
    pub request_id: Option<String>,
    /// When.
    pub created_at: Option<String>,
    /// Dintero's error code, when `success` is false.
    pub error_code: Option<String>,
    /// Dintero's error text, when `success` is false.
    pub error_message: Option<String>,
}

impl From<&core::TransactionEvent> for TransactionEvent {
    fn from(e: &core::TransactionEvent) -> Self {
        TransactionEvent {
            event: e.event.as_ref().map(TransactionEventKind::from),
            event_raw: e.event.as_ref().map(|k| k.as_str().to_string()),
            id: e.id.clone(),
            success: e.success,
            amount: e.amount,
            transaction_status: e.transaction_status.as_ref().map(TransactionStatus::from),
            items: e.items.iter().map(OrderItem::from).collect(),
            event_reference: e.event_reference.clone(),
            correlation_request_id: e.correlation_request_id.clone(),
            request_id: e.request_id.clone(),
            created_at: e.created_at.clone(),
            error_code: e.error.as_ref().and_then(|x| x.code.clone()),
            error_message: e.error.as_ref().and_then(|x| x.message.clone()),
        }
    }
}

/// A payment and what happened to it since.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Transaction {
    /// Transaction id.
    pub id: String,
    /// Current status (absent when Dintero does not say; then `is_paid` is false).
    pub status: Option<TransactionStatus>,
    /// `status` as Dintero spells it (`AUTHORIZED`, ...), also when unrecognized.
    pub status_raw: Option<String>,
    /// True when money is reserved or taken: the order may be fulfilled.
    pub is_paid: bool,
    /// Total authorized, minor units.
    pub amount: i64,
    /// Σ of successful captures, minor units.
    pub captured_amount: i64,
    /// Σ of successful refunds, minor units.
    pub refunded_amount: i64,
    /// ISO-4217 currency.
    pub currency: String,
    /// Your order id.
    pub merchant_reference: String,
    /// Your second reference.
    pub merchant_reference_2: Option<String>,
    /// The session that produced it.
    pub session_id: Option<String>,
    /// E.g. `dintero_psp`.
    pub payment_product: Option<String>,
    /// E.g. `dintero_psp.creditcard`.
    pub payment_product_type: Option<String>,
    /// The order lines (shipping included).
    pub items: Vec<OrderItem>,
    /// The event log.
    pub events: Vec<TransactionEvent>,
    /// Creation time.
    pub created_at: Option<String>,
    /// Last change.
    pub updated_at: Option<String>,
    /// The whole transaction as Dintero sent it (card, customer, session, ...).
    pub json: String,
}

impl From<&core::Transaction> for Transaction {
    fn from(t: &core::Transaction) -> Self {
        Transaction {
            id: t.id.clone(),
            status: t.status.as_ref().map(TransactionStatus::from),
            status_raw: t.status.as_ref().map(|s| s.as_str().to_string()),
            is_paid: t.is_paid(),
            amount: t.amount,
            captured_amount: t.captured_amount(),
            refunded_amount: t.refunded_amount(),
            currency: t.currency.clone(),
            merchant_reference: t.merchant_reference.clone(),
            merchant_reference_2: t.merchant_reference_2.clone(),
            session_id: t.session_id.clone(),
            payment_product: t.payment_product.clone(),
            payment_product_type: t.payment_product_type.clone(),
            items: t.items.iter().map(OrderItem::from).collect(),
            events: t.events.iter().map(TransactionEvent::from).collect(),
            created_at: t.created_at.clone(),
            updated_at: t.updated_at.clone(),
            json: to_json(t),
        }
    }
}

/// The result of capture, refund or void.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Operation {
    /// Completed (200) or accepted (202).
    pub state: OperationState,
    /// The transaction as Dintero returned it.
    pub transaction: Transaction,
    /// The `event-request-id` of a 202 answer; pass it to `waitForEvent`.
    pub event_request_id: Option<String>,
    /// The capture or refund reference you gave (none is sent when you give none).
    pub reference: Option<String>,
    /// True when an attempt failed ambiguously and the result was found by re-reading.
    pub reconciled: bool,
    /// Dintero's request id.
    pub request_id: Option<String>,
}

impl From<&core::Operation> for Operation {
    fn from(o: &core::Operation) -> Self {
        Operation {
            state: match o.state {
                core::OperationState::Completed => OperationState::Completed,
                core::OperationState::Accepted => OperationState::Accepted,
            },
            transaction: (&o.transaction).into(),
            event_request_id: o.event_request_id.clone(),
            reference: o.reference.clone(),
            reconciled: o.reconciled,
            request_id: o.request_id.clone(),
        }
    }
}

/// A capture. Give your own `capture_reference` to make retries of your own safe too; one is
/// generated otherwise. Capture happens exactly once either way.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct CaptureRequest {
    /// Amount to capture, minor units (> 0).
    pub amount: i64,
    /// Your reference for this capture.
    #[uniffi(default = None)]
    pub capture_reference: Option<String>,
    /// The lines captured (`line_id` and `amount` each); they must add up to `amount`.
    #[uniffi(default = [])]
    pub items: Vec<OrderItem>,
    /// `metadata` as a JSON object.
    #[uniffi(default = None)]
    pub metadata_json: Option<String>,
    /// `true`: the last capture; Dintero voids the rest of the authorization (`dintero_psp`).
    #[uniffi(default = None)]
    pub final_capture: Option<bool>,
}

impl CaptureRequest {
    pub(crate) fn into_core(self) -> Result<core::CaptureRequest> {
        Ok(core::CaptureRequest {
            amount: self.amount,
            capture_reference: self.capture_reference,
            items: self.items.into_iter().map(Into::into).collect(),
            metadata: parse_opt("metadata_json", &self.metadata_json)?,
            final_capture: self.final_capture,
            extra: Map::new(),
        })
    }
}

/// A refund of captured money.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct RefundRequest {
    /// Amount to refund, minor units (> 0).
    pub amount: i64,
    /// Why.
    #[uniffi(default = None)]
    pub reason: Option<String>,
    /// Your reference for this refund.
    #[uniffi(default = None)]
    pub refund_reference: Option<String>,
    /// The lines refunded; they must add up to `amount`.
    #[uniffi(default = [])]
    pub items: Vec<OrderItem>,
    /// `metadata` as a JSON object.
    #[uniffi(default = None)]
    pub metadata_json: Option<String>,
}

impl RefundRequest {
    pub(crate) fn into_core(self) -> Result<core::RefundRequest> {
        Ok(core::RefundRequest {
            amount: self.amount,
            refund_reference: self.refund_reference,
            reason: self.reason,
            items: self.items.into_iter().map(Into::into).collect(),
            metadata: parse_opt("metadata_json", &self.metadata_json)?,
            extra: Map::new(),
        })
    }
}

/// Extends or changes an authorization.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ExtendAuthorizationRequest {
    /// Why.
    #[uniffi(default = None)]
    pub reason: Option<String>,
    /// Your reference.
    #[uniffi(default = None)]
    pub reference: Option<String>,
    /// New authorization amount, where the payment method supports it.
    #[uniffi(default = None)]
    pub amount: Option<i64>,
    /// `true` finalizes a Dintero PSP pre-authorization.
    #[uniffi(default = None)]
    pub final_authorization: Option<bool>,
    /// The order lines after the change (Klarna order-amount update).
    #[uniffi(default = [])]
    pub items: Vec<OrderItem>,
    /// A description of the change.
    #[uniffi(default = None)]
    pub description: Option<String>,
}

impl From<ExtendAuthorizationRequest> for core::ExtendAuthorizationRequest {
    fn from(r: ExtendAuthorizationRequest) -> Self {
        core::ExtendAuthorizationRequest {
            reason: r.reason,
            reference: r.reference,
            amount: r.amount,
            final_authorization: r.final_authorization,
            items: r.items.into_iter().map(Into::into).collect(),
            description: r.description,
            extra: Map::new(),
        }
    }
}

/// Filters of `Transactions.list`. Empty fields are not sent.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TransactionFilter {
    /// Page size, 1–100 (Dintero's default is 10).
    #[uniffi(default = None)]
    pub limit: Option<i32>,
    /// Start after this transaction id.
    #[uniffi(default = None)]
    pub starting_after: Option<String>,
    /// Only this merchant reference.
    #[uniffi(default = None)]
    pub merchant_reference: Option<String>,
    /// Only these sessions.
    #[uniffi(default = [])]
    pub session_ids: Vec<String>,
    /// Only these statuses.
    #[uniffi(default = [])]
    pub statuses: Vec<TransactionStatus>,
    /// Created at or after (ISO-8601).
    #[uniffi(default = None)]
    pub created_at_gte: Option<String>,
    /// Created at or before (ISO-8601).
    #[uniffi(default = None)]
    pub created_at_lte: Option<String>,
    /// Other query filters, sent as they are.
    #[uniffi(default)]
    pub extra: HashMap<String, String>,
}

impl TransactionFilter {
    pub(crate) fn into_core(self) -> Result<core::ListTransactions> {
        let limit = match self.limit {
            None => None,
            Some(l) => Some(u32::try_from(l).map_err(|_| {
                DinteroError::invalid(format!("filter.limit: must be between 1 and 100 (got {l})"))
            })?),
        };
        let status = self
            .statuses
            .into_iter()
            .enumerate()
            .map(|(i, s)| {
                s.to_core().ok_or_else(|| {
                    DinteroError::invalid(format!(
                        "filter.statuses[{i}]: UNRECOGNIZED is not a status one can filter by"
                    ))
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let mut extra: Vec<(String, String)> = self.extra.into_iter().collect();
        extra.sort();
        Ok(core::ListTransactions {
            limit,
            starting_after: self.starting_after,
            merchant_reference: self.merchant_reference,
            session_id: self.session_ids,
            status,
            created_at_gte: self.created_at_gte,
            created_at_lte: self.created_at_lte,
            extra: extra
                .into_iter()
                .map(|(k, v)| core::QueryParam::new(k, v))
                .collect(),
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Client options (no secrets here: records print all their fields).

/// How failed requests are retried. Unset fields keep the core's defaults (4 attempts, 0.5 s
/// initial backoff, 8 s max backoff, honour `Retry-After` up to 60 s).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RetryOptions {
    /// Attempts in all, the first included (1 = no retries).
    #[uniffi(default = None)]
    pub max_attempts: Option<i32>,
    /// Backoff before the first retry.
    #[uniffi(default = None)]
    pub initial_backoff: Option<Duration>,
    /// Largest backoff.
    #[uniffi(default = None)]
    pub max_backoff: Option<Duration>,
    /// Largest `Retry-After` the SDK will sleep for.
    #[uniffi(default = None)]
    pub max_retry_after: Option<Duration>,
}

/// Client settings besides the credentials.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ClientOptions {
    /// One base URL for both Dintero hosts, e.g. the emulator's `http://127.0.0.1:8400`.
    /// `http://` is refused unless the host is loopback.
    #[uniffi(default = None)]
    pub base_url: Option<String>,
    /// Per-attempt timeout (default 30 s).
    #[uniffi(default = None)]
    pub timeout: Option<Duration>,
    /// Connect timeout (default 10 s).
    #[uniffi(default = None)]
    pub connect_timeout: Option<Duration>,
    /// Retry policy.
    #[uniffi(default = None)]
    pub retry: Option<RetryOptions>,
    /// Your system's name, sent as `Dintero-System-Name`.
    #[uniffi(default = None)]
    pub system_name: Option<String>,
    /// Your system's version, sent as `Dintero-System-Version`.
    #[uniffi(default = None)]
    pub system_version: Option<String>,
}

impl RetryOptions {
    pub(crate) fn into_core(self) -> Result<core::RetryPolicy> {
        let mut p = core::RetryPolicy::default();
        if let Some(n) = self.max_attempts {
            p.max_attempts = u32::try_from(n).map_err(|_| {
                DinteroError::invalid(format!("retry.max_attempts: must be at least 1 (got {n})"))
            })?;
        }
        if let Some(d) = self.initial_backoff {
            p.initial_backoff = d;
        }
        if let Some(d) = self.max_backoff {
            p.max_backoff = d;
        }
        if let Some(d) = self.max_retry_after {
            p.max_retry_after = d;
        }
        Ok(p)
    }
}

// ---------------------------------------------------------------------------------------------
// Callbacks, returns, webhooks.

/// One query parameter, decoded.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct QueryParam {
    pub name: String,
    pub value: String,
}

/// A parsed callback (`callback_url` hit). Treat it as a trigger: confirm it with
/// `DinteroClient.confirmCallback` before fulfilling the order.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PaymentCallback {
    /// The transaction (absent on some error callbacks).
    pub transaction_id: Option<String>,
    /// The session.
    pub session_id: Option<String>,
    /// Your order id.
    pub merchant_reference: Option<String>,
    /// When Dintero sent it (ISO-8601).
    pub time: Option<String>,
    /// `error` of an error callback (`cancelled`, `authorization`, `failed`, ...).
    pub error: Option<String>,
    /// `event` of an event callback (`CAPTURE`, `REFUND`, `VOID`).
    pub event: Option<String>,
    /// The transaction event the callback reports.
    pub event_id: Option<String>,
    /// Every query parameter, in order.
    pub params: Vec<QueryParam>,
}

impl From<&core::Callback> for PaymentCallback {
    fn from(c: &core::Callback) -> Self {
        PaymentCallback {
            transaction_id: c.transaction_id.clone(),
            session_id: c.session_id.clone(),
            merchant_reference: c.merchant_reference.clone(),
            time: c.time.clone(),
            error: c.error.as_ref().map(|e| e.as_str().to_string()),
            event: c.event.as_ref().map(|e| e.as_str().to_string()),
            event_id: c.event_id.clone(),
            params: c
                .params
                .iter()
                .map(|p| QueryParam {
                    name: p.name.clone(),
                    value: p.value.clone(),
                })
                .collect(),
        }
    }
}

impl From<PaymentCallback> for core::Callback {
    fn from(c: PaymentCallback) -> Self {
        core::Callback {
            transaction_id: c.transaction_id,
            session_id: c.session_id,
            merchant_reference: c.merchant_reference,
            time: c.time,
            error: c.error.as_deref().map(core::PaymentError::parse),
            event: c.event.as_deref().map(core::CallbackEventKind::parse),
            event_id: c.event_id,
            params: c
                .params
                .into_iter()
                .map(|p| core::QueryParam::new(p.name, p.value))
                .collect(),
        }
    }
}

/// A callback checked against the transaction it names.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ConfirmedCallback {
    /// The callback.
    pub callback: PaymentCallback,
    /// The transaction as Dintero has it now: act on its status.
    pub transaction: Transaction,
}

/// What the `return_url` told the app.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ReturnResult {
    /// What happened.
    pub outcome: ReturnOutcome,
    /// The transaction, when one was created.
    pub transaction_id: Option<String>,
    /// Your order id.
    pub merchant_reference: Option<String>,
    /// The session, when Dintero adds it.
    pub session_id: Option<String>,
    /// The raw `error` value (`cancelled`, `authorization`, `failed`, ...).
    pub error: Option<String>,
}

impl From<&core::ReturnResult> for ReturnResult {
    fn from(r: &core::ReturnResult) -> Self {
        ReturnResult {
            outcome: match r.outcome {
                core::ReturnOutcome::Completed => ReturnOutcome::Completed,
                core::ReturnOutcome::Cancelled => ReturnOutcome::Cancelled,
                core::ReturnOutcome::Failed => ReturnOutcome::Failed,
            },
            transaction_id: r.transaction_id.clone(),
            merchant_reference: r.merchant_reference.clone(),
            session_id: r.session_id.clone(),
            error: r.error.as_ref().map(|e| e.as_str().to_string()),
        }
    }
}

/// A verified webhook delivery.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct WebhookEvent {
    /// E.g. `checkout_transaction`, `ping`.
    pub event: Option<String>,
    /// The account.
    pub account_id: Option<String>,
    /// Unique id of this delivery.
    pub event_delivery: Option<String>,
    /// The transaction summary as JSON text, when the event has one.
    pub transaction_json: Option<String>,
    /// The whole body.
    pub json: String,
}

impl From<&core::WebhookEvent> for WebhookEvent {
    fn from(w: &core::WebhookEvent) -> Self {
        WebhookEvent {
            event: w.event.clone(),
            account_id: w.account_id.clone(),
            event_delivery: w.event_delivery.clone(),
            transaction_json: w.transaction.as_ref().map(to_json),
            json: to_json(w),
        }
    }
}
