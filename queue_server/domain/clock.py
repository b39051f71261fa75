"""Hall-local time: days, ISO strings with offset, seconds since local midnight."""
from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

DEFAULT_TZ = "Asia/Shanghai"


@lru_cache(maxsize=64)
def zone(tz: str | None) -> ZoneInfo:
    return ZoneInfo(tz or DEFAULT_TZ)


def now() -> float:
    return time.time()


def iso(ts: float | None, tz: str | None) -> str | None:
    """Epoch seconds as ISO 8601 with the hall's offset (None stays None)."""
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, zone(tz)).isoformat(timespec="seconds")


def day_of(ts: float, tz: str | None) -> str:
    """The hall-local date (YYYY-MM-DD) of an instant: numbering restarts at local midnight."""
    return datetime.fromtimestamp(ts, zone(tz)).date().isoformat()


def day_bounds(day: str, tz: str | None) -> tuple[float, float]:
    """Epoch seconds of local midnight starting and ending ``day``."""
    d = date.fromisoformat(day)
    start = datetime(d.year, d.month, d.day, tzinfo=zone(tz))
    return start.timestamp(), (start + timedelta(days=1)).timestamp()


def hhmm(seconds: int) -> str:
    """Seconds since midnight as "08:30" (opening hours are stored that way)."""
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def seconds_of_day(ts: float, tz: str | None) -> float:
    local = datetime.fromtimestamp(ts, zone(tz))
    return local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6
