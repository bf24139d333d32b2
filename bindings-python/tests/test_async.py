"""Every operation through AsyncClient."""

from __future__ import annotations

import asyncio
import copy

import pytest

from conftest import Backend, session_payload
from dintero_checkout import AsyncClient, ConflictError, InvalidInputError, NotFoundError, parse_callback
from dintero_checkout.testing import Emulator


def test_async_full_surface(aclient: AsyncClient, emu: Backend) -> None:
    async def run() -> None:
        await aclient.authenticate()
        assert aclient.token_requests == 1

        # Pre-authorized, so that the authorization can be extended below.
        payload = session_payload("order-async")
        payload["configuration"] = {"pre_authorization": True}
        created = await aclient.sessions.create(payload, include_session=True)
        assert created.session is not None and created.session.id == created.id
        got = await aclient.sessions.get(created.id)
        assert got.order is not None and got.order.merchant_reference == "order-async"

        order = copy.deepcopy(session_payload("order-async")["order"])
        order["shipping_option"]["amount"] = 0
        order["shipping_option"]["vat_amount"] = 0
        order["amount"] = 29990
        order["vat_amount"] = 5998
        updated = await aclient.sessions.update(created.id, {"order": order}, update_without_lock=True)
        assert updated.order is not None and updated.order.amount == 29990

        if isinstance(emu, Emulator):
            paid = await emu.pay_async(created.id)
        else:
            paid = await asyncio.to_thread(emu.pay, created.id)
        assert paid.transaction_id is not None
        tx_id = paid.transaction_id
        session = await aclient.wait_for_payment(created.id, interval=0.1, timeout=5)
        assert session.transaction_id == tx_id

        tx = await aclient.transactions.get(tx_id, includes=["session"])
        assert tx.status == "AUTHORIZED" and tx.amount == 29990

        tx = await aclient.transactions.extend_authorization(tx_id, reason="later shipping")
        assert tx.status == "AUTHORIZED"
        tx = await aclient.transactions.update(tx_id, merchant_reference_2="inv-1")
        assert tx.merchant_reference_2 == "inv-1"

        op = await aclient.transactions.capture(tx_id, 29990, items=[{"line_id": "1", "amount": 29990}])
        assert op.transaction.status == "CAPTURED"
        op = await aclient.transactions.refund(tx_id, 1000, reason="scratch")
        assert op.transaction.status == "PARTIALLY_REFUNDED"

        emu.inject_fault("refund", "accepted_202")
        op = await aclient.transactions.refund(tx_id, 1000)
        assert op.state == "accepted" and op.event_request_id
        tx = await aclient.transactions.wait_for_event(tx_id, op.event_request_id, timeout=5)
        assert sum(e.amount or 0 for e in tx.events if e.event == "REFUND") == 2000

        listed = [t.id async for t in aclient.transactions.list(merchant_reference="order-async")]
        assert listed == [tx_id]

        # confirm a callback naming this transaction
        cb = parse_callback(
            f"https://shop.example/cb?transaction_id={tx_id}&merchant_reference=order-async&session_id={created.id}"
        )
        confirmed = await aclient.callbacks.confirm(cb)
        assert confirmed.transaction.id == tx_id

        other = await aclient.sessions.create(session_payload())
        if isinstance(emu, Emulator):
            outcome = await emu.pay_async(other.id)
        else:
            outcome = await asyncio.to_thread(emu.pay, other.id)
        assert outcome.transaction_id is not None
        voided = await aclient.transactions.void(outcome.transaction_id)
        assert voided.transaction.status == "AUTHORIZATION_VOIDED"
        with pytest.raises(ConflictError):
            await aclient.transactions.extend_authorization(outcome.transaction_id)

        third = await aclient.sessions.create(session_payload())
        cancelled = await aclient.sessions.cancel(third.id)
        assert cancelled.cancelled_at is not None

        with pytest.raises(NotFoundError):
            await aclient.sessions.get("T12345678.nope")
        with pytest.raises(InvalidInputError):
            await aclient.transactions.capture(tx_id, -1)

    asyncio.run(run())


def test_emulator_cancel_payment_async() -> None:
    async def run() -> None:
        async with Emulator() as emu:
            client = emu.async_client()
            created = await client.sessions.create(session_payload())
            outcome = await emu.cancel_payment_async(created.id)
            assert outcome.transaction_id is None and "error=cancelled" in outcome.redirect_url
        assert emu.closed

    asyncio.run(run())
