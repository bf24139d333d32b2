"""The generated half of the package follows the core: a field or a kind added in the core
(testdata/models.schema.json) appears in Python as a typed property, a request key or an
exception class, and the committed files are what the committed schema gives."""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path
from typing import Any

from conftest import TESTDATA

GENERATOR = os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "gen-models.py")


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location("gen_models", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _schema() -> dict[str, Any]:
    with open(os.path.join(TESTDATA, "models.schema.json")) as f:
        return dict(json.load(f))


def test_a_field_and_a_kind_added_in_the_core_appear() -> None:
    gen = _generator()
    schema = _schema()
    note = {"type": ["string", "null"], "description": "Where the money went."}
    schema["$defs"]["Transaction"]["properties"]["settlement_id"] = note
    schema["$defs"]["CaptureRequest"]["properties"]["settlement_id"] = note
    schema["$defs"]["ErrorKind"]["oneOf"].append({"type": "string", "const": "gone_fishing", "description": "Away."})
    s = gen.Schema(schema)
    models, types, errors = gen.gen_models(s), gen.gen_types(s), gen.gen_error_classes(s)
    assert 'def settlement_id(self) -> Optional[str]:\n        """Where the money went."""' in models
    assert "    settlement_id: str\n" in types.split("class CaptureRequestParams")[1]
    assert 'class GoneFishingError(DinteroError):\n    """Away."""' in errors


def test_the_committed_files_are_what_the_schema_gives() -> None:
    gen = _generator()
    s = gen.Schema(_schema())
    for name, text in (("_models.py", gen.gen_models(s)), ("types.py", gen.gen_types(s))):
        path = Path(gen.PKG) / name
        assert gen.formatted(path, text) == path.read_text(), f"{name} is stale: run scripts/gen-models.py"
