"""Helpers for the receiver tests: a real signed callback from the emulator, as a request."""

from __future__ import annotations

import time
from typing import NamedTuple
from urllib.parse import urlsplit

from conftest import Backend, session_payload
from dintero_checkout import CallbackVerifier, Client
from dintero_checkout.testing import sign_callback

#: Nothing listens there: the emulator's deliveries fail and stay recorded, headers included.
CLOSED_CALLBACK = "http://127.0.0.1:9/dintero/callback"


class Delivered(NamedTuple):
    """A callback the emulator really sent, as a receiver gets it."""

    url: str
    path: str  # path and query as received
    host: str  # the Host it was sent to
    headers: dict[str, str]  # what the emulator sent (Dintero-Signature, event-delivery, ...)
    transaction_id: str


def deliver(client: Client, emu: Backend, merchant_reference: str, callback_url: str = CLOSED_CALLBACK) -> Delivered:
    """Pays a session whose callback goes nowhere; returns the first recorded delivery."""
    session = client.sessions.create(session_payload(merchant_reference, callback_url=callback_url))
    paid = emu.pay(session.id)
    assert paid.transaction_id is not None
    [delivery] = emu.wait_for_callbacks(1, final=False)
    parts = urlsplit(delivery.url)
    headers = {k: v for k, v in delivery.headers.items() if k.lower() != "host"}
    return Delivered(delivery.url, f"{parts.path}?{parts.query}", parts.netloc, headers, paid.transaction_id)


def verifier_for(emu: Backend) -> CallbackVerifier:
    assert emu.signature_secret is not None
    return CallbackVerifier(emu.signature_secret, emu.account_id)


def forged(delivered: Delivered, account_id: str) -> dict[str, str]:
    """The same request signed with a guessed secret."""
    guess = sign_callback(delivered.url, secret="a-guess", account_id=account_id, timestamp=int(time.time()))
    return {**delivered.headers, **guess}
