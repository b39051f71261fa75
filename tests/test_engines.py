"""The database layer on both engines (SQLite and PostgreSQL, tests/conftest.py): migrations
recorded, the write path's guarantees held by two Database objects at once (as two processes
would), and the dialect's translation of HallQ's SQL."""
from __future__ import annotations

import threading
from collections import Counter

import pytest

from queue_server.domain import tickets
from queue_server.errors import ApiError
from queue_server.store import audit_chain, dialect
from queue_server.store.db import Database
from queue_server.store.migrations import MIGRATIONS

THREADS = 4
PER_THREAD = 15


def test_every_migration_is_recorded_once_in_order(db):
    recorded = [(r["id"], r["name"]) for r in db.all("SELECT id, name FROM _migrations"
                                                     " ORDER BY id")]
    assert recorded == [(i, fn.__name__) for i, fn in enumerate(MIGRATIONS, start=1)]


def test_the_events_table_refuses_edits_and_the_forecast_triggers_count(db):
    before = db.one("SELECT forecast_version v FROM halls WHERE id = 'demo'")["v"]
    row, _ = db.write("test", lambda tx: tickets.issue(tx, "demo", "hukou", "kiosk"))
    after = db.one("SELECT forecast_version v FROM halls WHERE id = 'demo'")["v"]
    assert after > before
    assert db.one("SELECT fv FROM tickets WHERE id = ?", (row["id"],))["fv"] == after
    with pytest.raises(Exception, match="append-only"):
        db.write("test", lambda tx: tx.run("UPDATE events SET actor = 'x'"))
    with pytest.raises(Exception, match="append-only"):
        db.write("test", lambda tx: tx.run("DELETE FROM events"))


def _windows(db) -> list:
    return db.all("SELECT * FROM windows WHERE hall = 'demo' ORDER BY id")[:2]


def test_two_databases_at_once_never_repeat_a_number_or_a_call(app, db_location, engine):
    """Two Database objects on one database (two processes' worth), several threads each:
    numbers never repeat, each ticket is called by one window only, the hall's live seq has no
    gap and no repeat, the audit chain verifies."""
    seqs: list[int] = []
    lock = threading.Lock()

    def collect(tx) -> None:
        with lock:
            seqs.extend(p["seq"] for _, p, _ in tx.live)

    dbs = [Database(db_location, on_commit=collect) for _ in range(2)]
    start_seq = dbs[0].one("SELECT live_seq FROM halls WHERE id = 'demo'")["live_seq"]
    issued: list[int] = []
    numbers: list[str] = []

    def issuer(d: Database) -> None:
        for _ in range(PER_THREAD):
            row, _ = d.write("test", lambda tx: tickets.issue(tx, "demo", "hukou", "kiosk"))
            with lock:
                issued.append(row["id"])
                numbers.append(row["number"])
        d.release()

    _run([threading.Thread(target=issuer, args=(dbs[i % 2],)) for i in range(THREADS)])
    assert len(numbers) == THREADS * PER_THREAD
    assert len(set(numbers)) == len(numbers)

    windows = _windows(dbs[0])
    won: Counter = Counter()

    def caller(d: Database, window) -> None:
        for tid in issued:
            try:
                d.write("test", lambda tx, t=tid: tickets.call(tx, window, t))
            except ApiError:
                continue  # the other window took it first: the guarded update refused
            with lock:
                won[tid] += 1
        d.release()

    _run([threading.Thread(target=caller, args=(dbs[i], windows[i])) for i in range(2)])
    assert set(won) == set(issued)
    assert set(won.values()) == {1}
    end_seq = dbs[0].one("SELECT live_seq FROM halls WHERE id = 'demo'")["live_seq"]
    assert sorted(seqs) == list(range(start_seq + 1, end_seq + 1))
    assert audit_chain.verify(dbs[0].conn(), "demo")["ok"]
    for d in dbs:
        d.close()


def _run(threads: list[threading.Thread]) -> None:
    for t in threads:
        t.start()
    for t in threads:
        t.join()


@pytest.mark.parametrize(("sqlite", "pg"), [
    ("SELECT window FROM t WHERE id = ?", 'SELECT "window" FROM t WHERE id = %s'),
    ("UPDATE t SET a = :a WHERE b LIKE '50%' AND c LIKE ?",
     "UPDATE t SET a = %(a)s WHERE b LIKE '50%%' AND c LIKE %s"),
    ("SELECT 'it''s ?' , x::text, 5 % 2", "SELECT 'it''s ?' , x::text, 5 %% 2"),
    ("SELECT group_concat(window) FROM skills", 'SELECT hallq_group_concat("window") FROM skills'),
    ("SELECT CAST(x AS REAL)", "SELECT CAST(x AS DOUBLE PRECISION)"),
])
def test_sql_is_translated_for_postgresql_outside_literals(sqlite, pg):
    assert dialect.to_pg(sqlite) == pg


def test_a_sqlite_trigger_becomes_a_plpgsql_function_and_trigger():
    made = dialect.ddl_to_pg("CREATE TRIGGER no_edit BEFORE UPDATE ON events"
                             " BEGIN SELECT RAISE(ABORT, 'append-only'); END", lambda _n: None)
    assert "RAISE EXCEPTION 'append-only'; RETURN NEW;" in made[0]
    assert made[1] == ("CREATE TRIGGER no_edit BEFORE UPDATE ON events FOR EACH ROW"
                       " EXECUTE FUNCTION hallq_trg_no_edit()")
    assert dialect.ddl_to_pg("DROP TRIGGER no_edit", lambda _n: "events") == [
        "DROP TRIGGER no_edit ON events"]
    assert "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY" in dialect.ddl_to_pg(
        "CREATE TABLE d (id INTEGER PRIMARY KEY, at REAL)", lambda _n: None)[0]


GEVENT_PROBE = """
from gevent import monkey
monkey.patch_all()
import sys
import gevent
from queue_server.store.db import connect
import psycopg.waiting
conn = connect(sys.argv[1])
ticks = []
def tick():
    while True:
        ticks.append(1)
        gevent.sleep(0.01)
ticker = gevent.spawn(tick)
gevent.sleep(0)
before = len(ticks)
conn.execute("SELECT pg_sleep(0.5)").fetchone()
print(psycopg.waiting.wait.__name__, len(ticks) - before)
"""


def test_under_gevent_a_query_waiting_for_postgresql_lets_other_greenlets_run(pg_cluster):
    """The production worker is gevent: psycopg must wait for the server cooperatively, or
    one slow query would stop every screen and phone of the process."""
    import subprocess
    import sys

    from tests.helpers import ROOT

    out = subprocess.run([sys.executable, "-c", GEVENT_PROBE, pg_cluster.url()], cwd=ROOT,
                         capture_output=True, text=True, timeout=60, check=True).stdout.split()
    assert out[0] != "wait_c"  # psycopg's C wait blocks the whole process
    assert int(out[1]) > 5  # the ticker ran while the query waited
