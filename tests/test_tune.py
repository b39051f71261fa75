"""Per-hall dispatcher profiles: parsing, invariants under any profile, tuning."""
from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dispatcher import rules
from dispatcher.eta import predict
from dispatcher.generate import builtin_trace
from dispatcher.model import plan_flow, plan_greedy
from dispatcher.rules import DEFAULT, Params
from dispatcher.simulate import simulate
from dispatcher.tune import load_profile, tune, with_params
from tests.test_dispatcher import check_invariants, snapshots


@st.composite
def params(draw):
    return {k: draw(st.floats(lo, hi)) for k, (lo, hi) in Params.BOUNDS.items()
            if draw(st.booleans())}


def test_defaults_are_the_documented_constants():
    assert Params() == DEFAULT == Params.from_dict(None) == Params.from_dict({})
    assert DEFAULT.starve_s == rules.STARVE_S
    assert DEFAULT.secondary_penalty_s == rules.SECONDARY_PENALTY_S
    assert DEFAULT.spt_alpha == rules.SPT_ALPHA


def test_profile_parsing_ignores_junk_and_clamps():
    p = Params.from_dict({"starve_s": 10, "spt_alpha": "0.25", "secondary_penalty_s": None,
                          "lookahead_beta": "x", "nonsense": 3, "pressure_beta": float("nan")})
    assert p.starve_s == Params.BOUNDS["starve_s"][0]  # no profile can switch the guard off
    assert p.spt_alpha == 0.25
    assert p.secondary_penalty_s == DEFAULT.secondary_penalty_s
    assert p.lookahead_beta == DEFAULT.lookahead_beta
    assert p.pressure_beta == DEFAULT.pressure_beta
    # a tune() result (weights under "params") and a file load the same profile
    assert load_profile({"hall": "h", "params": {"spt_alpha": 1.0}}).spt_alpha == 1.0
    assert rules.params_of({"params": "broken"}) == DEFAULT
    assert rules.params_of({"params": {"starve_s": 1200}}).starve_s == 1200


def test_relative_guard_lowers_the_threshold_only():
    class T:
        def __init__(self, age):
            self.issued_at = 10_000.0 - age
    p = Params.from_dict({"starve_rel": 0.5, "starve_min_s": 600})
    assert rules.effective(p, 10_000.0, [T(3000), T(100)]).starve_s == 1500
    assert rules.effective(p, 10_000.0, [T(900)]).starve_s == 600  # never below the floor
    assert rules.effective(p, 10_000.0, [T(9000)]).starve_s == p.starve_s  # never above
    assert rules.effective(DEFAULT, 10_000.0, [T(3000)]) is DEFAULT


def test_plan_without_params_is_unchanged():
    t = builtin_trace("township", 2)
    a = simulate(t, "ortools")
    b = simulate(t, with_params(None))
    for k in ("mean_wait_s", "p95_wait_s", "max_wait_s"):
        assert a[k] == b[k]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(snapshots(), params())
def test_any_profile_keeps_invariants(snap, prm):
    snap = {**snap, "params": prm}
    now, _w, tickets, _m = rules.parse(snap)
    p = rules.effective(Params.from_dict(prm), now, tickets)
    for fn in (plan_flow, plan_greedy):
        out = fn(snap)
        check_invariants(snap, out, p)
        assert out == fn(json.loads(json.dumps(snap)))  # deterministic
    assert len(plan_flow(snap)) >= len(plan_greedy(snap))  # the flow is a maximum matching
    pred = predict(snap)
    assert set(pred) == {t["id"] for t in snap["tickets"]}


def test_tune_small_budget_returns_a_loadable_profile(tmp_path):
    res = tune(builtin_trace("township", 1), days=2, max_evals=3)
    assert set(res) >= {"params", "expected", "default", "evaluated", "complete"}
    assert res["evaluated"] >= 1
    path = tmp_path / "township.json"
    path.write_text(json.dumps(res), encoding="utf-8")
    assert load_profile(path) == load_profile(res) == Params.from_dict(res["params"])
    assert load_profile(None) == DEFAULT


def test_explain_follows_the_profile_starvation_guard():
    from dispatcher import explain

    snap = {"now": 10_000.0, "windows": [{"id": "W", "skills": {"a": 1}}],
            "tickets": [{"id": 1, "service": "a", "issued_at": 10_000.0 - 1000, "priority": 0}],
            "services": {"a": {"mean_service_s": 300}}}
    plain = explain(snap, "W", 1, lang="en")
    tuned = explain({**snap, "params": {"starve_s": 900}}, "W", 1, lang="en")
    assert plain != tuned  # 1000 s is starving only under the 900 s guard
