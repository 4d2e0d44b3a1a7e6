"""Caps on how much a pack may grow while it is read: through `${var.…}` references and through
YAML aliases of big values. Both are counted in characters, before the text is built, so a small
file that would expand to gigabytes is refused with its position instead of exhausting memory."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# Far above any real pack (a thousand pipelines is well under 1 MB of YAML), far below trouble.
MAX_EXPANDED_CHARS = 10_000_000

_REFERENCE = re.compile(r"\$(\$?)\{([^{}]*)\}")
_VAR = "var."


def reference_growth(text: str, values: Mapping[str, str | None], user: str, user_reference: str) -> int:
    """How many characters substituting `text`'s references would add (escapes `$${` add none)."""
    grown = 0
    for match in _REFERENCE.finditer(text):
        if match.group(1):
            continue
        reference = match.group(2).strip()
        if reference == user_reference:
            replacement = user
        elif reference.startswith(_VAR):
            replacement = values.get(reference[len(_VAR) :]) or ""
        else:
            continue
        grown += len(replacement) - len(match.group(0))
    return grown


def chars_of(value: Any, limit: int) -> int:
    """The characters in a loaded YAML value (strings, keys and all), counted up to `limit`."""
    total = 0
    stack = [value]
    while stack and total <= limit:
        item = stack.pop()
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        else:
            total += 8  # a number, boolean or null: a few characters
    return total
