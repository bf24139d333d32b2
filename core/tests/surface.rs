//! The Rust column of the parity file (`testdata/surface.json`): every type it names is
//! exported by the crate, every operation exists as a public function of the core, and every
//! default it refers to is one of the core's `Defaults`. The other languages check their own
//! columns in their own suites.

use std::collections::BTreeSet;

use serde_json::Value;

fn surface() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/surface.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The public items of the core's source, as `name` for each `pub fn` / `pub async fn` /
/// `pub struct` / `pub enum`.
fn public_items() -> BTreeSet<String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
    let mut names = BTreeSet::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for line in text.lines() {
            let line = line.trim_start();
            for prefix in ["pub fn ", "pub async fn ", "pub struct ", "pub enum "] {
                if let Some(rest) = line.strip_prefix(prefix) {
                    let name: String = rest
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    names.insert(name);
                }
            }
        }
    }
    names
}

/// The crate's exported types, by name (compile-time proof that each is exported at the root).
fn exported_types() -> BTreeSet<&'static str> {
    macro_rules! names {
        ($($t:ident),+ $(,)?) => {{
            $(let _ = std::any::type_name::<dintero_checkout::$t>();)+
            BTreeSet::from([$(stringify!($t)),+])
        }};
    }
    let mut set = names!(
        Client,
        Callback,
        CallbackVerifier,
        ConfirmedCallback,
        CallbackReceipt,
        ReceiptOutcome,
        ErrorDetails,
        Operation,
        Transaction,
        Session,
        ReturnResult,
        WebhookEvent,
        TokenInfo,
        Defaults,
        Error,
        ErrorKind,
        RequestEvent,
        RequestObserver,
        LogRecord,
        LogLevel,
    );
    // A trait: named here, proven by a use as `dyn`.
    let _ = std::any::type_name::<dyn dintero_checkout::LogSink>();
    set.insert("LogSink");
    // Borrowing views: named here, proven by their accessors' return types.
    fn views(
        c: &dintero_checkout::Client,
    ) -> (
        dintero_checkout::Sessions<'_>,
        dintero_checkout::Transactions<'_>,
        dintero_checkout::Callbacks<'_>,
    ) {
        (c.sessions(), c.transactions(), c.callbacks())
    }
    let _ = views;
    set.extend(["Sessions", "Transactions", "Callbacks"]);
    set
}

#[test]
fn every_rust_name_in_the_parity_file_exists() {
    let s = surface();
    let exported = exported_types();
    for (concept, names) in s["types"].as_object().unwrap() {
        if let Some(name) = names.get("rust").and_then(Value::as_str) {
            assert!(
                exported.contains(name),
                "type {concept}: {name} is not exported by the core"
            );
        }
    }
    let items = public_items();
    for op in s["operations"].as_array().unwrap() {
        let id = op["id"].as_str().unwrap();
        let Some(name) = op["names"].get("rust").and_then(Value::as_str) else {
            continue;
        };
        // `Type::fn` names a constructor; the function part must exist.
        let name = name.rsplit("::").next().unwrap();
        assert!(
            items.contains(name),
            "operation {id}: no public fn {name} in core/src"
        );
    }
}

#[test]
fn the_defaults_the_parity_file_names_are_the_cores() {
    let s = surface();
    let defaults = serde_json::to_value(dintero_checkout::defaults()).unwrap();
    let keys: BTreeSet<&str> = defaults
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for op in s["operations"].as_array().unwrap() {
        let Some(map) = op.get("defaults").and_then(Value::as_object) else {
            continue;
        };
        for (param, key) in map {
            let key = key.as_str().unwrap();
            let found = match key.strip_suffix('*') {
                Some(prefix) => keys.iter().any(|k| k.starts_with(prefix)),
                None => keys.contains(key),
            };
            assert!(
                found,
                "{}: default of {param} refers to {key}, which the core's Defaults lacks",
                op["id"]
            );
        }
    }
}

#[test]
fn the_error_kinds_are_the_cores() {
    let s = surface();
    let listed: Vec<&str> = s["error_kinds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let core: Vec<&str> = dintero_checkout::ErrorKind::ALL
        .iter()
        .map(|k| k.as_str())
        .collect();
    assert_eq!(listed, core);
}
