"""The shop the three framework examples share (``shop_fastapi.py``, ``shop_django.py``,
``shop_flask.py``): its orders, the checkout it sends customers to, what it does with a callback
receipt, and the self-test each example runs against the emulator. No web framework here.

Routes every example serves:

* ``POST /checkout?reference=...``: creates a Dintero session, redirects the customer to it (303).
* ``GET|POST /dintero/callback``: Dintero's callback, through ``dintero_checkout.integrations``.
* ``GET /return``: the page the customer's browser comes back to.
* ``POST /orders/<reference>/ship``: captures the payment (exactly once: ``capture_reference``).
* ``POST /orders/<reference>/return``: refunds it (``refund_reference``).
* ``GET /orders/<reference>``: the order as the shop has it.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from typing import Optional, Protocol
from urllib.parse import urlsplit

from dintero_checkout import CallbackReceipt, Client, parse_return_url
from dintero_checkout.testing import CallbackDelivery, PayOutcome
from dintero_checkout.types import CaptureRequestParams, RefundRequestParams, SessionRequestParams

#: The self-test's public origin: nothing listens there, so the emulator's deliveries fail and
#: stay recorded; the self-test replays them into the app through the framework's test client.
SELF_TEST_ORIGIN = "http://127.0.0.1:9"


@dataclass
class Order:
    reference: str
    amount: int
    status: str = "new"  # new, paid, failed, shipped, returned
    session_id: Optional[str] = None
    transaction_id: Optional[str] = None


class Shop:
    """Stands in for your database and your order logic."""

    def __init__(self, public_url: str) -> None:
        self.public_url = public_url.rstrip("/")
        self.orders: dict[str, Order] = {}

    def session_request(self, reference: str) -> SessionRequestParams:
        """The checkout of one chair (299.90) and pick-up (39.00), 338.90 NOK."""
        self.orders[reference] = Order(reference, amount=33890)
        return {
            "url": {
                "return_url": f"{self.public_url}/return",
                "callback_url": f"{self.public_url}/dintero/callback?report_error=true",
            },
            "order": {
                "amount": 33890,
                "currency": "NOK",
                "merchant_reference": reference,
                "vat_amount": 6778,
                "items": [
                    {"line_id": "1", "id": "chair", "description": "Chair", "quantity": 1, "amount": 29990,
                     "vat": 25, "vat_amount": 5998},
                ],
                "shipping_option": {"id": "pickup", "line_id": "ship", "amount": 3900, "vat": 25,
                                    "vat_amount": 780, "title": "Pick-up", "operator": ""},
            },
            "profile_id": "default",
        }  # fmt: skip

    def session_created(self, reference: str, session_id: str) -> None:
        self.orders[reference].session_id = session_id

    def received(self, receipt: CallbackReceipt) -> None:
        """Fulfils on a confirmed, paid transaction (idempotent: callbacks come at least once);
        notes a failed payment. Nothing else in a receipt is a reason to act."""
        tx = receipt.transaction
        if tx is not None and tx.is_paid():
            order = self.orders.get(tx.merchant_reference)
            if order is not None and order.status == "new":
                order.status, order.transaction_id = "paid", tx.id
        elif receipt.outcome == "payment_failed" and receipt.callback is not None:
            order = self.orders.get(receipt.callback.merchant_reference or "")
            if order is not None and order.status == "new":
                order.status = "failed"

    def to_ship(self, reference: str) -> tuple[str, CaptureRequestParams]:
        order = self._order(reference, "paid")
        return order.transaction_id or "", {"amount": order.amount, "capture_reference": f"{reference}-ship"}

    def shipped(self, reference: str) -> None:
        self.orders[reference].status = "shipped"

    def to_give_back(self, reference: str) -> tuple[str, RefundRequestParams]:
        order = self._order(reference, "shipped")
        return order.transaction_id or "", {"amount": order.amount, "refund_reference": f"{reference}-return"}

    def given_back(self, reference: str) -> None:
        self.orders[reference].status = "returned"

    def _order(self, reference: str, status: str) -> Order:
        order = self.orders.get(reference)
        if order is None or order.status != status:
            raise LookupError(f"order {reference!r} is not {status}")
        return order

    def order_json(self, reference: str) -> dict[str, Optional[str]]:
        order = self.orders[reference]
        return {"reference": order.reference, "status": order.status, "transaction_id": order.transaction_id}


def return_page(url: str) -> str:
    """The page for the customer's browser (the return URL is not signed: confirm on the server)."""
    result = parse_return_url(url)
    if result.outcome == "completed":
        return f"Thank you! Order {result.merchant_reference} is being confirmed."
    if result.outcome == "cancelled":
        return "You cancelled the payment; your cart is still here."
    return "The payment did not go through; please try another card."


# -- the self-test every example runs (scripts/python-test.sh and the Python suite)


class Driver(Protocol):
    """A framework's test client, as the self-test uses it."""

    def post(self, path: str) -> tuple[int, str, str]:
        """POSTs to the shop; returns (status, Location header or "", body)."""

    def get(self, path: str, host: str, headers: dict[str, str]) -> tuple[int, str]:
        """GETs from the shop as ``host``; returns (status, body)."""


class EmulatorLike(Protocol):
    def pay(self, session_id: str, card_number: str = ...) -> PayOutcome: ...
    def wait_for_callbacks(
        self, count: int = 1, *, timeout: float = 5.0, final: bool = True
    ) -> list[CallbackDelivery]: ...


def self_test(name: str, drive: Driver, shop: Shop, client: Client, emu: EmulatorLike) -> None:
    """Checkout, payment, callback, ship and return, through the app; raises on any surprise."""
    reference = f"order-{name}-{int(time.time() * 1000)}"
    status, location, _ = drive.post(f"/checkout?reference={reference}")
    assert status == 303 and location, (status, location)
    print(f"{name}: checkout redirects the customer to {location}")
    order = shop.orders[reference]
    assert order.session_id is not None
    paid = emu.pay(order.session_id)
    assert paid.transaction_id is not None
    back = urlsplit(paid.redirect_url)
    _, page = drive.get(f"{back.path}?{back.query}", back.netloc, {})
    print(f"{name}: the customer paid and came back to: {page}")

    delivery = next(d for d in emu.wait_for_callbacks(1, final=False) if reference in d.url)
    target = urlsplit(delivery.url)
    status, body = drive.get(f"{target.path}?{target.query}", target.netloc, delivery.headers)
    assert (status, body, order.status) == (200, "confirmed", "paid"), (status, body, order.status)
    print(f"{name}: Dintero's callback answered {status} {body!r}; order {order.status}")
    forged = {**delivery.headers, "Dintero-Signature": "t=1,v0-hmac-sha256=00"}
    status, body = drive.get(f"{target.path}?{target.query}", target.netloc, forged)
    assert status == 403, (status, body)
    print(f"{name}: a forged callback answered {status} {body!r}")

    for action, expected, tx_status in (("ship", "shipped", "CAPTURED"), ("return", "returned", "REFUNDED")):
        status, _, body = drive.post(f"/orders/{reference}/{action}")
        tx = client.transactions.get(paid.transaction_id)
        assert (status, order.status, tx.status) == (200, expected, tx_status), (status, body, tx.status)
        print(f"{name}: {action}: {body}; the transaction is {tx.status}")


def self_test_arguments(description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--self-test", action="store_true", help="run the whole flow against the in-process emulator")
    return parser.parse_args()
