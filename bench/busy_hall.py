"""The in-process busy hall the profiling scripts share (profile_issue, profile_call,
cpu_per_request): a fresh demo database, windows W01.. opened by their own clerks (a window
nobody staffs is in no forecast), and a queue of tickets over six services."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

os.environ.setdefault("HALLQ_OPEN_HOURS_ONLY", "0")
os.environ.setdefault("HALLQ_RATE_ADDRESS_PER_MIN", "0")

from queue_server import create_app, demo, registry

SERVICES = ["hukou", "fund", "civil", "medical", "social-ins", "tax-invoice"]
PASSWORD = "profile-pass-1"


def busy_hall(queue: int, windows: int):
    """``(app, manager, citizen, window ids)``: the manager and citizen are test clients."""
    app = create_app({"DB": str(Path(tempfile.mkdtemp(prefix="hallq-prof-")) / "p.db")})
    demo.seed(registry.db(app), PASSWORD, hash_method="pbkdf2:sha256:1000")
    manager = app.test_client()
    manager.post("/api/v1/auth/login", json={"username": "manager", "password": PASSWORD})
    ids = [f"W{w:02d}" for w in range(1, windows + 1)]
    for w in ids:
        clerk = app.test_client()
        clerk.post("/api/v1/auth/login", json={"username": f"clerk{w[1:]}", "password": PASSWORD})
        assert clerk.post(f"/api/v1/windows/{w}/open").status_code == 200
    citizen = app.test_client()
    for i in range(queue):
        citizen.post("/api/v1/halls/demo/tickets", json={"service": SERVICES[i % len(SERVICES)]})
    return app, manager, citizen, ids
