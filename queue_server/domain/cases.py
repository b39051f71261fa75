"""Cases (办件): what the approval system (审批系统) does with a citizen's matter after the
window, linked to the ticket it was served on (its number and day).

Each post with a new status appends a step with its time (受理 accepted, 审查 in_review,
办结 approved / 不予许可 rejected, 待领取 ready, 已领取 collected); the same status again is
a retry and changes nothing; rejected and collected end a case. The citizen sees the steps
on the ticket's page, or looks a case up by its number and the last six characters of the ID
number (kept only as a keyed hash); a ready case is collected with a ticket of the hall's
collection service (出件), issued with the served ticket's details.
"""
from __future__ import annotations

import sqlite3
from datetime import datetime

from queue_server.domain import clock, notices, read_models, tickets
from queue_server.errors import conflict, invalid, not_found
from queue_server.live.events import CaseReady, CaseUpdated
from queue_server.store.db import Tx

STATUSES = ("accepted", "in_review", "approved", "rejected", "ready", "collected")
FINAL = ("rejected", "collected")
NAMES = {"accepted": "受理", "in_review": "审查", "approved": "办结", "rejected": "不予许可",
         "ready": "待领取", "collected": "已领取"}
TAIL = 6  # the characters of the ID number a look-up takes
FUTURE_SLACK_S = 300  # a step's time may run this far ahead of the server's clock


def parse_at(value: str | None, tz: str, now: float) -> float:
    """A step's time: ISO 8601 (naive = the hall's local time), not in the future; else now."""
    if value is None:
        return now
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise invalid("invalid_time", "时间格式无效 (at must be ISO 8601)") from None
    if at.tzinfo is None:
        at = at.replace(tzinfo=clock.zone(tz))
    ts = at.timestamp()
    if ts > now + FUTURE_SLACK_S:
        raise invalid("invalid_time", "时间不能晚于现在 (at is in the future)")
    return ts


def served_ticket(tx: Tx, hall: str, number: str, day: str) -> sqlite3.Row:
    """The leg of ticket ``number`` of ``day`` that was served (422 unknown, 409 never
    called)."""
    legs = tx.all("SELECT * FROM tickets WHERE hall = ? AND day = ? AND number = ?"
                  " ORDER BY id DESC", (hall, day, number.upper()))
    if not legs:
        raise invalid("unknown_ticket", f"该日没有此票号 (no ticket {number} on {day})")
    for status in ("done", "serving", "held", "called"):
        leg = next((t for t in legs if t["status"] == status), None)
        if leg is not None:
            return leg
    raise conflict("ticket_not_served", f"票号 {number} 尚未办理 (ticket {number} was not"
                                        " served)")


def post(tx: Tx, hall: str, case_no: str, ticket: sqlite3.Row, status: str,
         service: str | None, tail_hash: str | None, source: str,
         at: float) -> tuple[sqlite3.Row, bool]:
    """Record ``status`` for case ``case_no``; returns the case and whether it is new."""
    if service is not None and not tx.one(
            "SELECT 1 FROM services WHERE id = ? AND hall = ?", (service, hall)):
        raise invalid("unknown_service", f"本大厅没有该业务 (unknown service {service!r})")
    row = tx.one("SELECT * FROM cases WHERE hall = ? AND case_no = ?", (hall, case_no))
    root = ticket["root"] or ticket["id"]
    created = row is None
    if created:
        cur = tx.run("INSERT INTO cases (hall, case_no, ticket, root, service, status,"
                     " id_tail_hash, source, created_at, updated_at) VALUES"
                     " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     (hall, case_no, ticket["id"], root, service or ticket["service"], status,
                      tail_hash, source, at, at))
        row = tx.one("SELECT * FROM cases WHERE id = ?", (cur.lastrowid,))
        before = None
    else:
        if row["root"] != root:
            raise conflict("case_ticket_mismatch", f"办件 {case_no} 已关联其他票号 (case"
                                                   f" {case_no} belongs to another ticket)")
        if row["status"] == status:
            return row, False  # a retry: nothing new
        if row["status"] in FINAL:
            raise conflict("case_closed", f"办件已{NAMES[row['status']]}，状态不能再变更 (case"
                                          f" is {row['status']}: no further steps)")
        last = tx.one("SELECT MAX(at) FROM case_steps WHERE case_id = ?", (row["id"],))[0]
        if last is not None and at < last:
            raise invalid("step_out_of_order", "步骤时间早于上一步 (at is before the last step)")
        before = row["status"]
        tx.run("UPDATE cases SET status = ?, updated_at = ?, service = COALESCE(?, service),"
               " id_tail_hash = COALESCE(?, id_tail_hash) WHERE id = ?",
               (status, at, service, tail_hash, row["id"]))
        row = tx.one("SELECT * FROM cases WHERE id = ?", (row["id"],))
    tx.run("INSERT INTO case_steps (case_id, status, at, by) VALUES (?, ?, ?, ?)",
           (row["id"], status, at, source))
    tx.audit(hall, "case_step", ticket=ticket["id"],
             detail={"case_no": case_no, "number": ticket["number"], "service": row["service"],
                     "before": before, "after": status})
    tz = read_models.tz_of(tx.conn, hall)
    _push(tx, CaseUpdated(hall=hall, case_no=case_no, number=ticket["number"],
                        service=row["service"], status=status, at=clock.iso(at, tz),
                        follow_room=tickets.room_of(ticket)))
    if status == "ready":
        _notify_case_ready(tx, hall, row, ticket, at)
    return row, created


def _push(tx: Tx, event: CaseUpdated | CaseReady) -> None:
    """Queue a live event on the transaction, sent by the publisher after the commit like
    every other. Not through ``tx.emit``: these go to no hall room, so they take no hall
    ``seq`` (a gap in it would make every hall screen subscribe again)."""
    tx.live.append((event.NAME, event.payload(), event.rooms()))


def _notify_case_ready(tx: Tx, hall: str, case: sqlite3.Row, ticket: sqlite3.Row,
                       at: float) -> dict:
    """``case.ready``: the citizen's page hears it live now, and the outbound channels
    (``notices.enqueue``, the webhook) get it durably from this same transaction. The payload
    names the case, the service and the ticket's number, never an ID number (nor its hash)."""
    tz = read_models.tz_of(tx.conn, hall)
    svc = tx.one("SELECT name FROM services WHERE id = ?", (case["service"],))
    payload = {"event": "case.ready", "hall": hall, "at": clock.iso(at, tz),
               "ticket": {"number": ticket["number"], "service": ticket["service"],
                          "status": ticket["status"], "position": None, "window": None},
               "case": {"case_no": case["case_no"], "service": case["service"],
                        "service_name": svc["name"] if svc else "", "status": "ready"}}
    _push(tx, CaseReady(hall=hall, case_no=case["case_no"], number=ticket["number"],
                      service=case["service"], service_name=payload["case"]["service_name"],
                      at=payload["at"], follow_room=tickets.room_of(ticket)))
    notices.enqueue(tx, hall, "case.ready",
                    {k: v for k, v in payload.items() if k not in ("event", "hall", "at")},
                    ticket=ticket["id"])
    return payload


# -- what the citizen sees ---------------------------------------------------------------------

def view(conn: sqlite3.Connection, case: sqlite3.Row, tz: str) -> dict:
    """A case as its citizen sees it: steps oldest first; ``collect`` when it can be
    collected with a 出件 ticket now."""
    steps = conn.execute("SELECT status, at FROM case_steps WHERE case_id = ? ORDER BY at, id",
                         (case["id"],)).fetchall()
    svc = conn.execute("SELECT name, name_en FROM services WHERE id = ?",
                       (case["service"],)).fetchone()
    collect_number = None
    if case["collect_ticket"] is not None:
        t = conn.execute("SELECT number FROM tickets WHERE id = ?",
                         (case["collect_ticket"],)).fetchone()
        collect_number = t["number"] if t else None
    hall = conn.execute("SELECT collect_service FROM halls WHERE id = ?",
                        (case["hall"],)).fetchone()
    return {"case_no": case["case_no"], "service": case["service"],
            "service_name": svc["name"] if svc else "",
            "service_name_en": (svc["name_en"] or "") if svc else "",
            "status": case["status"],
            "steps": [{"status": s["status"], "at": clock.iso(s["at"], tz)} for s in steps],
            "collect": case["status"] == "ready" and bool(hall and hall["collect_service"]),
            "collect_ticket": collect_number}


def for_ticket(conn: sqlite3.Connection, ticket: sqlite3.Row, tz: str) -> list[dict]:
    """The cases of the ticket's whole chain of legs, oldest first."""
    rows = conn.execute("SELECT * FROM cases WHERE root = ? ORDER BY created_at, id",
                        (ticket["root"] or ticket["id"],)).fetchall()
    return [view(conn, r, tz) for r in rows]


def lookup(conn: sqlite3.Connection, hall: str, case_no: str,
           tail_hash: str) -> sqlite3.Row:
    """The case for its number and ID tail; a wrong tail and an unknown number are the same
    404 (and a case posted without an ID number cannot be looked up this way)."""
    row = conn.execute("SELECT * FROM cases WHERE hall = ? AND case_no = ?",
                       (hall, case_no)).fetchone()
    if row is None or row["id_tail_hash"] is None or row["id_tail_hash"] != tail_hash:
        raise not_found("case")
    return row


def collect(tx: Tx, case_id: int, channel: str) -> tuple[sqlite3.Row, str]:
    """A ticket of the hall's collection service for a ready case, carrying the served
    ticket's ID and phone hashes (nothing to enter again); one per case while it is open."""
    case = tx.one("SELECT * FROM cases WHERE id = ?", (case_id,))
    if case["status"] != "ready":
        raise conflict("case_not_ready", "办件尚未待领取 (the case is not ready to collect)")
    service = tx.one("SELECT collect_service FROM halls WHERE id = ?",
                     (case["hall"],))["collect_service"]
    if not service:
        raise conflict("no_collect_service", "本大厅未设置出件业务，请咨询工作人员 (this hall"
                                             " has no collection service: please ask staff)")
    if case["collect_ticket"] is not None:
        prior = tx.one("SELECT number, status FROM tickets WHERE id = ?",
                       (case["collect_ticket"],))
        if prior is not None and prior["status"] in ("waiting", "called", "serving", "held"):
            raise conflict("collect_ticket_exists", f"已取出件号 {prior['number']} (a collection"
                                                    f" ticket {prior['number']} is open)")
    served = tx.one("SELECT id_hash, phone_hash FROM tickets WHERE id = ?", (case["ticket"],))
    row, token = tickets.issue(tx, case["hall"], service, channel, 0, served["id_hash"],
                               served["phone_hash"], reason="collect")
    tx.run("UPDATE cases SET collect_ticket = ? WHERE id = ?", (row["id"], case_id))
    tx.audit(case["hall"], "case_collect", ticket=row["id"],
             detail={"case_no": case["case_no"], "number": row["number"]})
    return row, token


def set_collect_service(tx: Tx, hall: str, service: str | None) -> None:
    """The hall's collection service (出件), or none; audited."""
    if service is not None and not tx.one(
            "SELECT 1 FROM services WHERE id = ? AND hall = ? AND active = 1", (service, hall)):
        raise invalid("unknown_service", f"本大厅没有该业务 (unknown service {service!r})")
    before = tx.one("SELECT collect_service FROM halls WHERE id = ?", (hall,))["collect_service"]
    tx.run("UPDATE halls SET collect_service = ? WHERE id = ?", (service, hall))
    tx.audit(hall, "collect_service", detail={"before": before, "after": service})
