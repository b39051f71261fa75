"""Outcomes (办理结果) of a finished case: a list per hall, chosen at the window's ``finish``,
stored on the ticket and counted by the statistics (how many cases were really settled)."""
from __future__ import annotations

import json
import sqlite3

from queue_server.errors import invalid
from queue_server.store.db import Tx, loads

# The list a hall has until its manager sets its own: code, Chinese name, English name.
DEFAULT: tuple[dict[str, str], ...] = (
    {"code": "settled", "name": "办结", "name_en": "Settled"},
    {"code": "returned", "name": "退件", "name_en": "Returned (not accepted)"},
    {"code": "correction", "name": "需补正", "name_en": "Needs correction"},
    {"code": "referred", "name": "转他处", "name_en": "Referred elsewhere"},
    {"code": "enquiry", "name": "咨询", "name_en": "Enquiry only"},
)
MAX = 9  # one digit key each on the clerk terminal


def of_hall(conn: sqlite3.Connection, hall: str) -> list[dict[str, str]]:
    row = conn.execute("SELECT outcomes FROM halls WHERE id = ?", (hall,)).fetchone()
    stored = loads(row["outcomes"], None) if row else None
    return [dict(o) for o in (stored or DEFAULT)]


def check(conn: sqlite3.Connection, hall: str, code: str | None) -> str | None:
    """``code`` if it is one of the hall's outcomes (None: none was chosen), else 422."""
    if code is None:
        return None
    if code not in {o["code"] for o in of_hall(conn, hall)}:
        raise invalid("unknown_outcome", f"本大厅没有该办理结果 (unknown outcome {code!r})")
    return code


def set_hall(tx: Tx, hall: str, outcomes: list[dict[str, str]]) -> list[dict[str, str]]:
    """Replace the hall's list (checked by the body model: codes unique, names given),
    audited. Tickets finished earlier keep their codes; the statistics still count them."""
    before = of_hall(tx.conn, hall)
    clean = [{"code": o["code"], "name": o["name"], "name_en": o.get("name_en") or ""}
             for o in outcomes]
    tx.run("UPDATE halls SET outcomes = ? WHERE id = ?",
           (json.dumps(clean, ensure_ascii=False), hall))
    tx.audit(hall, "hall_outcomes", detail={"before": before, "after": clean})
    return clean
