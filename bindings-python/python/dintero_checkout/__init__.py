"""Dintero Checkout for Python: typed, sync and async, over one Rust core.

>>> from dintero_checkout import Client
>>> client = Client(account_id="T12345678", client_id="...", client_secret="...")
>>> session = client.sessions.create({...})
>>> print(session.url)

See ``dintero_checkout.testing.Emulator`` for a local Dintero to test against. The public names
are those the submodules list in ``__all__``: the clients, the callback and webhook functions, the
errors, and the response models generated from the core's schema.
"""

from __future__ import annotations

from . import _native
from ._callbacks import *  # noqa: F403
from ._client import *  # noqa: F403
from ._error_classes import *  # noqa: F403
from ._errors import *  # noqa: F403
from ._models import *  # noqa: F403
from ._secret import Secret as Secret

__version__: str = _native.__version__
