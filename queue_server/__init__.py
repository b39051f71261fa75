"""HallQ's server: ``create_app()`` builds the Flask app, its database and its Socket.IO hub."""
from __future__ import annotations

import logging
from datetime import timedelta

from flask import Flask

from displays import printer
from queue_server import config, devices, errors, registry, security
from queue_server.api.ratelimit import AddressLimiter
from queue_server.auth import LoginThrottle
from queue_server.domain import notices, privacy, supervision_feed
from queue_server.domain.rollover import Rollover
from queue_server.live import channels, feed, wsfast
from queue_server.live.autocall import AutoCaller
from queue_server.live.hub import socketio
from queue_server.live.publisher import Publisher
from queue_server.live.sessions import SessionWatch
from queue_server.store.db import Database, connect, migrate

__all__ = ["create_app", "socketio"]


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    _configure(app, test_config)
    services = _services(app)
    errors.register(app)
    security.register(app)
    devices.register(app)  # device tokens: live, and only their kind's endpoints
    _register_blueprints(app)

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    socketio.init_app(app, async_mode=app.config["ASYNC_MODE"],
                      message_queue=app.config["MESSAGE_QUEUE"], cors_allowed_origins=None,
                      ping_interval=app.config["PING_INTERVAL_S"],
                      ping_timeout=app.config["PING_TIMEOUT_S"],
                      logger=False, engineio_logger=False)
    if app.config["WS_FAST"] and not app.config.get("WS_COMPRESSION"):
        wsfast.install(socketio.server)
    security.wrap_outermost(app)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    if services.db.one("SELECT 1 FROM windows WHERE auto = 1 LIMIT 1"):
        services.autocall.ensure_started()
    return app


def _configure(app: Flask, test_config: dict | None) -> None:
    """Defaults, then ``HALLQ_*`` from the environment, then the test's config."""
    settings = dict(config.DEFAULTS)
    settings.update(config.from_env())
    settings.update(test_config or {})
    app.config.update(settings)
    db_path = config.db_location(app.config["DB"])
    app.config["DB"] = db_path
    beside = config.secret_base(db_path)
    app.config["SECRET_KEY"] = app.config["SECRET_KEY"] or config.secret_file(beside, "secret")
    app.config["ID_HASH_KEY"] = app.config["ID_HASH_KEY"] or config.secret_file(beside, "idkey")
    app.config["PHONE_KEY"] = app.config["PHONE_KEY"] or config.secret_file(beside, "phonekey")
    # a retention that is no whole number of days stops the start, not the nightly purge
    app.config["PERSONAL_DATA_DAYS"] = privacy.check_days(app.config["PERSONAL_DATA_DAYS"])
    # an unsigned or misnamed 电子监察 feed stops the start, not its first notice
    feed.check(app.config)
    channels.check(app.config)  # likewise an unsigned webhook for the citizens' notices
    supervision_feed.check_kinds(app.config["SUPERVISION_EVENTS"])
    # a malformed kiosk -> printer map stops the start, not a citizen's ticket later
    app.config["PRINTERS"] = printer.parse_map(app.config["PRINTERS"])
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="hallq_session",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        JSON_AS_ASCII=False,
        MAX_CONTENT_LENGTH=app.config["MAX_BODY_BYTES"],
    )
    app.json.ensure_ascii = False
    app.json.sort_keys = False


def _services(app: Flask) -> registry.Services:
    """The migrated database with its publisher, and the app's other services, registered."""
    db_path = app.config["DB"]
    conn = connect(db_path)
    try:
        migrate(conn)
    finally:
        conn.close()
    live = Publisher(app, socketio, app.config["POSITION_REFRESH_S"])
    db = Database(db_path, on_commit=live.committed)
    live.bind(db)
    # each request's (and Socket.IO event's) connection goes back to the pool: greenlets are
    # many and short-lived; the outermost context only, so no caller keeps a pooled one
    app.teardown_request(lambda _exc: db.release())
    services = registry.register(app, registry.Services(
        db=db, publisher=live,
        login_throttle=LoginThrottle(app.config["LOGIN_FAILS"]),
        address_limiter=AddressLimiter(app.config["RATE_ADDRESS_PER_MIN"]),
        autocall=AutoCaller(db, app.config["WRAP_UP_S"]),
        rollover=Rollover(db),
        session_watch=SessionWatch(db, app.config["SESSION_CHECK_S"])))
    for hall in db.all("SELECT id FROM halls"):  # a server started in the morning
        services.rollover.ensure(hall["id"])
    # the outbound channels configured now are the ones notices are written for
    names = {c.name for c in channels.configured(app.config)}
    if notices.enabled_names(db.conn()) != names:
        db.write("system", lambda tx: notices.sync_channels(tx, names))
    return services


def _register_blueprints(app: Flask) -> None:
    """The API by audience, the shared front-end kit, and every device's pages."""
    import displays
    import windows
    from queue_server import assets
    from queue_server.api import (
        bookings,
        cases,
        citizen,
        clerk,
        floor,
        guidance,
        guide,
        manager,
        openapi,
        pad,
        sessions,
        skills,
        supervision,
    )
    from queue_server.api import devices as device_api
    from queue_server.live import alerts, device_watch, hold_return, profiles, retention
    from queue_server.live import bookings as missed
    from queue_server.live import notices as live_notices
    from queue_server.live import supervision as checks

    for module in (sessions, citizen, bookings, clerk, guide, floor, manager, supervision, skills,
                   openapi, device_api, pad, assets, guidance, cases):
        app.register_blueprint(module.bp)
    for bp in displays.BLUEPRINTS + windows.BLUEPRINTS:
        app.register_blueprint(bp)
    alerts.start(app)  # 超时预警 checker; starts with the first request, never in tests
    retention.start(app)  # the daily personal-data purge; likewise
    profiles.start(app)  # each hall's dispatcher profile from its recent days; likewise
    hold_return.start(app)  # held tickets back in line when their hall's timer says so
    checks.start(app)  # 办理超时 and overdue rectification cases; likewise
    feed.start(app)  # the 电子监察 feed's sender, when a feed is configured; likewise
    missed.start(app)  # bookings nobody checked in for marked missed at their slot's end
    live_notices.start(app)  # the citizens' notices: sender and checker, when a channel is set
    device_watch.start(app)  # printer status polls and quiet devices; likewise
