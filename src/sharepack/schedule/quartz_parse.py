"""Quartz cron expressions, parsed and validated by the rules of Quartz's `CronExpression`.

Seven fields, the last optional: seconds, minutes, hours, day-of-month, month, day-of-week, year.
Values, ranges (`1-5`, wrapping `22-2`, `FRI-MON`), lists, steps (`0/15`, `5/20`, `*/10`,
`10-40/10`), names (JAN-DEC, SUN-SAT, case-insensitive; full names too), `?` in exactly one of
day-of-month and day-of-week, `L`, `L-3`, `LW`, `15W` in day-of-month, `L`, `5L`, `6#3` in
day-of-week. The meaning of each form is Quartz 2.3.2's, the release whose behaviour Databricks
documents (2.5.0 regressed `L` in short months: quartz-scheduler/quartz#1298).

Where Quartz would silently ignore characters (`MON-FRI/2` reads as `MON-FRI`, `5X` as `5`,
`15W,20` as `15W`) or pick one of several values (`6#3,2`), sharepack refuses the expression
instead, so that what the user wrote is what runs. Errors name the field and the 1-based
character position in the expression.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from sharepack.schedule.errors import CronError

FIELD_NAMES = ("seconds", "minutes", "hours", "day-of-month", "month", "day-of-week", "year")
SECOND, MINUTE, HOUR, DAY_OF_MONTH, MONTH, DAY_OF_WEEK, YEAR = range(7)
MIN_YEAR, MAX_YEAR = 1970, 2199  # Quartz's documented year range
_BOUNDS = ((0, 59), (0, 59), (0, 23), (1, 31), (1, 12), (1, 7), (MIN_YEAR, MAX_YEAR))
_STEP_LIMIT = (59, 59, 23, 31, 12, 7, MAX_YEAR - MIN_YEAR)
_WRAP = (60, 60, 24, 31, 12, 7, 0)
MONTH_NAMES = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
DAY_NAMES = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
_FULL_MONTHS = (
    "JANUARY",
    "FEBRUARY",
    "MARCH",
    "APRIL",
    "MAY",
    "JUNE",
    "JULY",
    "AUGUST",
    "SEPTEMBER",
    "OCTOBER",
    "NOVEMBER",
    "DECEMBER",
)
_FULL_DAYS = ("SUNDAY", "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY")
_NAMES = {
    MONTH: {
        **{n: i + 1 for i, n in enumerate(MONTH_NAMES)},
        **{n: i + 1 for i, n in enumerate(_FULL_MONTHS)},
    },
    DAY_OF_WEEK: {
        **{n: i + 1 for i, n in enumerate(DAY_NAMES)},
        **{n: i + 1 for i, n in enumerate(_FULL_DAYS)},
    },
}
_SHORT = {
    MONTH: dict(zip(_FULL_MONTHS, MONTH_NAMES, strict=True)),
    DAY_OF_WEEK: dict(zip(_FULL_DAYS, DAY_NAMES, strict=True)),
}
_RANGE = re.compile(r"^(?P<start>[0-9]+|[A-Z]+)(?:-(?P<end>[0-9]+|[A-Z]+))?(?:/(?P<step>[^/]*))?$")
_ALL = re.compile(r"^\*?/(?P<step>.*)$")


@dataclass(frozen=True)
class QuartzExpression:
    """A parsed Quartz expression: the sets of values each field allows, and the special flags."""

    text: str  # canonical: upper case, single spaces, three-letter names
    seconds: tuple[int, ...]
    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    days_of_month: tuple[int, ...]  # empty for '?' and for L
    months: tuple[int, ...]
    days_of_week: tuple[int, ...]  # 1 = Sunday ... 7 = Saturday; empty for '?'
    years: tuple[int, ...]
    day_of_month_set: bool = True  # False when day-of-month is '?'
    last_day_of_month: bool = False  # L, L-n, LW
    last_day_offset: int = 0  # n of L-n
    nearest_weekday: bool = False  # nW or LW
    last_day_of_week: bool = False  # nL: the last such weekday of the month
    nth_day_of_week: int = 0  # n of d#n

    @property
    def fields(self) -> list[str]:
        return self.text.split(" ")


class _Token(NamedTuple):
    text: str
    position: int  # 1-based


class _Field:
    """Accumulates one field's values and flags while its items are read."""

    def __init__(self, index: int, token: _Token) -> None:
        self.index = index
        self.token = token
        self.values: set[int] = set()
        self.no_spec = False
        self.last = False
        self.last_offset = 0
        self.weekday = False
        self.nth = 0

    @property
    def name(self) -> str:
        return FIELD_NAMES[self.index]

    def error(self, message: str, offset: int = 0) -> CronError:
        position = self.token.position + offset
        return CronError(
            f"{self.name} field {self.token.text!r} at position {position}: {message}",
            field=self.name,
            position=position,
        )


def _with_days(tokens: list[_Token], dom: str | None, dow: str | None) -> str:
    """The user's own expression with its day-of-month and/or day-of-week replaced."""
    words = [t.text for t in tokens]
    if dom is not None:
        words[DAY_OF_MONTH] = dom
    if dow is not None:
        words[DAY_OF_WEEK] = dow
    return " ".join(words)


def with_one_day_field(expression: str) -> str | None:
    """`0 0 9-17 * * MON-FRI` as Quartz takes it, `0 0 9-17 ? * MON-FRI`: when both day fields
    are set and one is `*` ("any day"), that one means nothing and becomes `?`. None when the
    expression is not Quartz-shaped or is not in that case (both specific stays refused)."""
    words = expression.split()
    if len(words) not in (6, 7):
        return None
    dom, dow = words[DAY_OF_MONTH], words[DAY_OF_WEEK]
    if "?" in (dom, dow) or "*" not in (dom, dow):
        return None
    if dow == "*":
        words[DAY_OF_WEEK] = "?"  # `* * *`: every day, said by the day of the month
    else:
        words[DAY_OF_MONTH] = "?"
    return " ".join(words)


def parse_quartz(expression: str) -> QuartzExpression:
    """Parse a 6- or 7-field Quartz expression, or raise CronError naming the field and position."""
    tokens = [_Token(m.group(0).upper(), m.start() + 1) for m in re.finditer(r"\S+", expression)]
    if len(tokens) not in (6, 7):
        position = tokens[7].position if len(tokens) > 7 else len(expression) + 1
        raise CronError(
            f"expected 6 or 7 fields (seconds minutes hours day-of-month month day-of-week [year]), "
            f"got {len(tokens)}",
            field=None,
            position=position,
        )
    fields = [_parse_field(i, token) for i, token in enumerate(tokens)]
    if len(fields) == 6:
        year = _Field(YEAR, _Token("*", 0))
        year.values = set(range(MIN_YEAR, MAX_YEAR + 1))
        fields.append(year)
    dom, dow = fields[DAY_OF_MONTH], fields[DAY_OF_WEEK]
    if dom.no_spec and dow.no_spec:
        raise dow.error("'?' may be in only one of day-of-month and day-of-week; give the other a value")
    if not dom.no_spec and not dow.no_spec:
        raise dow.error(
            "day-of-month and day-of-week cannot both be set (Quartz does not support it); put '?' "
            f"in one of them, e.g. {_with_days(tokens, '?', None)!r} or {_with_days(tokens, None, '?')!r}"
        )
    text = " ".join(_canonical(i, t.text) for i, t in enumerate(tokens))
    return QuartzExpression(
        text=text,
        seconds=tuple(sorted(fields[SECOND].values)),
        minutes=tuple(sorted(fields[MINUTE].values)),
        hours=tuple(sorted(fields[HOUR].values)),
        days_of_month=tuple(sorted(dom.values)),
        months=tuple(sorted(fields[MONTH].values)),
        days_of_week=tuple(sorted(dow.values)),
        years=tuple(sorted(fields[YEAR].values)),
        day_of_month_set=not dom.no_spec,
        last_day_of_month=dom.last,
        last_day_offset=dom.last_offset,
        nearest_weekday=dom.weekday,
        last_day_of_week=dow.last,
        nth_day_of_week=dow.nth,
    )


def _canonical(index: int, text: str) -> str:
    for full, short in _SHORT.get(index, {}).items():
        text = text.replace(full, short)
    return text


def _parse_field(index: int, token: _Token) -> _Field:
    field = _Field(index, token)
    text = token.text
    if text == "?":
        if index not in (DAY_OF_MONTH, DAY_OF_WEEK):
            raise field.error("'?' is allowed only in day-of-month or day-of-week")
        field.no_spec = True
        return field
    items = text.split(",")
    if len(items) > 1:
        if index == DAY_OF_MONTH and ("L" in text or "W" in text):
            raise field.error("L and W cannot be combined with other days in a list")
        if index == DAY_OF_WEEK and ("L" in text or "#" in text):
            raise field.error("L and # cannot be combined with other days in a list")
    offset = 0
    for item in items:
        if not item:
            raise field.error("empty value in the list (two commas, or a comma at an end)", offset)
        _parse_item(field, item, offset)
        offset += len(item) + 1
    return field


def _parse_item(field: _Field, item: str, offset: int) -> None:
    if item == "?":
        raise field.error("'?' must be the whole field, not part of a list", offset)
    if field.index == DAY_OF_MONTH and _day_of_month_special(field, item, offset):
        return
    if field.index == DAY_OF_WEEK and _day_of_week_special(field, item, offset):
        return
    low, high = _BOUNDS[field.index]
    every = _ALL.match(item)
    if item == "*":
        field.values.update(range(low, high + 1))
        return
    if every:
        step = _step(field, every.group("step"), offset + item.index("/") + 1)
        field.values.update(range(low, high + 1, step))
        return
    match = _RANGE.match(item)
    if not match:
        bad = next((i for i, c in enumerate(item) if not (c.isalnum() or c in "-/*")), 0)
        raise field.error(
            f"cannot read {item!r}: expected a value, a range a-b, a step a/n or *", offset + bad
        )
    start_text, end_text = match.group("start"), match.group("end")
    if end_text is not None and start_text.isdigit() != end_text.isdigit():
        raise field.error(
            f"cannot read {item!r}: a range is two numbers or two names, not one of each", offset
        )
    if not start_text.isdigit() and match.group("step") is not None:
        # Quartz reads MON-FRI/2 as MON-FRI, dropping the step without a word.
        raise field.error(f"cannot read {item!r}: a step needs numbers (write 2-6/2, not MON-FRI/2)", offset)
    start = _value(field, start_text, offset)
    end = _value(field, end_text, offset + item.index("-") + 1) if end_text is not None else None
    step_text = match.group("step")
    if step_text is None:
        stop, step = (start if end is None else end), 1
    else:
        stop = high if end is None else end
        step = _step(field, step_text, offset + item.index("/") + 1)
    _add_range(field, start, stop, step, offset)


def _value(field: _Field, text: str, offset: int) -> int:
    names = _NAMES.get(field.index)
    if text.isdigit():
        value = int(text)
    elif names is not None and text in names:
        return names[text]
    elif names is not None:
        kind = "month" if field.index == MONTH else "day"
        shown = "JAN-DEC" if field.index == MONTH else "SUN-SAT"
        raise field.error(f"{text!r} is not a {kind} name; use {shown} or numbers", offset)
    else:
        raise field.error(f"{text!r} is not a number", offset)
    low, high = _BOUNDS[field.index]
    if not low <= value <= high:
        extra = " (1 = Sunday)" if field.index == DAY_OF_WEEK else ""
        raise field.error(f"{value} is out of range: {field.name} allows {low}-{high}{extra}", offset)
    return value


def _step(field: _Field, text: str, offset: int) -> int:
    if not text.isdigit():
        raise field.error(f"a step is written /n with a whole number n, got /{text}", offset)
    step = int(text)
    limit = _STEP_LIMIT[field.index]
    if not 1 <= step <= limit:
        raise field.error(f"step {step} is out of range: {field.name} steps must be 1-{limit}", offset)
    return step


def _add_range(field: _Field, start: int, stop: int, step: int, offset: int) -> None:
    """Quartz's addToSet: a range that ends before it starts wraps around (22-2 is 22,23,0,1,2)."""
    wrap = _WRAP[field.index]
    if stop < start:
        if field.index == YEAR:
            raise field.error(f"the year range {start}-{stop} runs backwards", offset)
        stop += wrap
    for value in range(start, stop + 1, step):
        if value >= wrap > 0:
            value %= wrap
            if value == 0 and field.index in (DAY_OF_MONTH, MONTH, DAY_OF_WEEK):
                value = wrap
        field.values.add(value)


_LAST_DAY = re.compile(r"^L(?:-(?P<offset>[0-9]+))?(?P<weekday>W)?$")
_NEAREST_WEEKDAY = re.compile(r"^(?P<day>[0-9]+)W$")


def _day_of_month_special(field: _Field, item: str, offset: int) -> bool:
    last = _LAST_DAY.match(item)
    if last:
        field.last = True
        field.weekday = last.group("weekday") is not None
        if last.group("offset") is not None:
            field.last_offset = int(last.group("offset"))
            if field.last_offset > 30:
                raise field.error(
                    f"L-{field.last_offset}: the offset from the last day must be at most 30", offset
                )
        return True
    nearest = _NEAREST_WEEKDAY.match(item)
    if nearest:
        day = int(nearest.group("day"))
        if not 1 <= day <= 31:
            raise field.error(f"{day}W: the day must be 1-31", offset)
        field.weekday = True
        field.values.add(day)
        return True
    if "L" in item or "W" in item:
        raise field.error(
            f"cannot read {item!r}: day-of-month takes L, L-n, LW, L-nW or nW (one day)", offset
        )
    return False


_DAY_SUFFIX = re.compile(r"^(?P<day>[0-9]+|[A-Z]{3,9}?)(?P<suffix>L|#(?P<nth>[0-9]*))$")


def _day_of_week_special(field: _Field, item: str, offset: int) -> bool:
    if item == "L":  # Quartz: L alone in day-of-week is 7, Saturday
        field.values.add(7)
        return True
    match = _DAY_SUFFIX.match(item)
    if not match:
        if "#" in item or item.endswith("L"):
            raise field.error(f"cannot read {item!r}: write dL (last d of the month) or d#n (n-th d)", offset)
        return False
    day = _value(field, match.group("day"), offset)
    if match.group("suffix") == "L":
        field.last = True
    else:
        nth = match.group("nth")
        if not nth.isdigit() or not 1 <= int(nth) <= 5:
            raise field.error(
                "a number 1-5 must follow '#' (the n-th such day of the month)", offset + item.index("#") + 1
            )
        field.nth = int(nth)
    field.values.add(day)
    return True
