"""The public surface against testdata/surface.json, the parity file every language checks:
each type and operation with a Python name exists, with the listed parameters (``?`` =
optional), on the blocking and the asyncio flavour alike; the defaults it names exist in
``defaults()``; the error kinds are the ones the error classes cover."""

from __future__ import annotations

import inspect
import json
import os
from typing import Any

import pytest

import dintero_checkout as dc
from conftest import TESTDATA

with open(os.path.join(TESTDATA, "surface.json")) as f:
    SURFACE: dict[str, Any] = json.load(f)

OPERATIONS = [op for op in SURFACE["operations"] if "python" in op["names"]]


def _instances(owner: str) -> list[Any]:
    """The objects an operation ``on`` this type is looked up on (both flavours)."""
    clients = [dc.Client("T12345678", "id", "secret"), dc.AsyncClient("T12345678", "id", "secret")]
    parts = {"Sessions": "sessions", "Transactions": "transactions", "Callbacks": "callbacks"}
    if owner in ("Client", "AsyncClient"):
        return clients
    if owner in parts:
        return [getattr(c, parts[owner]) for c in clients]
    if owner == "CallbackVerifier":
        return [dc.CallbackVerifier("secret", "T12345678")]
    if owner == "Transaction":
        return [dc.Transaction({"id": "T12345678.a", "amount": 1})]
    raise AssertionError(f"surface.json: no instance known for {owner!r}")


def _params(fn: Any) -> list[str]:
    sig = inspect.signature(fn)
    return [
        p.name + ("?" if p.default is not inspect.Parameter.empty else "")
        for p in sig.parameters.values()
        if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]


def test_types_exist() -> None:
    for concept, names in SURFACE["types"].items():
        if "python" in names:
            assert hasattr(dc, names["python"]), f"dintero_checkout.{names['python']} ({concept}) is missing"


@pytest.mark.parametrize("op", OPERATIONS, ids=[op["id"] for op in OPERATIONS])
def test_operation(op: dict[str, Any]) -> None:
    name = op["names"]["python"]
    absent = op.get("not_in", {}).get("python", [])
    want = [p for p in op.get("params", []) if p not in absent]
    if op["on"] is None or name == SURFACE["types"][op["on"]].get("python"):  # a function or a class
        fn = getattr(dc, name, None)
        assert fn is not None, f"dintero_checkout.{name} is missing"
        assert _params(fn) == want, f"{op['id']}: {name}{inspect.signature(fn)} vs {want}"
        return
    for obj in _instances(op["on"]):
        where = f"{type(obj).__name__}.{name}"
        assert hasattr(obj, name), f"{where} ({op['id']}) is missing"
        member = getattr(obj, name)
        if callable(member):
            assert _params(member) == want, f"{where}{inspect.signature(member)} vs {want}"
        else:
            assert not want, f"{where} is an attribute, surface.json lists parameters {want}"


def test_constructors_take_the_client_options() -> None:
    # `client.new` is checked above through the class; both flavours share the signature.
    assert _params(dc.Client) == _params(dc.AsyncClient)


def test_defaults_named_by_surface_exist() -> None:
    have = set(dc.defaults().to_dict())
    named: set[str] = set()
    for op in SURFACE["operations"]:
        named |= set(op.get("defaults", {}).values())
    for key in named:
        if key.endswith("*"):
            assert any(h.startswith(key[:-1]) for h in have), key
        else:
            assert key in have, key
    assert have == set(dc.Defaults._fields)


def test_error_kinds_and_fields() -> None:
    assert set(SURFACE["error_kinds"]) == set(dc.ERROR_CLASSES) == set(dc._native.error_kinds())
    err = dc.ERROR_CLASSES["not_found"]("gone")
    for concept, names in SURFACE["error_fields"].items():
        if concept != "about":
            assert hasattr(err, names["python"]), f"DinteroError.{names['python']} is missing"


def test_the_check_fails_on_a_missing_name(monkeypatch: pytest.MonkeyPatch) -> None:
    op = next(o for o in OPERATIONS if o["id"] == "request_url")
    monkeypatch.delattr(dc, "request_url")
    with pytest.raises(AssertionError, match="request_url"):
        test_operation(op)
    op = next(o for o in OPERATIONS if o["id"] == "transactions.capture")
    with pytest.raises(AssertionError, match="capture"):
        test_operation({**op, "params": ["transaction_id", "amount"]})
