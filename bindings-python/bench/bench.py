"""Throughput of dintero_checkout against the same raw requests made with httpx.

Runs against a standalone emulator process (its own runtime and CPU time, not ours):

    python bench/bench.py --base-url http://127.0.0.1:PORT [--seconds 3]

Prints requests per second for `transactions.get` and for the whole
`create session -> pay -> get -> capture` flow, for `Client` on threads vs `httpx.Client` on
the same threads, and `AsyncClient` at concurrency 64 vs `httpx.AsyncClient` at 64; then the
ratios and the time of `import dintero_checkout` in a fresh interpreter (median of 7).
The pay step (the emulator's control API, standing in for the customer) is made the same
cheap way in every variant: stdlib http.client per thread, asyncio streams per task.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import http.client
import json
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

import httpx

import dintero_checkout as dc

ACCOUNT, CLIENT_ID, SECRET = "T12345678", "emulator-client-id", "emulator-client-secret"
CARD = "4000 0000 0000 0002"
THREADS = 16
CONCURRENCY = 64


def session_body(n: int) -> dict[str, Any]:
    return {
        "url": {"return_url": "https://shop.example/return"},
        "order": {
            "amount": 29990,
            "currency": "NOK",
            "merchant_reference": f"bench-{n}",
            "items": [
                {"line_id": "1", "description": "Chair", "quantity": 1, "amount": 29990, "vat": 25, "vat_amount": 5998}
            ],
        },
        "profile_id": "default",
    }


# --------------------------------------------------------------------------- harness


def run_threads(seconds: float, threads: int, op: Callable[[int, int], None]) -> float:
    """Calls op(worker, n) from `threads` threads for `seconds`; returns calls per second."""
    stop = time.perf_counter() + seconds
    counts = [0] * threads
    errors: list[BaseException] = []

    def worker(i: int) -> None:
        n = 0
        try:
            while time.perf_counter() < stop:
                op(i, i * 1_000_000 + n)
                n += 1
        except BaseException as e:
            errors.append(e)
        counts[i] = n

    started = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    if errors:
        raise errors[0]
    return sum(counts) / (time.perf_counter() - started)


async def run_tasks(seconds: float, concurrency: int, op: Callable[[int, int], Awaitable[None]]) -> float:
    stop = time.perf_counter() + seconds
    counts = [0] * concurrency

    async def worker(i: int) -> None:
        n = 0
        while time.perf_counter() < stop:
            await op(i, i * 1_000_000 + n)
            n += 1
        counts[i] = n

    started = time.perf_counter()
    await asyncio.gather(*(worker(i) for i in range(concurrency)))
    return sum(counts) / (time.perf_counter() - started)


# --------------------------------------------------------------------------- the customer pays


class SyncPayer:
    """One keep-alive http.client connection per thread to the control API."""

    def __init__(self, base: str) -> None:
        self.netloc = urlsplit(base).netloc
        self.conns: dict[int, http.client.HTTPConnection] = {}

    def pay(self, worker: int, session_id: str) -> str:
        conn = self.conns.get(worker)
        if conn is None:
            conn = self.conns[worker] = http.client.HTTPConnection(self.netloc, timeout=30)
        body = json.dumps({"card_number": CARD})
        conn.request("POST", f"/_emulator/sessions/{session_id}/pay", body, {"content-type": "application/json"})
        resp = conn.getresponse()
        data = resp.read()
        if resp.status != 200:
            raise RuntimeError(f"pay: {resp.status} {data!r}")
        return str(json.loads(data)["transaction_id"])


class AsyncPayer:
    """One keep-alive asyncio stream per task to the control API (minimal HTTP/1.1)."""

    def __init__(self, base: str) -> None:
        parts = urlsplit(base)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.conns: dict[int, tuple[asyncio.StreamReader, asyncio.StreamWriter]] = {}

    async def pay(self, worker: int, session_id: str) -> str:
        if worker not in self.conns:
            self.conns[worker] = await asyncio.open_connection(self.host, self.port)
        reader, writer = self.conns[worker]
        body = json.dumps({"card_number": CARD}).encode()
        head = (
            f"POST /_emulator/sessions/{session_id}/pay HTTP/1.1\r\nhost: {self.host}\r\n"
            f"content-type: application/json\r\ncontent-length: {len(body)}\r\n\r\n"
        )
        writer.write(head.encode() + body)
        status_line = await reader.readline()
        length = 0
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode().partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
        data = await reader.readexactly(length)
        if b" 200 " not in status_line:
            raise RuntimeError(f"pay: {status_line!r} {data!r}")
        return str(json.loads(data)["transaction_id"])

    def close(self) -> None:
        for _, writer in self.conns.values():
            writer.close()


# --------------------------------------------------------------------------- raw httpx


def token_sync(http: httpx.Client, base: str) -> str:
    basic = base64.b64encode(f"{CLIENT_ID}:{SECRET}".encode()).decode()
    r = http.post(
        f"{base}/v1/accounts/{ACCOUNT}/auth/token",
        json={"grant_type": "client_credentials", "audience": f"{base}/v1/accounts/{ACCOUNT}"},
        headers={"authorization": f"Basic {basic}"},
    )
    r.raise_for_status()
    return str(r.json()["access_token"])


async def token_async(http: httpx.AsyncClient, base: str) -> str:
    basic = base64.b64encode(f"{CLIENT_ID}:{SECRET}".encode()).decode()
    r = await http.post(
        f"{base}/v1/accounts/{ACCOUNT}/auth/token",
        json={"grant_type": "client_credentials", "audience": f"{base}/v1/accounts/{ACCOUNT}"},
        headers={"authorization": f"Basic {basic}"},
    )
    r.raise_for_status()
    return str(r.json()["access_token"])


# --------------------------------------------------------------------------- the runs


def bench_sync(base: str, seconds: float, tx_id: str) -> dict[str, float]:
    out: dict[str, float] = {}
    payer = SyncPayer(base)

    # dintero_checkout.Client
    client = dc.Client(ACCOUNT, CLIENT_ID, SECRET, base_url=base)
    client.transactions.get(tx_id)

    def dc_get(w: int, n: int) -> None:
        client.transactions.get(tx_id)

    def dc_flow(w: int, n: int) -> None:
        session = client.sessions.create(session_body(n))  # type: ignore[arg-type]
        t = payer.pay(w, session.id)
        client.transactions.get(t)
        client.transactions.capture(t, {"amount": 29990})

    run_threads(0.5, THREADS, dc_get)
    out["sdk get"] = run_threads(seconds, THREADS, dc_get)
    out["sdk flow"] = run_threads(seconds, THREADS, dc_flow)

    # httpx.Client, the same requests
    http = httpx.Client()
    auth = {"authorization": f"Bearer {token_sync(http, base)}"}

    def hx_get(w: int, n: int) -> None:
        r = http.get(f"{base}/v1/transactions/{tx_id}", headers=auth)
        r.raise_for_status()
        r.json()

    def hx_flow(w: int, n: int) -> None:
        r = http.post(
            f"{base}/v1/sessions-profile",
            json=session_body(n),
            headers={**auth, "dintero-feature-toggles": "strict-session-amounts"},
        )
        r.raise_for_status()
        t = payer.pay(w, r.json()["id"])
        r = http.get(f"{base}/v1/transactions/{t}", headers=auth)
        r.raise_for_status()
        r.json()
        r = http.post(
            f"{base}/v1/transactions/{t}/capture",
            json={"amount": 29990, "capture_reference": f"cap-{n}"},
            headers=auth,
        )
        r.raise_for_status()
        r.json()

    run_threads(0.5, THREADS, hx_get)
    out["httpx get"] = run_threads(seconds, THREADS, hx_get)
    out["httpx flow"] = run_threads(seconds, THREADS, hx_flow)
    http.close()
    return out


async def bench_async(base: str, seconds: float, tx_id: str) -> dict[str, float]:
    out: dict[str, float] = {}
    payer = AsyncPayer(base)

    client = dc.AsyncClient(ACCOUNT, CLIENT_ID, SECRET, base_url=base)
    await client.transactions.get(tx_id)

    async def dc_get(w: int, n: int) -> None:
        await client.transactions.get(tx_id)

    async def dc_flow(w: int, n: int) -> None:
        session = await client.sessions.create(session_body(n))  # type: ignore[arg-type]
        t = await payer.pay(w, session.id)
        await client.transactions.get(t)
        await client.transactions.capture(t, {"amount": 29990})

    await run_tasks(0.5, CONCURRENCY, dc_get)
    out["sdk get"] = await run_tasks(seconds, CONCURRENCY, dc_get)
    out["sdk flow"] = await run_tasks(seconds, CONCURRENCY, dc_flow)

    http = httpx.AsyncClient()
    auth = {"authorization": f"Bearer {await token_async(http, base)}"}

    async def hx_get(w: int, n: int) -> None:
        r = await http.get(f"{base}/v1/transactions/{tx_id}", headers=auth)
        r.raise_for_status()
        r.json()

    async def hx_flow(w: int, n: int) -> None:
        r = await http.post(
            f"{base}/v1/sessions-profile",
            json=session_body(n),
            headers={**auth, "dintero-feature-toggles": "strict-session-amounts"},
        )
        r.raise_for_status()
        t = await payer.pay(w, r.json()["id"])
        r = await http.get(f"{base}/v1/transactions/{t}", headers=auth)
        r.raise_for_status()
        r.json()
        r = await http.post(
            f"{base}/v1/transactions/{t}/capture",
            json={"amount": 29990, "capture_reference": f"cap-{n}"},
            headers=auth,
        )
        r.raise_for_status()
        r.json()

    await run_tasks(0.5, CONCURRENCY, hx_get)
    out["httpx get"] = await run_tasks(seconds, CONCURRENCY, hx_get)
    out["httpx flow"] = await run_tasks(seconds, CONCURRENCY, hx_flow)
    await http.aclose()
    payer.close()
    return out


def import_time(runs: int = 7) -> float:
    code = "import time; t = time.perf_counter(); import dintero_checkout; print(time.perf_counter() - t)"
    times = [float(subprocess.check_output([sys.executable, "-c", code], text=True)) for _ in range(runs)]
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--base-url", required=True, help="a running dintero-emulator")
    parser.add_argument("--seconds", type=float, default=3.0, help="length of each measurement")
    args = parser.parse_args()
    base = args.base_url.rstrip("/")

    setup = dc.Client(ACCOUNT, CLIENT_ID, SECRET, base_url=base)
    created = setup.sessions.create(session_body(0))  # type: ignore[arg-type]
    r = httpx.post(f"{base}/_emulator/sessions/{created.id}/pay", json={"card_number": CARD})
    r.raise_for_status()
    tx_id = r.json()["transaction_id"]

    print(f"dintero_checkout {dc.__version__}, httpx {httpx.__version__}, Python {sys.version.split()[0]}")
    print(f"emulator {base}; {args.seconds:g} s per measurement; {THREADS} threads / {CONCURRENCY} tasks\n")
    sync = bench_sync(base, args.seconds, tx_id)
    asyn = asyncio.run(bench_async(base, args.seconds, tx_id))

    flow = "flow (create, pay, get, capture)"
    threads, tasks = f"{THREADS} threads", f"{CONCURRENCY} tasks"
    rows = [
        ("transactions.get", "Client", threads, sync["sdk get"], sync["httpx get"]),
        ("transactions.get", "AsyncClient", tasks, asyn["sdk get"], asyn["httpx get"]),
        (flow, "Client", threads, sync["sdk flow"], sync["httpx flow"]),
        (flow, "AsyncClient", tasks, asyn["sdk flow"], asyn["httpx flow"]),
    ]
    print(f"{'workload':34} {'client':12} {'load':11} {'sdk/s':>9} {'httpx/s':>9} {'ratio':>7}")
    for workload, client, load, sdk, raw in rows:
        print(f"{workload:34} {client:12} {load:11} {sdk:9.0f} {raw:9.0f} {sdk / raw:6.2f}x")
    print("(flow rows: whole flows per second; a flow is 3 API requests plus the pay call)")
    print(f"\nimport dintero_checkout: {import_time() * 1000:.1f} ms (median of 7 fresh interpreters)")


if __name__ == "__main__":
    main()
