"""Every manager change appears in the audit with its actor; the audit search filters."""
from __future__ import annotations

import pytest

from tests.helpers import PASSWORD

H = "/api/v1/halls/demo"


def audit(client, **q):
    r = client.get(f"{H}/audit", query_string=q)
    assert r.status_code == 200, r.json
    return r.json["events"]


# (method, path, body, expected audit action, window) — every kind of change a manager makes.
CHANGES = [
    ("put", "/api/v1/windows/W01/skills", {"skills": {"biz-setup": 1, "fund": 0.5}},
     "window_skills", "W01"),
    ("put", f"{H}/skills",
     {"windows": {"W02": {"hukou": 1}, "W03": {"biz-change": 1, "hukou": 0.5}}},
     "window_skills", "W03"),
    ("post", "/api/v1/windows/W05/open", None, "window_open", "W05"),
    ("post", "/api/v1/windows/W05/pause", {"reason": "break"}, "window_pause", "W05"),
    ("post", "/api/v1/windows/W05/close", None, "window_close", "W05"),
    ("post", f"{H}/windows", {"id": "W21", "name": "21号窗口", "zone": "A"}, "window_add", "W21"),
    ("patch", f"{H}/windows/W21", {"name": "二十一号窗口"}, "window_edit", "W21"),
    ("post", f"{H}/categories", {"id": "ent", "name": "出入境", "prefix": "K"},
     "category_add", None),
    ("patch", f"{H}/categories/ent", {"name_en": "Exit & entry"}, "category_edit", None),
    ("post", f"{H}/services", {"id": "passport", "category": "ent", "name": "护照",
                               "mean_service_s": 300, "materials": ["身份证"]},
     "service_add", None),
    ("patch", f"{H}/services/hukou", {"wait_limit_s": 900, "active": True}, "service_edit", None),
    ("post", f"{H}/users", {"username": "clerk13", "role": "clerk", "password": PASSWORD},
     "user_add", None),
    ("patch", f"{H}/users/clerk13", {"display_name": "新同事", "password": "another-pass"},
     "user_edit", None),
    ("put", f"{H}/notices", {"notices": ["今日下午系统维护"]}, "hall_notices", None),
    ("put", f"{H}/hours", {"open": "08:30", "close": "17:00"}, "hall_hours", None),
    ("put", f"{H}/outcomes", {"outcomes": [{"code": "settled", "name": "办结"}]},
     "hall_outcomes", None),
    ("put", f"{H}/hold-return", {"wait": 3600}, "hall_hold_return", None),
]


def test_every_manager_change_is_audited_with_its_actor(mgr):
    seen_before = {e["seq"] for e in audit(mgr)}
    for method, path, body, action, window in CHANGES:
        r = getattr(mgr, method)(path, json=body)
        assert r.status_code in (200, 201), (path, r.json)
        new = [e for e in audit(mgr) if e["seq"] not in seen_before]
        assert new, path
        mine = [e for e in new if e["action"] == action]
        assert mine, (path, [e["action"] for e in new])
        assert all(e["actor"] == "manager" for e in mine)
        if window:
            assert any(e.get("window") == window for e in mine)
        seen_before |= {e["seq"] for e in new}


def test_audit_records_before_and_after_and_never_a_password(mgr):
    mgr.put("/api/v1/windows/W01/skills", json={"skills": {"fund": 1}})
    mgr.patch(f"{H}/users/clerk01", json={"password": "secret-pass-9"})
    ev = audit(mgr, action="window_skills")[-1]
    assert ev["detail"]["before"] == {"biz-setup": 1.0, "biz-change": 0.5}
    assert ev["detail"]["after"] == {"fund": 1.0}
    assert "+08:00" in ev["at"]
    user = audit(mgr, action="user_edit")[-1]
    assert "secret-pass-9" not in str(user)
    assert user["detail"]["after"]["password"] == "changed"


def test_ticket_changes_and_filters(app, mgr):
    citizen, clerk = app.test_client(), app.test_client()
    clerk.post("/api/v1/auth/login", json={"username": "clerk01", "password": PASSWORD})
    number = citizen.post(f"{H}/tickets", json={"service": "hukou"}).json["ticket"]["number"]
    citizen.post(f"{H}/tickets", json={"service": "fund"})
    clerk.post("/api/v1/windows/W13/open")
    clerk.post("/api/v1/windows/W13/call-next")
    clerk.post("/api/v1/windows/W13/finish")
    events = audit(mgr, ticket=number)
    assert [e["action"] for e in events] == ["issue", "call", "finish"]
    assert [e["actor"] for e in events] == ["citizen", "clerk01", "clerk01"]
    assert all(e["number"] == number for e in events)
    assert events == sorted(events, key=lambda e: e["seq"])          # oldest first
    assert {e["actor"] for e in audit(mgr, actor="clerk01")} == {"clerk01"}
    assert {e.get("window") for e in audit(mgr, window="W13")} == {"W13"}
    assert audit(mgr, action="call")[0]["window"] == "W13"
    assert audit(mgr, ticket=number.lower()) == events                # numbers case-insensitive
    page = mgr.get(f"{H}/audit", query_string={"limit": 2}).json
    assert len(page["events"]) == 2
    assert page["more"]
    rest = audit(mgr, after=page["events"][-1]["seq"])
    assert rest[0]["seq"] > page["events"][-1]["seq"]
    assert audit(mgr, date="2020-01-01") == []


@pytest.mark.parametrize("query", ["date=x", "after=-1", "limit=0", "limit=abc",
                                   "actor=" + "x" * 100])
def test_bad_audit_queries(mgr, query):
    r = mgr.get(f"{H}/audit?{query}")
    assert r.status_code == 400
    assert "error" in r.json
