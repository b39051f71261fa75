"""The ``hallq`` command and ``run.py``'s options, run as real processes."""
from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import requests

from tests.helpers import ROOT, ServerProcess, pg_env

HALLQ = str(Path(sys.executable).with_name("hallq"))


def hallq(*args, stdin: str = "", env: dict | None = None) -> subprocess.CompletedProcess:
    """The installed ``hallq`` script, importing this checkout's code (PYTHONPATH first): the
    editable install points at one checkout, which need not be the one under test."""
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    return subprocess.run([HALLQ, *args], input=stdin, text=True, capture_output=True,
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": path,
                                        **pg_env(args[args.index("--db") + 1] if "--db" in args
                                                 else ""), **(env or {})},
                          timeout=60)


def test_init_db_has_no_accounts(tmp_path):
    db = tmp_path / "plain.db"
    assert hallq("--db", str(db), "init-db").returncode == 0
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT COUNT(*) FROM users").fetchone()[0] == 0
    from queue_server.store.migrations import MIGRATIONS
    applied = [r[0] for r in conn.execute("SELECT name FROM _migrations ORDER BY id")]
    assert applied == [fn.__name__ for fn in MIGRATIONS]  # every one, in order, once


def test_user_add_reads_the_password_from_stdin(tmp_path):
    db = tmp_path / "u.db"
    r = hallq("--db", str(db), "user", "add", "li_ming", "--role", "manager",
              stdin="s3cret-passw0rd\n")
    assert r.returncode == 0, r.stderr
    assert "s3cret" not in r.stdout + r.stderr
    r = hallq("--db", str(db), "user", "add", "li_ming", "--role", "manager", stdin="x" * 10)
    assert r.returncode == 1
    assert "exists" in r.stderr
    assert hallq("--db", str(db), "user", "add", "wang", "--role", "clerk",
                 stdin="short\n").returncode == 1
    proc = ServerProcess(db, demo=False).start()
    try:
        ok = requests.post(f"{proc.url}/api/v1/auth/login",
                           json={"username": "li_ming", "password": "s3cret-passw0rd"}, timeout=5)
        assert ok.status_code == 200
        assert ok.json()["user"]["role"] == "manager"
    finally:
        proc.kill()


def test_demo_password_is_random_and_printed_once(tmp_path):
    db = tmp_path / "d.db"
    env = {k: v for k, v in os.environ.items() if k != "HALLQ_DEMO_PASSWORD"}
    proc = ServerProcess(db, env={})
    proc.env = env
    proc.start()
    proc.kill()
    printed = re.search(r"Password: (\S+)", proc.output())
    assert printed, proc.output()
    again = ServerProcess(db)
    again.env = env
    again.start()
    try:
        assert "Password: " not in again.output()  # printed once, at seeding, never again
        r = requests.post(f"{again.url}/api/v1/auth/login",
                          json={"username": "clerk12", "password": printed.group(1)}, timeout=5)
        assert r.status_code == 200
    finally:
        again.kill()


def test_run_py_takes_the_database_from_hallq_db(tmp_path):
    db = tmp_path / "env.db"
    port_proc = ServerProcess(db)
    port_proc.cmd = [sys.executable, str(ROOT / "run.py"), "--port", str(port_proc.port),
                     "--demo"]
    port_proc.env["HALLQ_DB"] = str(db)
    port_proc.start()
    try:
        assert requests.get(f"{port_proc.url}/api/v1/halls", timeout=5).json()["halls"]
        assert db.exists()
    finally:
        port_proc.kill()


def test_run_py_names_the_pages_of_the_halls_it_has(tmp_path):
    db = tmp_path / "plain.db"
    empty = ServerProcess(db, demo=False).start()
    empty.kill()
    assert "no hall yet" in empty.output()
    assert "/kiosk/demo" not in empty.output()
    assert hallq("--db", str(db), "hall", "add", "east", "--name", "东区").returncode == 0
    again = ServerProcess(db, demo=False).start()
    again.kill()
    assert "hall east: kiosk /kiosk/east" in again.output()
    assert "/kiosk/demo" not in again.output()


def test_seed_demo_refuses_a_database_in_use(tmp_path):
    db = str(tmp_path / "used.db")
    assert hallq("--db", db, "hall", "add", "east", "--name", "东区").returncode == 0
    r = hallq("--db", db, "seed-demo")
    assert r.returncode == 1
    assert "not empty" in r.stderr
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT id FROM halls").fetchall() == [("east",)]


def test_hall_add_names_the_accounts_that_will_work_there_too(tmp_path):
    db = str(tmp_path / "two.db")
    assert hallq("--db", db, "hall", "add", "east", "--name", "东区").returncode == 0
    assert hallq("--db", db, "user", "add", "li", "--role", "manager",
                 stdin="s3cret-passw0rd\n").returncode == 0  # without --hall: every hall
    r = hallq("--db", db, "hall", "add", "west", "--name", "西区")
    assert r.returncode == 0
    assert "every hall, the new one included: li" in r.stdout


def test_user_passwd_list_and_hall_list(tmp_path):
    db = tmp_path / "p.db"
    assert hallq("--db", str(db), "seed-demo", env={"HALLQ_DEMO_PASSWORD": "demo-pass-1"}
                 ).returncode == 0
    base = ["--db", str(db)]
    r = hallq(*base, "user", "passwd", "clerk01", stdin="fresh-pass-22\n")
    assert r.returncode == 0, r.stderr
    assert "fresh-pass-22" not in r.stdout + r.stderr
    conn = sqlite3.connect(db)
    (hashed,) = conn.execute("SELECT password_hash FROM users WHERE username = 'clerk01'"
                             ).fetchone()
    from werkzeug.security import check_password_hash
    assert check_password_hash(hashed, "fresh-pass-22")
    audited = conn.execute("SELECT detail FROM events WHERE action = 'user_edit'").fetchall()
    assert len(audited) == 1
    assert "changed" in audited[0][0]
    assert "fresh" not in audited[0][0]
    short = hallq(*base, "user", "passwd", "clerk01", stdin="short\n")
    assert short.returncode == 1
    assert "8" in short.stderr
    assert "Traceback" not in short.stderr
    assert hallq(*base, "user", "passwd", "nobody", stdin="fresh-pass-22\n").returncode == 1
    users = hallq(*base, "user", "list").stdout.splitlines()
    assert any(line.startswith("manager\tmanager\t") for line in users)
    assert len([u for u in users if u.startswith("clerk")]) == 12
    halls = hallq(*base, "hall", "list").stdout.splitlines()
    assert len(halls) == 1
    assert halls[0].startswith("demo\t")
    assert "windows" in halls[0]


def test_the_demo_can_come_with_history(tmp_path):
    """Past weekdays of served and rated tickets, so statistics and the skills advice have
    something to show on a fresh demo."""
    db = tmp_path / "h.db"
    r = hallq("--db", str(db), "seed-demo", "--history", "3",
              env={"HALLQ_DEMO_PASSWORD": "demo-pass-1"})
    assert r.returncode == 0, r.stderr
    conn = sqlite3.connect(db)
    days = conn.execute("SELECT day, COUNT(*), SUM(status = 'done'), MAX(finished_at -"
                        " started_at) FROM tickets GROUP BY day").fetchall()
    assert len(days) == 3
    assert all(n > 100 and done > 0.8 * n and longest > 60 for _, n, done, longest in days)
    assert conn.execute("SELECT COUNT(*) FROM ratings").fetchone()[0] > 50
    # numbers restart each day, and no ticket is left waiting in the past
    assert conn.execute("SELECT COUNT(*) FROM (SELECT day, number FROM tickets GROUP BY day,"
                        " number HAVING COUNT(*) > 1)").fetchone()[0] == 0
    assert conn.execute("SELECT COUNT(*) FROM tickets WHERE status = 'waiting'").fetchone()[0] == 0
    (audit,) = conn.execute("SELECT COUNT(*) FROM events WHERE action = 'demo_history'"
                            ).fetchone()
    assert audit == 1
