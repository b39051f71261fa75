"""The nightly safeguard, run by the server: each hall's profile chosen once a day.

A background loop started with the first request a serving process handles (never in tests,
which call :func:`learn_all`), like the personal-data purge. Each round looks at every hall
whose stored choice was not made for today (its local day) and chooses again from its recent
days (``manager/dispatch_profile.py``). The replays take seconds of CPU, so under gevent they
run in a native thread (the event loop keeps its turn at the GIL); the choice is then one
write. Several processes may run it: the same days give the same choice, and a hall already
chosen for today is skipped inside the write.
"""
from __future__ import annotations

import logging

from flask import Flask

from queue_server import registry
from queue_server.domain import clock, read_models
from queue_server.live import offload
from queue_server.live.loop import BackgroundLoop
from queue_server.manager import dispatch_profile
from queue_server.store.db import Database

log = logging.getLogger(__name__)

INTERVAL_S = 3600.0  # look hourly; each hall is chosen once per its local day


def due(db: Database, now: float | None = None) -> list[str]:
    """The halls whose profile was not chosen for today yet."""
    now = clock.now() if now is None else now
    out = []
    for row in db.all("SELECT id, tz FROM halls ORDER BY id"):
        stored = dispatch_profile.current(db.conn(), row["id"]) or {}
        if stored.get("learned_for") != clock.day_of(now, row["tz"]):
            out.append(row["id"])
    return out


def learn_all(db: Database, now: float | None = None, halls: list[str] | None = None,
              app: Flask | None = None) -> list[dict]:
    """Choose and store the profile of each due hall (or of ``halls``); the results. With
    ``app`` (the serving loop) the replays run off the event loop (``offload.run``)."""
    results = []
    for hall in due(db, now) if halls is None else halls:
        def learn(hall=hall) -> dict:
            return _learn(db, hall, now)

        result = learn() if app is None else offload.run(learn, app)

        def _store(tx, hall=hall, result=result):
            h = read_models.hall_row(tx.conn, hall)
            if h is None:
                return False
            stored = dispatch_profile.current(tx.conn, hall) or {}
            if halls is None and stored.get("learned_for") == result["learned_for"]:
                return False  # another process chose it meanwhile
            dispatch_profile.store(tx, hall, result)
            return True

        if db.write("system", _store):
            results.append({"hall": hall, **result})
    return results


def start(app: Flask) -> None:
    """Arrange for the hourly loop to start with the first request (as ``retention.start``)."""
    if app.config.get("TESTING"):
        return
    db = registry.db(app)

    def _round() -> None:
        for r in learn_all(db, app=app):
            log.info("dispatch profile of hall %s: %s (from %d days)", r["hall"],
                     r["profile"] or "defaults", len(r["days"]))

    loop = BackgroundLoop("dispatch profiles", _round, INTERVAL_S)

    @app.before_request
    def _start_profiles() -> None:
        if not loop.started:
            loop.ensure_started()


def _learn(db: Database, hall: str, now: float | None) -> dict:
    with db.read() as conn:
        return dispatch_profile.learn(conn, hall, now)
