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
async fn a_full_page_ending_in_a_transaction_without_id_is_the_last_page() {
    // The spec leaves `id` optional. Continuing would send `starting_after=` (empty), which
    // restarts the listing: the pager must stop instead of serving page one again.
    let asked = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let log = asked.clone();
    let app = token_route().route(
        "/v1/transactions",
        get(move |uri: axum::http::Uri| {
            let log = log.clone();
            async move {
                log.lock()
                    .unwrap()
                    .push(uri.query().unwrap_or("").to_string());
                Json(json!([
                    {"id": "T12345678.a", "status": "AUTHORIZED", "amount": 1},
                    {"status": "AUTHORIZED", "amount": 2}
                ]))
            }
        }),
    );
    let base = serve(app).await;
    let c = client(&base);
    let all = c
        .transactions()
        .list(ListTransactions {
            limit: Some(2),
            ..Default::default()
        })
        .collect_all()
        .await
        .unwrap();
    assert_eq!(all.len(), 2);
    let asked = asked.lock().unwrap().clone();
    assert_eq!(
        asked.len(),
        1,
        "one page asked for, not a restart: {asked:?}"
    );
    assert!(!asked[0].contains("starting_after"), "{asked:?}");
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
        .wait_for_payment(
            "T12345678.x",
            Some(Duration::from_millis(100)),
            Some(Duration::MAX),
        )
        .await
        .unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::NotFound,
        "no panic on Duration::MAX: {err}"
    );
}

// ---------------------------------------------------------------------------------------------
// Unbounded answers, bodiless POSTs and proxies, against hand-made servers.

use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

static SPACES: [u8; 64 * 1024] = [b' '; 64 * 1024];
const MIB: u64 = 1024 * 1024;

/// Resident memory of this process, in KiB (Linux; 0 elsewhere): now (`VmRSS`) and at its
/// highest so far (`VmHWM`).
fn rss_kib() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Authenticates a client against `base`, then reads a transaction that must fail; returns the
/// client, the error and how much resident memory grew during the read (after it, and at its
/// peak), as text.
async fn measured_get(base: &str) -> (Client, dintero_checkout::Error, String) {
    let c = client(base);
    c.authenticate().await.unwrap();
    let (rss, peak) = rss_kib();
    let err = c.transactions().get("T12345678.x", &[]).await.unwrap_err();
    let (rss_after, peak_after) = rss_kib();
    let grew = format!("RSS {rss} -> {rss_after} KiB, peak RSS {peak} -> {peak_after} KiB",);
    (c, err, grew)
}

/// A body of `prefix`, then 64 KiB chunks of spaces (`chunks` of them, or endless), then
/// `suffix`; `sent` counts the bytes handed to the server. Nothing big is allocated.
fn streamed(
    prefix: &'static str,
    chunks: Option<usize>,
    suffix: &'static str,
    sent: Arc<AtomicU64>,
) -> Body {
    let middle = futures_util::stream::repeat_with(move || {
        sent.fetch_add(SPACES.len() as u64, Ordering::Relaxed);
        Ok::<_, Infallible>(bytes::Bytes::from_static(&SPACES))
    });
    let ends = |s: &'static str| {
        futures_util::stream::iter([Ok::<_, Infallible>(bytes::Bytes::from_static(s.as_bytes()))])
    };
    use futures_util::StreamExt;
    match chunks {
        Some(n) => Body::from_stream(ends(prefix).chain(middle.take(n)).chain(ends(suffix))),
        None => Body::from_stream(ends(prefix).chain(middle)),
    }
}

#[tokio::test]
async fn an_endless_chunked_answer_is_cut_at_the_limit() {
    let sent = Arc::new(AtomicU64::new(0));
    let counter = sent.clone();
    let app = token_route().route(
        "/v1/transactions/{id}",
        get(move || {
            let counter = counter.clone();
            async move { streamed("[", None, "", counter) }
        }),
    );
    let (_, err, grew) = measured_get(&serve(app).await).await;
    println!(
        "endless chunked 200: {grew}; server had sent {} MiB",
        sent.load(Ordering::Relaxed) / MIB
    );
    assert_eq!(err.kind(), ErrorKind::Decode, "{err}");
    assert!(err.message().contains("16 MiB"), "{err}");
    assert!(err.message().contains("max_response_bytes"), "{err}");
    assert_eq!(err.status(), Some(200));
    // Reading stopped: what the server managed to push is the limit plus socket buffers.
    assert!(
        sent.load(Ordering::Relaxed) < 64 * MIB,
        "the client kept reading"
    );
}

#[tokio::test]
async fn the_limit_is_configurable_and_a_body_within_it_is_read() {
    let app = token_route().route(
        "/v1/transactions",
        get(|| async { streamed("[", Some(4), "]", Arc::new(AtomicU64::new(0))) }),
    );
    let base = serve(app).await;
    let small = Client::builder()
        .account_id("T12345678")
        .client_id("id")
        .client_secret("secret")
        .base_url(&base)
        .max_response_bytes(128 * 1024)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let err = small
        .transactions()
        .list_page(&ListTransactions::default())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode, "{err}");
    assert!(err.message().contains("128 KiB"), "{err}");
    // 256 KiB of spaces in a JSON array is an empty list, read whole under the default limit.
    let page = client(&base)
        .transactions()
        .list_page(&ListTransactions::default())
        .await
        .unwrap();
    assert!(page.is_empty());
}

/// A raw HTTP server: for each connection, reads the request head (and a body of the announced
/// length), records the head, answers with `answer(head)` and closes.
async fn raw_server(answer: fn(&str) -> String) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let heads = Arc::new(Mutex::new(Vec::new()));
    let recorded = heads.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let recorded = recorded.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut piece = [0u8; 4096];
                let head_end = loop {
                    if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        break i + 4;
                    }
                    match socket.read(&mut piece).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&piece[..n]),
                    }
                };
                let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
                let length: usize = head
                    .lines()
                    .find_map(|l| {
                        let (k, v) = l.split_once(':')?;
                        k.eq_ignore_ascii_case("content-length")
                            .then(|| v.trim().parse().ok())?
                    })
                    .unwrap_or(0);
                while buf.len() < head_end + length {
                    match socket.read(&mut piece).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => buf.extend_from_slice(&piece[..n]),
                    }
                }
                recorded.lock().unwrap().push(head.clone());
                let _ = socket.write_all(answer(&head).as_bytes()).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    (base, heads)
}

fn http_answer(status: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
}

fn token_or_404(head: &str) -> String {
    if head.contains("/auth/token") {
        http_answer(
            "200 OK",
            r#"{"access_token": "tok", "token_type": "Bearer", "expires_in": 3600}"#,
        )
    } else {
        http_answer(
            "404 Not Found",
            r#"{"error": {"code": "NOT_FOUND", "message": "no such thing"}}"#,
        )
    }
}

#[tokio::test]
async fn bodiless_posts_send_content_length_zero() {
    let (base, heads) = raw_server(token_or_404).await;
    let c = client(&base);
    let _ = c.sessions().cancel("T12345678.s").await;
    let _ = c.transactions().void("T12345678.t").await;
    let heads = heads.lock().unwrap().clone();
    let posts: Vec<&String> = heads
        .iter()
        .filter(|h| h.starts_with("POST") && !h.contains("/auth/token"))
        .collect();
    assert_eq!(posts.len(), 2, "{heads:#?}");
    for head in posts {
        let lower = head.to_ascii_lowercase();
        assert!(lower.contains("\r\ncontent-length: 0\r\n"), "{head}");
        assert!(!lower.contains("transfer-encoding"), "{head}");
    }
}

#[tokio::test]
async fn a_400_mb_answer_is_refused_from_its_content_length() {
    // Announces 400 MB, then sends spaces for as long as the client reads.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let sent = Arc::new(AtomicU64::new(0));
    let counter = sent.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let counter = counter.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let n = socket.read(&mut buf).await.unwrap_or(0);
                let head = String::from_utf8_lossy(&buf[..n]).to_string();
                if head.contains("/auth/token") {
                    let _ = socket.write_all(token_or_404(&head).as_bytes()).await;
                    return;
                }
                let _ = socket
                    .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 419430400\r\n\r\n")
                    .await;
                while socket.write_all(&SPACES).await.is_ok() {
                    counter.fetch_add(SPACES.len() as u64, Ordering::Relaxed);
                    if counter.load(Ordering::Relaxed) >= 400 * MIB {
                        break;
                    }
                }
            });
        }
    });
    let (_, err, grew) = measured_get(&base).await;
    println!(
        "400 MB answer: {grew}; server pushed {} KiB",
        sent.load(Ordering::Relaxed) / 1024
    );
    assert_eq!(err.kind(), ErrorKind::Decode, "{err}");
    assert!(err.message().contains("16 MiB"), "{err}");
    assert!(sent.load(Ordering::Relaxed) < 64 * MIB);
}

#[tokio::test]
async fn a_50_mb_error_message_is_not_copied_into_the_error() {
    let sent = Arc::new(AtomicU64::new(0));
    let counter = sent.clone();
    let app = token_route()
        .route(
            "/v1/transactions/{id}",
            get(move || {
                let counter = counter.clone();
                async move {
                    // 800 chunks of 64 KiB: a 50 MiB message in Dintero's error envelope.
                    let body = streamed(
                        r#"{"error": {"code": "BAD", "message": ""#,
                        Some(800),
                        r#""}}"#,
                        counter,
                    );
                    (StatusCode::BAD_REQUEST, body).into_response()
                }
            }),
        )
        .route(
            "/v1/transactions/{id}/void",
            post(|| async {
                let message = "y".repeat(50_000);
                (
                    StatusCode::BAD_REQUEST,
                    Json(json!({"error": {"code": "BAD", "message": message}})),
                )
            }),
        );
    let (c, err, grew) = measured_get(&serve(app).await).await;
    println!(
        "50 MiB error message: {grew}; error message {} bytes; server pushed {} KiB",
        err.message().len(),
        sent.load(Ordering::Relaxed) / 1024
    );
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    assert_eq!(err.status(), Some(400));
    assert!(err.message().len() < 300, "{err}");
    assert!(err.message().contains("not read"), "{err}");
    assert!(
        sent.load(Ordering::Relaxed) < 32 * MIB,
        "the client kept reading"
    );

    // A long message in a readable error body is cut at 1 KiB, with a marker.
    let err = c.transactions().void("T12345678.x").await.unwrap_err();
    assert_eq!(err.status(), Some(400), "{err}");
    assert!(err.message().len() < 1200, "{} bytes", err.message().len());
    assert!(
        err.message().contains("[truncated, 50000 bytes in all]"),
        "{err}"
    );
}

#[tokio::test]
async fn an_http_proxy_is_really_used() {
    let (proxy, heads) = raw_server(token_or_404).await;
    // Nothing listens at the base URL: only the proxy can answer.
    let c = Client::builder()
        .account_id("T12345678")
        .client_id("id")
        .client_secret("secret")
        .base_url("http://127.0.0.1:9")
        .proxy(format!("{proxy}/"))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    c.authenticate().await.unwrap();
    let heads = heads.lock().unwrap().clone();
    assert_eq!(heads.len(), 1, "{heads:?}");
    assert!(
        heads[0].starts_with("POST http://127.0.0.1:9/v1/accounts/T12345678/auth/token "),
        "{}",
        heads[0]
    );
}
