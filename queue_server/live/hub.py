"""The Socket.IO hub: subscriptions answered by snapshots, and publishing after each commit.

Socket.IO does not replay missed events, so every hall event carries the hall's ``seq``; a
screen that sees a gap, or reconnects, subscribes again and gets a fresh snapshot.
"""
from __future__ import annotations

from flask import current_app, request, session
from flask_socketio import ConnectionRefusedError, SocketIO, join_room, leave_room

from queue_server import auth, devices, registry
from queue_server.domain import forecast_cache, planner, read_models
from queue_server.domain.tickets import room_of, token_hash
from queue_server.live.events import (
    Snapshot,
    batch_room,
    hall_room,
    managers_room,
    positions_room,
    send,
    window_room,
    zone_room,
)
from queue_server.store.db import Database, loads

socketio = SocketIO()
tokens: dict[str, str | None] = {}  # sid -> the login token it connected with, if any
_addresses: dict[str, str] = {}      # sid -> the client address it connected from
_per_address: dict[str, int] = {}    # client address -> its live connections on this process
positions_sids: set[str] = set()     # sids that take positions from queue.positions frames
FULL = "连接数已满，请稍后再试 (too many live connections, try again later)"



def _error(code: str, message: str) -> dict:
    return {"error": {"code": code, "message": message}}


@socketio.on("connect")
def _connect(auth_data=None):
    """Authenticate once on connect: a bearer token in ``auth`` or the login cookie.

    Past the process's or the address's cap a new socket is refused with a reason (the
    client's ``connect_error``), so the live connections cannot crowd out HTTP."""
    address = request.remote_addr or "unknown"
    cap, per_address = (current_app.config["MAX_LIVE"],
                        current_app.config["MAX_LIVE_PER_ADDRESS"])
    if cap and len(tokens) >= cap:
        raise ConnectionRefusedError(FULL, {"code": "too_many_connections"})
    if per_address and _per_address.get(address, 0) >= per_address:
        raise ConnectionRefusedError(FULL, {"code": "too_many_connections_from_address"})
    token = (auth_data or {}).get("token") if isinstance(auth_data, dict) else None
    if isinstance(token, str) and token.startswith(devices.PREFIX):
        # a paired screen or pad: a revoked token is refused; a live one subscribes to the
        # public rooms as anyone may (it is no staff login for the session sweep to check)
        if not devices.live(token):
            raise ConnectionRefusedError("设备令牌无效或已吊销 (device token revoked)",
                                         {"code": "device_revoked"})
        token = None
    tokens[request.sid] = token if isinstance(token, str) else session.get("token")
    if tokens[request.sid] and not current_app.config.get("TESTING"):  # tests sweep by hand
        registry.services().session_watch.ensure_started()
    _addresses[request.sid] = address
    _per_address[address] = _per_address.get(address, 0) + 1


@socketio.on("disconnect")
def _disconnect(*_args):
    tokens.pop(request.sid, None)
    positions_sids.discard(request.sid)
    address = _addresses.pop(request.sid, None)
    if address is not None:
        left = _per_address.get(address, 1) - 1
        if left > 0:
            _per_address[address] = left
        else:
            _per_address.pop(address, None)


def hall_snapshot(db: Database, hall: str, zone: str | None = None,
                  public: bool = True) -> dict:
    """What a hall's screens (``public``: no clerk's login name) or its monitor start from."""
    with db.read() as conn:
        row = read_models.hall_row(conn, hall)
        return {"hall": hall, "zone": zone, "seq": row["live_seq"],
                "name": row["name"], "name_en": row["name_en"] or "",
                "notices": loads(row["notices"], []),
                "calls": read_models.recent_calls(conn, hall, zone),
                "waiting": read_models.waiting_counts(conn, hall),
                "categories": read_models.categories(conn, hall),
                "services": [{"id": s["id"], "name": s["name"], "name_en": s["name_en"] or "",
                              "category": s["category"]} for s in read_models.services(conn, hall)],
                "windows": read_models.windows(conn, hall, zone, public=public)}


class _Refused(Exception):
    """A subscription refused: answered as the ack value, in the contract's error shape."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.answer = _error(code, message)


@socketio.on("subscribe")
def _subscribe(data=None):
    """Join a room and answer with its snapshot; errors come back as the ack value."""
    if not isinstance(data, dict):
        return _error("malformed_body", "subscribe needs an object")
    kind = next((k for k in SUBSCRIPTIONS if k in data), None)
    if kind is None:
        return _error("malformed_body", "subscribe to hall, zone, window or ticket")
    try:
        payload = SUBSCRIPTIONS[kind](registry.db(), data)
    except _Refused as refused:
        return refused.answer
    send(socketio, Snapshot(state=payload), to=request.sid)
    return {"ok": True}


def _ticket(db: Database, data: dict) -> dict:
    token = data["ticket"]
    row = db.one("SELECT * FROM tickets WHERE token_hash = ?",
                 (token_hash(token),)) if isinstance(token, str) else None
    if row is None:
        raise _Refused("not_found", "ticket 不存在 (unknown ticket)")
    join_room(room_of(row))
    if data.get("positions") is True:  # its position comes in its service's frames
        join_room(positions_room(row["hall"], row["service"]))
        positions_sids.add(request.sid)
    preds = (planner.predictions(db.conn(), row["hall"], source=forecast_cache.of(db))
             if row["status"] == "waiting" else None)
    seq = read_models.hall_row(db.conn(), row["hall"])["live_seq"]
    return {"ticket": read_models.ticket(db.conn(), row, preds), "seq": seq}


def _window(db: Database, data: dict) -> dict:
    wid = data["window"]
    with db.read() as conn:
        w = read_models.window_by_id(conn, wid) if isinstance(wid, str) else None
        w = None if w is None else read_models.public_window(w)  # the window screen: anyone
        if w is None:
            raise _Refused("not_found", "window 不存在 (unknown window)")
        seq = read_models.hall_row(conn, w["hall"])["live_seq"]
    join_room(window_room(wid))
    return {"window": w, "seq": seq,
            "calls": read_models.recent_calls(db.conn(), w["hall"], limit=5, window=wid)}


def _known_hall(db: Database, hall: object) -> str:
    if not isinstance(hall, str) or read_models.hall_row(db.conn(), hall) is None:
        raise _Refused("not_found", "hall 不存在 (unknown hall)")
    return hall


def _managers(db: Database, data: dict) -> dict:
    # Looked up again on every event: a logout or a lost role takes effect at once.
    user = auth.user_for_token(db, tokens.get(request.sid))
    if not auth.has_role(user, "manager"):
        raise _Refused("forbidden", "需要管理员权限 (managers only)")
    hall = _known_hall(db, data["managers"])
    if not auth.in_scope(user, hall):
        raise _Refused("forbidden", auth.OTHER_HALL)
    join_room(managers_room(hall))
    join_room(hall_room(hall))  # the monitor needs every hall event too
    return hall_snapshot(db, hall, public=False)


def _hall(db: Database, data: dict) -> dict:
    hall, zone = _known_hall(db, data["hall"]), data.get("zone")
    if zone is not None and not isinstance(zone, str):
        raise _Refused("malformed_body", "zone must be a string")
    registry.services().rollover.ensure(hall)
    room = zone_room(hall, zone) if zone else hall_room(hall)
    # batch: one frame per transaction (a call) instead of one per event
    join_room(batch_room(room) if data.get("batch") is True else room)
    return hall_snapshot(db, hall, zone)


# What a subscription names, in the order it is looked for (a ticket wins over a hall).
SUBSCRIPTIONS = {"ticket": _ticket, "window": _window, "managers": _managers, "hall": _hall}


@socketio.on("unsubscribe")
def _unsubscribe(data=None):
    if isinstance(data, dict) and isinstance(data.get("hall"), str):
        leave_room(hall_room(data["hall"]))
    return {"ok": True}
