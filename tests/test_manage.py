"""Clerks and anonymous users are refused every manager endpoint and page; managers get them."""
from __future__ import annotations

import pytest

from queue_server import registry
from tests.helpers import PASSWORD
from windows.console import PAGES

H = "/api/v1/halls/demo"
ENDPOINTS = [
    ("get", f"{H}/stats", None),
    ("get", f"{H}/stats?format=csv", None),
    ("get", f"{H}/stats?format=xlsx", None),
    ("get", f"{H}/audit", None),
    ("get", f"{H}/monitor", None),
    ("get", f"{H}/admin", None),
    ("get", f"{H}/advice", None),
    ("post", f"{H}/advice/apply", {"changes": []}),
    ("put", f"{H}/skills", {"windows": {"W01": {"hukou": 1}}}),
    ("put", "/api/v1/windows/W01/skills", {"skills": {"hukou": 1}}),
    ("post", f"{H}/windows", {"id": "W99", "name": "x"}),
    ("patch", f"{H}/windows/W01", {"name": "x"}),
    ("post", f"{H}/categories", {"id": "c", "name": "x", "prefix": "Z"}),
    ("patch", f"{H}/categories/biz", {"name": "x"}),
    ("post", f"{H}/services", {"id": "s", "category": "biz", "name": "x", "mean_service_s": 60}),
    ("patch", f"{H}/services/hukou", {"name": "x"}),
    ("post", f"{H}/users", {"username": "u1", "role": "clerk", "password": PASSWORD}),
    ("patch", f"{H}/users/clerk02", {"role": "manager"}),
    ("put", f"{H}/notices", {"notices": []}),
    ("put", f"{H}/hours", {"open": "09:00", "close": "17:00"}),
]
PAGE_URLS = ["/manage/demo"] + [f"/manage/demo/{p}" for p in PAGES if p != "monitor"]


def ids(items):
    return [f"{m} {p.replace('/api/v1', '')}" for m, p, _ in items]


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS, ids=ids(ENDPOINTS))
def test_anonymous_and_clerks_are_refused(app, method, path, body):
    anon, clerk = app.test_client(), app.test_client()
    clerk.post("/api/v1/auth/login", json={"username": "clerk01", "password": PASSWORD})
    before = registry.db(app).one("SELECT MAX(seq) m FROM events")["m"]
    r = getattr(anon, method)(path, json=body)
    assert r.status_code == 401
    assert r.json["error"]["code"] == "unauthorized"
    r = getattr(clerk, method)(path, json=body)
    assert r.status_code == 403
    assert r.json["error"]["code"] == "forbidden"
    after = registry.db(app).one("SELECT MAX(seq) m FROM events")["m"]
    assert after == before  # a refusal changes nothing


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS, ids=ids(ENDPOINTS))
def test_managers_are_allowed(client, auth, method, path, body):
    auth.login("manager")
    r = getattr(client, method)(path, json=body)
    if path.endswith("/advice"):  # no history yet in a fresh hall: a 422, not a refusal
        assert r.status_code == 422
        assert r.json["error"]["code"] == "no_history"
    else:
        assert r.status_code in (200, 201), r.get_data(as_text=True)[:300]


@pytest.mark.parametrize("url", PAGE_URLS)
def test_pages_refuse_anonymous_and_clerks(app, url):
    anon, clerk = app.test_client(), app.test_client()
    clerk.post("/api/v1/auth/login", json={"username": "clerk01", "password": PASSWORD})
    r = anon.get(url)
    assert r.status_code == 401
    assert 'id="login-form"' in r.get_data(as_text=True)
    r = clerk.get(url)
    assert r.status_code == 403
    assert "skills-grid" not in r.get_data(as_text=True)
    assert 'data-hall="demo"' not in r.get_data(as_text=True)


@pytest.mark.parametrize("url", PAGE_URLS)
def test_pages_render_for_managers(client, auth, url):
    auth.login("manager")
    r = client.get(url)
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert 'data-hall="demo"' in html
    assert "http://" not in html
    assert "https://" not in html


def test_unknown_hall_and_page(client, auth):
    auth.login("manager")
    assert client.get("/manage/nope").status_code == 404
    assert client.get("/manage/demo/nope").status_code == 404


def test_monitor_state(app, client, auth):
    citizen = app.test_client()
    citizen.post(f"{H}/tickets", json={"service": "hukou"})
    auth.login("manager")
    client.post("/api/v1/windows/W13/open")
    m = client.get(f"{H}/monitor").json
    svc = {s["service"]: s for s in m["services"]}
    assert svc["hukou"]["waiting"] == 1
    assert svc["hukou"]["over"] == 0
    assert {w["id"]: w["status"] for w in m["windows"]}["W13"] == "open"
    assert m["today"]["issued"] == 1
    assert m["overdue"] == []
