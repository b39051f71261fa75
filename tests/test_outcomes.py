"""Outcomes (办理结果): the hall's list, chosen at finish, stored, audited and counted in the
statistics and the CSV; refusals (unknown outcome, bad lists, roles) change nothing."""
from __future__ import annotations

import csv
import io
import json

from tests.helpers import error_code
from tests.test_holds import H, W, serving, signed_in, snapshot

DEFAULT = [("settled", "办结", "Settled"), ("returned", "退件", "Returned (not accepted)"),
           ("correction", "需补正", "Needs correction"),
           ("referred", "转他处", "Referred elsewhere"), ("enquiry", "咨询", "Enquiry only")]


def test_the_default_list_needs_no_login(client):
    r = client.get(f"{H}/outcomes")
    assert r.status_code == 200
    assert [(o["code"], o["name"], o["name_en"]) for o in r.json["outcomes"]] == DEFAULT
    assert client.get("/api/v1/halls/nowhere/outcomes").status_code == 404


def test_finish_with_an_outcome_is_stored_audited_and_counted(app, db, mgr):
    clerk = signed_in(app, "clerk01", "W13")
    outcomes = ["settled", "settled", "correction", None]
    for code in outcomes:
        serving(app, clerk, "W13")
        r = clerk.post(f"{W}/W13/finish", json={"outcome": code} if code else None)
        assert r.status_code == 200, r.json
    stored = [r[0] for r in db.all("SELECT outcome FROM tickets WHERE status = 'done'"
                                   " ORDER BY id")]
    assert stored == outcomes
    finish = db.all("SELECT detail FROM events WHERE action = 'finish' ORDER BY seq")
    assert json.loads(finish[0]["detail"])["after"]["outcome"] == "settled"
    assert "outcome" not in json.loads(finish[-1]["detail"])["after"]
    s = mgr.get(f"{H}/stats").json
    by = {o["outcome"]: o["served"] for o in s["by_outcome"]}
    assert by == {"settled": 2, "returned": 0, "correction": 1, "referred": 0, "enquiry": 0,
                  None: 1}
    hukou = next(x for x in s["by_service"] if x["service"] == "hukou")
    assert hukou["outcomes"] == {"settled": 2, "correction": 1, "none": 1}
    rows = list(csv.DictReader(io.StringIO(mgr.get(f"{H}/stats?format=csv").text)))
    row = next(r for r in rows if r["service"] == "hukou")
    assert (row["outcome_settled"], row["outcome_correction"], row["outcome_none"],
            row["outcome_returned"]) == ("2", "1", "1", "0")
    zh = mgr.get(f"{H}/stats?format=csv&lang=zh").text
    assert "办理结果: 需补正" in zh.splitlines()[0]
    xlsx = mgr.get(f"{H}/stats?format=xlsx")
    assert xlsx.status_code == 200


def test_an_unknown_outcome_changes_nothing(app, db):
    clerk = signed_in(app, "clerk01", "W13")
    serving(app, clerk, "W13")
    for body, status, code in (({"outcome": "won"}, 422, "unknown_outcome"),
                               ({"outcome": "Settled!"}, 422, "invalid_outcome"),
                               ({"outcome": 3}, 422, None), ({"outcome": None}, 422, None),
                               ({"result": "settled"}, 400, "unknown_field")):
        before = snapshot(db)
        r = clerk.post(f"{W}/W13/finish", json=body)
        assert r.status_code == status, (body, r.json)
        if code:
            assert error_code(r) == code
        assert snapshot(db) == before


def test_the_manager_sets_the_list_and_old_codes_are_refused_after(app, db, mgr):
    clerk = signed_in(app, "clerk01", "W13")
    new = {"outcomes": [{"code": "done", "name": " 办结 ", "name_en": "Done"},
                        {"code": "consult", "name": "咨询"}]}
    before = snapshot(db)
    assert clerk.put(f"{H}/outcomes", json=new).status_code == 403
    assert app.test_client().put(f"{H}/outcomes", json=new).status_code == 401
    for bad in ({"outcomes": []}, {"outcomes": [{"code": "a", "name": "x"}] * 2},
                {"outcomes": [{"code": "A", "name": "x"}]},
                {"outcomes": [{"code": "a", "name": "  "}]},
                {"outcomes": [{"code": "a"}]},
                {"outcomes": [{"code": "a", "name": "x", "colour": "red"}]},
                {"outcomes": [{"code": f"c{i}", "name": "x"} for i in range(10)]},
                {"outcomes": "settled"}):
        r = mgr.put(f"{H}/outcomes", json=bad)
        assert r.status_code == 422, (bad, r.json)
        assert error_code(r) == "invalid_outcomes"
    assert snapshot(db) == before
    r = mgr.put(f"{H}/outcomes", json=new)
    assert r.status_code == 200, r.json
    assert r.json["outcomes"] == [{"code": "done", "name": "办结", "name_en": "Done"},
                                  {"code": "consult", "name": "咨询", "name_en": ""}]
    assert [o["code"] for o in app.test_client().get(f"{H}/outcomes").json["outcomes"]] == [
        "done", "consult"]
    assert [o["code"] for o in clerk.get(f"{W}/W13").json["outcomes"]] == ["done", "consult"]
    serving(app, clerk, "W13")
    r = clerk.post(f"{W}/W13/finish", json={"outcome": "settled"})
    assert error_code(r) == "unknown_outcome"
    assert clerk.post(f"{W}/W13/finish", json={"outcome": "consult"}).status_code == 200
