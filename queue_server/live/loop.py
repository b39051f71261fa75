"""One background loop: started once (under a lock), woken early when asked, and never ended
by a failed round (logged, then the next one)."""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class BackgroundLoop:
    """Runs ``step()`` every ``interval_s`` seconds, or sooner after :meth:`wake`.

    It runs as Socket.IO's background task, so a greenlet under gevent and a thread
    otherwise; the wake event is created with the loop, after gevent's monkey-patching."""

    def __init__(self, name: str, step: Callable[[], object], interval_s: float):
        self.name, self.step, self.interval_s = name, step, interval_s
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self.started = False

    def ensure_started(self) -> None:
        with self._lock:
            if self.started:
                return
            self.started = True
        from queue_server.live.hub import socketio

        socketio.start_background_task(self._run)

    def wake(self) -> None:
        """Something changed: run a round now rather than at the next interval."""
        if self.started:
            self._wake.set()

    def _run(self) -> None:
        while True:
            try:
                self.step()
            except Exception:  # one failed round must not end the loop
                log.exception("%s round failed", self.name)
            self._wake.wait(self.interval_s)
            self._wake.clear()
