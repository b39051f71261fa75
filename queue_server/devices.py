"""Registered devices: kiosks, hall screens, window screens and calling pads, each with its own
revocable token instead of a staff password.

Pairing: the device asks for a pairing code (``pair``) and shows it; it keeps a pairing secret
with which it asks again (``poll``). A manager approves the code in the console, choosing the
kind, and for a window screen or a calling pad its window (``approve``). The device's next poll
gets its long-lived token, once; like a login session (``auth.py``) the server keeps only its
SHA-256. ``revoke`` ends it at once: every request looks the token up again.

What each kind may do is one table, :data:`ALLOWED` (endpoint names), checked before every
request that carries a device token (:func:`guard`): a kiosk issues tickets and prints their
slips, screens only read (their live subscriptions are public), a calling pad acts on its own
window through ``api/pad.py``. Device tokens start with :data:`PREFIX`, so a staff token is
never looked up here and a device token never reaches the staff session table.
"""
from __future__ import annotations

import hashlib
import json
import re
import secrets
import sqlite3

from flask import Flask, g, request

from queue_server import auth, registry
from queue_server.domain import clock
from queue_server.errors import ApiError, conflict, forbidden, invalid, not_found, too_many
from queue_server.store.db import Tx

PREFIX = "hqd_"
KINDS = ("kiosk", "hall_screen", "window_screen", "pad")
WINDOWED = {"window_screen", "pad"}  # the kinds bound to one window
PAIR_TTL_S = 900  # a pairing code not approved within this is forgotten
PENDING_MAX = 20  # pending pairings per hall: an anonymous caller cannot flood the console
PRINTER_RE = re.compile(r"^[A-Za-z0-9.\-]{1,253}:[0-9]{1,5}$")
# the printer states a status query can find (displays/printer_status.py)
PRINTER_STATES = ("ok", "near_end", "paper_out", "cover_open", "offline", "error",
                  "unreachable", "unknown")

_READ = {"api_devices.heartbeat", "api_devices.me", "api_citizen.halls", "api_citizen.services",
         "healthz"}
ALLOWED: dict[str, frozenset[str]] = {
    "kiosk": frozenset(_READ | {"api_citizen.issue", "api_citizen.follow", "api_citizen.cancel",
                                "kiosk.slip"}),
    "hall_screen": frozenset(_READ),
    "window_screen": frozenset(_READ),
    "pad": frozenset(_READ | {"api_pad.state", "api_pad.open", "api_pad.pause",
                              "api_pad.call_next", "api_pad.recall", "api_pad.finish",
                              "api_pad.no_show"}),
}
# the endpoints a hall that requires paired kiosks (kiosk_device_required) keeps for them
KIOSK_ONLY = {"api_citizen.issue", "kiosk.slip"}
PAPER_OUT = ("打印机缺纸，暂停取号，请联系工作人员 (the printer is out of paper: tickets paused,"
             " please ask the staff)")


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def view(row: sqlite3.Row, tz: str | None = None, now: float | None = None,
         quiet_s: float | None = None) -> dict:
    """A device as the console and the device itself see it (never a secret, a hash or the
    pairing code: the manager types the code the device shows, proving it stands there);
    with ``now`` and ``quiet_s`` also whether it went quiet."""
    out = {"id": row["id"], "hall": row["hall"], "kind": row["kind"], "name": row["name"],
           "window": row["window_id"], "printer": row["printer"], "status": row["status"],
           "created_at": clock.iso(row["created_at"], tz),
           "approved_at": clock.iso(row["approved_at"], tz), "approved_by": row["approved_by"],
           "revoked_at": clock.iso(row["revoked_at"], tz),
           "last_seen_at": clock.iso(row["last_seen_at"], tz),
           "printer_state": row["printer_state"] if row["printer"] else None,
           "printer_checked_at": clock.iso(row["printer_checked_at"], tz)}
    if now is not None and quiet_s is not None:
        out["quiet"] = is_quiet(row, now, quiet_s)
        out["silent_s"] = (None if row["last_seen_at"] is None
                           else max(0, int(now - row["last_seen_at"])))
    return out


def is_quiet(row: sqlite3.Row, now: float, quiet_s: float) -> bool:
    """An active device whose last heartbeat (or its approval, before the first) is older
    than ``quiet_s``."""
    if row["status"] != "active":
        return False
    seen = row["last_seen_at"] if row["last_seen_at"] is not None else row["approved_at"]
    return seen is None or now - seen > quiet_s


# -- pairing ---------------------------------------------------------------------------------

def pair(tx: Tx, hall: str, name: str, address: str) -> tuple[sqlite3.Row, str]:
    """A new pending device with a six-digit code unique among the hall's pending ones, and
    the secret the device polls with. Audited as ``device_pair``."""
    if not tx.one("SELECT 1 FROM halls WHERE id = ?", (hall,)):
        raise not_found("hall")
    tx.run("DELETE FROM devices WHERE status = 'pending' AND created_at < ?",
           (tx.now - PAIR_TTL_S,))
    pending = {r["pair_code"] for r in tx.all(
        "SELECT pair_code FROM devices WHERE hall = ? AND status = 'pending'", (hall,))}
    if len(pending) >= PENDING_MAX:
        raise too_many("待审批的配对过多，请稍后再试 (too many pending pairings, try later)")
    code = f"{secrets.randbelow(10 ** 6):06d}"
    while code in pending:
        code = f"{secrets.randbelow(10 ** 6):06d}"
    secret = secrets.token_urlsafe(32)
    device_id = tx.one(
        "INSERT INTO devices (hall, name, status, pair_code, pair_secret_hash, created_at,"
        " last_address) VALUES (?, ?, 'pending', ?, ?, ?, ?) RETURNING id",
        (hall, name, code, _hash(secret), tx.now, address))[0]
    tx.audit(hall, "device_pair", detail={"device": device_id, "code": code, "name": name,
                                          "address": address})
    return get(tx, device_id), secret


def poll(tx: Tx, secret: str) -> tuple[sqlite3.Row, str | None]:
    """The device asks whether it was approved: once it was, it gets its token (made now,
    only its hash kept; the pairing secret is spent). Audited as ``device_token``."""
    row = tx.one("SELECT * FROM devices WHERE pair_secret_hash = ?", (_hash(secret),))
    if row is None or (row["status"] == "pending" and row["created_at"] < tx.now - PAIR_TTL_S):
        raise not_found("pairing")
    if row["status"] != "approved":
        return row, None
    token = PREFIX + secrets.token_urlsafe(32)
    tx.run("UPDATE devices SET status = 'active', token_hash = ?, pair_secret_hash = NULL,"
           " pair_code = NULL WHERE id = ? AND status = 'approved'", (_hash(token), row["id"]))
    tx.audit(row["hall"], "device_token", detail={"device": row["id"], "kind": row["kind"]})
    return get(tx, row["id"]), token


def approve(tx: Tx, hall: str, code: str, kind: str, name: str, window: str | None,
            printer: str | None) -> sqlite3.Row:
    """A manager approves a pending pairing of ``hall`` by its code. Audited as
    ``device_approve`` (kind, window, printer)."""
    row = tx.one("SELECT * FROM devices WHERE hall = ? AND status = 'pending' AND pair_code = ?"
                 " AND created_at >= ?", (hall, code, tx.now - PAIR_TTL_S))
    if row is None:
        raise not_found("pairing")
    if kind in WINDOWED:
        if window is None:
            raise invalid("window_required", "窗口屏和呼叫器须指定窗口 (this kind needs a window)")
        if not tx.one("SELECT 1 FROM windows WHERE id = ? AND hall = ?", (window, hall)):
            raise invalid("unknown_window", f"窗口不存在 (unknown window {window!r})")
    elif window is not None:
        raise invalid("window_not_allowed", "只有窗口屏和呼叫器绑定窗口 (only window screens"
                                            " and pads have a window)")
    if printer is not None and kind != "kiosk":
        raise invalid("printer_not_allowed", "只有取号机有打印机 (only kiosks have a printer)")
    tx.run("UPDATE devices SET status = 'approved', kind = ?, name = ?, window_id = ?,"
           " printer = ?, printer_state = ?, approved_at = ?, approved_by = ? WHERE id = ?",
           (kind, name or row["name"], window, printer, "unknown" if printer else None, tx.now,
            tx.actor, row["id"]))
    tx.audit(hall, "device_approve", window=window,
             detail={"device": row["id"], "kind": kind, "name": name or row["name"],
                     "window": window, "printer": printer})
    return get(tx, row["id"])


def revoke(tx: Tx, device_id: int, hall_check) -> sqlite3.Row:
    """End a device's token (or refuse its pending pairing) at once. Audited as
    ``device_revoke``. ``hall_check(hall)`` refuses a manager of another hall."""
    row = tx.one("SELECT * FROM devices WHERE id = ?", (device_id,))
    if row is None:
        raise not_found("device")
    hall_check(row["hall"])
    if row["status"] == "revoked":
        raise conflict("already_revoked", "该设备已吊销 (device already revoked)")
    tx.run("UPDATE devices SET status = 'revoked', token_hash = NULL, pair_secret_hash = NULL,"
           " pair_code = NULL, revoked_at = ?, revoked_by = ? WHERE id = ?",
           (tx.now, tx.actor, device_id))
    tx.audit(row["hall"], "device_revoke", window=row["window_id"],
             detail={"device": device_id, "kind": row["kind"], "name": row["name"]})
    return get(tx, device_id)


def get(tx: Tx, device_id: int) -> sqlite3.Row:
    row = tx.one("SELECT * FROM devices WHERE id = ?", (device_id,))
    if row is None:
        raise not_found("device")
    return row


# -- heartbeats ------------------------------------------------------------------------------

def heartbeat(tx: Tx, device_id: int, address: str) -> sqlite3.Row:
    """The device is alive. Not audited (it comes every half minute), except the first after
    a quiet alert: ``device_back``."""
    row = get(tx, device_id)
    now = clock.now()
    tx.run("UPDATE devices SET last_seen_at = ?, last_address = ?, quiet_alerted_at = NULL"
           " WHERE id = ?", (now, address, device_id))
    if row["quiet_alerted_at"] is not None:
        tx.now = now
        tx.audit(row["hall"], "device_back", window=row["window_id"],
                 detail={"device": device_id, "kind": row["kind"], "name": row["name"]})
    return get(tx, device_id)


# -- the request guard -----------------------------------------------------------------------

def current() -> sqlite3.Row | None:
    """The active device this request's bearer token names (set by :func:`guard`)."""
    return g.get("device")


def _lookup(token: str) -> sqlite3.Row | None:
    return registry.db().one("SELECT * FROM devices WHERE token_hash = ? AND status = 'active'",
                             (_hash(token),))


def live(token: str) -> bool:
    """Whether ``token`` is an active device's (a Socket.IO connection's check)."""
    return _lookup(token) is not None


def guard() -> None:
    """Before every request: a device token must be live (401 at once after a revocation)
    and may reach only its kind's endpoints (403), in its own hall (403); a hall that requires
    paired kiosks refuses their endpoints without one; a kiosk whose printer reports paper-out
    issues nothing (409)."""
    token = auth.bearer_token()
    device = _lookup(token) if token and token.startswith(PREFIX) else None
    if token and token.startswith(PREFIX):
        if device is None:
            raise ApiError("device_revoked", "设备令牌无效或已吊销，请重新配对 (device token"
                                             " unknown or revoked: pair again)", 401)
        g.device = device
        _check_kind(device)
    _check_kiosk(device)


def _check_kind(device: sqlite3.Row) -> None:
    endpoint = request.endpoint or ""
    page = request.method == "GET" and not request.path.startswith("/api/")
    if not page and endpoint not in ALLOWED.get(device["kind"], frozenset()):
        raise forbidden("设备无权执行此操作 (this device may not do that)")
    hall = (request.view_args or {}).get("hall")
    if hall is not None and hall != device["hall"]:
        raise forbidden("该设备属于其他大厅 (this device belongs to another hall)")


def _check_kiosk(device: sqlite3.Row | None) -> None:
    if request.endpoint not in KIOSK_ONLY:
        return
    if device is not None:
        if (request.endpoint == "api_citizen.issue" and device["printer"]
                and device["printer_state"] == "paper_out"):
            raise conflict("printer_paper_out", PAPER_OUT)
        return
    hall = (request.view_args or {}).get("hall")
    row = registry.db().one("SELECT kiosk_device_required FROM halls WHERE id = ?", (hall,))
    if row is None or not row["kiosk_device_required"] or _mobile() or _staff():
        return
    raise ApiError("device_required",
                   "本大厅的取号机须先配对 (this hall's kiosks must be paired devices)", 401)


def _mobile() -> bool:
    """A phone ticket is not the kiosk's. A body that does not parse is let through: the
    view's own check refuses it (400) in the contract's shape."""
    if request.endpoint != "api_citizen.issue":
        return False
    try:
        body = json.loads(request.get_data(cache=True) or b"{}")
    except (ValueError, RecursionError):
        return True
    return isinstance(body, dict) and body.get("channel") == "mobile"


def _staff() -> bool:
    """Staff signed in (a clerk trying the kiosk) keep working as before."""
    return auth.has_role(auth.current_user(), "clerk")


def set_kiosk_required(tx: Tx, hall: str, required: bool) -> None:
    before = tx.one("SELECT kiosk_device_required FROM halls WHERE id = ?", (hall,))
    tx.run("UPDATE halls SET kiosk_device_required = ? WHERE id = ?", (int(required), hall))
    tx.audit(hall, "device_settings", detail={
        "before": {"kiosk_device_required": bool(before["kiosk_device_required"])},
        "after": {"kiosk_device_required": required}})


def register(app: Flask) -> None:
    app.before_request(guard)
