"""The OR-Tools dispatch model: free windows x waiting tickets as one min-cost flow.

Network: source -> each free window (cap 1) -> each service it has a weight for and that has
waiting tickets (cap 1) -> one arc per kept ticket of that service (cap 1) -> sink, plus a
source -> sink bypass so a window may stay unmatched. Tickets are arcs, not nodes: within a
service every window sees the same ticket ranking, so the flow only decides how many tickets of
each service go to which windows, and the k-th unit through a service takes its k-th best
ticket. That keeps the network at (free windows + services + 2) nodes even at 10,000 tickets.

Objective (maximised, lexicographic through big constants):
  1. number of matched windows (no free window idles while it could serve a waiting ticket),
  2. number of urgent tickets served (priority group, due appointments, starving tickets),
  3. seconds-equivalent value: ticket urgency + scarcity look-ahead - secondary-skill penalty
     + idle-longest / least-loaded window bonus.
See docs/dispatcher.md for the reasons behind each term.
"""
from __future__ import annotations

import heapq
import logging
from dataclasses import replace
from typing import Any

from . import guard, rules
from .baselines import fifo
from .rules import Ticket, Window

log = logging.getLogger(__name__)

SCALE = 10  # tenths of a second: keeps the small tie-breakers integral
CLIP_S = 100_000.0  # clip scores so big constants stay far from int64 limits


def _prepare(snapshot: dict, parsed: tuple | None = None, prm: rules.Params | None = None):
    """Everything both solvers need; `parsed` (rules.parse) and `prm` are taken from the
    snapshot unless given (the tail guard solves twice on one parse)."""
    now, windows, tickets, means = parsed or rules.parse(snapshot)
    prm = rules.effective(prm if prm is not None else rules.params_of(snapshot), now, tickets)
    free = [w for w in windows if w.free and w.skills]
    by_service: dict[str, list[Ticket]] = {}
    for t in tickets:
        by_service.setdefault(t.service, []).append(t)
    servable = {s for w in free for s in w.skills} & set(by_service)
    ref = _ref_mean(means, by_service)
    backlog = {s: len(by_service[s]) * means.get(s, rules.DEFAULT_MEAN_S) for s in servable}
    look = rules.lookahead(windows, now, servable, backlog, prm)
    # per service: (urgent, value) for each ticket, best first; only as many as free windows
    # that can serve the service could ever take
    cap: dict[str, int] = {}
    for w in free:
        for s in w.skills:
            if s in servable:
                cap[s] = cap.get(s, 0) + 1
    ranked: dict[str, list[tuple[bool, int, Ticket]]] = {}
    for s in sorted(servable):
        mean = means.get(s, rules.DEFAULT_MEAN_S)
        rows = []
        for t in by_service[s]:
            urgent = rules.is_urgent(t, now, prm)
            v = min(CLIP_S, rules.ticket_score(t, now, mean, ref, prm)) + look[s]
            rows.append((urgent, round(v * SCALE), t))
        rows.sort(key=lambda r: (not r[0], -r[1], r[2].issued_at, str(r[2].id)))
        ranked[s] = rows[: cap[s]]
    free.sort(key=lambda w: (-rules.window_bonus(w, now), str(w.id)))
    cov = rules.coverage(windows)
    wbonus = {w.id: round(min(CLIP_S, rules.window_bonus(w, now)
                              - prm.flex_weight_s * cov[w.id]) * SCALE) for w in free}
    pen = {(w.id, s): round(rules.pair_penalty(v, prm) * SCALE)
           for w in free for s, v in w.skills.items() if s in ranked}
    return now, free, ranked, wbonus, pen, prm


def _ref_mean(means: dict[str, float], by_service: dict[str, list]) -> float:
    """Reference service time for the short-service scaling: the mean over waiting tickets."""
    n = sum(len(v) for v in by_service.values())
    if not n:
        return rules.DEFAULT_MEAN_S
    return sum(means.get(s, rules.DEFAULT_MEAN_S) * len(v) for s, v in by_service.items()) / n


def _pair(w: Window, s: str, wbonus: dict, pen: dict) -> int:
    return wbonus[w.id] - pen[w.id, s]


def _decode(free, ranked, chosen: dict[Any, str]) -> list[dict]:
    """Give each service's best tickets to the windows routed to it, best window first."""
    taken: dict[str, int] = {}
    out = []
    for w in free:  # already sorted idle-longest first
        s = chosen.get(w.id)
        if s is None:
            continue
        k = taken.get(s, 0)
        taken[s] = k + 1
        out.append({"window": w.id, "ticket": ranked[s][k][2].id})
    return out


def plan_flow(snapshot: dict, parsed: tuple | None = None,
              prm: rules.Params | None = None) -> list[dict]:
    """Solve with OR-Tools SimpleMinCostFlow; falls back to the greedy on any solver trouble."""
    from ortools.graph.python import min_cost_flow

    _now, free, ranked, wbonus, pen, prm = _prepare(snapshot, parsed, prm)
    if not free or not ranked:
        return []
    small = max([abs(v) for v in wbonus.values()] + [1]) + int(
        2 * prm.secondary_penalty_s * SCALE) + int(CLIP_S * SCALE * 2)
    n = len(free) + 1
    tier = n * 2 * small  # one more urgent ticket beats any change of the small terms
    card = n * (tier + 2 * small)  # one more matched window beats everything else
    services = sorted(ranked)
    src, sink = 0, 1
    wnode = {w.id: 2 + i for i, w in enumerate(free)}
    snode = {s: 2 + len(free) + i for i, s in enumerate(services)}
    tails, heads, caps, costs = [], [], [], []
    arc_of: list[tuple[Any, str] | None] = []

    def arc(a, b, c, cost, tag=None):
        tails.append(a), heads.append(b), caps.append(c), costs.append(cost), arc_of.append(tag)

    for w in free:
        arc(src, wnode[w.id], 1, 0)
        for s in sorted(w.skills):
            if s in snode:
                arc(wnode[w.id], snode[s], 1, -_pair(w, s, wbonus, pen), (w.id, s))
    for s in services:
        for urgent, v, _t in ranked[s]:
            arc(snode[s], sink, 1, -(card + (tier if urgent else 0) + v))
    arc(src, sink, len(free), 0)
    mcf = min_cost_flow.SimpleMinCostFlow()
    import numpy as np

    mcf.add_arcs_with_capacity_and_unit_cost(
        np.array(tails, dtype=np.int64), np.array(heads, dtype=np.int64),
        np.array(caps, dtype=np.int64), np.array(costs, dtype=np.int64))
    supplies = [0] * (2 + len(free) + len(services))
    supplies[src], supplies[sink] = len(free), -len(free)
    mcf.set_nodes_supplies(np.arange(len(supplies)), np.array(supplies, dtype=np.int64))
    status = mcf.solve()
    if status != mcf.OPTIMAL:
        return plan_greedy(snapshot, parsed, prm)
    flows = mcf.flows(np.arange(len(tails)))
    chosen = {arc_of[i][0]: arc_of[i][1] for i in range(len(tails))
              if arc_of[i] is not None and flows[i] > 0}
    return _decode(free, ranked, chosen)


def plan_greedy(snapshot: dict, parsed: tuple | None = None,
                prm: rules.Params | None = None) -> list[dict]:
    """Pure-Python fallback with the same invariants: repeatedly take the best (window, service
    head) pair. Values only fall as heads are consumed, so a lazy max-heap is exact; an urgent
    head always outranks an ordinary one, and the loop ends only when no free window can take
    any remaining ticket (a maximal matching)."""
    _now, free, ranked, wbonus, pen, _prm = _prepare(snapshot, parsed, prm)
    head = {s: 0 for s in ranked}
    order = {w.id: i for i, w in enumerate(free)}

    def key(w: Window, s: str):
        urgent, v, _t = ranked[s][head[s]]
        return (-(1 if urgent else 0), -(v + _pair(w, s, wbonus, pen)), order[w.id], s)

    heap = [(key(w, s), w.id, s) for w in free for s in w.skills if s in ranked]
    heapq.heapify(heap)
    byid = {w.id: w for w in free}
    chosen: dict[Any, Any] = {}
    while heap:
        k, wid, s = heapq.heappop(heap)
        if wid in chosen or head[s] >= len(ranked[s]):
            continue
        fresh = key(byid[wid], s)
        if fresh != k:
            heapq.heappush(heap, (fresh, wid, s))
            continue
        # the ticket this window was chosen for, not the k-th of its service by window order:
        # re-dealing a service's tickets by window order could give an urgent ticket to a
        # window with no other urgent work and an ordinary one to a window that had some
        chosen[wid] = ranked[s][head[s]][2].id
        head[s] += 1
    return [{"window": w.id, "ticket": chosen[w.id]} for w in free if w.id in chosen]


MAX_ARCS = 2_000_000  # beyond this the flow's build time alone would pass the time limit


def plan(snapshot: dict) -> list[dict]:
    """The project's policy (CONTRACT.md): the min-cost flow checked by the tail guard, or
    the greedy fallback when the solver fails or the instance is too large to build in time."""
    return plan_explained(snapshot)[0]


def plan_explained(snapshot: dict, parsed: tuple | None = None) -> tuple[list[dict], set]:
    """`plan`'s decisions, and the windows whose ticket the tail guard chose over the flow's
    proposal (the clerk's why-line says so: one solve serves the call and its reason).
    `parsed`: `rules.parse(snapshot)` when the caller has it already (the server keeps the
    parsed waiting tickets between calls)."""
    if rules.params_of(snapshot).fifo_order >= 0.5:
        # the hall's profile is the plain rule (dispatcher.nightly chose it): call exactly as
        # fifo does, so its waits are fifo's, not a near-copy of them
        return fifo(snapshot), set()
    if _too_large(snapshot):
        return plan_greedy(snapshot), set()
    try:
        parsed = rules.parse(snapshot) if parsed is None else parsed
        prm = rules.params_of(snapshot)
        proposal = plan_flow(snapshot, parsed, prm)
    except Exception:  # noqa: BLE001 - the hall must keep calling even if the solver breaks
        return plan_greedy(snapshot), set()
    decided = _guarded(snapshot, parsed, prm, proposal)
    proposed = {d["window"]: d["ticket"] for d in proposal}
    return decided, {d["window"] for d in decided if proposed.get(d["window"]) != d["ticket"]}


def _too_large(snapshot: dict) -> bool:
    """Whether `plan` skips the flow (and the guard) for the greedy: see MAX_ARCS."""
    windows = snapshot.get("windows") or []
    n_free = sum(1 for w in windows if w.get("free", True))
    return n_free * max(1, len(snapshot.get("services") or {})) > MAX_ARCS


def guard_chose(snapshot: dict, window_id, ticket_id) -> bool:
    """Whether `plan(snapshot)` gives `window_id` the ticket `ticket_id` only because the tail
    guard replaced the flow's proposal with the plain plan."""
    decided, guarded = plan_explained(snapshot)
    return window_id in guarded and {"window": window_id, "ticket": ticket_id} in decided


def _guarded(snapshot: dict, parsed: tuple, prm: rules.Params,
             proposal: list[dict]) -> list[dict]:
    """The proposal, unless the tail guard (guard.py) finds the plain plan (same urgent tier,
    ordinary tickets by age) projects a shorter longest wait."""
    plain_prm = guard.plain_params(prm)
    if (not proposal or prm.tail_guard <= 0 or len(parsed[2]) > guard.MAX_TICKETS
            or plain_prm == replace(prm, tail_guard=0.0)):  # the profile is plain already
        return proposal
    try:
        plain = plan_flow(snapshot, parsed, plain_prm)
        return guard.check(parsed, prm, proposal, plain)
    except Exception:
        log.warning("tail guard failed; the flow's proposal stands", exc_info=True)
        return proposal
