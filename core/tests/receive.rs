//! `Callbacks::receive`: the emulator's real signed callbacks replayed through it, as a web
//! framework would hand them over (method, path and query, headers), over real HTTP.

mod common;

use common::*;
use dintero_checkout::{
    CallbackReceipt, CallbackVerifier, Client, CreateSessionOptions, ErrorKind, PaymentError,
    ReceiptOutcome, ReceiveOptions,
};
use dintero_emulator::{CallbackDelivery, Emulator};

/// Nothing listens there: the emulator's deliveries fail and are recorded with their headers.
const CLOSED: &str = "http://127.0.0.1:9/dintero/callback";

fn verifier(emu: &Emulator) -> CallbackVerifier {
    let secret = emu.config().signature_secret.clone().expect("signed");
    CallbackVerifier::new(secret.as_str(), emu.config().account_id.as_str()).unwrap()
}

/// Pays a session whose callback goes to `callback_url` with `card`; returns the first
/// recorded delivery (once it was attempted, so its headers are those sent).
async fn delivery(
    emu: &Emulator,
    client: &Client,
    reference: &str,
    callback_url: &str,
    card: &str,
) -> CallbackDelivery {
    let created = client
        .sessions()
        .create_json(
            session_payload(reference, Some(callback_url)),
            &CreateSessionOptions::default(),
        )
        .await
        .unwrap();
    emu.pay(&created.id, card).await.unwrap();
    for _ in 0..500 {
        if let Some(d) = emu.callbacks().into_iter().find(|d| d.attempts > 0) {
            return d;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("no callback delivery was attempted");
}

/// The request as an app behind nothing sees it: path and query, and the headers sent
/// (`Host` included, as every HTTP/1.1 request has it).
fn as_received(d: &CallbackDelivery) -> (String, Vec<(String, String)>) {
    let url = url::Url::parse(&d.url).unwrap();
    let path = format!("{}?{}", url.path(), url.query().unwrap_or(""));
    let mut headers: Vec<(String, String)> = d
        .headers
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let host = match url.port() {
        Some(p) => format!("{}:{p}", url.host_str().unwrap()),
        None => url.host_str().unwrap().to_string(),
    };
    headers.push(("Host".into(), host));
    (path, headers)
}

async fn receive(
    client: &Client,
    verifier: &CallbackVerifier,
    path: &str,
    headers: &[(String, String)],
    options: &ReceiveOptions,
) -> CallbackReceipt {
    client
        .callbacks()
        .receive(verifier, "GET", path, headers, options)
        .await
}

fn signed_headers(emu: &Emulator, url: &str, t: i64) -> Vec<(String, String)> {
    let secret = emu.config().signature_secret.clone().unwrap();
    let header = dintero_emulator::signature_header(
        secret.as_str(),
        emu.config().account_id.as_str(),
        "GET",
        url,
        t,
    )
    .unwrap();
    vec![("Dintero-Signature".into(), header)]
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[tokio::test]
async fn a_real_callback_is_confirmed_and_answered_200() {
    let emu = emulator().await;
    let client = client_for(&emu);
    let d = delivery(&emu, &client, "order-rcv", CLOSED, APPROVE).await;
    let (path, headers) = as_received(&d);
    let v = verifier(&emu);

    let r = receive(&client, &v, &path, &headers, &ReceiveOptions::default()).await;
    assert_eq!(r.outcome, ReceiptOutcome::Confirmed, "{r:?}");
    assert_eq!((r.status, r.late), (200, false));
    assert_eq!(r.reason, "confirmed");
    assert!(r.error.is_none());
    let tx = r
        .transaction
        .as_ref()
        .expect("a confirmed receipt has the transaction");
    assert!(tx.is_paid());
    assert_eq!(tx.merchant_reference, "order-rcv");
    let cb = r.callback.as_ref().unwrap();
    assert_eq!(cb.transaction_id.as_deref(), Some(tx.id.as_str()));

    // Delivered again (at least once): the same answer, harmless to repeat.
    let again = receive(&client, &v, &path, &headers, &ReceiveOptions::default()).await;
    assert_eq!(
        (again.outcome, again.status),
        (ReceiptOutcome::Confirmed, 200)
    );

    // Late: the same authentic signature an hour later is a late retry, confirmed, never
    // refused (a 4xx would lose the callback for good).
    let later = ReceiveOptions {
        now: Some(now() + 3600),
        ..Default::default()
    };
    let late = receive(&client, &v, &path, &headers, &later).await;
    assert_eq!(
        (late.outcome, late.status, late.late),
        (ReceiptOutcome::Confirmed, 200, true),
        "{late:?}"
    );
    assert!(late.transaction.is_some());
    // ...and a signature the emulator made an hour ago, too.
    let old = signed_headers(&emu, &d.url, now() - 3600);
    let mut with_host = old.clone();
    with_host.push(("Host".into(), "127.0.0.1:9".into()));
    let late = receive(&client, &v, &path, &with_host, &ReceiveOptions::default()).await;
    assert_eq!((late.outcome, late.late), (ReceiptOutcome::Confirmed, true));
}

#[tokio::test]
async fn forged_missing_and_non_callbacks_are_refused_with_a_final_4xx() {
    let emu = emulator().await;
    let client = client_for(&emu);
    let d = delivery(&emu, &client, "order-forged", CLOSED, APPROVE).await;
    let (path, headers) = as_received(&d);
    let v = verifier(&emu);
    let opts = ReceiveOptions::default();
    let requests_before = emu.request_count("get_transaction");

    let check = |r: &CallbackReceipt, status: u16, code: &str| {
        assert_eq!(
            (r.outcome, r.status),
            (ReceiptOutcome::Refused, status),
            "{r:?}"
        );
        assert!(r.transaction.is_none() && r.callback.is_none());
        let e = r.error.as_ref().unwrap();
        assert_eq!(
            (e.kind, e.code.as_deref()),
            (ErrorKind::Signature, Some(code))
        );
    };
    // Another order in the query, the real signature: the URL it signs was changed.
    let tampered = path.replace("order-forged", "order-other");
    let r = receive(&client, &v, &tampered, &headers, &opts).await;
    check(&r, 403, "signature_mismatch");
    // Signed with a guess, old or new: forged, never "late".
    for t in [now(), now() - 3600] {
        let mut forged: Vec<(String, String)> = headers
            .iter()
            .filter(|(k, _)| !k.eq_ignore_ascii_case("dintero-signature"))
            .cloned()
            .collect();
        let guess =
            dintero_emulator::signature_header("a-guess", "T12345678", "GET", &d.url, t).unwrap();
        forged.push(("Dintero-Signature".into(), guess));
        let r = receive(&client, &v, &path, &forged, &opts).await;
        check(&r, 403, "signature_mismatch");
        assert!(!r.late);
    }
    // No signature at all.
    let unsigned: Vec<(String, String)> = headers
        .iter()
        .filter(|(k, _)| !k.eq_ignore_ascii_case("dintero-signature"))
        .cloned()
        .collect();
    check(
        &receive(&client, &v, &path, &unsigned, &opts).await,
        403,
        "signature_missing",
    );
    // Signed with the real secret, but not a callback (no transaction_id, no error).
    let not_a_callback = "http://127.0.0.1:9/dintero/callback?hello=1";
    let mut signed = signed_headers(&emu, not_a_callback, now());
    signed.push(("Host".into(), "127.0.0.1:9".into()));
    check(
        &receive(&client, &v, "/dintero/callback?hello=1", &signed, &opts).await,
        400,
        "signature_malformed",
    );
    // Not a path, no Host: a request Dintero could not have made.
    check(
        &receive(&client, &v, "http://evil.example/cb", &headers, &opts).await,
        400,
        "signature_malformed",
    );
    // None of these read a transaction.
    assert_eq!(emu.request_count("get_transaction"), requests_before);
}

#[tokio::test]
async fn behind_a_proxy_the_url_is_rebuilt_only_when_the_proxy_is_trusted() {
    let emu = emulator().await;
    let client = client_for(&emu);
    let d = delivery(&emu, &client, "order-proxied", CLOSED, APPROVE).await;
    let (path, sent) = as_received(&d);
    let public_host = "127.0.0.1:9";
    let v = verifier(&emu);
    // What the app behind a proxy sees: the proxy's Host, the public one in its headers.
    let behind = |extra: Vec<(&str, String)>| -> Vec<(String, String)> {
        let mut h: Vec<(String, String)> = sent
            .iter()
            .filter(|(k, _)| !k.eq_ignore_ascii_case("host"))
            .cloned()
            .collect();
        h.push(("Host".into(), "app-internal:8000".into()));
        h.extend(extra.into_iter().map(|(k, v)| (k.to_string(), v)));
        h
    };
    let trusted = ReceiveOptions {
        trust_proxy: true,
        ..Default::default()
    };
    for headers in [
        behind(vec![
            ("X-Forwarded-Host", public_host.to_string()),
            ("X-Forwarded-Proto", "http".into()),
        ]),
        behind(vec![(
            "Forwarded",
            format!("for=192.0.2.1;proto=http;host=\"{public_host}\""),
        )]),
    ] {
        let r = receive(&client, &v, &path, &headers, &trusted).await;
        assert_eq!(
            (r.outcome, r.status),
            (ReceiptOutcome::Confirmed, 200),
            "{r:?}"
        );
        // Not trusting the proxy, the internal host is what was "called": not Dintero's.
        let r = receive(&client, &v, &path, &headers, &ReceiveOptions::default()).await;
        assert_eq!(
            (r.outcome, r.status),
            (ReceiptOutcome::Refused, 403),
            "{r:?}"
        );
    }
    // The public origin given outright needs no header at all.
    let public = ReceiveOptions {
        public_url: Some(format!("https://{public_host}")),
        ..Default::default()
    };
    let r = receive(&client, &v, &path, &behind(vec![]), &public).await;
    assert_eq!(r.outcome, ReceiptOutcome::Confirmed, "{r:?}");
    // A public_url that is no URL is the receiver's mistake: retried, not refused for good.
    let broken = ReceiveOptions {
        public_url: Some("shop.example".into()),
        ..Default::default()
    };
    let r = receive(&client, &v, &path, &behind(vec![]), &broken).await;
    assert_eq!(
        (r.outcome, r.status),
        (ReceiptOutcome::RetryLater, 500),
        "{r:?}"
    );
    assert_eq!(r.error.unwrap().kind, ErrorKind::InvalidInput);
}

#[tokio::test]
async fn dintero_down_is_answered_503_so_dintero_retries() {
    let emu = emulator().await;
    let setup = client_for(&emu);
    let d = delivery(&emu, &setup, "order-down", CLOSED, APPROVE).await;
    let (path, headers) = as_received(&d);
    let v = verifier(&emu);
    // A fresh client (no token yet) and a token endpoint that keeps failing.
    let client = client_for(&emu);
    emu.inject_fault(fault("token", "status_503", 20)).unwrap();
    let r = receive(&client, &v, &path, &headers, &ReceiveOptions::default()).await;
    assert_eq!(
        (r.outcome, r.status),
        (ReceiptOutcome::RetryLater, 503),
        "{r:?}"
    );
    assert!(r.transaction.is_none() && r.callback.is_none());
    assert_eq!(r.error.as_ref().unwrap().kind, ErrorKind::Server);
    // A late retry that meets the outage is retried as well, and says it was late.
    let later = ReceiveOptions {
        now: Some(now() + 3600),
        ..Default::default()
    };
    let r = receive(&client, &v, &path, &headers, &later).await;
    assert_eq!((r.status, r.late), (503, true), "{r:?}");

    // The transaction read cut off on the way (a client that holds a token): transient too.
    emu.inject_fault(fault("get_transaction", "reset_before_apply", 20))
        .unwrap();
    let r = receive(&setup, &v, &path, &headers, &ReceiveOptions::default()).await;
    assert_eq!(
        (r.outcome, r.status),
        (ReceiptOutcome::RetryLater, 503),
        "{r:?}"
    );
    assert_eq!(r.error.as_ref().unwrap().kind, ErrorKind::Network);
}

#[tokio::test]
async fn an_authentic_callback_that_contradicts_its_transaction_is_refused_409() {
    let emu = emulator().await;
    let client = client_for(&emu);
    let d = delivery(&emu, &client, "order-contra", CLOSED, APPROVE).await;
    let v = verifier(&emu);
    // Signed with the account's real secret (as a leaked or replayed-and-edited URL would
    // be), but saying what the transaction does not show.
    for (edit, field) in [("&event=VOID", "event"), ("&event=REFUND", "event")] {
        let url = format!("{}{edit}", d.url);
        let mut headers = signed_headers(&emu, &url, now());
        headers.push(("Host".into(), "127.0.0.1:9".into()));
        let path = url.trim_start_matches("http://127.0.0.1:9").to_string();
        let r = receive(&client, &v, &path, &headers, &ReceiveOptions::default()).await;
        assert_eq!(
            (r.outcome, r.status),
            (ReceiptOutcome::Refused, 409),
            "{field}: {r:?}"
        );
        assert!(r.transaction.is_none() && r.callback.is_none());
        let e = r.error.unwrap();
        assert_eq!(
            (e.kind, e.code.as_deref()),
            (ErrorKind::Conflict, Some("callback_mismatch"))
        );
        assert!(e.message.contains(field), "{}", e.message);
    }
    // Another order's reference on this transaction.
    let url = d.url.replace("order-contra", "order-else");
    let mut headers = signed_headers(&emu, &url, now());
    headers.push(("Host".into(), "127.0.0.1:9".into()));
    let path = url.trim_start_matches("http://127.0.0.1:9").to_string();
    let r = receive(&client, &v, &path, &headers, &ReceiveOptions::default()).await;
    assert_eq!(
        (r.outcome, r.status),
        (ReceiptOutcome::Refused, 409),
        "{r:?}"
    );
}

#[tokio::test]
async fn a_failed_payment_callback_is_noted_with_200() {
    let emu = emulator().await;
    let client = client_for(&emu);
    let url = format!("{CLOSED}?report_error=true");
    let d = delivery(&emu, &client, "order-declined", &url, DECLINE).await;
    let (path, headers) = as_received(&d);
    let r = receive(
        &client,
        &verifier(&emu),
        &path,
        &headers,
        &ReceiveOptions::default(),
    )
    .await;
    assert_eq!(
        (r.outcome, r.status),
        (ReceiptOutcome::PaymentFailed, 200),
        "{r:?}"
    );
    assert!(r.transaction.is_none(), "nothing to fulfil");
    let cb = r.callback.unwrap();
    assert!(cb.error.is_some());
    assert_ne!(cb.error, Some(PaymentError::Cancelled));
    assert_eq!(cb.merchant_reference.as_deref(), Some("order-declined"));
    assert!(r.reason.starts_with("noted: the payment"), "{}", r.reason);
}
