"""pytest fixtures, registered automatically when the package is installed (``pytest11``
entry point):

* ``dintero_emulator``: an emulator (``testing.Emulator``, the ``dintero-emulator`` program of
  the ``testing`` extra), started once per test session and reset before each test that
  uses it.
* ``dintero_client`` / ``dintero_async_client``: clients pointed at it.

::

    def test_checkout(dintero_emulator, dintero_client):
        session = dintero_client.sessions.create({...})
        paid = dintero_emulator.pay(session.id)
        assert dintero_client.transactions.get(paid.transaction_id).status == "AUTHORIZED"
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from ._client import AsyncClient, Client
    from .testing import Emulator


@pytest.fixture(scope="session")
def dintero_emulator_session() -> Iterator[Emulator]:
    """One emulator for the whole test session (not reset between tests)."""
    from .testing import Emulator

    with Emulator() as emu:
        yield emu


@pytest.fixture
def dintero_emulator(dintero_emulator_session: Emulator) -> Emulator:
    """The session's emulator, reset to a clean state for this test."""
    dintero_emulator_session.reset()
    return dintero_emulator_session


@pytest.fixture
def dintero_client(dintero_emulator: Emulator) -> Client:
    """A ``Client`` for ``dintero_emulator``."""
    return dintero_emulator.client()


@pytest.fixture
def dintero_async_client(dintero_emulator: Emulator) -> AsyncClient:
    """An ``AsyncClient`` for ``dintero_emulator``."""
    return dintero_emulator.async_client()
