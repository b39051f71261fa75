"""The daily personal-data purge (PIPL): ``domain/privacy.py``'s purge, once a day per process.

A background loop started with the first request a serving process handles (never in tests,
which call :func:`purge_all`); its first round runs at once, so a server that was down at
night catches up when it starts. Several processes may run it: each hall's purge is one write
transaction and clears only what is still there, so a second run finds nothing and records
nothing. Its log lines carry counts, never personal data.
"""
from __future__ import annotations

import logging

from flask import Flask

from queue_server import registry
from queue_server.domain import clock, privacy
from queue_server.live.loop import BackgroundLoop
from queue_server.store import audit_chain
from queue_server.store.db import Database

log = logging.getLogger(__name__)

INTERVAL_S = 86400.0


def purge_all(db: Database, days: int, *, dry_run: bool = False,
              now: float | None = None) -> list[dict]:
    """Every hall's purge (or, with ``dry_run``, what it would clear): one write per hall."""
    results = []
    for hall in [r["id"] for r in db.all("SELECT id FROM halls ORDER BY id")]:
        if dry_run:
            with db.read() as conn:
                results.append(privacy.pending(conn, hall, days,
                                               clock.now() if now is None else now))
            continue

        def _purge(tx, hall=hall):
            if now is not None:
                tx.now = now
            return privacy.purge(tx, hall, days)

        results.append(db.write("system", _purge))
    return results


def log_audit_heads(db: Database) -> None:
    """Each audit chain's head into the log, once a day: kept outside the database, so
    ``hallq audit verify --against LOG`` finds newest events deleted later (the chain alone
    is then shorter, not broken). Counts and hashes only."""
    with db.read() as conn:
        for head in audit_chain.heads(conn):
            log.info("audit head %s", audit_chain.anchor(head))


def start(app: Flask) -> None:
    """Arrange for the daily loop to start with the first request (as ``alerts.start``)."""
    if app.config.get("TESTING"):
        return
    days = int(app.config["PERSONAL_DATA_DAYS"])
    db = registry.db(app)

    def _round() -> None:
        for r in purge_all(db, days):
            if any(r["counts"].values()):
                log.info("personal data before %s purged in hall %s: %s", r["before"],
                         r["hall"], r["counts"])
        log_audit_heads(db)

    loop = BackgroundLoop("personal-data purge", _round, INTERVAL_S)

    @app.before_request
    def _start_purge() -> None:
        if not loop.started:
            loop.ensure_started()
