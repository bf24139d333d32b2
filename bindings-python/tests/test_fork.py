"""Use after os.fork(): a child (gunicorn/celery worker) gets a fresh runtime and
connection pool and works; the parent is unaffected."""

from __future__ import annotations

import asyncio
import os
import time

import pytest

from conftest import Backend, paid_transaction
from dintero_checkout import Client, _native

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")


def _wait(pid: int, timeout: float = 30.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.01)
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    raise AssertionError("the forked child hung")


def test_sync_and_async_use_after_fork(client: Client, emu: Backend) -> None:
    tx_id = paid_transaction(client, emu)
    assert client.transactions.get(tx_id).status == "AUTHORIZED"  # the parent's pool is warm
    parent_runtime = _native.runtime_generation()
    aclient = emu.async_client()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report through the pipe, never return into pytest
        code = 1
        try:
            os.close(read)
            rt_pid, _ = _native.runtime_generation()
            ok_rt = rt_pid == os.getpid()
            ok_sync = client.transactions.get(tx_id).id == tx_id
            ok_async = asyncio.run(aclient.transactions.get(tx_id)).id == tx_id
            op = client.transactions.capture(tx_id, {"amount": 1000})
            ok_capture = op.transaction.status == "PARTIALLY_CAPTURED"
            os.write(write, f"{ok_rt} {ok_sync} {ok_async} {ok_capture}".encode())
            code = 0
        except BaseException as e:
            os.write(write, f"error {e!r}".encode())
        finally:
            os._exit(code)
    os.close(write)
    assert _wait(pid) == 0
    with os.fdopen(read) as f:
        assert f.read() == "True True True True"
    # The parent goes on with its own runtime and sees the child's capture.
    assert _native.runtime_generation() == parent_runtime
    tx = client.transactions.get(tx_id)
    assert tx.status == "PARTIALLY_CAPTURED"


def test_fork_in_child_of_child(client: Client, emu: Backend) -> None:
    tx_id = paid_transaction(client, emu)
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            grandchild = os.fork()
            if grandchild == 0:
                os._exit(0 if client.transactions.get(tx_id).id == tx_id else 1)
            code = 0 if _wait(grandchild) == 0 and client.transactions.get(tx_id).id == tx_id else 1
        finally:
            os._exit(code)
    assert _wait(pid) == 0
