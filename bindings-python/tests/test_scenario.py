"""The shared end-to-end scenario (testdata/scenario.json), interpreted step by step with the
blocking and with the asyncio client: operations by their surface.json id, ``$name``
substitution, dotted ``expect`` paths (``captured_amount()`` calls the method),
``expect_error``, and the emulator's request counters at the end."""

from __future__ import annotations

import asyncio
import copy
import inspect
import json
import os
from typing import Any, Union

import pytest

import dintero_checkout as dc
from conftest import TESTDATA, Backend
from dintero_checkout.testing import CARDS

with open(os.path.join(TESTDATA, "scenario.json")) as f:
    SCENARIO: dict[str, Any] = json.load(f)


def _subst(value: Any, saved: dict[str, Any]) -> Any:
    if isinstance(value, str) and value.startswith("$"):
        return copy.deepcopy(saved[value[1:]])
    if isinstance(value, dict):
        return {k: _subst(v, saved) for k, v in value.items()}
    if isinstance(value, list):
        return [_subst(v, saved) for v in value]
    return value


def _path(obj: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        obj = getattr(obj, part[:-2])() if part.endswith("()") else getattr(obj, part)
    return obj


def _call(client: Union[dc.Client, dc.AsyncClient], emu: Backend, op: str, args: dict[str, Any]) -> Any:
    if op == "emulator.pay":
        return emu.pay(args["session_id"], CARDS[args["card"]])
    owner, name = op.split(".")
    target = client if owner == "client" else getattr(client, owner)
    result = getattr(target, name)(**args)
    return asyncio.run(_awaited(result)) if inspect.isawaitable(result) else result


async def _awaited(result: Any) -> Any:
    return await result


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_scenario(emu: Backend, flavour: str) -> None:
    client = emu.client() if flavour == "sync" else emu.async_client()
    saved: dict[str, Any] = {"session_request": SCENARIO["session_request"]}
    for i, step in enumerate(SCENARIO["steps"]):
        where = f"step {i} ({step['op']})"
        args = _subst(step.get("args", {}), saved)
        if "expect_error" in step:
            with pytest.raises(dc.DinteroError) as info:
                _call(client, emu, step["op"], args)
            for key, want in step["expect_error"].items():
                assert getattr(info.value, key) == want, f"{where}: error.{key}"
            continue
        result = _call(client, emu, step["op"], args)
        for key, want in _subst(step.get("expect", {}), saved).items():
            got = _path(result, key)
            if want == "<present>":
                assert got, f"{where}: {key} is empty"
            else:
                assert got == want, f"{where}: {key} is {got!r}, expected {want!r}"
        for name, dotted in step.get("save", {}).items():
            saved[name] = _path(result, dotted)
    for route, count in SCENARIO["requests"].items():
        if route != "about":
            assert emu.request_count(route) == count, f"requests to {route}"
