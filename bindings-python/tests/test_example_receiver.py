"""The shop examples of examples/python (FastAPI, Django, Flask), each driven through its
framework's test client against the emulator: checkout, payment, the real signed callback,
ship (capture) and return (refund); and a declined payment noted from its callback."""

from __future__ import annotations

import importlib.util
import os
import sys
from types import ModuleType
from urllib.parse import urlsplit

import pytest
from receiving import verifier_for

from conftest import Backend
from dintero_checkout import AsyncClient, Client
from dintero_checkout.testing import CARD_DECLINE

EXAMPLES = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "examples", "python"))


def _load(name: str) -> ModuleType:
    if EXAMPLES not in sys.path:
        sys.path.insert(0, EXAMPLES)  # the examples import their shared shop.py
    spec = importlib.util.spec_from_file_location(name, os.path.join(EXAMPLES, f"{name}.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("example", ["shop_fastapi", "shop_django", "shop_flask"])
def test_shop_example_runs_the_whole_flow(example: str, client: Client, aclient: AsyncClient, emu: Backend) -> None:
    module = _load(example)
    if example == "shop_fastapi":
        module.run_self_test(client, aclient, verifier_for(emu), emu)
    else:
        module.run_self_test(client, verifier_for(emu), emu)


def test_a_declined_payment_is_noted_from_its_callback(client: Client, emu: Backend) -> None:
    flask_shop, shop_module = _load("shop_flask"), _load("shop")
    shop = shop_module.Shop(shop_module.SELF_TEST_ORIGIN)
    driver = flask_shop.FlaskDriver(flask_shop.create_app(client, verifier_for(emu), shop))
    status, _, _ = driver.post("/checkout?reference=order-declined")
    assert status == 303
    declined = emu.pay(shop.orders["order-declined"].session_id, CARD_DECLINE)
    back = urlsplit(declined.redirect_url)
    assert "did not go through" in driver.get(f"{back.path}?{back.query}", back.netloc, {})[1]
    [delivery] = emu.wait_for_callbacks(1, final=False)
    target = urlsplit(delivery.url)
    status, body = driver.get(f"{target.path}?{target.query}", target.netloc, delivery.headers)
    assert (status, body) == (200, "noted: the payment failed")
    assert shop.orders["order-declined"].status == "failed"
