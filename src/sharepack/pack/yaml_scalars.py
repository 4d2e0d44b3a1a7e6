"""Scalars under the YAML 1.2 core schema: what `true`, `~`, `0x1F` or `1e3` written plainly mean.

YAML 1.1 (PyYAML's default) also reads `yes`, `no`, `on`, `off`, `1:30` and dates as non-text,
which surprises people (`on:` becoming `true`); 1.2 keeps them text.
"""

from __future__ import annotations

import math
import re
from typing import Any

NOT_A_SCALAR = object()
_INT = re.compile(r"[-+]?[0-9]+\Z")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_MAYBE_NOT_TEXT = frozenset("0123456789-+.~nNtTfF")


def convert_tagged(kind: str, value: Any) -> Any:
    """A scalar explicitly tagged !!int, !!float, !!bool or !!null; NOT_A_SCALAR when it is not one."""
    is_bool = isinstance(value, bool)
    if kind == "int" and isinstance(value, int) and not is_bool:
        return value
    if kind == "float" and isinstance(value, int | float) and not is_bool:
        return float(value)
    if kind == "bool" and is_bool:
        return value
    if kind == "null" and value is None:
        return None
    return NOT_A_SCALAR


def plain_scalar(text: str) -> Any:
    """The value of an untagged plain scalar under the YAML 1.2 core schema."""
    if text and text[0] not in _MAYBE_NOT_TEXT:
        return text
    if text in _NULLS:
        return None
    if text in _BOOLS:
        return _BOOLS[text]
    try:
        if _INT.match(text):
            return int(text)
        if text.startswith("0o") and len(text) > 2:
            return int(text[2:], 8)
        if text.startswith("0x") and len(text) > 2:
            return int(text[2:], 16)
    except ValueError:  # not octal/hex digits, or more digits than Python converts
        return text
    if _FLOAT.match(text):
        return float(text)
    lowered = text.lstrip("+-").lower()
    if lowered == ".inf":
        return -math.inf if text.startswith("-") else math.inf
    if text in (".nan", ".NaN", ".NAN"):
        return math.nan
    return text
