//! What the emulator offers a test: its test cards, its fault kinds and the routes a fault
//! can target. This is the one copy; every language's testing helper reads it (through the
//! native library, or `GET /_emulator/catalog`) instead of keeping its own list.

use serde_json::{json, Value};

use crate::cards::{brand, CARDS};
use crate::faults::{FaultKind, FAULT_ROUTES};

/// The catalog as JSON:
///
/// ```json
/// {"cards": [{"name": "approve", "number": "4000000000000002", "brand": "Visa",
///             "behaviour": "approve", "scenario": "3DS frictionless"}, ...],
///  "faults": [{"name": "status_503", "operations_only": false}, ...],
///  "fault_routes": ["token", "create_session", ..., "*"]}
/// ```
pub fn catalog() -> Value {
    let cards: Vec<Value> = CARDS
        .iter()
        .map(|c| {
            json!({
                "name": c.name,
                "number": c.number,
                "brand": brand(c.number),
                "behaviour": c.kind.as_str(),
                "scenario": c.scenario,
            })
        })
        .collect();
    let faults: Vec<Value> = FaultKind::ALL
        .iter()
        .map(|f| json!({"name": f.as_str(), "operations_only": f.only_for_operations()}))
        .collect();
    json!({
        "cards": cards,
        "faults": faults,
        "fault_routes": FAULT_ROUTES,
        "payment_methods": crate::methods::catalog(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::faults::FaultKind;

    #[test]
    fn every_fault_kind_is_listed_under_its_serde_name() {
        for kind in FaultKind::ALL {
            let via_serde = serde_json::to_value(kind).unwrap();
            assert_eq!(via_serde, json!(kind.as_str()));
        }
        // A kind added to the enum but not to ALL would parse but never be listed.
        let listed: Vec<&str> = FaultKind::ALL.iter().map(|k| k.as_str()).collect();
        let mut unique = listed.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), listed.len());
    }

    #[test]
    fn card_names_and_numbers_are_unique_and_every_number_is_found() {
        let c = catalog();
        let cards = c["cards"].as_array().unwrap();
        assert_eq!(cards.len(), CARDS.len());
        let mut names: Vec<&str> = cards.iter().map(|c| c["name"].as_str().unwrap()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), cards.len());
        for card in CARDS {
            assert_eq!(
                crate::cards::lookup(card.number).unwrap().number,
                card.number
            );
        }
        assert_eq!(c["cards"][0]["name"], "approve");
    }
}
