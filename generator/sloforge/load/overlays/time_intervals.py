"""Alertmanager time intervals (times, weekdays, days_of_month, months, years, location),
checked here so a mistake is reported at its line, not by amtool without one."""

from __future__ import annotations

import re
import zoneinfo
from typing import Any

WEEKDAYS = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december")
_TIME = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$|^24:00$")


class IntervalError(ValueError):
    def __init__(self, field: tuple[str | int, ...], message: str):
        super().__init__(message)
        self.field = field


def normalise(entry: dict[str, Any]) -> dict[str, Any]:
    """One time_intervals entry, checked, with every range as a string. Raises IntervalError."""
    out: dict[str, Any] = {}
    if "times" in entry:
        out["times"] = [_time_range(item, ("times", i)) for i, item in enumerate(entry["times"])]
    if "weekdays" in entry:
        out["weekdays"] = [_named_range(v, ("weekdays", i), WEEKDAYS, "a weekday such as monday "
                                        "or a range such as monday:friday")
                           for i, v in enumerate(entry["weekdays"])]
    if "days_of_month" in entry:
        out["days_of_month"] = [_day_range(v, ("days_of_month", i))
                                for i, v in enumerate(entry["days_of_month"])]
    if "months" in entry:
        out["months"] = [_month_range(v, ("months", i)) for i, v in enumerate(entry["months"])]
    if "years" in entry:
        # 2000..2999: the Prometheus Operator's CRD pattern (^2\d{3}(?::2\d{3}|$)); earlier and
        # later years mean nothing to an alert anyway.
        out["years"] = [_number_range(v, ("years", i), 2000, 2999, "a year from 2000 to 2999 such as 2025, "
                                      "or a range such as 2025:2026") for i, v in enumerate(entry["years"])]
    if "location" in entry:
        out["location"] = _location(entry["location"])
    return out


def _minutes(text: str, field: tuple[str | int, ...]) -> int:
    if not isinstance(text, str) or not _TIME.match(text):
        raise IntervalError(field, f"{text!r} is not a time of day; write HH:MM between 00:00 and 24:00 "
                            "(quote it: \"09:00\")")
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _time_range(item: dict[str, str], field: tuple[str | int, ...]) -> dict[str, str]:
    start = _minutes(item["start_time"], field + ("start_time",))
    end = _minutes(item["end_time"], field + ("end_time",))
    if start >= end:
        raise IntervalError(field + ("end_time",), f"end_time {item['end_time']} must be after start_time "
                            f"{item['start_time']}; split a range over midnight into two")
    return {"start_time": item["start_time"], "end_time": item["end_time"]}


def _split(value: object) -> list[str]:
    return str(value).strip().lower().split(":")


def _named_range(value: object, field: tuple[str | int, ...], names: tuple[str, ...], what: str) -> str:
    parts = _split(value)
    if len(parts) > 2 or any(p not in names for p in parts):
        raise IntervalError(field, f"{value!r} is not {what}")
    if len(parts) == 2 and names.index(parts[0]) > names.index(parts[1]):
        raise IntervalError(field, f"{value!r}: the range starts after it ends")
    return ":".join(parts)


def _month_range(value: object, field: tuple[str | int, ...]) -> str:
    parts = _split(value)
    numbers = []
    for part in parts:
        if part in MONTHS:
            numbers.append(MONTHS.index(part) + 1)
        elif part.isdigit() and 1 <= int(part) <= 12:
            numbers.append(int(part))
        else:
            numbers = []
            break
    if len(parts) > 2 or not numbers:
        raise IntervalError(field, f"{value!r} is not a month (january or 1) or a range (january:march)")
    if len(numbers) == 2 and numbers[0] > numbers[1]:
        raise IntervalError(field, f"{value!r}: the range starts after it ends")
    return ":".join(parts)


def _number_range(value: object, field: tuple[str | int, ...], low: int, high: int, what: str) -> str:
    parts = _split(value)
    try:
        numbers = [int(p) for p in parts]
    except ValueError:
        numbers = []
    if len(parts) > 2 or not numbers or any(not low <= n <= high for n in numbers):
        raise IntervalError(field, f"{value!r} is not {what}")
    if len(numbers) == 2 and numbers[0] > numbers[1]:
        raise IntervalError(field, f"{value!r}: the range starts after it ends")
    return ":".join(str(n) for n in numbers)


def _day_range(value: object, field: tuple[str | int, ...]) -> str:
    what = "a day of the month (1..31, or -31..-1 counted from the end) or a range such as 1:7"
    parts = _split(value)
    try:
        numbers = [int(p) for p in parts]
    except ValueError:
        numbers = []
    if len(parts) > 2 or not numbers or any(n == 0 or not -31 <= n <= 31 for n in numbers):
        raise IntervalError(field, f"{value!r} is not {what}")
    if len(numbers) == 2 and (numbers[0] > 0) == (numbers[1] > 0) and numbers[0] > numbers[1]:
        raise IntervalError(field, f"{value!r}: the range starts after it ends")
    return ":".join(str(n) for n in numbers)


def _location(name: str) -> str:
    if name != "Local":
        try:
            zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise IntervalError(("location",), f"{name!r} is not a time zone; use an IANA name such as "
                                "Europe/Berlin or UTC") from None
    return name
