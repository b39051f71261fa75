"""Hall-local time: days, ISO strings with offset, seconds since local midnight."""
from __future__ import annotations

import re
import time
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from queue_server.errors import invalid

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


HHMM_RE = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$")


def parse_hhmm(key: str, value: Any) -> int:
    """Seconds after midnight of an ``HH:MM``, or a 422 ``invalid_time``."""
    m = HHMM_RE.match(value) if isinstance(value, str) else None
    if not m:
        raise invalid("invalid_time", f"{key} 须为 HH:MM ({key} must be HH:MM)")
    return int(m[1]) * 3600 + int(m[2]) * 60


def hhmm(seconds: int) -> str:
    """Seconds since midnight as "08:30" (opening hours are stored that way)."""
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def seconds_of_day(ts: float, tz: str | None) -> float:
    local = datetime.fromtimestamp(ts, zone(tz))
    return local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6
