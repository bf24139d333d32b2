"""The failures that matter in production: retries, timeouts, and exactly-once capture,
refund and void when the connection dies after Dintero applied the operation."""

from __future__ import annotations

import asyncio
import time
import urllib.request

import pytest

from conftest import FAST_RETRY, Backend, paid_transaction, session_payload
from dintero_checkout import AsyncClient, Client, DinteroError, RetryPolicy, ServerError
from dintero_checkout.testing import CARD_CAPTURE_TIMEOUT


def test_503_is_retried(client: Client, emu: Backend) -> None:
    tx_id = paid_transaction(client, emu)
    emu.inject_fault("get_transaction", "status_503", times=2)
    assert client.transactions.get(tx_id).id == tx_id
    assert emu.request_count("get_transaction") == 3


def test_503_on_capture_is_retried_once_applied_once(client: Client, emu: Backend) -> None:
    tx_id = paid_transaction(client, emu)
    emu.inject_fault("capture", "status_503")
    op = client.transactions.capture(tx_id, 33890)
    assert op.transaction.status == "CAPTURED"
    assert len([e for e in op.transaction.events if e.event == "CAPTURE"]) == 1


def test_429_honours_retry_after(client: Client, emu: Backend) -> None:
    tx_id = paid_transaction(client, emu)
    emu.inject_fault("get_transaction", "status_429", retry_after=1)
    assert client.transactions.get(tx_id).id == tx_id
    assert emu.request_count("get_transaction") == 2


def test_timeout_then_success(emu: Backend) -> None:
    client = emu.client(timeout=0.3, retry=FAST_RETRY)
    tx_id = paid_transaction(client, emu)
    emu.inject_fault("get_transaction", "delay", ms=2000)
    started = time.monotonic()
    assert client.transactions.get(tx_id).id == tx_id
    elapsed = time.monotonic() - started
    # The first attempt gave up after 0.3 s; the retry answered without waiting for the 2 s delay.
    assert 0.3 <= elapsed < 1.5


def test_capture_reset_after_apply_is_exactly_once(client: Client, emu: Backend) -> None:
    tx_id = paid_transaction(client, emu)
    emu.inject_fault("capture", "reset_after_apply")
    op = client.transactions.capture(tx_id, 10000, capture_reference="cap-once")
    assert op.reconciled, "the result was found by re-reading the transaction"
    assert op.state == "completed" and op.reference == "cap-once"
    captures = [e for e in client.transactions.get(tx_id).events if e.event == "CAPTURE"]
    assert [(c.amount, c.event_reference) for c in captures] == [(10000, "cap-once")]
    assert emu.request_count("capture") == 1, "never sent twice"


def test_refund_and_void_reset_after_apply(client: Client, emu: Backend) -> None:
    tx_id = paid_transaction(client, emu)
    client.transactions.capture(tx_id, 33890)
    emu.inject_fault("refund", "reset_after_apply")
    op = client.transactions.refund(tx_id, 5000)
    assert op.reconciled
    refunds = [e for e in client.transactions.get(tx_id).events if e.event == "REFUND"]
    assert len(refunds) == 1 and refunds[0].amount == 5000

    other = paid_transaction(client, emu)
    emu.inject_fault("void", "reset_after_apply")
    op = client.transactions.void(other)
    assert op.reconciled and op.transaction.status == "AUTHORIZATION_VOIDED"


def test_capture_malformed_json_is_reconciled(client: Client, emu: Backend) -> None:
    tx_id = paid_transaction(client, emu)
    emu.inject_fault("capture", "malformed_json")
    op = client.transactions.capture(tx_id, 33890)
    assert op.reconciled and op.transaction.status == "CAPTURED"
    assert emu.request_count("capture") == 1


def test_reset_before_apply_on_capture_retries(client: Client, emu: Backend) -> None:
    tx_id = paid_transaction(client, emu)
    emu.inject_fault("capture", "reset_before_apply")
    op = client.transactions.capture(tx_id, 33890)
    assert op.transaction.status == "CAPTURED"
    assert len([e for e in op.transaction.events if e.event == "CAPTURE"]) == 1


def test_async_capture_reset_after_apply(aclient: AsyncClient, client: Client, emu: Backend) -> None:
    tx_id = paid_transaction(client, emu)
    emu.inject_fault("capture", "reset_after_apply")

    async def run() -> None:
        op = await aclient.transactions.capture(tx_id, 33890)
        assert op.reconciled and op.transaction.status == "CAPTURED"

    asyncio.run(run())
    assert emu.request_count("capture") == 1


def test_no_retry_policy(emu: Backend) -> None:
    client = emu.client(retry=RetryPolicy.none())
    tx_id = paid_transaction(client, emu)
    emu.inject_fault("get_transaction", "status_503")
    try:
        client.transactions.get(tx_id)
        raise AssertionError("expected a ServerError")
    except Exception as e:
        assert type(e).__name__ == "ServerError"
    assert emu.request_count("get_transaction") == 1


def test_capture_timeout_card_fails_cleanly(client: Client, emu: Backend) -> None:
    # Dintero's capture-timeout card: the acquirer times out, Dintero records a failed CAPTURE
    # event and answers 503. The SDK finds that event by its reference and reports it.
    session = client.sessions.create(session_payload())
    paid = emu.pay(session.id, CARD_CAPTURE_TIMEOUT)
    assert paid.transaction_id is not None
    with pytest.raises(ServerError) as info:
        client.transactions.capture(paid.transaction_id, 33890, capture_reference="cap-timeout")
    assert "failed at Dintero" in info.value.message
    tx = client.transactions.get(paid.transaction_id)
    assert tx.status == "AUTHORIZED"
    failed = [e for e in tx.events if e.event == "CAPTURE"]
    assert [(e.success, e.event_reference) for e in failed] == [(False, "cap-timeout")]
    assert emu.request_count("capture") == 1, "a failed capture is not blindly repeated"


def _clear_faults(emu: Backend) -> None:
    req = urllib.request.Request(emu.base_url.rstrip("/") + "/_emulator/faults", method="DELETE")
    with urllib.request.urlopen(req, timeout=10) as resp:
        assert resp.status == 200


def test_outcome_unknown_capture_carries_its_reference_and_the_safe_retry_captures_once(emu: Backend) -> None:
    tiny = RetryPolicy(max_attempts=2, initial_backoff=0.01, max_backoff=0.02, max_retry_after=1.0)
    client = emu.client(timeout=1.0, retry=tiny)
    tx_id = paid_transaction(client, emu)
    # Applied, but the answer is lost; and the transaction cannot be re-read to find out. (The
    # read before the capture passes: faults fire in order, and a 0 ms delay changes nothing.)
    emu.inject_fault("capture", "reset_after_apply")
    emu.inject_fault("get_transaction", "delay", ms=0)
    emu.inject_fault("get_transaction", "status_503", times=20)
    with pytest.raises(DinteroError) as info:
        client.transactions.capture(tx_id, 10000, capture_reference="cap-lost")
    error = info.value
    assert error.outcome_unknown is True
    assert error.reference == "cap-lost"
    assert error.reference in str(error) and "outcome_unknown=True" in repr(error)
    _clear_faults(emu)

    # The safe retry: the same call with the error's reference finds the earlier capture.
    op = client.transactions.capture(tx_id, 10000, capture_reference=error.reference)
    assert op.reference == error.reference and op.reconciled
    captures = [e for e in client.transactions.get(tx_id).events if e.event == "CAPTURE"]
    assert [(c.amount, c.event_reference) for c in captures] == [(10000, error.reference)]
    assert emu.request_count("capture") == 1


def test_errors_without_a_write_have_no_reference(client: Client) -> None:
    with pytest.raises(DinteroError) as info:
        client.transactions.get("T12345678.does-not-exist")
    assert info.value.reference is None and info.value.outcome_unknown is False
