"""The citizens' notices after commit: delivering the outbox to each channel, and noticing
what time and other tickets cause (near the front, an appointment's reminder).

**Sending.** One :class:`~queue_server.live.outbox.OutboxSender` per configured channel
(``live/channels.py``) over its rows of ``notice_outbox``: leased, sent with no transaction
open, in order per hall, retried with back-off (``HALLQ_WEBHOOK_RETRY_S`` doubled up to an
hour), dropped when still undelivered after ``HALLQ_NOTICE_TTL_S``. A channel that wants the
phone gets it unsealed here, at the moment of sending, from the ticket (its first leg) or the
booking the notice is for; it is never written into the outbox, a log line or an audit event.

**Checking.** ``ticket.near_front``: a waiting ticket whose position (the dispatcher's, as its
phone shows it; 0 = next) is at most ``HALLQ_NOTICE_NEAR_FRONT`` (default 3) is marked and
its notice written in one write, once per ticket (``tickets.near_front_at``, a guarded
update, so two processes send it once). A hall is looked at again only when its
``forecast_version`` moved (something changed there). ``appointment.reminder``: a booking
whose slot starts within ``HALLQ_NOTICE_REMINDER_S`` (default one hour), once.

Both are background loops of each serving process, started with its first request when a
channel is configured, never in tests (which call :meth:`NoticeSender.deliver_once` and
:meth:`NoticeChecker.check`).
"""
from __future__ import annotations

import json

from flask import Flask

from queue_server import registry
from queue_server.domain import clock, forecast_cache, notices, planner, privacy
from queue_server.live import channels
from queue_server.live.loop import BackgroundLoop
from queue_server.live.outbox import Outbox, OutboxSender
from queue_server.store.db import Database, Tx


class NoticeSender:
    """Delivers every configured channel's notices."""

    def __init__(self, app: Flask, chosen: list[channels.Channel] | None = None):
        self.db = registry.db(app)
        self.phone_key = app.config["PHONE_KEY"]
        self.senders = [
            OutboxSender(self.db, Outbox("notice_outbox", where=f"channel = '{c.name}'",
                                         group="hall", expires=True),
                         lambda row, c=c: c.send(self.message(row, c.wants_phone)),
                         name=f"notice {c.name}",
                         timeout_s=float(app.config["WEBHOOK_TIMEOUT_S"]),
                         retry_s=float(app.config["WEBHOOK_RETRY_S"]),
                         ttl_s=float(app.config["NOTICE_TTL_S"]))
            for c in (channels.configured(app.config) if chosen is None else chosen)]

    def deliver_once(self, now: float | None = None) -> int:
        return sum(s.deliver_once(now) for s in self.senders)

    def message(self, row: dict, with_phone: bool) -> dict:
        """The notice as a channel sends it: its body, its id, and the phone if wanted."""
        message = {**json.loads(row["body"]), "id": row["id"]}
        if with_phone:
            phone = privacy.unseal(self.phone_key, self._sealed_phone(row))
            if phone:
                message["phone"] = phone
        return message

    def _sealed_phone(self, row: dict) -> str | None:
        if row["ticket"] is not None:
            found = self.db.one("SELECT phone_enc FROM tickets WHERE id = ?", (row["ticket"],))
        elif row["appointment"] is not None:
            found = self.db.one("SELECT phone_enc FROM appointments WHERE code = ?",
                                (row["appointment"],))
        else:
            found = None
        return found["phone_enc"] if found else None


class NoticeChecker:
    """Writes the notices nobody's request causes: near the front, reminders."""

    def __init__(self, app: Flask):
        self.db: Database = registry.db(app)
        self.near = int(app.config["NOTICE_NEAR_FRONT"])
        self.remind_s = float(app.config["NOTICE_REMINDER_S"])
        self._seen: dict[str, int] = {}  # hall -> the forecast_version last looked at

    def check(self, now: float | None = None) -> dict[str, list]:
        now = clock.now() if now is None else now
        return {"near_front": self._near_front(now), "reminded": self._reminders(now)}

    def _near_front(self, now: float) -> list[int]:
        marked: list[int] = []
        for hall in self.db.all("SELECT id, forecast_version FROM halls"):
            if self._seen.get(hall["id"]) == hall["forecast_version"]:
                continue
            self._seen[hall["id"]] = hall["forecast_version"]
            unmarked = {r["id"] for r in self.db.all(
                "SELECT id FROM tickets WHERE hall = ? AND status = 'waiting'"
                " AND near_front_at IS NULL", (hall["id"],))}
            if not unmarked:
                continue
            preds = planner.predictions(self.db.conn(), hall["id"], now,
                                        source=forecast_cache.of(self.db))
            near = {tid: int(g["position"]) for tid, g in preds.items()
                    if tid in unmarked and g.get("position") is not None
                    and int(g["position"]) <= self.near}
            if near:
                marked += self.db.write("system", lambda tx, near=near: self._mark(tx, now, near))
        return marked

    def _reminders(self, now: float) -> list[str]:
        if self.remind_s <= 0:
            return []
        due = [r["code"] for r in self.db.all(
            "SELECT code FROM appointments WHERE status = 'booked' AND reminded_at IS NULL"
            " AND slot_at > ? AND slot_at <= ? ORDER BY slot_at, code",
            (now, now + self.remind_s))]
        if not due:
            return []
        def _remind(tx: Tx) -> list[str]:
            tx.now = now
            return [c for c in due if notices.mark_reminded(tx, c)]

        return self.db.write("system", _remind)

    @staticmethod
    def _mark(tx: Tx, now: float, near: dict[int, int]) -> list[int]:
        tx.now = now
        return [tid for tid, pos in sorted(near.items(), key=lambda kv: (kv[1], kv[0]))
                if notices.mark_near_front(tx, tid, pos)]


def start(app: Flask) -> None:
    """Arrange for the sender and the checker to start with the first request (as
    ``alerts.start``), when a channel is configured."""
    if app.config.get("TESTING") or not channels.configured(app.config):
        return
    sender, checker = NoticeSender(app), NoticeChecker(app)
    poll_s = float(app.config["NOTICE_POLL_S"])
    loops = [BackgroundLoop("notice sender", sender.deliver_once, poll_s),
             BackgroundLoop("notice checker", checker.check, poll_s)]

    @app.before_request
    def _start_notices() -> None:
        for loop in loops:
            if not loop.started:
                loop.ensure_started()
