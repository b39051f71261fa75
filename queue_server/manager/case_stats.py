"""Statistics of cases (办件): per service and status, days from acceptance (受理) to approval
(办结), and the share of cases ready to collect (待领取) but not collected after N days.

A case counts in the days it was created (hall-local), whatever happened to it since.
"""
from __future__ import annotations

import csv
import io
import sqlite3
import statistics

from queue_server.domain import clock, read_models
from queue_server.domain.cases import STATUSES
from queue_server.manager.reports import BOM, _cell

DAY_S = 86400
READY_DAYS = 3  # the default N of "ready but not collected after N days"


def compute(conn: sqlite3.Connection, hall: str, first: str, last: str, ready_days: int,
            now: float) -> dict:
    tz = read_models.tz_of(conn, hall)
    start, end = clock.day_bounds(first, tz)[0], clock.day_bounds(last, tz)[1]
    cases = conn.execute("SELECT id, service, status FROM cases WHERE hall = ? AND"
                         " created_at >= ? AND created_at < ?", (hall, start, end)).fetchall()
    steps: dict[int, dict[str, float]] = {}
    for s in conn.execute(
            "SELECT cs.case_id, cs.status, MIN(cs.at) AS at FROM case_steps cs JOIN cases c ON"
            " c.id = cs.case_id WHERE c.hall = ? AND c.created_at >= ? AND c.created_at < ?"
            " GROUP BY cs.case_id, cs.status", (hall, start, end)):
        steps.setdefault(s["case_id"], {})[s["status"]] = s["at"]
    names = {r["id"]: r["name"] for r in conn.execute(
        "SELECT id, name FROM services WHERE hall = ?", (hall,))}
    by_service: dict[str, dict] = {}
    by_status = dict.fromkeys(STATUSES, 0)
    days: list[float] = []
    ready_old = uncollected = 0
    for c in cases:
        row = by_service.setdefault(c["service"], {
            "service": c["service"], "name": names.get(c["service"], ""), "cases": 0,
            **dict.fromkeys(STATUSES, 0)})
        row["cases"] += 1
        row[c["status"]] += 1
        by_status[c["status"]] += 1
        st = steps.get(c["id"], {})
        if "accepted" in st and "approved" in st and st["approved"] >= st["accepted"]:
            days.append((st["approved"] - st["accepted"]) / DAY_S)
        if "ready" in st and st["ready"] <= now - ready_days * DAY_S:
            ready_old += 1
            uncollected += c["status"] == "ready"
    return {"from": first, "to": last, "cases": len(cases), "by_status": by_status,
            "by_service": sorted(by_service.values(), key=lambda r: (-r["cases"], r["service"])),
            "approval_days": {"n": len(days),
                              "mean": round(statistics.fmean(days), 2) if days else None,
                              "median": round(statistics.median(days), 2) if days else None},
            "ready_days": ready_days,
            "uncollected": {"ready": ready_old, "uncollected": uncollected,
                            "share": round(uncollected / ready_old, 3) if ready_old else None}}


CSV_FIELDS = ["service", "name", "cases", *STATUSES]


def to_csv(result: dict) -> str:
    """One row per service (UTF-8 with a BOM, for Excel), then the totals."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(CSV_FIELDS)
    for row in result["by_service"]:
        w.writerow([_cell(row.get(k)) for k in CSV_FIELDS])
    w.writerow(["*", "", result["cases"], *(result["by_status"][s] for s in STATUSES)])
    return BOM + out.getvalue()


def xlsx_sheets(result: dict) -> dict[str, list[list]]:
    """The sheets the statistics workbook adds for cases."""
    summary = [["from", "to", "cases", "approval_days_n", "approval_days_mean",
                "approval_days_median", "ready_days", "ready", "uncollected",
                "uncollected_share"],
               [result["from"], result["to"], result["cases"], result["approval_days"]["n"],
                result["approval_days"]["mean"], result["approval_days"]["median"],
                result["ready_days"], result["uncollected"]["ready"],
                result["uncollected"]["uncollected"], result["uncollected"]["share"]]]
    rows = [CSV_FIELDS] + [[_cell(r.get(k)) for k in CSV_FIELDS] for r in result["by_service"]]
    return {"cases": summary, "cases_by_service": rows}
