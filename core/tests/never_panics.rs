//! Property tests: parsing and decoding never panic, whatever the input.

use dintero_checkout::{parse_callback, parse_return_url, CallbackVerifier, Session, Transaction};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]

    #[test]
    fn signature_verification_never_panics(method in ".{0,8}", url in ".{0,200}", header in ".{0,200}", now in any::<i64>()) {
        let v = CallbackVerifier::new("secret", "T12345678").unwrap();
        let _ = v.verify_header_at(&method, &url, &header, now);
        let _ = v.verify(&method, &url, [("dintero-signature", header.as_str())]);
    }

    #[test]
    fn signature_headers_of_the_right_shape_never_panic(t in any::<i64>(), sig in "[0-9a-fA-F]{0,80}", now in any::<i64>()) {
        let v = CallbackVerifier::new("secret", "T12345678").unwrap();
        let _ = v.verify_header_at("GET", "https://a.example/cb?x=1", &format!("t={t},v0-hmac-sha256={sig}"), now);
    }

    #[test]
    fn callback_and_return_urls_never_panic(query in "[a-z_=&%+0-9A-F.]{0,200}") {
        let url = format!("https://shop.example/cb?{query}");
        let _ = parse_callback(&url);
        let _ = parse_return_url(&url);
    }

    #[test]
    fn arbitrary_strings_never_panic(s in "\\PC{0,300}") {
        let _ = parse_callback(&s);
        let _ = parse_return_url(&s);
        let _ = serde_json::from_str::<Transaction>(&s);
        let _ = serde_json::from_str::<Session>(&s);
    }

    #[test]
    fn response_decoding_never_panics(json in arb_json()) {
        let text = json.to_string();
        let _ = serde_json::from_str::<Transaction>(&text);
        let _ = serde_json::from_str::<Session>(&text);
        let _ = serde_json::from_value::<Vec<Transaction>>(json.clone());
        let _ = dintero_checkout::verify_webhook("k", text.as_bytes(), Some("00"));
    }

    #[test]
    fn transaction_shaped_json_decodes_or_errors(status in "[A-Z_]{1,20}", amount in any::<i64>(), extra in "x_[a-z]{1,10}") {
        let text = format!(r#"{{"id":"T1.x","status":"{status}","amount":{amount},"events":[{{"event":"{status}"}}],"{extra}":[1]}}"#);
        let tx: Transaction = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(tx.status.as_ref().map(|s| s.as_str()), Some(status.as_str()));
        prop_assert!(tx.extra.contains_key(&extra), "unknown fields are kept");
        let round = serde_json::to_value(&tx).unwrap();
        prop_assert_eq!(round["status"].as_str(), Some(status.as_str()), "unknown values survive a round trip");
    }
}

fn arb_json() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(serde_json::Value::from),
        "[a-zA-Z_]{0,12}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::from),
            prop::collection::hash_map(
                prop_oneof![
                    Just("id".to_string()),
                    Just("status".to_string()),
                    Just("amount".to_string()),
                    Just("events".to_string()),
                    Just("items".to_string()),
                    "[a-z_]{1,8}"
                ],
                inner,
                0..6
            )
            .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}
