"""What every SharePack model shares: unknown keys refused, lenient text, case-insensitive choices.

Kept apart from `models.py` so that the sharing models (`sharing_models.py`) can use it while
`models.py` uses them.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, WithJsonSchema


class SpecModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def as_text(value: Any) -> Any:
    """Numbers and booleans written where text is expected become text (`retries: 3` is "3")."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if value is None:
        raise ValueError("expected a value here, got nothing")
    if isinstance(value, list | dict):
        raise ValueError("expected a single value (text, a number or true/false), not a list or mapping")
    return value


def upper_choice(*choices: str) -> BeforeValidator:
    """Accept `current` for `CURRENT`, but report a wrong value as it was written."""

    def upper(value: Any) -> Any:
        return value.upper() if isinstance(value, str) and value.upper() in choices else value

    return BeforeValidator(upper)


Text = Annotated[str, BeforeValidator(as_text), WithJsonSchema({"type": ["string", "number", "boolean"]})]
