"""Builds the hall screen's voice clips offline: every clip of ``displays.voice.CLIPS`` rendered
by espeak-ng (Mandarin voice ``cmn``, English ``en-us``) into ``<out>/<lang>/<name>.wav``, the
silence around each word cut. ``make setup`` runs ``python -m displays.voice_build``."""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import wave
from array import array
from pathlib import Path

from displays.voice import CLIPS, DEFAULT_BUILT

ESPEAK_VOICE = {"zh": "cmn", "en": "en-us"}


def trim(path: Path, threshold: int = 400, pad_s: float = 0.03) -> None:
    """Cut the silence espeak-ng puts around a word, so joined clips sound like one sentence."""
    with wave.open(str(path), "rb") as w:
        params = w.getparams()
        frames = w.readframes(w.getnframes())
    if params.sampwidth != 2 or params.nchannels != 1:
        return
    samples = array("h", frames)
    loud = [i for i, s in enumerate(samples) if abs(s) > threshold]
    if not loud:
        return
    pad = int(params.framerate * pad_s)
    kept = samples[max(0, loud[0] - pad):loud[-1] + pad]
    with wave.open(str(path), "wb") as w:
        w.setparams(params)
        w.writeframes(kept.tobytes())


def build(out: Path, espeak: str = "espeak-ng", speed: int = 170) -> int:
    """Render every clip of the catalogue into ``out/<lang>/<name>.wav``; returns how many.
    Written to a temporary folder first, so a failed build leaves the old clips in place."""
    exe = shutil.which(espeak)
    if exe is None:
        raise SystemExit(f"{espeak} not found: install it (Debian: apt-get install espeak-ng)")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".clips-", dir=out.parent))
    count = 0
    for lang, clips in CLIPS.items():
        (tmp / lang).mkdir()
        for name, text in clips.items():
            path = tmp / lang / f"{name}.wav"
            subprocess.run([exe, "-v", ESPEAK_VOICE[lang], "-s", str(speed), "-w", str(path),
                            text], check=True, capture_output=True)
            trim(path)
            count += 1
    if out.exists():
        shutil.rmtree(out)
    tmp.rename(out)
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m displays.voice_build",
                                     description="Build the hall screen's voice clips offline.")
    parser.add_argument("out", nargs="?", type=Path, default=DEFAULT_BUILT,
                        help=f"the folder (default {DEFAULT_BUILT})")
    parser.add_argument("--espeak", default="espeak-ng", help="the espeak-ng program")
    args = parser.parse_args(argv)
    n = build(args.out, args.espeak)
    print(f"{n} clips in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
