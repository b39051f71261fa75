"""Position and expected wait of every waiting ticket: a forward simulation of the current
windows (free now, busy until `busy_until`) calling tickets by the dispatcher's rules, with
each service taking its mean time. No new arrivals are assumed, except that the answer is
recomputed on every issue, so a later priority ticket simply moves others back then.
"""
from __future__ import annotations

import heapq
from collections.abc import Iterator
from typing import Any

from . import rules
from .rules import Ticket

NEW_ID = "__new__"


def _due(t: Ticket, now: float) -> bool:
    """An appointment from its due time on (it then ranks by due time, not issue time)."""
    return t.due_at is None or now >= t.due_at - rules.APPT_LEAD_S


class _ServiceQueue:
    """One service's waiting tickets, kept so the best one is found in O(1) amortised.

    Within one service the dispatcher's ranking reduces to a few sorted runs, because the
    simulated clock only moves forward: ordinary and priority-1 tickets rank by issue time,
    due appointments by due time, and an appointment once due stays due. So the best ticket
    is one of at most four run heads (ordinary, priority, due appointment, early appointment),
    and each ticket is skipped at most once per run."""

    __slots__ = ("appt_due", "appt_early", "factor", "mean", "ordinary", "p1", "prm", "ptr",
                 "rare", "size", "taken")

    def __init__(self, mean: float, tickets: list[Ticket], prm: rules.Params = rules.DEFAULT):
        self.mean = mean
        self.prm = prm
        self.ordinary = [t for t in tickets if t.priority == 0]  # tickets come sorted by issue
        self.p1 = [t for t in tickets if t.priority == 1]
        appts = [t for t in tickets if t.priority == 2]
        self.appt_early = appts  # by issue time: their rank until due
        self.appt_due = sorted(appts, key=lambda t: (
            t.due_at if t.due_at is not None else t.issued_at, t.issued_at, str(t.id)))
        self.ptr = [0, 0, 0, 0]
        self.factor: float | None = None
        self.rare = ((1, self.p1), (2, self.appt_due), (3, self.appt_early))
        self.taken: set[int] = set()
        self.size = len(tickets)

    def _head(self, k: int, run: list[Ticket], now: float, early: bool = False) -> Ticket | None:
        i = self.ptr[k]
        while i < len(run):
            t = run[i]
            if id(t) in self.taken:
                i += 1
                continue
            if early and _due(t, now):
                i += 1  # due now: it ranks in the due run from here on
                continue
            break
        self.ptr[k] = i
        return run[i] if i < len(run) else None

    def best(self, now: float, ref: float) -> tuple[tuple, Ticket] | None:
        best: tuple[tuple, Ticket] | None = None
        run, i, taken = self.ordinary, self.ptr[0], self.taken
        while i < len(run) and id(run[i]) in taken:
            i += 1
        self.ptr[0] = i
        if i < len(run):  # the bulk: rules.ticket_score for an ordinary ticket, inlined
            t = run[i]
            wait = now - t.issued_at
            starving = wait >= self.prm.starve_s
            if wait < 0.0:
                wait = 0.0
            if self.factor is None:  # `ref` is fixed for one forward run
                self.factor = (ref / self.mean) ** self.prm.spt_alpha
            best = ((starving, wait if starving else wait * self.factor, -t.issued_at), t)
        ordinary = best
        for k, run in self.rare:
            if self.ptr[k] >= len(run):
                continue  # run exhausted: the common case for the rare kinds
            t = self._head(k, run, now, early=k == 3)
            if t is None or (k == 2 and not _due(t, now)):
                continue
            key = (rules.is_urgent(t, now, self.prm),
                   rules.ticket_score(t, now, self.mean, ref, self.prm),
                   -t.issued_at)
            if best is None or key > best[0] or (
                    # an exact tie between two priority kinds (e.g. a priority-1 ticket and a
                    # due appointment, both issued now): the earlier in line, as the plain rule
                    key == best[0] and best is not ordinary and str(t.id) < str(best[1].id)):
                best = (key, t)
        return best

    def pop(self, t: Ticket) -> None:
        self.taken.add(id(t))
        self.size -= 1

    def __bool__(self) -> bool:
        return self.size > 0


def predict(snapshot: dict) -> dict[Any, dict]:
    """{ticket_id: {"position": int, "eta_s": float | None}} for every waiting ticket.
    `eta_s` is None (and position counts after all others) when no window can serve it."""
    return predict_parsed(rules.parse(snapshot), rules.params_of(snapshot))


def predict_parsed(parsed: tuple, prm: rules.Params) -> dict[Any, dict]:
    """`predict` of a snapshot already parsed (`rules.parse`) with its profile `prm`."""
    now, windows, tickets, means = parsed
    out: dict[Any, dict] = {}
    pos = 0
    for t, at in calls(now, windows, tickets, means, prm):
        out[t.id] = {"position": pos, "eta_s": round(at - now, 1)}
        pos += 1
    if pos < len(tickets):
        for t in sorted(tickets, key=lambda t: (t.issued_at, str(t.id))):
            if t.id not in out:
                out[t.id] = {"position": pos, "eta_s": None}
                pos += 1
    return out


def predict_one(snapshot: dict, ticket_id: Any) -> dict:
    """``predict(snapshot)[ticket_id]``, exactly, without forecasting the whole queue: the
    forward run stops once that ticket is called (an issue's answer needs only its own)."""
    now, windows, tickets, means = rules.parse(snapshot)
    run = calls(now, windows, tickets, means, rules.params_of(snapshot))
    for pos, (t, at) in enumerate(run):
        if t.id == ticket_id:
            return {"position": pos, "eta_s": round(at - now, 1)}
    return predict(snapshot)[ticket_id]  # no window can serve it (rare): the full answer


def calls(now: float, windows: list[rules.Window], tickets: list[Ticket],
          means: dict[str, float], prm: rules.Params) -> Iterator[tuple[Ticket, float]]:
    """(ticket, time it is called) in call order, for the tickets some window can serve: the
    forward run behind `predict` and the tail guard."""
    prm = rules.effective(prm, now, tickets)
    in_order = sorted(tickets, key=lambda t: (t.issued_at, str(t.id)))
    by_service: dict[str, list[Ticket]] = {}
    for t in in_order:
        by_service.setdefault(t.service, []).append(t)
    queues = {s: _ServiceQueue(means.get(s, rules.DEFAULT_MEAN_S), ts, prm)
              for s, ts in by_service.items()}
    n = len(tickets)
    ref = (sum(q.mean * q.size for q in queues.values()) / n if n else rules.DEFAULT_MEAN_S)
    heap = []
    order = sorted(windows, key=lambda w: (-rules.window_bonus(w, now), str(w.id)))
    for i, w in enumerate(order):
        skills = [(queues[s], rules.pair_penalty(v, prm)) for s, v in sorted(w.skills.items())
                  if s in queues]
        if not skills:
            continue
        start = now if w.free else max(now, w.busy_until if w.busy_until is not None
                                       else now + rules.DEFAULT_MEAN_S / 2)
        heap.append((start, i, skills))
    heapq.heapify(heap)
    left = n
    while heap and left:
        at, i, skills = heapq.heappop(heap)
        best = None
        for q, pen in skills:
            if not q.size:
                continue
            c = q.best(at, ref)
            if c is None:
                continue
            key = (c[0][0], c[0][1] - pen, c[0][2]) if pen else c[0]
            if best is None or key > best[0]:
                best = (key, q, c[1])
        if best is None:
            continue  # this window has nothing left it can serve
        _, q, t = best
        q.pop(t)
        left -= 1
        yield t, at
        heapq.heappush(heap, (at + q.mean, i, skills))


def predict_new(snapshot: dict, service: str, priority: int = 0) -> dict:
    """Position and expected wait of a ticket for `service` if it were issued now."""
    now = snapshot.get("now") or 0
    t = {"id": NEW_ID, "service": service, "issued_at": now, "priority": priority}
    if priority == 2:
        t["due_at"] = now
    snap = dict(snapshot)
    snap["tickets"] = [*(snapshot.get("tickets") or []), t]
    return predict(snap)[NEW_ID]
