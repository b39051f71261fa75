"""预约取号 at the kiosk in real Chromium: book over the API, check in with only the code and the
ID number on the kiosk's keypad, no category or service picked (a slip marked 预约 naming the
booked service, a priority-2 ticket naming the code in its audit event); a wrong ID number is
refused in the server's words and issues nothing."""
from __future__ import annotations

import json
import math
import re
import time
from datetime import UTC, datetime

import requests
from playwright.sync_api import expect

from tests.browser.conftest import wait_js
from tests.helpers import login

ID_NUMBER = "11010519491231002X"
SERVICE = "biz-setup"
_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def with_check_digit(first17: str) -> str:
    """A resident ID number with its GB 11643 check digit."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return first17 + "10X98765432"[total % 11]


def manager(base: str) -> requests.Session:
    s = requests.Session()
    login(s, base, "manager")
    # Open all day, so the next half-hour slot is bookable whenever the test runs.
    s.put(f"{base}/api/v1/halls/demo/hours", json={"open": "00:00", "close": "23:59"},
          timeout=10).raise_for_status()
    return s


def book(base: str, id_number: str) -> str:
    """Book the next bookable half-hour slot (at most an hour away: check-in is open)."""
    nxt = math.ceil((time.time() + 1) / 1800) * 1800
    for slot in (nxt, nxt + 1800):  # 23:30 is past the last slot of a hall closing at 23:59
        r = requests.post(f"{base}/api/v1/halls/demo/appointments", timeout=10, json={
            "service": SERVICE, "id_number": id_number,
            "slot_at": datetime.fromtimestamp(slot, UTC).isoformat()})
        if r.status_code == 201:
            return r.json()["appointment"]["code"]
    raise AssertionError(r.text)


def issues(mgr: requests.Session, base: str) -> list[dict]:
    events = mgr.get(f"{base}/api/v1/halls/demo/audit", params={"action": "issue"},
                     timeout=10).json()["events"]
    return [e for e in events if e["action"] == "issue"]


def enter(kiosk, code: str, id_number: str) -> None:
    kiosk.click("#appt-start")
    # Straight to the code + ID form: no category or service step on the way.
    wait_js(kiosk, "!document.getElementById('step-appt').hidden", timeout=5000)
    assert kiosk.evaluate("""() => ['category', 'service', 'confirm'].every(
        (s) => document.getElementById('step-' + s).hidden)""")
    for ch in code:  # the on-screen keypad
        kiosk.click(f"#keypad [data-key='{ch}']")
    expect(kiosk.locator("#appt-id-field")).to_have_class(re.compile(r"\bactive\b"))
    kiosk.keyboard.type(id_number)  # a hardware keyboard works too
    # Only the last four characters of the ID number are ever drawn.
    expect(kiosk.locator("#appt-id")).to_have_text("•" * 14 + id_number[-4:])


def test_kiosk_appointment_check_in(live, page_factory):
    base = live.url
    mgr = manager(base)
    code = book(base, ID_NUMBER)
    service_name = next(s["name"] for s in requests.get(
        f"{base}/api/v1/halls/demo/services", timeout=10).json()["services"]
        if s["id"] == SERVICE)
    kiosk = page_factory(base, (1080, 1920))
    posted: list[dict] = []
    kiosk.on("request", lambda r: posted.append(json.loads(r.post_data or "{}"))
             if r.method == "POST" and r.url.endswith("/api/v1/halls/demo/tickets") else None)
    kiosk.goto("/kiosk/demo")
    expect(kiosk.locator("#appt-start")).to_be_visible()
    expect(kiosk.locator("#appt-start")).to_contain_text("预约取号")
    enter(kiosk, code, ID_NUMBER)
    expect(kiosk.locator("#appt-code")).to_have_text(code)
    kiosk.dblclick("#appt-submit")  # a double tap checks in once
    expect(kiosk.locator("#slip-number")).to_have_text(re.compile(r"^A\d{3}$"))
    expect(kiosk.locator("#slip-appt")).to_have_text("预约")
    expect(kiosk.locator("#slip-appt")).to_be_visible()
    # The booked service, as the server answered it: the kiosk never sent one.
    expect(kiosk.locator("#slip-service")).to_have_text(service_name)
    assert len(posted) == 1, posted
    assert "service" not in posted[0], posted
    assert posted[0]["appointment"] == code
    text = kiosk.locator("body").inner_text()
    assert ID_NUMBER[:14] not in text
    assert ID_NUMBER not in text
    [event] = [e for e in issues(mgr, base) if e["detail"].get("appointment") == code]
    assert event["detail"]["priority"] == 2
    assert event["number"] == kiosk.locator("#slip-number").inner_text()
    kiosk.click("#done-btn")
    expect(kiosk.locator("#appt-start")).to_be_visible()
    expect(kiosk.locator("#appt-id")).to_have_text("_" * 18)  # nothing kept


def test_kiosk_appointment_wrong_id_refused(live, page_factory):
    base = live.url
    mgr = manager(base)
    code = book(base, ID_NUMBER)
    kiosk = page_factory(base, (1080, 1920))
    kiosk.goto("/kiosk/demo?lang=en&idle=3")
    expect(kiosk.locator("#appt-start")).to_contain_text("Appointment check-in")
    enter(kiosk, code, with_check_digit("11010819800101001"))
    kiosk.click("#appt-submit")
    expect(kiosk.locator("#appt-error")).to_have_text("no such appointment for this ID")
    expect(kiosk.locator("#step-appt")).to_be_visible()
    assert issues(mgr, base) == []
    # Left alone, the kiosk returns to its start screen and forgets what was typed.
    expect(kiosk.locator("#appt-start")).to_be_visible(timeout=8000)
    expect(kiosk.locator("#appt-code")).to_have_text("_" * 8)
    expect(kiosk.locator("#appt-id")).to_have_text("_" * 18)
