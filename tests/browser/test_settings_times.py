"""The settings page shows service times as m:ss like the rest of the console, reads m:ss
back, refuses what is not a time readably, and keeps each row's save button on screen at
1366 px (from the first-week issue)."""
from __future__ import annotations

import requests
from playwright.sync_api import expect

from tests.helpers import PASSWORD

H = "/api/v1/halls/demo"


def test_service_times_in_minutes_and_seconds(live, page_factory):
    base = live.url
    page = page_factory(base, (1366, 768))
    assert page.request.post(f"{base}/api/v1/auth/login",
                             data={"username": "manager", "password": PASSWORD}).ok
    page.goto("/manage/demo/settings")
    row = page.locator("#ed-services tr[data-id=hukou]")
    save = row.locator("button")
    expect(save).to_be_visible()
    box = save.bounding_box()
    assert box["x"] + box["width"] <= 1366, box  # not cut off by the wide table
    mean = row.locator("td").nth(4).locator("input")
    expect(mean).to_have_value("05:00")  # 300 s
    mean.fill("6:30")
    save.click()
    page.wait_for_selector("#toast.ok")
    svc = {s["id"]: s for s in requests.get(f"{base}{H}/services", timeout=10).json()[
        "services"]}["hukou"]
    assert svc["mean_service_s"] == 390
    mean.fill("half an hour")
    save.click()
    expect(page.locator("#toast.error")).to_contain_text("分:秒")
