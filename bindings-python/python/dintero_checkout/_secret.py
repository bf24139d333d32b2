"""A value that never shows itself: the client secret, a proxy URL with credentials, the
callback signature secret.

Every function of the package that takes a secret wraps it on its first line, so the raw
string never sits in a local variable of a Python frame while something can raise. Error
reporters that capture locals (Sentry, ``traceback.TracebackException(capture_locals=True)``)
see ``Secret('***')``.
"""

from __future__ import annotations

from typing import Optional, Union


class Secret:
    """A secret string. ``repr``, ``str`` and ``format`` print ``***``; ``reveal()`` gives the
    value. You may pass one wherever the package takes a secret."""

    __slots__ = ("_value",)

    def __init__(self, value: Union[str, Secret]) -> None:
        self._value: object = value._value if isinstance(value, Secret) else value

    @staticmethod
    def wrap(value: Union[str, Secret]) -> Secret:
        """``value`` as a ``Secret`` (the same object when it already is one)."""
        return value if isinstance(value, Secret) else Secret(value)

    @staticmethod
    def wrap_optional(value: Union[str, Secret, None]) -> Optional[Secret]:
        """``wrap``, keeping ``None``."""
        return None if value is None else Secret.wrap(value)

    def reveal(self) -> str:
        """The secret itself; hand it straight to the code that needs it. A value that is not
        a string is passed on as it is, for the callee to refuse by name."""
        return self._value  # type: ignore[return-value]

    def __repr__(self) -> str:
        return "Secret('***')"

    def __str__(self) -> str:
        return "***"

    def __format__(self, spec: str) -> str:
        return "***"

    def __reduce__(self) -> str:
        raise TypeError("a Secret cannot be pickled")


def reveal_optional(value: Optional[Secret]) -> Optional[str]:
    """``value.reveal()``, keeping ``None``."""
    return None if value is None else value.reveal()
