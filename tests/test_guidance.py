"""Guidance (智能引导) over the demo hall: the words citizens use find their service (keywords,
pinyin, initials, a wrong character), the guided questions lead to one service, searches and
choices are counted (the misses are the manager's missing keywords), managers edit keywords
and flows, and refusals change nothing."""
from __future__ import annotations

import pytest

from tests.helpers import error_code
from tests.test_holds import H

TABLES = ("services", "guide_flows", "guide_counts", "events")


def snapshot(db) -> dict:
    return {t: [tuple(r) for r in db.all(f"SELECT * FROM {t} ORDER BY 1")] for t in TABLES}


def first(client, q: str) -> str | None:
    r = client.get(f"{H}/guide", query_string={"q": q, "live": "1"})
    assert r.status_code == 200, r.json
    found = r.json["services"]
    assert [s["score"] for s in found] == sorted((s["score"] for s in found), reverse=True)
    return found[0]["name"] if found else None


@pytest.mark.parametrize(("q", "name"), [
    ("开公司", "企业设立登记"), ("注册公司", "企业设立登记"), ("户口", "户籍证明与迁移"),
    ("gjj", "公积金提取"), ("报销", "医保报销与异地备案"),
    # by pinyin, its initials, a sentence holding a keyword, English
    ("gongjijin", "公积金提取"), ("hukou", "户籍证明与迁移"), ("qysldj", "企业设立登记"),
    ("我要开公司", "企业设立登记"), ("Provident", "公积金提取"),
    # one wrong character: a typo, a homophone, a swapped letter of the pinyin
    ("企业设力登记", "企业设立登记"), ("户扣", "户籍证明与迁移"),
    ("医保报消", "医保报销与异地备案"),
    ("hukuo", "户籍证明与迁移"), ("注册公斯", "企业设立登记"),
])
def test_the_words_citizens_use_find_their_service(client, q, name):
    assert first(client, q) == name


def test_nonsense_finds_nothing_and_an_empty_query_is_empty(client):
    assert first(client, "xyzqw") is None
    assert client.get(f"{H}/guide").json["services"] == []
    assert client.get("/api/v1/halls/nowhere/guide?q=x").status_code == 404
    assert client.get(f"{H}/guide?live=2&q=a").status_code == 400


def test_searches_and_choices_are_counted_and_misses_listed(client, mgr, db):
    for q in ("开公司", "开公司", "办护照", "办护照", "养狗证"):
        assert client.get(f"{H}/guide", query_string={"q": q}).status_code == 200
    client.get(f"{H}/guide", query_string={"q": "办护", "live": "1"})  # typing: not counted
    r = client.post(f"{H}/guide/choices", json={"service": "biz-setup", "via": "search",
                                                 "q": "开公司"})
    assert r.status_code == 201
    assert client.post(f"{H}/guide/choices", json={"service": "medical", "via": "flow",
                                                    "category": "social"}).status_code == 201
    s = mgr.get(f"{H}/guide/stats").json
    assert (s["searches"], s["misses"], s["chosen"]) == (5, 3, 2)
    assert s["missing"] == [{"term": "办护照", "n": 2}, {"term": "养狗证", "n": 1}]
    assert {(c["service"], c["via"], c["n"]) for c in s["choices"]} == {
        ("biz-setup", "search", 1), ("medical", "flow", 1)}
    whole = mgr.get(f"{H}/stats").json
    assert whole["guide"]["missing"][0]["term"] == "办护照"
    assert mgr.get(f"{H}/stats?format=xlsx").status_code == 200


def test_the_guided_questions_lead_to_one_service(client):
    flows = {f["category"]: f for f in client.get(f"{H}/guide/flows").json["flows"]}
    assert {"biz", "social", "hukou"} <= set(flows)
    social = flows["social"]["flow"]
    person = next(o for o in social["options"] if o["label"] == "个人")["next"]
    claim = next(o for o in person["options"] if o["label"] == "看病费用报销")
    assert claim["service"] == "medical"
    biz = flows["biz"]["flow"]["options"]
    assert [o.get("service") for o in biz] == ["biz-setup", "biz-change", "tax-invoice"]


def test_a_manager_edits_keywords_and_the_search_follows(client, mgr, db):
    r = mgr.put(f"{H}/services/hukou/keywords", json={"keywords": [" 办身份证 ", "户口",
                                                                   "户口"]})
    assert r.status_code == 200, r.json
    assert r.json["service"]["keywords"] == ["办身份证", "户口"]
    assert first(client, "办身份证") == "户籍证明与迁移"
    listed = {s["id"]: s for s in mgr.get(f"{H}/guide/keywords").json["services"]}
    assert listed["hukou"]["keywords"] == ["办身份证", "户口"]
    assert db.one("SELECT 1 FROM events WHERE action = 'service_keywords'") is not None


def test_a_manager_sets_and_removes_a_flow(client, mgr, db):
    flow = {"question": "您要办理？", "options": [
        {"label": "领发票", "service": "tax-invoice"},
        {"label": "别的", "next": {"question": "哪一个？", "options": [
            {"label": "社保", "service": "social-ins"}, {"label": "医保", "service": "medical"}]}}]}
    r = mgr.put(f"{H}/guide/flows/tax", json={"flow": flow})
    assert r.status_code == 200, r.json
    assert any(f["category"] == "tax" for f in client.get(f"{H}/guide/flows").json["flows"])
    assert mgr.delete(f"{H}/guide/flows/tax").status_code == 200
    assert not any(f["category"] == "tax"
                   for f in client.get(f"{H}/guide/flows").json["flows"])
    assert mgr.delete(f"{H}/guide/flows/tax").status_code == 404


@pytest.mark.parametrize(("path", "body", "status", "code"), [
    ("services/hukou/keywords", {"keywords": "户口"}, 422, "invalid_keywords"),
    ("services/hukou/keywords", {"keywords": ["x" * 21]}, 422, "invalid_keywords"),
    ("services/hukou/keywords", {"words": []}, 400, "unknown_field"),
    ("services/nowhere/keywords", {"keywords": ["a"]}, 404, "not_found"),
    ("guide/flows/biz", {"flow": {"question": "?", "options": [
        {"label": "a", "service": "biz-setup"}]}}, 422, "invalid_flow"),
    ("guide/flows/biz", {"flow": {"question": "?", "options": [
        {"label": "a", "service": "biz-setup"},
        {"label": "b", "service": "biz-setup", "next": {}}]}}, 422, "invalid_flow"),
    ("guide/flows/biz", {"flow": {"question": "?", "options": [
        {"label": "a", "service": "biz-setup"}, {"label": "b", "service": "nope"}]}},
     422, "unknown_service"),
    ("guide/flows/nocat", {"flow": {"question": "?", "options": [
        {"label": "a", "service": "biz-setup"}, {"label": "b", "service": "fund"}]}},
     404, "not_found"),
])
def test_bad_edits_get_the_error_shape_and_change_nothing(mgr, db, path, body, status, code):
    before = snapshot(db)
    r = mgr.put(f"{H}/{path}", json=body)
    assert (r.status_code, error_code(r)) == (status, code), r.json
    assert set(r.json) == {"error"}
    assert set(r.json["error"]) == {"code", "message"}
    assert snapshot(db) == before


def test_clerks_and_citizens_cannot_edit(client, auth, db):
    before = snapshot(db)
    body = {"keywords": ["x"]}
    assert client.put(f"{H}/services/hukou/keywords", json=body).status_code == 401
    assert snapshot(db) == before
    auth.login("clerk01")
    before = snapshot(db)  # the login itself is audited
    assert client.put(f"{H}/services/hukou/keywords", json=body).status_code == 403
    assert client.get(f"{H}/guide/stats").status_code == 403
    assert snapshot(db) == before


def test_a_choice_of_an_unknown_service_changes_nothing(client, db):
    before = snapshot(db)
    r = client.post(f"{H}/guide/choices", json={"service": "nope", "via": "search"})
    assert (r.status_code, error_code(r)) == (422, "unknown_service")
    r = client.post(f"{H}/guide/choices", json={"service": "fund", "via": "guess"})
    assert (r.status_code, error_code(r)) == (422, "invalid_via")
    assert snapshot(db) == before
