"""Reference policies: the rules commercial queue systems use, and the two brackets.

All are greedy over free windows (idle longest first), so each result is a maximal matching
under the skills the policy lets a window use.
"""
from __future__ import annotations

from collections.abc import Callable

from . import rules
from .rules import Ticket, Window


def _order(t: Ticket, now: float) -> tuple:
    """Priority first (urgent tier), then the longest-waiting: the classic queue rule."""
    return (not rules.is_urgent(t, now), t.issued_at, str(t.id))


def _greedy(snapshot: dict, usable: Callable[[Window], list[list[str]]]) -> list[dict]:
    """Each free window in turn takes the first-ranked ticket of its first non-empty skill
    group (`usable` gives the groups, best first)."""
    now, windows, tickets, _ = rules.parse(snapshot)
    queue = sorted(tickets, key=lambda t: _order(t, now))
    free = sorted((w for w in windows if w.free),
                  key=lambda w: (-rules.window_bonus(w, now), str(w.id)))
    taken: set = set()
    out = []
    for w in free:
        for group in usable(w):
            g = set(group)
            pick = next((t for t in queue if t.id not in taken and t.service in g), None)
            if pick is not None:
                taken.add(pick.id)
                out.append({"window": w.id, "ticket": pick.id})
                break
    return out


def fifo(snapshot: dict) -> list[dict]:
    """Longest-waiting eligible ticket, priority first."""
    return _greedy(snapshot, lambda w: [list(w.skills)])


def fixed(snapshot: dict) -> list[dict]:
    """A work profile: primary skills first, then secondary ones (each oldest first)."""
    def groups(w: Window) -> list[list[str]]:
        prim = [s for s, v in w.skills.items() if v >= 1.0]
        sec = [s for s, v in w.skills.items() if v < 1.0]
        return [prim, sec]
    return _greedy(snapshot, groups)


def dedicated(snapshot: dict) -> list[dict]:
    """Primary skills only: the hall before the one-window reform."""
    return _greedy(snapshot, lambda w: [[s for s, v in w.skills.items() if v >= 1.0]])


def flex(snapshot: dict) -> list[dict]:
    """Every window serves every service, oldest first: full pooling (a matrix, not a rule)."""
    services = sorted({str(t.get("service")) for t in snapshot.get("tickets") or []})
    return _greedy(snapshot, lambda w: [services])
