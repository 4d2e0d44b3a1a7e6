"""Errors of the schedule language."""

from __future__ import annotations


class CronError(ValueError):
    """An expression that is not valid, naming the field and the 1-based character position."""

    def __init__(self, message: str, *, field: str | None = None, position: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.position = position
