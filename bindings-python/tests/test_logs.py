"""Logs in Python's ``logging`` and the ``on_request`` observer, against the emulator.

A whole flow with faults (a 503 then success, a capture cut after it was applied and then
reconciled, an expired token refused and fetched again) is captured from the
``dintero_checkout`` logger at debug and searched for every secret the emulator issued.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from conftest import FAST_RETRY, Backend, paid_transaction, session_payload
from dintero_checkout import RequestEvent

# Every access token the emulator issues is a JWT with this header: finding it anywhere means a
# token leaked, whichever token it was.
JWT_HEADER = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT","kid":"emulator"}').rstrip(b"=").decode()


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def text(self) -> str:
        fmt = logging.Formatter("%(levelname)s %(name)s %(message)s")
        return "\n".join(fmt.format(r) + " " + repr(r.__dict__) for r in self.records)


@pytest.fixture
def logs() -> Iterator[Records]:
    logger = logging.getLogger("dintero_checkout")
    handler = Records()
    logger.addHandler(handler)
    old = logger.level
    logger.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old)


def raw_token(emu: Backend) -> str:
    """A token fetched without the SDK, to learn what the emulator's tokens look like."""
    basic = base64.b64encode(f"{emu.client_id}:{emu.client_secret}".encode()).decode()
    body = json.dumps(
        {"grant_type": "client_credentials", "audience": f"{emu.base_url}/v1/accounts/{emu.account_id}"}
    ).encode()
    req = urllib.request.Request(f"{emu.base_url}/v1/accounts/{emu.account_id}/auth/token", data=body, method="POST")
    req.add_header("authorization", f"Basic {basic}")
    req.add_header("content-type", "application/json")
    with urllib.request.urlopen(req, timeout=10) as resp:
        return str(json.loads(resp.read())["access_token"])


def field(record: logging.LogRecord, name: str) -> Any:
    return record.__dict__.get(name)


def test_a_whole_flow_with_faults_is_logged_without_a_secret(emu: Backend, logs: Records) -> None:
    token = raw_token(emu)
    assert token.startswith(JWT_HEADER + ".")
    client = emu.client(retry=FAST_RETRY)
    tx = paid_transaction(client, emu, "order-py-logs")
    emu.inject_fault("get_transaction", "status_503")
    client.transactions.get(tx)
    emu.inject_fault("capture", "reset_after_apply")
    op = client.transactions.capture(tx, {"amount": 1000, "capture_reference": "cap-py-logs"})
    assert op.reconciled
    emu.advance_clock(14400 + 60)
    client.transactions.get(tx)

    records = [r for r in logs.records if r.name == "dintero_checkout"]
    text = logs.text()
    attempts = [r for r in records if r.levelno == logging.DEBUG and field(r, "dintero_event") == "request"]
    failed = [r for r in records if r.levelno == logging.DEBUG and field(r, "dintero_event") == "request failed"]
    gets = [
        r for r in attempts + failed if field(r, "path") == f"/v1/transactions/{tx}" and field(r, "method") == "GET"
    ]
    assert any(field(r, "status") == 503 and field(r, "attempt") == 1 for r in gets), text
    assert any(field(r, "status") == 200 and field(r, "attempt") == 2 for r in gets), text
    for r in attempts:
        assert isinstance(field(r, "duration_ms"), int), text
        request_id = field(r, "request_id")
        assert request_id, text
        message = r.getMessage()
        for name in ("method", "path", "status", "attempt", "duration_ms", "request_id"):
            assert f"{name}={field(r, name)}" in message, message
    infos = [r for r in records if r.levelno == logging.INFO]
    assert any("retrying" in r.getMessage() for r in infos), text
    assert any("fetching an access token" in r.getMessage() for r in infos), text
    assert any("refused (401)" in r.getMessage() for r in infos), text
    assert any("reconciled" in r.getMessage() and field(r, "reference") == "cap-py-logs" for r in infos), text
    assert client.token_requests >= 2

    assert emu.client_secret not in text
    assert emu.signature_secret is None or emu.signature_secret not in text
    assert token not in text and JWT_HEADER not in text, "an access token reached the logs"
    assert "bearer" not in text.lower()


def test_the_logger_level_is_respected(emu: Backend, logs: Records) -> None:
    client = emu.client(retry=FAST_RETRY)
    logging.getLogger("dintero_checkout").setLevel(logging.WARNING)
    tx = paid_transaction(client, emu, "order-py-quiet")
    client.transactions.get(tx)
    assert logs.records == []
    logging.getLogger("dintero_checkout").setLevel(logging.INFO)
    emu.inject_fault("get_transaction", "status_503")
    client.transactions.get(tx)
    assert logs.records and all(r.levelno >= logging.INFO for r in logs.records)


def test_the_async_client_logs_too(emu: Backend, logs: Records) -> None:
    async def flow() -> None:
        client = emu.async_client(retry=FAST_RETRY)
        created = await client.sessions.create(session_payload("order-py-async-logs"))
        await client.sessions.get(created.id)

    asyncio.run(flow())
    assert any(field(r, "method") == "POST" and field(r, "path") == "/v1/sessions-profile" for r in logs.records)


def test_an_observer_sees_start_and_end_of_every_attempt(emu: Backend) -> None:
    events: list[RequestEvent] = []
    client = emu.client(retry=FAST_RETRY, on_request=events.append)
    tx = paid_transaction(client, emu, "order-py-observed")
    events.clear()
    emu.inject_fault("get_transaction", "status_503")
    read = client.transactions.get(tx)
    assert [(e.phase, e.attempt, e.status) for e in events] == [
        ("start", 1, None),
        ("end", 1, 503),
        ("start", 2, None),
        ("end", 2, 200),
    ]
    assert all(isinstance(e, RequestEvent) for e in events)
    assert all(e.method == "GET" and e.path == f"/v1/transactions/{tx}" for e in events)
    assert events[1].error_kind == "server" and events[1].duration_ms is not None
    assert events[3].request_id and events[3].request_id == read.request_id


def test_a_raising_observer_never_breaks_the_request(emu: Backend, logs: Records) -> None:
    def broken(event: RequestEvent) -> None:
        raise RuntimeError("observer bug")

    client = emu.client(retry=FAST_RETRY, on_request=broken)
    created = client.sessions.create(session_payload("order-py-broken-observer"))
    assert created.id
    warnings = [r for r in logs.records if r.levelno == logging.WARNING]
    assert warnings and "on_request observer raised RuntimeError" in warnings[0].getMessage()


def test_every_value_from_an_answer_carries_its_request_id(emu: Backend) -> None:
    ends: list[RequestEvent] = []
    client = emu.client(retry=FAST_RETRY, on_request=lambda e: ends.append(e) if e.phase == "end" else None)

    def last() -> str:
        rid = ends[-1].request_id
        assert rid
        return rid

    created = client.sessions.create(session_payload("order-py-ids"))
    assert created.request_id == last()
    session = client.sessions.get(created.id)
    assert session.request_id == last()
    tx = emu.pay(created.id).transaction_id
    assert tx
    read = client.transactions.get(tx)
    assert read.request_id == last()
    page = next(client.transactions.list({"limit": 5}).pages())
    assert page and all(t.request_id == last() for t in page)
    op = client.transactions.capture(tx, {"amount": 33890})
    assert op.request_id == last() and op.transaction.request_id == last()
    refund = client.transactions.refund(tx, {"amount": 100})
    assert refund.request_id == last()
    # Each answer has its own id.
    assert len({created.request_id, session.request_id, read.request_id, op.request_id}) == 4
