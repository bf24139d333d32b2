//! Throughput of `GET /v1/transactions/{id}` over loopback with keep-alive.
//!
//! `cargo bench -p dintero-emulator` (env: `BENCH_SECS` default 5, `BENCH_CONNS` default 4,
//! `BENCH_SERVER_THREADS` default 2).
//!
//! The client is deliberately lean (one blocking thread per connection writing a fixed
//! HTTP/1.1 request and reading a Content-Length response) so it does not eat the CPU the
//! server needs.

use dintero_emulator::{Emulator, EmulatorConfig};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn env_num(key: &str, default: u64) -> u64 {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Creates a token, a session and a paid transaction; returns (addr, token, transaction id).
async fn setup(emu: &Emulator) -> (String, String, String) {
    let base = emu.base_url();
    let c = emu.config().clone();
    let http = reqwest::Client::new();
    let tok: serde_json::Value = http
        .post(format!("{base}/v1/accounts/{}/auth/token", c.account_id))
        .basic_auth(&c.client_id, Some(&c.client_secret))
        .json(&serde_json::json!({
            "grant_type": "client_credentials",
            "audience": format!("https://api.dintero.com/v1/accounts/{}", c.account_id),
        }))
        .send()
        .await
        .expect("token request")
        .json()
        .await
        .expect("token json");
    let token = tok["access_token"]
        .as_str()
        .expect("access_token")
        .to_string();
    let session: serde_json::Value = http
        .post(format!("{base}/v1/sessions-profile"))
        .bearer_auth(&token)
        .json(&serde_json::json!({
            "url": {"return_url": "https://shop.example/return"},
            "order": {
                "amount": 43880, "currency": "NOK", "merchant_reference": "bench-1",
                "items": [
                    {"id": "chair-1", "line_id": "1", "description": "Stacking chair", "quantity": 1, "amount": 29990, "vat_amount": 5998, "vat": 25},
                    {"id": "cushion-2", "line_id": "2", "description": "Seat cushion", "quantity": 2, "amount": 9990, "vat_amount": 1998, "vat": 25}
                ],
                "shipping_option": {"id": "pickup", "line_id": "shipping-1", "amount": 3900, "title": "Pick-up point", "operator": ""}
            },
            "profile_id": "default"
        }))
        .send()
        .await
        .expect("session request")
        .json()
        .await
        .expect("session json");
    let sid = session["id"].as_str().expect("session id").to_string();
    let paid = emu.pay(&sid, "4000 0000 0000 0002").await.expect("pay");
    let addr = base.trim_start_matches("http://").to_string();
    (addr, token, paid.transaction_id.expect("transaction"))
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Reads one response (headers + Content-Length body) from `buf`/`sock`; returns the status.
fn read_response(sock: &mut TcpStream, buf: &mut Vec<u8>) -> std::io::Result<u16> {
    let mut chunk = [0u8; 16 * 1024];
    loop {
        if let Some(end) = find(buf, b"\r\n\r\n") {
            let head = std::str::from_utf8(&buf[..end]).unwrap_or("");
            let status: u16 = head.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
            let len: usize = head
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse().ok())
                        .flatten()
                })
                .unwrap_or(0);
            let total = end + 4 + len;
            while buf.len() < total {
                let n = sock.read(&mut chunk)?;
                if n == 0 {
                    return Err(std::io::ErrorKind::UnexpectedEof.into());
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            buf.drain(..total);
            return Ok(status);
        }
        let n = sock.read(&mut chunk)?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

fn main() {
    let secs = env_num("BENCH_SECS", 5);
    let conns = env_num("BENCH_CONNS", 4) as usize;
    let server_threads = env_num("BENCH_SERVER_THREADS", 2) as usize;

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(server_threads)
        .enable_all()
        .build()
        .expect("runtime");
    let cfg = EmulatorConfig {
        log_requests: false,
        ..EmulatorConfig::for_tests()
    };
    let emu = rt.block_on(Emulator::start(cfg)).expect("start emulator");
    let (addr, token, tid) = rt.block_on(setup(&emu));
    let request = format!(
        "GET /v1/transactions/{tid} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nAccept: application/json\r\n\r\n"
    )
    .into_bytes();
    let request = Arc::new(request);

    let stop = Arc::new(AtomicBool::new(false));
    let measuring = Arc::new(AtomicBool::new(false));
    let mut threads = Vec::new();
    for _ in 0..conns {
        let (addr, request, stop, measuring) = (
            addr.clone(),
            request.clone(),
            stop.clone(),
            measuring.clone(),
        );
        threads.push(std::thread::spawn(move || {
            let mut sock = TcpStream::connect(&addr).expect("connect");
            sock.set_nodelay(true).ok();
            let mut buf = Vec::with_capacity(32 * 1024);
            let mut lat: Vec<u32> = Vec::with_capacity(1 << 20);
            let mut errors = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let t0 = Instant::now();
                if sock.write_all(&request).is_err() {
                    errors += 1;
                    break;
                }
                match read_response(&mut sock, &mut buf) {
                    Ok(200) => {
                        if measuring.load(Ordering::Relaxed) {
                            lat.push(t0.elapsed().as_micros().min(u32::MAX as u128) as u32);
                        }
                    }
                    Ok(_) => errors += 1,
                    Err(_) => {
                        errors += 1;
                        break;
                    }
                }
            }
            (lat, errors)
        }));
    }
    std::thread::sleep(Duration::from_millis(500)); // warm-up
    measuring.store(true, Ordering::Relaxed);
    let t0 = Instant::now();
    std::thread::sleep(Duration::from_secs(secs));
    measuring.store(false, Ordering::Relaxed);
    let elapsed = t0.elapsed();
    stop.store(true, Ordering::Relaxed);
    let mut all: Vec<u32> = Vec::new();
    let mut errors = 0;
    for t in threads {
        let (lat, e) = t.join().expect("client thread");
        all.extend(lat);
        errors += e;
    }
    all.sort_unstable();
    let pct = |p: f64| -> u32 {
        if all.is_empty() {
            0
        } else {
            all[((all.len() as f64 - 1.0) * p).round() as usize]
        }
    };
    let rps = all.len() as f64 / elapsed.as_secs_f64();
    println!(
        "get_transaction: {} requests in {:.2}s over {conns} keep-alive connections, {server_threads} server threads",
        all.len(),
        elapsed.as_secs_f64()
    );
    println!("  throughput: {rps:.0} req/s");
    println!(
        "  latency: p50 {} us, p99 {} us, max {} us; errors {errors}",
        pct(0.50),
        pct(0.99),
        all.last().copied().unwrap_or(0)
    );
    drop(emu);
    rt.shutdown_timeout(Duration::from_secs(1));
}
