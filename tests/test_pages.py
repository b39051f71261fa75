"""Every page of the contract answers, unknown halls and windows are 404, and no page names
anything outside the server (intranet: no CDN, no web fonts)."""
from __future__ import annotations

import re

import pytest

PAGES = ["/kiosk/demo", "/display/demo", "/display/demo?zone=B", "/display/demo/window/W05",
         "/clerk", "/t/some-token"]


@pytest.mark.parametrize("path", PAGES)
def test_page_is_served_and_self_contained(client, path):
    r = client.get(path)
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), "no outside URLs"
    for ref in re.findall(r"""(?:src|href)=["'](/[^"']+)""", html):
        assert client.get(ref).status_code == 200, ref


@pytest.mark.parametrize("path", ["/kiosk/nope", "/display/nope", "/display/demo/window/NOPE",
                                  "/t/" + "x" * 200])
def test_unknown_is_404(client, path):
    assert client.get(path).status_code == 404


def test_static_js_has_no_outside_urls(client):
    for path in ("/static/hallq/i18n.js", "/static/hallq/strings.zh.js",
                 "/static/hallq/strings.en.js", "/static/hallq/api.js", "/static/hallq/live.js",
                 "/static/displays/kiosk.js", "/static/displays/ticket.js"):
        r = client.get(path)
        assert r.status_code == 200, path
        js = r.get_data(as_text=True)
        assert "http://" not in js, path
        assert "https://" not in js, path
