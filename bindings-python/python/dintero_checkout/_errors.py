"""Exceptions: the base class. Its subclasses, one per stable error kind of the core, are
generated from the core's ``ErrorKind`` (``_error_classes.py``)."""

from __future__ import annotations

from typing import Any, Optional

__all__ = [
    "SIGNATURE_EXPIRED",
    "SIGNATURE_FROM_FUTURE",
    "SIGNATURE_MALFORMED",
    "SIGNATURE_MISMATCH",
    "SIGNATURE_MISSING",
    "DinteroError",
]


class DinteroError(Exception):
    """Every error the SDK raises.

    ``kind`` is the stable category (``"not_found"``, ``"timeout"``, ...), the same string in
    every language of the SDK. ``status`` is Dintero's HTTP status, ``code`` its ``error.code``
    and ``request_id`` the id to quote to Dintero support, when known. No attribute, message
    or ``repr`` ever contains a secret.

    ``is_transient`` is the core's verdict that the same call may succeed later (a network
    failure, a timeout, 429, 5xx); ``is_authentic_but_late`` is true for a callback signature
    made with your secret that is only outside the time window.

    On a capture, refund or void, ``reference`` is the ``capture_reference`` /
    ``refund_reference`` the write used (yours, or the one the SDK generated) and
    ``outcome_unknown`` is true when the SDK cannot tell whether Dintero applied it. The safe
    retry is the same call with ``capture_reference=error.reference``: it returns the earlier
    result if there was one, and captures once if there was none.
    """

    kind: str = "unknown"

    def __init__(
        self,
        message: str,
        *,
        kind: Optional[str] = None,
        status: Optional[int] = None,
        code: Optional[str] = None,
        request_id: Optional[str] = None,
        reference: Optional[str] = None,
        outcome_unknown: bool = False,
        is_transient: bool = False,
        is_authentic_but_late: bool = False,
    ) -> None:
        super().__init__(message)
        if kind is not None:
            self.kind = kind
        self.message = message
        self.status = status
        self.code = code
        self.request_id = request_id
        self.reference = reference
        self.outcome_unknown = outcome_unknown
        self.is_transient = is_transient
        self.is_authentic_but_late = is_authentic_but_late

    def __str__(self) -> str:
        extras = [f"{label} {getattr(self, name)}" for name, label in _SHOWN if getattr(self, name, None) is not None]
        if getattr(self, "outcome_unknown", False):
            extras.append("outcome unknown")
        return f"{self.kind}: {self.message}" + (f" ({', '.join(extras)})" if extras else "")

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name, None)!r}" for name in _FIELDS)
        return f"{type(self).__name__}({fields})"

    def __reduce__(self) -> tuple[Any, ...]:
        # Keeps the class and fields across pickling (celery, multiprocessing).
        return (_from_native, tuple(getattr(self, name, None) for name in _FIELDS))


# The fields, in the order the compiled module passes them to ``_from_native``.
_FIELDS: tuple[str, ...] = ("kind", "message", "status", "code", "request_id", "reference", "outcome_unknown")
_FIELDS += ("is_transient", "is_authentic_but_late")
_SHOWN = (("status", "status"), ("code", "code"), ("request_id", "request id"), ("reference", "reference"))


#: ``SignatureError.code`` of an authentic signature older than the tolerance: most likely a
#: late retry of Dintero's. Confirm by re-reading the transaction and answer 2xx.
SIGNATURE_EXPIRED = "signature_expired"
#: ``SignatureError.code`` of an authentic signature dated too far in the future (a clock off).
SIGNATURE_FROM_FUTURE = "signature_from_future"
#: ``SignatureError.code`` of a signature that does not match (forged, wrong secret or account,
#: or a changed URL). Answer 4xx.
SIGNATURE_MISMATCH = "signature_mismatch"
#: ``SignatureError.code`` when the ``Dintero-Signature`` header is missing.
SIGNATURE_MISSING = "signature_missing"
#: ``SignatureError.code`` when the header or the URL cannot be read, or it is no callback.
SIGNATURE_MALFORMED = "signature_malformed"


def _from_native(kind: str, message: str, *fields: Any) -> DinteroError:
    """Builds the exception for a core error (called by the compiled module with ``_FIELDS``)."""
    from ._error_classes import ERROR_CLASSES

    return ERROR_CLASSES.get(kind, DinteroError)(message, kind=kind, **dict(zip(_FIELDS[2:], fields)))
