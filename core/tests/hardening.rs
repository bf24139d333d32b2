//! Hardening against the emulator: token outages, one retry budget per call, ids that would
//! leave their path, and proxies the client cannot use.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use dintero_checkout::{CaptureRequest, Client, ErrorKind, Result, RetryPolicy};
use serde_json::json;

/// Runs `n` calls of `call` at once (released together by a barrier) and returns their results.
async fn burst<T, F, Fut>(client: &Client, n: usize, call: F) -> Vec<Result<T>>
where
    T: Send + 'static,
    F: Fn(Client) -> Fut,
    Fut: std::future::Future<Output = Result<T>> + Send + 'static,
{
    let barrier = Arc::new(tokio::sync::Barrier::new(n));
    let mut handles = Vec::with_capacity(n);
    for _ in 0..n {
        let barrier = barrier.clone();
        let fut = call(client.clone());
        handles.push(tokio::spawn(async move {
            barrier.wait().await;
            fut.await
        }));
    }
    let mut results = Vec::with_capacity(n);
    for h in handles {
        results.push(h.await.expect("task"));
    }
    results
}

async fn new_session(client: &Client, reference: &str) -> dintero_checkout::SessionCreated {
    client
        .sessions()
        .create_json(session_payload(reference, None), &Default::default())
        .await
        .expect("session created")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_outage_costs_one_fetch_and_every_waiter_gets_its_error() {
    let emu = emulator().await;
    emu.inject_fault(fault("token", "status_503", 10_000))
        .unwrap();
    // Backoffs long enough (at least 350 ms in all) that every call of the burst is waiting
    // before the fetch gives up, however slow this machine is.
    let client = client_builder(&emu)
        .retry_policy(RetryPolicy {
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(400),
            ..fast_retries()
        })
        .build()
        .unwrap();
    let max = client.config().retry_policy().max_attempts as u64;
    let results = burst(&client, 50, |c| async move {
        c.sessions().get("T12345678.nosuchsession").await
    })
    .await;
    let errors: Vec<_> = results.into_iter().map(|r| r.unwrap_err()).collect();
    let token_requests = emu.request_count("token");
    println!("50 calls during a token outage: {token_requests} token requests");
    assert!(
        (1..=max).contains(&token_requests),
        "{token_requests} token requests for 50 waiting calls (max_attempts {max})"
    );
    assert_eq!(client.token_requests(), 1, "one fetch");
    for e in &errors {
        assert_eq!(e, &errors[0], "every waiter gets the same fetch's error");
    }
    assert_eq!(errors[0].kind(), ErrorKind::Server);
    assert_eq!(errors[0].status(), Some(503));
    assert_eq!(emu.request_count("get_session"), 0);

    // The outage ends: the next call starts a new fetch and succeeds.
    emu.reset();
    new_session(&client, "after-outage").await;
    assert_eq!(emu.request_count("token"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_secret_with_200_concurrent_calls_costs_one_token_request() {
    let emu = emulator().await;
    // The 401 comes after 300 ms, so every call of the burst is waiting for it.
    emu.inject_fault(fault_json(
        json!({"route": "token", "fault": "delay", "ms": 300, "times": 1}),
    ))
    .unwrap();
    let client = client_builder(&emu)
        .client_secret("not-the-secret")
        .build()
        .unwrap();
    let results = burst(&client, 200, |c| async move {
        c.transactions().get("T12345678.nosuchtx", &[]).await
    })
    .await;
    let token_requests = emu.request_count("token");
    println!("200 calls with a wrong secret: {token_requests} token requests");
    assert_eq!(token_requests, 1, "a 401 is not retried, and shared");
    for r in results {
        let e = r.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Authentication, "{e}");
        assert!(!e.message().contains("not-the-secret"), "{e}");
    }
    assert_eq!(emu.request_count("get_transaction"), 0);
}

#[tokio::test]
async fn session_cancel_has_one_retry_budget_under_429() {
    let emu = emulator().await;
    let client = client_for(&emu);
    let created = new_session(&client, "cancel-429").await;
    emu.inject_fault(fault_json(
        json!({"route": "cancel_session", "fault": "status_429",
                                        "times": 100, "retry_after": 0}),
    ))
    .unwrap();
    let err = client.sessions().cancel(&created.id).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited, "{err}");
    let max = client.config().retry_policy().max_attempts as u64;
    let sent = emu.request_count("cancel_session");
    println!("session cancel under 429: {sent} requests (max_attempts {max})");
    assert_eq!(sent, max, "one budget, not a loop inside a loop");
}

#[tokio::test]
async fn an_unreadable_200_on_session_cancel_is_reconciled_by_reading_the_session() {
    let emu = emulator().await;
    let client = client_for(&emu);
    let (session_id, _tx) = paid_transaction(&emu, &client, "cancel-garbled").await;
    emu.inject_fault(fault("cancel_session", "malformed_json", 1))
        .unwrap();
    let reads_before = emu.request_count("get_session");
    let session = client.sessions().cancel(&session_id).await.unwrap();
    assert!(session.cancelled_at.is_some());
    assert_eq!(emu.request_count("cancel_session"), 1, "not sent again");
    assert_eq!(emu.request_count("get_session") - reads_before, 1);
}

#[tokio::test]
async fn session_cancel_gives_up_after_its_budget_when_it_did_not_happen() {
    let emu = emulator().await;
    let client = client_for(&emu);
    let created = new_session(&client, "cancel-503").await;
    emu.inject_fault(fault("cancel_session", "status_503", 100))
        .unwrap();
    let err = client.sessions().cancel(&created.id).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server, "{err}");
    let max = client.config().retry_policy().max_attempts as u64;
    assert_eq!(emu.request_count("cancel_session"), max);
    assert_eq!(
        emu.request_count("get_session"),
        max,
        "one read per ambiguous attempt"
    );
}

async fn requests_seen(emu: &dintero_emulator::Emulator) -> serde_json::Value {
    reqwest::get(format!("{}/_emulator/requests", emu.base_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn ids_that_would_leave_their_path_are_refused_before_any_request() {
    let emu = emulator().await;
    let client = client_for(&emu);
    let tx = client.transactions();
    let capture = CaptureRequest {
        amount: 100,
        ..Default::default()
    };
    let bad = [
        "",
        ".",
        "..",
        "...",
        "../x",
        "a/b",
        "a\\b",
        "a?b",
        "a#b",
        "a%2Fb",
        "a b",
        "a\tb",
        "a\nb",
        "T12345678.x/../..",
        "\u{0}",
        "é",
    ];
    for id in bad {
        for (what, result) in [
            ("transaction_id", tx.get(id, &[]).await.map(|_| ())),
            ("transaction_id", tx.capture(id, &capture).await.map(|_| ())),
            ("transaction_id", tx.void(id).await.map(|_| ())),
            ("session_id", client.sessions().get(id).await.map(|_| ())),
            ("session_id", client.sessions().cancel(id).await.map(|_| ())),
        ] {
            let err = result.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidInput, "{id:?}: {err}");
            assert!(err.message().starts_with(what), "{id:?}: {err}");
        }
    }
    let seen = requests_seen(&emu).await;
    assert_eq!(seen["recent"], json!([]), "nothing was sent: {seen}");

    // Dots inside an id are Dintero's own format: sent, and answered 404.
    let err = tx.get("T12345678.a.b", &[]).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
    let seen = requests_seen(&emu).await;
    let paths: Vec<&str> = seen["recent"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["path"].as_str())
        .collect();
    assert!(
        paths.contains(&"/v1/transactions/T12345678.a.b"),
        "{paths:?}"
    );
}

#[tokio::test]
async fn a_long_bad_id_is_not_echoed_whole() {
    let emu = emulator().await;
    let client = client_for(&emu);
    let id = "/".repeat(100_000);
    let err = client.transactions().get(&id, &[]).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.message().len() < 500, "{} bytes", err.message().len());
}

#[test]
fn only_proxies_the_client_can_use_are_accepted() {
    let builder = || {
        Client::builder()
            .account_id("T12345678")
            .client_id("id")
            .client_secret("secret")
    };
    let refused = [
        "gopher://proxy.example:70",
        "ftp://user:hunter2pw@proxy.example",
        "htp://user:hunter2pw@proxy.example:8080",
        "http//user:hunter2pw@proxy.example:8080",
        "user:hunter2pw@proxy.example:8080",
        "hunter2pw:user@proxy.example:8080",
        "proxy.example:3128",
        "socks5://user:hunter2pw@proxy.example:1080",
        "socks5h://proxy.example:1080",
        "http://",
        "http://user:hunter2pw@",
        "",
        "   ",
    ];
    for proxy in refused {
        let err = builder().proxy(proxy).build().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{proxy:?}: {err}");
        assert!(err.message().starts_with("proxy"), "{proxy:?}: {err}");
        assert!(!err.to_string().contains("hunter2pw"), "{proxy:?}: {err}");
        assert!(
            !err.to_string().contains("proxy.example"),
            "{proxy:?}: {err}"
        );
    }
    for proxy in [
        "http://proxy.example:3128",
        "https://user:hunter2pw@proxy.example:443",
        "http://127.0.0.1:8080",
    ] {
        builder()
            .proxy(proxy)
            .build()
            .unwrap_or_else(|e| panic!("{proxy:?}: {e}"));
    }
}

#[test]
fn the_response_limit_is_checked() {
    let builder = || {
        Client::builder()
            .account_id("T12345678")
            .client_id("id")
            .client_secret("secret")
    };
    let c = builder().build().unwrap();
    assert_eq!(c.config().max_response_bytes(), 16 * 1024 * 1024);
    let err = builder().max_response_bytes(10).build().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.message().contains("max_response_bytes"), "{err}");
}
