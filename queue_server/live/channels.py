"""Outbound channels for the citizens' notices (``domain/notices.py``): one interface, the
webhook its first implementation.

A channel has a ``name`` (its rows in ``notice_outbox``), says whether it needs the citizen's
phone number (``wants_phone``), and delivers one message (``send``: None when taken, else what
went wrong, which is retried with back-off). An SMS gateway or a WeChat template-message
bridge is one more class with these three members, listed by :func:`configured`.

**The webhook** (``HALLQ_WEBHOOK_URL``): POSTs the message as JSON with
``X-HallQ-Signature: sha256=<hex HMAC-SHA256 of the raw body with HALLQ_WEBHOOK_SECRET>``,
``X-HallQ-Event`` (the event) and ``X-HallQ-Delivery`` (the notice's id, the same on a
retry). It gets the phone number (field ``phone``) only with ``HALLQ_WEBHOOK_PHONE=1`` (an
SMS gateway behind it needs it; a WeChat bridge that issued the ticket itself does not):
off by default, so nothing personal leaves the server unless the hall chose it.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Protocol

from queue_server.domain import privacy
from queue_server.live.outbox import post_signed


class Channel(Protocol):
    """What every outbound channel offers."""

    name: str
    wants_phone: bool

    def send(self, message: dict) -> str | None:
        """Deliver ``message`` (the notice's body, its ``id``, and ``phone`` when wanted)."""
        ...


class WebhookChannel:
    """The notices as signed JSON POSTs to one URL."""

    name = "webhook"

    def __init__(self, config: Mapping):
        self.url = config["WEBHOOK_URL"]
        self.secret = config["WEBHOOK_SECRET"] or ""
        self.timeout_s = float(config["WEBHOOK_TIMEOUT_S"])
        self.wants_phone = bool(config["WEBHOOK_PHONE"])

    def send(self, message: dict) -> str | None:
        raw = json.dumps(message, ensure_ascii=False, sort_keys=True).encode()
        return post_signed(self.url, self.secret, raw, self.timeout_s,
                           {"X-HallQ-Event": message["event"],
                            "X-HallQ-Delivery": str(message["id"])})


def configured(config: Mapping) -> list[Channel]:
    """The channels these settings configure (none: notices are not written)."""
    return [WebhookChannel(config)] if config.get("WEBHOOK_URL") else []


def check(config: Mapping) -> None:
    """A webhook needs its secret: an unsigned one stops the start, not the first notice."""
    if config.get("WEBHOOK_URL") and not config.get("WEBHOOK_SECRET"):
        raise ValueError("HALLQ_WEBHOOK_URL is set but HALLQ_WEBHOOK_SECRET is not:"
                         " the notices are signed with it")


def phone_sealed(config: Mapping, phone: str | None) -> str | None:
    """The phone number to keep for notices, sealed (``privacy.seal``): only when a
    configured channel needs it, else nothing is kept (data minimisation)."""
    if not phone or not any(c.wants_phone for c in configured(config)):
        return None
    return privacy.seal(config["PHONE_KEY"], phone)
