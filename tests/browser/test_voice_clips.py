"""The hall screen speaks on a browser with no speech voice (Debian's Chromium has none): the
call is joined from the server's clips and played with Web Audio, measured from the page by
wrapping AudioBufferSourceNode.start. With a voice, speechSynthesis says it instead."""
from __future__ import annotations

import shutil

import pytest

from tests.browser.conftest import wait_js
from tests.browser.test_pages_flow import clerk_session, issue
from tests.helpers import ServerProcess
from tests.test_voice import built  # noqa: F401  (the clips, built once by the real build)

# Record every clip source started (its buffer, when, how long) and when it ended; record
# speech too. VOICES is the list speechSynthesis.getVoices() answers (none, or fakes).
INSTRUMENT = """
window.__started = [];
window.__said = [];
const voices = VOICES;
const start = AudioBufferSourceNode.prototype.start;
AudioBufferSourceNode.prototype.start = function (when, ...rest) {
  const entry = { buffer: this.buffer, when: when || 0, duration: this.buffer.duration,
                  ended: null };
  window.__started.push(entry);
  this.addEventListener("ended", () => { entry.ended = this.context.currentTime; });
  return start.call(this, when, ...rest);
};
if (window.speechSynthesis) {
  speechSynthesis.getVoices = () => voices;
  speechSynthesis.speak = (u) => {
    window.__said.push([u.text, u.lang, u.voice ? u.voice.name : null]);
    setTimeout(() => u.onend && u.onend(new Event("end")), 20);
  };
  if (voices.length) {  // a plain utterance, so that a fake voice can be set on it
    window.SpeechSynthesisUtterance = class {
      constructor(text) { this.text = text; this.lang = ""; this.voice = null; }
    };
  }
}
"""
NO_VOICES = INSTRUMENT.replace("VOICES", "[]")
ZH_VOICE = INSTRUMENT.replace("VOICES", '[{name: "Fake Mandarin", lang: "zh-CN", '
                                        'voiceURI: "fake-zh", localService: true, default: true}]')
CLIPS_OF = "window.__started.map((s) => HallQ.clips.nameOf(s.buffer))"


def zh(number: str, window: list[str]) -> list[str]:
    return ["please", *number, "hao", "to", *window, "handle"]


@pytest.fixture
def clip_server(tmp_path, built):  # noqa: F811
    clips = tmp_path / "clips"
    shutil.copytree(built, clips)
    proc = ServerProcess(tmp_path / "live.db", env={"HALLQ_VOICE_CLIPS": str(clips)}).start()
    proc.clips = clips
    yield proc
    proc.kill()


def open_screen(page_factory, server, script: str, query: str = "", **kwargs):
    hall = page_factory(server.url, (1920, 1080), init_script=script, **kwargs)
    hall.goto(f"/display/demo{query}")
    wait_js(hall, "window.__hallq && window.__hallq.live.state.snapshots >= 1")
    return hall


def announce(hall, number: str, window_id: str, name: str) -> None:
    hall.evaluate("([number, id, name]) => HallQ.announcer.announce("
                  "{number, ticket: number, recall: 0, window: {id, name}})",
                  [number, window_id, name])


def settle(hall, clips: int) -> list[str]:
    wait_js(hall, f"window.__started.length >= {clips}", timeout=30000)
    wait_js(hall, "!HallQ.announcer.busy() && window.__started.every((s) => s.ended !== null)",
            timeout=30000)
    return hall.evaluate(CLIPS_OF)


def test_a_call_is_played_from_the_clips_in_order_back_to_back(clip_server, page_factory):
    hall = open_screen(page_factory, clip_server, NO_VOICES)
    clerk = clerk_session(clip_server.url, "clerk01", "W01")
    issue(clip_server.url, "biz-setup")
    clerk.post(f"{clip_server.url}/api/v1/windows/W01/call-next", timeout=10).raise_for_status()
    sentence = zh("A001", ["1", "hao", "window"])  # 请A零零一号到1号窗口办理
    assert settle(hall, 2 * len(sentence)) == sentence * 2
    assert hall.evaluate("HallQ.announcer.audioContext().state") == "running"
    started = hall.evaluate("window.__started.map((s) => [s.when, s.duration, s.ended])")
    for (when, length, ended), (nxt, _, _) in zip(started, started[1:], strict=False):
        assert ended >= when + length - 0.01  # it really played to its end
        gap = nxt - (when + length)
        assert 0.02 < gap < 0.04 or gap > 0.3  # back to back in a sentence; a pause between
    assert sum(1 for (w, n, _), (x, _, _) in zip(started, started[1:], strict=False)
               if x - (w + n) > 0.3) == 1  # the sentence twice
    assert hall.evaluate("window.__said") == []


# What is said for a window whose name is free text: its number (the digits before 号, else
# the last digits of its name, else of its id), read as a number; else "the window"; a
# hall's recording of the window (window-<id>) before all.
SAID_FOR = [
    ("zh", "A012", "W05", "5号窗口", zh("A012", ["5", "hao", "window"])),
    ("zh", "B107", "W18", "综合窗口12", zh("B107", ["ten", "2", "hao", "window"])),  # 十二号窗口
    ("zh", "C003", "W25", "2楼25号", zh("C003", ["2", "ten", "5", "hao", "window"])),
    ("zh", "C004", "W30", "３０号窗口", zh("C004", ["3", "ten", "hao", "window"])),  # full-width
    ("zh", "D010", "W09", "不动产登记", zh("D010", ["9", "hao", "window"])),  # the id's number
    ("zh", "D011", "desk", "不动产登记", zh("D011", ["window"])),  # none: 到窗口办理
    ("zh", "E120", "W07", "7号窗口", zh("E120", ["window-W07"])),  # the hall's recording
    ("zh", "F001", "W08", "108号", zh("F001", ["1", "0", "8", "hao", "window"])),
    ("en", "A012", "W05", "5号窗口", ["number", "A", "0", "1", "2", "please_go_to", "window", "5"]),
    ("en", "A012", "W23", "Window 23", ["number", "A", "0", "1", "2", "please_go_to", "window",
                                        "20", "3"]),
    ("en", "A012", "W17", "17号", ["number", "A", "0", "1", "2", "please_go_to", "window", "17"]),
    ("en", "A012", "desk", "Help desk", ["number", "A", "0", "1", "2", "please_go_to",
                                         "the_window"]),
]


def test_what_is_said_for_a_window(clip_server, page_factory):
    shutil.copy(clip_server.clips / "zh" / "7.wav", clip_server.clips / "zh" / "window-W07.wav")
    hall = open_screen(page_factory, clip_server, NO_VOICES, "?voice=zh,en")
    got = hall.evaluate("""async (cases) => {
      const have = { zh: await HallQ.clips.load("zh"), en: await HallQ.clips.load("en") };
      return cases.map(([lang, number, id, name]) =>
        HallQ.clips.sequence({ number, window: { id, name } }, lang, have[lang]));
    }""", [c[:4] for c in SAID_FOR])
    assert got == [c[4] for c in SAID_FOR]
    # every clip a sequence names is one the server has (else it would be left out)
    have = hall.evaluate("async () => Object.keys(await HallQ.clips.load('zh'))")
    assert {n for c in SAID_FOR if c[0] == "zh" for n in c[4]} <= set(have)


# The voices a browser lists -> the one taken for Mandarin and for English (None: the clips).
VOICE_CHOICE = [
    ([], None, None),
    (["zh-HK", "yue-HK", "zh-MO"], None, None),  # Cantonese is no Mandarin voice
    (["zh-HK", "zh-TW", "en-GB"], "zh-TW", "en-GB"),
    (["zh_CN", "zh-TW", "en-US"], "zh_CN", "en-US"),
]


def test_which_browser_voice_is_taken(clip_server, page_factory):
    hall = open_screen(page_factory, clip_server, NO_VOICES)
    got = hall.evaluate("""(cases) => cases.map((langs) => {
      const voices = langs.map((lang) => ({ lang, name: lang }));
      speechSynthesis.getVoices = () => voices;
      const name = (v) => (v ? v.name : null);
      return [name(HallQ.announcer.voiceFor("zh-CN")), name(HallQ.announcer.voiceFor("en-US"))];
    })""", [c[0] for c in VOICE_CHOICE])
    assert got == [[c[1], c[2]] for c in VOICE_CHOICE]


def test_missing_or_broken_clips_are_left_out_and_the_queue_goes_on(clip_server, page_factory):
    (clip_server.clips / "zh" / "0.wav").unlink()                       # not there at all
    (clip_server.clips / "zh" / "please.wav").write_bytes(b"RIFF not audio")  # does not decode
    hall = page_factory(clip_server.url, (1920, 1080), init_script=NO_VOICES)
    hall.route("**/voice/zh/hao.wav*", lambda route: route.fulfill(status=404))  # listed, 404
    hall.goto("/display/demo")
    wait_js(hall, "window.__hallq && window.__hallq.live.state.snapshots >= 1")
    announce(hall, "A012", "W05", "5号窗口")
    announce(hall, "B034", "W06", "6号窗口")
    first = ["A", "1", "2", "to", "5", "window", "handle"]
    second = ["B", "3", "4", "to", "6", "window", "handle"]
    assert settle(hall, 2 * (len(first) + len(second))) == first * 2 + second * 2
    assert hall.evaluate("HallQ.announcer.pending()") == 0


def test_with_a_voice_speech_says_it_and_no_clip_plays(clip_server, page_factory):
    # a fake zh-CN voice (Chromium here has none); English has no voice: its clips play
    hall = open_screen(page_factory, clip_server, ZH_VOICE, "?voice=zh,en")
    wait_js(hall, "HallQ.clips")
    announce(hall, "A012", "W05", "5号窗口")
    english = ["number", "A", "0", "1", "2", "please_go_to", "window", "5"]
    assert settle(hall, len(english)) == english
    said = ["请A零一二号到5号窗口办理", "zh-CN", "Fake Mandarin"]
    assert hall.evaluate("window.__said") == [said, said]
    hall.evaluate("window.__said = []; window.__started = []")
    hall_zh = open_screen(page_factory, clip_server, ZH_VOICE)
    announce(hall_zh, "A013", "W05", "5号窗口")
    wait_js(hall_zh, "window.__said.length >= 2")
    wait_js(hall_zh, "!HallQ.announcer.busy()", timeout=10000)
    assert hall_zh.evaluate("window.__started.length") == 0
    assert hall_zh.evaluate("window.__said.map((s) => s[2])") == ["Fake Mandarin"] * 2


def test_audio_the_browser_keeps_suspended_holds_no_calls_for_later(clip_server, page_factory):
    # as without the autoplay flag and before the first tap: resume() never runs the audio
    blocked = NO_VOICES + """
AudioContext.prototype.resume = function () { return this.suspend(); };
const Real = window.AudioContext;
window.AudioContext = function (...a) { const c = new Real(...a); c.suspend(); return c; };
window.AudioContext.prototype = Real.prototype;
"""
    hall = open_screen(page_factory, clip_server, blocked)
    announce(hall, "A012", "W05", "5号窗口")
    announce(hall, "A013", "W05", "5号窗口")
    wait_js(hall, "!HallQ.announcer.busy() && HallQ.announcer.pending() === 0", timeout=20000)
    assert hall.evaluate("HallQ.announcer.audioContext().state") == "suspended"
    assert hall.evaluate("window.__started.length") == 0  # nothing queued in a silent timeline
