"""Materials to bring in English, in a real Chromium: the English kiosk and phone page list them
in English (the Chinese list when a service has no English one), and the manager's settings page
edits them."""
from __future__ import annotations

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.conftest import wait_js
from tests.helpers import PASSWORD, login

pytestmark = pytest.mark.browser

H = "/api/v1/halls/demo"
MATS = "document.querySelectorAll('#confirm-materials li')"


def kiosk_confirm(page, service: str, category: str):
    page.click(f"[data-category={category}]")
    page.click(f"[data-service={service}]")
    wait_js(page, f"{MATS}.length > 0 && !document.getElementById('step-confirm').hidden")
    return page.evaluate(f"() => Array.from({MATS}, (li) => li.textContent)")


def test_english_kiosk_lists_english_materials_and_falls_back(live, page_factory):
    base = live.url
    kiosk = page_factory(base, (1080, 1920))
    kiosk.goto("/kiosk/demo?lang=en")
    wait_js(kiosk, "document.querySelector('[data-category=biz]')")
    shown = kiosk_confirm(kiosk, "biz-setup", "biz")
    assert shown[0] == "Original ID card of the applicant"
    assert shown[2] == "Articles of association"
    assert len(shown) == 5

    # A service whose English list is emptied shows its Chinese list instead.
    mgr = requests.Session()
    login(mgr, base, "manager")
    assert mgr.patch(f"{base}{H}/services/hukou", json={"materials_en": []}, timeout=10).ok
    kiosk.goto("/kiosk/demo?lang=en")
    wait_js(kiosk, "document.querySelector('[data-category=hukou]')")
    assert kiosk_confirm(kiosk, "hukou", "hukou") == ["申请人身份证原件", "户口簿",
                                                      "迁入地准迁证明（迁移时）"]

    # The Chinese kiosk is unchanged.
    zh = page_factory(base, (1080, 1920))
    zh.goto("/kiosk/demo")
    wait_js(zh, "document.querySelector('[data-category=biz]')")
    assert kiosk_confirm(zh, "biz-setup", "biz")[0] == "申请人身份证原件"


def test_english_phone_page_lists_english_materials(live, page_factory):
    base = live.url
    issued = requests.post(f"{base}{H}/tickets", json={"service": "estate", "channel": "mobile"},
                           timeout=10).json()
    phone = page_factory(base, (390, 844))
    phone.goto(f"/t/{issued['token']}?lang=en")
    expect(phone.locator("#materials-card")).to_be_visible()
    expect(phone.locator("#materials li").nth(1)).to_have_text("Real estate title certificate")


def test_settings_page_edits_english_materials(live, page_factory):
    base = live.url
    page = page_factory(base)
    assert page.request.post(f"{base}/api/v1/auth/login",
                             data={"username": "manager", "password": PASSWORD}).ok
    page.goto("/manage/demo/settings?lang=en")
    row = page.locator("#ed-services tr[data-id=hukou]")
    expect(row.locator("textarea")).to_have_count(2)
    english = row.locator("textarea").nth(1)
    expect(english).to_have_value(
        "Original ID card of the applicant\nHousehold register (hukou booklet)\n"
        "Move-in permit from the new place of residence (when moving)")
    # a list that no longer matches the Chinese one item for item is refused, readably
    english.fill("ID card\n\n  Household register  ")
    row.locator("button").click()
    expect(page.locator("#toast.error")).to_contain_text("as many items as materials")
    english.fill("ID card\n\n  Household register  \nMove-in permit")
    row.locator("button").click()
    page.wait_for_selector("#toast.ok")
    svc = {s["id"]: s for s in
           requests.get(f"{base}{H}/services", timeout=10).json()["services"]}["hukou"]
    assert svc["materials_en"] == ["ID card", "Household register", "Move-in permit"]
    assert svc["materials"][1] == "户口簿"  # the Chinese list saved unchanged beside it
    audit = page.request.get(f"{base}{H}/audit?action=service_edit").json()["events"]
    assert audit
    assert audit[-1]["actor"] == "manager"
