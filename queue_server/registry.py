"""The app's services, registered once by ``create_app`` and found through one accessor.

Every room reaches the database, the publisher and the background loops through
``services()`` (or ``db()``), never through ``current_app.extensions`` by a string key.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flask import Flask, current_app

if TYPE_CHECKING:
    from queue_server.api.ratelimit import AddressLimiter
    from queue_server.auth import LoginThrottle
    from queue_server.domain.rollover import Rollover
    from queue_server.live.alerts import Checker
    from queue_server.live.autocall import AutoCaller
    from queue_server.live.device_watch import DeviceWatch
    from queue_server.live.hold_return import HoldReturner
    from queue_server.live.publisher import Publisher
    from queue_server.live.sessions import SessionWatch
    from queue_server.store.db import Database

KEY = "hallq"


@dataclass
class Services:
    """What one app owns besides its routes."""

    db: Database
    publisher: Publisher
    login_throttle: LoginThrottle
    address_limiter: AddressLimiter
    autocall: AutoCaller
    rollover: Rollover
    session_watch: SessionWatch
    alerts: Checker | None = None
    hold_return: HoldReturner | None = None  # set by live/hold_return.start
    device_watch: DeviceWatch | None = None  # set by live/device_watch.start
    # ticket ids already printed (a reprint is refused), newest kept; see displays/kiosk.py
    printed: OrderedDict[int, None] = field(default_factory=OrderedDict)


def register(app: Flask, services: Services) -> Services:
    app.extensions[KEY] = services
    return services


def services(app: Flask | None = None) -> Services:
    """This app's services (the current app's when none is given)."""
    return (app or current_app).extensions[KEY]


def db(app: Flask | None = None) -> Database:
    """This app's database: the one accessor every module uses."""
    return services(app).db
