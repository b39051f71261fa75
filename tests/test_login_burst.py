"""A burst of parallel wrong passwords gets at most the limit (5) checked, and a correct
password inside the burst does not get in (from the first-week issue)."""
from __future__ import annotations

import threading

import requests

from tests.helpers import PASSWORD, ServerProcess


def test_a_parallel_burst_gets_at_most_five_checks(tmp_path):
    proc = ServerProcess(tmp_path / "burst.db").start()
    try:
        url = f"{proc.url}/api/v1/auth/login"
        start = threading.Barrier(40)
        codes: list[int] = []

        def guess(password: str) -> None:
            start.wait()
            r = requests.post(url, json={"username": "manager", "password": password},
                              timeout=60)
            codes.append(r.status_code)

        threads = [threading.Thread(target=guess, args=(f"wrong-{i:04d}",)) for i in range(39)]
        threads.append(threading.Thread(target=guess, args=(PASSWORD,)))
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        checked = [c for c in codes if c != 429]
        assert len(codes) == 40, sorted(codes)
        assert len(checked) <= 5, sorted(codes)
        assert set(checked) <= {401, 200}
    finally:
        proc.kill()
