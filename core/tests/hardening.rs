//! Hardening against the emulator: token outages, and proxies the client cannot use.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use dintero_checkout::{Client, ErrorKind, Result, RetryPolicy};
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
