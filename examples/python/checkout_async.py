"""The checkout flow with AsyncClient: many orders at once on one event loop.

python examples/python/checkout_async.py
"""

from __future__ import annotations

import asyncio
import sys

from dintero_checkout import AsyncClient
from dintero_checkout.testing import Emulator
from dintero_checkout.types import SessionCreateParams


def order(n: int) -> SessionCreateParams:
    return {
        "url": {"return_url": "https://shop.example/return"},
        "order": {
            "amount": 29990,
            "currency": "NOK",
            "merchant_reference": f"async-order-{n}",
            "items": [
                {"line_id": "1", "description": "Chair", "quantity": 1, "amount": 29990, "vat": 25, "vat_amount": 5998}
            ],
        },
        "profile_id": "default",
    }


async def checkout(client: AsyncClient, emulator: Emulator, n: int) -> str:
    session = await client.sessions.create(order(n))
    paid = await emulator.pay_async(session.id)
    assert paid.transaction_id is not None
    op = await client.transactions.capture(paid.transaction_id, {"amount": 29990})
    return op.transaction.status or "(no status)"


async def main() -> int:
    async with Emulator() as emulator:
        client = emulator.async_client()
        statuses = await asyncio.gather(*(checkout(client, emulator, n) for n in range(20)))
        print(f"20 orders checked out concurrently: {sorted(set(statuses))}")
        captured = [tx.id async for tx in client.transactions.list({"status": ["CAPTURED"], "limit": 5})]
        print(f"listed {len(captured)} captured transactions, 5 per page")
        assert len(captured) == 20
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
