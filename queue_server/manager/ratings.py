"""好差评: every rating of a hall with its ticket, service, window, clerk, wait and service time
and its rectification case; filtered and paged, and exported in the national 好差评
platform's layout (CSV, UTF-8 with a BOM like the statistics' export).

A transferred ticket is rated on its last leg; its wait is the first leg's (issue to first
call), its service time the rated leg's (``finished_at - started_at``). Days are the tickets'
hall-local days.
"""
from __future__ import annotations

import csv
import io
import sqlite3

from queue_server.domain import clock, rectification
from queue_server.manager.reports import BOM, _cell

# the platform's evaluation levels (政务服务"好差评"): 1..5
LEVELS = {1: "非常不满意", 2: "不满意", 3: "基本满意", 4: "满意", 5: "非常满意"}
CHANNELS = {"onsite": "现场", "mobile": "移动端"}
EXPORT_MAX = 100_000

_SELECT = (
    "SELECT r.ticket, r.score, r.reason, r.comment, r.at, r.channel, t.number, t.day,"
    " t.service, t.window, t.served_by, t.channel AS ticket_channel, t.started_at,"
    " t.finished_at, f.issued_at, COALESCE(f.first_called_at, f.called_at) AS called_at,"
    " s.name AS service_name, c.name AS department, w.name AS window_name,"
    " u.display_name AS clerk_name, rc.id AS case_id, rc.status AS case_status,"
    " rc.due_at AS case_due_at, rc.owner AS case_owner, rc.closed_at AS case_closed_at,"
    " rc.overdue_at AS case_overdue_at"
    " FROM ratings r JOIN tickets t ON t.id = r.ticket"
    " JOIN tickets f ON f.id = COALESCE(t.root, t.id)"
    " JOIN services s ON s.id = t.service LEFT JOIN categories c ON c.id = s.category"
    " LEFT JOIN windows w ON w.id = t.window LEFT JOIN users u ON u.username = t.served_by"
    " LEFT JOIN rectifications rc ON rc.ticket = r.ticket")


def _where(hall: str, first: str, last: str, filters: dict) -> tuple[str, list]:
    sql, params = " WHERE t.hall = ? AND t.day BETWEEN ? AND ?", [hall, first, last]
    for key, column in (("score", "r.score"), ("service", "t.service"),
                        ("window", "t.window"), ("clerk", "t.served_by")):
        if filters.get(key) is not None:
            sql += f" AND {column} = ?"
            params.append(filters[key])
    return sql, params


def _secs(a: float | None, b: float | None) -> int | None:
    return int(round(b - a)) if a is not None and b is not None else None


def _channel(row: sqlite3.Row) -> str:
    return row["channel"] or ("mobile" if row["ticket_channel"] == "mobile" else "onsite")


def _view(row: sqlite3.Row, tz: str, now: float) -> dict:
    case = None
    if row["case_id"] is not None:
        case = {"id": row["case_id"], "status": row["case_status"],
                "platform_status": rectification.PLATFORM_STATUS[row["case_status"]],
                "owner": row["case_owner"], "due_at": clock.iso(row["case_due_at"], tz),
                "overdue": row["case_status"] != "closed" and (
                    now > row["case_due_at"] or row["case_overdue_at"] is not None),
                "closed_at": clock.iso(row["case_closed_at"], tz)}
    return {"ticket": row["ticket"], "number": row["number"], "date": row["day"],
            "service": row["service"], "service_name": row["service_name"],
            "department": row["department"], "window": row["window"],
            "window_name": row["window_name"], "clerk": row["served_by"],
            "clerk_name": row["clerk_name"] or row["served_by"], "score": row["score"],
            "level": LEVELS[row["score"]], "reason": row["reason"], "comment": row["comment"],
            "channel": _channel(row), "wait_s": _secs(row["issued_at"], row["called_at"]),
            "service_s": _secs(row["started_at"], row["finished_at"]),
            "rated_at": clock.iso(row["at"], tz), "case": case}


def listing(conn: sqlite3.Connection, hall: str, tz: str, first: str, last: str,
            filters: dict, page: int, per_page: int, now: float) -> dict:
    """One page of ratings, newest first, with the total that match."""
    where, params = _where(hall, first, last, filters)
    total = conn.execute("SELECT COUNT(*) FROM ratings r JOIN tickets t ON t.id = r.ticket"
                         + where, params).fetchone()[0]
    rows = conn.execute(_SELECT + where + " ORDER BY r.at DESC, r.ticket DESC LIMIT ? OFFSET ?",
                        [*params, per_page, (page - 1) * per_page]).fetchall()
    return {"from": first, "to": last, "total": total, "page": page, "per_page": per_page,
            "ratings": [_view(r, tz, now) for r in rows]}


# The national platform's columns (政务服务"好差评"数据项), in its order.
PLATFORM_HEADER = ["评价编号", "票号", "评价等级", "评价等级名称", "评价渠道", "服务事项",
                   "事项编码", "实施部门", "办理窗口", "工作人员", "评价时间", "评价原因",
                   "整改状态", "整改时间"]


def platform_rows(conn: sqlite3.Connection, hall: str, tz: str, first: str, last: str,
                  filters: dict) -> list[list]:
    """The ratings of ``first``..``last`` as the platform takes them, oldest first: one list
    per rating in ``PLATFORM_HEADER``'s order."""
    where, params = _where(hall, first, last, filters)
    rows = conn.execute(_SELECT + where + " ORDER BY r.at, r.ticket LIMIT ?",
                        [*params, EXPORT_MAX]).fetchall()
    out = []
    for r in rows:
        status = rectification.PLATFORM_STATUS[r["case_status"]] if r["case_status"] else ""
        out.append([
            f"{hall}-{r['day']}-{r['number']}", r["number"], r["score"], LEVELS[r["score"]],
            CHANNELS[_channel(r)], r["service_name"], r["service"], r["department"] or "",
            r["window_name"] or "", r["clerk_name"] or r["served_by"] or "",
            _local(r["at"], tz), r["reason"] or "", status, _local(r["case_closed_at"], tz)])
    return out


def platform_csv(conn: sqlite3.Connection, hall: str, tz: str, first: str, last: str,
                 filters: dict) -> str:
    """:func:`platform_rows` as CSV (UTF-8 with a BOM, for Excel on a Chinese Windows)."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(PLATFORM_HEADER)
    for row in platform_rows(conn, hall, tz, first, last, filters):
        w.writerow([_cell(v) for v in row])
    return BOM + out.getvalue()


def platform_xlsx(conn: sqlite3.Connection, hall: str, tz: str, first: str, last: str,
                  filters: dict) -> bytes:
    """:func:`platform_rows` as one XLSX sheet (评价数据), the platform's columns."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "评价数据"
    ws.append(PLATFORM_HEADER)
    for row in platform_rows(conn, hall, tz, first, last, filters):
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _local(ts: float | None, tz: str) -> str:
    """The platform's time format: ``YYYY-MM-DD HH:MM:SS``, hall-local."""
    text = clock.iso(ts, tz)
    return text[:19].replace("T", " ") if text else ""
