//! Order checks and an order builder: sums, unique `line_id`s and VAT, with the line named.

use std::collections::HashSet;

use crate::error::{Error, Result};
use crate::models::{Order, OrderItem, ShippingOption};

/// Largest amount Dintero accepts (`int32`).
pub const MAX_AMOUNT: i64 = i32::MAX as i64;

/// An amount that must be neither negative nor above `int32` (`order.amount`, a capture).
fn check_amount(path: &str, amount: i64) -> Result<()> {
    if amount < 0 {
        return Err(Error::invalid_input(format!(
            "{path}: must not be negative (got {amount})"
        )));
    }
    check_line_amount(path, amount)
}

/// A line amount: negative on discount and gift-card lines, but within `int32` either way.
fn check_line_amount(path: &str, amount: i64) -> Result<()> {
    if amount.unsigned_abs() > MAX_AMOUNT as u64 {
        return Err(Error::invalid_input(format!(
            "{path}: {amount} is beyond the largest amount Dintero accepts (±{MAX_AMOUNT})"
        )));
    }
    Ok(())
}

/// Walks an order. What Dintero refuses is an `Err`; what only looks wrong (a VAT amount that
/// does not match the rate, a VAT written as a fraction, ...) is collected in `doubts`, because
/// Dintero accepts it and the merchant may have meant it.
struct Review {
    doubts: Vec<String>,
}

impl Review {
    fn doubt(&mut self, message: String) {
        self.doubts.push(message);
    }

    fn vat(
        &mut self,
        path: &str,
        amount: i64,
        quantity: Option<f64>,
        vat: Option<f64>,
        vat_amount: Option<i64>,
    ) -> Result<()> {
        if let Some(vat) = vat {
            if !vat.is_finite() {
                // JSON has no NaN or infinity: this cannot even be sent.
                return Err(Error::invalid_input(format!(
                    "{path}.vat: {vat} is not a number"
                )));
            }
            if !(0.0..=100.0).contains(&vat) {
                self.doubt(format!(
                    "{path}.vat: {vat} is not a percentage between 0 and 100"
                ));
            } else if vat > 0.0 && vat < 1.0 {
                // No VAT rate lies strictly between 0 % and 1 %: probably a fraction by mistake.
                self.doubt(format!(
                    "{path}.vat: {vat} looks like a fraction (25% is written 25, not 0.25)"
                ));
            }
        }
        let Some(va) = vat_amount else {
            return Ok(());
        };
        check_line_amount(&format!("{path}.vat_amount"), va)?;
        if va != 0 && (va.signum() != amount.signum() || va.unsigned_abs() > amount.unsigned_abs())
        {
            self.doubt(format!(
                "{path}.vat_amount: {va} is not part of the line amount {amount} (amount includes VAT)"
            ));
            return Ok(());
        }
        if let Some(vat) = vat.filter(|v| (0.0..=100.0).contains(v)) {
            // amount includes VAT, so VAT = amount * vat / (100 + vat). VAT rounded per unit
            // may be off by up to one minor unit per unit sold. Dintero uses vat_amount for
            // display only, so a mismatch is the merchant's business, not a refusal.
            let expected = (amount as f64) * vat / (100.0 + vat);
            let units = quantity
                .filter(|q| q.is_finite() && *q > 1.0)
                .map_or(1.0, f64::ceil);
            if (va as f64 - expected).abs() > units + (amount as f64).abs() * 1e-9 {
                self.doubt(format!(
                    "{path}.vat_amount: {va} does not match {vat}% VAT of {amount} (expected {})",
                    expected.round() as i64
                ));
            }
        }
        Ok(())
    }

    fn order(&mut self, order: &Order) -> Result<()> {
        check_currency(&order.currency)?;
        if order.merchant_reference.trim().is_empty() {
            return Err(Error::invalid_input(
                "order.merchant_reference: must not be empty",
            ));
        }
        check_amount("order.amount", order.amount)?;
        let mut seen: HashSet<&str> = HashSet::new();
        let mut sum: i64 = 0;
        let mut vat_sum: i64 = 0;
        for (i, item) in order.items.iter().enumerate() {
            let path = format!("order.items[{i}]");
            let Some(amount) = item.amount else {
                return Err(Error::invalid_input(format!(
                    "{path}.amount: is required (order.amount is the sum of the lines)"
                )));
            };
            check_line_amount(&format!("{path}.amount"), amount)?;
            match item.line_id.as_deref() {
                None | Some("") => self.doubt(format!(
                    "{path}.line_id: missing; capture and refund refer to lines by it, and some payment methods require it"
                )),
                Some(id) => {
                    if !seen.insert(id) {
                        return Err(Error::invalid_input(format!("{path}.line_id: {id:?} is used by an earlier line; line ids must be unique")));
                    }
                }
            }
            if let Some(q) = item.quantity {
                if !q.is_finite() {
                    return Err(Error::invalid_input(format!(
                        "{path}.quantity: {q} is not a number"
                    )));
                }
                if q <= 0.0 {
                    self.doubt(format!("{path}.quantity: {q} is not greater than 0"));
                }
            }
            self.vat(&path, amount, item.quantity, item.vat, item.vat_amount)?;
            sum = sum.saturating_add(amount);
            vat_sum = vat_sum.saturating_add(item.vat_amount.unwrap_or(0));
        }
        if let Some(s) = &order.shipping_option {
            let path = "order.shipping_option";
            check_amount(&format!("{path}.amount"), s.amount)?;
            if s.line_id.is_empty() {
                return Err(Error::invalid_input(format!("{path}.line_id: is required")));
            }
            if !seen.insert(s.line_id.as_str()) {
                return Err(Error::invalid_input(format!(
                    "{path}.line_id: {:?} is also used by an order line; line ids must be unique",
                    s.line_id
                )));
            }
            self.vat(path, s.amount, None, s.vat, s.vat_amount)?;
            sum = sum.saturating_add(s.amount);
            vat_sum = vat_sum.saturating_add(s.vat_amount.unwrap_or(0));
        }
        if order.items.is_empty() && order.shipping_option.is_none() {
            return Ok(());
        }
        if order.partial_payment.unwrap_or(false) {
            if order.amount > sum {
                return Err(Error::invalid_input(format!(
                    "order.amount: {} is more than the sum of the lines {sum}",
                    order.amount
                )));
            }
        } else if order.amount != sum {
            return Err(Error::invalid_input(format!(
                "order.amount: {} does not equal the sum of items and shipping ({sum}); difference {}",
                order.amount,
                order.amount - sum
            )));
        }
        if let Some(v) = order.vat_amount {
            check_line_amount("order.vat_amount", v)?;
            if v != vat_sum {
                self.doubt(format!(
                    "order.vat_amount: {v} does not equal the sum of the lines' vat_amount ({vat_sum})"
                ));
            }
        }
        Ok(())
    }
}

fn check_currency(currency: &str) -> Result<()> {
    if currency.len() == 3 && currency.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(())
    } else {
        Err(Error::invalid_input(format!(
            "order.currency: {currency:?} is not an ISO-4217 code (three capital letters, e.g. NOK)"
        )))
    }
}

fn review(order: &Order) -> Result<Vec<String>> {
    let mut r = Review { doubts: Vec::new() };
    r.order(order)?;
    Ok(r.doubts)
}

/// Checks an order for what Dintero refuses (with `strict-session-amounts`, and on update):
/// `amount == Σ items + shipping` (at most the sum with `partial_payment`), `order.amount` not
/// negative, every line with an amount within `int32` (negative on discount and gift-card
/// lines), unique `line_id`s, a shipping option with its required fields, an ISO-4217
/// currency. The error names the offending line (`order.items[2].line_id`).
///
/// What only looks wrong is logged with `tracing::warn!` and let through, because Dintero
/// accepts it: a `vat_amount` that does not match `vat` (Dintero uses it for display only), a
/// VAT written as a fraction (`0.25`), a line without `line_id`, a quantity of 0, an
/// `order.vat_amount` that is not the sum of the lines'. [`validate_order_strict`] refuses
/// those too.
pub fn validate_order(order: &Order) -> Result<()> {
    for doubt in review(order)? {
        tracing::warn!(target: "dintero_checkout::order", "order accepted, but {doubt}");
    }
    Ok(())
}

/// [`validate_order`], and also refuses what only looks wrong (see there): opt in when your
/// own orders should never have a VAT amount off the rate or a line without `line_id`.
pub fn validate_order_strict(order: &Order) -> Result<()> {
    match review(order)?.into_iter().next() {
        Some(doubt) => Err(Error::invalid_input(doubt)),
        None => Ok(()),
    }
}

/// Checks capture/refund lines: each has a `line_id` and an amount (negative on a discount
/// line), and the lines add up to `amount` when given.
pub(crate) fn validate_operation_items(what: &str, amount: i64, items: &[OrderItem]) -> Result<()> {
    if amount <= 0 {
        return Err(Error::invalid_input(format!(
            "{what}.amount: must be greater than 0 (got {amount})"
        )));
    }
    check_amount(&format!("{what}.amount"), amount)?;
    if items.is_empty() {
        return Ok(());
    }
    let mut sum: i64 = 0;
    let mut seen = HashSet::new();
    for (i, item) in items.iter().enumerate() {
        let path = format!("{what}.items[{i}]");
        match item.line_id.as_deref() {
            None | Some("") => {
                return Err(Error::invalid_input(format!("{path}.line_id: is required")))
            }
            Some(id) => {
                if !seen.insert(id.to_string()) {
                    return Err(Error::invalid_input(format!(
                        "{path}.line_id: {id:?} appears twice"
                    )));
                }
            }
        }
        let Some(line) = item.amount else {
            return Err(Error::invalid_input(format!("{path}.amount: is required")));
        };
        check_line_amount(&format!("{path}.amount"), line)?;
        sum = sum.saturating_add(line);
    }
    if sum != amount {
        return Err(Error::invalid_input(format!(
            "{what}.amount: {amount} does not equal the sum of its items ({sum})"
        )));
    }
    Ok(())
}

/// Builds an [`Order`] line by line and checks it.
///
/// ```
/// use dintero_checkout::{OrderBuilder, OrderItem};
/// let order = OrderBuilder::new("NOK", "order-1001")
///     .item(OrderItem { line_id: Some("1".into()), description: Some("Chair".into()),
///                       quantity: Some(1.0), amount: Some(29990), vat: Some(25.0),
///                       vat_amount: Some(5998), ..Default::default() })
///     .build()
///     .unwrap();
/// assert_eq!(order.amount, 29990);
/// ```
#[derive(Debug, Clone)]
pub struct OrderBuilder {
    order: Order,
    amount: Option<i64>,
}

impl OrderBuilder {
    /// An empty order in `currency` for your order id `merchant_reference`.
    pub fn new(currency: impl Into<String>, merchant_reference: impl Into<String>) -> Self {
        OrderBuilder {
            order: Order {
                currency: currency.into(),
                merchant_reference: merchant_reference.into(),
                ..Order::default()
            },
            amount: None,
        }
    }

    /// Adds a line.
    pub fn item(mut self, item: OrderItem) -> Self {
        self.order.items.push(item);
        self
    }

    /// Sets the shipping option.
    pub fn shipping(mut self, shipping: ShippingOption) -> Self {
        self.order.shipping_option = Some(shipping);
        self
    }

    /// Sets the total explicitly (by default it is the sum of the lines).
    pub fn amount(mut self, amount: i64) -> Self {
        self.amount = Some(amount);
        self
    }

    /// Checks ([`validate_order`]) and returns the order; `amount` and `vat_amount` default
    /// to the sums.
    pub fn build(self) -> Result<Order> {
        let order = self.finish();
        validate_order(&order)?;
        Ok(order)
    }

    /// Like [`build`](Self::build), with [`validate_order_strict`]: also refuses a VAT amount
    /// off the rate, a line without `line_id` and the other doubts `build` only logs.
    pub fn build_strict(self) -> Result<Order> {
        let order = self.finish();
        validate_order_strict(&order)?;
        Ok(order)
    }

    fn finish(mut self) -> Order {
        let lines = self
            .order
            .items
            .iter()
            .fold(0i64, |acc, i| acc.saturating_add(i.amount.unwrap_or(0)))
            .saturating_add(self.order.shipping_option.as_ref().map_or(0, |s| s.amount));
        self.order.amount = self.amount.unwrap_or(lines);
        let has_vat = self.order.items.iter().any(|i| i.vat_amount.is_some())
            || self
                .order
                .shipping_option
                .as_ref()
                .is_some_and(|s| s.vat_amount.is_some());
        if has_vat {
            self.order.vat_amount = Some(
                self.order
                    .items
                    .iter()
                    .filter_map(|i| i.vat_amount)
                    .fold(0i64, i64::saturating_add)
                    .saturating_add(
                        self.order
                            .shipping_option
                            .as_ref()
                            .and_then(|s| s.vat_amount)
                            .unwrap_or(0),
                    ),
            );
        }
        self.order
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(line: &str, amount: i64, qty: f64, vat: f64, vat_amount: i64) -> OrderItem {
        OrderItem {
            line_id: Some(line.into()),
            amount: Some(amount),
            quantity: Some(qty),
            vat: Some(vat),
            vat_amount: Some(vat_amount),
            ..Default::default()
        }
    }

    fn chair_with(vat_amount: i64) -> OrderBuilder {
        OrderBuilder::new("NOK", "o").item(item("1", 29990, 1.0, 25.0, vat_amount))
    }

    #[test]
    fn a_vat_amount_off_the_rate_is_accepted_and_refused_only_when_strict() {
        // Dintero's own docs example: 6000 on 29990 at 25 % (exact: 5998). Dintero, its Python
        // SDK and the emulator accept it; vat_amount is for display only.
        let order = chair_with(6000).build().unwrap();
        assert_eq!(order.amount, 29990);
        assert_eq!(order.vat_amount, Some(6000));
        let err = chair_with(6000).build_strict().unwrap_err();
        assert!(
            err.message().contains("order.items[0].vat_amount") && err.message().contains("5998"),
            "{err}"
        );
        assert!(chair_with(5998).build_strict().is_ok());
    }

    #[test]
    fn vat_rounded_per_unit_passes_strict() {
        // 10 × 0.23 NOK at 25%: VAT 0.046 per unit rounds to 0.05, so 50 øre in all (exact: 46).
        let strict = OrderBuilder::new("NOK", "o")
            .item(item("1", 230, 10.0, 25.0, 50))
            .build_strict();
        assert!(strict.is_ok(), "{strict:?}");
        // One unit cannot be five øre off: a doubt, so only the strict check refuses it.
        let one = || OrderBuilder::new("NOK", "o").item(item("1", 230, 1.0, 25.0, 50));
        assert!(one().build().is_ok());
        let err = one().build_strict().unwrap_err();
        assert!(err.message().contains("order.items[0].vat_amount"), "{err}");
    }

    #[test]
    fn discount_and_gift_card_lines_may_be_negative() {
        let discount = OrderItem {
            line_id: Some("discount".into()),
            description: Some("10% off".into()),
            quantity: Some(1.0),
            amount: Some(-2999),
            vat: Some(25.0),
            vat_amount: Some(-600),
            ..Default::default()
        };
        let gift_card = OrderItem {
            line_id: Some("gift".into()),
            amount: Some(-5000),
            vat: Some(0.0),
            vat_amount: Some(0),
            ..Default::default()
        };
        let build = || {
            chair_with(5998)
                .item(discount.clone())
                .item(gift_card.clone())
        };
        let order = build().build_strict().unwrap();
        assert_eq!(order.amount, 29990 - 2999 - 5000);
        assert_eq!(order.vat_amount, Some(5998 - 600));
        assert!(build().build().is_ok());
        // The total stays the sum of the lines and never goes below zero.
        let err = build().amount(29990).build().unwrap_err();
        assert!(err.message().starts_with("order.amount"), "{err}");
        let err = OrderBuilder::new("NOK", "o")
            .item(gift_card.clone())
            .build()
            .unwrap_err();
        assert!(err.message().contains("must not be negative"), "{err}");
        // VAT of a negative line has the line's sign; a positive VAT on it is only a doubt.
        let odd = OrderItem {
            vat_amount: Some(600),
            ..discount.clone()
        };
        let odd_order = || chair_with(5998).item(odd.clone());
        assert!(odd_order().build().is_ok());
        let err = odd_order().build_strict().unwrap_err();
        assert!(
            err.message().starts_with("order.items[1].vat_amount"),
            "{err}"
        );
    }

    #[test]
    fn guesses_are_doubts_not_refusals() {
        // A VAT that looks like a fraction, a line without line_id, a quantity of 0, an order
        // VAT that is not the sum of the lines': all accepted by Dintero.
        let fraction = || OrderBuilder::new("NOK", "o").item(item("1", 100, 1.0, 0.25, 0));
        assert!(fraction().build().is_ok());
        let err = fraction().build_strict().unwrap_err();
        assert!(err.message().contains("25% is written 25"), "{err}");

        let no_line_id = OrderItem {
            line_id: None,
            ..item("x", 100, 1.0, 25.0, 20)
        };
        let missing = || OrderBuilder::new("NOK", "o").item(no_line_id.clone());
        assert!(missing().build().is_ok());
        let err = missing().build_strict().unwrap_err();
        assert!(err.message().starts_with("order.items[0].line_id"), "{err}");

        let zero = || OrderBuilder::new("NOK", "o").item(item("1", 100, 0.0, 25.0, 20));
        assert!(zero().build().is_ok());
        assert!(zero().build_strict().is_err());

        let mut order = chair_with(5998).build().unwrap();
        order.vat_amount = Some(6000);
        assert!(validate_order(&order).is_ok());
        let err = validate_order_strict(&order).unwrap_err();
        assert!(err.message().starts_with("order.vat_amount"), "{err}");
    }

    #[test]
    fn what_dintero_refuses_is_still_refused() {
        let err = OrderBuilder::new("NOK", "o")
            .item(item("1", 100, 1.0, 25.0, 20))
            .item(item("1", 100, 1.0, 25.0, 20))
            .build()
            .unwrap_err();
        assert!(err.message().starts_with("order.items[1].line_id"), "{err}");
        let err = OrderBuilder::new("NOK", "o")
            .item(item("1", 100, 1.0, 25.0, 20))
            .amount(150)
            .build()
            .unwrap_err();
        assert!(err.message().contains("difference 50"), "{err}");
        let no_amount = OrderItem {
            amount: None,
            ..item("1", 0, 1.0, 25.0, 20)
        };
        let mut order = chair_with(5998).build().unwrap();
        order.items.push(no_amount);
        let err = validate_order(&order).unwrap_err();
        assert!(err.message().starts_with("order.items[1].amount"), "{err}");
        let err = OrderBuilder::new("nok", "o").build().unwrap_err();
        assert!(err.message().starts_with("order.currency"), "{err}");
        let err = OrderBuilder::new("NOK", "o")
            .item(item("1", 100, 1.0, f64::NAN, 20))
            .build()
            .unwrap_err();
        assert!(err.message().starts_with("order.items[0].vat"), "{err}");
    }

    #[test]
    fn capture_lines_may_be_negative_but_must_add_up() {
        let line = |id: &str, amount: i64| OrderItem {
            line_id: Some(id.into()),
            amount: Some(amount),
            ..Default::default()
        };
        assert!(
            validate_operation_items("capture", 24990, &[line("1", 29990), line("d", -5000)])
                .is_ok()
        );
        let err = validate_operation_items("capture", 29990, &[line("1", 29990), line("d", -5000)])
            .unwrap_err();
        assert!(err.message().contains("sum of its items"), "{err}");
        let err = validate_operation_items(
            "refund",
            100,
            &[OrderItem {
                amount: None,
                ..line("1", 0)
            }],
        )
        .unwrap_err();
        assert!(err.message().starts_with("refund.items[0].amount"), "{err}");
    }

    #[test]
    fn huge_amounts_do_not_overflow() {
        let big = OrderItem {
            line_id: Some("a".into()),
            amount: Some(i64::MAX),
            ..Default::default()
        };
        let big2 = OrderItem {
            line_id: Some("b".into()),
            ..big.clone()
        };
        let err = OrderBuilder::new("NOK", "o")
            .item(big)
            .item(big2)
            .build()
            .unwrap_err();
        assert!(err.message().contains("largest amount"), "{err}");
        let small = OrderItem {
            line_id: Some("c".into()),
            amount: Some(i64::MIN),
            ..Default::default()
        };
        let err = OrderBuilder::new("NOK", "o")
            .item(small)
            .amount(0)
            .build()
            .unwrap_err();
        assert!(err.message().contains("largest amount"), "{err}");
    }
}
