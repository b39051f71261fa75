"""The tail guard: the optimiser proposes, a projection of the longest wait disposes.

The min-cost flow reorders work for the mean (short services first, primary skills first, scarce
skills kept). Each such deviation from plain age order is a bet that the ticket passed over will
still be served in time; on a busy day some bets lengthen the day's longest wait. So before a
proposal is returned it is compared with the *plain* plan: the same model and the same urgent
tier (priority group, due appointments by due time, starving tickets), but ordinary tickets by
plain age and no skill preferences. Both are run forward (`eta.calls`: the dispatcher's own
rules, mean service times, no new arrivals) and the proposal is kept unless its projected
longest wait among the tickets now waiting is longer than the plain plan's.

Why a projection and not a rule: whether passing over an old ticket is harmless depends on
what every other able window is doing and will do; the forward run sees that, a weight cannot.
Measured effect and cost: docs/dispatcher.md ("The tail guard") and docs/benchmarks.md.
"""
from __future__ import annotations

from dataclasses import replace

from . import rules
from .eta import calls

# Above this many waiting tickets the guard is skipped: its cost (a second flow and two forward
# runs, ~1.2 ms each at 300 tickets, ~70 ms each at 10,000) grows past the flow's own; just
# below it a guarded call takes ~15-20 ms. No hall's day comes near it; a queue that long is
# an outage, where the starvation guard already serves the oldest first.
MAX_TICKETS = 1000


def plain_params(prm: rules.Params) -> rules.Params:
    """The plain profile: ordinary tickets by age, no skill or scarcity preferences, the
    urgent tier unchanged."""
    return replace(prm, spt_alpha=0.0, secondary_penalty_s=0.0, lookahead_beta=0.0,
                   pressure_beta=0.0, flex_weight_s=0.0, tail_guard=0.0)


def projected_max(parsed: tuple, prm: rules.Params, decisions: list[dict]) -> float:
    """The longest wait, among the tickets waiting now, if `decisions` start now and the rest
    follow the dispatcher's rules. Tickets no window can serve are left out."""
    now, windows, tickets, means = parsed
    byid = {t.id: t for t in tickets}
    given = {d["window"]: byid[d["ticket"]] for d in decisions}
    worst = 0.0
    after = []
    for w in windows:
        t = given.get(w.id)
        if t is not None:
            w = replace(w, free=False, busy_until=now + means.get(t.service, rules.DEFAULT_MEAN_S))
            worst = max(worst, now - t.issued_at)
        after.append(w)
    taken = {d["ticket"] for d in decisions}
    rest = [t for t in tickets if t.id not in taken]
    for t, at in calls(now, after, rest, means, prm):
        if at - t.issued_at > worst:
            worst = at - t.issued_at
    return worst


def _same(a: list[dict], b: list[dict]) -> bool:
    return {(d["window"], d["ticket"]) for d in a} == {(d["window"], d["ticket"]) for d in b}


def check(parsed: tuple, prm: rules.Params, proposal: list[dict],
          plain: list[dict]) -> list[dict]:
    """`proposal` unless it projects a longer longest wait than `plain` (ties keep it).
    `parsed` is `rules.parse(snapshot)`, `prm` the snapshot's profile."""
    if _same(proposal, plain):
        return proposal
    # both runs use the threshold the flow used (a relative starvation guard would otherwise
    # be recomputed from each run's remaining tickets, and differ between the two)
    now, _windows, tickets, _means = parsed
    eff = replace(rules.effective(prm, now, tickets), starve_rel=0.0)
    if projected_max(parsed, eff, proposal) <= projected_max(parsed, eff, plain):
        return proposal
    return plain
