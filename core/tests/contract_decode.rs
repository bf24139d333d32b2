//! Everything Dintero's published contract allows in a response decodes into the core's types.
//!
//! The instances are built here from `testdata/dintero-contract.json` by a small schema
//! walker, not written by hand: for every response body of every operation, a *minimal*
//! instance (only the required fields, all the way down) and a *full* one (every property,
//! every array with one element). Each must decode, and every field of the instance must come
//! back out when the decoded value is encoded again (known fields in their typed slot, unknown
//! ones in `extra`), so nothing Dintero sends is lost.

use std::collections::BTreeSet;

use dintero_checkout::{
    parse_callback, AccessTokenResponse, CaptureRequest, ExtendAuthorizationRequest, Order,
    OrderItem, RefundRequest, Session, SessionCreated, SessionUrls, ShippingOption, Transaction,
    TransactionEvent,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Map, Value};

const CONTRACT: &str = include_str!("../../testdata/dintero-contract.json");
const EXAMPLES: &str = "../testdata/contract-examples";

/// Deeper than any real nesting in the contract; stops a cycle if one is ever added.
const MAX_DEPTH: usize = 40;

struct Contract {
    defs: Map<String, Value>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Shape {
    Minimal,
    Full,
}

impl Contract {
    fn load() -> (Contract, Value) {
        let all: Value = serde_json::from_str(CONTRACT).expect("the contract is JSON");
        let defs = all["$defs"].as_object().expect("$defs").clone();
        (Contract { defs }, all["operations"].clone())
    }

    fn def(&self, reference: &str) -> &Value {
        let name = reference
            .strip_prefix("#/$defs/")
            .unwrap_or_else(|| panic!("unexpected $ref {reference}"));
        self.defs
            .get(name)
            .unwrap_or_else(|| panic!("no $def {name}"))
    }

    /// The schema with `$ref` followed and `allOf` merged into one object schema (properties
    /// united, later parts winning, required lists united).
    fn resolve(&self, schema: &Value, depth: usize) -> Value {
        assert!(depth < MAX_DEPTH, "schema nests deeper than {MAX_DEPTH}");
        if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
            return self.resolve(self.def(r), depth + 1);
        }
        let Some(parts) = schema.get("allOf").and_then(Value::as_array) else {
            return schema.clone();
        };
        let mut properties = Map::new();
        let mut required = BTreeSet::new();
        for part in parts {
            let part = self.resolve(part, depth + 1);
            if let Some(p) = part.get("properties").and_then(Value::as_object) {
                properties.extend(p.clone());
            }
            if let Some(r) = part.get("required").and_then(Value::as_array) {
                required.extend(r.iter().filter_map(Value::as_str).map(str::to_string));
            }
        }
        json!({"type": "object", "properties": properties, "required": required})
    }

    /// An instance of `schema`: the first `enum` value or `type`, strings shaped by `format`.
    fn instance(&self, schema: &Value, shape: Shape, depth: usize) -> Value {
        if depth >= MAX_DEPTH {
            return json!({});
        }
        let schema = self.resolve(schema, depth);
        if let Some(first) = schema
            .get("enum")
            .and_then(Value::as_array)
            .and_then(|v| v.first())
        {
            return first.clone();
        }
        let ty = match schema.get("type") {
            Some(Value::String(t)) => t.as_str(),
            Some(Value::Array(ts)) => ts.first().and_then(Value::as_str).unwrap_or("object"),
            _ if schema.get("properties").is_some() => "object",
            // No type at all: any JSON value is allowed; an object is the hardest to decode.
            _ => "object",
        };
        match ty {
            "object" => {
                let required: BTreeSet<&str> = schema
                    .get("required")
                    .and_then(Value::as_array)
                    .map(|r| r.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                let mut out = Map::new();
                if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                    for (name, prop) in props {
                        if shape == Shape::Full || required.contains(name.as_str()) {
                            out.insert(name.clone(), self.instance(prop, shape, depth + 1));
                        }
                    }
                }
                // Required but without a schema of its own: any value will do.
                for name in required {
                    out.entry(name.to_string())
                        .or_insert_with(|| Value::from("text"));
                }
                Value::Object(out)
            }
            "array" => match (shape, schema.get("items")) {
                (Shape::Full, Some(items)) => json!([self.instance(items, shape, depth + 1)]),
                _ => json!([]),
            },
            "string" => Value::from(match schema.get("format").and_then(Value::as_str) {
                Some("date-time") => "2026-01-02T03:04:05Z",
                Some("date") => "2026-01-02",
                Some("uri") => "https://example.com/path",
                Some("uuid") => "3f2504e0-4f89-41d3-9a0c-0305e82c3301",
                Some("iso4217-code") => "NOK",
                Some("iso-3166-1") => "NO",
                Some("email") => "customer@example.com",
                _ => "text",
            }),
            // Whole numbers: amounts are minor units. A `number` comes as a float with no
            // fraction (`2.0`), which a JSON encoder is free to produce for it.
            "integer" => json!(1),
            "number" => json!(2.0),
            "boolean" => json!(true),
            "null" => Value::Null,
            other => panic!("unknown type {other}"),
        }
    }
}

/// True when every field of `sent` comes back in `got` with the same value (numbers compared
/// by value, so `2.0` and `2` agree). `got` may have more (defaults the model fills in).
fn keeps(sent: &Value, got: &Value, path: &str, lost: &mut Vec<String>) {
    match (sent, got) {
        (Value::Object(s), Value::Object(g)) => {
            for (k, v) in s {
                match g.get(k) {
                    Some(gv) => keeps(v, gv, &format!("{path}.{k}"), lost),
                    None => lost.push(format!("{path}.{k}")),
                }
            }
        }
        (Value::Array(s), Value::Array(g)) if s.len() == g.len() => {
            for (i, (sv, gv)) in s.iter().zip(g).enumerate() {
                keeps(sv, gv, &format!("{path}[{i}]"), lost);
            }
        }
        (Value::Number(s), Value::Number(g)) if s.as_f64() == g.as_f64() => {}
        (s, g) if s == g => {}
        _ => lost.push(format!("{path}: sent {sent}, got back {got}")),
    }
}

fn decodes_without_loss<T: DeserializeOwned + Serialize>(what: &str, instance: &Value) {
    let text = instance.to_string();
    let de = &mut serde_json::Deserializer::from_str(&text);
    let decoded: T = serde_path_to_error::deserialize(de).unwrap_or_else(|e| {
        panic!(
            "{what}: does not decode at `{}`: {}\n{instance:#}",
            e.path(),
            e.inner()
        )
    });
    let back = serde_json::to_value(&decoded).expect("encodes");
    let mut lost = Vec::new();
    keeps(instance, &back, "", &mut lost);
    assert!(lost.is_empty(), "{what}: lost {lost:?}");
}

/// Decodes `instance` as the core does for a body of contract type `name`. `false` when the
/// core does not decode that type at all (then the caller checks it is a known exception).
fn decode_as(name: &str, what: &str, instance: &Value) -> bool {
    match name {
        "Transaction" | "TransactionOperationAccepted" => {
            decodes_without_loss::<Transaction>(what, instance)
        }
        "TransactionList" => decodes_without_loss::<Vec<Transaction>>(what, instance),
        "SessionReadResponse" | "SessionCancelResponse" => {
            decodes_without_loss::<Session>(what, instance)
        }
        "SessionCreated" => decodes_without_loss::<SessionCreated>(what, instance),
        "AccessToken" => {
            let token: AccessTokenResponse = serde_json::from_value(instance.clone())
                .unwrap_or_else(|e| panic!("{what}: does not decode: {e}"));
            assert_eq!(
                token.access_token,
                instance["access_token"].as_str().unwrap()
            );
        }
        _ => return false,
    }
    true
}

/// Response bodies the core does not decode into a model, and why.
const NOT_DECODED: &[(&str, &str)] = &[
    // Read leniently by the transport (every field optional), never into a model.
    ("Error", "error bodies"),
    ("ErrorWithMfaToken", "error bodies"),
    // The SDK does not call the admin API; the merchant sets the secret up once.
    ("AdminSignature", "admin API"),
];

fn success_bodies(operations: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (op, spec) in operations.as_object().expect("operations") {
        if spec.get("direction").and_then(Value::as_str) == Some("dintero-to-merchant") {
            continue; // the merchant's own answer to a callback
        }
        for (status, response) in spec["responses"].as_object().expect("responses") {
            if !status.starts_with('2') {
                continue;
            }
            let name = response["body"]["$ref"]
                .as_str()
                .and_then(|r| r.strip_prefix("#/$defs/"))
                .unwrap_or_else(|| panic!("{op} {status}: body without a $ref"));
            out.push((format!("{op} {status}"), name.to_string()));
        }
    }
    out
}

#[test]
fn every_success_response_in_the_contract_decodes_minimal_and_full() {
    let (contract, operations) = Contract::load();
    let bodies = success_bodies(&operations);
    assert!(
        bodies.len() >= 12,
        "expected the contract's operations, got {bodies:?}"
    );
    for (op, name) in bodies {
        let schema = json!({"$ref": format!("#/$defs/{name}")});
        for shape in [Shape::Minimal, Shape::Full] {
            let instance = contract.instance(&schema, shape, 0);
            let what = format!("{op} ({name}, {shape:?})");
            if !decode_as(&name, &what, &instance) {
                assert!(
                    NOT_DECODED.iter().any(|(n, _)| *n == name),
                    "{what}: the core has no decoder listed for {name}; add one to decode_as"
                );
            }
        }
    }
}

#[test]
fn every_model_decodes_its_contract_type_minimal_and_full() {
    let (contract, _) = Contract::load();
    fn check<T: DeserializeOwned + Serialize>(contract: &Contract, name: &str) {
        let schema = json!({"$ref": format!("#/$defs/{name}")});
        for shape in [Shape::Minimal, Shape::Full] {
            let instance = contract.instance(&schema, shape, 0);
            decodes_without_loss::<T>(&format!("{name} ({shape:?})"), &instance);
        }
    }
    check::<TransactionEvent>(&contract, "TransactionEvent");
    check::<OrderItem>(&contract, "OrderItem");
    check::<Order>(&contract, "SessionOrder");
    check::<SessionUrls>(&contract, "SessionUrls");
    check::<ShippingOption>(&contract, "ShippingOption");
    check::<Transaction>(&contract, "Transaction");
    check::<Session>(&contract, "SessionReadResponse");
}

#[test]
fn the_fields_the_spec_leaves_out_decode_as_absent() {
    // The minimal instances above, spelled out for the fields that once were required here.
    let (contract, _) = Contract::load();
    let minimal = |name: &str| {
        contract.instance(
            &json!({"$ref": format!("#/$defs/{name}")}),
            Shape::Minimal,
            0,
        )
    };
    let tx: Transaction = serde_json::from_value(minimal("Transaction")).unwrap();
    assert_eq!(tx.status, None);
    assert!(!tx.is_paid(), "a transaction without a status is not paid");
    assert_eq!(tx.id, "");
    let event: TransactionEvent = serde_json::from_value(minimal("TransactionEvent")).unwrap();
    assert_eq!(event.event, None);
    assert_eq!(event.success, None);
    assert!(
        !event.succeeded(),
        "an event that does not say it succeeded did not"
    );
    let item: OrderItem = serde_json::from_value(minimal("OrderItem")).unwrap();
    assert_eq!(item.amount, None);
    let created: SessionCreated = serde_json::from_value(minimal("SessionCreated")).unwrap();
    assert_eq!(created.url, None);
    let session: Session = serde_json::from_value(json!({
        "url": {"return_url": "https://example.com/r"},
        "order": {"amount": 0, "currency": "NOK", "merchant_reference": "o"},
        "configuration": {},
        "events": [{"created_at": "2026-01-02T03:04:05Z"}],
    }))
    .unwrap();
    assert_eq!(session.events[0].name, None);
}

#[test]
fn an_event_amount_written_as_a_float_is_read_in_minor_units() {
    let tx: Transaction = serde_json::from_value(json!({
        "id": "T1.a", "status": "CAPTURED", "amount": 100, "currency": "NOK",
        "payment_product": "dintero_psp", "payment_product_type": "dintero_psp.creditcard",
        "events": [{"event": "CAPTURE", "success": true, "amount": 100.0}],
    }))
    .unwrap();
    assert_eq!(tx.captured_amount(), 100);
    let half = serde_json::from_value::<TransactionEvent>(json!({"amount": 10.5}));
    assert!(half.is_err(), "half a minor unit is not an amount");
}

#[test]
fn every_callback_query_in_the_contract_parses() {
    let (contract, _) = Contract::load();
    for name in ["CallbackQuery", "CallbackPostQuery"] {
        for shape in [Shape::Minimal, Shape::Full] {
            let instance = contract.instance(&json!({"$ref": format!("#/$defs/{name}")}), shape, 0);
            let mut url = url::Url::parse("https://merchant.example/callback").unwrap();
            for (k, v) in instance.as_object().unwrap() {
                let v = match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                url.query_pairs_mut().append_pair(k, &v);
            }
            let cb = parse_callback(url.as_str())
                .unwrap_or_else(|e| panic!("{name} ({shape:?}): {e}\n{url}"));
            assert_eq!(
                cb.transaction_id.as_deref(),
                Some("text"),
                "{name} {shape:?}"
            );
        }
    }
}

#[test]
fn the_contract_examples_decode_without_loss() {
    let index: Map<String, Value> = serde_json::from_str(
        &std::fs::read_to_string(format!("{EXAMPLES}/index.json")).expect("index.json"),
    )
    .expect("index is JSON");
    let mut decoded = 0;
    for (file, name) in &index {
        let text = std::fs::read_to_string(format!("{EXAMPLES}/{file}")).expect("example");
        let instance: Value = serde_json::from_str(&text).expect("example is JSON");
        if decode_as(name.as_str().unwrap(), file, &instance) {
            decoded += 1;
        }
    }
    // Transaction, session read, session created, access token.
    assert!(
        decoded >= 4,
        "only {decoded} examples are responses the core decodes"
    );
}

#[test]
fn the_request_bodies_of_the_contract_fit_the_typed_requests() {
    // What a binding's caller may pass (JSON decoded into the core's request types) and what
    // the core sends: every property of the contract's request bodies has a typed field or is
    // kept in `extra`, and the newer ones are typed.
    let (contract, _) = Contract::load();
    let full =
        |name: &str| contract.instance(&json!({"$ref": format!("#/$defs/{name}")}), Shape::Full, 0);
    for (name, shape) in [
        ("CaptureRequest", Shape::Minimal),
        ("CaptureRequest", Shape::Full),
    ] {
        let instance = contract.instance(&json!({"$ref": format!("#/$defs/{name}")}), shape, 0);
        decodes_without_loss::<CaptureRequest>(&format!("{name} ({shape:?})"), &instance);
    }
    decodes_without_loss::<RefundRequest>("RefundRequest (Full)", &full("RefundRequest"));
    decodes_without_loss::<ExtendAuthorizationRequest>(
        "ExtendAuthorizationRequest (Full)",
        &full("ExtendAuthorizationRequest"),
    );
    let capture: CaptureRequest = serde_json::from_value(full("CaptureRequest")).unwrap();
    assert_eq!(capture.final_capture, Some(true));
    assert!(
        capture.extra.is_empty(),
        "untyped: {:?}",
        capture.extra.keys()
    );
    let extend: ExtendAuthorizationRequest =
        serde_json::from_value(full("ExtendAuthorizationRequest")).unwrap();
    assert_eq!(extend.final_authorization, Some(true));
    assert_eq!(extend.items.len(), 1);
    assert_eq!(extend.description.as_deref(), Some("text"));
    assert!(
        extend.extra.is_empty(),
        "untyped: {:?}",
        extend.extra.keys()
    );
    // Not set means not sent: Dintero's defaults apply.
    let body = serde_json::to_value(CaptureRequest {
        amount: 100,
        ..Default::default()
    })
    .unwrap();
    assert_eq!(body, json!({"amount": 100}));
}
