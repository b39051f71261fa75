"""Every ticket transition through the API, every forbidden one (409), and its audit trail."""
from __future__ import annotations

import pytest

from queue_server.domain.tickets import TRANSITIONS


def issue(client, service="hukou", **extra):
    r = client.post("/api/v1/halls/demo/tickets", json={"service": service, **extra})
    assert r.status_code == 201, r.json
    return r.json


@pytest.fixture
def clerk(app, auth, client):
    auth.login("clerk01")
    assert client.post("/api/v1/windows/W13/open").status_code == 200
    return client


def act(client, action, window="W13", **body):
    return client.post(f"/api/v1/windows/{window}/{action}", json=body or None)


def status_of(client, token):
    return client.get(f"/api/v1/tickets/{token}").json["ticket"]["status"]


def test_numbering_uses_category_prefix_and_counts_up(client):
    numbers = [issue(client, s)["ticket"]["number"] for s in ("hukou", "hukou", "fund", "civil")]
    assert numbers == ["F001", "F002", "D001", "J001"]


def test_happy_path_waiting_called_serving_done(clerk, app):
    t = issue(app.test_client())
    assert t["ticket"]["status"] == "waiting"
    assert t["ticket"]["position"] == 0
    called = act(clerk, "call-next").json["ticket"]
    assert called["number"] == t["ticket"]["number"]
    assert called["status"] == "called"
    assert called["window"] == {"id": "W13", "name": "13号窗口"}
    assert called["called_at"]
    assert act(clerk, "recall").json["ticket"]["recall"] == 1
    assert act(clerk, "start").json["ticket"]["status"] == "serving"
    assert act(clerk, "finish").json["ticket"]["status"] == "done"
    assert status_of(clerk, t["token"]) == "done"
    w = clerk.get("/api/v1/windows/W13").json["window"]
    assert w["current"] is None


def test_finish_straight_from_called(clerk, app):
    issue(app.test_client())
    act(clerk, "call-next")
    assert act(clerk, "finish").json["ticket"]["status"] == "done"


def test_no_show_frees_the_window(clerk, app):
    issue(app.test_client())
    act(clerk, "call-next")
    assert act(clerk, "no-show").json["ticket"]["status"] == "no_show"
    assert clerk.get("/api/v1/windows/W13").json["window"]["current"] is None


def test_hold_then_unhold_keeps_the_place(clerk, app):
    first = issue(app.test_client())
    act(clerk, "call-next")
    act(clerk, "start")
    held = act(clerk, "hold", reason="补材料").json["ticket"]
    assert held["status"] == "held"
    later = issue(app.test_client())
    assert act(clerk, "unhold", ticket=held["id"]).json["ticket"]["status"] == "waiting"
    # The held ticket was issued first, so it is called before the later one.
    assert act(clerk, "call-next").json["ticket"]["number"] == first["ticket"]["number"]
    assert status_of(clerk, later["token"]) == "waiting"


def test_transfer_keeps_number_token_and_order(clerk, app):
    citizen = app.test_client()
    first = issue(citizen, "hukou")
    act(clerk, "call-next")
    other = issue(citizen, "civil")
    moved = act(clerk, "transfer", service="civil").json["ticket"]
    assert moved["status"] == "waiting"
    assert moved["service"] == "civil"
    assert moved["number"] == first["ticket"]["number"]
    assert moved["issued_at"] == first["ticket"]["issued_at"]
    # The citizen's token follows the ticket to its new leg.
    followed = citizen.get(f"/api/v1/tickets/{first['token']}").json["ticket"]
    assert followed["id"] == moved["id"]
    assert followed["service"] == "civil"
    # Ordered by its original issue time: ahead of the civil ticket issued after it.
    assert followed["position"] == 0
    assert citizen.get(f"/api/v1/tickets/{other['token']}").json["ticket"]["position"] == 1
    assert act(clerk, "call-next").json["ticket"]["id"] == moved["id"]


def test_transfer_to_unknown_service_is_422_and_changes_nothing(clerk, app, db):
    issue(app.test_client())
    act(clerk, "call-next")
    before = db.all("SELECT * FROM tickets")
    r = act(clerk, "transfer", service="nope")
    assert r.status_code == 422
    assert r.json["error"]["code"] == "unknown_service"
    assert [tuple(x) for x in db.all("SELECT * FROM tickets")] == [tuple(x) for x in before]


def test_cancel_only_while_waiting(clerk, app):
    citizen = app.test_client()
    t = issue(citizen)
    r = citizen.delete(f"/api/v1/tickets/{t['token']}")
    assert r.status_code == 200
    assert r.json["ticket"]["status"] == "cancelled"
    again = citizen.delete(f"/api/v1/tickets/{t['token']}")
    assert again.status_code == 409
    t2 = issue(citizen)
    act(clerk, "call-next")
    r = citizen.delete(f"/api/v1/tickets/{t2['token']}")
    assert r.status_code == 409
    assert r.json["error"]["code"] == "invalid_transition"


@pytest.mark.parametrize("action", ["recall", "start", "finish", "no-show", "hold"])
def test_actions_without_current_ticket_are_409(clerk, action):
    r = act(clerk, action)
    assert r.status_code == 409
    assert r.json["error"]["code"] == "no_current_ticket"


@pytest.mark.parametrize(("setup", "action"), [
    (["start"], "no-show"),          # serving -> no_show is not a transition
    (["start"], "start"),
    ([], "hold"),                    # called -> held is not allowed: only serving
])
def test_forbidden_transitions_are_409_and_change_nothing(clerk, app, db, setup, action):
    issue(app.test_client())
    act(clerk, "call-next")
    for step in setup:
        assert act(clerk, step).status_code == 200
    before = [tuple(r) for r in db.all("SELECT * FROM tickets")]
    events = db.one("SELECT COUNT(*) FROM events")[0]
    r = act(clerk, action)
    assert r.status_code == 409
    assert set(r.json) == {"error"}
    assert r.json["error"]["code"] == "invalid_transition"
    assert [tuple(r) for r in db.all("SELECT * FROM tickets")] == before
    assert db.one("SELECT COUNT(*) FROM events")[0] == events


def test_call_next_with_a_current_ticket_is_409(clerk, app):
    issue(app.test_client())
    issue(app.test_client())
    act(clerk, "call-next")
    r = act(clerk, "call-next")
    assert r.status_code == 409
    assert r.json["error"]["code"] == "window_busy"


def test_call_next_on_empty_queue_gives_null(clerk):
    r = act(clerk, "call-next")
    assert r.status_code == 200
    assert r.json == {"ticket": None}


def test_call_next_never_gives_a_service_without_skill(clerk, app):
    issue(app.test_client(), "estate")   # W13 has no weight for estate
    assert act(clerk, "call-next").json == {"ticket": None}


def test_paused_or_closed_window_cannot_call(clerk, app):
    issue(app.test_client())
    act(clerk, "pause", reason="午休")
    r = act(clerk, "call-next")
    assert r.status_code == 409
    assert r.json["error"]["code"] == "window_not_open"
    act(clerk, "open")
    assert act(clerk, "call-next").json["ticket"] is not None


def test_close_with_current_ticket_is_409(clerk, app):
    issue(app.test_client())
    act(clerk, "call-next")
    assert act(clerk, "close").status_code == 409


def test_priority_ticket_called_first(clerk, app):
    citizen = app.test_client()
    issue(citizen)
    vip = issue(citizen, priority=1)
    assert act(clerk, "call-next").json["ticket"]["number"] == vip["ticket"]["number"]


def test_every_transition_is_one_audit_event(clerk, app, db):
    citizen = app.test_client()
    t = issue(citizen)
    for step in ["call-next", "recall", "start", "finish"]:
        act(clerk, step)
    citizen.post(f"/api/v1/tickets/{t['token']}/rating", json={"score": 4})
    actions = [r["action"] for r in db.all(
        "SELECT action FROM events WHERE ticket = ? ORDER BY seq", (t["ticket"]["id"],))]
    assert actions == ["issue", "call", "recall", "start", "finish", "rate"]
    actors = {r["actor"] for r in db.all("SELECT actor FROM events WHERE ticket = ?",
                                         (t["ticket"]["id"],))}
    assert actors == {"citizen", "clerk01"}


def test_transition_table_is_what_the_docs_say():
    assert TRANSITIONS["finish"][0] == ("called", "serving")
    assert TRANSITIONS["cancel"] == (("waiting",), "cancelled")
    assert TRANSITIONS["transfer"][0] == ("called", "serving")


def test_rating_rules(clerk, app):
    citizen = app.test_client()
    t = issue(citizen)
    url = f"/api/v1/tickets/{t['token']}/rating"
    assert citizen.post(url, json={"score": 5}).status_code == 409   # not done yet
    act(clerk, "call-next")
    act(clerk, "finish")
    r = citizen.post(url, json={"score": 2})
    assert r.status_code == 422
    assert r.json["error"]["code"] == "reason_required"
    assert citizen.post(url, json={"score": 6}).status_code == 422
    assert citizen.post(url, json={"score": 2, "reason": "等候时间长"}).status_code == 201
    assert citizen.post(url, json={"score": 5}).status_code == 409


@pytest.mark.parametrize(("steps", "action", "body"), [
    ([], "call-next", None), (["call-next"], "recall", None), (["call-next"], "start", None),
    (["call-next"], "finish", None), (["call-next"], "no-show", None),
    (["call-next", "start"], "hold", {"reason": "补材料"}),
    (["call-next"], "transfer", {"service": "civil"}),
    ([], "pause", {"reason": "午休"}), ([], "close", None),
])
def test_each_action_is_exactly_one_audit_event(clerk, app, db, steps, action, body):
    issue(app.test_client())
    for step in steps:
        assert act(clerk, step).status_code == 200
    before = db.one("SELECT MAX(seq) FROM events")[0]
    assert act(clerk, action, **(body or {})).status_code == 200
    new = db.all("SELECT action, actor FROM events WHERE seq > ?", (before,))
    assert len(new) == 1, [tuple(r) for r in new]
    assert new[0]["actor"] == "clerk01", [tuple(r) for r in new]


def test_cancel_and_unhold_are_one_audit_event_each(clerk, app, db):
    citizen = app.test_client()
    t = issue(citizen)
    before = db.one("SELECT MAX(seq) FROM events")[0]
    citizen.delete(f"/api/v1/tickets/{t['token']}")
    assert [r["action"] for r in db.all("SELECT action FROM events WHERE seq > ?",
                                        (before,))] == ["cancel"]
    issue(citizen)
    act(clerk, "call-next")
    act(clerk, "start")
    held = act(clerk, "hold").json["ticket"]
    before = db.one("SELECT MAX(seq) FROM events")[0]
    act(clerk, "unhold", ticket=held["id"])
    assert [r["action"] for r in db.all("SELECT action FROM events WHERE seq > ?",
                                        (before,))] == ["unhold"]


def test_call_next_says_why_in_both_languages(clerk, app):
    issue(app.test_client(), priority=1)
    r = act(clerk, "call-next").json
    assert "优先" in r["why"]
    assert r["why_en"]
    assert r["why_en"].isascii()


def test_the_clerk_sees_why_a_ticket_is_held(clerk, app):
    issue(app.test_client())
    act(clerk, "call-next")
    act(clerk, "start")
    act(clerk, "hold", reason="去复印身份证")
    held = clerk.get("/api/v1/windows/W13").json["held"]
    assert [h["hold_reason"] for h in held] == ["去复印身份证"]
