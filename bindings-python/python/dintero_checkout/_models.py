"""Typed, read-only views of the API's JSON.

Every response object wraps the JSON the API returned: known fields are typed attributes,
``obj["field"]`` / ``obj.get("field")`` reach any field, ``obj.extra`` holds the fields this
version does not model, and ``obj.to_dict()`` returns the full JSON (unknown fields
included) as a fresh copy.
"""

from __future__ import annotations

from typing import Any, Optional, cast

__all__ = [
    "Model",
    "SessionUrls",
    "OrderItem",
    "ShippingOption",
    "Order",
    "SessionEvent",
    "Session",
    "SessionCreated",
    "TransactionEvent",
    "Transaction",
    "Operation",
    "Callback",
    "ConfirmedCallback",
    "ReturnResult",
    "WebhookEvent",
]


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


class Model:
    """Base of every response object."""

    __slots__ = ("_data",)
    #: The fields this class models (everything else shows up in ``extra``).
    _fields: tuple[str, ...] = ()
    #: The fields ``repr()`` shows.
    _shown: tuple[str, ...] = ("id",)

    def __init__(self, data: dict[str, Any]) -> None:
        if not isinstance(data, dict):
            raise TypeError(f"{type(self).__name__} wraps a dict, got {type(data).__name__}")
        self._data = data

    def to_dict(self) -> dict[str, Any]:
        """The full JSON object, unknown fields included (a copy)."""
        return cast("dict[str, Any]", _copy(self._data))

    @property
    def extra(self) -> dict[str, Any]:
        """Fields this version of the SDK does not model, as Dintero sent them."""
        return {k: _copy(v) for k, v in self._data.items() if k not in self._fields}

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def get(self, key: str, default: Any = None) -> Any:
        """The raw JSON value of ``key``, or ``default``."""
        return self._data.get(key, default)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return other._data == self._data

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={self._data.get(k)!r}" for k in self._shown if k in self._data)
        return f"{type(self).__name__}({shown})"


def _str(m: Model, key: str) -> str:
    return cast(str, m._data.get(key, ""))


def _opt_str(m: Model, key: str) -> Optional[str]:
    return cast(Optional[str], m._data.get(key))


def _int(m: Model, key: str) -> int:
    return cast(int, m._data.get(key, 0))


def _opt_int(m: Model, key: str) -> Optional[int]:
    return cast(Optional[int], m._data.get(key))


def _opt_float(m: Model, key: str) -> Optional[float]:
    return cast(Optional[float], m._data.get(key))


class SessionUrls(Model):
    """``url`` of a session."""

    __slots__ = ()
    _fields = ("return_url", "callback_url", "merchant_terms_url")
    _shown = ("return_url", "callback_url")

    @property
    def return_url(self) -> str:
        return _str(self, "return_url")

    @property
    def callback_url(self) -> Optional[str]:
        return _opt_str(self, "callback_url")

    @property
    def merchant_terms_url(self) -> Optional[str]:
        return _opt_str(self, "merchant_terms_url")


class OrderItem(Model):
    """One order line; ``amount`` is the line total incl. VAT in minor units."""

    __slots__ = ()
    _fields = ("id", "line_id", "description", "quantity", "amount", "vat_amount", "vat")
    _shown = ("line_id", "description", "amount")

    @property
    def id(self) -> Optional[str]:
        return _opt_str(self, "id")

    @property
    def line_id(self) -> Optional[str]:
        return _opt_str(self, "line_id")

    @property
    def description(self) -> Optional[str]:
        return _opt_str(self, "description")

    @property
    def quantity(self) -> Optional[float]:
        return _opt_float(self, "quantity")

    @property
    def amount(self) -> Optional[int]:
        """Line total incl. VAT and discounts (negative on discount and gift-card lines);
        ``None`` when Dintero left it out."""
        return _opt_int(self, "amount")

    @property
    def vat_amount(self) -> Optional[int]:
        return _opt_int(self, "vat_amount")

    @property
    def vat(self) -> Optional[float]:
        return _opt_float(self, "vat")


class ShippingOption(Model):
    """``order.shipping_option``."""

    __slots__ = ()
    _fields = ("id", "line_id", "amount", "vat_amount", "vat", "title", "operator")
    _shown = ("id", "line_id", "amount")

    @property
    def id(self) -> str:
        return _str(self, "id")

    @property
    def line_id(self) -> str:
        return _str(self, "line_id")

    @property
    def amount(self) -> int:
        return _int(self, "amount")

    @property
    def vat_amount(self) -> Optional[int]:
        return _opt_int(self, "vat_amount")

    @property
    def vat(self) -> Optional[float]:
        return _opt_float(self, "vat")

    @property
    def title(self) -> str:
        return _str(self, "title")

    @property
    def operator(self) -> str:
        return _str(self, "operator")


class Order(Model):
    """A session's ``order``."""

    __slots__ = ()
    _fields = (
        "amount",
        "currency",
        "merchant_reference",
        "vat_amount",
        "merchant_reference_2",
        "items",
        "shipping_option",
        "partial_payment",
    )
    _shown = ("merchant_reference", "amount", "currency")

    @property
    def amount(self) -> int:
        return _int(self, "amount")

    @property
    def currency(self) -> str:
        return _str(self, "currency")

    @property
    def merchant_reference(self) -> str:
        return _str(self, "merchant_reference")

    @property
    def vat_amount(self) -> Optional[int]:
        return _opt_int(self, "vat_amount")

    @property
    def merchant_reference_2(self) -> Optional[str]:
        return _opt_str(self, "merchant_reference_2")

    @property
    def items(self) -> list[OrderItem]:
        return [OrderItem(i) for i in self._data.get("items") or ()]

    @property
    def shipping_option(self) -> Optional[ShippingOption]:
        s = self._data.get("shipping_option")
        return ShippingOption(s) if s is not None else None

    @property
    def partial_payment(self) -> Optional[bool]:
        return cast(Optional[bool], self._data.get("partial_payment"))


class SessionEvent(Model):
    """One entry of a session's event log (``INITIATED``, ``AUTHORIZED``, ``CANCELLED``...)."""

    __slots__ = ()
    _fields = ("id", "name", "created_at")
    _shown = ("name", "created_at")

    @property
    def id(self) -> Optional[str]:
        return _opt_str(self, "id")

    @property
    def name(self) -> Optional[str]:
        """``None`` when Dintero left it out."""
        return _opt_str(self, "name")

    @property
    def created_at(self) -> Optional[str]:
        return _opt_str(self, "created_at")


class Session(Model):
    """A checkout session as read back from Dintero."""

    __slots__ = ()
    _fields = (
        "id",
        "url",
        "order",
        "transaction_id",
        "created_at",
        "updated_at",
        "expires_at",
        "cancelled_at",
        "events",
    )
    _shown = ("id", "transaction_id", "cancelled_at")

    @property
    def id(self) -> str:
        return _str(self, "id")

    @property
    def url(self) -> Optional[SessionUrls]:
        u = self._data.get("url")
        return SessionUrls(u) if u is not None else None

    @property
    def order(self) -> Optional[Order]:
        o = self._data.get("order")
        return Order(o) if o is not None else None

    @property
    def transaction_id(self) -> Optional[str]:
        """Set once a payment produced a transaction."""
        return _opt_str(self, "transaction_id")

    @property
    def created_at(self) -> Optional[str]:
        return _opt_str(self, "created_at")

    @property
    def updated_at(self) -> Optional[str]:
        return _opt_str(self, "updated_at")

    @property
    def expires_at(self) -> Optional[str]:
        return _opt_str(self, "expires_at")

    @property
    def cancelled_at(self) -> Optional[str]:
        return _opt_str(self, "cancelled_at")

    @property
    def events(self) -> list[SessionEvent]:
        return [SessionEvent(e) for e in self._data.get("events") or ()]


class SessionCreated(Model):
    """The answer to ``sessions.create``: send the customer to ``url``."""

    __slots__ = ()
    _fields = ("id", "url", "session")
    _shown = ("id", "url")

    @property
    def id(self) -> str:
        return _str(self, "id")

    @property
    def url(self) -> Optional[str]:
        """The hosted checkout page (redirect or embed). Treat it as opaque. ``None`` only if
        Dintero left it out: then there is no page to send the customer to."""
        return _opt_str(self, "url")

    @property
    def session(self) -> Optional[Session]:
        """The whole session, when created with ``include_session=True``."""
        s = self._data.get("session")
        return Session(s) if s is not None else None


class TransactionEvent(Model):
    """One entry of a transaction's event log."""

    __slots__ = ()
    _fields = (
        "id",
        "event",
        "transaction_status",
        "success",
        "amount",
        "items",
        "event_reference",
        "correlation_request_id",
        "request_id",
        "created_at",
        "error",
    )
    _shown = ("event", "amount", "success", "event_reference")

    @property
    def id(self) -> Optional[str]:
        return _opt_str(self, "id")

    @property
    def event(self) -> Optional[str]:
        """``CAPTURE``, ``REFUND``, ``VOID``, ``AUTHORIZE``, ...; ``None`` when Dintero does
        not say."""
        return _opt_str(self, "event")

    @property
    def transaction_status(self) -> Optional[str]:
        return _opt_str(self, "transaction_status")

    @property
    def success(self) -> Optional[bool]:
        """``True`` succeeded, ``False`` failed, ``None`` when Dintero does not say (which is
        not a success)."""
        return cast(Optional[bool], self._data.get("success"))

    @property
    def amount(self) -> Optional[int]:
        return _opt_int(self, "amount")

    @property
    def items(self) -> list[OrderItem]:
        return [OrderItem(i) for i in self._data.get("items") or ()]

    @property
    def event_reference(self) -> Optional[str]:
        """The ``capture_reference`` / ``refund_reference`` of the operation."""
        return _opt_str(self, "event_reference")

    @property
    def correlation_request_id(self) -> Optional[str]:
        return _opt_str(self, "correlation_request_id")

    @property
    def request_id(self) -> Optional[str]:
        return _opt_str(self, "request_id")

    @property
    def created_at(self) -> Optional[str]:
        return _opt_str(self, "created_at")

    @property
    def error(self) -> Optional[dict[str, Any]]:
        """``{"code": ..., "message": ...}`` when ``success`` is false."""
        e = self._data.get("error")
        return cast("dict[str, Any]", _copy(e)) if e is not None else None


class Transaction(Model):
    """A payment: what the customer authorized and what happened to it since."""

    __slots__ = ()
    _fields = (
        "id",
        "session_id",
        "status",
        "amount",
        "currency",
        "merchant_reference",
        "merchant_reference_2",
        "payment_product",
        "payment_product_type",
        "items",
        "events",
        "created_at",
        "updated_at",
    )
    _shown = ("id", "status", "amount", "currency", "merchant_reference")

    @property
    def id(self) -> str:
        return _str(self, "id")

    @property
    def session_id(self) -> Optional[str]:
        return _opt_str(self, "session_id")

    @property
    def status(self) -> Optional[str]:
        """``AUTHORIZED``, ``CAPTURED``, ``PARTIALLY_REFUNDED``, ... (new values pass through);
        ``None`` when Dintero does not say."""
        return _opt_str(self, "status")

    @property
    def amount(self) -> int:
        """Total authorized, in minor units."""
        return _int(self, "amount")

    @property
    def currency(self) -> str:
        return _str(self, "currency")

    @property
    def merchant_reference(self) -> str:
        return _str(self, "merchant_reference")

    @property
    def merchant_reference_2(self) -> Optional[str]:
        return _opt_str(self, "merchant_reference_2")

    @property
    def payment_product(self) -> Optional[str]:
        return _opt_str(self, "payment_product")

    @property
    def payment_product_type(self) -> Optional[str]:
        return _opt_str(self, "payment_product_type")

    @property
    def items(self) -> list[OrderItem]:
        return [OrderItem(i) for i in self._data.get("items") or ()]

    @property
    def events(self) -> list[TransactionEvent]:
        return [TransactionEvent(e) for e in self._data.get("events") or ()]

    @property
    def created_at(self) -> Optional[str]:
        return _opt_str(self, "created_at")

    @property
    def updated_at(self) -> Optional[str]:
        return _opt_str(self, "updated_at")


class Operation(Model):
    """The result of ``capture``, ``refund`` or ``void``."""

    __slots__ = ()
    _fields = ("state", "transaction", "event_request_id", "reference", "reconciled", "request_id")
    _shown = ("state", "reference", "reconciled")

    @property
    def state(self) -> str:
        """``"completed"`` (HTTP 200) or ``"accepted"`` (HTTP 202: the event lands later; see
        ``transactions.wait_for_event``)."""
        return _str(self, "state")

    @property
    def transaction(self) -> Transaction:
        """The transaction as Dintero returned it."""
        return Transaction(self._data["transaction"])

    @property
    def event_request_id(self) -> Optional[str]:
        return _opt_str(self, "event_request_id")

    @property
    def reference(self) -> Optional[str]:
        """The capture/refund reference you gave, or ``None`` (none is sent then)."""
        return _opt_str(self, "reference")

    @property
    def reconciled(self) -> bool:
        """True when an attempt failed ambiguously and the result was found by re-reading."""
        return cast(bool, self._data.get("reconciled", False))

    @property
    def request_id(self) -> Optional[str]:
        return _opt_str(self, "request_id")


class Callback(Model):
    """A callback's query, parsed (and, from a verifier, signature-checked)."""

    __slots__ = ()
    _fields = (
        "transaction_id",
        "session_id",
        "merchant_reference",
        "time",
        "error",
        "event",
        "event_id",
        "params",
    )
    _shown = ("transaction_id", "merchant_reference", "error", "event")

    @property
    def transaction_id(self) -> Optional[str]:
        return _opt_str(self, "transaction_id")

    @property
    def session_id(self) -> Optional[str]:
        return _opt_str(self, "session_id")

    @property
    def merchant_reference(self) -> Optional[str]:
        return _opt_str(self, "merchant_reference")

    @property
    def time(self) -> Optional[str]:
        return _opt_str(self, "time")

    @property
    def error(self) -> Optional[str]:
        """``cancelled``, ``authorization``, ``failed``... on error callbacks."""
        return _opt_str(self, "error")

    @property
    def event(self) -> Optional[str]:
        """``CAPTURE``, ``REFUND`` or ``VOID`` on event callbacks."""
        return _opt_str(self, "event")

    @property
    def event_id(self) -> Optional[str]:
        return _opt_str(self, "event_id")

    @property
    def params(self) -> list[tuple[str, str]]:
        """Every query parameter, in order, decoded."""
        return [(str(k), str(v)) for k, v in self._data.get("params") or ()]


class ConfirmedCallback(Model):
    """A callback checked against the transaction it names: act on ``transaction.status``."""

    __slots__ = ()
    _fields = ("callback", "transaction")
    _shown = ()

    @property
    def callback(self) -> Callback:
        return Callback(self._data["callback"])

    @property
    def transaction(self) -> Transaction:
        return Transaction(self._data["transaction"])

    def __repr__(self) -> str:
        return f"ConfirmedCallback(callback={self.callback!r}, transaction={self.transaction!r})"


class ReturnResult(Model):
    """How the customer came back to ``return_url`` (unsigned: confirm before fulfilling)."""

    __slots__ = ()
    _fields = ("outcome", "transaction_id", "merchant_reference", "session_id", "error")
    _shown = ("outcome", "transaction_id", "merchant_reference", "error")

    @property
    def outcome(self) -> str:
        """``"completed"``, ``"cancelled"`` or ``"failed"``."""
        return _str(self, "outcome")

    @property
    def transaction_id(self) -> Optional[str]:
        return _opt_str(self, "transaction_id")

    @property
    def merchant_reference(self) -> Optional[str]:
        return _opt_str(self, "merchant_reference")

    @property
    def session_id(self) -> Optional[str]:
        return _opt_str(self, "session_id")

    @property
    def error(self) -> Optional[str]:
        return _opt_str(self, "error")


class WebhookEvent(Model):
    """A verified webhook delivery body."""

    __slots__ = ()
    _fields = ("event", "account_id", "event_delivery", "transaction")
    _shown = ("event", "account_id", "event_delivery")

    @property
    def event(self) -> Optional[str]:
        return _opt_str(self, "event")

    @property
    def account_id(self) -> Optional[str]:
        return _opt_str(self, "account_id")

    @property
    def event_delivery(self) -> Optional[str]:
        return _opt_str(self, "event_delivery")

    @property
    def transaction(self) -> Optional[dict[str, Any]]:
        t = self._data.get("transaction")
        return cast("dict[str, Any]", _copy(t)) if t is not None else None
