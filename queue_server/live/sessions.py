"""Live sockets of ended logins are closed: a socket authenticates once, on connect, so a
logout, a disabled account or a changed password or role must also reach the sockets that
login opened, or a manager's console would keep receiving ``alert.wait`` after it.

Each process checks its own sockets against the database every ``SESSION_CHECK_S``: what
ends a session (``sessions`` rows deleted, ``users.active`` cleared) is written there by
whichever process handled it.
"""
from __future__ import annotations

from queue_server import auth
from queue_server.live.loop import BackgroundLoop
from queue_server.store.db import Database


class SessionWatch:
    def __init__(self, db: Database, interval_s: float):
        self.db = db
        self.loop = BackgroundLoop("session check", self.sweep, interval_s)

    def ensure_started(self) -> None:
        self.loop.ensure_started()

    def sweep(self) -> list[str]:
        """Disconnect this process's sockets whose login ended; their sids."""
        from queue_server.live import hub

        held = {sid: token for sid, token in list(hub.tokens.items()) if token}
        if not held:
            return []
        try:
            alive = auth.live_sessions(self.db, set(held.values()))
        finally:
            self.db.release()
        ended = sorted(sid for sid, token in held.items() if token not in alive)
        for sid in ended:
            hub.tokens[sid] = None  # whatever happens next, it no longer acts for anyone
            hub.socketio.server.disconnect(sid, namespace="/")
        return ended
