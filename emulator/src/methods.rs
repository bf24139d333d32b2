//! The payment methods the hosted checkout offers, which of them a session gets, and the
//! test inputs (card numbers, phone numbers) that make each one succeed or fail.
//!
//! This table is the only copy: the page, the control API and the catalog
//! (`GET /_emulator/catalog`, key `payment_methods`) all read it.

use crate::cards::{CardKind, CARDS};
use crate::model::Session;
use serde_json::{json, Value};

/// What the customer types to pay with a method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Input {
    /// Card number, expiry and CVC (the test cards in [`crate::cards`]).
    Card,
    /// A mobile number (wallets, invoice and Klarna).
    Phone,
}

/// What a test input makes the payment do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The payment goes through: AUTHORIZED (CAPTURED for methods that capture at once,
    /// or with `configuration.auto_capture: true`).
    Approve,
    /// The customer says no in the app: no transaction, `error=authorization`; the session
    /// stays payable.
    Reject,
    /// The provider refuses (funds, credit check): no transaction, `error=failed`; the
    /// session stays payable.
    Fail,
    /// The transaction is created ON_HOLD (manual review) and decided later through
    /// `POST /_emulator/transactions/{id}/decide`.
    OnHold,
}

impl Outcome {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Outcome::Approve => "approve",
            Outcome::Reject => "reject",
            Outcome::Fail => "fail",
            Outcome::OnHold => "on_hold",
        }
    }
}

/// One test input of a phone-based method.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TestInput {
    pub name: &'static str,
    pub value: &'static str,
    pub outcome: Outcome,
    pub description: &'static str,
}

/// A payment method (one `payment_product_type`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Method {
    pub product_type: &'static str,
    pub product: &'static str,
    /// What the customer sees on the page.
    pub label: &'static str,
    /// Currencies the method is offered in; empty means any.
    pub currencies: &'static [&'static str],
    /// Where the session's `configuration` switches it on: `configuration.<path>.enabled`.
    pub config_path: &'static [&'static str],
    pub input: Input,
    /// Paid and captured in one step (Swish): the transaction is CAPTURED at once.
    pub captures_at_once: bool,
    /// `POST /v1/transactions/{id}/authorization` updates the authorization (Klarna).
    pub authorization_updates: bool,
    pub test_inputs: &'static [TestInput],
    pub notes: &'static str,
}

const fn input(
    name: &'static str,
    value: &'static str,
    outcome: Outcome,
    description: &'static str,
) -> TestInput {
    TestInput {
        name,
        value,
        outcome,
        description,
    }
}

/// The product type of card payments.
pub(crate) const CARD: &str = "dintero_psp.creditcard";

/// Every method the emulator offers, in the order the page lists them.
pub(crate) const METHODS: &[Method] = &[
    Method {
        product_type: CARD,
        product: "dintero_psp",
        label: "Card",
        currencies: &[],
        config_path: &["dintero_psp", "creditcard"],
        input: Input::Card,
        captures_at_once: false,
        authorization_updates: false,
        test_inputs: &[],
        notes: "Dintero PSP test cards (catalog key `cards`). AUTHORIZED, or CAPTURED with auto_capture.",
    },
    Method {
        product_type: "vipps",
        product: "vipps",
        label: "Vipps",
        currencies: &["NOK"],
        config_path: &["vipps"],
        input: Input::Phone,
        captures_at_once: false,
        authorization_updates: false,
        test_inputs: &[
            input(
                "approve",
                "+4740000001",
                Outcome::Approve,
                "the customer confirms in the Vipps app: AUTHORIZED (CAPTURED with auto_capture)",
            ),
            input(
                "reject",
                "+4740000002",
                Outcome::Reject,
                "the customer rejects the payment in the Vipps app: error=authorization",
            ),
            input(
                "fail",
                "+4740000003",
                Outcome::Fail,
                "Vipps refuses the payment (card in the app declined): error=failed",
            ),
        ],
        notes: "NOK only.",
    },
    Method {
        product_type: "swish.swish",
        product: "swish",
        label: "Swish",
        currencies: &["SEK"],
        config_path: &["swish", "swish"],
        input: Input::Phone,
        captures_at_once: true,
        authorization_updates: false,
        test_inputs: &[
            input(
                "approve",
                "+46700000001",
                Outcome::Approve,
                "the customer confirms in the Swish app: paid and CAPTURED at once",
            ),
            input(
                "reject",
                "+46700000002",
                Outcome::Reject,
                "the customer rejects the payment in the Swish app: error=authorization",
            ),
            input(
                "fail",
                "+46700000003",
                Outcome::Fail,
                "the bank refuses the payment: error=failed",
            ),
        ],
        notes: "SEK only. Paid and captured in one step: no void, refunds work.",
    },
    Method {
        product_type: "collector.invoice",
        product: "collector",
        label: "Invoice (Walley)",
        currencies: &["NOK", "SEK", "EUR", "DKK"],
        config_path: &["collector", "invoice"],
        input: Input::Phone,
        captures_at_once: false,
        authorization_updates: false,
        test_inputs: &[
            input(
                "approve",
                "+4798000001",
                Outcome::Approve,
                "credit check passes: AUTHORIZED",
            ),
            input(
                "on_hold",
                "+4798000004",
                Outcome::OnHold,
                "manual review: ON_HOLD, decided later with POST /_emulator/transactions/{id}/decide (a second callback follows)",
            ),
            input(
                "fail",
                "+4798000003",
                Outcome::Fail,
                "credit check refused: error=failed",
            ),
        ],
        notes: "Invoice; capture whole item lines.",
    },
    Method {
        product_type: "klarna.klarna",
        product: "klarna",
        label: "Klarna",
        currencies: &["NOK", "SEK", "EUR", "DKK"],
        config_path: &["klarna", "klarna"],
        input: Input::Phone,
        captures_at_once: false,
        authorization_updates: true,
        test_inputs: &[
            input(
                "approve",
                "+4740123456",
                Outcome::Approve,
                "Klarna approves: AUTHORIZED; POST /v1/transactions/{id}/authorization extends it or updates the order amount",
            ),
            input(
                "fail",
                "+4740123457",
                Outcome::Fail,
                "Klarna denies the purchase: error=failed",
            ),
        ],
        notes: "Authorization updates: without `amount` the authorization is extended; with `amount` and `items` the order amount and lines are replaced.",
    },
];

/// The method of a `payment_product_type`.
pub(crate) fn find(product_type: &str) -> Option<&'static Method> {
    METHODS.iter().find(|m| m.product_type == product_type)
}

/// `configuration.<path>.enabled` as set on the session: `Some(true/false)` or `None`.
fn flag(config: Option<&Value>, path: &[&str]) -> Option<bool> {
    let mut v = config?;
    for key in path {
        v = v.get(key)?;
    }
    v.get("enabled").and_then(Value::as_bool)
}

impl Method {
    pub(crate) fn offered_in(&self, currency: &str) -> bool {
        self.currencies.is_empty() || self.currencies.contains(&currency)
    }

    /// The test input a phone number stands for. Spaces, dashes and dots are ignored, and
    /// the country code may be left out (`40000001` is `+4740000001`, `070 000 00 01` is
    /// `+46700000001`).
    pub(crate) fn phone_input(&self, raw: &str) -> Option<&'static TestInput> {
        let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
        // `0047...` is `+47...`; a Swedish national number starts with a trunk `0`.
        let digits = match digits.strip_prefix("00") {
            Some(rest) => rest,
            None => digits.strip_prefix('0').unwrap_or(&digits),
        };
        if digits.len() < 8 {
            return None;
        }
        self.test_inputs.iter().find(|t| {
            let want: String = t.value.chars().filter(char::is_ascii_digit).collect();
            want == digits || (want.ends_with(digits) && want.len() - digits.len() <= 2)
        })
    }

    /// The test inputs as a customer-facing hint: `+47 40000001 (approved), ...`.
    pub(crate) fn hint(&self) -> String {
        self.test_inputs
            .iter()
            .map(|t| format!("{} ({})", t.value, t.name.replace('_', " ")))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The methods a session offers, in page order. A payment profile (`profile_id`) or
/// `configuration.active_payment_types.enabled: true` offers every method; a plain session
/// without any provider switched on gets cards. `configuration.<provider...>.enabled`
/// adds (true) or removes (false) a method. Only methods offered in the session's currency
/// are kept.
pub(crate) fn enabled(session: &Session) -> Vec<&'static Method> {
    let config = session.body.get("configuration");
    let all = session.profile_id.is_some()
        || config
            .and_then(|c| c.get("active_payment_types"))
            .and_then(|a| a.get("enabled"))
            .and_then(Value::as_bool)
            .unwrap_or(false);
    let any_switched_on = METHODS
        .iter()
        .any(|m| flag(config, m.config_path) == Some(true));
    let currency = session.currency();
    METHODS
        .iter()
        .filter(|m| match flag(config, m.config_path) {
            Some(on) => on,
            None => all || (!any_switched_on && m.product_type == CARD),
        })
        .filter(|m| m.offered_in(&currency))
        .collect()
}

fn card_outcome(kind: CardKind) -> &'static str {
    match kind {
        CardKind::Decline => "fail",
        CardKind::ThreeDsFailed => "reject",
        CardKind::AuthTimeout => "fail_with_transaction",
        _ => "approve",
    }
}

/// The catalog's `payment_methods` list.
pub(crate) fn catalog() -> Value {
    let list: Vec<Value> = METHODS
        .iter()
        .map(|m| {
            let (input, tests): (&str, Vec<Value>) = match m.input {
                Input::Card => (
                    "card_number",
                    CARDS
                        .iter()
                        .map(|c| {
                            json!({
                                "name": c.name,
                                "value": c.number,
                                "outcome": card_outcome(c.kind),
                                "description": c.scenario,
                            })
                        })
                        .collect(),
                ),
                Input::Phone => (
                    "phone_number",
                    m.test_inputs
                        .iter()
                        .map(|t| {
                            json!({
                                "name": t.name,
                                "value": t.value,
                                "outcome": t.outcome.as_str(),
                                "description": t.description,
                            })
                        })
                        .collect(),
                ),
            };
            let mut config = String::from("configuration");
            for p in m.config_path {
                config.push('.');
                config.push_str(p);
            }
            config.push_str(".enabled");
            json!({
                "payment_product_type": m.product_type,
                "payment_product": m.product,
                "label": m.label,
                "currencies": m.currencies,
                "enabled_by": config,
                "input": input,
                "captures_at_once": m.captures_at_once,
                "authorization_updates": m.authorization_updates,
                "test_inputs": tests,
                "notes": m.notes,
            })
        })
        .collect();
    Value::Array(list)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_match_with_or_without_country_code() {
        let vipps = find("vipps").unwrap();
        assert_eq!(
            vipps.phone_input("+47 400 00 001").unwrap().outcome,
            Outcome::Approve
        );
        assert_eq!(
            vipps.phone_input("40000002").unwrap().outcome,
            Outcome::Reject
        );
        assert_eq!(
            vipps.phone_input("0047-40000003").unwrap().outcome,
            Outcome::Fail
        );
        assert!(vipps.phone_input("40000009").is_none());
        assert!(vipps.phone_input("0001").is_none());
        let swish = find("swish.swish").unwrap();
        // the Swedish national format, with its trunk 0
        assert_eq!(
            swish.phone_input("070-000 00 01").unwrap().outcome,
            Outcome::Approve
        );
        assert!(swish.phone_input("+46 70 000 00 01").is_some());
        assert!(swish.phone_input("+47 70 000 00 01").is_none());
    }

    #[test]
    fn catalog_lists_every_method_with_unique_inputs() {
        let c = catalog();
        let list = c.as_array().unwrap();
        assert_eq!(list.len(), METHODS.len());
        for m in list {
            let tests = m["test_inputs"].as_array().unwrap();
            assert!(!tests.is_empty(), "{m}");
            let mut values: Vec<&str> =
                tests.iter().map(|t| t["value"].as_str().unwrap()).collect();
            values.sort();
            values.dedup();
            assert_eq!(values.len(), tests.len());
        }
        assert_eq!(list[1]["enabled_by"], "configuration.vipps.enabled");
        assert_eq!(list[2]["enabled_by"], "configuration.swish.swish.enabled");
    }
}
