"""HallQ dispatcher: pure Python + OR-Tools, no Flask, no SQL.

Public interface (see CONTRACT.md "The dispatcher" and docs/dispatcher.md):
    plan(snapshot) -> [{"window", "ticket"}]    the project's policy (OR-Tools min-cost flow)
    get_policy(name) / POLICIES                 ortools, greedy, fifo, fixed, dedicated, flex
    explain(snapshot, window_id, ticket_id, lang="zh") -> str
    dispatcher.eta.predict / predict_new        positions and expected waits
"""
from __future__ import annotations

from collections.abc import Callable

from .baselines import dedicated, fifo, fixed, flex
from .explain import explain
from .model import plan, plan_greedy

Policy = Callable[[dict], list[dict]]

POLICIES: dict[str, Policy] = {
    "ortools": plan,
    "greedy": plan_greedy,  # the model's pure-Python fallback, exposed for tests and benches
    "fifo": fifo,
    "fixed": fixed,
    "dedicated": dedicated,
    "flex": flex,
}


def get_policy(name: str) -> Policy:
    """The policy called `name`; KeyError names the known ones."""
    try:
        return POLICIES[name]
    except KeyError:
        raise KeyError(f"unknown policy {name!r}; known: {', '.join(POLICIES)}") from None


__all__ = ["POLICIES", "Policy", "explain", "get_policy", "plan", "plan_greedy"]
