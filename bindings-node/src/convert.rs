//! Argument and result conversion between JavaScript values and the core's types.
//!
//! Payloads cross the boundary as JSON text: the JS layer `JSON.stringify`s what the caller
//! gave, and responses come back as JSON text for `JSON.parse`. Both ends are fast, it keeps
//! every unknown field, and the core's own JSON entry points (`create_json`, ...) do the
//! checking, naming the offending field.

use std::time::Duration;

use dintero_checkout::{
    Callback, CallbackEventKind, ListTransactions, Operation, PaymentError, ReturnResult,
    TransactionStatus,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::invalid;

/// Parses a JSON payload that must be an object.
pub(crate) fn parse_object(what: &str, json: &str) -> napi::Result<Value> {
    let value: Value = serde_json::from_str(json)
        .map_err(|e| invalid(format!("{what}: is not valid JSON ({e})")))?;
    if !value.is_object() {
        return Err(invalid(format!(
            "{what}: must be an object (got {})",
            type_name(&value)
        )));
    }
    Ok(value)
}

/// Decodes `value` into `T`, naming the path of the first offending field.
pub(crate) fn decode_input<T: DeserializeOwned>(what: &str, value: Value) -> napi::Result<T> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        invalid(format!("{what}.{path}: {}", e.inner()))
    })
}

/// Serializes a result for `JSON.parse` on the JS side.
pub(crate) fn to_json<T: Serialize>(value: &T) -> napi::Result<String> {
    serde_json::to_string(value).map_err(|e| {
        crate::error::to_js(dintero_checkout::Error::decode(format!(
            "could not encode the result: {e}"
        )))
    })
}

/// The JSON type of `value`, for messages (never the value itself).
pub(crate) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Milliseconds from JavaScript as a `Duration`; refuses NaN, infinities and negatives.
pub(crate) fn millis(what: &str, ms: f64) -> napi::Result<Duration> {
    if !ms.is_finite() || !(0.0..=1e12).contains(&ms) {
        return Err(invalid(format!(
            "{what}: must be a number of milliseconds from 0 to 1e12"
        )));
    }
    Ok(Duration::from_micros((ms * 1000.0).round() as u64))
}

/// An optional string field of an options object.
pub(crate) fn opt_str(
    map: &Map<String, Value>,
    prefix: &str,
    key: &str,
) -> napi::Result<Option<String>> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(invalid(format!(
            "{prefix}{key}: must be a string (got {})",
            type_name(other)
        ))),
    }
}

/// An optional number field of an options object.
pub(crate) fn opt_num(
    map: &Map<String, Value>,
    prefix: &str,
    key: &str,
) -> napi::Result<Option<f64>> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_f64()
            .map(Some)
            .ok_or_else(|| invalid(format!("{prefix}{key}: must be a finite number"))),
        Some(other) => Err(invalid(format!(
            "{prefix}{key}: must be a number (got {})",
            type_name(other)
        ))),
    }
}

/// An optional non-negative integer field of an options object.
pub(crate) fn opt_uint(
    map: &Map<String, Value>,
    prefix: &str,
    key: &str,
    max: u64,
) -> napi::Result<Option<u64>> {
    match opt_num(map, prefix, key)? {
        None => Ok(None),
        Some(n) if n.fract() == 0.0 && n >= 0.0 && n <= max as f64 => Ok(Some(n as u64)),
        Some(_) => Err(invalid(format!(
            "{prefix}{key}: must be a whole number from 0 to {max}"
        ))),
    }
}

/// An optional boolean field of an options object.
pub(crate) fn opt_bool(
    map: &Map<String, Value>,
    prefix: &str,
    key: &str,
) -> napi::Result<Option<bool>> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(other) => Err(invalid(format!(
            "{prefix}{key}: must be a boolean (got {})",
            type_name(other)
        ))),
    }
}

/// Refuses keys outside `known`, so a misspelt option does not pass silently.
pub(crate) fn check_keys(map: &Map<String, Value>, what: &str, known: &[&str]) -> napi::Result<()> {
    for key in map.keys() {
        if !known.contains(&key.as_str()) {
            let shown: String = key.chars().take(60).collect();
            return Err(invalid(format!(
                "{what}: unknown option {shown:?} (known: {})",
                known.join(", ")
            )));
        }
    }
    Ok(())
}

/// An operation result. SDK-made fields are camelCase; the transaction keeps the API's names.
pub(crate) fn operation_json(op: Operation) -> napi::Result<String> {
    let mut out = Map::new();
    out.insert("state".into(), Value::from(op.state.as_str()));
    out.insert(
        "transaction".into(),
        serde_json::to_value(&op.transaction).map_err(|e| invalid(format!("transaction: {e}")))?,
    );
    put_opt(&mut out, "eventRequestId", op.event_request_id);
    put_opt(&mut out, "reference", op.reference);
    out.insert("reconciled".into(), Value::from(op.reconciled));
    put_opt(&mut out, "requestId", op.request_id);
    to_json(&out)
}

fn put_opt(out: &mut Map<String, Value>, key: &str, value: Option<String>) {
    if let Some(v) = value {
        out.insert(key.into(), Value::from(v));
    }
}

/// A parsed callback as JSON, with the query's own (snake_case) names.
pub(crate) fn callback_value(cb: &Callback) -> Value {
    let mut out = Map::new();
    put_opt(&mut out, "transaction_id", cb.transaction_id.clone());
    put_opt(&mut out, "session_id", cb.session_id.clone());
    put_opt(
        &mut out,
        "merchant_reference",
        cb.merchant_reference.clone(),
    );
    put_opt(&mut out, "time", cb.time.clone());
    put_opt(
        &mut out,
        "error",
        cb.error.as_ref().map(|e| e.as_str().to_string()),
    );
    put_opt(
        &mut out,
        "event",
        cb.event.as_ref().map(|e| e.as_str().to_string()),
    );
    put_opt(&mut out, "event_id", cb.event_id.clone());
    let params = cb
        .params
        .iter()
        .map(|p| {
            Value::Array(vec![
                Value::from(p.name.as_str()),
                Value::from(p.value.as_str()),
            ])
        })
        .collect();
    out.insert("params".into(), Value::Array(params));
    Value::Object(out)
}

/// A callback object from JavaScript (as `verify` returned it, or built by hand).
pub(crate) fn callback_from_value(value: Value) -> napi::Result<Callback> {
    let Value::Object(map) = value else {
        return Err(invalid(format!(
            "callback: must be an object (got {})",
            type_name(&value)
        )));
    };
    let p = "callback.";
    let mut params = Vec::new();
    match map.get("params") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                match item.as_array().map(Vec::as_slice) {
                    Some([Value::String(k), Value::String(v)]) => {
                        params.push(dintero_checkout::QueryParam::new(k.clone(), v.clone()))
                    }
                    _ => {
                        return Err(invalid(format!(
                            "callback.params[{i}]: must be a [name, value] pair of strings"
                        )))
                    }
                }
            }
        }
        Some(other) => {
            return Err(invalid(format!(
                "callback.params: must be an array (got {})",
                type_name(other)
            )))
        }
    }
    Ok(Callback {
        transaction_id: opt_str(&map, p, "transaction_id")?,
        session_id: opt_str(&map, p, "session_id")?,
        merchant_reference: opt_str(&map, p, "merchant_reference")?,
        time: opt_str(&map, p, "time")?,
        error: opt_str(&map, p, "error")?.map(|e| PaymentError::parse(&e)),
        event: opt_str(&map, p, "event")?.map(|e| CallbackEventKind::parse(&e)),
        event_id: opt_str(&map, p, "event_id")?,
        params,
    })
}

/// A return URL's outcome as JSON.
pub(crate) fn return_value(r: &ReturnResult) -> Value {
    let mut out = Map::new();
    out.insert("outcome".into(), Value::from(r.outcome.as_str()));
    put_opt(&mut out, "transaction_id", r.transaction_id.clone());
    put_opt(&mut out, "merchant_reference", r.merchant_reference.clone());
    put_opt(&mut out, "session_id", r.session_id.clone());
    put_opt(
        &mut out,
        "error",
        r.error.as_ref().map(|e| e.as_str().to_string()),
    );
    Value::Object(out)
}

fn strings(what: &str, value: &Value) -> napi::Result<Vec<String>> {
    match value {
        Value::Null => Ok(Vec::new()),
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| match v {
                Value::String(s) => Ok(s.clone()),
                other => Err(invalid(format!(
                    "{what}[{i}]: must be a string (got {})",
                    type_name(other)
                ))),
            })
            .collect(),
        other => Err(invalid(format!(
            "{what}: must be a string or an array of strings (got {})",
            type_name(other)
        ))),
    }
}

fn scalar(what: &str, value: &Value) -> napi::Result<Option<String>> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s.clone())),
        Value::Number(n) => Ok(Some(n.to_string())),
        Value::Bool(b) => Ok(Some(b.to_string())),
        other => Err(invalid(format!(
            "{what}: must be a string, number or boolean (got {})",
            type_name(other)
        ))),
    }
}

/// The filter of `transactions.list`. Named filters map to the core's fields; any other key
/// is sent as a query parameter as it is (`payment_product`, `created_at.gte`, ...).
pub(crate) fn list_filter(value: Value) -> napi::Result<ListTransactions> {
    let Value::Object(map) = value else {
        return Err(invalid(format!(
            "filter: must be an object (got {})",
            type_name(&value)
        )));
    };
    let p = "filter.";
    let mut filter = ListTransactions {
        limit: opt_uint(&map, p, "limit", u32::MAX as u64)?.map(|l| l as u32),
        starting_after: opt_str(&map, p, "starting_after")?,
        merchant_reference: opt_str(&map, p, "merchant_reference")?,
        created_at_gte: opt_str(&map, p, "created_at_gte")?,
        created_at_lte: opt_str(&map, p, "created_at_lte")?,
        ..ListTransactions::default()
    };
    for (key, value) in &map {
        match key.as_str() {
            "limit" | "starting_after" | "merchant_reference" | "created_at_gte"
            | "created_at_lte" => {}
            "session_id" => filter.session_id = strings("filter.session_id", value)?,
            "status" => {
                filter.status = strings("filter.status", value)?
                    .iter()
                    .map(|s| TransactionStatus::parse(s))
                    .collect()
            }
            other => match value {
                Value::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        if let Some(v) = scalar(&format!("filter.{other}[{i}]"), item)? {
                            filter
                                .extra
                                .push(dintero_checkout::QueryParam::new(other, v));
                        }
                    }
                }
                _ => {
                    if let Some(v) = scalar(&format!("filter.{other}"), value)? {
                        filter
                            .extra
                            .push(dintero_checkout::QueryParam::new(other, v));
                    }
                }
            },
        }
    }
    Ok(filter)
}
