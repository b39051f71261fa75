"""Window schedules: the optional `open` field of a trace's window (docs/dispatcher.md).

`"open": [[start, end], ...]` lists the intervals in which the window is staffed, each
`[start, end)` in seconds since the hall's local midnight like every other trace time, or as
"HH:MM" strings. A window without the field is open all day (the trace format's rule so far).
A window whose interval ends while it serves finishes that ticket and takes no new one.
"""
from __future__ import annotations

Intervals = list[tuple[float, float]]


def seconds(x: float | int | str) -> float:
    """Seconds since midnight from a number or an "HH:MM" / "HH:MM:SS" string."""
    if isinstance(x, str):
        parts = [int(p) for p in x.split(":")]
        if not 2 <= len(parts) <= 3:
            raise ValueError(f"bad time {x!r}: want HH:MM")
        return float(parts[0] * 3600 + parts[1] * 60 + (parts[2] if len(parts) == 3 else 0))
    return float(x)


def parse(spec: list | None) -> Intervals | None:
    """The window's intervals, sorted; None for "open all day" (no field)."""
    if spec is None:
        return None
    out = []
    for pair in spec:
        start, end = seconds(pair[0]), seconds(pair[1])
        if end < start:
            raise ValueError(f"interval {pair!r} ends before it starts")
        out.append((start, end))
    return sorted(out)


def is_open(iv: Intervals | None, t: float) -> bool:
    return iv is None or any(a <= t < b for a, b in iv)


def next_opening(iv: Intervals | None, t: float) -> float | None:
    """The first interval start after `t` (None if none, or if always open)."""
    if iv is None:
        return None
    return min((a for a, _ in iv if a > t), default=None)


def current_start(iv: Intervals | None, t: float) -> float | None:
    """Start of the interval containing `t`."""
    if iv is None:
        return None
    return next((a for a, b in iv if a <= t < b), None)


def open_seconds(iv: Intervals | None, lo: float, hi: float) -> float:
    """Seconds the window is open inside [lo, hi)."""
    if iv is None:
        return hi - lo
    return sum(max(0.0, min(b, hi) - max(a, lo)) for a, b in iv)


def merge(hours: list[bool], open_s: float, slot_s: float = 3600.0,
          tail_s: float | None = None) -> list[list[float]]:
    """Intervals from per-slot open flags (slot k is [open_s + k·slot_s, + slot_s)).
    `tail_s`, when given, extends an interval that reaches the last slot's end to `tail_s`,
    so a window open at closing time serves the queue left then (as all-day windows do)."""
    out: list[list[float]] = []
    for k, on in enumerate(hours):
        if not on:
            continue
        a = open_s + k * slot_s
        if out and out[-1][1] == a:
            out[-1][1] = a + slot_s
        else:
            out.append([a, a + slot_s])
    end = open_s + len(hours) * slot_s
    if tail_s is not None and out and out[-1][1] == end:
        out[-1][1] = max(end, tail_s)
    return out
