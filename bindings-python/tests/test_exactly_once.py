"""Exactly once through Python, tried the way merchants' code fails: a retry after
``asyncio.wait_for`` gave up, a double click, the same reference after a 202, and the natural
retry after "outcome unknown". The rules live in the core; these tests check that they hold
across the binding (task detachment, the GIL, asyncio cancellation)."""

from __future__ import annotations

import asyncio
import threading

import pytest

from conftest import Backend, paid_transaction
from dintero_checkout import AsyncClient, Client, DinteroError, RetryPolicy


def _captured(client: Client, tx_id: str) -> int:
    return sum(e.amount or 0 for e in client.transactions.get(tx_id).events if e.event == "CAPTURE" and e.success)


def test_retry_after_wait_for_gave_up_joins_the_running_capture(
    client: Client, aclient: AsyncClient, emu: Backend
) -> None:
    tx_id = paid_transaction(client, emu)
    emu.inject_fault("capture", "delay", ms=1500)

    async def run() -> None:
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(aclient.transactions.capture(tx_id, 5000, capture_reference="r-wait"), 0.3)
        op = await aclient.transactions.capture(tx_id, 5000, capture_reference="r-wait")
        assert op.state == "completed" and op.reference == "r-wait"

    asyncio.run(run())
    assert _captured(client, tx_id) == 5000
    assert emu.request_count("capture") == 1


def test_a_double_click_from_two_threads_captures_once(client: Client, emu: Backend) -> None:
    tx_id = paid_transaction(client, emu)
    emu.inject_fault("capture", "delay", ms=400)
    results: list[object] = []

    def click() -> None:
        results.append(client.transactions.capture(tx_id, 7000))

    threads = [threading.Thread(target=click) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 2
    assert _captured(client, tx_id) == 7000
    assert emu.request_count("capture") == 1


def test_the_same_reference_after_a_202_is_not_sent_again(client: Client, emu: Backend) -> None:
    tx_id = paid_transaction(client, emu)
    emu.inject_fault("capture", "accepted_202")
    first = client.transactions.capture(tx_id, 5000, capture_reference="r-202")
    assert first.state == "accepted" and first.event_request_id
    again = client.transactions.capture(tx_id, 5000, capture_reference="r-202")
    if again.state == "accepted":
        assert again.event_request_id == first.event_request_id
    assert emu.request_count("capture") == 1
    client.transactions.wait_for_event(tx_id, first.event_request_id, timeout=10)
    assert _captured(client, tx_id) == 5000


@pytest.mark.parametrize("reference", ["r-unknown", None])
def test_outcome_unknown_names_the_reference_and_the_plain_retry_captures_once(
    emu: Backend, reference: str | None
) -> None:
    # A long first backoff, so the test can break the re-reads once the capture was sent.
    client = emu.client(retry=RetryPolicy(max_attempts=4, initial_backoff=0.4, max_backoff=0.5, max_retry_after=5.0))
    tx_id = paid_transaction(client, emu)
    emu.inject_fault("capture", "reset_after_apply")
    errors: list[DinteroError] = []

    def call() -> None:
        try:
            client.transactions.capture(tx_id, 5000, capture_reference=reference)
        except DinteroError as e:
            errors.append(e)

    t = threading.Thread(target=call)
    t.start()
    while emu.request_count("capture") == 0:
        threading.Event().wait(0.005)
    emu.inject_fault("get_transaction", "status_503", times=4)
    t.join()
    assert len(errors) == 1
    err = errors[0]
    assert err.outcome_unknown is True
    assert err.reference == reference
    op = client.transactions.capture(tx_id, 5000, capture_reference=err.reference)
    assert op.reconciled
    assert _captured(client, tx_id) == 5000
    assert emu.request_count("capture") == 1


def test_a_gateway_504_while_dintero_still_applies_captures_once(client: Client, emu: Backend) -> None:
    # A load balancer answers 504 (HTML, not Dintero's error body) after 0.3 s; the capture
    # lands at 1 s. The SDK keeps re-reading instead of sending it again.
    tx_id = paid_transaction(client, emu)
    emu.inject_fault("capture", "gateway_timeout", ms=1000)
    op = client.transactions.capture(tx_id, 5000, capture_reference="r-gateway")
    assert op.reconciled and op.state == "completed"
    assert _captured(client, tx_id) == 5000
    assert emu.request_count("capture") == 1
