"""5-field Unix cron (`30 9 * * 1-5`) as the equivalent Quartz expression (`0 30 9 ? * MON-FRI`).

The differences that matter:
- Quartz has a seconds field first: it becomes `0`.
- Day-of-week: Unix counts 0-7 from Sunday (0 and 7 are both Sunday), Quartz 1-7 (1 = Sunday).
  The converted field uses names (MON-FRI), which mean the same in both.
- Day-of-month and day-of-week: Quartz wants `?` in one of them. When Unix cron restricts both,
  it runs on days matching *either* (Vixie cron; or *both* when one of them starts with `*`),
  which no single Quartz expression can say, so that is an error rather than a guess.
- Unix ranges do not wrap around (`22-2` is an error); Quartz's do.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from sharepack.schedule.errors import CronError
from sharepack.schedule.quartz_parse import DAY_NAMES, MONTH_NAMES, parse_quartz

_FIELDS = ("minutes", "hours", "day-of-month", "month", "day-of-week")
_BOUNDS = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))
_NAMES: tuple[dict[str, int], ...] = (
    {},
    {},
    {},
    {name: i + 1 for i, name in enumerate(MONTH_NAMES)},
    {name: i for i, name in enumerate(DAY_NAMES)},
)
_ITEM = re.compile(r"^(?P<start>\*|[0-9]+|[A-Z]{3})(?:-(?P<end>[0-9]+|[A-Z]{3}))?(?:/(?P<step>[0-9]+))?$")
DOM, DOW = 2, 4


class _Field(NamedTuple):
    text: str
    position: int
    values: frozenset[int]


def unix_to_quartz(expression: str) -> str:
    """The Quartz expression equivalent to a 5-field Unix cron expression, or CronError."""
    tokens = [(m.group(0).upper(), m.start() + 1) for m in re.finditer(r"\S+", expression)]
    if len(tokens) != 5:
        raise CronError(f"a Unix cron expression has 5 fields, got {len(tokens)}")
    fields = [_parse(i, text, position) for i, (text, position) in enumerate(tokens)]
    day_of_month, day_of_week = _days(fields[DOM], fields[DOW])
    minutes, hours, _, month, _ = (f.text.replace("?", "*") for f in fields)
    quartz = f"0 {minutes} {hours} {day_of_month} {month} {day_of_week}"
    return parse_quartz(quartz).text


def _parse(index: int, text: str, position: int) -> _Field:
    name = _FIELDS[index]
    low, high = _BOUNDS[index]
    names = _NAMES[index]

    def error(message: str, offset: int = 0) -> CronError:
        at = position + offset
        return CronError(f"{name} field {text!r} at position {at}: {message}", field=name, position=at)

    def number(value: str, offset: int) -> int:
        if value in names:
            return names[value]
        if not value.isdigit():
            hint = " (use numbers or three-letter names)" if names else ""
            raise error(f"{value!r} is not a valid {name} value{hint}", offset)
        result = int(value)
        if not low <= result <= high:
            extra = " (0 or 7 = Sunday)" if index == DOW else ""
            raise error(f"{result} is out of range: {name} allows {low}-{high}{extra}", offset)
        return result

    if text == "?":
        if index not in (DOM, DOW):
            raise error("'?' is allowed only in day-of-month or day-of-week")
        text = "*"
    values: set[int] = set()
    offset = 0
    for item in text.split(","):
        match = _ITEM.match(item)
        if not match:
            if any(c in item for c in "L#W"):
                raise error(f"cannot read {item!r}: L, W and # need the 6-field Quartz form", offset)
            raise error(f"cannot read {item!r}: expected a value, a range a-b, a step a/n or *", offset)
        start_text, end_text, step_text = match.group("start"), match.group("end"), match.group("step")
        step = 1
        if step_text is not None:
            step = int(step_text)
            if step < 1:
                raise error("a step must be at least 1", offset + item.index("/") + 1)
        if start_text == "*":
            if end_text is not None:
                raise error(f"cannot read {item!r}: '*' cannot start a range", offset)
            start, stop = low, high
        else:
            start = number(start_text, offset)
            if end_text is not None:
                stop = number(end_text, offset + item.index("-") + 1)
                if stop < start:
                    raise error(f"the range {start_text}-{end_text} runs backwards", offset)
            else:
                stop = high if step_text is not None else start
        values.update(range(start, stop + 1, step))
        offset += len(item) + 1
    if index == DOW and 7 in values:
        values = (values - {7}) | {0}
    return _Field(text, position, frozenset(values))


def _days(dom: _Field, dow: _Field) -> tuple[str, str]:
    """Quartz's (day-of-month, day-of-week) for Unix's pair, or CronError when none is equivalent."""
    every_dom = dom.values == frozenset(range(1, 32))
    every_dow = dow.values == frozenset(range(7))
    starred = dom.text.startswith("*") or dow.text.startswith("*")
    # Vixie cron: a day matches both fields if either starts with '*', otherwise either field.
    if starred:
        if every_dow:
            return dom.text, "?"
        if every_dom:
            return "?", _day_names(dow.values)
        rule = "both (one of them starts with '*')"
    else:
        if every_dom or every_dow:
            return "*", "?"
        rule = "either"
    raise CronError(
        f"day-of-week field {dow.text!r} at position {dow.position}: this 5-field expression restricts "
        f"both day-of-month ({dom.text}) and day-of-week ({dow.text}), which in Unix cron means days "
        f"matching {rule}; Quartz cannot express that in one schedule. Keep one of them '*', or use "
        "two jobs",
        field="day-of-week",
        position=dow.position,
    )


def _day_names(unix_days: frozenset[int]) -> str:
    """Unix days (0 = Sunday) as Quartz day names, runs of three or more as ranges: MON-FRI."""
    quartz = sorted(day + 1 for day in unix_days)
    parts: list[str] = []
    run = [quartz[0]]
    for day in quartz[1:]:
        if day == run[-1] + 1:
            run.append(day)
            continue
        parts.extend(_render_run(run))
        run = [day]
    parts.extend(_render_run(run))
    return ",".join(parts)


def _render_run(run: list[int]) -> list[str]:
    names = [DAY_NAMES[day - 1] for day in run]
    return [f"{names[0]}-{names[-1]}"] if len(names) >= 3 else names
