//! What the SDK logs (through `tracing`, which each binding forwards to its language's
//! logger): one debug line per request attempt with method, path, status, attempt, duration
//! and request id; retries, token fetches and reconciliation at info; never a secret. A whole
//! flow with faults is captured and searched for every secret the emulator issued.

mod common;

use std::fmt::Write as _;
use std::sync::{Arc, Mutex, OnceLock};

use common::*;
use dintero_checkout::{
    CaptureRequest, LogLevel, LogRecord, LogSink, LogValue, RefundRequest, RequestEvent,
    RequestPhase,
};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Metadata, Subscriber};

/// Every event, as `LEVEL target: field=value ...`.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<String>>>);

struct Line(String);

impl Visit for Line {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={:?}", field.name(), value);
    }
}

impl Subscriber for Capture {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.target().starts_with("dintero_checkout")
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &Event<'_>) {
        let m = event.metadata();
        let mut line = Line(format!("{} {}:", m.level(), m.target()));
        event.record(&mut line);
        self.0.lock().unwrap().push(line.0);
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        Some(Level::TRACE.into())
    }
}

fn capture() -> Capture {
    static CAPTURE: OnceLock<Capture> = OnceLock::new();
    CAPTURE
        .get_or_init(|| {
            let c = Capture::default();
            tracing::subscriber::set_global_default(c.clone()).expect("one subscriber");
            c
        })
        .clone()
}

#[tokio::test]
async fn a_whole_flow_with_faults_is_logged_without_a_secret() {
    let logs = capture();
    let emu = emulator().await;
    let client = client_for(&emu);
    let (_, tx) = paid_transaction(&emu, &client, "order-logs").await;
    emu.inject_fault(fault("capture", "status_503", 1)).unwrap();
    emu.inject_fault(fault("refund", "reset_after_apply", 1))
        .unwrap();
    client
        .transactions()
        .capture(
            &tx,
            &CaptureRequest {
                amount: 33890,
                capture_reference: Some("cap-logs".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    client
        .transactions()
        .refund(
            &tx,
            &RefundRequest {
                amount: 100,
                refund_reference: Some("ref-logs".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    // A read is retried by the transport itself: the retry is told at info.
    emu.inject_fault(fault("get_transaction", "status_503", 1))
        .unwrap();
    client.transactions().get(&tx, &[]).await.unwrap();
    let lines = logs.0.lock().unwrap().clone();
    let text = lines.join("\n");

    // One line per attempt, with what a merchant needs to trace a payment.
    let capture_attempts: Vec<&String> = lines
        .iter()
        .filter(|l| l.contains("method=\"POST\"") && l.contains("/capture"))
        .collect();
    assert!(capture_attempts.len() >= 2, "{text}");
    assert!(
        capture_attempts.iter().any(|l| l.contains("status=503")),
        "{text}"
    );
    assert!(
        capture_attempts
            .iter()
            .any(|l| l.contains("status=200") && l.contains("request_id=\"")),
        "{text}"
    );
    assert!(lines
        .iter()
        .all(|l| !l.contains("/request") || l.contains("duration_ms=")));
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("INFO") && l.contains("retrying")),
        "{text}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("INFO") && l.contains("fetching an access token")),
        "{text}"
    );
    // The refund's answer was cut after it was applied: the reconciliation is told.
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("INFO") && l.contains("ref-logs")),
        "{text}"
    );

    // No secret anywhere: client secret, every token issued, the signature secret, a card.
    let cfg = emu.config();
    let mut secrets = vec![cfg.client_secret.clone(), "4000000000000002".to_string()];
    secrets.extend(cfg.signature_secret.clone());
    secrets.extend(emu.issued_tokens());
    assert!(!emu.issued_tokens().is_empty());
    for secret in &secrets {
        assert!(!text.contains(secret.as_str()), "a secret reached the logs");
    }
    assert!(!text.to_ascii_lowercase().contains("bearer"), "{text}");
}

#[tokio::test]
async fn an_observer_sees_every_attempt_and_a_panicking_one_breaks_nothing() {
    use dintero_checkout::{RequestEvent, RequestPhase};
    let emu = emulator().await;
    let seen = Arc::new(Mutex::new(Vec::<RequestEvent>::new()));
    let sink = seen.clone();
    let client = client_builder(&emu)
        .observer(move |e: &RequestEvent| sink.lock().unwrap().push(e.clone()))
        .build()
        .unwrap();
    let (_, tx) = paid_transaction(&emu, &client, "order-observed").await;
    emu.inject_fault(fault("get_transaction", "status_503", 1))
        .unwrap();
    client.transactions().get(&tx, &[]).await.unwrap();
    let events = seen.lock().unwrap().clone();
    let starts = events
        .iter()
        .filter(|e| e.phase == RequestPhase::Start)
        .count();
    let ends: Vec<&RequestEvent> = events
        .iter()
        .filter(|e| e.phase == RequestPhase::End)
        .collect();
    assert_eq!(starts, ends.len(), "every start has its end");
    let gets: Vec<&&RequestEvent> = ends
        .iter()
        .filter(|e| e.method == "GET" && e.path == format!("/v1/transactions/{tx}"))
        .collect();
    let last_two: Vec<(Option<u16>, u32)> = gets[gets.len() - 2..]
        .iter()
        .map(|e| (e.status, e.attempt))
        .collect();
    assert_eq!(last_two, vec![(Some(503), 1), (Some(200), 2)]);
    assert!(gets
        .iter()
        .all(|e| e.request_id.is_some() && e.duration_ms.is_some()));
    assert_eq!(
        gets[gets.len() - 2].error_kind,
        Some(dintero_checkout::ErrorKind::Server)
    );
    let text = serde_json::to_string(&events).unwrap();
    for secret in emu
        .issued_tokens()
        .iter()
        .chain([&emu.config().client_secret])
    {
        assert!(
            !text.contains(secret.as_str()),
            "a secret reached an observer"
        );
    }

    // An observer that panics: the request goes on and succeeds.
    let client = client_builder(&emu)
        .observer(|_: &RequestEvent| panic!("observer bug"))
        .build()
        .unwrap();
    client.transactions().get(&tx, &[]).await.unwrap();
}

/// A sink that keeps every record at or above `min`, and counts how often it was asked.
#[derive(Clone)]
struct Records {
    min: LogLevel,
    kept: Arc<Mutex<Vec<LogRecord>>>,
    asked: Arc<std::sync::atomic::AtomicUsize>,
}

impl Records {
    fn at(min: LogLevel) -> Self {
        Records {
            min,
            kept: Arc::default(),
            asked: Arc::default(),
        }
    }
    fn all(&self) -> Vec<LogRecord> {
        self.kept.lock().unwrap().clone()
    }
}

impl LogSink for Records {
    fn enabled(&self, level: LogLevel) -> bool {
        self.asked
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        level >= self.min
    }
    fn log(&self, record: LogRecord) {
        assert!(
            record.level >= self.min,
            "a record below the level was built"
        );
        self.kept.lock().unwrap().push(record);
    }
}

fn field<'a>(r: &'a LogRecord, name: &str) -> Option<&'a LogValue> {
    r.fields.iter().find(|f| f.name == name).map(|f| &f.value)
}

fn int(r: &LogRecord, name: &str) -> Option<i64> {
    match field(r, name) {
        Some(LogValue::Int { value }) => Some(*value),
        _ => None,
    }
}

fn text<'a>(r: &'a LogRecord, name: &str) -> Option<&'a str> {
    match field(r, name) {
        Some(LogValue::Text { value }) => Some(value),
        _ => None,
    }
}

#[tokio::test]
async fn a_client_logger_gets_the_whole_flow_structured_and_without_a_secret() {
    let emu = emulator().await;
    let sink = Records::at(LogLevel::Debug);
    let client = client_builder(&emu).logger(sink.clone()).build().unwrap();
    let (_, tx) = paid_transaction(&emu, &client, "order-sink").await;
    // A 503 then success; a capture cut after it was applied (reconciled by re-reading);
    // an expired token (refused with 401, fetched again).
    emu.inject_fault(fault("get_transaction", "status_503", 1))
        .unwrap();
    client.transactions().get(&tx, &[]).await.unwrap();
    emu.inject_fault(fault("capture", "reset_after_apply", 1))
        .unwrap();
    let op = client
        .transactions()
        .capture(
            &tx,
            &CaptureRequest {
                amount: 1000,
                capture_reference: Some("cap-sink".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(op.reconciled);
    emu.advance_clock(emu.config().token_ttl.as_secs() as i64 + 60);
    client.transactions().get(&tx, &[]).await.unwrap();

    let records = sink.all();
    let text_all: String = records
        .iter()
        .map(|r| format!("{:?} {} {:?}\n", r.level, r.message, r.fields))
        .collect();
    let attempts: Vec<&LogRecord> = records
        .iter()
        .filter(|r| r.level == LogLevel::Debug && r.event.starts_with("request"))
        .collect();
    let get_path = format!("/v1/transactions/{tx}");
    let gets: Vec<&&LogRecord> = attempts
        .iter()
        .filter(|r| text(r, "path") == Some(get_path.as_str()) && text(r, "method") == Some("GET"))
        .collect();
    assert!(
        gets.iter()
            .any(|r| int(r, "status") == Some(503) && int(r, "attempt") == Some(1)),
        "{text_all}"
    );
    assert!(
        gets.iter()
            .any(|r| int(r, "status") == Some(200) && int(r, "attempt") == Some(2)),
        "{text_all}"
    );
    for r in &attempts {
        assert!(int(r, "duration_ms").is_some(), "{text_all}");
        if int(r, "status") == Some(200) {
            let id = text(r, "request_id").expect("a request id on every answer");
            assert!(
                r.message.contains(&format!("request_id={id}")),
                "{}",
                r.message
            );
        }
        assert!(r.message.starts_with("request"), "{}", r.message);
        assert!(r
            .message
            .contains(&format!("path={}", text(r, "path").unwrap())));
    }
    let info = |needle: &str| {
        records
            .iter()
            .any(|r| r.level == LogLevel::Info && r.message.contains(needle))
    };
    assert!(info("retrying"), "{text_all}");
    assert!(info("fetching an access token"), "{text_all}");
    assert!(info("refused (401)"), "{text_all}");
    assert!(
        records.iter().any(|r| r.level == LogLevel::Info
            && r.event.contains("reconciled")
            && text(r, "reference") == Some("cap-sink")),
        "{text_all}"
    );
    assert!(records
        .iter()
        .all(|r| r.target.starts_with("dintero_checkout")));

    let cfg = emu.config();
    let mut secrets = vec![cfg.client_secret.clone()];
    secrets.extend(cfg.signature_secret.clone());
    secrets.extend(emu.issued_tokens());
    assert!(emu.issued_tokens().len() >= 2, "the token was refreshed");
    for secret in &secrets {
        assert!(
            !text_all.contains(secret.as_str()),
            "a secret reached the sink"
        );
    }
    assert!(!text_all.to_ascii_lowercase().contains("bearer"));
}

#[tokio::test]
async fn a_sink_that_is_off_is_asked_and_given_nothing() {
    let emu = emulator().await;
    let sink = Records::at(LogLevel::Warn);
    let client = client_builder(&emu).logger(sink.clone()).build().unwrap();
    let (_, tx) = paid_transaction(&emu, &client, "order-quiet").await;
    client.transactions().get(&tx, &[]).await.unwrap();
    assert!(sink.all().is_empty());
    assert!(sink.asked.load(std::sync::atomic::Ordering::Relaxed) > 0);
}

#[tokio::test]
async fn a_failing_observer_is_logged_at_warn() {
    let emu = emulator().await;
    let sink = Records::at(LogLevel::Warn);
    let client = client_builder(&emu)
        .logger(sink.clone())
        .observer(|_: &RequestEvent| panic!("observer bug"))
        .build()
        .unwrap();
    client.authenticate().await.unwrap();
    let warned = sink.all();
    assert!(warned
        .iter()
        .any(|r| r.level == LogLevel::Warn && r.message.contains("observer")));
}

#[tokio::test]
async fn every_value_read_from_dintero_carries_the_request_id_of_its_answer() {
    let emu = emulator().await;
    let ends = Arc::new(Mutex::new(Vec::<RequestEvent>::new()));
    let seen = ends.clone();
    let client = client_builder(&emu)
        .observer(move |e: &RequestEvent| {
            if e.phase == RequestPhase::End {
                seen.lock().unwrap().push(e.clone())
            }
        })
        .build()
        .unwrap();
    let last_id = || {
        ends.lock()
            .unwrap()
            .last()
            .and_then(|e| e.request_id.clone())
            .expect("the emulator sends a request id")
    };
    let created = client
        .sessions()
        .create_json(
            session_payload("order-ids", None),
            &dintero_checkout::CreateSessionOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(created.request_id, Some(last_id()));
    let session = client.sessions().get(&created.id).await.unwrap();
    assert_eq!(session.request_id, Some(last_id()));
    let tx = emu
        .pay(&created.id, APPROVE)
        .await
        .unwrap()
        .transaction_id
        .unwrap();
    let read = client.transactions().get(&tx, &[]).await.unwrap();
    assert_eq!(read.request_id, Some(last_id()));
    let page = client
        .transactions()
        .list_page(&dintero_checkout::ListTransactions::default())
        .await
        .unwrap();
    let page_id = last_id();
    assert!(!page.is_empty());
    assert!(page
        .iter()
        .all(|t| t.request_id.as_deref() == Some(page_id.as_str())));
    let op = client
        .transactions()
        .capture(
            &tx,
            &CaptureRequest {
                amount: 33890,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(op.request_id, Some(last_id()));
    assert_eq!(op.transaction.request_id, Some(last_id()));
    // Never sent back: a body's own `request_id` is not the answer's, and a value that did
    // not come from an answer has none.
    let decoded: dintero_checkout::Transaction =
        serde_json::from_str(r#"{"id":"T1","amount":1,"request_id":"from-body"}"#).unwrap();
    assert_eq!(decoded.request_id, None);
    assert!(!serde_json::to_string(&decoded)
        .unwrap()
        .contains("request_id"));
}
