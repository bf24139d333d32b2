"""Where the ``dintero-emulator`` program of this distribution is installed.

>>> import dintero_emulator
>>> dintero_emulator.binary_path()  # doctest: +SKIP
'/path/to/venv/bin/dintero-emulator'

``dintero_checkout.testing.Emulator`` calls this to find the program without relying on
``PATH``.
"""

from __future__ import annotations

import os
import sys
import sysconfig
from importlib import metadata
from typing import Optional

__all__ = ["PROGRAM", "binary_path"]

#: The program's file name on this platform.
PROGRAM = "dintero-emulator.exe" if sys.platform == "win32" else "dintero-emulator"


def binary_path() -> Optional[str]:
    """The absolute path of the installed ``dintero-emulator`` program, or ``None`` if this
    distribution's files do not include it (a broken install)."""
    candidates = []
    try:
        files = metadata.distribution("dintero-emulator").files or []
    except metadata.PackageNotFoundError:
        files = []
    # The wheel's RECORD names the program relative to site-packages (e.g. ../../../bin/...),
    # whatever the install scheme (venv, --user, --prefix).
    for entry in files:
        if entry.name == PROGRAM:
            candidates.append(str(entry.locate()))
    candidates.append(os.path.join(sysconfig.get_path("scripts"), PROGRAM))
    for path in candidates:
        path = os.path.abspath(path)
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None
