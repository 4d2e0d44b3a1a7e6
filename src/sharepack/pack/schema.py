"""The JSON Schema of a SharePack, generated from the models, for editors (yaml-language-server).

Fields typed boolean or number also accept a `${...}` reference, since substitution happens
before validation: `serverless: ${var.serverless}` is valid.
"""

from __future__ import annotations

import json
from typing import Any

from sharepack.pack.models import SharePack

DIALECT = "https://json-schema.org/draft/2020-12/schema"
_REFERENCE = {"type": "string", "pattern": r"^.*\$\{[^{}]+\}.*$"}
_TYPED_KEYS = ("type", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")


def pack_json_schema() -> dict[str, Any]:
    schema = SharePack.model_json_schema(mode="validation")
    _allow_references(schema)
    return {"$schema": DIALECT, **schema}


def pack_json_schema_text() -> str:
    """The schema as written to schemas/sharepack.schema.json (stable key order, final newline)."""
    return json.dumps(pack_json_schema(), indent=2, ensure_ascii=False) + "\n"


def _allow_references(node: Any) -> None:
    if isinstance(node, list):
        for item in node:
            _allow_references(item)
        return
    if not isinstance(node, dict):
        return
    for value in node.values():
        _allow_references(value)
    if node.get("type") in ("boolean", "integer", "number"):
        typed = {key: node.pop(key) for key in _TYPED_KEYS if key in node}
        node["anyOf"] = [typed, dict(_REFERENCE)]
