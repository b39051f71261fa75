"""Appointments on the phone (issue 16), in a mobile viewport: book a slot from /m/<hall>,
reschedule it on the booking's page /a/<code>, check in there in the hall, get called."""
from __future__ import annotations

import re
import time

import pytest
import requests
from playwright.sync_api import expect

from queue_server.domain import clock
from tests.helpers import PASSWORD, login

API = "/api/v1"
ID = "11010519491231002X"


def test_a_phone_books_reschedules_checks_in_and_is_called(live, page_factory):
    local = clock.seconds_of_day(time.time(), "Asia/Shanghai")
    if local > 22 * 3600 + 25 * 60:  # the two slots must fit before the day's last one
        pytest.skip("too close to midnight in the hall for two slots within the hour")
    base = live.url
    boss, clerk = requests.Session(), requests.Session()
    login(boss, base, "manager")
    assert boss.put(f"{base}{API}/halls/demo/hours", json={"open": "00:00", "close": "23:59"},
                    timeout=10).ok
    login(clerk, base, "clerk01")
    assert clerk.post(f"{base}{API}/windows/W13/open", timeout=10).ok
    p = page_factory(base, (390, 844), is_mobile=True, has_touch=True)
    p.goto("/m/demo")
    p.locator("#m-book").click()
    p.wait_for_url(re.compile(r"/m/demo/book$"))
    p.locator("#b-service").select_option("hukou")
    first = p.locator(".b-slot").first
    expect(first).to_be_visible()
    booked_at = first.get_attribute("data-at")
    first.click()
    p.locator("#b-id").fill(ID)
    p.locator("#b-book").click()
    p.wait_for_url(re.compile(r"/a/[A-Z0-9]{8}$"))
    code = p.url.rsplit("/", 1)[1]
    expect(p.locator("#a-status")).to_have_text("已预约")
    expect(p.locator("#a-when")).to_contain_text(booked_at[11:16])
    # reschedule to the next slot (still within the hour, so check-in is open)
    p.locator("#a-resched").click()
    nxt = p.locator(".b-slot").first
    expect(nxt).to_be_visible()
    moved_to = nxt.get_attribute("data-at")
    assert moved_to != booked_at
    nxt.click()
    p.locator("#a-resched-go").click()
    expect(p.locator("#b-error")).to_contain_text("身份证号码")  # the page keeps no ID number
    p.locator("#b-id").fill(ID)
    p.locator("#a-resched-go").click()
    expect(p.locator("#b-msg")).to_contain_text("已改约")
    expect(p.locator("#a-when")).to_contain_text(moved_to[11:16])
    appt = requests.get(f"{base}{API}/appointments/{code}", timeout=10).json()["appointment"]
    assert (appt["status"], appt["slot_at"][:16]) == ("booked", moved_to[:16])
    # in the hall: check in on the same page, follow the ticket to its call
    p.locator("#a-checkin").click()
    p.wait_for_url(re.compile(r"/t/[A-Za-z0-9_-]+$"))
    expect(p.locator("#t-number")).to_have_text("F001")
    r = clerk.post(f"{base}{API}/windows/W13/call-next", timeout=10).json()
    assert (r["ticket"]["number"], r["ticket"]["priority"]) == ("F001", 2)
    expect(p.locator("#called")).to_be_visible()
    expect(p.locator("#called-window")).to_have_text("13号窗口")
    again = requests.get(f"{base}{API}/appointments/{code}", timeout=10).json()["appointment"]
    assert again["status"] == "checked_in"


def test_the_console_sets_a_services_bookings_per_slot(live, page_factory):
    base = live.url
    page = page_factory(base, (1366, 768))
    assert page.request.post(f"{base}{API}/auth/login",
                             data={"username": "manager", "password": PASSWORD}).ok
    page.goto("/manage/demo/settings")
    expect(page.locator("#ed-services thead")).to_contain_text("每时段预约数")
    row = page.locator("#ed-services tr[data-id=hukou]")
    cap = row.locator("td").nth(7).locator("input")
    expect(cap).to_have_value("5")
    cap.fill("2")
    row.locator("button").click()
    page.wait_for_selector("#toast.ok")
    slots = requests.get(f"{base}{API}/halls/demo/slots?service=hukou", timeout=10).json()
    assert {s["capacity"] for s in slots["slots"]} == {2}
