"""Databricks' own JSON Schema for job settings and pipeline specs (shared/reference), as validators.

The bundle schema hides a few API-only job fields; its Go regexes use \\p{L} and \\p{N}, which
Python's `re` lacks.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "schemas" / "reference" / "databricks-bundle-schema.json"
API_ONLY_JOB_FIELDS = ("format", "deployment", "edit_mode")
_RESOURCES = "#/$defs/github.com/databricks/cli/bundle/config/resources."


@cache
def _defs() -> dict[str, Any]:
    text = SCHEMA_PATH.read_text(encoding="utf-8").replace("\\\\p{L}", "A-Za-z").replace("\\\\p{N}", "0-9")
    defs: dict[str, Any] = json.loads(text)["$defs"]
    return defs


def _validator(kind: str) -> Any:
    import jsonschema

    schema = {"$ref": _RESOURCES + kind, "$defs": _defs()}
    return jsonschema.Draft202012Validator(schema)


@cache
def job_validator() -> Any:
    return _validator("Job")


@cache
def pipeline_validator() -> Any:
    return _validator("Pipeline")


def job_errors(settings: Mapping[str, Any]) -> list[str]:
    trimmed = {k: v for k, v in settings.items() if k not in API_ONLY_JOB_FIELDS}
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in job_validator().iter_errors(trimmed)
    ]


def pipeline_errors(spec: Mapping[str, Any]) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in pipeline_validator().iter_errors(dict(spec))
    ]
