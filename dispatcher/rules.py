"""The project's documented priority rules, shared by the model, its fallback, ETA and explain.

Every number here is in seconds of waiting ("how many seconds of waiting is this worth"), so the
terms can be added and compared; `docs/dispatcher.md` gives the reason for each.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any

DEFAULT_MEAN_S = 600.0  # a service missing from `services` is assumed to take 10 minutes
STARVE_S = 1800.0  # an ordinary ticket waiting this long joins the urgent tier (starvation guard)
STARVE_REL = 0.0  # relative guard: also starving at this share of the longest current wait (off)
STARVE_MIN_S = 600.0  # ... but never below this wait
APPT_LEAD_S = 0.0  # an appointment becomes urgent at its due time, not before
PRIORITY_BONUS_S = 1800.0  # inside the urgent tier a priority-1 ticket counts this much older
APPT_BONUS_S = 1800.0  # a due appointment ranks like a ticket this much late
SECONDARY_PENALTY_S = 240.0  # cost of using a weight-0.5 skill rather than a primary one
SPT_ALPHA = 0.5  # how strongly short services go first: wait * (ref_mean / mean) ** alpha
LOOKAHEAD_CAP_S = 900.0  # cap on the scarcity look-ahead bonus
LOOKAHEAD_BETA = 0.25  # share of the look-ahead time counted as bonus
IDLE_CAP_S = 3600.0
IDLE_WEIGHT = 0.01  # idle-longest window first: a tie-breaker, never outweighs a ticket's wait
LOAD_WEIGHT = 0.001  # least-loaded-today window first: another tie-breaker
FLEX_WEIGHT_S = 0.0  # keep versatile windows free: measured to raise waits (docs), so off


PRESSURE_BETA = 0.0  # backlog per able window: measured to raise mean waits, so off (docs)
PRESSURE_CAP_S = 1800.0


@dataclass(frozen=True, slots=True)
class Params:
    """The rule weights: one hall's dispatcher profile. The defaults are the module constants
    above (the documented rules); a hall may carry its own, tuned on its own history
    (`dispatcher.tune`), passed to `plan` as `snapshot["params"]`. Priority order itself is
    not a weight: P1 and due appointments stay in the urgent tier whatever the profile."""
    starve_s: float = STARVE_S
    priority_bonus_s: float = PRIORITY_BONUS_S
    appt_bonus_s: float = APPT_BONUS_S
    secondary_penalty_s: float = SECONDARY_PENALTY_S
    spt_alpha: float = SPT_ALPHA
    lookahead_cap_s: float = LOOKAHEAD_CAP_S
    lookahead_beta: float = LOOKAHEAD_BETA
    pressure_beta: float = PRESSURE_BETA
    pressure_cap_s: float = PRESSURE_CAP_S
    flex_weight_s: float = FLEX_WEIGHT_S
    starve_rel: float = STARVE_REL
    starve_min_s: float = STARVE_MIN_S
    tail_guard: float = 1.0  # 1 = check each proposal against the plain plan (guard.py), 0 = off
    # 1 = call exactly as `fifo` does (urgent tier, then the longest-waiting eligible ticket):
    # the fallback a nightly replay (`dispatcher.nightly`) picks for a hall where reordering
    # did not pay on its recent days, so the hall never waits longer than under the plain rule
    fifo_order: float = 0.0

    # bounds keep a bad profile from breaking the invariants' spirit (e.g. no starvation guard)
    BOUNDS = {"starve_s": (300.0, 7200.0), "priority_bonus_s": (0.0, 7200.0),
              "appt_bonus_s": (0.0, 7200.0), "secondary_penalty_s": (0.0, 3600.0),
              "spt_alpha": (0.0, 2.0), "lookahead_cap_s": (0.0, 3600.0),
              "lookahead_beta": (0.0, 2.0), "pressure_beta": (0.0, 2.0),
              "pressure_cap_s": (0.0, 7200.0), "flex_weight_s": (0.0, 3600.0),
              "starve_rel": (0.0, 1.0), "starve_min_s": (60.0, 7200.0),
              "tail_guard": (0.0, 1.0), "fifo_order": (0.0, 1.0)}

    @classmethod
    def from_dict(cls, d: dict | Params | None) -> Params:
        """A profile from a dict (unknown keys ignored, values clamped to BOUNDS); None or
        {} gives the defaults. A profile file's weights may sit under a "params" key."""
        if d is None:
            return DEFAULT
        if isinstance(d, Params):
            return d
        if isinstance(d.get("params"), dict):
            d = d["params"]
        kw = {}
        for f in fields(cls):
            if f.name in d and d[f.name] is not None:
                try:
                    v = float(d[f.name])
                except (TypeError, ValueError):
                    continue
                if v != v:  # NaN
                    continue
                lo, hi = cls.BOUNDS[f.name]
                kw[f.name] = min(hi, max(lo, v))
        return replace(DEFAULT, **kw) if kw else DEFAULT

    def to_dict(self) -> dict:
        return asdict(self)


DEFAULT = Params()


def effective(prm: Params, now: float, tickets: list) -> Params:
    """The profile for this instant: with the relative guard on (`starve_rel` > 0), the
    starvation threshold is also `starve_rel` x the longest current wait (not below
    `starve_min_s`), so the oldest tickets are served in age order (like fifo, which protects
    the tail) while younger ones are still ordered for the mean. A `fifo_order` profile
    ranks as `fifo` does (the ETA's forward run follows it)."""
    if prm.fifo_order >= 0.5:  # what `fifo` ranks by: urgent tier, then plain age
        return replace(prm, starve_s=STARVE_S, starve_rel=0.0, priority_bonus_s=0.0,
                       appt_bonus_s=0.0, secondary_penalty_s=0.0, spt_alpha=0.0,
                       lookahead_beta=0.0, pressure_beta=0.0, flex_weight_s=0.0,
                       tail_guard=0.0)
    if prm.starve_rel <= 0 or not tickets:
        return prm
    oldest = max(now - t.issued_at for t in tickets)
    thr = max(prm.starve_min_s, prm.starve_rel * oldest)
    return replace(prm, starve_s=thr) if thr < prm.starve_s else prm


def params_of(snapshot: dict) -> Params:
    """The profile a snapshot carries (`snapshot["params"]`), else the defaults."""
    p = snapshot.get("params")
    try:
        return Params.from_dict(p) if isinstance(p, (dict, Params)) else DEFAULT
    except Exception:  # noqa: BLE001 - a broken profile must not stop the hall
        return DEFAULT


@dataclass(frozen=True, slots=True)
class Ticket:
    id: Any
    service: str
    issued_at: float
    priority: int
    due_at: float | None


@dataclass(frozen=True, slots=True)
class Window:
    id: Any
    skills: dict[str, float]
    free: bool
    busy_until: float | None
    idle_since: float | None
    served_today: int
    busy_seconds_today: float


def _num(x: Any, default: float) -> float:
    try:
        return float(x) if x is not None else default
    except (TypeError, ValueError):
        return default


def parse(snapshot: dict) -> tuple[float, list[Window], list[Ticket], dict[str, float]]:
    """Normalise a snapshot (unknown keys ignored, missing ones defaulted)."""
    now = _num(snapshot.get("now"), 0.0)
    means: dict[str, float] = {}
    for sid, spec in (snapshot.get("services") or {}).items():
        m = _num((spec or {}).get("mean_service_s"), DEFAULT_MEAN_S)
        means[str(sid)] = m if m > 0 else DEFAULT_MEAN_S
    windows = []
    for w in snapshot.get("windows") or []:
        skills = {str(s): float(v) for s, v in (w.get("skills") or {}).items()
                  if v is not None and float(v) > 0}
        windows.append(Window(
            id=w["id"], skills=skills, free=bool(w.get("free", True)),
            busy_until=None if w.get("busy_until") is None else _num(w.get("busy_until"), now),
            idle_since=None if w.get("idle_since") is None else _num(w.get("idle_since"), now),
            served_today=int(_num(w.get("served_today"), 0)),
            busy_seconds_today=_num(w.get("busy_seconds_today"), 0.0)))
    tickets = []
    for t in snapshot.get("tickets") or []:
        p = int(_num(t.get("priority"), 0))
        tickets.append(Ticket(
            id=t["id"], service=str(t.get("service")), issued_at=_num(t.get("issued_at"), now),
            priority=p if p in (0, 1, 2) else 0,
            due_at=None if t.get("due_at") is None else _num(t.get("due_at"), now)))
    return now, windows, tickets, means


def is_urgent(t: Ticket, now: float, p: Params = DEFAULT) -> bool:
    """Urgent tier: priority group, a due appointment, or an ordinary ticket starving."""
    if t.priority == 1:
        return True
    if t.priority == 2 and (t.due_at is None or now >= t.due_at - APPT_LEAD_S):
        return True
    return now - t.issued_at >= p.starve_s


def ticket_score(t: Ticket, now: float, mean_s: float, ref_mean_s: float,
                 p: Params = DEFAULT) -> float:
    """Within-tier urgency, in seconds: grows with waiting so no ticket waits without bound."""
    wait = max(0.0, now - t.issued_at)
    if t.priority == 1:
        return wait + p.priority_bonus_s
    if t.priority == 2 and (t.due_at is None or now >= t.due_at - APPT_LEAD_S):
        # appointments in order of due time; an overdue one ranks like a priority ticket
        late = now - (t.due_at if t.due_at is not None else t.issued_at)
        return max(0.0, late) + p.appt_bonus_s
    if wait >= p.starve_s:
        return wait  # starving: plain age, so the longest-starved goes first
    # ordinary: age scaled towards short services (a c-mu flavoured rule); the scaling never
    # reorders tickets of one service, and STARVE_S bounds how long a long service can be passed
    return wait * (ref_mean_s / mean_s) ** p.spt_alpha


def pair_penalty(weight: float, p: Params = DEFAULT) -> float:
    """Seconds-equivalent cost of serving at a window through a skill of this weight."""
    return (1.0 - min(1.0, weight)) * 2.0 * p.secondary_penalty_s


def window_bonus(w: Window, now: float) -> float:
    """The window idle longest, then the least loaded today, takes work first."""
    idle = 0.0 if w.idle_since is None else min(IDLE_CAP_S, max(0.0, now - w.idle_since))
    return IDLE_WEIGHT * idle - LOAD_WEIGHT * min(w.busy_seconds_today, 86400.0)


def coverage(windows: list[Window]) -> dict:
    """How much scarce coverage each window holds: sum over its skills of 1 / (windows able
    to serve that skill). Busying a window that alone covers some service costs more than
    busying one of many interchangeable windows."""
    able: dict[str, int] = {}
    for w in windows:
        for s in w.skills:
            able[s] = able.get(s, 0) + 1
    return {w.id: sum(1.0 / able[s] for s in w.skills) for w in windows}


def lookahead(windows: list[Window], now: float, services: set[str],
              backlog_s: dict[str, float] | None = None,
              p: Params = DEFAULT) -> dict[str, float]:
    """Scarcity bonus per service, in seconds. Two look-ahead signals:
    - how long its tickets would wait for the next busy window that can serve them (a service
      whose few able windows are all busy for long scores high, so a free window holding that
      skill spends it there rather than on work others can take);
    - its backlog: waiting work divided by the windows able to serve it (a queue that only few
      windows can drain grows fastest)."""
    soonest: dict[str, float] = {}
    able: dict[str, int] = {}
    for w in windows:
        for s in w.skills:
            able[s] = able.get(s, 0) + 1
        if w.free:
            continue
        left = max(0.0, (w.busy_until if w.busy_until is not None else now) - now)
        for s in w.skills:
            if s in services and left < soonest.get(s, p.lookahead_cap_s):
                soonest[s] = left
    out = {}
    for s in services:
        b = (backlog_s or {}).get(s, 0.0) / max(1, able.get(s, 1))
        out[s] = (p.lookahead_beta * soonest.get(s, p.lookahead_cap_s)
                  + p.pressure_beta * min(p.pressure_cap_s, b))
    return out
