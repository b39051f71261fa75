"""The hall screen's recorded voice: the clips a call is joined from, their offline build, and
where the server finds them (the hall's own recordings first, then the built ones).

A browser without a zh-CN (or en) speechSynthesis voice plays these clips back to back with Web
Audio (``displays/static/clips.js``). Built offline by ``make setup`` (``displays/voice_build.py``,
espeak-ng); not committed.
"""
from __future__ import annotations

from pathlib import Path

LANGS = ("zh", "en")
LETTERS = [chr(c) for c in range(ord("A"), ord("Z") + 1)]
ZH_DIGITS = "零一二三四五六七八九"
EN_NUMBERS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
              "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
              "eighteen", "nineteen"]
EN_TENS = {20: "twenty", 30: "thirty", 40: "forty", 50: "fifty", 60: "sixty", 70: "seventy",
           80: "eighty", 90: "ninety"}

# name -> text, per language. The browser joins them (clips.js): in Mandarin
# 请 A 零 一 二 号 到 五 号 窗口 办理; in English "number A zero one two, please go to window five".
CLIPS: dict[str, dict[str, str]] = {
    "zh": {"please": "请", "hao": "号", "to": "到", "window": "窗口", "handle": "办理",
           "ten": "十", **{str(d): ZH_DIGITS[d] for d in range(10)},
           **{c: c for c in LETTERS}},
    "en": {"number": "number", "please_go_to": "please go to", "window": "window",
           "the_window": "the window", **{str(n): w for n, w in enumerate(EN_NUMBERS)},
           **{str(n): w for n, w in EN_TENS.items()}, **{c: c for c in LETTERS}},
}
# A hall's own recordings may be in any format browsers decode; a built clip is WAV.
TYPES = {".wav": "audio/wav", ".mp3": "audio/mpeg", ".ogg": "audio/ogg", ".opus": "audio/ogg",
         ".flac": "audio/flac", ".m4a": "audio/mp4"}
DEFAULT_BUILT = Path(__file__).resolve().parent / "clips"


def clip_name_ok(name: str, lang: str) -> bool:
    """A clip of the language's catalogue, or a hall's recording of one window's name
    (``window-<window id>``)."""
    if name.startswith("window-"):
        rest = name[len("window-"):]
        return 0 < len(rest) <= 64 and all(c.isascii() and (c.isalnum() or c in "-_") for c in rest)
    return name in CLIPS.get(lang, {})


def folders(settings: dict, hall: str) -> list[Path]:
    """Where a hall's clips are looked for, first found wins: ``VOICE_DIR/<hall>/``,
    ``VOICE_DIR/`` (the hall's recordings), then ``VOICE_CLIPS`` (the built ones)."""
    out = []
    if settings.get("VOICE_DIR"):
        base = Path(settings["VOICE_DIR"])
        out += [base / hall, base]
    out.append(Path(settings.get("VOICE_CLIPS") or DEFAULT_BUILT))
    return out


def find(settings: dict, hall: str, lang: str, name: str) -> Path | None:
    """The file that says ``name`` in ``lang`` for ``hall``, or None."""
    if lang not in LANGS or not clip_name_ok(name, lang):
        return None
    for folder in folders(settings, hall):
        for ext in TYPES:
            path = folder / lang / f"{name}{ext}"
            if path.is_file():
                return path
    return None


def manifest(settings: dict, hall: str, lang: str) -> dict[str, str]:
    """name -> file name, for every clip present (catalogue and window recordings)."""
    names = set(CLIPS[lang])
    for folder in folders(settings, hall):
        if (folder / lang).is_dir():
            names |= {p.stem for p in (folder / lang).iterdir()
                      if p.suffix in TYPES and p.stem.startswith("window-")}
    found = {}
    for name in sorted(names):
        path = find(settings, hall, lang, name)
        if path is not None:
            stat = path.stat()  # the version in the URL: a replaced recording is fetched anew
            found[name] = f"{path.name}?v={int(stat.st_mtime)}-{stat.st_size}"
    return found
