"""The kiosk page and its slip: the QR code on screen, and the thermal print when the kiosk
has a printer (HALLQ_PRINTER / HALLQ_PRINTERS)."""
from __future__ import annotations

import threading

from flask import Blueprint, abort, current_app, render_template, request

from displays import phone, printer
from queue_server import devices, registry
from queue_server.api import bodies
from queue_server.api.fields import accepts
from queue_server.domain import clock, planner, read_models, tickets
from queue_server.errors import conflict, not_found
from queue_server.registry import db
from queue_server.store.db import Tx

bp = Blueprint("kiosk", __name__, template_folder="templates")

_print_locks: dict[str, threading.Lock] = {}  # one slip at a time per printer
_locks_lock = threading.Lock()
PRINTED_KEEP = 10_000  # ticket ids remembered as printed (a reprint is refused), newest kept
MARKS = {2: "预约", 1: "优先"}


@bp.get("/kiosk/<hall>")
def kiosk(hall: str):
    """The kiosk page; ``?kiosk=ID`` names this kiosk, whose printer HALLQ_PRINTERS gives."""
    row = read_models.hall_row(db().conn(), hall)
    if row is None:
        abort(404)
    kiosk_id = request.args.get("kiosk") or ""
    if kiosk_id and not printer.KIOSK_RE.fullmatch(kiosk_id):
        abort(400, "kiosk: letters, digits, - and _, up to 32")
    return render_template("kiosk.html", hall=hall, hall_name=row["name"],
                           hall_name_en=row["name_en"] or "", hall_tz=row["tz"] or "Asia/Shanghai",
                           kiosk=kiosk_id, device_required=row["kiosk_device_required"],
                           elderly_age=current_app.config["ELDERLY_AGE"])


@bp.post("/kiosk/<hall>/slip")
@accepts(bodies.Slip)
def slip(hall: str, body: bodies.Slip):
    """The slip of a ticket just issued. If printing fails the ticket is cancelled, so no
    number is called that nobody holds."""
    token, kiosk_id = body.token, body.kiosk
    row = _fresh_kiosk_ticket(hall, token)
    conn = db().conn()
    view = read_models.ticket(conn, row, planner.predictions(conn, hall))
    url = phone.public_url(token, body.lang)
    reply = {"ticket": view, "url": url, "qr_svg": phone.qr_svg(url), "printer": "none",
             "cancelled": False}
    spec = _spec(kiosk_id)
    if not (spec or "").strip() and current_app.config.get("PRINTER_FACTORY") is None:
        return reply  # no printer for this kiosk: the slip is on screen only
    if not _claim_print(row["id"]):
        reply["printer"] = "already"
        return reply
    reply["printer"] = _print(spec, _slip_of(hall, row, view, url))
    if reply["printer"] == "failed":
        _unclaim_print(row["id"])
        reply["cancelled"] = _cancel(row["id"])
    return reply


def _fresh_kiosk_ticket(hall: str, token: str):
    """Only the kiosk's own waiting ticket: a failed print cancels it, and that must never
    reach a ticket taken on a phone or one already called."""
    row = db().one("SELECT * FROM tickets WHERE token_hash = ? AND hall = ?",
                   (tickets.token_hash(token), hall))
    if row is None:
        raise not_found("ticket")
    if row["channel"] != "kiosk":
        raise conflict("not_kiosk_ticket", "该票号不是本机所取 (not a kiosk ticket)")
    if row["status"] != "waiting":
        raise conflict("not_waiting", "该票号已不在等候中 (ticket is no longer waiting)")
    return row


def _slip_of(hall: str, row, view: dict, url: str) -> printer.Slip:
    hall_row = read_models.hall_row(db().conn(), hall)
    return printer.Slip(
        hall_name=hall_row["name"], number=view["number"], service_name=view["service_name"],
        issued_at=clock.iso(row["issued_at"], hall_row["tz"])[:16].replace("T", " "),
        ahead=view["position"] or 0, url=url, mark=MARKS.get(view["priority"], ""))


def _spec(kiosk_id: str | None) -> str | None:
    """The printer of this kiosk: a paired kiosk's own network printer, else HALLQ_PRINTERS'
    for its name, else the hall's default (HALLQ_PRINTER)."""
    device = devices.current()
    if device is not None and device["printer"]:
        return f"network:{device['printer']}"
    return (current_app.config.get("PRINTERS") or {}).get(
        kiosk_id or "", current_app.config.get("PRINTER"))


def _claim_print(ticket_id: int) -> bool:
    """A ticket prints once, whichever kiosk asks."""
    printed = registry.services().printed
    with _locks_lock:
        if ticket_id in printed:
            return False
        printed[ticket_id] = None
        while len(printed) > PRINTED_KEEP:
            printed.popitem(last=False)
    return True


def _unclaim_print(ticket_id: int) -> None:
    with _locks_lock:
        registry.services().printed.pop(ticket_id, None)


def _print(spec: str | None, slip_data: printer.Slip) -> str:
    """``ok`` or ``failed``; a bad setting must not issue tickets that nobody can hold."""
    try:
        factory = current_app.config.get("PRINTER_FACTORY")  # tests inject a failing printer
        p = factory() if factory is not None else printer.open_printer(spec)
    except Exception:
        current_app.logger.exception("printer configuration")
        return "failed"
    with _lock(spec):
        try:
            printer.print_slip(p, slip_data)
            return "ok"
        except Exception:
            current_app.logger.exception("printing ticket %s failed", slip_data.number)
            return "failed"
        finally:
            _close(p)


def _close(p) -> None:
    close = getattr(p, "close", None)
    if callable(close):
        try:
            close()
        except Exception:  # closing a dead printer may fail too
            current_app.logger.debug("closing the printer failed", exc_info=True)


def _lock(spec: str | None) -> threading.Lock:
    with _locks_lock:
        return _print_locks.setdefault(spec or "", threading.Lock())


def printer_lock(printer: str) -> threading.Lock:
    """The lock a paired kiosk's network printer (``HOST:PORT``) prints under: the status
    poll (live/device_watch.py) skips a printer that is printing."""
    return _lock(f"network:{printer}")


def _cancel(ticket_id: int) -> bool:
    def _tx(tx: Tx):
        fresh = tx.one("SELECT * FROM tickets WHERE id = ?", (ticket_id,))
        if fresh["status"] != "waiting":  # called meanwhile: someone may be holding it
            raise conflict("not_waiting", "ticket is no longer waiting")
        return tickets.cancel(tx, fresh)

    try:
        db().write("system", _tx)
        return True
    except Exception:
        current_app.logger.exception("cancelling unprinted ticket %s failed", ticket_id)
        return False
