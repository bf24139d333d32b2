//! The core against a server that breaks the rules (not the emulator, which does not).

use std::time::Duration;

use axum::routing::{get, post};
use axum::{Json, Router};
use dintero_checkout::{Client, ErrorKind, ListTransactions, RetryPolicy};
use serde_json::json;

async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    base
}

fn token_route() -> Router {
    Router::new().route(
        "/v1/accounts/{aid}/auth/token",
        post(|| async {
            Json(json!({"access_token": "tok", "token_type": "Bearer", "expires_in": u64::MAX}))
        }),
    )
}

fn client(base: &str) -> Client {
    Client::builder()
        .account_id("T12345678")
        .client_id("id")
        .client_secret("secret")
        .base_url(base)
        .retry_policy(RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        })
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_server_that_ignores_the_cursor_does_not_loop_forever() {
    let page = || {
        json!([
            {"id": "T12345678.a", "status": "AUTHORIZED", "amount": 1},
            {"id": "T12345678.b", "status": "AUTHORIZED", "amount": 1}
        ])
    };
    let app = token_route().route("/v1/transactions", get(move || async move { Json(page()) }));
    let base = serve(app).await;
    let c = client(&base);
    let mut pager = c.transactions().list(ListTransactions {
        limit: Some(2),
        ..Default::default()
    });
    let mut seen = 0;
    let err = loop {
        match pager.next().await {
            Ok(Some(_)) => seen += 1,
            Ok(None) => panic!("a server repeating itself is not a clean end"),
            Err(e) => break e,
        }
        assert!(seen < 10, "looping");
    };
    assert_eq!(seen, 2);
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(err.message().contains("starting_after"), "{err}");
    assert!(pager.next().await.unwrap().is_none(), "and then it is over");
}

#[tokio::test]
async fn a_huge_expires_in_does_not_panic() {
    let app = token_route();
    let base = serve(app).await;
    let c = client(&base);
    c.authenticate().await.unwrap();
    c.authenticate().await.unwrap();
    assert_eq!(c.token_requests(), 1, "cached");
    let err = c
        .wait_for_payment("T12345678.x", Duration::from_millis(100), Duration::MAX)
        .await
        .unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::NotFound,
        "no panic on Duration::MAX: {err}"
    );
}
