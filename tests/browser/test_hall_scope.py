"""Two halls on one server, in Chromium: each hall's clerk terminal offers only its own hall."""
from __future__ import annotations

import requests
from playwright.sync_api import expect

from tests.browser.test_clerk_polish import sign_in
from tests.helpers import PASSWORD, login
from tests.test_cli import hallq


def test_a_clerk_of_the_second_hall_sees_only_its_windows(live, page_factory):
    db = str(live.db)
    assert hallq("--db", db, "hall", "add", "north", "--name", "北区分中心").returncode == 0
    for name, role in (("n_mgr", "manager"), ("n_clerk", "clerk")):
        r = hallq("--db", db, "user", "add", name, "--role", role, "--hall", "north",
                  stdin=PASSWORD + "\n")
        assert r.returncode == 0, r.stderr
    mgr = requests.Session()
    login(mgr, live.url, "n_mgr")
    api = f"{live.url}/api/v1"
    for path, body in ((f"{api}/halls/north/categories", {"id": "n-civ", "name": "民政",
                                                          "prefix": "N"}),
                       (f"{api}/halls/north/services", {"id": "n-aid", "category": "n-civ",
                                                        "name": "救助",
                                                        "mean_service_s": 300}),
                       (f"{api}/halls/north/windows", {"id": "N01", "name": "北1号窗口"})):
        mgr.post(path, json=body, timeout=10).raise_for_status()
    mgr.put(f"{api}/windows/N01/skills", json={"skills": {"n-aid": 1}},
            timeout=10).raise_for_status()

    north = page_factory(live.url, (1366, 768))
    sign_in(north, "n_clerk")
    expect(north.locator("[data-window=N01]")).to_be_visible()
    expect(north.locator("[data-window=W01]")).to_have_count(0)
    expect(north.locator("#hall-select")).to_be_hidden()  # one hall to choose from
    north.locator("[data-window=N01]").click()
    expect(north.locator("#hdr-window")).to_have_text("· 北1号窗口")

    demo = page_factory(live.url, (1366, 768))
    sign_in(demo, "clerk01")
    expect(demo.locator("[data-window=W01]")).to_be_visible()
    expect(demo.locator("[data-window=N01]")).to_have_count(0)
    expect(demo.locator("#hall-select")).to_be_hidden()


def test_a_new_hall_says_what_to_set_up_first(live, page_factory):
    db = str(live.db)
    assert hallq("--db", db, "hall", "add", "south", "--name", "南区分中心").returncode == 0
    r = hallq("--db", db, "user", "add", "s_mgr", "--role", "manager", "--hall", "south",
              stdin=PASSWORD + "\n")
    assert r.returncode == 0, r.stderr
    kiosk = page_factory(live.url, (1080, 1920))
    kiosk.goto("/kiosk/south")
    expect(kiosk.locator(".kiosk-empty")).to_contain_text("暂未开放自助取号的业务")
    console = page_factory(live.url, (1366, 900))
    assert console.request.post(f"{live.url}/api/v1/auth/login",
                                data={"username": "s_mgr", "password": PASSWORD}).ok
    console.goto("/manage/south")
    expect(console.locator("#setup-panel")).to_be_visible()
    expect(console.locator("#setup-panel")).to_contain_text("技能矩阵")
    console.goto("/manage/south/skills")
    expect(console.locator("#skills-empty")).to_be_visible()
    # once there is a window and a service, the hints go away and the kiosk offers it
    api = f"{live.url}/api/v1/halls/south"
    for path, body in (("categories", {"id": "s-civ", "name": "民政", "prefix": "S"}),
                       ("services", {"id": "s-aid", "category": "s-civ", "name": "救助",
                                     "mean_service_s": 300}),
                       ("windows", {"id": "S01", "name": "1号窗口"})):
        assert console.request.post(f"{api}/{path}", data=body).ok
    kiosk.reload()  # a service no window takes is not offered yet
    expect(kiosk.locator(".kiosk-empty")).to_be_visible()
    assert console.request.put(f"{live.url}/api/v1/windows/S01/skills",
                               data={"skills": {"s-aid": 1}}).ok
    console.goto("/manage/south")
    expect(console.locator("#windows-table tbody tr")).to_have_count(1)
    expect(console.locator("#setup-panel")).to_be_hidden()
    kiosk.reload()
    expect(kiosk.locator("[data-category=s-civ]")).to_be_visible()
    expect(kiosk.locator(".kiosk-empty")).to_have_count(0)
