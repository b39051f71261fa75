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

# The engines the tests run on. By default every test runs on SQLite and the core subset
# below on PostgreSQL too (a throw-away cluster, tests/pg_cluster.py). HALLQ_TEST_DB=postgresql
# runs every test on PostgreSQL instead (the second CI pass); HALLQ_TEST_DB=postgresql://...
# does the same on a server that is already there.
TEST_DB = os.environ.get("HALLQ_TEST_DB", "sqlite").strip() or "sqlite"
ONLY_PG = TEST_DB.startswith("postgres")
# Both engines in the default run: lifecycle, call/finish/no-show, holds, several windows
# calling at once, numbering, the audit chain, migrations, the contract's main endpoints.
PG_CORE = {"test_lifecycle", "test_concurrency", "test_audit_chain", "test_api", "test_engines",
           "test_group_commit", "test_smoke", "test_holds", "test_idempotency"}
# what the app fixtures share with a PostgreSQL app (a SQLite one keeps them beside its file)
PG_SECRETS = {"SECRET_KEY": "test-secret-key", "ID_HASH_KEY": "test-id-hash-key"}


def pytest_generate_tests(metafunc):
    if "engine" not in metafunc.fixturenames or ONLY_PG:
        return
    module = metafunc.module.__name__.rsplit(".", 1)[-1]
    if module in PG_CORE and not metafunc.definition.get_closest_marker("sqlite_only"):
        metafunc.parametrize("engine", ["sqlite", "postgresql"], indirect=True)


def pytest_configure(config):
    config.addinivalue_line("markers", "sqlite_only: reads or edits the SQLite file itself")


@pytest.fixture
def engine(request) -> str:
    """``sqlite`` or ``postgresql``: what this test's app runs on."""
    chosen = getattr(request, "param", "postgresql" if ONLY_PG else "sqlite")
    if chosen == "postgresql" and request.node.get_closest_marker("sqlite_only"):
        pytest.skip("reads or edits the SQLite file itself")
    return chosen


@pytest.fixture(scope="session")
def pg_cluster():
    """The session's PostgreSQL server (started on first use only)."""
    from tests.pg_cluster import Cluster, External

    cluster = (External(TEST_DB) if TEST_DB.startswith(("postgresql://", "postgres://"))
               else Cluster()).start()
    yield cluster
    cluster.stop()


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


@pytest.fixture(scope="session")
def pg_template(pg_cluster) -> str:
    """The demo hall seeded once on PostgreSQL: the template each test's database copies."""
    url = pg_cluster.new_database(name=f"hallq_template_{os.getpid()}")
    app = create_app({"DB": url, "TESTING": True, **PG_SECRETS})
    demo.seed(registry.db(app), PASSWORD, hash_method="pbkdf2:sha256:1000")
    registry.db(app).close()  # a template must have no connection when it is copied
    return url.rsplit("/", 1)[1]


@pytest.fixture
def db_location(request, engine, tmp_path) -> str:
    """This test's database, the demo hall in it: a SQLite file, or a PostgreSQL URL."""
    if engine == "postgresql":
        cluster = request.getfixturevalue("pg_cluster")
        url = cluster.new_database(template=request.getfixturevalue("pg_template"))
        yield url
        cluster.drop_database(url)
        return
    demo_template = request.getfixturevalue("demo_template")
    for suffix in ("", ".secret", ".idkey"):
        shutil.copy(f"{demo_template}{suffix}", tmp_path / f"hallq.db{suffix}")
    yield str(tmp_path / "hallq.db")


@pytest.fixture
def app(db_location, engine):
    extra = PG_SECRETS if engine == "postgresql" else {}
    app = create_app({"DB": db_location, "TESTING": True, "POSITION_REFRESH_S": 0.05,
                      **extra})
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


@pytest.fixture
def server_db(request, engine, tmp_path):
    """A served test's database: a file in its folder, or a new PostgreSQL database."""
    if engine != "postgresql":
        yield tmp_path / "live.db"
        return
    cluster = request.getfixturevalue("pg_cluster")
    url = cluster.new_database()
    yield url
    cluster.drop_database(url)


@pytest.fixture(params=SERVERS)
def server(request, tmp_path, server_db):
    """The demo hall for real, as ``python run.py --demo`` and as the README's production
    command: real HTTP, real Socket.IO, its own database."""
    proc = demo_server(server_db, request.param, log_dir=tmp_path).start()
    yield proc
    proc.kill()
