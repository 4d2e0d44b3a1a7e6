"""pydantic's validation errors as problems for people: a position in the file, a message, a hint.

Error locations are walked through the YAML positions: an unknown key points at the key, a
missing key at the mapping that lacks it, anything else at the offending value. Locations carry
segments that are not YAML keys — the tag of a schedule form, as in
('share', 0, 'pipelines', 0, 'schedule', 'cron', 'timezone') — which are dropped on the way.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from sharepack.errors import SpecProblem, did_you_mean
from sharepack.pack.models import SharePack
from sharepack.pack.positions import PositionIndex, render_path

SCHEDULE_TAGS = frozenset(("cron", "continuous", "interval", "once", "event"))
_SCHEDULE_KEYS = ("cron", "every", "at", "on", "continuous")
_EXPECTED = {
    "string_type": "expected text",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "int_from_float": "expected a whole number",
    "float_type": "expected a number",
    "float_parsing": "expected a number",
    "list_type": "expected a list",
    "dict_type": "expected a mapping (key: value)",
    "model_type": "expected a mapping (key: value)",
    "model_attributes_type": "expected a mapping (key: value)",
    "datetime_type": "expected a date and time such as 2025-01-31T09:00:00",
    "datetime_parsing": "expected a date and time such as 2025-01-31T09:00:00",
    "datetime_from_date_parsing": "expected a date and time such as 2025-01-31T09:00:00",
}


def validation_problems(
    exc: ValidationError, index: PositionIndex, file: str, root: type[BaseModel] = SharePack
) -> list[SpecProblem]:
    problems = []
    for error in exc.errors(include_url=False):
        problems.append(_problem(error, index, file, root))
    return problems


def yaml_loc(loc: Sequence[str | int]) -> tuple[str | int, ...]:
    """The location without the tag pydantic inserts after a `schedule` key."""
    kept: list[str | int] = []
    for i, segment in enumerate(loc):
        if i and loc[i - 1] == "schedule" and segment in SCHEDULE_TAGS:
            continue
        kept.append(segment)
    return tuple(kept)


def _problem(error: ErrorDetails, index: PositionIndex, file: str, root: type[BaseModel]) -> SpecProblem:
    raw_loc = tuple(error["loc"])
    loc = yaml_loc(raw_loc)
    kind = error["type"]
    hint: str | None = None
    if kind == "missing":
        parent = index.locate(loc[:-1])
        line, col = parent.mark
        where = parent.matched
        message = f"missing required key {loc[-1]!r}"
    elif kind == "extra_forbidden":
        found = index.locate(loc, key=True)
        line, col = found.mark
        where = found.matched[:-1]
        message = f"unknown key {loc[-1]!r}"
        allowed = allowed_keys(root, raw_loc[:-1])
        if allowed:
            hint = did_you_mean(str(loc[-1]), allowed) or "allowed here: " + ", ".join(allowed)
    else:
        found = index.locate(loc)
        line, col = found.mark
        where = found.matched
        message, hint = _message(error)
    text = f"{render_path(where)}: {message}" if where else message
    return SpecProblem(file, line, col, text, hint)


def _message(error: ErrorDetails) -> tuple[str, str | None]:
    kind = error["type"]
    value = error.get("input")
    ctx = error.get("ctx") or {}
    if kind in _EXPECTED:
        hint = "quote it to make it text" if kind == "string_type" and _is_scalar(value) else None
        return f"{_EXPECTED[kind]}, got {describe(value)}", hint
    if kind == "literal_error":
        choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        hint = did_you_mean(str(value), choices) if isinstance(value, str) else None
        return f"expected {ctx.get('expected', 'another value')}, got {describe(value)}", hint
    if kind == "greater_than_equal":
        return f"must be {ctx.get('ge')} or more, got {describe(value)}", None
    if kind == "too_short" and ctx.get("min_length") == 1:
        return "must not be empty", None
    if kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, "), None
    if kind == "schedule_form":
        hint = None
        if isinstance(value, dict):
            for key in value:
                hint = hint or did_you_mean(str(key), _SCHEDULE_KEYS)
        return str(error["msg"]), hint
    return str(error["msg"]), None


def _is_scalar(value: Any) -> bool:
    return isinstance(value, int | float | bool)


def describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def allowed_keys(root: type[BaseModel], loc: Sequence[str | int]) -> list[str] | None:
    """The keys the model at `loc` accepts (for a did-you-mean), following pydantic's location."""
    current: Any = root
    for segment in loc:
        current = _step(current, segment)
        if current is None:
            return None
    model = _model_of(current)
    if model is None:
        return None
    return [field.alias or name for name, field in model.model_fields.items()]


def _unwrap(annotation: Any) -> Any:
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(members) != 1:
                return annotation
            annotation = members[0]
        else:
            return annotation


def _model_of(annotation: Any) -> type[BaseModel] | None:
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _step(annotation: Any, segment: str | int) -> Any:
    annotation = _unwrap(annotation)
    model = _model_of(annotation)
    if model is not None:
        for name, field in model.model_fields.items():
            if (field.alias or name) == segment:
                return field.annotation
        return None
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is list and isinstance(segment, int):
        return args[0]
    if origin is dict and isinstance(segment, str):
        return args[1]
    if origin in (typing.Union, types.UnionType):  # a tagged union: the segment is the tag
        for member in args:
            metadata = getattr(member, "__metadata__", ())
            if any(getattr(item, "tag", None) == segment for item in metadata):
                return member
    return None
