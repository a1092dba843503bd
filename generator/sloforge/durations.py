"""Prometheus-style durations ("5m", "1h30m", "28d") as whole seconds."""

from __future__ import annotations

import re
from functools import lru_cache

_UNITS = {"w": 7 * 86400, "d": 86400, "h": 3600, "m": 60, "s": 1}
_PATTERN = re.compile(r"^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")
_MS = re.compile(r"^(\d+)ms$")


class DurationError(ValueError):
    pass


def parse(text: object) -> int:
    """Seconds in a duration such as "30d" or "1h30m". Raises DurationError."""
    if not isinstance(text, str):
        raise DurationError(f"{text!r} is not a duration (write it like 5m, 1h or 30d)")
    return _parse_text(text)


# The compilers parse and format the same handful of windows (5m, 1h, 30d, ...)
# hundreds of thousands of times on a big catalog; both are pure functions of a
# small key. Bounded, so odd inputs cannot grow the caches without limit;
# lru_cache stores no exceptions, so errors raise every time.
@lru_cache(maxsize=1024)
def _parse_text(text: str) -> int:
    value = text.strip()
    ms = _MS.match(value)
    if ms:
        millis = int(ms.group(1))
        if millis % 1000:
            raise DurationError(f"{text!r}: sub-second durations are not supported")
        return millis // 1000
    match = _PATTERN.match(value)
    if not value or not match:
        raise DurationError(f"{text!r} is not a duration (write it like 5m, 1h or 30d)")
    seconds = sum(int(n) * _UNITS[u] for n, u in zip(match.groups(), "wdhms", strict=True) if n)
    if seconds <= 0:
        raise DurationError(f"{text!r} must be longer than zero")
    return seconds


@lru_cache(maxsize=1024, typed=True)
def format(seconds: int) -> str:
    """Canonical text: days, hours, minutes, seconds ("28d", "1d12h", "5m").

    Weeks are not used, so a 28-day period records `ratio_rate28d` as users write it.
    """
    if seconds <= 0:
        raise DurationError("durations must be positive")
    out = []
    for unit in ("d", "h", "m", "s"):
        n, seconds = divmod(seconds, _UNITS[unit])
        if n:
            out.append(f"{n}{unit}")
    return "".join(out)


def parse_threshold_seconds(text: object) -> float:
    """A latency threshold: "300ms", "1s", "1.5s" or a bare number of seconds."""
    if isinstance(text, bool):
        raise DurationError(f"{text!r} is not a latency threshold (write it like 300ms or 1s)")
    if isinstance(text, (int, float)):
        if text <= 0:
            raise DurationError(f"{text!r} must be above zero")
        return float(text)
    if not isinstance(text, str):
        raise DurationError(f"{text!r} is not a latency threshold (write it like 300ms or 1s)")
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*", text)
    if not match:
        raise DurationError(f"{text!r} is not a latency threshold (write it like 300ms or 1s)")
    number = float(match.group(1))
    scale = {"ms": 0.001, "s": 1.0, "m": 60.0, None: 1.0}[match.group(2)]
    value = round(number * scale, 9)
    if value <= 0:
        raise DurationError(f"{text!r} must be above zero")
    return value
