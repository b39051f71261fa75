"""Browser fixtures: one Chromium per session, a fresh context per page, a live server.

Every page made by ``page_factory`` records its requests and script errors; at teardown the
test fails if any request left the server (intranet-only rule) or any script error happened.
"""
from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from tests.helpers import ServerProcess

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--autoplay-policy=no-user-gesture-required"]


@pytest.fixture(scope="session")
def playwright_sync():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_sync):
    b = playwright_sync.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield b
    b.close()


@pytest.fixture
def live(tmp_path) -> Iterator[ServerProcess]:
    """A real ``run.py --demo`` on a free port (password: tests.helpers.PASSWORD)."""
    proc = ServerProcess(tmp_path / "live.db").start()
    yield proc
    proc.kill()


def wait_js(page, expr: str, timeout: float = 30000) -> None:
    """Wait until ``expr`` is truthy in the page. Playwright's wait_for_function evaluates its
    predicate with eval() inside the page, which the server's Content-Security-Policy (no
    'unsafe-eval') forbids; page.evaluate goes through the debugger protocol and is allowed."""
    deadline = time.monotonic() + timeout / 1000
    while not page.evaluate(f"() => Boolean({expr})"):
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {timeout} ms for {expr}")
        time.sleep(0.05)


@dataclass
class PageRecord:
    """What one page did: every request URL, every console error and page error."""

    page: object
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def allowed_url(url: str, base: str) -> bool:
    """Only the server itself, or inline data/blob URLs."""
    host = base.split("://", 1)[1].rstrip("/")
    return (url.startswith(("data:", "blob:", "about:"))
            or url.startswith((f"http://{host}/", f"ws://{host}/"))
            or url in (f"http://{host}", f"ws://{host}"))


def expected_refusal(text: str) -> bool:
    """Chromium logs every 4xx answer as an error; a refused action is not a script error
    (the page shows the refusal). 5xx and network failures still count."""
    return text.startswith("Failed to load resource: the server responded with a status of 4")


@pytest.fixture
def page_factory(browser, request) -> Iterator:
    """``page_factory(base_url, viewport=(w, h), init_script=None, **context_kwargs)``.

    Ask for ``live`` before ``page_factory`` in a test's arguments, so the server outlives the
    pages (else their last requests fail at teardown). ``base_url`` is the only origin the page
    may reach; ignore_errors=[substr, ...] tolerates
    console errors that contain one of the given strings (e.g. an expected 4xx in a test).
    """
    made: list[tuple[PageRecord, str, object, list[str]]] = []

    def make(base_url: str, viewport: tuple[int, int] = (1280, 800), init_script: str | None = None,
             ignore_errors: list[str] | None = None, **kwargs) -> object:
        ctx = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]},
                                  base_url=base_url, **kwargs)
        if init_script:
            ctx.add_init_script(init_script)
        page = ctx.new_page()
        rec = PageRecord(page)
        page.on("request", lambda r: rec.requests.append(r.url))
        page.on("websocket", lambda ws: rec.requests.append(ws.url))
        page.on("console", lambda m: rec.errors.append(f"console: {m.text} @ {m.location['url']}")
                if m.type == "error" and not expected_refusal(m.text) else None)
        page.on("pageerror", lambda e: rec.errors.append(f"pageerror: {e}"))
        page.record = rec  # type: ignore[attr-defined]
        made.append((rec, base_url, ctx, ignore_errors or []))
        return page

    yield make
    problems: list[str] = []
    for rec, base, ctx, ignore in made:
        outside = [u for u in rec.requests if not allowed_url(u, base)]
        if outside:
            problems.append(f"requests left the server: {outside}")
        errs = [e for e in rec.errors if not any(s in e for s in ignore)]
        if errs:
            problems.append(f"script errors: {errs}")
        ctx.close()
    if problems and not getattr(request.node, "rep_call_failed", False):
        pytest.fail("\n".join(problems))


@pytest.fixture
def page(live, page_factory):
    """One 1280×800 page against the ``live`` server."""
    return page_factory(live.url)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Remember a failed test body so teardown checks don't mask the first failure."""
    outcome = yield
    rep = outcome.get_result()
    if rep.when == "call" and rep.failed:
        item.rep_call_failed = True
