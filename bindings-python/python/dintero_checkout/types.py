"""Request payloads as ``TypedDict``\\ s, with the API's field names.

Payloads are plain dicts at runtime; these types only let a type checker (mypy, pyright)
check them. Fields Dintero accepts but this module does not list can be passed too (the
SDK forwards them unchanged); a type checker needs a ``cast`` for those.
"""

from __future__ import annotations

from typing import Any, TypedDict

__all__ = [
    "SessionUrlsParams",
    "OrderItemParams",
    "ShippingOptionParams",
    "OrderParams",
    "SessionCreateParams",
    "SessionUpdateParams",
    "CaptureItemParams",
]


class _SessionUrlsRequired(TypedDict):
    return_url: str


class SessionUrlsParams(_SessionUrlsRequired, total=False):
    """``url`` of a session: where the browser returns and where Dintero calls your server."""

    callback_url: str
    merchant_terms_url: str


class _OrderItemRequired(TypedDict):
    amount: int


class OrderItemParams(_OrderItemRequired, total=False):
    """One order line. ``amount`` is the line total incl. VAT in minor units (29990 = 299.90)."""

    id: str
    line_id: str
    description: str
    quantity: float
    vat_amount: int
    vat: float
    type: str
    groups: list[dict[str, Any]]
    thumbnail_url: str
    eligible_for_discount: bool
    discount_lines: list[dict[str, Any]]


class CaptureItemParams(OrderItemParams, total=False):
    """A capture or refund line: ``{"line_id": ..., "amount": ...}``."""


class _ShippingOptionRequired(TypedDict):
    id: str
    line_id: str
    amount: int
    title: str
    operator: str


class ShippingOptionParams(_ShippingOptionRequired, total=False):
    """``order.shipping_option``."""

    vat_amount: int
    vat: float
    description: str
    delivery_method: str
    operator_product_id: str
    countries: list[str]
    eta: dict[str, Any]
    time_slot: dict[str, Any]
    pick_up_address: dict[str, Any]
    metadata: dict[str, Any]


class _OrderRequired(TypedDict):
    amount: int
    currency: str
    merchant_reference: str


class OrderParams(_OrderRequired, total=False):
    """A session's ``order``: ``amount`` must equal the items plus shipping."""

    vat_amount: int
    merchant_reference_2: str
    items: list[OrderItemParams]
    shipping_option: ShippingOptionParams
    partial_payment: bool
    shipping_address: dict[str, Any]
    billing_address: dict[str, Any]
    discount_codes: list[str]
    store: dict[str, Any]
    event_reference: str


class _SessionCreateRequired(TypedDict):
    url: SessionUrlsParams
    order: OrderParams


class SessionCreateParams(_SessionCreateRequired, total=False):
    """The body of ``sessions.create`` (``profile_id`` picks ``/v1/sessions-profile``)."""

    profile_id: str
    configuration: dict[str, Any]
    customer: dict[str, Any]
    expires_at: str
    metadata: dict[str, Any]
    checkboxes: list[dict[str, Any]]
    express: dict[str, Any]
    merchant: dict[str, Any]


class _SessionUpdateRequired(TypedDict):
    order: OrderParams


class SessionUpdateParams(_SessionUpdateRequired, total=False):
    """The body of ``sessions.update``."""

    remove_lock: bool
    express: dict[str, Any]
