"""Acceptance in real Chromium: kiosk → clerk → hall screen (with speech) → window screen → phone;
two simultaneous calls; the hall screen surviving a server restart."""
from __future__ import annotations

import re
import threading

import requests
from playwright.sync_api import expect

from tests.browser.conftest import wait_js
from tests.helpers import login

# Record what the page asks speechSynthesis to say, and end each utterance quickly.
SPEECH = """
window.__spoken = [];
// Chromium here has no voices: offer one per language (else the screen plays its clips)
const fakeVoices = [{name: "Fake zh", lang: "zh-CN", voiceURI: "zh", localService: true},
                    {name: "Fake en", lang: "en-US", voiceURI: "en", localService: true}];
if (window.speechSynthesis) {
  window.speechSynthesis.getVoices = () => fakeVoices;
  window.speechSynthesis.speak = function (u) {
    window.__spoken.push(u.text);
    setTimeout(() => u.onend && u.onend(new Event("end")), 20);
  };
}
"""


def open_hall_screen(page_factory, base: str, **kwargs):
    hall = page_factory(base, (1920, 1080), init_script=SPEECH, **kwargs)
    hall.goto("/display/demo")
    wait_js(hall, "window.__hallq && window.__hallq.live.state.snapshots >= 1")
    return hall


def clerk_session(base: str, user: str, window: str) -> requests.Session:
    s = requests.Session()
    login(s, base, user)
    s.post(f"{base}/api/v1/windows/{window}/open", timeout=10).raise_for_status()
    return s


def issue(base: str, service: str) -> dict:
    r = requests.post(f"{base}/api/v1/halls/demo/tickets",
                      json={"service": service, "channel": "kiosk"}, timeout=10)
    r.raise_for_status()
    return r.json()


def test_kiosk_to_rating(live, page_factory):
    base = live.url
    kiosk = page_factory(base, (1080, 1920))
    kiosk.goto("/kiosk/demo")
    kiosk.click("[data-category=biz]")
    kiosk.click("[data-service=biz-setup]")
    expect(kiosk.locator("#confirm-materials li").first).to_have_text("申请人身份证原件")
    kiosk.dblclick("#take")  # a double tap issues one ticket
    expect(kiosk.locator("#slip-number")).to_have_text("A001")
    qr_url = kiosk.locator("#slip-qr").get_attribute("data-url")
    assert qr_url.startswith(base + "/t/")
    assert kiosk.locator("#slip-qr svg").count() == 1
    waiting = {s["id"]: s["waiting"] for s in
               requests.get(f"{base}/api/v1/halls/demo/services", timeout=10).json()["services"]}
    assert waiting["biz-setup"] == 1

    hall = open_hall_screen(page_factory, base)
    window = page_factory(base, (1280, 400))
    window.goto("/display/demo/window/W01")
    phone = page_factory(base, (390, 844), is_mobile=True, has_touch=True)
    phone.goto(qr_url.removeprefix(base))
    expect(phone.locator("#t-number")).to_have_text("A001")
    expect(phone.locator("#t-position")).to_have_text("0")

    clerk = page_factory(base, (1366, 768))
    clerk.goto("/clerk")
    clerk.fill("#username", "clerk01")
    clerk.fill("#password", "test-pass-123")
    clerk.click("#login-form button[type=submit]")
    clerk.click("[data-window=W01]")
    expect(clerk.locator("#hdr-status")).to_have_text("关闭")
    clerk.keyboard.press("o")
    expect(clerk.locator("#hdr-status")).to_have_text("开放")
    expect(window.locator("#ws-clerk")).to_have_text("工作人员01")
    expect(window.locator("#ws-staff")).to_have_text("工号 G001")
    clerk.keyboard.press("n")
    expect(hall.locator("#now-number")).to_have_text("A001", timeout=1000)
    expect(hall.locator("#now-window")).to_have_text("1号窗口")
    expect(clerk.locator("#cur-number")).to_have_text("A001")
    expect(clerk.locator("#why")).to_be_visible()
    expect(clerk.locator("#cur-materials li")).to_have_count(5)
    wait_js(hall, "window.__spoken.length >= 2", timeout=5000)
    assert hall.evaluate("window.__spoken") == ["请A零零一号到1号窗口办理"] * 2
    expect(window.locator("#ws-number")).to_have_text("A001")
    expect(phone.locator("#called-window")).to_have_text("1号窗口")

    # Call-next is disabled while the window has a ticket: its shortcut does nothing.
    expect(clerk.locator('[data-act="call-next"]')).to_have_class(re.compile(r"\bna\b"))
    calls_before = sum("/call-next" in u for u in clerk.record.requests)
    clerk.keyboard.press("n")
    clerk.wait_for_timeout(300)
    assert sum("/call-next" in u for u in clerk.record.requests) == calls_before
    expect(clerk.locator("#msg")).not_to_contain_text("请先处理当前票号")
    expect(clerk.locator("#t-serve")).to_have_text("—")  # called, not yet started
    clerk.keyboard.press("s")
    expect(phone.locator("#t-status")).to_contain_text("正在办理")
    # The phone hears the push before the terminal has redrawn; a key pressed while the
    # terminal is still busy with the last action is ignored, so wait for its redraw.
    expect(clerk.locator('[data-act="start"]')).to_have_class(re.compile(r"\bna\b"))
    clerk.keyboard.press("f")
    expect(clerk.locator("#dlg-choices [data-choice=settled]")).to_be_visible()
    clerk.keyboard.press("1")  # the outcome: 1 办结
    expect(clerk.locator("#cur-number")).to_have_text("—")
    expect(clerk.locator("#cur-empty")).to_have_text("暂无票号")
    expect(phone.locator("#rate-card")).to_be_visible()
    phone.click("[data-score='2']")
    expect(phone.locator("#rate-btn")).to_be_disabled()  # a low score needs a reason
    phone.click("[data-reason=r_wait]")
    expect(phone.locator("#rate-btn")).to_be_enabled()
    phone.click("[data-score='5']")
    phone.click("#rate-btn")
    expect(phone.locator("#rated")).to_be_visible()


def test_two_windows_call_at_once(live, page_factory):
    base = live.url
    issue(base, "biz-setup")
    issue(base, "tax-invoice")
    a, b = clerk_session(base, "clerk01", "W01"), clerk_session(base, "clerk04", "W04")
    hall = open_hall_screen(page_factory, base)
    replies: dict[str, dict] = {}
    barrier = threading.Barrier(2)

    def call(s: requests.Session, w: str) -> None:
        barrier.wait()
        replies[w] = s.post(f"{base}/api/v1/windows/{w}/call-next", timeout=10).json()

    threads = [threading.Thread(target=call, args=(s, w)) for s, w in ((a, "W01"), (b, "W04"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    numbers = {w: r["ticket"]["number"] for w, r in replies.items()}
    assert sorted(numbers.values()) == ["A001", "B001"]
    wait_js(hall, "window.__spoken.length >= 4", timeout=10000)
    spoken = hall.evaluate("window.__spoken")
    mgr = requests.Session()
    login(mgr, base, "manager")
    audit = mgr.get(f"{base}/api/v1/halls/demo/audit", timeout=10).json()["events"]
    order = [e["window"] for e in audit if e["action"] == "call"]
    said = {"W01": f"请{numbers['W01'][0]}零零一号到1号窗口办理",
            "W04": f"请{numbers['W04'][0]}零零一号到4号窗口办理"}
    assert spoken == [said[order[0]]] * 2 + [said[order[1]]] * 2
    expect(hall.locator("#now-number")).to_have_text(numbers[order[1]])
    expect(hall.locator("#recent li").first).to_contain_text(numbers[order[0]])


def test_hall_screen_survives_restart(live, page_factory):
    base = live.url
    # While the server is down the browser logs its failed reconnection attempts.
    hall = open_hall_screen(page_factory, base, ignore_errors=["ERR_CONNECTION_REFUSED"])
    # the voice clips the screen fetches as it opens are in before the server goes (a fetch
    # cut by the kill would be logged as an error of its own)
    assert hall.evaluate("window.HallQ.clips.load('zh').then((c) => Object.keys(c).length)") > 0
    live.kill()
    expect(hall.locator("#hallq-offline")).to_be_visible(timeout=5000)
    live.start()  # same port, same database
    expect(hall.locator("#hallq-offline")).to_be_hidden(timeout=10000)
    issue(base, "hukou")
    s = clerk_session(base, "clerk02", "W13")
    assert s.post(f"{base}/api/v1/windows/W13/call-next", timeout=10).json()["ticket"]["number"] \
        == "F001"
    expect(hall.locator("#now-number")).to_have_text("F001", timeout=2000)
    wait_js(hall, "window.__spoken.includes('请F零零一号到13号窗口办理')", timeout=5000)
