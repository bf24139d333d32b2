"""The fixtures a merchant's own test suite gets from the installed package."""

from __future__ import annotations

from conftest import session_payload
from dintero_checkout import AsyncClient, Client
from dintero_checkout.testing import Emulator


def test_fixtures_give_a_working_emulator(dintero_emulator: Emulator, dintero_client: Client) -> None:
    assert dintero_client.base_url == dintero_emulator.base_url
    session = dintero_client.sessions.create(session_payload("plugin-1"))
    paid = dintero_emulator.pay(session.id)
    assert paid.transaction_id is not None
    assert dintero_client.transactions.get(paid.transaction_id).status == "AUTHORIZED"


def test_each_test_starts_clean(dintero_emulator: Emulator, dintero_async_client: AsyncClient) -> None:
    assert dintero_emulator.request_count("create_session") == 0
    assert dintero_emulator.callbacks() == []
    assert isinstance(dintero_async_client, AsyncClient)
