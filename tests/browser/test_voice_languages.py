"""The hall screen's voice in Mandarin and English (?voice=zh,en), in Chromium."""
from __future__ import annotations

import pytest

from tests.browser.conftest import wait_js
from tests.browser.test_pages_flow import clerk_session, issue

# Record what is said and in which language; end each utterance quickly.
SPEECH = """
window.__said = [];
// Chromium here has no voices: offer one per language (else the screen plays its clips)
const fakeVoices = [{name: "Fake zh", lang: "zh-CN", voiceURI: "zh", localService: true},
                    {name: "Fake en", lang: "en-US", voiceURI: "en", localService: true}];
if (window.speechSynthesis) {
  window.speechSynthesis.getVoices = () => fakeVoices;
  window.speechSynthesis.speak = function (u) {
    window.__said.push([u.text, u.lang]);
    setTimeout(() => u.onend && u.onend(new Event("end")), 20);
  };
}
"""
ZH = ["请A零零一号到1号窗口办理", "zh-CN"]
EN = ["Number A 0 0 1, please go to Window 1.", "en-US"]


@pytest.mark.parametrize(("voice", "expected"), [
    ("zh,en", [ZH, ZH, EN]),
    ("en", [EN, EN]),
    ("fr", [ZH, ZH]),  # an unknown language falls back to Mandarin
])
def test_the_hall_screen_speaks_the_chosen_languages(live, page_factory, voice, expected):
    hall = page_factory(live.url, (1920, 1080), init_script=SPEECH)
    hall.goto(f"/display/demo?voice={voice}")
    wait_js(hall, "window.__hallq && window.__hallq.live.state.snapshots >= 1")
    clerk = clerk_session(live.url, "clerk01", "W01")
    issue(live.url, "biz-setup")
    clerk.post(f"{live.url}/api/v1/windows/W01/call-next", timeout=10).raise_for_status()
    wait_js(hall, f"window.__said.length >= {len(expected)}", timeout=8000)
    hall.wait_for_timeout(300)  # nothing more follows
    assert hall.evaluate("window.__said") == expected
