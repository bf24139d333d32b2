"""Sessions: create, get, update, cancel, and input checked before any request."""

from __future__ import annotations

import copy
from typing import Any, cast

import pytest

from conftest import Backend, paid_transaction, session_payload
from dintero_checkout import Client, InvalidInputError, NotFoundError, Session, SessionCreated
from dintero_checkout.types import SessionCreateParams


def test_create_get_and_read_fields(client: Client, emu: Backend) -> None:
    created = client.sessions.create(session_payload("order-create"))
    assert isinstance(created, SessionCreated)
    assert created.id.startswith("T12345678.")
    assert created.url is not None and created.url.startswith(emu.base_url)
    assert created.session is None

    session = client.sessions.get(created.id)
    assert isinstance(session, Session)
    assert session.id == created.id
    assert session.transaction_id is None and session.cancelled_at is None
    order = session.order
    assert order is not None
    assert (order.amount, order.currency, order.merchant_reference) == (33890, "NOK", "order-create")
    assert [i.line_id for i in order.items] == ["1"]
    assert order.items[0].amount == 29990 and order.items[0].vat == 25
    assert order.shipping_option is not None and order.shipping_option.line_id == "ship"
    assert session.url is not None and session.url.return_url == "https://shop.example/return"
    assert session.events, "a new session has an INITIATED event"
    # to_dict is the full JSON, and a copy
    raw = session.to_dict()
    assert raw["id"] == created.id and raw["order"]["amount"] == 33890
    raw["order"]["amount"] = 1
    assert session.order is not None and session.order.amount == 33890
    assert session["id"] == created.id and "order" in session


def test_create_with_include_session_and_unknown_fields_survive(client: Client) -> None:
    payload: dict[str, Any] = dict(session_payload())
    payload["metadata"] = {"ext_shop": "chairs"}
    created = client.sessions.create(cast(SessionCreateParams, payload), include_session=True)
    assert created.session is not None
    assert created.session.id == created.id
    fetched = client.sessions.get(created.id)
    # `metadata` is not modelled: it is kept in extra and in to_dict
    assert fetched.extra.get("metadata", {}).get("ext_shop") == "chairs"
    assert fetched.to_dict()["metadata"]["ext_shop"] == "chairs"


def test_update_without_lock(client: Client) -> None:
    created = client.sessions.create(session_payload("order-upd"))
    order = copy.deepcopy(session_payload("order-upd")["order"])
    order["items"][0]["quantity"] = 2
    order["items"][0]["amount"] = 59980
    order["items"][0]["vat_amount"] = 11996
    order["amount"] = 59980 + 3900
    order["vat_amount"] = 11996 + 780
    updated = client.sessions.update(created.id, {"order": order}, update_without_lock=True)
    assert updated.order is not None and updated.order.amount == 63880
    assert client.sessions.get(created.id).order is not None


def test_cancel(client: Client) -> None:
    created = client.sessions.create(session_payload())
    cancelled = client.sessions.cancel(created.id)
    assert cancelled.cancelled_at is not None
    assert client.sessions.get(created.id).cancelled_at is not None


def test_wait_for_payment(client: Client, emu: Backend) -> None:
    created = client.sessions.create(session_payload())
    emu.pay(created.id)
    session = client.wait_for_payment(created.id, interval=0.1, timeout=5)
    assert session.transaction_id is not None


def test_order_that_does_not_add_up_fails_before_any_request(client: Client, emu: Backend) -> None:
    bad = session_payload()
    bad["order"]["amount"] = 33891
    with pytest.raises(InvalidInputError) as info:
        client.sessions.create(bad)
    assert "order.amount" in str(info.value)
    assert info.value.kind == "invalid_input" and info.value.status is None
    assert isinstance(info.value, ValueError)
    assert emu.request_count("create_session") == 0
    assert emu.request_count("token") == 0


def test_duplicate_line_id_names_the_line(client: Client) -> None:
    bad = session_payload()
    bad["order"]["shipping_option"]["line_id"] = "1"
    with pytest.raises(InvalidInputError, match=r"order\.shipping_option\.line_id"):
        client.sessions.create(bad)


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda p: p["order"].__setitem__("amount", "33890"), "session.order.amount"),
        (lambda p: p["order"].__setitem__("currency", 578), "session.order.currency"),
        (lambda p: p.pop("url"), "url"),
        (lambda p: p["order"]["items"][0].__setitem__("amount", object()), "session.order.items[0].amount"),
        (lambda p: p["order"]["items"][0].__setitem__("vat", float("nan")), "session.order.items[0].vat"),
        (lambda p: p["order"].__setitem__("items", [{1: "x"}]), "session.order.items"),
        (lambda p: p["order"]["items"][0].__setitem__("amount", None), "order.items[0].amount"),
    ],
)
def test_wrong_types_and_missing_fields_name_the_field(client: Client, emu: Backend, mutate: Any, field: str) -> None:
    payload: Any = session_payload()
    mutate(payload)
    with pytest.raises(InvalidInputError) as info:
        client.sessions.create(payload)
    assert field in str(info.value)
    assert emu.request_count("create_session") == 0


def test_not_a_dict(client: Client) -> None:
    with pytest.raises(InvalidInputError, match=r"session.*invalid type: integer"):
        client.sessions.create(cast(Any, 42))
    # A conversion error, like every other: invalid input naming the parameter.
    with pytest.raises(InvalidInputError, match="session_id: must be a str"):
        client.sessions.get(cast(Any, 42))


def test_bad_session_id_is_refused_locally(client: Client, emu: Backend) -> None:
    with pytest.raises(InvalidInputError, match="session_id"):
        client.sessions.get("../../v1/admin")
    assert emu.request_count("get_session") == 0


def test_unknown_session_is_not_found(client: Client) -> None:
    with pytest.raises(NotFoundError) as info:
        client.sessions.get("T12345678.doesnotexist")
    assert info.value.status == 404
    assert info.value.request_id


def test_session_after_payment_has_transaction(client: Client, emu: Backend) -> None:
    tx_id = paid_transaction(client, emu)
    sessions_tx = client.transactions.get(tx_id).session_id
    assert sessions_tx is not None
    assert client.sessions.get(sessions_tx).transaction_id == tx_id
