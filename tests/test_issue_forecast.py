"""An issue answers with one ticket's forecast (planner.predict_one): exactly what the whole
hall's forecast (planner.predictions) says for it, at the same moment, also for a ticket no
open window can serve."""
from __future__ import annotations

from queue_server.domain import clock, planner

H = "/api/v1/halls/demo"


def test_one_tickets_forecast_is_the_halls(app, client, auth, db):
    auth.login("manager")
    for w in ("W01", "W05", "W09"):
        assert client.post(f"/api/v1/windows/{w}/open").status_code == 200
    services = ["hukou", "fund", "civil", "medical", "social-ins", "tax-invoice"]
    for i in range(40):
        r = client.post(f"{H}/tickets", json={"service": services[i % 6],
                                              "priority": 1 if i % 7 == 0 else 0})
        assert r.status_code == 201
    now = clock.now() + 120
    conn = db.conn()
    full = planner.predictions(conn, "demo", now)
    assert any(v["eta_s"] is None for v in full.values())  # some service has no open window
    assert any(v["eta_s"] is not None for v in full.values())
    for tid, guess in full.items():
        assert planner.predict_one(conn, "demo", tid, now) == {tid: guess}
