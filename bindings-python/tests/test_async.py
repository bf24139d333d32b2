"""The bridge between Python and the core's futures: 200 awaited calls at once, 16 threads on
one blocking client, the GIL released while waiting, cancellation, several event loops, a
pending call run once only, and a panic in the core arriving as an error on either path."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Optional

import pytest

import dintero_checkout as dc
from conftest import Backend, paid_transaction, session_payload
from dintero_checkout import AsyncClient, Client, NotFoundError, Transaction, _native


def test_200_concurrent_async_calls(aclient: AsyncClient, client: Client, emu: Backend) -> None:
    tx_ids = [paid_transaction(client, emu) for _ in range(4)]

    async def run() -> list[Transaction]:
        return await asyncio.gather(*(aclient.transactions.get(tx_ids[i % 4]) for i in range(200)))

    results = asyncio.run(run())
    assert len(results) == 200
    assert [t.id for t in results] == [tx_ids[i % 4] for i in range(200)]
    assert all(t.status == "AUTHORIZED" for t in results)
    assert aclient.token_requests == 1, "one token for 200 concurrent calls"


def test_async_errors_are_raised_in_the_awaiting_task(aclient: AsyncClient) -> None:
    async def run() -> list[object]:
        return await asyncio.gather(
            *(aclient.transactions.get(f"T12345678.missing{i}") for i in range(20)), return_exceptions=True
        )

    results = asyncio.run(run())
    assert all(isinstance(r, NotFoundError) and r.status == 404 for r in results)


def test_sync_client_from_16_threads(client: Client, emu: Backend) -> None:
    tx_ids = [paid_transaction(client, emu) for _ in range(4)]

    def work(n: int) -> list[str]:
        out = []
        for j in range(10):
            tx_id = tx_ids[(n + j) % 4]
            assert client.transactions.get(tx_id).id == tx_id
            out.append(tx_id)
        session = client.sessions.create(session_payload(f"thread-{n}"))
        assert client.sessions.get(session.id).id == session.id
        return out

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(work, range(16)))
    assert sum(len(r) for r in results) == 160
    assert client.token_requests == 1


def test_sync_calls_release_the_gil(emu: Backend) -> None:
    client = emu.client()
    client.authenticate()
    emu.inject_fault("get_session", "delay", ms=400)
    ticks = 0
    stop = threading.Event()

    def spin() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1

    spinner = threading.Thread(target=spin)
    spinner.start()
    started = time.monotonic()
    try:
        with pytest.raises(NotFoundError):
            client.sessions.get("T12345678.slow")
    finally:
        stop.set()
        spinner.join()
    assert time.monotonic() - started >= 0.4
    # With the GIL held for 400 ms the spinner could not run at all.
    assert ticks > 10_000


def test_cancelling_an_await_leaves_the_client_usable(aclient: AsyncClient, client: Client, emu: Backend) -> None:
    tx_id = paid_transaction(client, emu)

    async def run() -> None:
        await aclient.authenticate()
        emu.inject_fault("get_transaction", "delay", ms=2000)
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(aclient.transactions.get(tx_id), 0.1)
        tx = await aclient.transactions.get(tx_id)
        assert tx.id == tx_id

    started = time.monotonic()
    asyncio.run(run())
    assert time.monotonic() - started < 1.5


def test_several_loops_one_after_another_and_in_threads(aclient: AsyncClient, client: Client, emu: Backend) -> None:
    tx_id = paid_transaction(client, emu)

    async def one() -> Optional[str]:
        return (await aclient.transactions.get(tx_id)).status

    for _ in range(3):
        assert asyncio.run(one()) == "AUTHORIZED"

    results: list[Optional[str]] = []

    def in_thread() -> None:
        results.append(asyncio.run(one()))

    threads = [threading.Thread(target=in_thread) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == ["AUTHORIZED"] * 4


def test_async_list(aclient: AsyncClient, client: Client, emu: Backend) -> None:
    ids = {paid_transaction(client, emu, "order-alist") for _ in range(3)}

    async def run() -> tuple[set[str], list[int]]:
        listed = aclient.transactions.list({"merchant_reference": "order-alist", "limit": 2})
        seen = {tx.id async for tx in listed}
        sizes = [len(p) async for p in listed.pages()]
        return seen, sizes

    seen, sizes = asyncio.run(run())
    assert seen == ids and sizes == [2, 1]


def test_async_client_needs_a_running_loop(aclient: AsyncClient) -> None:
    coro = aclient.transactions.get("T12345678.x")
    with pytest.raises(RuntimeError):
        coro.send(None)
    coro.close()


def test_a_panic_in_the_core_is_an_error_on_both_paths() -> None:
    with pytest.raises(dc.ServerError, match="panicked"):
        _native._panicking_call().wait()

    async def run() -> None:
        with pytest.raises(dc.ServerError, match="panicked"):
            await _native._panicking_call()

    asyncio.run(run())


def test_a_pending_call_runs_once(client: Client) -> None:
    pending = object.__getattribute__(client, "_native").authenticate()
    assert pending.wait()["token_requests"] == 1
    with pytest.raises(dc.InvalidInputError, match="already"):
        pending.wait()
