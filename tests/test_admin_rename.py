"""Renaming a category or service tells the screens: hall.updated (which makes them resync
the names) as well as queue.updated."""
from __future__ import annotations

import pytest

from tests.helpers import received_until

H = "/api/v1/halls/demo"


@pytest.mark.parametrize(("path", "body"), [
    (f"{H}/categories/biz", {"name": "企业服务"}), (f"{H}/services/hukou", {"name": "户口"}),
])
def test_renames_push_hall_updated(app, mgr, sio, path, body):
    screen = sio(app.test_client())
    screen.emit("subscribe", {"hall": "demo"}, callback=True)
    screen.get_received()
    assert mgr.patch(path, json=body).status_code == 200
    names = [m["name"] for m in received_until(screen, "hall.updated", "queue.updated")]
    assert "hall.updated" in names
    assert "queue.updated" in names
