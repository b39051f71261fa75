"""HallQ's server: ``create_app()`` builds the Flask app, its database and its Socket.IO hub."""
from __future__ import annotations

import logging
import os
from datetime import timedelta

from flask import Flask

from . import config, errors, printer, security
from .auth import LoginThrottle
from .autocall import AutoCaller
from .db import Database, connect, migrate
from .hub import socketio
from .publisher import Publisher
from .ratelimit import AddressLimiter
from .rollover import Rollover

__all__ = ["create_app", "socketio"]


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    settings = dict(config.DEFAULTS)
    settings.update(config.from_env())
    settings.update(test_config or {})
    app.config.update(settings)
    db_path = os.path.abspath(app.config["DB"])
    app.config["DB"] = db_path
    app.config["SECRET_KEY"] = app.config["SECRET_KEY"] or config.secret_file(db_path, "secret")
    app.config["ID_HASH_KEY"] = app.config["ID_HASH_KEY"] or config.secret_file(db_path, "idkey")
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

    conn = connect(db_path)
    try:
        migrate(conn)
    finally:
        conn.close()

    live = Publisher(app, socketio, app.config["POSITION_REFRESH_S"])
    db = Database(db_path, on_commit=live.committed)
    live.bind(db)
    app.extensions["hallq.db"] = db
    app.extensions["hallq.publisher"] = live
    # each request's (and Socket.IO event's) connection goes back to the pool: greenlets are
    # many and short-lived; the outermost context only, so no caller keeps a pooled one
    app.teardown_request(lambda _exc: db.release())
    app.extensions["hallq.login_throttle"] = LoginThrottle(app.config["LOGIN_FAILS"])
    app.extensions["hallq.address_limiter"] = AddressLimiter(app.config["RATE_ADDRESS_PER_MIN"])
    app.extensions["hallq.autocall"] = autocall = AutoCaller(db, app.config["WRAP_UP_S"])
    app.extensions["hallq.rollover"] = rollover = Rollover(db)
    for hall in db.all("SELECT id FROM halls"):  # a server started in the morning
        rollover.ensure(hall["id"])

    errors.register(app)
    security.register(app)
    from . import api_auth, api_citizen, api_clerk, openapi, pages
    for module in (api_auth, api_citizen, api_clerk, openapi, pages):
        app.register_blueprint(module.bp)
    _register_optional(app)

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    socketio.init_app(app, async_mode=app.config["ASYNC_MODE"],
                      message_queue=app.config["MESSAGE_QUEUE"], cors_allowed_origins=None,
                      ping_interval=app.config["PING_INTERVAL_S"],
                      ping_timeout=app.config["PING_TIMEOUT_S"],
                      logger=False, engineio_logger=False)
    security.wrap_outermost(app)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    if db.one("SELECT 1 FROM windows WHERE auto = 1 LIMIT 1"):
        autocall.ensure_started()
    return app


def _register_optional(app: Flask) -> None:
    """Blueprints of the other rooms of the house (screens, clerk terminal, manager console)."""
    from displays import bp as displays_bp
    from windows import bp as windows_bp

    from . import alerts, api_manage, manage

    for bp in (displays_bp, windows_bp, api_manage.bp, manage.bp):
        app.register_blueprint(bp)
    alerts.start(app)  # 超时预警 checker; starts with the first request, never in tests
