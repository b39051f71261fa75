"""Every route × role: anonymous, the clerk of this window, a clerk of another window, a manager.

The state for every cell: W13 is open with clerk01 signed in and a called ticket (F001), F002
waits; W14 is open with clerk02. Each cell runs on a fresh copy of the hall.
"""
from __future__ import annotations

import pytest

ROLES = ["anonymous", "this_clerk", "other_clerk", "manager"]
USERS = {"this_clerk": "clerk01", "other_clerk": "clerk02", "manager": "manager"}

# (method, path, body, {role: status}); a 3-tuple of statuses is this/other/manager.
W = "/api/v1/windows/W13"
TABLE = [
    ("post", f"{W}/open", None, (200, 403, 200)),
    ("post", f"{W}/pause", {"reason": "x"}, (200, 403, 200)),
    ("post", f"{W}/close", None, (409, 403, 409)),
    ("post", f"{W}/call-next", None, (409, 403, 409)),
    ("post", f"{W}/recall", None, (200, 403, 200)),
    ("post", f"{W}/start", None, (200, 403, 200)),
    ("post", f"{W}/finish", None, (200, 403, 200)),
    ("post", f"{W}/no-show", None, (200, 403, 200)),
    ("post", f"{W}/hold", None, (409, 403, 409)),
    ("post", f"{W}/unhold", {"ticket": 999}, (404, 403, 404)),
    ("post", f"{W}/hold", {"kind": "wait"}, (409, 403, 409)),  # F001 is called, not serving
    ("post", f"{W}/resume", {"ticket": 999}, (404, 403, 404)),
    ("post", f"{W}/finish", {"outcome": "settled"}, (200, 403, 200)),
    ("post", f"{W}/finish", {"outcome": "nonsense"}, (422, 403, 422)),
    ("post", f"{W}/transfer", {"service": "civil"}, (200, 403, 200)),
    ("put", f"{W}/auto", {"auto": True}, (200, 403, 200)),
    ("get", W, None, (200, 200, 200)),
    ("get", "/api/v1/halls/demo/windows", None, (200, 200, 200)),
    ("put", f"{W}/skills", {"skills": {"hukou": 1}}, (403, 403, 200)),
    ("get", "/api/v1/auth/me", None, (200, 200, 200)),
    # The manager's side (more cases, incl. every write, in tests/test_manage*.py).
    ("get", "/api/v1/halls/demo/stats", None, (403, 403, 200)),
    ("get", "/api/v1/halls/demo/stats?format=csv", None, (403, 403, 200)),
    ("get", "/api/v1/halls/demo/audit", None, (403, 403, 200)),
    ("get", "/api/v1/halls/demo/monitor", None, (403, 403, 200)),
    ("get", "/api/v1/halls/demo/admin", None, (403, 403, 200)),
    ("put", "/api/v1/halls/demo/notices", {"notices": ["今日正常办公"]}, (403, 403, 200)),
    ("get", "/api/v1/halls/demo/holds", None, (200, 200, 200)),
    ("put", "/api/v1/halls/demo/outcomes", {"outcomes": [{"code": "settled", "name": "办结"}]},
     (403, 403, 200)),
    ("put", "/api/v1/halls/demo/hold-return", {"release": 600}, (403, 403, 200)),
]
CITIZEN = [
    ("get", "/api/v1/halls", None, 200),
    ("get", "/api/v1/halls/demo/services", None, 200),
    ("get", "/api/v1/halls/demo/outcomes", None, 200),
    ("post", "/api/v1/halls/demo/tickets", {"service": "fund"}, 201),
    ("get", "/healthz", None, 200),
]


@pytest.fixture
def hall(app):
    clients = {role: app.test_client() for role in ROLES}
    for role, user in USERS.items():
        r = clients[role].post("/api/v1/auth/login", json={"username": user,
                                                           "password": "test-pass-123"})
        assert r.status_code == 200
    citizen = app.test_client()
    for _ in range(2):
        citizen.post("/api/v1/halls/demo/tickets", json={"service": "hukou"})
    assert clients["this_clerk"].post(f"{W}/open").status_code == 200
    assert clients["other_clerk"].post("/api/v1/windows/W14/open").status_code == 200
    assert clients["this_clerk"].post(f"{W}/call-next").json["ticket"]["number"] == "F001"
    return clients


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path", "body", "expected"), TABLE,
                         ids=[f"{m} {p.replace('/api/v1', '')}" for m, p, _, _ in TABLE])
def test_route_role(hall, role, method, path, body, expected):
    want = 401 if role == "anonymous" else dict(zip(ROLES[1:], expected, strict=True))[role]
    r = getattr(hall[role], method)(path, json=body)
    assert r.status_code == want, (role, path, r.json)
    if want >= 400:
        assert set(r.json) == {"error"}
        assert set(r.json["error"]) == {"code", "message"}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path", "body", "expected"), CITIZEN)
def test_citizen_routes_need_no_login(hall, role, method, path, body, expected):
    assert getattr(hall[role], method)(path, json=body).status_code == expected


def test_logout_really_ends_the_session(app):
    c = app.test_client()
    token = c.post("/api/v1/auth/login", json={"username": "manager",
                                              "password": "test-pass-123"}).json["token"]
    bearer = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert bearer.get("/api/v1/auth/me", headers=headers).status_code == 200
    assert c.post("/api/v1/auth/logout").status_code == 200
    # The same token, as a bearer or inside a replayed cookie, no longer works.
    assert bearer.get("/api/v1/auth/me", headers=headers).status_code == 401
    assert c.get("/api/v1/auth/me").status_code == 401


def test_session_cookie_flags(app):
    r = app.test_client().post("/api/v1/auth/login", json={"username": "clerk01",
                                                           "password": "test-pass-123"})
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_login_throttling(app):
    c = app.test_client()
    for _ in range(5):
        r = c.post("/api/v1/auth/login", json={"username": "clerk03", "password": "wrong-pw-1"})
        assert r.status_code == 401
    r = c.post("/api/v1/auth/login", json={"username": "clerk03", "password": "test-pass-123"})
    assert r.status_code == 429
    assert r.json["error"]["code"] == "too_many_requests"
    # Another user from the same address is not locked out by clerk03's failures.
    r = c.post("/api/v1/auth/login", json={"username": "clerk04", "password": "test-pass-123"})
    assert r.status_code == 200


def test_clerk_signed_in_elsewhere_cannot_open_a_second_window(hall):
    r = hall["this_clerk"].post("/api/v1/windows/W01/open")
    assert r.status_code == 409
    assert r.json["error"]["code"] == "signed_in_elsewhere"


def test_close_signs_the_clerk_out(hall, app):
    c = hall["other_clerk"]
    assert c.post("/api/v1/windows/W14/close").json["window"]["clerk"] is None
    # Once W14 is closed and signed out, clerk03 may take it.
    c3 = app.test_client()
    c3.post("/api/v1/auth/login", json={"username": "clerk03", "password": "test-pass-123"})
    w = c3.post("/api/v1/windows/W14/open").json["window"]
    assert w["clerk"]["username"] == "clerk03"
    assert w["status"] == "open"


def test_skills_keep_a_primary(app):
    m = app.test_client()
    m.post("/api/v1/auth/login", json={"username": "manager", "password": "test-pass-123"})
    r = m.put("/api/v1/windows/W12/skills", json={"skills": {"estate": 0.5}})
    assert r.status_code == 422
    assert r.json["error"]["code"] == "no_primary_skill"
    assert m.get("/api/v1/windows/W12").json["window"]["skills"] == {"estate": 1.0}
    assert m.put("/api/v1/windows/W12/skills", json={"skills": {}}).status_code == 200
