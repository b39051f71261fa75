"""The audit log's hash chain: an edited, deleted or inserted row is named by ``hallq audit
verify`` (a real process) and the verify endpoint; sign-ins are audited through the real API."""
from __future__ import annotations

import json

import sqlite_utils

from queue_server.store import audit_chain, migrations
from queue_server.store.db import Database, connect, migrate
from tests.helpers import PASSWORD, is_url
from tests.test_cli import hallq  # the installed command, this checkout's code

H = "/api/v1/halls/demo"




def some_history(app) -> None:
    """A few audited changes in the demo hall: sign-ins, a ticket issued, called, finished."""
    citizen, clerk = app.test_client(), app.test_client()
    clerk.post("/api/v1/auth/login", json={"username": "clerk01", "password": PASSWORD})
    citizen.post(f"{H}/tickets", json={"service": "hukou"})
    clerk.post("/api/v1/windows/W13/open")
    clerk.post("/api/v1/windows/W13/call-next")
    clerk.post("/api/v1/windows/W13/finish")
    clerk.post("/api/v1/auth/logout")


def tamper(db_path, sql: str, params: tuple = ()) -> None:
    """What someone with the file could do: lift the append-only triggers and edit."""
    conn = connect(db_path)  # the SQLite file, or the PostgreSQL database
    on = " ON events" if is_url(db_path) else ""
    conn.execute(f"DROP TRIGGER IF EXISTS events_no_update{on}")
    conn.execute(f"DROP TRIGGER IF EXISTS events_no_delete{on}")
    conn.execute(sql, params)
    conn.commit()
    conn.close()


def demo_seqs(db) -> list[int]:
    return [r["seq"] for r in db.all("SELECT seq FROM events WHERE hall = 'demo' ORDER BY seq")]


def test_untouched_database_verifies_and_an_edited_row_is_named(app, db, mgr):
    some_history(app)
    path = app.config["DB"]
    ok = hallq("--db", path, "audit", "verify")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "demo\tok" in ok.stdout
    assert mgr.get(f"{H}/audit/verify").json["ok"] is True
    seqs = demo_seqs(db)
    victim = seqs[len(seqs) // 2]
    detail = json.loads(db.one("SELECT detail FROM events WHERE seq = ?", (victim,))["detail"])
    detail["forged"] = True
    tamper(path, "UPDATE events SET detail = ? WHERE seq = ?", (json.dumps(detail), victim))
    broken = hallq("--db", path, "audit", "verify")
    assert broken.returncode != 0
    assert f"BROKEN at event {victim}\t" in broken.stdout
    assert f"event {victim})" in broken.stderr
    one = hallq("--db", path, "audit", "verify", "--hall", "demo")
    assert one.returncode != 0
    assert f"BROKEN at event {victim}\t" in one.stdout
    badge = mgr.get(f"{H}/audit/verify").json
    assert badge == {"hall": "demo", "ok": False, "checked": seqs.index(victim),
                     "broken_at": victim, "head": badge["head"]}


def test_a_recomputed_hash_still_breaks_the_link_to_the_next_event(app, db):
    """Forging one event's hash too is not enough: the next event links to the old one."""
    some_history(app)
    seqs = demo_seqs(db)
    victim = seqs[3]
    row = dict(db.one("SELECT * FROM events WHERE seq = ?", (victim,)))
    row["actor"] = "someone_else"
    forged = audit_chain.event_hash(row["prev_hash"], row)
    tamper(app.config["DB"], "UPDATE events SET actor = ?, hash = ? WHERE seq = ?",
           (row["actor"], forged, victim))
    result = audit_chain.verify(db.conn(), "demo")
    assert (result["ok"], result["broken_at"]) == (False, seqs[4])


def test_a_deleted_or_inserted_event_is_named(app, db):
    some_history(app)
    seqs = demo_seqs(db)
    tamper(app.config["DB"], "DELETE FROM events WHERE seq = ?", (seqs[2],))
    assert audit_chain.verify(db.conn(), "demo")["broken_at"] == seqs[3]
    again = hallq("--db", app.config["DB"], "audit", "verify", "--hall", "demo")
    assert again.returncode != 0


def test_an_event_written_around_the_write_path_is_named(app, db):
    some_history(app)
    tamper(app.config["DB"], "INSERT INTO events (seq, hall, at, actor, action, detail)"
                             " VALUES ((SELECT MAX(seq) + 1 FROM events), 'demo', 1, 'ghost',"
                             " 'finish', '{}')")
    ghost = db.one("SELECT MAX(seq) m FROM events")["m"]
    assert audit_chain.verify(db.conn(), "demo")["broken_at"] == ghost


def test_an_unknown_hall_is_refused(app):
    r = hallq("--db", app.config["DB"], "audit", "verify", "--hall", "nowhere")
    assert r.returncode == 1
    assert "unknown hall" in r.stderr


def test_the_verify_endpoint_is_for_managers_of_the_hall(app, mgr):
    clerk, anon = app.test_client(), app.test_client()
    clerk.post("/api/v1/auth/login", json={"username": "clerk01", "password": PASSWORD})
    assert anon.get(f"{H}/audit/verify").status_code == 401
    assert clerk.get(f"{H}/audit/verify").status_code == 403
    missing = mgr.get("/api/v1/halls/nowhere/audit/verify")
    assert missing.status_code == 404
    assert set(missing.json["error"]) == {"code", "message"}
    body = mgr.get(f"{H}/audit/verify").json
    assert body["ok"] is True
    assert body["broken_at"] is None
    assert body["checked"] > 0


def test_the_migration_chains_the_events_already_there(tmp_path):
    """A database of before the chain (migrations 1–6, events without hashes) is chained by
    the migration, and new events link onto it."""
    path = str(tmp_path / "old.db")
    conn = connect(path)
    conn.execute("CREATE TABLE _migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                 " applied_at REAL NOT NULL)")
    old = migrations.MIGRATIONS[:6]
    for number, fn in enumerate(old, start=1):
        fn(sqlite_utils.Database(conn))
        conn.execute("INSERT INTO _migrations VALUES (?, ?, 0)", (number, fn.__name__))
    for i, hall in enumerate(["a", "b", "a", "a", "b"]):
        conn.execute("INSERT INTO events (hall, at, actor, action, ticket, detail) VALUES"
                     " (?, ?, 'system', 'issue', ?, ?)",
                     (hall, 1700000000 + i * 0.25, i, json.dumps({"n": i, "名": "甲"})))
    assert "m008_audit_chain" in migrate(conn)
    assert [audit_chain.verify(conn, h)["checked"] for h in ("a", "b")] == [3, 2]
    assert all(audit_chain.verify(conn, h)["ok"] for h in ("a", "b"))
    conn.close()
    db = Database(path)
    db.write("tester", lambda tx: tx.audit("a", "rate", ticket=9, detail={"score": 5}))
    after = audit_chain.verify(db.conn(), "a")
    assert (after["ok"], after["checked"]) == (True, 4)
    db.close()


def test_logins_logouts_and_failed_logins_are_audited(app, db):
    clerk = app.test_client()
    bad = clerk.post("/api/v1/auth/login",
                     json={"username": "clerk01", "password": "not-the-password"})
    assert bad.status_code == 401
    ok = clerk.post("/api/v1/auth/login", json={"username": "clerk01", "password": PASSWORD})
    assert ok.status_code == 200
    assert clerk.post("/api/v1/auth/logout").status_code == 200
    stranger = app.test_client().post(
        "/api/v1/auth/login", json={"username": "13800138000", "password": "guess-123456"})
    assert stranger.status_code == 401
    rows = db.all("SELECT hall, actor, action, detail FROM events WHERE action IN"
                  " ('login', 'logout', 'login_failed') ORDER BY seq")
    got = [(r["hall"], r["actor"], r["action"], json.loads(r["detail"])) for r in rows]
    assert got == [
        ("demo", "anonymous", "login_failed",
         {"username": "clerk01", "address": "127.0.0.1", "reason": "wrong_password"}),
        ("demo", "clerk01", "login", {"username": "clerk01", "address": "127.0.0.1"}),
        ("demo", "clerk01", "logout", {"username": "clerk01", "address": "127.0.0.1"}),
        # no account: the server's chain, and the number typed as a username is masked
        (audit_chain.SERVER_CHAIN, "anonymous", "login_failed",
         {"username": "*" * 11, "address": "127.0.0.1", "reason": "unknown_user"}),
    ]
    dump = "\n".join(r["detail"] for r in db.all("SELECT detail FROM events"))
    assert "not-the-password" not in dump
    assert "guess-123456" not in dump
    assert PASSWORD not in dump
    # a logout without a session ends nothing and records nothing
    before = db.one("SELECT COUNT(*) n FROM events")["n"]
    assert app.test_client().post("/api/v1/auth/logout").status_code == 200
    assert db.one("SELECT COUNT(*) n FROM events")["n"] == before
    for hall in audit_chain.halls(db.conn()):
        assert audit_chain.verify(db.conn(), hall)["ok"], hall


def test_a_manager_sees_the_halls_sign_ins_in_the_audit(app, mgr):
    app.test_client().post("/api/v1/auth/login", json={"username": "clerk02", "password": "x" * 9})
    events = mgr.get(f"{H}/audit", query_string={"action": "login_failed"}).json["events"]
    assert [e["detail"]["username"] for e in events] == ["clerk02"]
    logins = mgr.get(f"{H}/audit", query_string={"action": "login"}).json["events"]
    assert [e["actor"] for e in logins] == ["manager"]


def test_the_chain_holds_under_concurrent_writers_some_refused(app, db):
    """Writers queued together (group commit, a savepoint each): a refused writer's event is
    undone with it, and the events that stay still form one unbroken chain."""
    import threading

    errors: list[Exception] = []

    def writer(i: int) -> None:
        def fn(tx):
            tx.audit("demo", "test_write", detail={"i": i})
            if i % 5 == 0:
                raise ValueError(i)  # refused: its event must not stay in the chain

        try:
            db.write(f"w{i}", fn)
        except ValueError as e:
            errors.append(e)
        finally:
            db.release()

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    kept = db.all("SELECT detail FROM events WHERE action = 'test_write'")
    assert len(errors) == 8
    assert len(kept) == 32
    result = audit_chain.verify(db.conn(), "demo")
    assert result["ok"], result


def test_newest_events_deleted_are_found_against_a_saved_head(app, db, tmp_path, caplog):
    """The chain alone is shorter, not broken, when its newest events are deleted together;
    a head saved earlier (verify's own output, or the server's daily log line) finds it."""
    some_history(app)
    path = app.config["DB"]
    saved = tmp_path / "verify-monday.txt"
    first = hallq("--db", path, "audit", "verify")
    assert first.returncode == 0, first.stderr
    saved.write_text(first.stdout, encoding="utf-8")
    from queue_server.live import retention

    with caplog.at_level("INFO", logger="queue_server.live.retention"):
        retention.log_audit_heads(db)
    log_file = tmp_path / "server.log"
    log_file.write_text("starting\n" + "\n".join(
        f"[2026-12-01 02:00:00] INFO queue_server.live.retention: {r.getMessage()}"
        for r in caplog.records) + "\n", encoding="utf-8")
    some_history(app)  # more events later: the saved heads are still in their chains
    for against in (saved, log_file):
        later = hallq("--db", path, "audit", "verify", "--against", str(against))
        assert later.returncode == 0, later.stdout + later.stderr
    newest = demo_seqs(db)[-6:]
    tamper(path, f"DELETE FROM events WHERE seq >= {min(demo_seqs(db)[-9:])}")
    alone = hallq("--db", path, "audit", "verify")
    assert alone.returncode == 0  # shorter, not broken: what a chain alone cannot show
    for against in (saved, log_file):
        found = hallq("--db", path, "audit", "verify", "--against", str(against))
        assert found.returncode == 1, found.stdout
        assert "demo\tBROKEN: the head saved earlier" in found.stdout
        assert "demo" in found.stderr
    assert newest
    empty = tmp_path / "nothing.txt"
    empty.write_text("no heads here\n", encoding="utf-8")
    assert hallq("--db", path, "audit", "verify", "--against", str(empty)).returncode == 1
    missing = hallq("--db", path, "audit", "verify", "--against", str(tmp_path / "nope"))
    assert missing.returncode == 1
    assert "Traceback" not in missing.stderr
