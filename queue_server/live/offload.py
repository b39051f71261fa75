"""CPU-heavy work (the skills advice replays whole hall days) off the event loop.

Under gevent every request shares one OS thread, so seconds of Python in one request would
stall every screen and phone. Such work runs in gevent's pool of native threads instead: the
event loop keeps its turn at the GIL every switch interval. Under threads it runs in place.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Flask, current_app

from queue_server import registry

T = TypeVar("T")


def run(fn: Callable[[], T], app: Flask | None = None) -> T:
    """``fn()`` in a native thread under gevent (with its own database connection); ``app``
    for a caller outside a request (a background loop), else the current one. ``fn`` only
    reads and computes: the write lock lives on the event loop."""
    app = current_app._get_current_object() if app is None else app
    if app.config.get("ASYNC_MODE") != "gevent":
        return fn()
    import gevent

    db = registry.db(app)

    def job() -> T:
        try:
            with app.app_context():
                return fn()
        finally:
            db.release()

    return gevent.get_hub().threadpool.apply(job)
