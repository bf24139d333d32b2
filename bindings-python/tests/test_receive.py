"""``client.callbacks.receive`` (blocking and asyncio): the binding converts and delegates to the
core's ``Callbacks::receive``; the decisions themselves are tested in core/tests/receive.rs."""

from __future__ import annotations

import asyncio
import time
from urllib.parse import urlsplit

import pytest

from conftest import Backend, session_payload
from dintero_checkout import (
    AsyncClient,
    CallbackReceipt,
    CallbackVerifier,
    Client,
    InvalidInputError,
)
from dintero_checkout.testing import CallbackDelivery


def _delivery(client: Client, emu: Backend, reference: str) -> CallbackDelivery:
    session = client.sessions.create(session_payload(reference))
    emu.pay(session.id)
    [delivery] = emu.wait_for_callbacks(1, final=False)
    return delivery


def _request(delivery: CallbackDelivery) -> tuple[str, dict[str, str]]:
    parts = urlsplit(delivery.url)
    return f"{parts.path}?{parts.query}", {**delivery.headers, "Host": parts.netloc}


def _verifier(emu: Backend) -> CallbackVerifier:
    assert emu.signature_secret is not None
    return CallbackVerifier(emu.signature_secret, emu.account_id)


def test_receive_confirms_a_real_callback_and_refuses_a_forged_one(client: Client, emu: Backend) -> None:
    path, headers = _request(_delivery(client, emu, "order-receive"))
    verifier = _verifier(emu)

    receipt = client.callbacks.receive(verifier, "GET", path, headers)
    assert isinstance(receipt, CallbackReceipt)
    assert (receipt.status, receipt.outcome, receipt.reason, receipt.late) == (200, "confirmed", "confirmed", False)
    assert receipt.transaction is not None and receipt.transaction.is_paid()
    assert receipt.callback is not None and receipt.callback.merchant_reference == "order-receive"
    assert receipt.error is None

    # headers as pairs work the same; a tampered query is refused, with no transaction to act on
    tampered = client.callbacks.receive(verifier, "GET", path.replace("order-receive", "x"), list(headers.items()))
    assert (tampered.status, tampered.outcome) == (403, "refused")
    assert tampered.transaction is None and tampered.callback is None
    assert tampered.error is not None and tampered.error.code == "signature_mismatch"
    assert tampered.error.kind == "signature"

    # late (an hour on): confirmed, flagged
    late = client.callbacks.receive(verifier, "GET", path, headers, now=int(time.time()) + 3600)
    assert (late.status, late.outcome, late.late) == (200, "confirmed", True)

    # behind a proxy: only with trust_proxy
    proxied = {**headers, "Host": "internal:8000", "X-Forwarded-Host": headers["Host"]}
    assert client.callbacks.receive(verifier, "GET", path, proxied).status == 403
    assert client.callbacks.receive(verifier, "GET", path, proxied, trust_proxy=True).status == 200
    public = f"http://{headers['Host']}"
    assert client.callbacks.receive(verifier, "GET", path, proxied, public_url=public).status == 200

    # nothing secret in what a merchant would log
    assert verifier.account_id and emu.signature_secret is not None
    assert emu.signature_secret not in repr(receipt) + repr(tampered) + repr(receipt.to_dict())


def test_receive_async_and_transient_failure(aclient: AsyncClient, client: Client, emu: Backend) -> None:
    path, headers = _request(_delivery(client, emu, "order-async"))
    verifier = _verifier(emu)

    async def run() -> tuple[CallbackReceipt, CallbackReceipt]:
        ok = await aclient.callbacks.receive(verifier, "GET", path, headers)
        emu.inject_fault("get_transaction", "status_503", times=10)
        down = await aclient.callbacks.receive(verifier, "GET", path, headers)
        return ok, down

    ok, down = asyncio.run(run())
    assert (ok.status, ok.outcome) == (200, "confirmed")
    assert (down.status, down.outcome) == (503, "retry_later")
    assert down.transaction is None
    assert down.error is not None and down.error.kind == "server"


def test_receive_refuses_arguments_it_cannot_read(client: Client, emu: Backend) -> None:
    verifier = _verifier(emu)
    with pytest.raises(InvalidInputError, match="headers"):
        client.callbacks.receive(verifier, "GET", "/cb", 42)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="path_and_query"):
        client.callbacks.receive(verifier, "GET", None, {})  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        client.callbacks.receive("not a verifier", "GET", "/cb", {})  # type: ignore[arg-type]
