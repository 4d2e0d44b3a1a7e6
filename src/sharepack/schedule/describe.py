"""Human descriptions of Quartz expressions ("At 02:00, every day"), by cron-descriptor.

cron-descriptor numbers days of the week from 0 = Sunday unless told otherwise; Quartz numbers
them from 1 = Sunday, hence `day_of_week_start_index_zero=False`. Its English is forced (not the
machine's locale) so plans read the same everywhere, and a few of its phrasings are tidied:
", every minute, every hour" after a finer unit says nothing, and an hour range is "from 09:00
to 17:00", not "between 09:00 and 17:59".
"""

from __future__ import annotations

import re
from functools import lru_cache

from sharepack.schedule.quartz_parse import DAY_OF_WEEK, YEAR

_HOUR_RANGE = re.compile(r"^At 0 minutes past the hour, between (\d\d):00 and (\d\d):59")
_LAST_WEEKDAY_OFFSET = re.compile(r"^L-(\d+)W$")
# "Every 5 minutes, at 14:00 and 18:00" (a minute step over an hour list) reads as two runs a day;
# it is every 5 minutes during those hours.
_STEP_IN_HOURS = re.compile(
    r"^(Every (?:\d+ )?(?:minutes?|seconds?)), at ((?:\d\d:00)(?:(?:, | and |, and )\d\d:00)+)"
)


@lru_cache(maxsize=512)
def describe_quartz(quartz: str) -> str:
    """English for a canonical Quartz expression; never raises (falls back to the expression)."""
    fields = quartz.split(" ")
    if len(fields) == YEAR + 1 and fields[YEAR] == "*":
        fields = fields[:YEAR]
    if fields[DAY_OF_WEEK] == "L":  # Quartz: L alone in day-of-week is Saturday
        fields[DAY_OF_WEEK] = "7"
    weekday_offset = _LAST_WEEKDAY_OFFSET.match(fields[3])
    if weekday_offset:
        fields[3] = f"L-{weekday_offset.group(1)}"
    try:
        from cron_descriptor import ExpressionDescriptor, Options

        options = Options()
        options.locale_code = "en_US"
        options.day_of_week_start_index_zero = False
        options.use_24hour_time_format = True
        options.verbose = True
        text = str(ExpressionDescriptor(" ".join(fields), options).get_description())
    except Exception:  # a phrasing cron-descriptor cannot produce is not worth failing a plan for
        return f"Quartz schedule {quartz}"
    text = text.replace(", every minute", "").replace(", every hour", "")
    text = _HOUR_RANGE.sub(r"Every hour from \1:00 to \2:00", text)
    text = _STEP_IN_HOURS.sub(r"\1, during the hours starting at \2", text)
    text = re.sub(r"\b1 days before", "1 day before", text)
    if weekday_offset:
        text = text.replace(
            f"{weekday_offset.group(1)} day", f"on the weekday nearest {weekday_offset.group(1)} day", 1
        )
    return text
