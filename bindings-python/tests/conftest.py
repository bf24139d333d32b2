"""Shared fixtures: the emulator every test talks to, over real HTTP.

That is the package's own ``testing.Emulator``: the ``dintero-emulator`` program as a child
process (``scripts/python-test.sh`` installs the ``dintero-emulator`` distribution into the
venv), driven through its HTTP control API.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Optional

import pytest

from dintero_checkout import AsyncClient, Client, RetryPolicy
from dintero_checkout.testing import Emulator
from dintero_checkout.types import SessionCreateParams

FAST_RETRY = RetryPolicy(max_attempts=4, initial_backoff=0.01, max_backoff=0.05, max_retry_after=5.0)
TESTDATA = os.path.join(os.path.dirname(__file__), "..", "..", "testdata")

#: What the tests need from an emulator.
Backend = Emulator


@pytest.fixture(scope="session")
def backend() -> Iterator[Emulator]:
    with Emulator() as emu:
        yield emu


@pytest.fixture
def emu(backend: Backend) -> Backend:
    """The emulator, reset for this test."""
    backend.reset()
    return backend


@pytest.fixture
def client(emu: Backend) -> Client:
    return emu.client(retry=FAST_RETRY)


@pytest.fixture
def aclient(emu: Backend) -> AsyncClient:
    return emu.async_client(retry=FAST_RETRY)


_counter = iter(range(1, 1_000_000))


def session_payload(
    merchant_reference: Optional[str] = None,
    *,
    callback_url: str = "http://127.0.0.1:9/dintero/callback",
) -> SessionCreateParams:
    """The checkout of one chair (299.90) plus pick-up shipping (39.00): 338.90 NOK."""
    return {
        "url": {"return_url": "https://shop.example/return", "callback_url": callback_url},
        "order": {
            "amount": 33890,
            "currency": "NOK",
            "merchant_reference": merchant_reference or f"order-{next(_counter)}",
            "vat_amount": 6778,
            "items": [
                {
                    "line_id": "1",
                    "id": "chair",
                    "description": "Chair",
                    "quantity": 1,
                    "amount": 29990,
                    "vat": 25,
                    "vat_amount": 5998,
                }
            ],
            "shipping_option": {
                "id": "pickup",
                "line_id": "ship",
                "amount": 3900,
                "vat": 25,
                "vat_amount": 780,
                "title": "Pick-up",
                "operator": "",
            },
        },
        "profile_id": "default",
    }


def paid_transaction(client: Client, emu: Backend, merchant_reference: Optional[str] = None) -> str:
    """Creates a session, pays it with the approving card, returns the transaction id."""
    session = client.sessions.create(session_payload(merchant_reference))
    outcome = emu.pay(session.id)
    assert outcome.transaction_id is not None
    return outcome.transaction_id
