"""好差评 and 整改: a bad rating opens a rectification case, which is assigned, answered (the
citizen's page shows the answer) and closed; overdue cases alert once; the ratings list and
the national platform's export; refusals change nothing."""
from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest

from queue_server.domain import clock, rectification
from queue_server.live.supervision import SupervisionChecker
from queue_server.manager.ratings import PLATFORM_HEADER
from tests.helpers import PASSWORD, error_code

H = "/api/v1/halls/demo"
TZ = "Asia/Shanghai"


def served(app, citizen, clerk, service: str = "hukou", window: str = "W13",
           channel: str = "kiosk") -> dict:
    """A ticket issued, called at ``window``, started and finished; the issue's answer."""
    r = citizen.post(f"{H}/tickets", json={"service": service, "channel": channel})
    assert r.status_code == 201, r.json
    assert clerk.post(f"/api/v1/windows/{window}/call-next").json["ticket"]["number"] \
        == r.json["ticket"]["number"]
    assert clerk.post(f"/api/v1/windows/{window}/start").status_code == 200
    assert clerk.post(f"/api/v1/windows/{window}/finish").status_code == 200
    return r.json


@pytest.fixture
def desk(app):
    """A citizen's client and clerk01 signed into W13 (hukou)."""
    citizen, clerk = app.test_client(), app.test_client()
    clerk.post("/api/v1/auth/login", json={"username": "clerk01", "password": PASSWORD})
    assert clerk.post("/api/v1/windows/W13/open").status_code == 200
    return citizen, clerk


def rate(citizen, token: str, score: int, reason: str | None = None, **more):
    body = {"score": score, **({"reason": reason} if reason else {}), **more}
    r = citizen.post(f"/api/v1/tickets/{token}/rating", json=body)
    assert r.status_code == 201, r.json
    return r


def state(db) -> tuple:
    """Everything a refused case action must leave as it was."""
    return (tuple(tuple(r) for r in db.all("SELECT * FROM rectifications ORDER BY id")),
            # signing in and out is audited too; nothing else may be
            db.one("SELECT COUNT(*) n FROM events WHERE action NOT IN ('login', 'logout')")["n"])


def test_a_one_star_rating_opens_a_case_assigned_answered_closed(app, desk, mgr, db):
    citizen, clerk = desk
    t = served(app, citizen, clerk)
    rate(citizen, t["token"], 1, "态度差", comment="等了很久还被训斥")
    page = mgr.get(f"{H}/ratings").json
    assert page["total"] == 1
    [item] = page["ratings"]
    assert (item["number"], item["service"], item["window"], item["clerk"], item["score"]) \
        == (t["ticket"]["number"], "hukou", "W13", "clerk01", 1)
    assert item["reason"] == "态度差"
    assert item["wait_s"] is not None
    assert item["service_s"] is not None
    assert item["level"] == "非常不满意"
    assert item["case"]["status"] == "open"
    case_id = item["case"]["id"]
    opened = db.one("SELECT * FROM rectifications WHERE id = ?", (case_id,))
    assert opened["due_at"] == rectification.add_working_days(opened["opened_at"], 5, TZ)

    # nothing yet for the citizen to read
    assert citizen.get(f"/api/v1/tickets/{t['token']}").json["ticket"]["rectification"][
        "response"] is None

    r = mgr.post(f"{H}/rectifications/{case_id}/assign", json={"owner": "clerk02"})
    assert r.status_code == 200, r.json
    assert (r.json["rectification"]["status"], r.json["rectification"]["owner"]) \
        == ("assigned", "clerk02")
    answer = "您好，已对窗口人员批评教育，联系电话 13800138000"
    r = mgr.post(f"{H}/rectifications/{case_id}/answer", json={"response": answer})
    assert r.status_code == 200, r.json
    assert r.json["rectification"]["status"] == "answered"
    seen = citizen.get(f"/api/v1/tickets/{t['token']}").json["ticket"]["rectification"]
    assert seen["status"] == "answered"
    assert seen["response"].startswith("您好，已对窗口人员批评教育")
    assert "13800138000" not in seen["response"]  # screened before storage
    assert "owner" not in seen

    r = mgr.post(f"{H}/rectifications/{case_id}/close", json={"outcome": "约谈当事人，增加引导"})
    assert r.status_code == 200, r.json
    assert r.json["rectification"]["status"] == "closed"
    assert r.json["rectification"]["closed_at"]
    assert citizen.get(f"/api/v1/tickets/{t['token']}").json["ticket"]["rectification"][
        "status"] == "closed"
    actions = [e["action"] for e in db.all(
        "SELECT action FROM events WHERE action LIKE 'rectification_%' ORDER BY seq")]
    assert actions == ["rectification_open", "rectification_assign", "rectification_answer",
                       "rectification_close"]
    listed = mgr.get(f"{H}/rectifications?status=closed").json["rectifications"]
    assert [c["id"] for c in listed] == [case_id]
    assert mgr.get(f"{H}/rectifications?status=active").json["rectifications"] == []


def test_good_ratings_open_no_case(app, desk, db):
    citizen, clerk = desk
    for score in (3, 5):
        rate(citizen, served(app, citizen, clerk)["token"], score)
    assert db.one("SELECT COUNT(*) n FROM rectifications")["n"] == 0


def test_refusals_change_nothing(app, desk, mgr, auth, db):
    citizen, clerk = desk
    t = served(app, citizen, clerk)
    rate(citizen, t["token"], 2, "效率低")
    case_id = db.one("SELECT id FROM rectifications")["id"]
    before = state(db)
    refusals = [
        (f"{H}/rectifications/{case_id}/assign", {"owner": "nobody"}, 422),
        (f"{H}/rectifications/{case_id}/assign", {"owner": 7}, 400),
        (f"{H}/rectifications/{case_id}/close", {"outcome": "好了"}, 409),  # not answered
        (f"{H}/rectifications/{case_id}/answer", {"response": "   "}, 422),
        (f"{H}/rectifications/{case_id}/answer", {"response": "x", "extra": 1}, 400),
        (f"{H}/rectifications/{case_id + 99}/answer", {"response": "好"}, 404),
        (f"{H}/rectifications/x{case_id}/answer", {"response": "好"}, 404),
        (f"{H}/rectifications/{'9' * 30}/answer", {"response": "好"}, 404),
        ("/api/v1/halls/nohall/rectifications/1/answer", {"response": "好"}, 404),
    ]
    for url, body, status in refusals:
        r = mgr.post(url, json=body)
        assert r.status_code == status, (url, body, r.json)
        error_code(r)
        assert state(db) == before, (url, body)
    for query in ("score=9", "page=0", "per_page=501", "date=2026-13-01", "format=xml"):
        r = mgr.get(f"{H}/ratings?{query}")
        assert r.status_code == 400, (query, r.json)
    # a clerk may not see or act
    auth.logout()
    auth.login("clerk03")
    assert mgr.get(f"{H}/ratings").status_code == 403
    assert mgr.get(f"{H}/rectifications").status_code == 403
    r = mgr.post(f"{H}/rectifications/{case_id}/answer", json={"response": "好"})
    assert r.status_code == 403
    assert mgr.put(f"{H}/supervision", json={"rectify_days": 2}).status_code == 403
    auth.logout()
    assert mgr.get(f"{H}/ratings").status_code == 401
    assert state(db) == before
    # a closed case takes no more steps
    auth.login("manager")
    assert mgr.post(f"{H}/rectifications/{case_id}/answer",
                    json={"response": "已整改"}).status_code == 200
    assert mgr.post(f"{H}/rectifications/{case_id}/close",
                    json={"outcome": "已整改"}).status_code == 200
    closed = state(db)
    for step, body in (("assign", {"owner": "clerk02"}), ("answer", {"response": "再答"}),
                       ("close", {"outcome": "再关"})):
        r = mgr.post(f"{H}/rectifications/{case_id}/{step}", json=body)
        assert r.status_code == 409, r.json
        assert error_code(r) == "case_closed"
    assert state(db) == closed


def ts(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


@pytest.mark.parametrize(("start", "days", "due"), [
    ("2026-12-07T10:00:00+08:00", 5, "2026-12-14T10:00:00+08:00"),  # Monday -> Monday
    ("2026-12-04T16:30:00+08:00", 5, "2026-12-11T16:30:00+08:00"),  # Friday -> Friday
    ("2026-12-05T09:00:00+08:00", 5, "2026-12-11T09:00:00+08:00"),  # Saturday -> Friday
    ("2026-12-03T09:00:00+08:00", 1, "2026-12-04T09:00:00+08:00"),  # Thursday -> Friday
    ("2026-12-04T09:00:00+08:00", 1, "2026-12-07T09:00:00+08:00"),  # Friday -> Monday
])
def test_deadlines_count_working_days(start, days, due):
    assert clock.iso(rectification.add_working_days(ts(start), days, TZ), TZ) == due


def test_the_deadline_is_the_halls_setting(app, desk, mgr, db):
    r = mgr.put(f"{H}/supervision", json={"rectify_days": 2})
    assert r.status_code == 200, r.json
    assert r.json["supervision"]["rectify_days"] == 2
    assert mgr.put(f"{H}/supervision", json={"rectify_days": 0}).status_code == 422
    assert mgr.get(f"{H}/supervision").json["supervision"]["rectify_days"] == 2
    citizen, clerk = desk
    rate(citizen, served(app, citizen, clerk)["token"], 1, "没办成")
    case = db.one("SELECT opened_at, due_at FROM rectifications")
    assert case["due_at"] == rectification.add_working_days(case["opened_at"], 2, TZ)
    assert db.one("SELECT COUNT(*) n FROM events WHERE action = 'supervision_settings'")["n"] == 1


def test_an_overdue_case_alerts_once(app, desk, mgr, sio, db):
    citizen, clerk = desk
    t = served(app, citizen, clerk)
    rate(citizen, t["token"], 1, "态度差")
    case = db.one("SELECT id, due_at FROM rectifications")
    managers = sio(mgr)
    assert managers.emit("subscribe", {"managers": "demo"}, callback=True) == {"ok": True}
    managers.get_received()
    checker = SupervisionChecker(app)
    assert checker.check(case["due_at"] - 60)["rectification"] == []  # not yet due
    out = checker.check(case["due_at"] + 1)
    assert [(a["case"], a["number"]) for a in out["rectification"]] \
        == [(case["id"], t["ticket"]["number"])]
    got = [m for m in managers.get_received() if m["name"] == "alert.rectification"]
    assert [m["args"][0]["case"] for m in got] == [case["id"]]
    # once: this checker, and a new one (another process) alike
    assert checker.check(case["due_at"] + 60)["rectification"] == []
    assert SupervisionChecker(app).check(case["due_at"] + 120)["rectification"] == []
    assert not [m for m in managers.get_received() if m["name"] == "alert.rectification"]
    assert db.one("SELECT COUNT(*) n FROM events WHERE action = 'rectification_overdue'")[
        "n"] == 1
    [listed] = mgr.get(f"{H}/rectifications").json["rectifications"]
    assert listed["overdue"] is True


def test_a_closed_case_never_goes_overdue(app, desk, mgr, db):
    citizen, clerk = desk
    rate(citizen, served(app, citizen, clerk)["token"], 2, "慢")
    case = db.one("SELECT id, due_at FROM rectifications")
    mgr.post(f"{H}/rectifications/{case['id']}/answer", json={"response": "已改进"})
    mgr.post(f"{H}/rectifications/{case['id']}/close", json={"outcome": "已改进"})
    assert SupervisionChecker(app).check(case["due_at"] + 1)["rectification"] == []


def test_the_list_filters_and_pages(app, desk, mgr, db):
    citizen, clerk = desk
    for score in (5, 1, 4, 1):
        rate(citizen, served(app, citizen, clerk)["token"], score,
             "态度差" if score < 3 else None)
    assert mgr.get(f"{H}/ratings?score=1").json["total"] == 2
    assert mgr.get(f"{H}/ratings?service=hukou&window=W13&clerk=clerk01").json["total"] == 4
    assert mgr.get(f"{H}/ratings?clerk=clerk02").json["total"] == 0
    assert mgr.get(f"{H}/ratings?date=2001-01-01").json["total"] == 0
    first = mgr.get(f"{H}/ratings?per_page=3").json
    second = mgr.get(f"{H}/ratings?per_page=3&page=2").json
    assert (first["total"], len(first["ratings"]), len(second["ratings"])) == (4, 3, 1)
    seen = [r["ticket"] for r in first["ratings"] + second["ratings"]]
    assert len(set(seen)) == 4
    assert [r["score"] for r in first["ratings"]] == [1, 4, 1]  # newest first


def test_the_platform_export_of_a_scripted_day(app, desk, mgr, db):
    citizen, clerk = desk
    good = served(app, citizen, clerk, channel="mobile")
    rate(citizen, good["token"], 5)
    fair = served(app, citizen, clerk)
    rate(citizen, fair["token"], 3, channel="mobile")
    bad = served(app, citizen, clerk)
    rate(citizen, bad["token"], 1, "态度差")
    case_id = db.one("SELECT id FROM rectifications")["id"]
    mgr.post(f"{H}/rectifications/{case_id}/answer", json={"response": "已整改"})
    mgr.post(f"{H}/rectifications/{case_id}/close", json={"outcome": "约谈"})
    # a rating of another day is not in the day's export
    old = served(app, citizen, clerk)
    rate(citizen, old["token"], 4)
    db.write("test", lambda tx: tx.run("UPDATE tickets SET day = '2026-01-05' WHERE number = ?",
                                       (old["ticket"]["number"],)))

    r = mgr.get(f"{H}/ratings?format=csv")
    assert r.status_code == 200
    assert r.mimetype == "text/csv"
    text = r.data.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0] == PLATFORM_HEADER
    body = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert [(b["票号"], b["评价等级"], b["评价等级名称"], b["评价渠道"]) for b in body] == [
        (good["ticket"]["number"], "5", "非常满意", "移动端"),
        (fair["ticket"]["number"], "3", "基本满意", "移动端"),
        (bad["ticket"]["number"], "1", "非常不满意", "现场")]
    for b in body:
        assert (b["服务事项"], b["事项编码"], b["实施部门"], b["办理窗口"], b["工作人员"]) \
            == ("户籍证明与迁移", "hukou", "户籍", "13号窗口", "工作人员01")
        assert len(b["评价时间"]) == 19
    assert [(b["评价原因"], b["整改状态"]) for b in body] \
        == [("", ""), ("", ""), ("态度差", "已整改")]
    assert body[2]["整改时间"]
    assert not body[0]["整改时间"]
    old_day = mgr.get(f"{H}/ratings?format=csv&date=2026-01-05").data.decode()
    assert old["ticket"]["number"] in old_day
    assert len(list(csv.reader(io.StringIO(old_day[1:])))) == 2
    # the same rows as a spreadsheet, numbers as numbers
    from openpyxl import load_workbook

    x = mgr.get(f"{H}/ratings?format=xlsx")
    assert x.status_code == 200
    assert x.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(x.data)).active
    cells = [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]
    assert cells[0] == PLATFORM_HEADER
    assert [row[1:4] for row in cells[1:]] == [
        [good["ticket"]["number"], 5, "非常满意"], [fair["ticket"]["number"], 3, "基本满意"],
        [bad["ticket"]["number"], 1, "非常不满意"]]
    assert [[str(v) for v in row] for row in cells[1:]] == rows[1:]


def test_a_refused_rating_opens_no_case(app, desk, db):
    citizen, clerk = desk
    t = served(app, citizen, clerk)
    for body in ({"score": 1}, {"score": 1, "reason": "差", "channel": "web"},
                 {"score": 0, "reason": "差"}, {"score": "1", "reason": "差"}):
        r = citizen.post(f"/api/v1/tickets/{t['token']}/rating", json=body)
        assert r.status_code in (400, 422), (body, r.json)
        error_code(r)
    assert db.one("SELECT COUNT(*) FROM ratings")[0] == 0
    assert db.one("SELECT COUNT(*) FROM rectifications")[0] == 0
    rate(citizen, t["token"], 1, "态度差", channel="onsite")
    r = citizen.post(f"/api/v1/tickets/{t['token']}/rating", json={"score": 2, "reason": "再评"})
    assert r.status_code == 409
    assert db.one("SELECT COUNT(*) FROM rectifications")[0] == 1
    assert db.one("SELECT channel FROM ratings")[0] == "onsite"
