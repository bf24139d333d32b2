"""What the models do beyond their fields. Every rule is the core's: these methods call it.

The generated model classes (``_models.py``) take the ``<Name>Rules`` mixins of this module.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from . import _native

__all__ = ["QueryParamRules", "SignatureErrorRules", "TransactionRules"]


class TransactionRules:
    """Rules of the core about a ``Transaction``."""

    __slots__ = ()
    _data: dict[str, Any]

    def is_paid(self) -> bool:
        """Whether the customer's money is secured (authorized, captured, partly refunded...),
        by the core's rule, the same in every language of the SDK."""
        return bool(_native.transaction_rule("is_paid", self._data))

    def captured_amount(self) -> int:
        """Minor units captured so far (successful capture events)."""
        return int(_native.transaction_rule("captured_amount", self._data))

    def refunded_amount(self) -> int:
        """Minor units refunded so far (successful refund events)."""
        return int(_native.transaction_rule("refunded_amount", self._data))


class QueryParamRules:
    """A ``QueryParam`` also unpacks as a ``(name, value)`` pair: ``for k, v in cb.params``."""

    __slots__ = ()
    _data: dict[str, Any]

    def __iter__(self) -> Iterator[str]:
        yield str(self._data.get("name", ""))
        yield str(self._data.get("value", ""))


class SignatureErrorRules:
    """``SignatureError.authentic_but_late``: the earlier name of ``is_authentic_but_late``."""

    @property
    def authentic_but_late(self) -> bool:
        return bool(getattr(self, "is_authentic_but_late", False))
