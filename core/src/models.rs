//! Request and response models, with the API's field names.
//!
//! Every model keeps the fields it does not know in `extra`, so a field Dintero adds tomorrow
//! survives a decode/encode round trip, and every enum has a variant for values it does not
//! know yet. Money is integer minor units (`29990` is 299.90 NOK).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

/// Unknown fields, kept as they came.
pub type Extra = Map<String, Value>;

/// Any JSON value (`configuration`, `customer`, `metadata`, ...).
pub type JsonValue = Value;

// Swift and Kotlin see the open JSON parts as JSON text.
#[cfg(feature = "uniffi")]
uniffi::custom_type!(Extra, String, {
    remote,
    lower: |map| serde_json::to_string(&map).unwrap_or_else(|_| "{}".to_string()),
    try_lift: |text| Ok(serde_json::from_str(&text)?),
});

#[cfg(feature = "uniffi")]
uniffi::custom_type!(JsonValue, String, {
    remote,
    lower: |value| value.to_string(),
    try_lift: |text| Ok(serde_json::from_str(&text)?),
});

macro_rules! open_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
            /// A value this version of the SDK does not know.
            Unrecognized(String),
        }

        impl $name {
            /// The value as Dintero spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $text,)+
                    $name::Unrecognized(s) => s.as_str(),
                }
            }

            /// Parses Dintero's spelling; unknown values become `Unrecognized`.
            pub fn parse(s: &str) -> Self {
                match s {
                    $($text => $name::$variant,)+
                    other => $name::Unrecognized(other.to_string()),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        #[cfg(feature = "schema")]
        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                // Open: any string is accepted; the known values are listed for generators.
                schemars::json_schema!({
                    "type": "string",
                    "x-known-values": [$($text),+],
                })
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Ok($name::parse(&s))
            }
        }
    };
}

open_enum!(
    /// `Transaction.status`.
    TransactionStatus {
        /// The payment was started.
        Initiated => "INITIATED",
        /// Money is reserved; capture or void it.
        Authorized => "AUTHORIZED",
        /// The authorization was voided (terminal).
        AuthorizationVoided => "AUTHORIZATION_VOIDED",
        /// Everything authorized was captured.
        Captured => "CAPTURED",
        /// Part of the authorization was captured.
        PartiallyCaptured => "PARTIALLY_CAPTURED",
        /// Part captured, and part of that refunded.
        PartiallyCapturedRefunded => "PARTIALLY_CAPTURED_REFUNDED",
        /// Everything captured was refunded (terminal).
        Refunded => "REFUNDED",
        /// Part of the captured amount was refunded.
        PartiallyRefunded => "PARTIALLY_REFUNDED",
        /// The payment was declined (terminal).
        Declined => "DECLINED",
        /// The payment failed (terminal).
        Failed => "FAILED",
        /// Dintero could not determine the outcome (the API's own `UNKNOWN`).
        Unknown => "UNKNOWN",
        /// Pending manual review; treat as not paid yet.
        OnHold => "ON_HOLD",
    }
);

impl TransactionStatus {
    /// True when money is reserved or taken and not all of it was given back: the order may
    /// be fulfilled. False for `REFUNDED`, voided, failed, declined, pending and unknown.
    pub fn is_paid(&self) -> bool {
        matches!(
            self,
            TransactionStatus::Authorized
                | TransactionStatus::Captured
                | TransactionStatus::PartiallyCaptured
                | TransactionStatus::PartiallyCapturedRefunded
                | TransactionStatus::PartiallyRefunded
        )
    }
}

open_enum!(
    /// `TransactionEvent.event`.
    TransactionEventKind {
        /// The transaction was created.
        Initialize => "INITIALIZE",
        /// The authorization.
        Authorize => "AUTHORIZE",
        /// A capture.
        Capture => "CAPTURE",
        /// A refund.
        Refund => "REFUND",
        /// A void.
        Void => "VOID",
        /// A refund was queued.
        InitiateRefund => "INITIATE_REFUND",
        /// A void was queued.
        InitiateVoid => "INITIATE_VOID",
        /// A capture was queued.
        InitiateCapture => "INITIATE_CAPTURE",
        /// Settlement.
        Settlement => "SETTLEMENT",
        /// An authorization change (extend, increment).
        Authorization => "AUTHORIZATION",
    }
);

/// One query parameter, decoded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct QueryParam {
    /// The name.
    pub name: String,
    /// The value.
    pub value: String,
}

impl QueryParam {
    /// A parameter from a name and a value.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        QueryParam {
            name: name.into(),
            value: value.into(),
        }
    }
}

/// `url` of a session request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SessionUrls {
    /// Where the customer's browser is sent after paying, cancelling or failing.
    pub return_url: String,
    /// Where Dintero calls your server when the payment is done. HTTPS only at Dintero.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub callback_url: Option<String>,
    /// Link to the merchant's terms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub merchant_terms_url: Option<String>,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// One order line (`OrderItem`). `amount` is the line total incl. VAT, in minor units.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OrderItem {
    /// Your product id (SKU).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub id: Option<String>,
    /// Unique per session; capture and refund refer to lines by it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub line_id: Option<String>,
    /// What the customer sees.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub description: Option<String>,
    /// Quantity; may be fractional (goods sold by weight).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub quantity: Option<f64>,
    /// Line total including VAT and discounts, in minor units. Negative on discount and
    /// gift-card lines. Optional in Dintero's spec, so a line read back may lack it; a line you
    /// send in an order must have it (the order's amount is the sum of the lines).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub amount: Option<i64>,
    /// VAT part of `amount`, in minor units (display only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub vat_amount: Option<i64>,
    /// VAT in percent (`25`, not `0.25`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub vat: Option<f64>,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `order.shipping_option`: becomes a line on the transaction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ShippingOption {
    /// Your id for the option.
    pub id: String,
    /// Line id of the shipping line on the transaction.
    pub line_id: String,
    /// Price including VAT, minor units.
    pub amount: i64,
    /// VAT part of `amount`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub vat_amount: Option<i64>,
    /// VAT in percent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub vat: Option<f64>,
    /// Shown to the customer.
    pub title: String,
    /// The carrier; may be empty.
    pub operator: String,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `order` of a session: what the customer pays for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Order {
    /// Total to authorize in minor units: Σ `items[].amount` + `shipping_option.amount`.
    pub amount: i64,
    /// ISO-4217 code, e.g. `NOK`.
    pub currency: String,
    /// Your order id; carried to the transaction and to callbacks.
    pub merchant_reference: String,
    /// Σ VAT of the lines (display only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub vat_amount: Option<i64>,
    /// A second reference, updatable later on the transaction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub merchant_reference_2: Option<String>,
    /// The order lines.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub items: Vec<OrderItem>,
    /// The chosen shipping, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub shipping_option: Option<ShippingOption>,
    /// Allows `amount` below the sum of the lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub partial_payment: Option<bool>,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The body of a session create (`/v1/sessions-profile` when `profile_id` is set, else `/v1/sessions`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SessionRequest {
    /// Return and callback URLs.
    pub url: SessionUrls,
    /// The order.
    pub order: Order,
    /// The payment profile (`default` on new accounts). Chooses `/v1/sessions-profile`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub profile_id: Option<String>,
    /// Payment configuration; required by `/v1/sessions`, optional overrides with a profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub configuration: Option<Value>,
    /// The customer, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub customer: Option<Value>,
    /// When the session stops being payable (ISO-8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub expires_at: Option<String>,
    /// Fields this SDK does not model (`checkboxes`, `express`, `metadata`, ...).
    #[serde(flatten)]
    pub extra: Extra,
}

/// The body of a session update (`PUT /v1/sessions/{id}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SessionUpdate {
    /// The new order; its amount must add up.
    pub order: Order,
    /// Release the pay lock after the update (Dintero's default is true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub remove_lock: Option<bool>,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The answer to a session create.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SessionCreated {
    /// The session id, `{account}.{random}` (empty if Dintero left it out; the spec allows it).
    #[serde(default)]
    pub id: String,
    /// The hosted checkout page: redirect the customer here or embed it. Treat as opaque.
    /// Optional in the spec; `None` means there is no page to send the customer to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub url: Option<String>,
    /// The full session, when `include_session` was asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub session: Option<Session>,
    /// Dintero's request id of the answer this value was read from (`None` when that answer
    /// had none, or the value did not come from Dintero). Set by the client from the answer's
    /// headers; never read from a body.
    #[serde(
        default = "answer_request_id",
        deserialize_with = "request_id_of_answer",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>"))]
    pub request_id: Option<String>,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// One entry of a session's event log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SessionEvent {
    /// Event id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub id: Option<String>,
    /// `INITIATED`, `AUTHORIZED`, `CANCELLED`, ... (optional in the spec).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub name: Option<String>,
    /// When (ISO-8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub created_at: Option<String>,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A checkout session as read back from Dintero.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Session {
    /// Session id (empty if Dintero left it out; the spec allows it, and you asked by id).
    #[serde(default)]
    pub id: String,
    /// Return and callback URLs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub url: Option<SessionUrls>,
    /// The order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub order: Option<Order>,
    /// Set once a payment produced a transaction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub transaction_id: Option<String>,
    /// Creation time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub created_at: Option<String>,
    /// Last change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub updated_at: Option<String>,
    /// When the session stops being payable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub expires_at: Option<String>,
    /// Set when the session was cancelled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub cancelled_at: Option<String>,
    /// The session's event log (a session has no status field; this is its state).
    #[serde(default)]
    pub events: Vec<SessionEvent>,
    /// Dintero's request id of the answer this value was read from (`None` when that answer
    /// had none, or the value did not come from Dintero). Set by the client from the answer's
    /// headers; never read from a body.
    #[serde(
        default = "answer_request_id",
        deserialize_with = "request_id_of_answer",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>"))]
    pub request_id: Option<String>,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// An error recorded on an unsuccessful transaction event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct EventError {
    /// Error code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub code: Option<String>,
    /// Error text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub message: Option<String>,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// One entry of a transaction's event log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TransactionEvent {
    /// Event id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub id: Option<String>,
    /// What happened (optional in the spec: `None` when Dintero does not say).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub event: Option<TransactionEventKind>,
    /// The transaction status after the event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub transaction_status: Option<TransactionStatus>,
    /// Whether the operation succeeded: `Some(false)` is a failure Dintero reported, `None`
    /// means Dintero did not say. Only `Some(true)` counts as success ([`Self::succeeded`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub success: Option<bool>,
    /// Amount of the operation, minor units. The spec types it as a number, so `100.0` is
    /// read as `100`; a fraction of a minor unit is a decode error.
    #[serde(
        default,
        deserialize_with = "minor_units",
        skip_serializing_if = "Option::is_none"
    )]
    pub amount: Option<i64>,
    /// Lines of the operation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub items: Vec<OrderItem>,
    /// The `capture_reference` / `refund_reference` of the operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub event_reference: Option<String>,
    /// The `event-request-id` of the 202 answer this event completes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub correlation_request_id: Option<String>,
    /// Dintero's id for the request that made the event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub request_id: Option<String>,
    /// When.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub created_at: Option<String>,
    /// Why it failed, when `success` is false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub error: Option<EventError>,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

impl TransactionEvent {
    /// True only when Dintero said the event succeeded (`success: true`). A missing `success`
    /// is not a success.
    pub fn succeeded(&self) -> bool {
        self.success == Some(true)
    }

    /// True when the event is of `kind`.
    pub fn is(&self, kind: &TransactionEventKind) -> bool {
        self.event.as_ref() == Some(kind)
    }
}

/// An optional amount in minor units that may come as a JSON number with a zero fraction.
fn minor_units<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    use serde::de::Error as _;
    match Option::<serde_json::Number>::deserialize(d)? {
        None => Ok(None),
        Some(n) => {
            if let Some(i) = n.as_i64() {
                return Ok(Some(i));
            }
            match n.as_f64() {
                Some(f) if f.fract() == 0.0 && f.abs() <= 9.0e15 => Ok(Some(f as i64)),
                _ => Err(D::Error::custom(format!(
                    "{n} is not a whole number of minor units"
                ))),
            }
        }
    }
}

/// A payment: what the customer authorized and what happened to it since.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Transaction {
    /// Transaction id (empty if Dintero left it out; the spec allows it, and you asked by id).
    #[serde(default)]
    pub id: String,
    /// The session that produced it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub session_id: Option<String>,
    /// Current status. Optional in the spec: `None` when Dintero does not say, which is never
    /// paid ([`Transaction::is_paid`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub status: Option<TransactionStatus>,
    /// Total authorized, minor units.
    pub amount: i64,
    /// ISO-4217 currency.
    #[serde(default)]
    pub currency: String,
    /// Your order id.
    #[serde(default)]
    pub merchant_reference: String,
    /// Your second reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub merchant_reference_2: Option<String>,
    /// E.g. `dintero_psp`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub payment_product: Option<String>,
    /// E.g. `dintero_psp.creditcard`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub payment_product_type: Option<String>,
    /// The order lines, with the shipping line appended.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub items: Vec<OrderItem>,
    /// The event log.
    #[serde(default)]
    pub events: Vec<TransactionEvent>,
    /// Creation time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub created_at: Option<String>,
    /// Last change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub updated_at: Option<String>,
    /// Dintero's request id of the answer this value was read from (`None` when that answer
    /// had none, or the value did not come from Dintero). Set by the client from the answer's
    /// headers; never read from a body.
    #[serde(
        default = "answer_request_id",
        deserialize_with = "request_id_of_answer",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>"))]
    pub request_id: Option<String>,
    /// Fields this SDK does not model (`card`, `customer`, `session`, ...).
    #[serde(flatten)]
    pub extra: Extra,
}

impl Transaction {
    /// True when the transaction has a status and it is a paid one
    /// ([`TransactionStatus::is_paid`]); false when Dintero sent no status.
    pub fn is_paid(&self) -> bool {
        self.status.as_ref().is_some_and(TransactionStatus::is_paid)
    }

    fn sum_events(&self, kind: &TransactionEventKind) -> i64 {
        self.events
            .iter()
            .filter(|e| e.succeeded() && e.is(kind))
            .filter_map(|e| e.amount)
            .sum()
    }

    /// Σ of successful CAPTURE events (Dintero has no captured total field).
    pub fn captured_amount(&self) -> i64 {
        self.sum_events(&TransactionEventKind::Capture)
    }

    /// Σ of successful REFUND events.
    pub fn refunded_amount(&self) -> i64 {
        self.sum_events(&TransactionEventKind::Refund)
    }

    /// The successful event of `kind` carrying `reference`, if there is one.
    pub fn event_with_reference(
        &self,
        kind: &TransactionEventKind,
        reference: &str,
    ) -> Option<&TransactionEvent> {
        self.events
            .iter()
            .find(|e| e.is(kind) && e.event_reference.as_deref() == Some(reference))
    }
}

/// Body of a capture.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CaptureRequest {
    /// Amount to capture, minor units (> 0).
    pub amount: i64,
    /// Your reference for this capture, recorded on the event and the settlement report. It
    /// makes retries safe, from any process: the SDK finds the capture by it. Use one per
    /// capture. When absent, none is sent and Dintero uses the order's `event_reference`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub capture_reference: Option<String>,
    /// The lines captured (`line_id` and `amount` each).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub items: Vec<OrderItem>,
    /// `ext_*` string metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub metadata: Option<Value>,
    /// `true`: this is the last capture; Dintero voids what is left of the authorization and
    /// refuses later captures (`dintero_psp` only). Dintero's default is `false`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub final_capture: Option<bool>,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Body of a refund.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RefundRequest {
    /// Amount to refund, minor units (> 0).
    pub amount: i64,
    /// Your reference for this refund (see `CaptureRequest::capture_reference`). Use one per
    /// refund.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub refund_reference: Option<String>,
    /// Why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub reason: Option<String>,
    /// The lines refunded.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub items: Vec<OrderItem>,
    /// `ext_*` string metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub metadata: Option<Value>,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Body of `POST /v1/transactions/{id}/authorization` (extend or change an authorization).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ExtendAuthorizationRequest {
    /// Why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub reason: Option<String>,
    /// Your reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub reference: Option<String>,
    /// New authorization amount, where the payment method supports it (a Klarna order-amount
    /// update, a Dintero PSP pre-authorization increment). A number in the spec: `100.0` is
    /// read as `100`.
    #[serde(
        default,
        deserialize_with = "minor_units",
        skip_serializing_if = "Option::is_none"
    )]
    pub amount: Option<i64>,
    /// `true` finalizes a Dintero PSP pre-authorization: no further increments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub final_authorization: Option<bool>,
    /// The order lines after the change (a Klarna order-amount update sends `amount` and
    /// `items`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub items: Vec<OrderItem>,
    /// A description of the change. Listed on Dintero's API reference page but not in the
    /// published spec (`spec-payments.yaml`), so Dintero may ignore it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub description: Option<String>,
    /// Fields this SDK does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The token endpoint's answer. Public only so tests can decode it; the client keeps the token
/// to itself (no `Debug`, so it cannot be printed by accident).
#[doc(hidden)]
#[derive(Clone, Deserialize)]
pub struct AccessTokenResponse {
    /// The bearer token.
    pub access_token: String,
    /// Lifetime in seconds.
    #[serde(default)]
    pub expires_in: Option<u64>,
}

open_enum!(
    /// `error` of a callback or return URL.
    PaymentError {
        /// The customer cancelled.
        Cancelled => "cancelled",
        /// The customer failed to authorize.
        Authorization => "authorization",
        /// The payment was rejected or failed.
        Failed => "failed",
        /// Historic: the capture failed.
        Capture => "capture",
    }
);

open_enum!(
    /// `event` of a callback sent with `report_event`.
    CallbackEventKind {
        /// A capture happened.
        Capture => "CAPTURE",
        /// A refund happened.
        Refund => "REFUND",
        /// A void happened.
        Void => "VOID",
    }
);

thread_local! {
    /// The request id of the answer being decoded on this thread (see [`decoding_answer`]).
    static ANSWER_REQUEST_ID: std::cell::RefCell<Option<String>> =
        const { std::cell::RefCell::new(None) };
}

/// Runs `decode` (a synchronous serde decode of one of Dintero's answers) so that every
/// `request_id` field it fills, nested ones included, holds `request_id`.
pub(crate) fn decoding_answer<R>(request_id: Option<String>, decode: impl FnOnce() -> R) -> R {
    struct Reset(Option<String>);
    impl Drop for Reset {
        fn drop(&mut self) {
            let earlier = self.0.take();
            ANSWER_REQUEST_ID.with(|id| *id.borrow_mut() = earlier);
        }
    }
    let earlier = ANSWER_REQUEST_ID.with(|id| id.replace(request_id));
    let _reset = Reset(earlier);
    decode()
}

fn answer_request_id() -> Option<String> {
    ANSWER_REQUEST_ID.with(|id| id.borrow().clone())
}

/// A `request_id` in a body is not the answer's: the header's wins.
fn request_id_of_answer<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<String>, D::Error> {
    serde::de::IgnoredAny::deserialize(d)?;
    Ok(answer_request_id())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_that_does_not_say_it_succeeded_is_not_counted() {
        let tx: Transaction = serde_json::from_str(
            r#"{"id":"T1.a","status":"CAPTURED","amount":100,"events":[
                {"event":"CAPTURE","amount":100},
                {"event":"CAPTURE","amount":40,"success":true}]}"#,
        )
        .unwrap();
        assert_eq!(tx.captured_amount(), 40);
    }

    #[test]
    fn refunded_is_not_paid() {
        assert!(TransactionStatus::Authorized.is_paid());
        assert!(TransactionStatus::PartiallyRefunded.is_paid());
        assert!(!TransactionStatus::Refunded.is_paid());
        assert!(!TransactionStatus::OnHold.is_paid());
        assert!(!TransactionStatus::parse("SOMETHING_NEW").is_paid());
    }
}
