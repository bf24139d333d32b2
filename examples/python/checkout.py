"""The whole Dintero Checkout flow in Python: create a session, get paid, capture, refund.

Runs against Dintero when DINTERO_ACCOUNT_ID, DINTERO_CLIENT_ID and DINTERO_CLIENT_SECRET are
set (you pay on the printed page with a test card), and otherwise against the emulator that
ships inside the package, where the "customer" pays by itself.

    python examples/python/checkout.py
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator

from dintero_checkout import Client, DinteroError, parse_return_url
from dintero_checkout.testing import Emulator
from dintero_checkout.types import SessionCreateParams


@contextlib.contextmanager
def connect() -> Iterator[tuple[Client, Emulator | None]]:
    if all(os.environ.get(k) for k in ("DINTERO_ACCOUNT_ID", "DINTERO_CLIENT_ID", "DINTERO_CLIENT_SECRET")):
        yield Client.from_env(system_name="checkout-example", system_version="1.0"), None
    else:
        with Emulator() as emulator:
            print(f"no credentials set: using the built-in emulator at {emulator.base_url}")
            yield emulator.client(), emulator


def main() -> int:
    order_id = f"example-{os.getpid()}"
    session_request: SessionCreateParams = {
        "url": {
            "return_url": "https://shop.example/return",
            "callback_url": "https://shop.example/dintero/callback",
        },
        "order": {
            "amount": 33890,  # 338.90 NOK: one chair plus shipping
            "currency": "NOK",
            "merchant_reference": order_id,
            "vat_amount": 6778,
            "items": [
                {
                    "line_id": "1",
                    "id": "chair-1",
                    "description": "Stablestol",
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
                "title": "Pick-up point",
                "operator": "",
            },
        },
        "profile_id": "default",
    }

    with connect() as (client, emulator):
        session = client.sessions.create(session_request)
        print(f"1. session {session.id}: send the customer to {session.url}")

        if emulator is not None:
            paid = emulator.pay(session.id)  # Dintero's approving test card
            returned = parse_return_url(paid.redirect_url)
            print(f"2. customer paid and came back: {returned.outcome}, transaction {returned.transaction_id}")
            transaction_id = returned.transaction_id
        else:
            print("2. pay on that page with card 4000 0000 0000 0002; waiting up to 5 minutes...")
            transaction_id = client.wait_for_payment(session.id, interval=2, timeout=300).transaction_id
        if transaction_id is None:
            print("no payment was made")
            return 1

        # Never trust the browser: read the transaction on the server.
        tx = client.transactions.get(transaction_id)
        print(f"3. transaction {tx.id}: {tx.status}, {tx.amount / 100:.2f} {tx.currency}")
        assert tx.status == "AUTHORIZED"

        # Ship the chair first: capture its line. A retry after a lost answer never
        # captures twice (the capture_reference is how the SDK recognises it).
        chair = client.transactions.capture(
            tx.id,
            {"amount": 29990, "items": [{"line_id": "1", "amount": 29990}], "capture_reference": f"{order_id}-chair"},
        )
        print(f"4. captured the chair ({chair.reference}): {chair.transaction.status}")
        rest = client.transactions.capture(tx.id, {"amount": 3900, "items": [{"line_id": "ship", "amount": 3900}]})
        print(f"5. captured shipping: {rest.transaction.status}")

        refund = client.transactions.refund(tx.id, {"amount": 3900, "reason": "free shipping after all"})
        print(f"6. refunded shipping: {refund.transaction.status}")

        try:
            client.transactions.refund(tx.id, {"amount": 1_000_000})
        except DinteroError as e:
            print(f"7. refunding too much is refused: {type(e).__name__} ({e.kind}, status {e.status})")

        final = client.transactions.get(tx.id)
        events = ", ".join(f"{e.event} {e.amount}" for e in final.events)
        print(f"8. final status {final.status}; events: {events}")
        assert final.status == "PARTIALLY_REFUNDED"
        return 0


if __name__ == "__main__":
    sys.exit(main())
