"""Devices: pairing (the device), approval and revocation (managers), heartbeats (the device),
and the console's device list with each one's last heartbeat and printer state."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from queue_server import auth, devices
from queue_server.api import bodies
from queue_server.api.citizen import hall_or_404
from queue_server.api.fields import Empty, accepts
from queue_server.domain import clock
from queue_server.errors import not_found, unauthorized
from queue_server.registry import db
from queue_server.store.db import Tx

bp = Blueprint("api_devices", __name__, url_prefix="/api/v1")


def _address() -> str:
    return request.remote_addr or "unknown"


def _tz(hall: str) -> str | None:
    row = db().one("SELECT tz FROM halls WHERE id = ?", (hall,))
    return row["tz"] if row else None


def _view(row) -> dict:
    return devices.view(row, _tz(row["hall"]), clock.now(),
                        float(current_app.config["DEVICE_QUIET_S"]))


@bp.post("/halls/<hall>/devices/pair")
@accepts(bodies.DevicePair)
def pair(hall: str, body: bodies.DevicePair):
    """A device asks to be paired: a six-digit code to show, and a secret to poll with."""
    hall_or_404(hall)
    row, secret = db().write("device", lambda tx: devices.pair(
        tx, hall, body.name or "", _address()))
    return jsonify({"device": _view(row), "code": row["pair_code"], "secret": secret,
                    "expires_in_s": devices.PAIR_TTL_S}), 201


@bp.post("/devices/poll")
@accepts(bodies.DevicePoll)
def poll(body: bodies.DevicePoll):
    """The pairing device asks again: ``pending``, or ``active`` with its token (once)."""
    row, token = db().write("device", lambda tx: devices.poll(tx, body.secret))
    reply = {"status": "active" if token else row["status"], "device": _view(row)}
    if token:
        reply["token"] = token
    return reply


def _device():
    device = devices.current()
    if device is None:
        raise unauthorized("需要设备令牌 (a device token is required)")
    return device


@bp.post("/devices/heartbeat")
@accepts(bodies.Heartbeat)
def heartbeat(body: bodies.Heartbeat):
    """The device is alive; the answer says what the device should show (its printer's
    state for a kiosk)."""
    device = _device()
    row = db().write(f"device:{device['id']}",
                     lambda tx: devices.heartbeat(tx, device["id"], _address()))
    return {"device": _view(row)}


@bp.get("/devices/me")
def me():
    """The device this token belongs to."""
    return {"device": _view(_device())}


@bp.get("/halls/<hall>/devices")
@auth.require("manager")
def hall_devices(hall: str):
    """The hall's devices (pending, active, revoked), with heartbeats and printer states."""
    hall_or_404(hall)
    rows = db().all("SELECT * FROM devices WHERE hall = ? AND (status != 'pending'"
                    " OR created_at >= ?) ORDER BY status = 'revoked', id",
                    (hall, clock.now() - devices.PAIR_TTL_S))
    required = db().one("SELECT kiosk_device_required FROM halls WHERE id = ?", (hall,))
    return {"devices": [_view(r) for r in rows],
            "quiet_s": float(current_app.config["DEVICE_QUIET_S"]),
            "kiosk_device_required": bool(required["kiosk_device_required"])}


@bp.post("/halls/<hall>/devices/approve")
@auth.require("manager")
@accepts(bodies.DeviceApprove)
def approve(hall: str, body: bodies.DeviceApprove):
    """Approve the pairing showing ``code``: its kind, name, window (window screen, pad) and
    printer (a kiosk's network printer, HOST:PORT, whose status the server polls)."""
    hall_or_404(hall)
    user = auth.current_user()
    row = db().write(user["username"], lambda tx: devices.approve(
        tx, hall, body.code, body.kind, body.name or "", body.window, body.printer))
    return {"device": _view(row)}


@bp.post("/devices/<device_id>/revoke")
@auth.require("manager")
@accepts(Empty)
def revoke(device_id: str, body: Empty):
    """Revoke a device's token (or refuse a pending pairing): refused from the next request."""
    if not device_id.isascii() or not device_id.isdigit() or len(device_id) > 12:
        raise not_found("device")
    user = auth.current_user()
    row = db().write(user["username"], lambda tx: devices.revoke(
        tx, int(device_id), lambda hall: auth.check_scope(user, hall)))
    return {"device": _view(row)}


@bp.put("/halls/<hall>/devices/settings")
@auth.require("manager")
@accepts(bodies.DeviceSettings)
def settings(hall: str, body: bodies.DeviceSettings):
    """Whether the hall's kiosks must be paired devices to issue tickets."""
    hall_or_404(hall)
    user = auth.current_user()

    def _set(tx: Tx) -> None:
        devices.set_kiosk_required(tx, hall, body.kiosk_device_required)

    db().write(user["username"], _set)
    return {"kiosk_device_required": body.kiosk_device_required}
