"""Halls: adding one to a running server (the demo seeds its own).

A city can run several halls on one server; each has its own categories, services, windows and,
optionally, its own staff (``users.hall``). A hall starts empty: its manager adds the rest in the
console (``docs/manager.md``).
"""
from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from queue_server.domain.clock import parse_hhmm
from queue_server.errors import conflict, invalid
from queue_server.store.db import Tx

ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")


def create(tx: Tx, hall_id: str, name: str, name_en: str = "", tz: str = "Asia/Shanghai",
           open_: str = "09:00", close: str = "17:30") -> dict:
    """Add an empty hall; one audit event (``hall_add``) in the new hall's log."""
    if not isinstance(hall_id, str) or not ID_RE.fullmatch(hall_id):
        raise invalid("invalid_id", "编号只能包含字母、数字、- 和 _，最多 32 位"
                                    " (id: letters, digits, - and _, up to 32)")
    name, name_en = (name or "").strip(), (name_en or "").strip()
    if not 1 <= len(name) <= 40 or len(name_en) > 80:
        raise invalid("invalid_name", "大厅名称须为 1–40 字 (name: 1-40 characters)")
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise invalid("invalid_tz", f"时区无效 (unknown time zone {tz!r})") from None
    open_s, close_s = parse_hhmm("open", open_), parse_hhmm("close", close)
    if close_s <= open_s:
        raise invalid("invalid_hours", "关门时间须晚于开门时间 (close must be after open)")
    if tx.one("SELECT 1 FROM halls WHERE id = ?", (hall_id,)):
        raise conflict("hall_exists", f"大厅已存在 (hall {hall_id!r} exists)")
    tx.run("INSERT INTO halls (id, name, name_en, tz, open_s, close_s, notices, live_seq)"
           " VALUES (?, ?, ?, ?, ?, ?, '[]', 0)", (hall_id, name, name_en, tz, open_s, close_s))
    view = {"id": hall_id, "name": name, "name_en": name_en, "tz": tz, "open": open_,
            "close": close}
    tx.audit(hall_id, "hall_add", detail={"before": None, "after": view})
    return view
