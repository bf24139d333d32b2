//! Receiving a callback in one call: [`Callbacks::receive`].
//!
//! Every callback receiver makes the same decision: verify the signature on the URL rebuilt
//! from the request the web framework hands over, take an authentic but late retry as
//! authentic, note a callback that reports a failed or cancelled payment, confirm the rest
//! against the transaction, and answer Dintero with a status that says what should happen
//! next. Dintero reads the answer this way (see `dintero-api.md`, "Callback"):
//!
//! * **2xx** ends the deliveries of this callback.
//! * **4xx** is final as well: Dintero never retries it. Only a request that is not Dintero's
//!   (no signature, a wrong one, not a callback at all) or that contradicts the transaction it
//!   names gets one.
//! * **5xx**, a timeout (10 s) or a dropped connection make Dintero retry, up to 20 times over
//!   hours: the answer whenever the callback could not be checked *now* (Dintero or the
//!   network is down, or this receiver is misconfigured and will be fixed).
//!
//! | outcome | status | when |
//! | --- | --- | --- |
//! | [`ReceiptOutcome::Confirmed`] | 200 | authentic (late retries included) and the transaction, read afresh, matches |
//! | [`ReceiptOutcome::PaymentFailed`] | 200 | authentic, and it reports `error=cancelled`, `authorization` or `failed` |
//! | [`ReceiptOutcome::Refused`] | 403 | no `Dintero-Signature`, or one that does not match |
//! | [`ReceiptOutcome::Refused`] | 400 | a request that is not a callback, or cannot be read |
//! | [`ReceiptOutcome::Refused`] | 409 | authentic, but it contradicts the transaction (id, session, reference, event) |
//! | [`ReceiptOutcome::RetryLater`] | 503 | the transaction could not be read: Dintero or the network failed (transient) |
//! | [`ReceiptOutcome::RetryLater`] | 500 | this receiver cannot check it: credentials refused, transaction not found, a bad `public_url` |
//!
//! Only a confirmed receipt carries the transaction, so an order cannot be fulfilled from a
//! refused or retry-later receipt by accident.

use serde::{Deserialize, Serialize};

use crate::callbacks::{
    is_authentic_but_late, parse_callback, request_url, unix_now, Callback, CallbackVerifier,
    Callbacks, SIGNATURE_MISMATCH, SIGNATURE_MISSING,
};
use crate::error::{Error, ErrorKind};
use crate::models::Transaction;

/// Status answered to a confirmed callback and to a noted payment failure.
pub const STATUS_OK: u16 = 200;
/// Status answered to a request that is not a callback or cannot be read (final at Dintero).
pub const STATUS_NOT_A_CALLBACK: u16 = 400;
/// Status answered to a request without a valid signature (final at Dintero).
pub const STATUS_NOT_SIGNED: u16 = 403;
/// Status answered to an authentic callback that contradicts its transaction (final).
pub const STATUS_CONTRADICTS: u16 = 409;
/// Status answered when this receiver cannot check the callback (Dintero retries).
pub const STATUS_RECEIVER_FAILED: u16 = 500;
/// Status answered when Dintero or the network failed (Dintero retries).
pub const STATUS_TRANSIENT: u16 = 503;

/// Where the callback was sent, for [`Callbacks::receive`]: the same settings as
/// [`request_url`] and [`CallbackVerifier::verify_request`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReceiveOptions {
    /// Your public origin (`https://shop.example`) when a proxy in front of your server
    /// rewrites `Host`. Takes precedence over every header.
    pub public_url: Option<String>,
    /// Read the origin from your own proxy's `Forwarded` / `X-Forwarded-*` headers. Only when
    /// that proxy overwrites them: otherwise anyone can choose the URL that is checked.
    pub trust_proxy: bool,
    /// Unix seconds to check the signature's age against; `None` is the clock (for tests and
    /// for replaying stored callbacks).
    pub now: Option<i64>,
}

/// What became of a received callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum ReceiptOutcome {
    /// Dintero's callback, confirmed against the transaction read afresh: act on the receipt's
    /// `transaction` (fulfil when it is paid). Answered 200.
    Confirmed,
    /// Dintero's callback reporting a payment that failed or was cancelled (the callback's
    /// `error`): nothing to fulfil. Answered 200.
    PaymentFailed,
    /// Not Dintero's (no or a wrong signature, not a callback), or it contradicts the
    /// transaction. Answered 4xx, which is final at Dintero.
    Refused,
    /// Could not be checked now (Dintero or the network failed, or this receiver is
    /// misconfigured). Answered 5xx: Dintero delivers it again later.
    RetryLater,
}

impl ReceiptOutcome {
    /// `"confirmed"`, `"payment_failed"`, `"refused"` or `"retry_later"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ReceiptOutcome::Confirmed => "confirmed",
            ReceiptOutcome::PaymentFailed => "payment_failed",
            ReceiptOutcome::Refused => "refused",
            ReceiptOutcome::RetryLater => "retry_later",
        }
    }
}

/// An SDK error as plain data, for a value that reports one instead of failing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ErrorDetails {
    /// The stable category.
    pub kind: ErrorKind,
    /// What went wrong, in words (never a secret).
    pub message: String,
    /// The HTTP status Dintero answered with, when there was an answer.
    pub status: Option<u16>,
    /// Dintero's `error.code`, or the SDK's (`signature_mismatch`, `callback_mismatch`, ...).
    pub code: Option<String>,
    /// The request id Dintero gave the failed request, when known.
    pub request_id: Option<String>,
}

impl From<&Error> for ErrorDetails {
    fn from(e: &Error) -> Self {
        ErrorDetails {
            kind: e.kind(),
            message: e.message().to_string(),
            status: e.status(),
            code: e.code().map(str::to_string),
            request_id: e.request_id().map(str::to_string),
        }
    }
}

/// What [`Callbacks::receive`] decided about a request: the status to answer, why, and, only
/// when confirmed, the transaction to act on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CallbackReceipt {
    /// The HTTP status to answer the request with (2xx ends Dintero's deliveries, 4xx is final,
    /// 5xx makes Dintero retry).
    pub status: u16,
    /// A short reason, safe to send as the answer's body and to log.
    pub reason: String,
    /// What became of the callback.
    pub outcome: ReceiptOutcome,
    /// The signature was authentic but outside the time window: one of Dintero's late retries
    /// (still confirmed, never refused).
    pub late: bool,
    /// The verified callback: set when `confirmed` and when `payment_failed` (its `error` and
    /// `merchant_reference` say which order failed how); absent otherwise.
    pub callback: Option<Callback>,
    /// The transaction as Dintero has it now, only when `confirmed`: act on its status.
    pub transaction: Option<Transaction>,
    /// Why it was refused or must be retried; absent when confirmed or a noted failure.
    pub error: Option<ErrorDetails>,
}

impl CallbackReceipt {
    /// True when the callback was confirmed (then `transaction` is set).
    pub fn is_confirmed(&self) -> bool {
        self.outcome == ReceiptOutcome::Confirmed
    }

    fn refused(status: u16, reason: &str, error: &Error) -> Self {
        Self::failed(ReceiptOutcome::Refused, status, reason, error)
    }

    fn failed(outcome: ReceiptOutcome, status: u16, reason: &str, error: &Error) -> Self {
        CallbackReceipt {
            status,
            reason: reason.to_string(),
            outcome,
            late: false,
            callback: None,
            transaction: None,
            error: Some(error.into()),
        }
    }

    /// The receipt of a callback that could not be verified (or whose URL could not be
    /// rebuilt).
    fn unverified(error: &Error) -> Self {
        match (error.kind(), error.code()) {
            (ErrorKind::Signature, Some(SIGNATURE_MISSING)) => {
                Self::refused(STATUS_NOT_SIGNED, "not signed by Dintero", error)
            }
            (ErrorKind::Signature, Some(SIGNATURE_MISMATCH)) => Self::refused(
                STATUS_NOT_SIGNED,
                "the signature does not match this request",
                error,
            ),
            (ErrorKind::Signature, _) => {
                Self::refused(STATUS_NOT_A_CALLBACK, "not a Dintero callback", error)
            }
            // A `public_url` that is not a URL: the receiver is misconfigured. Dintero retries
            // while it is fixed, rather than losing the callback to a 4xx.
            _ => Self::failed(
                ReceiptOutcome::RetryLater,
                STATUS_RECEIVER_FAILED,
                "the receiver is misconfigured; retry later",
                error,
            ),
        }
    }

    /// The receipt of an authentic callback that `confirm` refused or could not check.
    fn unconfirmed(error: &Error, late: bool) -> Self {
        let receipt = if error.kind() == ErrorKind::Conflict
            && error.code() == Some(crate::callbacks::CALLBACK_MISMATCH)
        {
            Self::refused(
                STATUS_CONTRADICTS,
                "the callback contradicts its transaction",
                error,
            )
        } else if error.is_transient() {
            Self::failed(
                ReceiptOutcome::RetryLater,
                STATUS_TRANSIENT,
                "the transaction could not be read now; retry later",
                error,
            )
        } else {
            Self::failed(
                ReceiptOutcome::RetryLater,
                STATUS_RECEIVER_FAILED,
                "the transaction could not be checked; retry later",
                error,
            )
        };
        CallbackReceipt { late, ..receipt }
    }
}

impl Callbacks<'_> {
    /// Receives a callback request as a web framework hands it over, and decides the answer.
    ///
    /// `method`, `path_and_query` (as received: `/dintero/callback?transaction_id=...`) and
    /// `headers` are the request's; `options` say how to rebuild the URL Dintero called
    /// (`public_url`, `trust_proxy`, as [`request_url`]). The signature is checked with
    /// `verifier`; an authentic callback that is merely late is treated as authentic; a
    /// callback reporting `error=` is noted; any other is confirmed against the transaction
    /// ([`Callbacks::confirm`], one read).
    ///
    /// Never fails: every failure is a receipt with the status to answer (see the module
    /// documentation for the table). Answer with `receipt.status` and `receipt.reason`, and
    /// fulfil only from `receipt.transaction` (set only when confirmed).
    pub async fn receive<K, V>(
        &self,
        verifier: &CallbackVerifier,
        method: &str,
        path_and_query: &str,
        headers: &[(K, V)],
        options: &ReceiveOptions,
    ) -> CallbackReceipt
    where
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let receipt = self
            .decide(verifier, method, path_and_query, headers, options)
            .await;
        let transaction_id = receipt
            .callback
            .as_ref()
            .and_then(|c| c.transaction_id.as_deref())
            .unwrap_or("");
        tracing::info!(
            outcome = receipt.outcome.as_str(),
            status = receipt.status,
            late = receipt.late,
            transaction_id,
            code = receipt
                .error
                .as_ref()
                .and_then(|e| e.code.as_deref())
                .unwrap_or(""),
            "callback received"
        );
        receipt
    }

    async fn decide<K, V>(
        &self,
        verifier: &CallbackVerifier,
        method: &str,
        path_and_query: &str,
        headers: &[(K, V)],
        options: &ReceiveOptions,
    ) -> CallbackReceipt
    where
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let pairs = || headers.iter().map(|(k, v)| (k.as_ref(), v.as_ref()));
        let url = match request_url(
            path_and_query,
            pairs(),
            options.public_url.as_deref(),
            options.trust_proxy,
        ) {
            Ok(url) => url,
            Err(e) => return CallbackReceipt::unverified(&e),
        };
        let now = options.now.unwrap_or_else(unix_now);
        let (callback, late) = match verifier.verify_at(method, &url, pairs(), now) {
            Ok(callback) => (callback, false),
            // Dintero's own signature, only older (or newer) than the tolerance: a late retry.
            // Refusing it would lose the callback for good; confirming it is harmless.
            Err(e) if is_authentic_but_late(&e) => match parse_callback(&url) {
                Ok(callback) => (callback, true),
                Err(_) => return CallbackReceipt::unverified(&e),
            },
            Err(e) => return CallbackReceipt::unverified(&e),
        };
        if let Some(error) = &callback.error {
            return CallbackReceipt {
                status: STATUS_OK,
                reason: format!("noted: the payment {}", failure_words(error.as_str())),
                outcome: ReceiptOutcome::PaymentFailed,
                late,
                callback: Some(callback),
                transaction: None,
                error: None,
            };
        }
        match self.confirm(&callback).await {
            Ok(confirmed) => CallbackReceipt {
                status: STATUS_OK,
                reason: if late {
                    "confirmed (a late retry)".to_string()
                } else {
                    "confirmed".to_string()
                },
                outcome: ReceiptOutcome::Confirmed,
                late,
                callback: Some(confirmed.callback),
                transaction: Some(confirmed.transaction),
                error: None,
            },
            Err(e) => CallbackReceipt::unconfirmed(&e, late),
        }
    }
}

/// The callback's `error` in words, for the reason text (a value Dintero adds later is named
/// as it is, cut short).
fn failure_words(error: &str) -> String {
    match error {
        "cancelled" => "was cancelled".to_string(),
        "authorization" => "was not authorized".to_string(),
        "failed" => "failed".to_string(),
        other => {
            let shown: String = other
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                .take(40)
                .collect();
            format!("failed ({shown})")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_follow_the_kind_of_failure() {
        let sig = |code: &str| Error::signature("x").with_code(Some(code.into()));
        let missing = CallbackReceipt::unverified(&sig(SIGNATURE_MISSING));
        assert_eq!(
            (missing.status, missing.outcome),
            (403, ReceiptOutcome::Refused)
        );
        let forged = CallbackReceipt::unverified(&sig(SIGNATURE_MISMATCH));
        assert_eq!(forged.status, 403);
        let malformed = CallbackReceipt::unverified(&sig("signature_malformed"));
        assert_eq!(malformed.status, 400);
        let config = CallbackReceipt::unverified(&Error::invalid_input("public_url: bad"));
        assert_eq!(
            (config.status, config.outcome),
            (500, ReceiptOutcome::RetryLater)
        );
        let down = CallbackReceipt::unconfirmed(&Error::new(ErrorKind::Network, "cut"), true);
        assert_eq!(
            (down.status, down.outcome, down.late),
            (503, ReceiptOutcome::RetryLater, true)
        );
        let refused = CallbackReceipt::unconfirmed(
            &Error::new(ErrorKind::Authentication, "no").with_status(401),
            false,
        );
        assert_eq!(refused.status, 500);
        assert_eq!(refused.error.unwrap().status, Some(401));
        for r in [missing, forged, malformed, config, down] {
            assert!(r.transaction.is_none() && r.callback.is_none());
            assert!(!r.is_confirmed());
        }
        assert_eq!(failure_words("new\nvalue"), "failed (newvalue)");
    }
}
