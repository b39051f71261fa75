"""Hostile bodies on every JSON endpoint (from the first-week issue): nested a thousand deep, or
larger than the limit, they get 400/413 in the error shape and change nothing, never a 500;
405 keeps its Allow header; a subscribe with no argument is answered."""
from __future__ import annotations

import re
import tempfile

import pytest

from queue_server import create_app

DEEP = "[" * 5000 + "]" * 5000
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def json_endpoints() -> list[tuple[str, str]]:
    """Every write route of the API, with placeholder arguments (from a throw-away app)."""
    folder = tempfile.mkdtemp(prefix="hallq-routes-")
    app = create_app({"DB": f"{folder}/routes.db", "TESTING": True})
    out = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: {
            "hall": "demo", "window": "W01", "token": "x" * 20}.get(m.group(1), "x"), rule.rule)
        out += [(m, path) for m in sorted(rule.methods & WRITES)]
    return out


ENDPOINTS = json_endpoints()


def _error_shape(r) -> None:
    """Never a 500; a refusal in the contract's shape (a route that ignores its body, like
    logout, may answer 200)."""
    assert r.status_code < 500, (r.status_code, r.get_data(as_text=True)[:200])
    if r.status_code >= 400:
        assert set(r.json["error"]) == {"code", "message"}


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_deep_and_huge_bodies_are_refused_in_the_error_shape(mgr, db, method, path):
    before = db.one("SELECT COUNT(*) n FROM events")["n"]
    r = mgr.open(path, method=method, data=DEEP, content_type="application/json")
    _error_shape(r)
    big = '{"x": "' + "a" * (2 * 1024 * 1024) + '"}'
    r = mgr.open(path, method=method, data=big, content_type="application/json")
    assert r.status_code == 413
    assert r.json["error"]["code"] == "body_too_large"
    # nothing changed; but logout ignores its body and ends the session: audited, once
    ended = 1 if path == "/api/v1/auth/logout" else 0
    assert db.one("SELECT COUNT(*) n FROM events")["n"] == before + ended


def test_deep_json_is_a_400_where_the_body_is_read(client):
    for path in ("/api/v1/auth/login", "/api/v1/halls/demo/tickets"):
        r = client.post(path, data=DEEP, content_type="application/json")
        assert r.status_code == 400, path
        assert r.json["error"]["code"] == "malformed_json", path


def test_405_keeps_its_allow_header(client):
    r = client.delete("/api/v1/halls")
    assert r.status_code == 405
    assert "GET" in r.headers["Allow"]
    _error_shape(r)


def test_subscribe_without_an_argument_is_answered(sio):
    c = sio()
    assert c.emit("subscribe", callback=True)["error"]["code"] == "malformed_body"
