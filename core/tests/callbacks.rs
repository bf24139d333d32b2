//! Callback signatures (the shared vectors in testdata/), real callbacks from the emulator
//! verified and confirmed, return URLs, webhooks.

mod common;

use std::time::{SystemTime, UNIX_EPOCH};

use common::*;
use dintero_checkout::callbacks::{
    is_authentic_but_late, signing_payload, SIGNATURE_EXPIRED, SIGNATURE_FROM_FUTURE,
    SIGNATURE_MALFORMED, SIGNATURE_MISMATCH, SIGNATURE_MISSING,
};
use dintero_checkout::webhooks::compute_webhook_signature;
use dintero_checkout::{
    compute_signature, parse_callback, parse_return_url, verify_webhook, CallbackVerifier,
    CreateSessionOptions, ErrorKind, PaymentError, ReturnOutcome,
};
use serde_json::Value;

fn vectors() -> Vec<Value> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../testdata/callback-signatures.json"
    );
    let text = std::fs::read_to_string(path).expect("testdata/callback-signatures.json");
    let v: Value = serde_json::from_str(&text).expect("valid json");
    match v {
        Value::Array(a) => a,
        Value::Object(o) => o
            .get("vectors")
            .and_then(|v| v.as_array())
            .cloned()
            .expect("vectors"),
        _ => panic!("unexpected vectors file"),
    }
}

#[test]
fn the_documented_test_vector() {
    let payload = signing_payload(
        "P00000000",
        "GET",
        "https://example.com/callback?B=123&A=992",
        1582236537,
    )
    .unwrap();
    assert_eq!(
        payload,
        "1582236537\nP00000000\nGET\nexample.com\n/callback\nA=992&B=123"
    );
    let sig = compute_signature(
        "123",
        "P00000000",
        "GET",
        "https://example.com/callback?B=123&A=992",
        1582236537,
    )
    .unwrap();
    assert_eq!(
        sig,
        "6bed2ab1b919d460ef7465a20dc6c97260dca73fab6647106ca525f0908df64a"
    );
}

#[test]
fn shared_vectors() {
    let all = vectors();
    assert!(all.len() >= 3, "the shared file has several vectors");
    for v in all {
        let name = v["name"].as_str().unwrap_or("?");
        let verifier = CallbackVerifier::new(
            v["secret"].as_str().unwrap(),
            v["account_id"].as_str().unwrap(),
        )
        .unwrap();
        let result = verifier.verify_header_at(
            v["method"].as_str().unwrap(),
            v["url"].as_str().unwrap(),
            v["signature_header"].as_str().unwrap(),
            v["timestamp"].as_i64().unwrap(),
        );
        assert_eq!(
            result.is_ok(),
            v["valid"].as_bool().unwrap(),
            "vector {name}: {result:?}"
        );
    }
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[test]
fn tampered_stale_and_future_signatures_are_refused() {
    let url = "https://shop.example/cb?transaction_id=T12345678.a&session_id=T12345678.s&merchant_reference=o1&time=2026-01-01T00%3A00%3A00Z";
    let v = CallbackVerifier::new("s3cret", "T12345678").unwrap();
    let t = now();
    let good = format!(
        "t={t},v0-hmac-sha256={}",
        compute_signature("s3cret", "T12345678", "GET", url, t).unwrap()
    );
    assert!(v.verify_header_at("GET", url, &good, t).is_ok());
    let cb = v
        .verify("GET", url, [("Dintero-Signature", good.as_str())])
        .unwrap();
    assert_eq!(cb.transaction_id.as_deref(), Some("T12345678.a"));

    let tampered_url = url.replace("o1", "o2");
    let err = v
        .verify_header_at("GET", &tampered_url, &good, t)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Signature);
    assert!(
        v.verify_header_at("POST", url, &good, t).is_err(),
        "the method is signed"
    );
    let other = CallbackVerifier::new("s3cret", "T87654321").unwrap();
    assert!(
        other.verify_header_at("GET", url, &good, t).is_err(),
        "the account is signed"
    );

    let old = t - 301;
    let stale = format!(
        "t={old},v0-hmac-sha256={}",
        compute_signature("s3cret", "T12345678", "GET", url, old).unwrap()
    );
    let err = v.verify_header_at("GET", url, &stale, t).unwrap_err();
    assert!(err.message().contains("old"), "{err}");
    let future = t + 301;
    let ahead = format!(
        "t={future},v0-hmac-sha256={}",
        compute_signature("s3cret", "T12345678", "GET", url, future).unwrap()
    );
    let err = v.verify_header_at("GET", url, &ahead, t).unwrap_err();
    assert!(err.message().contains("future"), "{err}");
    let edge = t - 299;
    let ok = format!(
        "t={edge},v0-hmac-sha256={}",
        compute_signature("s3cret", "T12345678", "GET", url, edge).unwrap()
    );
    assert!(
        v.verify_header_at("GET", url, &ok, t).is_ok(),
        "inside the window"
    );

    for bad in [
        "",
        "t=abc,v0-hmac-sha256=00",
        "v0-hmac-sha256=00",
        &format!("t={t}"),
    ] {
        assert_eq!(
            v.verify_header_at("GET", url, bad, t).unwrap_err().kind(),
            ErrorKind::Signature,
            "{bad:?}"
        );
    }
    let err = v
        .verify("GET", url, Vec::<(String, String)>::new())
        .unwrap_err();
    assert!(err.message().contains("missing"), "{err}");
    assert!(!format!("{err} {err:?} {v:?}").contains("s3cret"));
}

#[test]
fn signature_rules_sorting_spaces_and_port() {
    let t = 1_700_000_000;
    let a = compute_signature(
        "k",
        "T12345678",
        "get",
        "https://h.example:8443/p?b=2&a=x%20y",
        t,
    )
    .unwrap();
    let b = compute_signature("k", "T12345678", "GET", "https://h.example/p?a=x+y&b=2", t).unwrap();
    assert_eq!(
        a, b,
        "method case, port, key order and %20 vs + do not change the signature"
    );
    let p = signing_payload(
        "T12345678",
        "GET",
        "https://h.example:8443/p?b=2&a=x%20y",
        t,
    )
    .unwrap();
    assert!(p.ends_with("\nh.example\n/p\na=x+y&b=2"), "{p}");
}

#[tokio::test]
async fn a_real_callback_is_verified_and_confirmed() {
    let emu = emulator().await;
    let client = client_for(&emu);
    let recv = receiver(vec![]).await;
    let cb_url = format!("{}/dintero/callback?report_event=CAPTURE", recv.base);
    let created = client
        .sessions()
        .create_json(
            session_payload("order-cb", Some(&cb_url)),
            &CreateSessionOptions::default(),
        )
        .await
        .unwrap();
    let tx = emu
        .pay(&created.id, APPROVE)
        .await
        .unwrap()
        .transaction_id
        .unwrap();
    let got = recv.wait_for(1).await;
    let hit = &got[0];
    assert_eq!(hit.method, "GET");
    let secret = emu
        .config()
        .signature_secret
        .clone()
        .expect("the test emulator signs callbacks");
    let verifier =
        CallbackVerifier::new(secret.as_str(), emu.config().account_id.as_str()).unwrap();
    let callback = verifier
        .verify(
            &hit.method,
            &hit.url,
            hit.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        )
        .unwrap();
    assert_eq!(callback.transaction_id.as_deref(), Some(tx.as_str()));
    assert_eq!(callback.session_id.as_deref(), Some(created.id.as_str()));
    assert_eq!(callback.merchant_reference.as_deref(), Some("order-cb"));
    let confirmed = client.callbacks().confirm(&callback).await.unwrap();
    assert!(confirmed.transaction.is_paid());

    // A forged callback naming another order is caught by confirm.
    let mut forged = callback.clone();
    forged.merchant_reference = Some("order-other".into());
    let err = client.callbacks().confirm(&forged).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert_eq!(err.code(), Some("callback_mismatch"));

    // report_event=CAPTURE: the capture is called back too, with event and event_id.
    client
        .transactions()
        .capture(
            &tx,
            &dintero_checkout::CaptureRequest {
                amount: 100,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let got = recv.wait_for(2).await;
    let hit = &got[1];
    let cb = verifier
        .verify(
            &hit.method,
            &hit.url,
            hit.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        )
        .unwrap();
    assert_eq!(cb.event, Some(dintero_checkout::CallbackEventKind::Capture));
    client.callbacks().confirm(&cb).await.unwrap();

    // An event_id that is no event's id (the spec's only example is "3") is not a reason to
    // refuse: confirm decides by the transaction, session, reference, event kind and status.
    for event_id in ["3", "no-such-event"] {
        let mut positional = cb.clone();
        positional.event_id = Some(event_id.into());
        let confirmed = client.callbacks().confirm(&positional).await.unwrap();
        assert_eq!(confirmed.callback.event_id.as_deref(), Some(event_id));
    }
    // An event the transaction does not show is still refused.
    let mut not_voided = cb.clone();
    not_voided.event = Some(dintero_checkout::CallbackEventKind::Void);
    let err = client.callbacks().confirm(&not_voided).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert_eq!(err.code(), Some("callback_mismatch"));
    assert!(err.message().contains("VOID"), "{err}");
    let mut not_refunded = cb.clone();
    not_refunded.event = Some(dintero_checkout::CallbackEventKind::Refund);
    assert_eq!(
        client
            .callbacks()
            .confirm(&not_refunded)
            .await
            .unwrap_err()
            .code(),
        Some("callback_mismatch")
    );
}

#[tokio::test]
async fn a_real_callback_behind_a_proxy_is_verified_from_what_the_app_sees() {
    let emu = emulator().await;
    let client = client_for(&emu);
    let recv = receiver(vec![]).await;
    let cb_url = format!("{}/dintero/callback", recv.base);
    let created = client
        .sessions()
        .create_json(
            session_payload("order-proxy", Some(&cb_url)),
            &CreateSessionOptions::default(),
        )
        .await
        .unwrap();
    emu.pay(&created.id, APPROVE).await.unwrap();
    let hit = recv.wait_for(1).await[0].clone();
    let secret = emu.config().signature_secret.clone().unwrap();
    let verifier =
        CallbackVerifier::new(secret.as_str(), emu.config().account_id.as_str()).unwrap();
    // What an app behind a proxy sees: its own Host, the public host in the proxy's headers,
    // and the path and query as Dintero sent them.
    let url = url::Url::parse(&hit.url).unwrap();
    let public_host = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap());
    let path_and_query = format!("{}?{}", url.path(), url.query().unwrap());
    let mut seen: Vec<(String, String)> = hit
        .headers
        .iter()
        .filter(|(k, _)| !k.eq_ignore_ascii_case("host"))
        .cloned()
        .collect();
    seen.push(("Host".into(), "app-internal:9000".into()));
    seen.push(("X-Forwarded-Proto".into(), "http".into()));
    seen.push(("X-Forwarded-Host".into(), public_host.clone()));
    let cb = verifier
        .verify_request("GET", &path_and_query, &seen, None, true, None)
        .unwrap();
    assert_eq!(cb.session_id.as_deref(), Some(created.id.as_str()));
    client.callbacks().confirm(&cb).await.unwrap();
    // Not trusting the proxy, the internal host is what was "called": the signature fails.
    let err = verifier
        .verify_request("GET", &path_and_query, &seen, None, false, None)
        .unwrap_err();
    assert_eq!(err.code(), Some(SIGNATURE_MISMATCH), "{err}");
    // The merchant's public origin given outright works without trusting any header.
    let public = format!("https://{public_host}");
    verifier
        .verify_request("GET", &path_and_query, &seen, Some(&public), false, None)
        .unwrap();
}

fn signed(secret: &str, url: &str, t: i64) -> String {
    format!(
        "t={t},v0-hmac-sha256={}",
        compute_signature(secret, "T12345678", "GET", url, t).unwrap()
    )
}

#[test]
fn an_authentic_but_late_signature_is_told_apart_from_a_forged_one() {
    let url = "https://shop.example/cb?transaction_id=T12345678.a&merchant_reference=o1";
    let v = CallbackVerifier::new("s3cret", "T12345678").unwrap();
    let t = now();

    let late = v
        .verify(
            "GET",
            url,
            [("Dintero-Signature", signed("s3cret", url, t - 3600))],
        )
        .unwrap_err();
    assert_eq!(late.kind(), ErrorKind::Signature);
    assert_eq!(late.code(), Some(SIGNATURE_EXPIRED));
    assert!(is_authentic_but_late(&late));

    let ahead = v
        .verify_header_at("GET", url, &signed("s3cret", url, t + 3600), t)
        .unwrap_err();
    assert_eq!(ahead.code(), Some(SIGNATURE_FROM_FUTURE));
    assert!(is_authentic_but_late(&ahead));

    // Forged, whatever its age: never reported as late.
    for when in [t, t - 3600] {
        let forged = v
            .verify(
                "GET",
                url,
                [("Dintero-Signature", signed("guess", url, when))],
            )
            .unwrap_err();
        assert_eq!(forged.code(), Some(SIGNATURE_MISMATCH), "t={when}");
        assert!(!is_authentic_but_late(&forged));
    }
    let tampered = v
        .verify(
            "GET",
            &url.replace("o1", "o2"),
            [("Dintero-Signature", signed("s3cret", url, t - 3600))],
        )
        .unwrap_err();
    assert_eq!(tampered.code(), Some(SIGNATURE_MISMATCH));
    let missing = v
        .verify("GET", url, Vec::<(String, String)>::new())
        .unwrap_err();
    assert_eq!(missing.code(), Some(SIGNATURE_MISSING));
    assert!(!is_authentic_but_late(&missing));
}

#[test]
fn verify_refuses_anything_that_is_not_an_authentic_callback_with_a_signature_error() {
    let v = CallbackVerifier::new("s3cret", "T12345678").unwrap();
    let t = now();
    let not_a_callback = "https://shop.example/cb?foo=bar";
    for (url, header) in [
        ("not a url", format!("t={t},v0-hmac-sha256=00")),
        (
            "/cb?transaction_id=T12345678.a",
            format!("t={t},v0-hmac-sha256=00"),
        ),
        ("http://[::1", format!("t={t},v0-hmac-sha256=00")),
        (not_a_callback, signed("s3cret", not_a_callback, t)),
        (
            "https://shop.example/cb?transaction_id=x",
            "garbage".to_string(),
        ),
    ] {
        let err = v
            .verify("GET", url, [("Dintero-Signature", header.as_str())])
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Signature, "{url:?}: {err}");
        assert_eq!(err.code(), Some(SIGNATURE_MALFORMED), "{url:?}: {err}");
        assert!(!is_authentic_but_late(&err));
    }
}

#[test]
fn callback_queries_parse() {
    let cb = parse_callback("https://s.example/cb?sid=T1.s&transaction_id=T1.t&merchant_reference=o+1&time=x&error=failed").unwrap();
    assert_eq!(cb.session_id.as_deref(), Some("T1.s"));
    assert_eq!(cb.merchant_reference.as_deref(), Some("o 1"));
    assert_eq!(cb.error, Some(PaymentError::Failed));
    let cb = parse_callback("https://s.example/cb?merchant_reference=o&error=cancelled").unwrap();
    assert!(cb.transaction_id.is_none());
    assert!(parse_callback("https://s.example/cb?foo=bar").is_err());
    assert!(parse_callback("/relative?transaction_id=x").is_err());
}

#[test]
fn return_urls_parse() {
    let r = parse_return_url(
        "https://shop.example/return?transaction_id=T1.t&merchant_reference=o1&session_id=T1.s",
    )
    .unwrap();
    assert_eq!(r.outcome, ReturnOutcome::Completed);
    assert_eq!(r.transaction_id.as_deref(), Some("T1.t"));
    let r = parse_return_url("https://shop.example/return?merchant_reference=o1&error=cancelled")
        .unwrap();
    assert_eq!(r.outcome, ReturnOutcome::Cancelled);
    let r =
        parse_return_url("https://shop.example/return?merchant_reference=o1&error=authorization")
            .unwrap();
    assert_eq!(r.outcome, ReturnOutcome::Failed);
    let r =
        parse_return_url("https://shop.example/return?merchant_reference=o1&error=something_new")
            .unwrap();
    assert_eq!(
        r.error,
        Some(PaymentError::Unrecognized("something_new".into()))
    );
    assert!(parse_return_url("https://shop.example/return").is_err());
}

#[test]
fn webhooks_verify_the_raw_body() {
    let body = br#"{"account_id":"T12345678","event":"checkout_transaction","event_delivery":"d1","transaction":{"id":"T12345678.t","status":"CAPTURED"},"new_field":1}"#;
    let sig = compute_webhook_signature("whsec", body);
    assert_eq!(sig.len(), 40, "hex SHA-1");
    let ev = verify_webhook("whsec", body, Some(&sig)).unwrap();
    assert_eq!(ev.event.as_deref(), Some("checkout_transaction"));
    assert_eq!(ev.extra.get("new_field"), Some(&serde_json::json!(1)));
    assert_eq!(
        verify_webhook("whsec", body, Some(&sig.to_uppercase()))
            .unwrap()
            .event_delivery
            .as_deref(),
        Some("d1")
    );
    let mut tampered = body.to_vec();
    tampered[20] ^= 1;
    assert_eq!(
        verify_webhook("whsec", &tampered, Some(&sig))
            .unwrap_err()
            .kind(),
        ErrorKind::Signature
    );
    assert_eq!(
        verify_webhook("other", body, Some(&sig))
            .unwrap_err()
            .kind(),
        ErrorKind::Signature
    );
    assert_eq!(
        verify_webhook("whsec", body, None).unwrap_err().kind(),
        ErrorKind::Signature
    );
    let sig2 = compute_webhook_signature("whsec", b"not json");
    assert_eq!(
        verify_webhook("whsec", b"not json", Some(&sig2))
            .unwrap_err()
            .kind(),
        ErrorKind::Decode
    );
}

#[test]
fn the_signature_header_the_core_writes_is_one_its_verifier_accepts_and_the_emulators_own() {
    let url = "https://shop.example/cb?transaction_id=T1&merchant_reference=o-1";
    let t = 1_700_000_000;
    let header = dintero_checkout::signature_header("s3cret", "T12345678", "GET", url, t).unwrap();
    // The emulator computes its signature on its own: the two must agree byte for byte.
    assert_eq!(
        header,
        dintero_emulator::signature_header("s3cret", "T12345678", "GET", url, t).unwrap()
    );
    let verifier = CallbackVerifier::new("s3cret", "T12345678").unwrap();
    verifier.verify_header_at("GET", url, &header, t).unwrap();
    assert!(verifier
        .verify_header_at("GET", url, &header.replace("t=1", "t=2"), t)
        .is_err());
}
