//! Per-request overhead of the core against raw `reqwest` doing the same requests to the
//! emulator, at concurrency 1 and 64. Prints figures and ratios; asserts nothing about speed.
//!
//! The emulator runs on its own runtime (its own threads), so client and server do not share
//! a scheduler. Each round alternates core and raw runs to spread machine noise evenly.

use std::sync::Arc;
use std::time::{Duration, Instant};

use dintero_checkout::{Client, CreateSessionOptions};
use dintero_emulator::{Emulator, EmulatorConfig};

const ROUNDS: usize = 4;
const PER_ROUND: Duration = Duration::from_millis(1500);

fn main() {
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let emu = server_rt
        .block_on(Emulator::start(EmulatorConfig {
            log_requests: false,
            ..EmulatorConfig::for_tests()
        }))
        .unwrap();
    let base = emu.base_url();
    let cfg = emu.config().clone();

    let client_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    client_rt.block_on(async {
        let client = Client::builder()
            .account_id(cfg.account_id.clone())
            .client_id(cfg.client_id.clone())
            .client_secret(cfg.client_secret.clone())
            .base_url(base.clone())
            .build()
            .unwrap();
        let payload = serde_json::json!({
            "url": {"return_url": "https://shop.example/r"},
            "order": {"amount": 1000, "currency": "NOK", "merchant_reference": "bench",
                      "items": [{"line_id": "1", "amount": 1000, "quantity": 1}]},
            "profile_id": "default"
        });
        let session = client.sessions().create_json(payload, &CreateSessionOptions::default()).await.unwrap();
        let tx = emu.pay(&session.id, "4000 0000 0000 0002").await.unwrap().transaction_id.unwrap();

        // Raw reqwest: same token, same URL, same decode into serde_json::Value... and into the
        // same typed model, so the comparison is of the SDK's machinery, not of JSON decoding.
        // The same HTTP requests as the core sends: same headers, so the server does the same
        // work for both and the figures compare the client side only.
        let mut same_headers = reqwest::header::HeaderMap::new();
        same_headers.insert("accept", "application/json".parse().unwrap());
        same_headers.insert("dintero-system-plugin-name", dintero_checkout::config::SDK_NAME.parse().unwrap());
        same_headers.insert("dintero-system-plugin-version", dintero_checkout::config::SDK_VERSION.parse().unwrap());
        let raw = reqwest::Client::builder()
            .default_headers(same_headers)
            .user_agent(format!("{}/{}", dintero_checkout::config::SDK_NAME, dintero_checkout::config::SDK_VERSION))
            .build()
            .unwrap();
        let token: serde_json::Value = raw
            .post(format!("{base}/v1/accounts/{}/auth/token", cfg.account_id))
            .basic_auth(&cfg.client_id, Some(&cfg.client_secret))
            .json(&serde_json::json!({"grant_type": "client_credentials", "audience": format!("{base}/v1/accounts/{}", cfg.account_id)}))
            .send().await.unwrap().json().await.unwrap();
        let bearer = format!("Bearer {}", token["access_token"].as_str().unwrap());
        let url = Arc::new(format!("{base}/v1/transactions/{tx}"));
        let bearer = Arc::new(bearer);

        println!("core vs raw reqwest: GET /v1/transactions/{{id}} against the in-process emulator");
        println!("{:>11} {:>14} {:>14} {:>8}", "concurrency", "core req/s", "reqwest req/s", "ratio");
        for concurrency in [1usize, 64] {
            let mut core_total = 0.0;
            let mut raw_total = 0.0;
            for round in 0..ROUNDS {
                let core_job = {
                    let client = client.clone();
                    let tx = tx.clone();
                    move || {
                        let client = client.clone();
                        let tx = tx.clone();
                        async move {
                            client.transactions().get(&tx, &[]).await.unwrap();
                        }
                    }
                };
                let raw_job = {
                    let raw = raw.clone();
                    let url = url.clone();
                    let bearer = bearer.clone();
                    move || {
                        let raw = raw.clone();
                        let url = url.clone();
                        let bearer = bearer.clone();
                        async move {
                            let resp = raw
                                .get(url.as_str())
                                .header("authorization", bearer.as_str())
                                .send()
                                .await
                                .unwrap();
                            assert!(resp.status().is_success());
                            let bytes = resp.bytes().await.unwrap();
                            let _tx: dintero_checkout::Transaction = serde_json::from_slice(&bytes).unwrap();
                        }
                    }
                };
                // Alternate which side goes first, so drift in machine load hits both evenly.
                if round % 2 == 0 {
                    core_total += run(concurrency, core_job).await;
                    raw_total += run(concurrency, raw_job).await;
                } else {
                    raw_total += run(concurrency, raw_job).await;
                    core_total += run(concurrency, core_job).await;
                }
            }
            let core = core_total / ROUNDS as f64;
            let raw_rate = raw_total / ROUNDS as f64;
            // Overhead ratio: time per request of the core over time per request of raw reqwest.
            println!("{concurrency:>11} {core:>14.0} {raw_rate:>14.0} {:>7.3}x", raw_rate / core);
        }
        println!("ratio = core time per request / reqwest time per request (target <= 1.15x)");
    });
    drop(emu);
}

async fn run<F, Fut>(concurrency: usize, make: F) -> f64
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let deadline = Instant::now() + PER_ROUND;
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let make = make.clone();
        workers.push(tokio::spawn(async move {
            let mut n = 0u64;
            while Instant::now() < deadline {
                make().await;
                n += 1;
            }
            n
        }));
    }
    let mut total = 0;
    for w in workers {
        total += w.await.unwrap();
    }
    total as f64 / started.elapsed().as_secs_f64()
}
