//! Order checks and an order builder: sums, unique `line_id`s and VAT, with the line named.

use std::collections::HashSet;

use crate::error::{Error, Result};
use crate::models::{Order, OrderItem, ShippingOption};

/// Largest amount Dintero accepts (`int32`).
pub const MAX_AMOUNT: i64 = i32::MAX as i64;

fn check_amount(path: &str, amount: i64) -> Result<()> {
    if amount < 0 {
        return Err(Error::invalid_input(format!(
            "{path}: must not be negative (got {amount})"
        )));
    }
    if amount > MAX_AMOUNT {
        return Err(Error::invalid_input(format!(
            "{path}: {amount} is above the largest amount Dintero accepts ({MAX_AMOUNT})"
        )));
    }
    Ok(())
}

fn check_vat(
    path: &str,
    amount: i64,
    quantity: Option<f64>,
    vat: Option<f64>,
    vat_amount: Option<i64>,
) -> Result<()> {
    if let Some(vat) = vat {
        // No VAT rate lies strictly between 0 % and 1 %: such a value is a fraction by mistake.
        if !vat.is_finite() || !(0.0..=100.0).contains(&vat) || (vat > 0.0 && vat < 1.0) {
            return Err(Error::invalid_input(format!(
                "{path}.vat: {vat} is not a percentage between 0 and 100 (25% is written 25, not 0.25)"
            )));
        }
    }
    if let Some(va) = vat_amount {
        check_amount(&format!("{path}.vat_amount"), va)?;
        if va > amount {
            return Err(Error::invalid_input(format!(
                "{path}.vat_amount: {va} is more than the line amount {amount} (amount includes VAT)"
            )));
        }
        if let Some(vat) = vat {
            // amount includes VAT, so VAT = amount * vat / (100 + vat). VAT rounded per unit
            // may be off by up to one minor unit per unit sold.
            let expected = (amount as f64) * vat / (100.0 + vat);
            let units = quantity
                .filter(|q| q.is_finite() && *q > 1.0)
                .map_or(1.0, f64::ceil);
            if (va as f64 - expected).abs() > units + amount as f64 * 1e-9 {
                return Err(Error::invalid_input(format!(
                    "{path}.vat_amount: {va} does not match {vat}% VAT of {amount} (expected {})",
                    expected.round() as i64
                )));
            }
        }
    }
    Ok(())
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

/// Checks an order the way Dintero does with `strict-session-amounts` (and on update), and a
/// little more: `amount == Σ items + shipping` (unless `partial_payment`), every line has a
/// unique `line_id`, amounts are non-negative int32, VAT is a percentage that matches
/// `vat_amount`. The error names the offending line (`order.items[2].line_id`).
pub fn validate_order(order: &Order) -> Result<()> {
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
        check_amount(&format!("{path}.amount"), item.amount)?;
        match item.line_id.as_deref() {
            None | Some("") => {
                return Err(Error::invalid_input(format!(
                    "{path}.line_id: is required (capture and refund refer to lines by it)"
                )))
            }
            Some(id) => {
                if !seen.insert(id) {
                    return Err(Error::invalid_input(format!("{path}.line_id: {id:?} is used by an earlier line; line ids must be unique")));
                }
            }
        }
        if let Some(q) = item.quantity {
            if !q.is_finite() || q <= 0.0 {
                return Err(Error::invalid_input(format!(
                    "{path}.quantity: must be greater than 0 (got {q})"
                )));
            }
        }
        check_vat(&path, item.amount, item.quantity, item.vat, item.vat_amount)?;
        sum = sum.saturating_add(item.amount);
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
        check_vat(path, s.amount, None, s.vat, s.vat_amount)?;
        sum = sum.saturating_add(s.amount);
        vat_sum = vat_sum.saturating_add(s.vat_amount.unwrap_or(0));
    }
    let partial = order.partial_payment.unwrap_or(false);
    if !order.items.is_empty() || order.shipping_option.is_some() {
        if partial {
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
            if v != vat_sum {
                return Err(Error::invalid_input(format!(
                    "order.vat_amount: {v} does not equal the sum of the lines' vat_amount ({vat_sum})"
                )));
            }
        }
    }
    Ok(())
}

/// Checks capture/refund lines: each has a `line_id` and a non-negative amount, and the lines
/// add up to `amount` when given.
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
        check_amount(&format!("{path}.amount"), item.amount)?;
        sum = sum.saturating_add(item.amount);
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
///                       quantity: Some(1.0), amount: 29990, vat: Some(25.0),
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

    /// Checks and returns the order; `amount` and `vat_amount` default to the sums.
    pub fn build(mut self) -> Result<Order> {
        let lines = self
            .order
            .items
            .iter()
            .fold(0i64, |acc, i| acc.saturating_add(i.amount))
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
        validate_order(&self.order)?;
        Ok(self.order)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(line: &str, amount: i64, qty: f64, vat: f64, vat_amount: i64) -> OrderItem {
        OrderItem {
            line_id: Some(line.into()),
            amount,
            quantity: Some(qty),
            vat: Some(vat),
            vat_amount: Some(vat_amount),
            ..Default::default()
        }
    }

    #[test]
    fn vat_rounded_per_unit_is_accepted() {
        // 10 × 0.23 NOK at 25%: VAT 0.046 per unit rounds to 0.05, so 50 øre in all (exact: 46).
        let order = OrderBuilder::new("NOK", "o")
            .item(item("1", 230, 10.0, 25.0, 50))
            .build();
        assert!(order.is_ok(), "{order:?}");
        // One unit cannot be five øre off.
        let err = OrderBuilder::new("NOK", "o")
            .item(item("1", 230, 1.0, 25.0, 50))
            .build()
            .unwrap_err();
        assert!(err.message().contains("order.items[0].vat_amount"), "{err}");
    }

    #[test]
    fn errors_name_the_line() {
        let err = OrderBuilder::new("NOK", "o")
            .item(item("1", 100, 1.0, 25.0, 20))
            .item(item("1", 100, 1.0, 25.0, 20))
            .build()
            .unwrap_err();
        assert!(err.message().starts_with("order.items[1].line_id"), "{err}");
        let err = OrderBuilder::new("NOK", "o")
            .item(item("1", 100, 1.0, 0.25, 0))
            .build()
            .unwrap_err();
        assert!(err.message().contains("25% is written 25"), "{err}");
        let err = OrderBuilder::new("NOK", "o")
            .item(item("1", 100, 1.0, 25.0, 20))
            .amount(150)
            .build()
            .unwrap_err();
        assert!(err.message().contains("difference 50"), "{err}");
    }

    #[test]
    fn huge_amounts_do_not_overflow() {
        let big = OrderItem {
            line_id: Some("a".into()),
            amount: i64::MAX,
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
    }
}
