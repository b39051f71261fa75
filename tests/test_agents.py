"""Elderly priority from the ID's birth date, and 代办 (a ticket taken by an agent for someone
else) with its daily limit per agent; each refusal changes nothing."""
from __future__ import annotations

from datetime import date

import pytest

from queue_server import create_app, registry
from queue_server.domain import agents, clock

H = "/api/v1/halls/demo"
TZ = "Asia/Shanghai"


def make_id(born: date, serial: int = 1) -> str:
    """A valid GB 11643 resident ID (Beijing) of someone born on ``born``."""
    body = f"110105{born:%Y%m%d}{serial:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]


def years_ago(n: int, days: int = 0) -> date:
    today = date.fromisoformat(clock.day_of(clock.now(), TZ))
    born = today.replace(year=today.year - n) if (today.month, today.day) != (2, 29) \
        else today.replace(year=today.year - n, day=28)
    return date.fromordinal(born.toordinal() + days)


def issue(client, **body):
    return client.post(f"{H}/tickets", json={"service": "hukou", **body})


def test_age_from_the_id():
    assert agents.age_on(make_id(date(1950, 6, 15)), "2026-06-14") == 75
    assert agents.age_on(make_id(date(1950, 6, 15)), "2026-06-15") == 76
    assert agents.birth_date("110105" + "19501340" + "0012") is None  # month 13: no date
    assert not agents.elderly(make_id(date(1950, 1, 1)), "2026-06-15", 0)  # off


def test_an_elderly_id_gets_priority_and_the_audit_says_why(client, db):
    r = issue(client, id_number=make_id(years_ago(70)))  # 70 today
    assert r.status_code == 201, r.json
    assert r.json["ticket"]["priority"] == 1
    detail = db.one("SELECT detail FROM events WHERE action = 'issue' ORDER BY seq DESC")[0]
    assert '"elderly": true' in detail
    young = issue(client, id_number=make_id(years_ago(70, days=1), 2))  # 70 tomorrow
    assert young.json["ticket"]["priority"] == 0
    assert issue(client).json["ticket"]["priority"] == 0  # no ID, no guess


def test_the_age_threshold_is_the_halls_setting(tmp_path, demo_template):
    import shutil
    for suffix in ("", ".secret", ".idkey"):
        shutil.copy(f"{demo_template}{suffix}", tmp_path / f"hallq.db{suffix}")
    app = create_app({"DB": str(tmp_path / "hallq.db"), "TESTING": True, "ELDERLY_AGE": 60})
    try:
        c = app.test_client()
        assert issue(c, id_number=make_id(years_ago(61))).json["ticket"]["priority"] == 1
        assert issue(c, id_number=make_id(years_ago(59), 2)).json["ticket"]["priority"] == 0
    finally:
        registry.db(app).close()


def test_an_agent_takes_tickets_for_others_up_to_the_daily_limit(client, db, app):
    agent = make_id(date(1985, 3, 3), 9)
    limit = app.config["AGENT_PER_DAY"]
    for i in range(limit):
        r = issue(client, id_number=make_id(date(1990, 1, 1), i + 1), agent_id_number=agent)
        assert r.status_code == 201, r.json
    assert db.one("SELECT COUNT(*) FROM agent_tickets")[0] == limit
    assert agent not in "\n".join(db.conn().iterdump())  # only its keyed hash is kept
    before = db.one("SELECT COUNT(*) FROM tickets")[0]
    r = issue(client, id_number=make_id(date(1990, 1, 1), 50), agent_id_number=agent)
    assert r.status_code == 429
    assert set(r.json) == {"error"}
    assert db.one("SELECT COUNT(*) FROM tickets")[0] == before
    assert db.one("SELECT COUNT(*) FROM agent_tickets")[0] == limit
    details = [r[0] for r in db.all("SELECT detail FROM events WHERE action = 'issue'")]
    assert sum('"agent": true' in d for d in details) == limit
    # another agent is not held back by this one's limit
    other = issue(client, id_number=make_id(date(1990, 1, 1), 51),
                  agent_id_number=make_id(date(1985, 3, 3), 10))
    assert other.status_code == 201


@pytest.mark.parametrize(("body", "status", "code"), [
    ({"agent_id_number": make_id(date(1985, 3, 3))}, 400, "missing_field"),
    ({"agent_id_number": make_id(date(1985, 3, 3)), "id_number": make_id(date(1985, 3, 3))},
     422, "agent_is_holder"),
    ({"agent_id_number": "110105198503030011", "id_number": make_id(date(1990, 1, 1))},
     422, "invalid_id_number"),
])
def test_bad_agent_input_is_refused_and_changes_nothing(client, db, body, status, code):
    before = db.one("SELECT COUNT(*) FROM tickets")[0]
    r = issue(client, **body)
    assert r.status_code == status, r.json
    assert r.json["error"]["code"] == code
    assert db.one("SELECT COUNT(*) FROM tickets")[0] == before
