"""Position and expected wait of every waiting ticket: a forward simulation of the current
windows (free now, busy until `busy_until`) calling tickets by the dispatcher's rules, with
each service taking its mean time. No new arrivals are assumed, except that the answer is
recomputed on every issue, so a later priority ticket simply moves others back then.
"""
from __future__ import annotations

import heapq
from typing import Any

from . import rules
from .rules import Ticket

NEW_ID = "__new__"


class _ServiceQueue:
    """One service's waiting tickets: ordinary ones by issue time (their order never changes),
    priority/appointment ones kept apart and scanned (they are few)."""

    __slots__ = ("head", "mean", "ordinary", "special")

    def __init__(self, mean: float):
        self.ordinary: list[Ticket] = []
        self.head = 0
        self.special: list[Ticket] = []
        self.mean = mean

    def best(self, now: float, ref: float) -> tuple[tuple, Ticket] | None:
        cand: list[tuple[tuple, Ticket]] = []
        if self.head < len(self.ordinary):
            t = self.ordinary[self.head]
            cand.append(((rules.is_urgent(t, now), rules.ticket_score(t, now, self.mean, ref),
                          -t.issued_at), t))
        for t in self.special:
            cand.append(((rules.is_urgent(t, now), rules.ticket_score(t, now, self.mean, ref),
                          -t.issued_at), t))
        if not cand:
            return None
        return max(cand, key=lambda c: c[0])

    def pop(self, t: Ticket) -> None:
        if self.head < len(self.ordinary) and self.ordinary[self.head] is t:
            self.head += 1
        else:
            self.special.remove(t)

    def __bool__(self) -> bool:
        return self.head < len(self.ordinary) or bool(self.special)


def predict(snapshot: dict) -> dict[Any, dict]:
    """{ticket_id: {"position": int, "eta_s": float | None}} for every waiting ticket.
    `eta_s` is None (and position counts after all others) when no window can serve it."""
    now, windows, tickets, means = rules.parse(snapshot)
    queues: dict[str, _ServiceQueue] = {}
    for t in sorted(tickets, key=lambda t: (t.issued_at, str(t.id))):
        q = queues.get(t.service)
        if q is None:
            q = queues[t.service] = _ServiceQueue(means.get(t.service, rules.DEFAULT_MEAN_S))
        (q.ordinary if t.priority == 0 else q.special).append(t)
    n = len(tickets)
    ref = (sum(q.mean * (len(q.ordinary) + len(q.special)) for q in queues.values()) / n
           if n else rules.DEFAULT_MEAN_S)
    heap = []
    order = sorted(windows, key=lambda w: (-rules.window_bonus(w, now), str(w.id)))
    for i, w in enumerate(order):
        skills = [(s, rules.pair_penalty(v)) for s, v in sorted(w.skills.items()) if s in queues]
        if not skills:
            continue
        start = now if w.free else max(now, w.busy_until if w.busy_until is not None
                                       else now + rules.DEFAULT_MEAN_S / 2)
        heap.append((start, i, skills))
    heapq.heapify(heap)
    out: dict[Any, dict] = {}
    pos = 0
    while heap and pos < n:
        at, i, skills = heapq.heappop(heap)
        best = None
        for s, pen in skills:
            q = queues[s]
            if not q:
                continue
            c = q.best(at, ref)
            if c is None:
                continue
            key = (c[0][0], c[0][1] - pen, c[0][2])
            if best is None or key > best[0]:
                best = (key, s, c[1])
        if best is None:
            continue  # this window has nothing left it can serve
        _, s, t = best
        queues[s].pop(t)
        out[t.id] = {"position": pos, "eta_s": round(at - now, 1)}
        pos += 1
        heapq.heappush(heap, (at + queues[s].mean, i, skills))
    for t in sorted(tickets, key=lambda t: (t.issued_at, str(t.id))):
        if t.id not in out:
            out[t.id] = {"position": pos, "eta_s": None}
            pos += 1
    return out


def predict_new(snapshot: dict, service: str, priority: int = 0) -> dict:
    """Position and expected wait of a ticket for `service` if it were issued now."""
    now = snapshot.get("now") or 0
    t = {"id": NEW_ID, "service": service, "issued_at": now, "priority": priority}
    if priority == 2:
        t["due_at"] = now
    snap = dict(snapshot)
    snap["tickets"] = [*(snapshot.get("tickets") or []), t]
    return predict(snap)[NEW_ID]
