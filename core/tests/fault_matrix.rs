//! The fault matrix: every fault the emulator injects × capture, refund, void and session
//! cancel × once and on every attempt. Whatever the fault, a write takes effect at most once,
//! and the SDK's answer is honest: a success means it happened once, an error without
//! `outcome_unknown` means it did not happen, and after `outcome_unknown` the same call with
//! the error's reference finishes the job exactly once.

mod common;

use std::time::Duration;

use common::*;
use dintero_checkout::{
    CaptureRequest, Client, OperationState, RefundRequest, Transaction, TransactionEventKind,
};
use dintero_emulator::Emulator;
use serde_json::{json, Value};

const FAULTS: &[&str] = &[
    "status_500",
    "status_502",
    "status_503",
    "status_403",
    "status_429",
    "delay",
    "slow_apply",
    "reset_before_apply",
    "reset_after_apply",
    "malformed_json",
    "accepted_202",
    "failed_event",
    "gateway_timeout",
    "gateway_502",
];

/// Faults that only make sense on some routes.
fn applies(op: &str, fault: &str) -> bool {
    !(op == "cancel_session" && matches!(fault, "accepted_202" | "failed_event"))
}

fn spec(route: &str, fault: &str, times: u32) -> Value {
    let mut s = json!({"route": route, "fault": fault, "times": times});
    match fault {
        "delay" | "slow_apply" => s["ms"] = json!(60),
        // The gateway gives up after 100 ms; the write lands at 250 ms, inside the client's
        // reconcile window (200 ms after the 504): found, not resent.
        "gateway_timeout" => {
            s["ms"] = json!(250);
            s["gateway_ms"] = json!(100);
        }
        "status_429" => s["retry_after"] = json!(0),
        _ => {}
    }
    s
}

fn applied(tx: &Transaction, op: &str) -> usize {
    let kind = match op {
        "capture" => TransactionEventKind::Capture,
        "refund" => TransactionEventKind::Refund,
        _ => TransactionEventKind::Void,
    };
    count_events(tx, kind)
}

/// What one call did: Ok(accepted?) or the error's (outcome_unknown, reference).
type Outcome = Result<bool, (bool, Option<String>, String)>;

async fn call(
    client: &Client,
    op: &str,
    tx: &str,
    session: &str,
    reference: Option<&str>,
) -> Outcome {
    let ops = client.transactions();
    let done = match op {
        "capture" => ops
            .capture(
                tx,
                &CaptureRequest {
                    amount: 10000,
                    capture_reference: reference.map(str::to_string),
                    ..Default::default()
                },
            )
            .await
            .map(|o| o.state == OperationState::Accepted),
        "refund" => ops
            .refund(
                tx,
                &RefundRequest {
                    amount: 10000,
                    refund_reference: reference.map(str::to_string),
                    ..Default::default()
                },
            )
            .await
            .map(|o| o.state == OperationState::Accepted),
        "void" => ops
            .void(tx)
            .await
            .map(|o| o.state == OperationState::Accepted),
        _ => client.sessions().cancel(session).await.map(|_| false),
    };
    done.map_err(|e| {
        (
            e.outcome_unknown(),
            e.reference().map(str::to_string),
            e.to_string(),
        )
    })
}

/// Waits until the emulator has finished what it queued or is still applying.
async fn settled(client: &Client, tx: &str, op: &str, wait: bool) -> Transaction {
    let mut last = client.transactions().get(tx, &[]).await.unwrap();
    for _ in 0..if wait { 60 } else { 0 } {
        if applied(&last, op) > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        last = client.transactions().get(tx, &[]).await.unwrap();
    }
    last
}

async fn one(emu: &Emulator, op: &str, fault: &str, times: u32, reference: Option<&str>) {
    let setup = client_for(emu);
    let (session, tx) = paid_transaction(emu, &setup, "matrix").await;
    if op == "refund" {
        setup
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
    }
    let client = client_for(emu);
    let route = op;
    emu.inject_fault(fault_json(spec(route, fault, times)))
        .unwrap();
    let label = format!("{op} × {fault} × {times} (reference {reference:?})");
    let first = call(&client, op, &tx, &session, reference).await;
    reqwest::Client::new()
        .delete(format!("{}/_emulator/faults", emu.base_url()))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
    if op == "cancel_session" {
        let s = setup.sessions().get(&session).await.unwrap();
        match &first {
            Ok(_) => assert!(s.cancelled_at.is_some(), "{label}: reported cancelled"),
            Err((false, _, e)) => assert!(
                s.cancelled_at.is_none(),
                "{label}: {e}: reported not done, but it was"
            ),
            Err((true, _, _)) => {}
        }
        return;
    }
    // Queued (202) or still being applied: give the emulator time to finish.
    let wait = matches!(first, Ok(true)) || matches!(fault, "slow_apply" | "gateway_timeout");
    let after = settled(&setup, &tx, op, wait).await;
    let n = applied(&after, op);
    assert!(n <= 1, "{label}: applied {n} times: {:#?}", after.events);
    match &first {
        Ok(_) => assert_eq!(n, 1, "{label}: reported done: {:#?}", after.events),
        Err((false, _, e)) => assert_eq!(n, 0, "{label}: {e}: reported not done, but it was"),
        Err((true, r, e)) => {
            // The safe retry: the same call with the error's reference.
            assert_eq!(r.as_deref(), reference, "{label}: {e}");
            let again = call(&client, op, &tx, &session, r.as_deref()).await;
            assert!(again.is_ok(), "{label}: retry after {e}: {again:?}");
            let after = settled(&setup, &tx, op, true).await;
            assert_eq!(applied(&after, op), 1, "{label}: after the retry");
        }
    }
}

async fn matrix(op: &str) {
    let emu = emulator().await;
    for fault in FAULTS.iter().filter(|f| applies(op, f)) {
        for times in [1, 100] {
            let references: &[Option<&str>] = match op {
                "capture" | "refund" => &[None, Some("matrix-ref")],
                _ => &[None],
            };
            for reference in references {
                one(&emu, op, fault, times, *reference).await;
            }
        }
    }
}

#[tokio::test]
async fn capture_under_every_fault_once_and_on_every_attempt() {
    matrix("capture").await;
}

#[tokio::test]
async fn refund_under_every_fault_once_and_on_every_attempt() {
    matrix("refund").await;
}

#[tokio::test]
async fn void_under_every_fault_once_and_on_every_attempt() {
    matrix("void").await;
}

#[tokio::test]
async fn session_cancel_under_every_fault_once_and_on_every_attempt() {
    matrix("cancel_session").await;
}
