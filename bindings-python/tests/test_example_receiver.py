"""The Flask receiver of examples/python, fed a callback the emulator really sent."""

from __future__ import annotations

import importlib.util
import os
import time
from types import ModuleType
from urllib.parse import urlsplit

import pytest

from conftest import Backend, session_payload
from dintero_checkout import CallbackVerifier, Client
from dintero_checkout.testing import CARD_DECLINE, sign_callback

EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "python")


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, os.path.join(EXAMPLES, f"{name}.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


receiver = _load("receiver_flask")


def test_receiver_verifies_confirms_and_fulfils(client: Client, emu: Backend) -> None:
    assert emu.signature_secret is not None
    app = receiver.create_app(client, CallbackVerifier(emu.signature_secret, emu.account_id))
    http = app.test_client()

    session = client.sessions.create(
        session_payload("order-flask", callback_url="https://shop.example/dintero/callback")
    )
    paid = emu.pay(session.id)
    [delivery] = emu.wait_for_callbacks(1, final=False)
    parts = urlsplit(delivery.url)
    base = f"{parts.scheme}://{parts.netloc}"

    response = http.get(f"{parts.path}?{parts.query}", base_url=base, headers=delivery.headers)
    assert (response.status_code, response.text) == (200, "ok")
    assert app.config["ORDERS"].paid == {"order-flask": paid.transaction_id}

    # the same callback again (Dintero delivers at least once): still fine, no double fulfilment
    again = http.get(f"{parts.path}?{parts.query}", base_url=base, headers=delivery.headers)
    assert again.status_code == 200 and len(app.config["ORDERS"].paid) == 1

    # tampered query, or no signature at all: refused with a 4xx so Dintero stops
    tampered = parts.query.replace("order-flask", "order-other")
    assert http.get(f"{parts.path}?{tampered}", base_url=base, headers=delivery.headers).status_code == 400
    assert http.get(f"{parts.path}?{parts.query}", base_url=base).status_code == 400

    # a late retry: Dintero's own signature, an hour old. Confirmed and answered 2xx, so
    # Dintero stops; a 4xx here would lose the callback for good.
    late = sign_callback(
        delivery.url, secret=emu.signature_secret, account_id=emu.account_id, timestamp=int(time.time()) - 3600
    )
    response = http.get(f"{parts.path}?{parts.query}", base_url=base, headers=late)
    assert (response.status_code, response.text) == (200, "ok")
    assert len(app.config["ORDERS"].paid) == 1
    # ...while a forged one of the same age is refused
    forged_late = sign_callback(
        delivery.url, secret="a-guess", account_id=emu.account_id, timestamp=int(time.time()) - 3600
    )
    assert http.get(f"{parts.path}?{parts.query}", base_url=base, headers=forged_late).status_code == 400

    # the customer's browser comes back
    ret = urlsplit(paid.redirect_url)
    page = http.get(f"{ret.path}?{ret.query}", base_url=f"{ret.scheme}://{ret.netloc}")
    assert "Thank you" in page.text


@pytest.mark.parametrize("outcome", ["cancel", "decline"])
def test_receiver_return_page_for_failures(client: Client, emu: Backend, outcome: str) -> None:
    app = receiver.create_app(client, CallbackVerifier("unused-secret", emu.account_id))
    session = client.sessions.create(session_payload())
    result = emu.cancel_payment(session.id) if outcome == "cancel" else emu.pay(session.id, CARD_DECLINE)
    ret = urlsplit(result.redirect_url)
    page = app.test_client().get(f"{ret.path}?{ret.query}", base_url=f"{ret.scheme}://{ret.netloc}")
    assert ("cancelled" if outcome == "cancel" else "did not go through") in page.text
