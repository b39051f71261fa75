"""Fixtures: a real app on a temporary SQLite file seeded with the demo hall, its clients, and
a helper to act as a given user."""
from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest

# Tests run at any hour; the hall's opening hours are tested where they matter
# (tests/test_api.py sets this back for its own app). Subprocesses inherit it.
os.environ["HALLQ_OPEN_HOURS_ONLY"] = "0"

from queue_server import create_app, demo, registry, socketio
from tests.helpers import PASSWORD, SERVERS, demo_server


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    """The demo hall seeded once; each test gets a copy (seeding hashes passwords: slow)."""
    path = tmp_path_factory.mktemp("template") / "hallq.db"
    app = create_app({"DB": str(path), "TESTING": True})
    # A cheap hash keeps logins fast in tests; production uses scrypt.
    demo.seed(registry.db(app), PASSWORD, hash_method="pbkdf2:sha256:1000")
    registry.db(app).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return path


@pytest.fixture
def app(tmp_path, demo_template):
    for suffix in ("", ".secret", ".idkey"):
        shutil.copy(f"{demo_template}{suffix}", tmp_path / f"hallq.db{suffix}")
    app = create_app({"DB": str(tmp_path / "hallq.db"), "TESTING": True,
                      "POSITION_REFRESH_S": 0.05})
    yield app
    registry.db(app).close()


@pytest.fixture
def db(app):
    return registry.db(app)


@pytest.fixture
def open_all_day(db):
    # Tests run at any hour: let the hall be open around the clock (appointment slots).
    db.write("manager", lambda tx: tx.run("UPDATE halls SET open_s = 0, close_s = 86400"))


@pytest.fixture
def client(app):
    return app.test_client()


class AuthActions:
    """Log a test client in and out as a demo user."""

    def __init__(self, client):
        self.client = client

    def login(self, username: str = "clerk01", password: str = PASSWORD):
        r = self.client.post("/api/v1/auth/login",
                             json={"username": username, "password": password})
        assert r.status_code == 200, r.json
        return r.json["token"]

    def logout(self):
        return self.client.post("/api/v1/auth/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def mgr(client, auth):
    """The Flask test client, signed in as the demo hall's manager."""
    auth.login("manager")
    return client


@pytest.fixture
def sio(app, client):
    """A Socket.IO test client sharing the Flask client's login cookie."""
    clients = []

    def make(flask_client=None, **kwargs):
        c = socketio.test_client(app, flask_test_client=flask_client or client, **kwargs)
        clients.append(c)
        return c

    yield make
    for c in clients:
        if c.is_connected():
            c.disconnect()


@pytest.fixture(params=SERVERS)
def server(request, tmp_path):
    """The demo hall for real, as ``python run.py --demo`` and as the README's production
    command: real HTTP, real Socket.IO, its own database file."""
    proc = demo_server(tmp_path / "live.db", request.param).start()
    yield proc
    proc.kill()
