"""Regenerate docs/screenshots/: ``.venv/bin/python -m tests.browser.screenshots``.

Starts its own demo server, fills the hall with a realistic morning, and shoots every page at
its intended size. Needs a CJK font installed (Debian: fonts-wqy-zenhei or fonts-noto-cjk).
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import requests
from playwright.sync_api import sync_playwright

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.helpers import PASSWORD, ROOT, ServerProcess, login

OUT = ROOT / "docs" / "screenshots"
SERVICES = ["biz-setup", "biz-setup", "biz-change", "tax-invoice", "tax-invoice", "social-ins",
            "medical", "medical", "fund", "estate", "hukou", "hukou", "civil", "biz-setup",
            "social-ins", "fund", "estate", "health", "biz-setup", "medical", "tax-invoice"]
WINDOWS = [("clerk03", "W03"), ("clerk04", "W04"), ("clerk06", "W06"), ("clerk09", "W09"),
           ("clerk11", "W11"), ("clerk05", "W05"), ("clerk07", "W07")]


def fill_hall(base: str) -> str:
    """Issue tickets and call a few; returns the token of one still waiting."""
    tokens = [requests.post(f"{base}/api/v1/halls/demo/tickets",
                            json={"service": s, "channel": "kiosk"}, timeout=10).json()["token"]
              for s in SERVICES]
    for user, w in WINDOWS:
        s = requests.Session()
        login(s, base, user)
        s.post(f"{base}/api/v1/windows/{w}/open", timeout=10).raise_for_status()
        s.post(f"{base}/api/v1/windows/{w}/call-next", timeout=10).raise_for_status()
        if w in ("W04", "W06"):
            s.post(f"{base}/api/v1/windows/{w}/start", timeout=10)
    return tokens[-2]


def shoot(browser, base: str, path: str, size: tuple[int, int], name: str, steps=None,
          wait_ms: int = 900, user: str | None = None, **ctx) -> None:
    c = browser.new_context(viewport={"width": size[0], "height": size[1]}, base_url=base, **ctx)
    if user:  # the context's request API shares the browser's cookies
        c.request.post("/api/v1/auth/login", data={"username": user, "password": PASSWORD})
    page = c.new_page()
    page.goto(path)
    page.wait_for_timeout(wait_ms)
    for step in steps or []:
        step(page)
        page.wait_for_timeout(400)
    page.screenshot(path=str(OUT / name))
    c.close()
    print("wrote", OUT / name)


def open_window(page, user: str, window: str) -> None:
    """Sign `user` in at the clerk terminal and open `window`."""
    page.fill("#username", user)
    page.fill("#password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.click(f"[data-window={window}]")
    page.wait_for_selector("#work:not([hidden])")
    page.wait_for_timeout(800)
    page.keyboard.press("o")
    page.wait_for_timeout(1200)


def clerk_steps(page) -> None:
    open_window(page, "clerk01", "W01")
    page.keyboard.press("n")
    page.wait_for_timeout(1500)
    page.keyboard.press("s")
    page.wait_for_timeout(2500)  # let the serving timer run


def clerk_idle_steps(page) -> None:
    open_window(page, "clerk02", "W02")


def mobile_shots(b, base: str, phone: dict) -> None:
    """The phone's own channel (issue 16): taking a ticket, and the entrance poster."""
    shoot(b, base, "/m/demo", (390, 844), "mobile.png", **phone)
    shoot(b, base, "/m/demo", (390, 844), "mobile-confirm.png",
          [lambda pg: pg.click(".m-row[data-service=hukou]")], **phone)
    shoot(b, base, "/m/demo/poster", (794, 1123), "poster.png")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        server = ServerProcess(Path(tmp) / "shots.db").start()
        try:
            base = server.url
            with sync_playwright() as p:
                b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                # Before the morning's first call: the idle hall screen and an empty terminal.
                shoot(b, base, "/display/demo", (1920, 1080), "hall-idle.png", wait_ms=1500)
                shoot(b, base, "/clerk", (1366, 768), "clerk-idle.png", [clerk_idle_steps])
                token = fill_hall(base)
                kiosk = (1080, 1920)
                shoot(b, base, "/kiosk/demo", kiosk, "kiosk.png")
                shoot(b, base, "/kiosk/demo", kiosk, "kiosk-confirm.png", [
                    lambda pg: pg.click("[data-category=biz]"),
                    lambda pg: pg.click("[data-service=biz-setup]")])
                shoot(b, base, "/kiosk/demo", kiosk, "kiosk-slip.png", [
                    lambda pg: pg.click("[data-category=social]"),
                    lambda pg: pg.click("[data-service=social-ins]"),
                    lambda pg: pg.click("#take")])
                shoot(b, base, "/clerk", (1366, 768), "clerk.png", [clerk_steps])
                shoot(b, base, "/display/demo", (1920, 1080), "hall.png", wait_ms=1500)
                shoot(b, base, "/display/demo/window/W01", (1280, 400), "window.png")
                shoot(b, base, "/display/demo/window/W12", (1280, 400), "window-closed.png")
                phone = {"is_mobile": True, "has_touch": True, "device_scale_factor": 1}
                shoot(b, base, f"/t/{token}", (390, 844), "phone.png", **phone)
                shoot(b, base, f"/t/{token}?lang=en", (390, 844), "phone-en.png", **phone)
                mobile_shots(b, base, phone)
                desk = (1600, 900)
                shoot(b, base, "/manage/demo", desk, "manage-monitor.png", user="manager",
                      wait_ms=1500)
                shoot(b, base, "/manage/demo/skills", desk, "manage-skills.png",
                      user="manager", wait_ms=1500)
                shoot(b, base, "/manage/demo/stats", desk, "manage-stats.png", user="manager",
                      wait_ms=2500)
                shoot(b, base, "/manage/demo/audit", desk, "manage-audit.png", user="manager",
                      wait_ms=1500)
                b.close()
        finally:
            server.kill()


if __name__ == "__main__":
    main()
