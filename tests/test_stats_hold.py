"""A held ticket is called twice; its wait ends at its first call."""
from __future__ import annotations

import time


def test_wait_of_a_held_ticket_ends_at_its_first_call(app, client, auth, db):
    citizen = app.test_client()
    t = citizen.post("/api/v1/halls/demo/tickets", json={"service": "hukou"}).json["ticket"]
    auth.login("clerk01")
    client.post("/api/v1/windows/W13/open")
    client.post("/api/v1/windows/W13/call-next")
    client.post("/api/v1/windows/W13/start")
    client.post("/api/v1/windows/W13/hold", json={"reason": "补材料"})
    time.sleep(1.2)  # the citizen fetches a document
    client.post("/api/v1/windows/W13/unhold", json={"ticket": t["id"]})
    assert client.post("/api/v1/windows/W13/call-next").json["ticket"]["id"] == t["id"]
    row = db.one("SELECT issued_at, first_called_at, called_at FROM tickets WHERE id = ?",
                 (t["id"],))
    assert row["called_at"] - row["first_called_at"] >= 1.2
    auth.login("manager")
    stats = client.get("/api/v1/halls/demo/stats").json
    assert abs(stats["mean_wait_s"] - (row["first_called_at"] - row["issued_at"])) < 1.0
    assert stats["mean_wait_s"] < 1.0
