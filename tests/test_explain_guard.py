"""The clerk's why-line says when the tail guard, not the flow's proposal, chose the ticket."""
from __future__ import annotations

from dispatcher import explain, plan
from dispatcher.model import guard_chose, plan_flow

NOW = 100_000.0
ZH = "按等候先后办理，避免有人等得过久"
EN = "oldest first, so nobody waits too long"
SERVICES = {"long": {"mean_service_s": 1800}, "short": {"mean_service_s": 300}}


def win(wid, skills, free=True, busy_until=None):
    return {"id": wid, "skills": skills, "free": free, "busy_until": busy_until,
            "idle_since": NOW if free else None, "served_today": 0, "busy_seconds_today": 0}


def tk(tid, service, waited):
    return {"id": tid, "service": service, "issued_at": NOW - waited, "priority": 0}


def vetoed(params=None):
    # as in test_dispatcher's veto example: the flow prefers the short ticket, but only A can
    # serve "long" and B frees for "short" in 100 s, so the plain plan (oldest first) projects
    # a shorter longest wait and the guard gives A the long ticket instead
    s = {"now": NOW, "services": SERVICES,
         "windows": [win("A", {"long": 1, "short": 1}),
                     win("B", {"short": 1}, free=False, busy_until=NOW + 100)],
         "tickets": [tk("L", "long", 1000), tk("S", "short", 900)]}
    if params is not None:
        s["params"] = params
    return s


def kept():
    # one window: long first would make the short ticket wait 45 min, short first keeps the
    # long one at 21 min 40 s, so the guard keeps the flow's proposal (short first)
    return {"now": NOW, "services": SERVICES, "windows": [win("A", {"long": 1, "short": 1})],
            "tickets": [tk("L", "long", 1000), tk("S", "short", 900)]}


def test_guard_override_is_named_in_both_languages():
    s = vetoed()
    assert plan_flow(s) == [{"window": "A", "ticket": "S"}]  # the proposal alone
    assert plan(s) == [{"window": "A", "ticket": "L"}]       # what the guard chose
    zh, en = explain(s, "A", "L"), explain(s, "A", "L", lang="en")
    assert zh.endswith(" · " + ZH)
    assert zh.startswith("已等候16分钟")
    assert en.endswith("; " + EN)
    assert en.startswith("waited 16 min")
    assert en.isascii()
    # explaining the proposal's ticket (not what the window got) does not claim the guard
    assert ZH not in explain(s, "A", "S")
    assert EN not in explain(s, "A", "S", lang="en")
    assert guard_chose(s, "A", "L")
    assert not guard_chose(s, "A", "S")
    # a window the plan gave nothing to, or that is unknown, never gets the part
    assert not guard_chose(s, "B", "L")
    assert ZH not in explain(s, "ZZ", "L")


def test_no_guard_part_when_the_proposal_stands():
    s = kept()
    assert plan(s) == plan_flow(s) == [{"window": "A", "ticket": "S"}]
    zh, en = explain(s, "A", "S"), explain(s, "A", "S", lang="en")
    assert "已等候15分钟" in zh
    assert ZH not in zh
    assert "waited 15 min" in en
    assert EN not in en
    # the ticket the guard would have preferred, had it vetoed, is not what A got either
    assert ZH not in explain(s, "A", "L")


def test_no_guard_part_when_the_profile_switches_the_guard_off():
    s = vetoed({"tail_guard": 0})
    assert plan(s) == plan_flow(s) == [{"window": "A", "ticket": "S"}]
    for ticket in ("S", "L"):
        assert ZH not in explain(s, "A", ticket)
        assert EN not in explain(s, "A", ticket, lang="en")
        assert not guard_chose(s, "A", ticket)
