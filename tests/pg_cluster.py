"""A throw-away PostgreSQL cluster for the tests: Debian's ``postgresql`` binaries (``make
system-deps`` installs them), ``initdb`` into a temporary folder, a free port, its unix socket
in that folder, stopped and removed at the end. No system service is needed or touched.

Run as root (CI is), the cluster belongs to the ``postgres`` user: PostgreSQL refuses to run as
root, so ``initdb`` and ``pg_ctl`` go through ``runuser -u postgres``.
"""
from __future__ import annotations

import glob
import itertools
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.helpers import free_port

SUPERUSER = "postgres"


def bindir() -> Path:
    """The newest installed PostgreSQL's programs (Debian keeps them off PATH)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parent.parent.name))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb is None:
        raise RuntimeError("PostgreSQL is not installed (make system-deps installs it)")
    return Path(initdb).parent


class Cluster:
    """One PostgreSQL server for the whole test session."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="hallq-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.bin = bindir()
        self._names = itertools.count(1)
        self._as_root = os.geteuid() == 0

    def _run(self, *argv: str) -> None:
        cmd = [str(self.bin / argv[0]), *argv[1:]]
        if self._as_root:
            cmd = ["runuser", "-u", SUPERUSER, "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, cwd=self.root)

    def start(self) -> Cluster:
        if self._as_root:
            shutil.chown(self.root, SUPERUSER)
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", SUPERUSER, "-E",
                  "UTF8", "--locale=C.UTF-8")
        # durability is not under test here (the app's is, on SQLite); speed is
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1"
                   " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
                   " -c max_connections=400")
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l",
                  str(self.root / "server.log"), "-w", "-t", "60", "start")
        return self

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{dbname}"

    def admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(sql)

    def new_database(self, template: str | None = None, name: str | None = None) -> str:
        """A new empty database (or a copy of ``template``); its URL."""
        name = name or f"t{os.getpid()}_{next(self._names)}"
        copy = f" TEMPLATE {template} STRATEGY FILE_COPY" if template else ""
        self.admin(f"CREATE DATABASE {name}{copy}")
        return self.url(name)

    def drop_database(self, url: str) -> None:
        self.admin(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)")


class External(Cluster):
    """``HALLQ_TEST_DB=postgresql://...``: databases made on a server that is already there
    (the URL's user must be allowed to create databases)."""

    def __init__(self, url: str) -> None:  # no temporary folder: the server is there
        self._url = url
        self._names = itertools.count(1)

    def start(self) -> External:
        return self

    def stop(self) -> None:
        pass

    def url(self, dbname: str = "postgres") -> str:
        base = self._url.rsplit("/", 1)[0]
        return f"{base}/{dbname}"
