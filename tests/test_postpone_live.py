"""顺延 and rejoin as the screens and phones hear them, through real Socket.IO clients on the
real servers (run.py and the production gunicorn): the mover's phone, the one behind it whose
place changes, and the hall screen's waiting counts (issue 16)."""
from __future__ import annotations

import requests

from tests.helpers import login
from tests.test_live import Screen, issue


def test_postpone_and_rejoin_reach_the_phones_and_the_hall(server):
    base = server.url
    clerk = requests.Session()
    login(clerk, base, "clerk01")
    assert clerk.post(f"{base}/api/v1/windows/W13/open", timeout=5).status_code == 200
    a, b, _c, _d = (issue(base) for _ in range(4))
    mover, behind, hall = Screen(base), Screen(base), Screen(base)
    assert mover.connect({"ticket": a["token"]})["ticket"]["position"] == 0
    assert behind.connect({"ticket": b["token"]})["ticket"]["position"] == 1
    hall.connect({"hall": "demo"})
    r = requests.post(f"{base}/api/v1/tickets/{a['token']}/postpone", timeout=5)
    assert r.status_code == 200, r.text
    mover.wait("ticket.updated", pred=lambda d: d["ticket"]["position"] == 3)
    behind.wait("ticket.updated", pred=lambda d: d["ticket"]["position"] == 0)
    # B is called first now, and missed; rejoining puts it back in the hall's count
    called = clerk.post(f"{base}/api/v1/windows/W13/call-next", timeout=5).json()["ticket"]
    assert called["number"] == b["ticket"]["number"]
    assert clerk.post(f"{base}/api/v1/windows/W13/no-show", timeout=5).status_code == 200
    behind.wait("ticket.updated", pred=lambda d: d["ticket"]["status"] == "no_show")
    n = len(hall.events)
    r = requests.post(f"{base}/api/v1/tickets/{b['token']}/rejoin", timeout=5)
    assert r.status_code == 200, r.text
    assert r.json()["ticket"]["position"] == 3  # behind the three waiting (C, D, A)
    behind.wait("ticket.updated", pred=lambda d: d["ticket"]["status"] == "waiting"
                and d["ticket"]["position"] == 3)
    assert hall.wait("queue.updated", after=n)["waiting"]["hukou"] == 4
    for s in (mover, behind, hall):
        s.close()
