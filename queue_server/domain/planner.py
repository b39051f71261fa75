"""The one adapter between the database and the pure dispatcher.

Builds the contract's dispatcher snapshot from the hall's rows, asks ``dispatcher.plan`` who
goes where, and asks ``dispatcher.eta`` for positions and waits.
"""
from __future__ import annotations

import json
import logging
import sqlite3
import time
from typing import Any, NamedTuple, Protocol

from dispatcher import eta as eta_model
from dispatcher import rules
from dispatcher.explain import explain_all
from dispatcher.model import plan_explained
from queue_server.domain import clock

DEFAULT_MEAN_S = 600.0

log = logging.getLogger(__name__)


class Inputs(NamedTuple):
    """What the forward run reads: ``rules.parse`` of a snapshot, and its profile."""

    now: float
    windows: list[rules.Window]
    tickets: list[rules.Ticket]
    means: dict[str, float]
    params: rules.Params


class InputsSource(Protocol):
    """Kept inputs (domain/forecast_cache.py): ``None`` when it cannot give them. Inside a
    write transaction ``after_commit`` is its ``Tx.after_commit``."""

    def inputs(self, conn: sqlite3.Connection, hall: str, now: float,
               after_commit: Any = None) -> Inputs | None: ...

    def snapshot(self, conn: sqlite3.Connection, hall: str, now: float,
                 only_free: str | None = None, after_commit: Any = None
                 ) -> tuple[dict, Inputs] | None: ...


def snapshot_and_inputs(conn: sqlite3.Connection, hall: str, now: float,
                        only_free: str | None = None, source: InputsSource | None = None,
                        after_commit: Any = None) -> tuple[dict, Inputs]:
    """:func:`snapshot` and its parse, from ``source`` when it has them."""
    if source is not None:
        got = source.snapshot(conn, hall, now, only_free, after_commit)
        if got is not None:
            return got
    snap = snapshot(conn, hall, now, only_free)
    return snap, parsed(snap)


def inputs_of(conn: sqlite3.Connection, hall: str, now: float,
              source: InputsSource | None = None) -> Inputs:
    """``parsed(snapshot(conn, hall, now))``, from ``source`` when it has them."""
    if source is not None:
        got = source.inputs(conn, hall, now)
        if got is not None:
            return got
    return parsed(snapshot(conn, hall, now, forecast=True))


def parsed(snap: dict) -> Inputs:
    """A snapshot as the forward run reads it."""
    now, windows, tickets, means = rules.parse(snap)
    return Inputs(now, windows, tickets, means, rules.params_of(snap))


def snapshot(conn: sqlite3.Connection, hall: str, now: float | None = None,
             only_free: str | None = None, forecast: bool = False) -> dict:
    """The dispatcher's view of a hall. ``only_free`` marks just that window free;
    ``forecast``: the view positions and waits are told from (:func:`windows_at`)."""
    now = time.time() if now is None else now
    tz = conn.execute("SELECT tz FROM halls WHERE id = ?", (hall,)).fetchone()
    day = clock.day_of(now, tz["tz"] if tz else None)
    return compose(read_hall(conn, hall, day), now,
                   [ticket_item(t) for t in read_waiting(conn, hall, day)], only_free, forecast)


def compose(hall_state: dict, now: float, tickets: list[dict],
            only_free: str | None = None, forecast: bool = False) -> dict:
    """The snapshot at ``now`` from :func:`read_hall`'s values and the waiting tickets."""
    snap = {"now": now, "windows": windows_at(hall_state, now, only_free, forecast),
            "tickets": tickets, "services": hall_state["services"]}
    if hall_state.get("params"):  # the hall's own profile (manager/dispatch_profile.py)
        snap["params"] = hall_state["params"]
    return snap


def read_hall(conn: sqlite3.Connection, hall: str, day: str) -> dict:
    """Everything of the snapshot but the waiting tickets and the clock: services, windows
    (with their current ticket), skills and today's load, as plain values."""
    services = {r["id"]: {"mean_service_s": float(r["mean_service_s"] or DEFAULT_MEAN_S)}
                for r in conn.execute("SELECT id, mean_service_s FROM services WHERE hall = ?",
                                      (hall,))}
    load = {r["window"]: (r["n"], r["busy"] or 0.0) for r in conn.execute(
        "SELECT window, COUNT(*) n, SUM(finished_at - started_at) busy FROM tickets"
        " WHERE hall = ? AND day = ? AND status IN ('done', 'transferred') AND window IS NOT NULL"
        " GROUP BY window", (hall, day))}
    skills: dict[str, dict[str, float]] = {}
    for r in conn.execute("SELECT s.window, s.service, s.weight FROM skills s JOIN windows w"
                          " ON w.id = s.window WHERE w.hall = ?", (hall,)):
        skills.setdefault(r["window"], {})[r["service"]] = r["weight"]
    windows = [dict(w) for w in conn.execute(
        "SELECT w.id, w.status, w.current, w.idle_since, w.clerk, w.auto, t.service t_service,"
        " t.called_at t_called, t.started_at t_started FROM windows w LEFT JOIN tickets t"
        " ON t.id = w.current WHERE w.hall = ? AND w.status != 'closed'"
        " ORDER BY w.sort, w.id", (hall,))]
    return {"services": services, "load": load, "skills": skills, "windows": windows,
            "params": _profile(conn, hall)}


def _profile(conn: sqlite3.Connection, hall: str) -> dict:
    """The weights of the profile the hall's recent days chose; {} = the defaults."""
    row = conn.execute("SELECT dispatch_profile FROM halls WHERE id = ?", (hall,)).fetchone()
    chosen = json.loads(row[0]) if row is not None and row[0] else {}
    return dict(chosen.get("params") or {}) if chosen.get("profile") else {}


def windows_at(hall_state: dict, now: float, only_free: str | None = None,
               forecast: bool = False) -> list[dict]:
    """The snapshot's windows at ``now`` from :func:`read_hall`'s values. For a ``forecast``
    (positions, waits) an idle window nobody is signed into and not in auto mode is left out:
    a manager may open it for a clerk who has not come, and nobody calls there meanwhile. The
    plan keeps it, so whoever presses "call" there is served."""
    services, load, skills = hall_state["services"], hall_state["load"], hall_state["skills"]
    windows = []
    for w in hall_state["windows"]:
        if w["status"] == "paused" and not w["current"]:
            continue  # a paused window takes nothing until it reopens
        if forecast and not (w["current"] or w["clerk"] or w["auto"]):
            continue  # unstaffed: see above
        free = w["status"] == "open" and not w["current"]
        if only_free is not None:
            free = free and w["id"] == only_free
        busy_until = None
        if w["current"]:
            began = w["t_started"] or w["t_called"] or now
            mean = services.get(w["t_service"], {}).get("mean_service_s", DEFAULT_MEAN_S)
            busy_until = max(now, began + mean)
        elif not free:
            busy_until = now  # open and idle but not offered this round
        n, busy = load.get(w["id"], (0, 0.0))
        windows.append({"id": w["id"], "skills": skills.get(w["id"], {}), "free": free,
                        "busy_until": busy_until,
                        "idle_since": w["idle_since"] if free else None,
                        "served_today": n, "busy_seconds_today": busy})
    return windows


def read_waiting(conn: sqlite3.Connection, hall: str, day: str) -> list[sqlite3.Row]:
    """The hall's waiting tickets in their order in line."""
    # Today's tickets only: leftovers of earlier days are ended by rollover.py, and must never
    # be called beside today's numbers even before that has run.
    return conn.execute("SELECT id, service, order_at, priority, due_at FROM tickets"
                        " WHERE hall = ? AND day = ? AND status = 'waiting'"
                        " ORDER BY order_at, id", (hall, day)).fetchall()


def ticket_item(t: sqlite3.Row | dict) -> dict:
    """One waiting ticket as the snapshot carries it."""
    item = {"id": t["id"], "service": t["service"], "issued_at": t["order_at"],
            "priority": t["priority"]}
    if t["due_at"] is not None:
        item["due_at"] = t["due_at"]
    return item


def choose_for(conn: sqlite3.Connection, hall: str, window_id: str,
               now: float | None = None, source: InputsSource | None = None,
               after_commit: Any = None) -> tuple[int | None, dict, Inputs | None, bool]:
    """The ticket the dispatcher gives ``window_id`` now, the snapshot it decided on, and
    its parse, and whether the tail guard chose it over the flow's proposal (for the clerk's
    why-line). ``source``: kept inputs (the process's forecast cache).

    The hall-wide plan runs first, so an idle window that suits a ticket better can keep it;
    if that leaves the calling window with nothing while it could serve someone, the plan runs
    again with only this window free: a clerk who presses "call" is never left idle.
    """
    now = time.time() if now is None else now
    for only_free in (None, window_id):
        snap, inputs = snapshot_and_inputs(conn, hall, now, only_free, source, after_commit)
        # = dispatcher.plan, plus the guard's say
        decisions, guarded = plan_explained(snap, inputs[:4])
        for decision in decisions:
            if decision["window"] == window_id:
                return decision["ticket"], snap, inputs, window_id in guarded
        if only_free is None and {w.id for w in inputs.windows if w.free} == {window_id}:
            break  # it was the only free window: the second round would be this one again
    return None, snap, inputs, False


def explain(snap: dict, window_id: str, ticket_id: int, guarded: bool,
            inputs: Inputs | None = None) -> dict[str, str]:
    """The clerk's why-line in Chinese and English (empty if it cannot be worked out)."""
    try:
        return explain_all(snap, window_id, ticket_id, ("zh", "en"), guarded,
                           None if inputs is None else inputs[:4])
    except Exception:  # an explanation must never block a call
        log.exception("explaining the call of ticket %s failed", ticket_id)
        return {"zh": "", "en": ""}


def predictions(conn: sqlite3.Connection, hall: str, now: float | None = None,
                source: InputsSource | None = None) -> dict:
    """Position and ETA of every waiting ticket in the hall."""
    now = time.time() if now is None else now
    inputs = inputs_of(conn, hall, now, source)
    preds = eta_model.predict_parsed(inputs[:4], inputs.params)
    # No open window can serve these (eta None): the dispatcher ranks them after everyone,
    # but a citizen is better told how many wait for the same service before them.
    ahead: dict[str, int] = {}
    for t in inputs.tickets:  # in order of their place in line
        guess = preds.get(t.id)
        if guess is not None and guess["eta_s"] is None:
            guess["position"] = ahead.get(t.service, 0)
        ahead[t.service] = ahead.get(t.service, 0) + 1
    return preds


def predict_one(conn: sqlite3.Connection, hall: str, ticket_id: int,
                now: float | None = None, source: InputsSource | None = None) -> dict:
    """``predictions(conn, hall, now)`` for one waiting ticket, exactly (tests/test_eta.py,
    tests/test_issue_forecast.py), at the cost of the forward run up to its call: what an
    issue answers with. With ``source`` (the process's forecast cache) the inputs come from
    it when it holds them for the hall's current state, instead of from SQL."""
    now = time.time() if now is None else now
    return {ticket_id: one(inputs_of(conn, hall, now, source), ticket_id)}


def one(inputs: Inputs, ticket_id: Any) -> dict:
    """Position and ETA of one of ``inputs.tickets``, as :func:`predictions` gives it."""
    mine = next(t for t in inputs.tickets if t.id == ticket_id)
    # A ticket no open window can serve is never called: no need to run the whole queue
    # to find that out (a third of the demo's services at times).
    if any(mine.service in w.skills for w in inputs.windows):
        run = eta_model.calls(inputs.now, inputs.windows, inputs.tickets, inputs.means,
                              inputs.params)
        for pos, (t, at) in enumerate(run):
            if t.id == ticket_id:
                return {"position": pos, "eta_s": round(at - inputs.now, 1)}
    # as in predictions(): eta None, and those waiting for the same service before it
    ahead = 0
    for t in inputs.tickets:  # in order of their place in line
        if t is mine:
            break
        ahead += t.service == mine.service
    return {"position": ahead, "eta_s": None}


def predict_new(conn: sqlite3.Connection, hall: str, services: list[str],
                now: float | None = None, source: InputsSource | None = None
                ) -> dict[str, dict]:
    """For each service: people ahead and ETA of a ticket issued now (the kiosk's list).

    Exactly ``dispatcher.eta.predict_new`` of the forecast snapshot for each service
    (tests/test_issue_forecast.py), but from one set of (kept) inputs and with each forward
    run stopped at the new ticket's call: the list is asked by every kiosk every 30 s, and a
    full forecast per service held the event loop for tens of ms at a few hundred waiting."""
    now = time.time() if now is None else now
    inputs = inputs_of(conn, hall, now, source)
    out = {}
    for s in services:
        new = rules.parse({"now": now, "tickets": [
            {"id": eta_model.NEW_ID, "service": s, "issued_at": now, "priority": 0}]})[2][0]
        out[s] = one(inputs._replace(tickets=[*inputs.tickets, new]), eta_model.NEW_ID)
        if out[s]["eta_s"] is None:  # those waiting for the same service, as predictions()
            out[s]["position"] = sum(1 for t in inputs.tickets if t.service == s)
    return out
