"""Pages served with the queue server (kiosk, citizen's ticket page) and the vendored browser
packages: pinned from npm at set-up, served from here, never from a CDN."""
from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path

import segno
from flask import Blueprint, abort, current_app, render_template, request, send_from_directory

from . import clock, dispatch, printer, tickets, validate, views
from .db import Database, Tx
from .errors import conflict, invalid, not_found

# /static/hallq/<file> is queue_server/static/hallq/<file> (the app's own /static agrees).
bp = Blueprint("pages", __name__, template_folder="templates", static_folder="static/hallq",
               static_url_path="/static/hallq")

NODE_MODULES = Path(__file__).resolve().parent.parent / "node_modules"

# Only these files of node_modules are reachable, by a short stable name.
VENDOR = {
    "socket.io.min.js": "socket.io-client/dist/socket.io.min.js",
    "socket.io.min.js.map": "socket.io-client/dist/socket.io.min.js.map",
    "echarts.min.js": "echarts/dist/echarts.min.js",
}

_print_locks: dict[str, threading.Lock] = {}  # one slip at a time per printer
_locks_lock = threading.Lock()
PRINTED_KEEP = 10_000  # ticket ids remembered as printed (a reprint is refused), newest kept


@bp.get("/vendor/<name>")
def vendor(name: str):
    rel = VENDOR.get(name)
    if rel is None or not (NODE_MODULES / rel).is_file():
        abort(404)
    path = NODE_MODULES / rel
    return send_from_directory(path.parent, path.name, max_age=86400)


def _db() -> Database:
    return current_app.extensions["hallq.db"]


@bp.get("/kiosk/<hall>")
def kiosk(hall: str):
    """The kiosk page; ``?kiosk=ID`` names this kiosk, whose printer HALLQ_PRINTERS gives."""
    row = views.hall_row(_db().conn(), hall)
    if row is None:
        abort(404)
    kiosk_id = request.args.get("kiosk") or ""
    if kiosk_id and not printer.KIOSK_RE.match(kiosk_id):
        abort(400, "kiosk: letters, digits, - and _, up to 32")
    return render_template("kiosk.html", hall=hall, hall_name=row["name"],
                           hall_name_en=row["name_en"] or "", hall_tz=row["tz"] or "Asia/Shanghai",
                           kiosk=kiosk_id)


@bp.get("/t/<token>")
def citizen_ticket(token: str):
    # The page itself holds nothing secret; it reads the token from its own URL.
    if len(token) > 128:
        abort(404)
    return render_template("ticket.html")


def public_url(token: str) -> str:
    """Where the slip's QR code leads: HALLQ_PUBLIC_URL when phones reach the server by
    another name than the kiosk does."""
    base = (current_app.config.get("PUBLIC_URL") or request.host_url).rstrip("/")
    return f"{base}/t/{token}"


def qr_svg(url: str) -> str:
    return segno.make(url, error="m").svg_inline(scale=4, border=2, dark="#000", omitsize=True)


def _spec(kiosk_id: str | None) -> str | None:
    """The printer of this kiosk (HALLQ_PRINTERS), else the hall's default (HALLQ_PRINTER)."""
    return (current_app.config.get("PRINTERS") or {}).get(
        kiosk_id or "", current_app.config.get("PRINTER"))


def _printer(spec: str | None):
    factory = current_app.config.get("PRINTER_FACTORY")  # tests inject a failing printer
    if factory is not None:
        return factory()
    return printer.open_printer(spec)


def _lock(spec: str | None) -> threading.Lock:
    with _locks_lock:
        return _print_locks.setdefault(spec or "", threading.Lock())


@bp.post("/kiosk/<hall>/slip")
def slip(hall: str):
    """The slip of a ticket just issued: QR code, and the thermal print when a printer is
    configured. If printing fails the ticket is cancelled, so no number is called that nobody
    holds."""
    data = validate.body({"token", "kiosk"}, required={"token"})
    token = validate.string(data, "token", max_len=128, required=True)
    kiosk_id = validate.string(data, "kiosk", max_len=32)
    if kiosk_id is not None and not printer.KIOSK_RE.match(kiosk_id):
        raise invalid("invalid_kiosk", "自助机编号无效 (kiosk: letters, digits, - and _)")
    row = _db().one("SELECT * FROM tickets WHERE token_hash = ? AND hall = ?",
                    (tickets.token_hash(token), hall))
    if row is None:
        raise not_found("ticket")
    # Only the kiosk's own fresh ticket: a failed print cancels it, and that must never reach
    # a ticket taken on a phone or one already called.
    if row["channel"] != "kiosk":
        raise conflict("not_kiosk_ticket", "该票号不是本机所取 (not a kiosk ticket)")
    if row["status"] != "waiting":
        raise conflict("not_waiting", "该票号已不在等候中 (ticket is no longer waiting)")
    conn = _db().conn()
    view = views.ticket(conn, row, dispatch.predictions(conn, hall))
    url = public_url(token)
    reply = {"ticket": view, "url": url, "qr_svg": qr_svg(url), "printer": "none",
             "cancelled": False}
    spec = _spec(kiosk_id)
    if not (spec or "").strip() and current_app.config.get("PRINTER_FACTORY") is None:
        return reply  # no printer for this kiosk: the slip is on screen only
    printed: OrderedDict[int, None] = current_app.extensions.setdefault(
        "hallq.printed", OrderedDict())  # a ticket prints once, whichever kiosk asks
    with _locks_lock:
        if row["id"] in printed:
            reply["printer"] = "already"
            return reply
        printed[row["id"]] = None
        while len(printed) > PRINTED_KEEP:
            printed.popitem(last=False)
    try:
        p = _printer(spec)
    except Exception:  # a bad setting must not issue tickets that nobody can hold
        current_app.logger.exception("printer configuration")
        p = False
    with _lock(spec):
        try:
            if p is False:
                raise printer.PrinterConfigError("bad HALLQ_PRINTER")
            hall_row = views.hall_row(conn, hall)
            printer.print_slip(p, printer.Slip(
                hall_name=hall_row["name"], number=view["number"],
                service_name=view["service_name"],
                issued_at=clock.iso(row["issued_at"], hall_row["tz"])[:16].replace("T", " "),
                ahead=view["position"] or 0, url=url,
                mark={2: "预约", 1: "优先"}.get(view["priority"], "")))
            reply["printer"] = "ok"
        except Exception:
            current_app.logger.exception("printing ticket %s failed", view["number"])
            with _locks_lock:
                printed.pop(row["id"], None)
            reply["printer"] = "failed"
            reply["cancelled"] = _cancel(row["id"])
        finally:
            close = getattr(p, "close", None)
            if callable(close):
                try:
                    close()
                except Exception:  # closing a dead printer may fail too
                    pass
    return reply


def _cancel(ticket_id: int) -> bool:
    def _tx(tx: Tx):
        fresh = tx.one("SELECT * FROM tickets WHERE id = ?", (ticket_id,))
        if fresh["status"] != "waiting":  # called meanwhile: someone may be holding it
            raise conflict("not_waiting", "ticket is no longer waiting")
        return tickets.cancel(tx, fresh)

    try:
        _db().write("system", _tx)
        return True
    except Exception:
        current_app.logger.exception("cancelling unprinted ticket %s failed", ticket_id)
        return False
