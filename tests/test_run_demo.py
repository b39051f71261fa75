"""`python run.py --demo` as a newcomer runs it: open at any hour (and says so), a short demo
password refused in words rather than a traceback, a password for a seeded database noted."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import requests

from tests.helpers import ROOT, ServerProcess, free_port, login

RUN = [sys.executable, str(ROOT / "run.py")]


def test_a_short_demo_password_is_refused_in_words(tmp_path):
    r = subprocess.run([*RUN, "--demo", "--db", str(tmp_path / "d.db"), "--port",
                        str(free_port())], capture_output=True, text=True, timeout=60, cwd=ROOT,
                       env={**os.environ, "HALLQ_DEMO_PASSWORD": "short"})
    assert r.returncode == 2
    assert "密码至少 8 位" in r.stderr
    assert "Traceback" not in r.stderr


def test_the_demo_issues_outside_the_halls_hours_and_says_so(tmp_path):
    proc = ServerProcess(tmp_path / "d.db")
    proc.env.pop("HALLQ_OPEN_HOURS_ONLY", None)  # as a newcomer's shell has it
    proc.start()
    try:
        assert "任何时间都可取号" in proc.output()
        manager = requests.Session()
        login(manager, proc.url, "manager")
        # hours that exclude the present moment in the hall's time zone
        now = datetime.now(ZoneInfo("Asia/Shanghai"))
        start = (now + timedelta(hours=2)).replace(minute=0)
        hours = {"open": start.strftime("%H:%M"),
                 "close": (start + timedelta(hours=1)).strftime("%H:%M")}
        if hours["close"] <= hours["open"]:  # past midnight: take the hour before instead
            start = (now - timedelta(hours=3)).replace(minute=0)
            hours = {"open": start.strftime("%H:%M"),
                     "close": (start + timedelta(hours=1)).strftime("%H:%M")}
        r = manager.put(f"{proc.url}/api/v1/halls/demo/hours", json=hours, timeout=10)
        assert r.status_code == 200, r.text
        r = requests.post(f"{proc.url}/api/v1/halls/demo/tickets", json={"service": "hukou"},
                          timeout=10)
        assert r.status_code == 201, r.text
    finally:
        proc.kill()
    # the same database again with a password: it is not used, and the start says so
    again = ServerProcess(tmp_path / "d.db")
    again.start()
    try:
        assert "HALLQ_DEMO_PASSWORD 未使用" in again.output()
        # on 127.0.0.1 a slip's QR code would lead a phone nowhere: the start says what to do
        assert "HALLQ_PUBLIC_URL=http://" in again.output()
    finally:
        again.kill()
    # as `make demo` starts it (HALLQ_OPEN_HOURS_ONLY=0): open at any hour, and it says so
    public = ServerProcess(tmp_path / "d.db", env={"HALLQ_PUBLIC_URL": "http://10.1.2.3:5000",
                                                    "HALLQ_OPEN_HOURS_ONLY": "0"})
    public.start()
    try:
        assert "HALLQ_PUBLIC_URL=" not in public.output()
        assert "任何时间都可取号" in public.output()
        issued = requests.post(f"{public.url}/api/v1/halls/demo/tickets",
                               json={"service": "hukou"}, timeout=10).json()
        slip = requests.post(f"{public.url}/kiosk/demo/slip", json={"token": issued["token"]},
                             timeout=10).json()
        assert slip["url"].startswith("http://10.1.2.3:5000/t/")
    finally:
        public.kill()
