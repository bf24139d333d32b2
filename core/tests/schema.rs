//! The JSON Schema of every model and SDK value type, as the core defines them.
//!
//! `testdata/models.schema.json` is generated from the core's own types (serde + schemars);
//! the Python and TypeScript models are generated from it (`scripts/gen-models.py`,
//! `bindings-node/scripts/gen-models.mjs`). This test
//! fails when the committed schema is not what the core says, so a field added to a core type
//! reaches every language or fails the build. Regenerate with
//! `UPDATE_SCHEMA=1 cargo test -p dintero-checkout --features schema --test schema`.

use dintero_checkout as core;
use schemars::{generate::SchemaSettings, JsonSchema, SchemaGenerator};
use serde_json::{json, Map, Value};

fn add<T: JsonSchema>(generator: &mut SchemaGenerator, roots: &mut Vec<String>) {
    let name = T::schema_name().to_string();
    generator.subschema_for::<T>();
    roots.push(name);
}

fn schema() -> Value {
    let settings = SchemaSettings::draft2020_12();
    let mut generator = SchemaGenerator::new(settings);
    let mut roots = Vec::new();
    // Wire models, in the order the generated files list them.
    add::<core::SessionUrls>(&mut generator, &mut roots);
    add::<core::OrderItem>(&mut generator, &mut roots);
    add::<core::ShippingOption>(&mut generator, &mut roots);
    add::<core::Order>(&mut generator, &mut roots);
    add::<core::SessionRequest>(&mut generator, &mut roots);
    add::<core::SessionUpdate>(&mut generator, &mut roots);
    add::<core::SessionEvent>(&mut generator, &mut roots);
    add::<core::Session>(&mut generator, &mut roots);
    add::<core::SessionCreated>(&mut generator, &mut roots);
    add::<core::EventError>(&mut generator, &mut roots);
    add::<core::TransactionEvent>(&mut generator, &mut roots);
    add::<core::Transaction>(&mut generator, &mut roots);
    add::<core::CaptureRequest>(&mut generator, &mut roots);
    add::<core::RefundRequest>(&mut generator, &mut roots);
    add::<core::ExtendAuthorizationRequest>(&mut generator, &mut roots);
    // SDK value types.
    add::<core::QueryParam>(&mut generator, &mut roots);
    add::<core::Operation>(&mut generator, &mut roots);
    add::<core::Callback>(&mut generator, &mut roots);
    add::<core::ConfirmedCallback>(&mut generator, &mut roots);
    add::<core::ReceiptOutcome>(&mut generator, &mut roots);
    add::<core::ErrorDetails>(&mut generator, &mut roots);
    add::<core::CallbackReceipt>(&mut generator, &mut roots);
    add::<core::ReturnResult>(&mut generator, &mut roots);
    add::<core::WebhookEvent>(&mut generator, &mut roots);
    add::<core::ListTransactions>(&mut generator, &mut roots);
    add::<core::TokenInfo>(&mut generator, &mut roots);
    add::<core::RequestEvent>(&mut generator, &mut roots);
    add::<core::Defaults>(&mut generator, &mut roots);
    add::<core::ErrorKind>(&mut generator, &mut roots);
    let defs: Map<String, Value> = generator
        .definitions()
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Dintero Checkout SDK models",
        "description": "Generated from the Rust core by core/tests/schema.rs; do not edit.",
        "x-roots": roots,
        "$defs": defs,
    })
}

#[test]
fn the_committed_schema_is_the_cores() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../testdata/models.schema.json"
    );
    let text = serde_json::to_string_pretty(&schema()).unwrap() + "\n";
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(path, &text).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == text,
        "testdata/models.schema.json is not what the core's types say; regenerate it with \
         UPDATE_SCHEMA=1 cargo test -p dintero-checkout --features schema --test schema, then \
         python3 scripts/gen-models.py and node bindings-node/scripts/gen-models.mjs"
    );
}

#[test]
fn every_root_is_defined_and_open_enums_keep_their_known_values() {
    let s = schema();
    let defs = s["$defs"].as_object().unwrap();
    for root in s["x-roots"].as_array().unwrap() {
        assert!(defs.contains_key(root.as_str().unwrap()), "{root} missing");
    }
    let status = &defs["TransactionStatus"];
    assert_eq!(status["type"], "string");
    assert!(status["x-known-values"]
        .as_array()
        .unwrap()
        .contains(&json!("ON_HOLD")));
    // Transaction keeps unknown fields: the schema must allow them.
    assert_ne!(defs["Transaction"]["additionalProperties"], json!(false));
}
