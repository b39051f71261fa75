"""Positions and expected waits."""
from __future__ import annotations

from hypothesis import given, settings
from test_dispatcher import NOW, snap, snapshots, tk, win

from dispatcher.eta import predict, predict_new


@settings(max_examples=150, deadline=None)
@given(snapshots())
def test_every_waiting_ticket_gets_a_distinct_position(s):
    out = predict(s)
    assert set(out) == {t["id"] for t in s["tickets"]}
    assert sorted(v["position"] for v in out.values()) == list(range(len(s["tickets"])))
    known = sorted((v["position"], v["eta_s"]) for v in out.values() if v["eta_s"] is not None)
    etas = [e for _, e in known]
    assert etas == sorted(etas) and all(e >= 0 for e in etas)


def test_eta_follows_windows_and_means():
    s = snap([win("A", {"a": 1}), win("B", {"a": 1}, free=False, busy_until=NOW + 100)],
             [tk(1, "a", 300), tk(2, "a", 200), tk(3, "a", 100)],
             services={"a": {"mean_service_s": 600}})
    out = predict(s)
    assert out[1] == {"position": 0, "eta_s": 0.0}
    assert out[2] == {"position": 1, "eta_s": 100.0}
    assert out[3] == {"position": 2, "eta_s": 600.0}


def test_priority_ticket_is_predicted_first():
    s = snap([win("A", {"a": 1}, free=False, busy_until=NOW + 50)],
             [tk(1, "a", 300), tk(2, "a", 5, priority=1)])
    assert predict(s)[2]["position"] == 0


def test_predict_new():
    s = snap([win("A", {"a": 1}, free=False, busy_until=NOW + 50)], [tk(1, "a", 300)],
             services={"a": {"mean_service_s": 400}})
    assert predict_new(s, "a") == {"position": 1, "eta_s": 450.0}
    assert predict_new(s, "a", priority=1)["position"] == 0
    assert predict_new(s, "nobody")["eta_s"] is None
