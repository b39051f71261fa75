"""Shared test helpers: free ports, a real server process, and small API shortcuts."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "test-pass-123"


def error_code(r) -> str:
    """A refusal's code, after checking it is a 4xx in the contract's error shape."""
    assert 400 <= r.status_code < 500, (r.status_code, r.data[:200])
    err = r.get_json()["error"]
    assert set(err) == {"code", "message"}
    assert err["code"]
    assert err["message"]
    return err["code"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float = 30) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if requests.get(url, timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{url} did not come up")


class ServerProcess:
    """``python run.py`` (or any command) on a free port, with its own database file."""

    def __init__(self, db: Path | str, demo: bool = True, cmd: list[str] | None = None,
                 env: dict | None = None, port: int | None = None,
                 log_dir: Path | None = None):
        self.db, self.port = db, port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.cmd = cmd or [sys.executable, str(ROOT / "run.py"), "--port", str(self.port),
                           "--db", str(db)] + (["--demo"] if demo else [])
        self.env = {**os.environ, "HALLQ_DEMO_PASSWORD": PASSWORD, **pg_env(db), **(env or {})}
        self.proc: subprocess.Popen | None = None
        # a PostgreSQL URL has no folder of its own: its log goes to the test's
        self.log = (Path(db).with_suffix(f".{self.port}.log") if not is_url(db)
                    else Path(log_dir or ".") / f"server.{self.port}.log")

    def start(self) -> ServerProcess:
        with open(self.log, "ab") as log:  # the child keeps its own copy of the descriptor
            self.proc = subprocess.Popen(self.cmd, cwd=ROOT, env=self.env, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        wait_http(self.url + "/healthz")
        return self

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
            self.proc.wait(timeout=10)

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def is_url(db: Path | str) -> bool:
    return str(db).startswith(("postgresql://", "postgres://"))


def pg_env(db: Path | str) -> dict[str, str]:
    """The keys a server on a PostgreSQL database is given (else it would keep them in files
    in its working directory, this checkout)."""
    if not is_url(db):
        return {}
    return {"HALLQ_SECRET_KEY": "test-secret-key", "HALLQ_ID_HASH_KEY": "test-id-hash-key"}


def seed_demo_db(db: Path | str) -> Path | str:
    """A database with the demo hall, made by the real ``hallq seed-demo`` command."""
    # PYTHONPATH: this checkout's code, not the editable install's (which may be another's)
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    subprocess.run([str(Path(sys.executable).with_name("hallq")), "--db", str(db), "seed-demo"],
                   check=True, cwd=ROOT, capture_output=True,
                   env={**os.environ, "HALLQ_DEMO_PASSWORD": PASSWORD, "PYTHONPATH": path,
                        **pg_env(db)})
    return db


# Load generators: every hour of the day is open, and one address may issue without limit.
LOAD_ENV = {"HALLQ_RATE_ADDRESS_PER_MIN": "0", "HALLQ_OPEN_HOURS_ONLY": "0"}


def readme_production_command() -> tuple[dict[str, str], list[str]]:
    """The environment and argv of the README's production block, exactly as written there
    (the one ```sh block after the line that starts with "Production")."""
    import re
    import shlex

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"^Production.*?```sh\n(.*?)```", text, re.S | re.M).group(1)
    words = shlex.split(block.replace("\\\n", " "))
    env = {}
    while words and re.fullmatch(r"[A-Z_]+=.*", words[0]):
        key, _, value = words.pop(0).partition("=")
        env[key] = value
    return env, words


def gunicorn_server(db: Path | str, env: dict | None = None, worker: str = "readme",
                    threads: int = 100, port: int | None = None,
                    log_dir: Path | None = None) -> ServerProcess:
    """The README's production command on a free port and the given database; not yet
    started. ``worker="gthread"`` runs the thread-per-connection command it replaced, for
    comparison (bench/ and the test that shows why it was replaced)."""
    port = port or free_port()
    readme_env, argv = readme_production_command()
    env = {**readme_env, "HALLQ_DB": str(db), **(env or {})}
    if worker == "gthread":
        argv = ["gunicorn", "--worker-class", "gthread", "--workers", "1", "--threads",
                str(threads), "--bind", "0.0.0.0:8000", "queue_server.wsgi:app"]
    cmd = []
    for i, word in enumerate(argv):
        if i == 0:  # .venv/bin/gunicorn: the one beside the running interpreter
            word = str(Path(sys.executable).with_name(Path(word).name))
        elif argv[i - 1] == "--bind":
            word = f"127.0.0.1:{port}"
        cmd.append(word)
    assert f"127.0.0.1:{port}" in cmd, "the README's production command has no --bind"
    # no control socket: several servers of one test would share its default path
    return ServerProcess(db, cmd=cmd + ["--no-control-socket"], port=port, env=env,
                         log_dir=log_dir)


# The two ways a hall's server runs: `python run.py --demo` (make demo) and the README's
# production command; the live, crash and concurrency tests run against both.
SERVERS = ["run.py", "production"]


def demo_server(db: Path | str, kind: str, env: dict | None = None,
                port: int | None = None, log_dir: Path | None = None) -> ServerProcess:
    """The demo hall served the ``kind`` way (not yet started), on a SQLite file or a
    PostgreSQL URL (a new database: seeded here)."""
    if kind == "production":
        if is_url(db) or not Path(db).exists():
            seed_demo_db(db)
        return gunicorn_server(db, env, port=port, log_dir=log_dir)
    return ServerProcess(db, env=env, port=port, log_dir=log_dir)


def login(session: requests.Session, base: str, username: str) -> str:
    r = session.post(f"{base}/api/v1/auth/login",
                     json={"username": username, "password": PASSWORD}, timeout=10)
    r.raise_for_status()
    return r.json()["token"]


def received_until(sio_client, *names: str, timeout: float = 10.0) -> list[dict]:
    """What a Socket.IO test client received, once every one of ``names`` is among it.

    Live events leave from the publisher's own loop after the commit, not from the request
    that caused them, so they arrive a moment after the HTTP answer."""
    got: list[dict] = []
    deadline = time.monotonic() + timeout
    while True:
        got += sio_client.get_received()
        seen = {m["name"] for m in got}
        if all(n in seen for n in names) or time.monotonic() > deadline:
            return got
        time.sleep(0.01)


class Receiver:
    """A local HTTP receiver: records every POST; answers with the queued statuses (then 200);
    while ``hold`` is clear, each request waits for it (a receiver that hangs)."""

    def __init__(self):
        self.got: list[dict] = []
        self.statuses: list[int] = []
        self.hold = threading.Event()
        self.hold.set()
        self.waiting = threading.Event()  # a request is being held
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                if not outer.hold.is_set():
                    outer.waiting.set()
                    outer.hold.wait(60)
                status = outer.statuses.pop(0) if outer.statuses else 200
                headers = {k.lower(): v for k, v in self.headers.items()}
                outer.got.append({"raw": raw, "headers": headers, "status": status})
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self._handler = Handler
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/feed"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def down(self) -> None:
        """Stop listening (a receiver that is down: connections are refused)."""
        self.server.shutdown()
        self.server.server_close()

    def up(self) -> None:
        """Listen again on the same port."""
        self.server = ThreadingHTTPServer(self.server.server_address, self._handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def delivered(self) -> list[dict]:
        return [json.loads(g["raw"]) for g in self.got if g["status"] == 200]

    def close(self):
        self.hold.set()
        self.server.shutdown()
