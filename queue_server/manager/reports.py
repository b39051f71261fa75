"""Exports of the statistics (CSV per the contract, XLSX with one sheet per breakdown)."""
from __future__ import annotations

import csv
import io

from openpyxl import Workbook

from queue_server.domain import clock
from queue_server.store.db import loads

# The contract's CSV: a header row, then one row per service.
CSV_FIELDS = ["service", "name", "issued", "served", "no_show", "cancelled", "mean_wait_s",
              "p90_wait_s", "mean_service_s", "rating_mean"]

SHEETS = {
    "summary": ["from", "to", "issued", "served", "no_show", "cancelled", "waiting",
                "transferred", "mean_wait_s", "p90_wait_s", "mean_service_s"],
    "by_service": CSV_FIELDS,
    "by_window": ["window", "name", "served", "busy_s", "mean_service_s", "rating_mean"],
    "by_clerk": ["clerk", "display_name", "served", "busy_s", "mean_service_s", "overtime",
                 "rating_mean"],
    "by_hour": ["hour", "issued", "served"],
    "by_day": ["date", "issued", "served", "no_show", "cancelled", "mean_wait_s", "p90_wait_s"],
    "by_outcome": ["outcome", "name", "name_en", "served"],
    "holds": ["kind", "clock", "holds", "resumed", "returned", "auto_returned", "held_s"],
}


def _cell(value):
    # Spreadsheets execute cells starting with these: never let a name become a formula.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return "" if value is None else value


# For people: ``lang`` gives headers in that language and durations as m:ss (h:mm:ss).
CSV_HEADERS = {
    "zh": ["业务编号", "业务名称", "取号数", "办结数", "过号数", "取消数", "平均等候",
           "90%等候", "平均办理时长", "平均评分"],
    "en": ["Service id", "Service", "Issued", "Served", "No-shows", "Cancelled", "Mean wait",
           "90% wait", "Mean service time", "Mean rating"],
}
DURATIONS = {"mean_wait_s", "p90_wait_s", "mean_service_s"}
BOM = "\ufeff"  # Excel on a Chinese Windows reads a CSV without it as GBK


def _outcome_columns(stats: dict, lang: str | None) -> tuple[list[str], list[str]]:
    """After the contract's columns, one per outcome (served per outcome, ``none``: none
    chosen): keys into a service row's ``outcomes`` and their headers."""
    keys, heads = [], []
    for o in stats.get("by_outcome", []):
        key = o["outcome"] or "none"
        keys.append(key)
        name = o["name_en"] if lang == "en" else o["name"]
        heads.append(f"{'办理结果' if lang == 'zh' else 'Outcome'}: {name}" if lang
                     else f"outcome_{key}")
    return keys, heads


def stats_csv(stats: dict, lang: str | None = None) -> str:
    """The contract's CSV (machine-readable field names, seconds), then a column per outcome;
    with ``lang`` ("zh" or "en") the spreadsheet form: a UTF-8 BOM, headers in that language,
    durations m:ss."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    keys, heads = _outcome_columns(stats, lang)
    w.writerow([*(CSV_HEADERS[lang] if lang else CSV_FIELDS), *map(_cell, heads)])
    for row in stats["by_service"]:
        w.writerow([_duration(row.get(k)) if lang and k in DURATIONS else _cell(row.get(k))
                    for k in CSV_FIELDS] + [row.get("outcomes", {}).get(k, 0) for k in keys])
    return (BOM if lang else "") + out.getvalue()


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    s = int(round(seconds))
    h, m, sec = s // 3600, s % 3600 // 60, s % 60
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


def stats_xlsx(stats: dict) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for title, fields in SHEETS.items():
        ws = wb.create_sheet(title)
        ws.append(fields)
        rows = [stats] if title == "summary" else stats[title]
        for row in rows:
            ws.append([_cell(row.get(k)) for k in fields])
    for title, rows in _case_sheets(stats).items():  # cases (办件), when computed
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    ws = wb.create_sheet("ratings")
    ws.append(["score", "count"])
    for score, n in stats["ratings"]["by_score"].items():
        ws.append([int(score), n])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _case_sheets(stats: dict) -> dict[str, list[list]]:
    if "cases" not in stats:
        return {}
    from queue_server.manager import case_stats  # it builds on this module's cells
    sheets = case_stats.xlsx_sheets(stats["cases"])
    guide = stats.get("guide")
    if guide:  # what citizens searched for and did not find: the missing keywords
        sheets["guide_missing"] = [["term", "n"]] + [[_cell(m["term"]), m["n"]]
                                                     for m in guide["missing"]]
    return sheets


AUDIT_LIMIT = 100_000


def audit_events(conn, hall: str, tz: str, first: str, last: str, *, actor: str | None = None,
                 number: str | None = None, window: str | None = None,
                 action: str | None = None, after: int = 0,
                 limit: int = AUDIT_LIMIT) -> list[dict]:
    """The audit trail of ``first``..``last`` (hall-local dates), oldest first, filtered."""
    start, _ = clock.day_bounds(first, tz)
    _, end = clock.day_bounds(last, tz)
    sql = ["SELECT e.seq, e.at, e.actor, e.action, e.ticket, e.window, e.detail, t.number"
           " FROM events e LEFT JOIN tickets t ON t.id = e.ticket"
           " WHERE e.hall = ? AND e.at >= ? AND e.at < ? AND e.seq > ?"]
    args: list = [hall, start, end, after]
    for column, value in (("e.actor", actor), ("t.number", number), ("e.window", window),
                          ("e.action", action)):
        if value:
            sql.append(f"AND {column} = ?")
            args.append(value.upper() if column == "t.number" else value)
    sql.append("ORDER BY e.seq LIMIT ?")
    args.append(limit)
    out = []
    for r in conn.execute(" ".join(sql), args):
        ev = {"seq": r["seq"], "at": clock.iso(r["at"], tz), "actor": r["actor"],
              "action": r["action"]}
        if r["ticket"] is not None:
            ev["ticket"] = r["ticket"]
            ev["number"] = r["number"]
        if r["window"] is not None:
            ev["window"] = r["window"]
        detail = loads(r["detail"], {})
        detail.pop("call", None)  # the screen payload repeats the rest; keep the trail lean
        ev["detail"] = detail
        out.append(ev)
    return out
