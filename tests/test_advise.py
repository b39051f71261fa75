"""The skills advisor's guarantees: at most K changes, primaries kept, limits respected."""
from __future__ import annotations

import json

from dispatcher.advise import advise, main
from dispatcher.generate import builtin_trace


def _check(trace, res, k):
    assert len(res["changes"]) <= k
    before = {w["id"]: w["skills"] for w in trace["windows"]}
    after = {w["id"]: w["skills"] for w in res["windows"]}
    assert set(after) == set(before)
    for wid, skills in before.items():
        for s, v in skills.items():
            if v >= 1.0:
                assert after[wid].get(s) == v, "a primary skill was removed"
    for c in res["changes"]:
        assert after[c["window"]].get(c["service"]) == c["to"]
        assert before[c["window"]].get(c["service"]) == c["from"]
    assert res["expected"]["mean_wait_s"] <= res["current"]["mean_wait_s"]


def test_advice_within_k_and_improves():
    trace = builtin_trace("township", 1)
    res = advise(trace, 2, days=2)
    _check(trace, res, 2)
    assert res["changes"], "a loaded township hall should get some advice"
    assert res["expected"]["mean_wait_s"] < res["current"]["mean_wait_s"]


def test_limits_respected():
    trace = builtin_trace("township", 1)
    forbid = [("X1", s) for s in ("hh", "civ", "land")] + [("X3", "soc")]
    res = advise(trace, 4, max_skills_per_window=3, forbid=forbid, days=2)
    _check(trace, res, 4)
    for w in res["windows"]:
        orig = next(x for x in trace["windows"] if x["id"] == w["id"])
        assert len(w["skills"]) <= max(3, len(orig["skills"]))
    assert not {(c["window"], c["service"]) for c in res["changes"]} & set(forbid)


def test_zero_changes_allowed():
    trace = builtin_trace("township", 2)
    res = advise(trace, 0, days=1)
    assert res["changes"] == []
    assert res["windows"] == [
        {"id": w["id"], "skills": w["skills"]} for w in trace["windows"]]


def test_cli_json(tmp_path, capsys):
    path = tmp_path / "t.json"
    path.write_text(json.dumps(builtin_trace("township", 4)), encoding="utf-8")
    assert main([str(path), "--max-changes", "2", "--json", "--days", "2"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) >= {"windows", "changes", "expected"}
    assert set(out["expected"]) >= {"mean_wait_s", "p95_wait_s"}
    assert len(out["changes"]) <= 2


def test_advice_closes_half_the_gap_to_flex_on_another_day():
    # issue 6 acceptance on a generated hall: advice from day 1, replayed on other days
    from dispatcher.simulate import simulate

    day = builtin_trace("district", 1)
    # the resampled scenarios (issue 6's advisor, the shifted advisor's floor): the shifted
    # default gives the same four changes here (docs/benchmarks.md) at three times the replays,
    # too slow for the suite; the shifted path is tested on township below
    res = advise(day, 4, scenarios="resampled")
    _check(day, res, 4)
    replays = [builtin_trace("district", s) for s in (21, 22, 23)]

    def mean(policy, windows=None):
        return sum(simulate(dict(d, windows=windows or d["windows"]), policy)["mean_wait_s"]
                   for d in replays) / len(replays)

    cur, adv, flex = mean("ortools"), mean("ortools", res["windows"]), mean("flex")
    assert (cur - adv) >= 0.5 * (cur - flex)


def test_shifted_weeks_differ_in_mix_and_volume():
    from dispatcher.generate import HALLS, shifted

    desc = HALLS["township"]
    a, b = shifted(desc, 1), shifted(desc, 2)
    assert shifted(desc, 1) == a
    assert a != b
    assert abs(sum(s["share"] for s in a["services"]) - 1.0) < 1e-9
    for s, s0 in zip(a["services"], desc["services"], strict=True):
        assert 0.7 * s0["share"] / 1.3 <= s["share"] <= 1.3 * s0["share"] / 0.7
    assert desc["arrivals_per_day"] <= a["arrivals_per_day"] <= 1.2 * desc["arrivals_per_day"] + 1


def test_shifted_advice_never_below_the_greedy_floor_on_its_confirmation_days():
    from dispatcher.advise import _across, _apply, _evaluate, greedy_pick, scenario_days

    trace = builtin_trace("township", 1)
    fit, confirm = scenario_days(trace, 2, 1, "shifted")
    assert len(confirm) == 4
    assert fit[0] is trace
    res = advise(trace, 2, days=2)
    assert res["scenarios"] == "shifted"
    _check(trace, res, 2)
    floor_fit = scenario_days(trace, 2, 1, "resampled")[0]
    floor = _apply(trace["windows"], greedy_pick(floor_fit, trace["windows"], 2))
    current = _evaluate(confirm, trace["windows"], "ortools")
    chosen = _evaluate(confirm, res["windows"], "ortools")
    assert _across(chosen, current) <= _across(_evaluate(confirm, floor, "ortools"), current)
