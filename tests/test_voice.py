"""The recorded voice: the offline build (real espeak-ng) and the clips the server serves, the
hall's own recordings first."""
from __future__ import annotations

import wave
from pathlib import Path

import pytest

from displays import voice, voice_build


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """Every clip rendered once by the real build, as ``make setup`` does."""
    out = tmp_path_factory.mktemp("voice") / "clips"
    assert voice_build.build(out) == sum(len(c) for c in voice.CLIPS.values())
    return out


def seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as w:
        return w.getnframes() / w.getframerate()


def test_the_build_renders_every_clip_as_a_short_trimmed_wav(built):
    for lang, clips in voice.CLIPS.items():
        assert sorted(p.stem for p in (built / lang).iterdir()) == sorted(clips)
        for name in clips:
            length = seconds(built / lang / f"{name}.wav")
            assert 0.08 < length < 1.6, (lang, name, length)
    # the silence espeak-ng leaves after a word is cut (untrimmed, 请 lasts about 0.78 s)
    assert seconds(built / "zh" / "please.wav") < 0.6


def test_a_failed_build_keeps_the_clips_there_were(built, tmp_path):
    out = tmp_path / "clips"
    out.mkdir()
    (out / "keep").write_text("old")
    with pytest.raises(SystemExit, match="not found"):
        voice_build.build(out, espeak="no-such-espeak")
    assert (out / "keep").read_text() == "old"


@pytest.fixture
def served(app, built):
    app.config["VOICE_CLIPS"] = str(built)
    return app


def test_every_clip_is_served_as_audio(served, client, built):
    for lang, clips in voice.CLIPS.items():
        r = client.get(f"/display/demo/voice/{lang}/clips.json")
        assert r.status_code == 200
        listed = r.get_json()["clips"]
        assert sorted(listed) == sorted(clips)
        for name, file in listed.items():
            assert file.startswith(f"{name}.wav?v=")
            clip = client.get(f"/display/demo/voice/{lang}/{file}")
            assert clip.status_code == 200, (lang, name)
            assert clip.mimetype == "audio/wav"
            assert clip.data == (built / lang / f"{name}.wav").read_bytes()
            assert clip.data[:4] == b"RIFF"


@pytest.mark.parametrize("url", [
    "/display/nowhere/voice/zh/clips.json",   # unknown hall
    "/display/demo/voice/fr/clips.json",      # unknown language
    "/display/demo/voice/fr/please.wav",
    "/display/demo/voice/zh/number.wav",      # an English clip asked in Mandarin
    "/display/demo/voice/zh/please.mp3",      # the clip exists, but not in that format
    "/display/demo/voice/zh/..%2F..%2Fvoice.py",
    "/display/demo/voice/zh/window-..%2F..%2Fx.wav",
    "/display/demo/voice/zh/voice.py",
])
def test_what_is_not_a_clip_is_not_found(served, client, url):
    assert client.get(url).status_code == 404


def test_the_halls_own_recordings_replace_the_built_clips(served, client, tmp_path):
    rec = tmp_path / "recordings"
    (rec / "zh").mkdir(parents=True)
    (rec / "demo" / "zh").mkdir(parents=True)
    (rec / "zh" / "please.mp3").write_bytes(b"ID3 every hall's own")
    (rec / "zh" / "handle.ogg").write_bytes(b"OggS every hall's own")
    (rec / "demo" / "zh" / "handle.wav").write_bytes(b"RIFF this hall's own")
    (rec / "demo" / "zh" / "window-W05.ogg").write_bytes(b"OggS window five's name")
    (rec / "zh" / "notes.txt").write_text("not a clip")
    served.config["VOICE_DIR"] = str(rec)
    listed = client.get("/display/demo/voice/zh/clips.json").get_json()["clips"]
    assert listed["please"].startswith("please.mp3?v=")
    assert listed["handle"].startswith("handle.wav?v=")  # the hall's folder before the shared one
    assert listed["window-W05"].startswith("window-W05.ogg?v=")
    assert listed["to"].startswith("to.wav?v=")  # not recorded: the built one
    assert "notes" not in listed
    for name, data, mime in [("please.mp3", b"ID3 every hall's own", "audio/mpeg"),
                             ("handle.wav", b"RIFF this hall's own", "audio/wav"),
                             ("window-W05.ogg", b"OggS window five's name", "audio/ogg")]:
        r = client.get(f"/display/demo/voice/zh/{name}")
        assert (r.status_code, r.mimetype, r.data) == (200, mime, data)
    # the built WAV of a recorded clip is no longer served: the manifest and the file agree
    assert client.get("/display/demo/voice/zh/please.wav").status_code == 404


def test_a_versioned_clip_may_be_cached_a_bare_one_is_checked(served, client):
    file = client.get("/display/demo/voice/zh/clips.json").get_json()["clips"]["please"]
    assert "max-age=86400" in client.get(f"/display/demo/voice/zh/{file}").headers["Cache-Control"]
    bare = client.get("/display/demo/voice/zh/please.wav").headers["Cache-Control"]
    assert "max-age=0" in bare or "no-cache" in bare


def test_no_clips_built_is_an_empty_list_not_an_error(app, client, tmp_path):
    app.config["VOICE_CLIPS"] = str(tmp_path / "none")
    r = client.get("/display/demo/voice/zh/clips.json")
    assert (r.status_code, r.get_json()) == (200, {"lang": "zh", "clips": {}})
