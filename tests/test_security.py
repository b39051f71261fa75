"""Request hygiene: cross-site writes, headers, proxies, ASCII-only numbers, socket roles."""
from __future__ import annotations

import shutil

from queue_server import create_app, registry, socketio
from tests.helpers import PASSWORD


def test_cross_site_writes_with_the_cookie_are_refused(client, auth):
    auth.login("clerk01")
    r = client.post("/api/v1/windows/W13/open", headers={"Origin": "http://evil.example"})
    assert r.status_code == 403
    assert r.json["error"]["code"] == "forbidden"
    r = client.post("/api/v1/windows/W13/open", headers={"Sec-Fetch-Site": "cross-site"})
    assert r.status_code == 403
    assert client.get("/api/v1/windows/W13").json["window"]["status"] == "closed"
    same = client.post("/api/v1/windows/W13/open", headers={"Origin": "http://localhost"})
    assert same.status_code == 200


def test_an_authorization_header_does_not_excuse_the_cookie(client, auth):
    """Only a bearer token skips the origin check: the cookie must not act cross-site
    because some other Authorization header came along (or a null origin)."""
    auth.login("clerk01")
    for headers in ({"Authorization": "x", "Origin": "http://evil.example"},
                    {"Authorization": "Basic eDp5", "Sec-Fetch-Site": "cross-site"},
                    {"Origin": "null"}):
        r = client.post("/api/v1/windows/W13/open", headers=headers)
        assert r.status_code == 403, headers
        assert r.json["error"]["code"] == "forbidden"
    assert client.get("/api/v1/windows/W13").json["window"]["status"] == "closed"


def test_a_device_with_a_bearer_token_is_not_a_browser(app, auth):
    token = auth.login("clerk01")
    device = app.test_client()  # no cookie: the token alone authenticates
    r = device.post("/api/v1/windows/W13/open", headers={
        "Authorization": f"Bearer {token}", "Origin": "http://pad.local"})
    assert r.status_code == 200
    assert r.json["window"]["status"] == "open"


def test_a_form_post_is_not_json(client, auth):
    auth.login("manager")
    r = client.put("/api/v1/windows/W13/skills", data='{"skills": {"hukou": 1}}',
                   content_type="text/plain")
    assert r.status_code == 400
    assert r.json["error"]["code"] == "not_json"


def test_security_headers(client):
    r = client.get("/healthz")
    assert "default-src 'self'" in r.headers["Content-Security-Policy"]
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["X-Content-Type-Options"] == "nosniff"


def test_full_width_digits_are_not_an_id_number(client):
    r = client.post("/api/v1/halls/demo/tickets",
                    json={"service": "hukou", "id_number": "１１０１０５１９４９１２３１００２X"})
    assert r.status_code == 422
    assert r.json["error"]["code"] == "invalid_id_number"
    r = client.post("/api/v1/halls/demo/tickets", json={"service": "hukou",
                                                        "phone": "１３８００１３８０００"})
    assert r.status_code == 422


def test_behind_a_proxy_limits_see_the_citizen(tmp_path, demo_template):
    for suffix in ("", ".secret", ".idkey"):
        shutil.copy(f"{demo_template}{suffix}", tmp_path / f"p.db{suffix}")
    app = create_app({"DB": str(tmp_path / "p.db"), "RATE_ADDRESS_PER_MIN": 2,
                      "PROXY_HOPS": 1})
    c = app.test_client()

    def issue(addr):
        return c.post("/api/v1/halls/demo/tickets", json={"service": "hukou"},
                      headers={"X-Forwarded-For": addr}).status_code

    assert [issue("10.0.0.1") for _ in range(3)] == [201, 201, 429]
    assert issue("10.0.0.2") == 201  # another citizen behind the same proxy


def test_a_clerk_cannot_release_another_windows_held_ticket(app, client, auth):
    other = app.test_client()
    other.post("/api/v1/auth/login", json={"username": "clerk02", "password": "test-pass-123"})
    other.post("/api/v1/windows/W14/open")
    app.test_client().post("/api/v1/halls/demo/tickets", json={"service": "hukou"})
    other.post("/api/v1/windows/W14/call-next")
    other.post("/api/v1/windows/W14/start")
    held = other.post("/api/v1/windows/W14/hold").json["ticket"]
    auth.login("clerk01")
    client.post("/api/v1/windows/W13/open")
    r = client.post("/api/v1/windows/W13/unhold", json={"ticket": held["id"]})
    assert r.status_code == 404
    assert client.post("/api/v1/windows/W13/unhold",
                       json={"ticket": 2**70}).status_code == 404
    assert other.post("/api/v1/windows/W14/unhold",
                      json={"ticket": held["id"]}).json["ticket"]["status"] == "waiting"


def test_the_socket_of_an_ended_session_is_closed(app, client, auth):
    """A logout (or a disabled account) closes the sockets that login opened; an anonymous
    screen's socket stays."""
    auth.login("manager")
    sock = socketio.test_client(app, flask_test_client=client)
    screen = socketio.test_client(app)
    assert sock.emit("subscribe", {"managers": "demo"}, callback=True) == {"ok": True}
    watch = registry.services(app).session_watch
    assert watch.sweep() == []
    assert sock.is_connected()
    auth.logout()
    assert len(watch.sweep()) == 1
    assert not sock.is_connected()
    assert screen.is_connected()
    # disabling the account ends its sessions too
    clerk = app.test_client()
    clerk.post("/api/v1/auth/login", json={"username": "clerk01", "password": PASSWORD})
    pad = socketio.test_client(app, flask_test_client=clerk)
    boss = app.test_client()
    boss.post("/api/v1/auth/login", json={"username": "manager", "password": PASSWORD})
    assert boss.patch("/api/v1/halls/demo/users/clerk01",
                      json={"active": False}).status_code == 200
    assert len(watch.sweep()) == 1
    assert not pad.is_connected()
    screen.disconnect()


def test_managers_room_rechecks_the_login_on_every_subscribe(app, client, auth):
    auth.login("manager")
    sock = socketio.test_client(app, flask_test_client=client)
    assert sock.emit("subscribe", {"managers": "demo"}, callback=True) == {"ok": True}
    auth.logout()
    refused = sock.emit("subscribe", {"managers": "demo"}, callback=True)
    assert refused["error"]["code"] == "forbidden"
    sock.disconnect()
