"""Appointments end to end: free slots with each service's capacity, booking, the booking's
page data, cancel, reschedule, check-in by phone, missed bookings marked at the slot's end
(audited, in the statistics), repeated no-shows blocking booking; and bad input of every
kind answered in the contract's error shape, changing nothing (Hypothesis)."""
from __future__ import annotations

import math
import time
from datetime import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from queue_server.api.fields import keyed_hash
from queue_server.domain import appointments, clock
from queue_server.errors import ApiError
from queue_server.live import bookings
from tests.helpers import PASSWORD
from tests.test_appointments import iso, next_slot

H = "/api/v1/halls/demo"
ID = "11010519491231002X"
OTHER_ID = "440524188001010014"
DAY_S = 86400



def book(client, slot_at: float, id_number: str = ID, service: str = "estate"):
    return client.post(f"{H}/appointments", json={"service": service, "slot_at": iso(slot_at),
                                                  "id_number": id_number})


def manager(app):
    m = app.test_client()
    m.post("/api/v1/auth/login", json={"username": "manager", "password": PASSWORD})
    return m


def test_slots_show_the_services_capacity_and_what_is_free(app, client, open_all_day):
    r = manager(app).patch(f"{H}/services/estate", json={"slot_capacity": 2})
    assert r.status_code == 200, r.json
    assert manager(app).get(f"{H}/admin").json["services"][0].keys() >= {"slot_capacity"}
    slot = next_slot(DAY_S)
    day = clock.day_of(slot, "Asia/Shanghai")
    before = client.get(f"{H}/slots?service=estate&date={day}").json["slots"]
    assert len(before) == 48
    mine = next(s for s in before if datetime.fromisoformat(s["slot_at"]).timestamp() == slot)
    assert (mine["capacity"], mine["free"]) == (2, 2)
    assert book(client, slot).status_code == 201
    assert book(client, slot, OTHER_ID).status_code == 201
    third = book(client, slot, "110105194912310038")
    assert (third.status_code, third.json["error"]["code"]) == (409, "slot_full")
    after = client.get(f"{H}/slots?service=estate&date={day}").json["slots"]
    mine = next(s for s in after if s["slot_at"] == mine["slot_at"])
    assert mine["free"] == 0
    assert sum(s["free"] for s in after) == sum(s["free"] for s in before) - 2
    today = client.get(f"{H}/slots?service=estate").json
    past = [s for s in today["slots"] if datetime.fromisoformat(s["slot_at"]).timestamp()
            <= time.time()]
    assert all(s["free"] == 0 for s in past)         # a slot begun takes no booking
    manager(app).patch(f"{H}/services/estate", json={"slot_capacity": 0})
    off = book(client, next_slot(2 * DAY_S))
    assert (off.status_code, off.json["error"]["code"]) == (422, "not_bookable")


def test_cancel_and_reschedule_need_the_holders_id_and_answer_one_404(client, db, open_all_day):
    slot = next_slot(DAY_S)
    code = book(client, slot).json["appointment"]["code"]
    shown = client.get(f"/api/v1/appointments/{code}").json["appointment"]
    assert (shown["status"], shown["service"]) == ("booked", "estate")
    assert "id_hash" not in shown
    wrong = client.post(f"/api/v1/appointments/{code}/cancel", json={"id_number": OTHER_ID})
    unknown = client.post("/api/v1/appointments/ZZZZZZZZ/cancel", json={"id_number": ID})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json == unknown.json
    wrong = client.post(f"/api/v1/appointments/{code}/reschedule",
                        json={"id_number": OTHER_ID, "slot_at": iso(slot + 1800)})
    assert (wrong.status_code, wrong.json) == (404, unknown.json)
    moved = client.post(f"/api/v1/appointments/{code}/reschedule",
                        json={"id_number": ID, "slot_at": iso(slot + 1800)})
    assert moved.status_code == 200, moved.json
    assert moved.json["appointment"]["code"] == code
    assert datetime.fromisoformat(moved.json["appointment"]["slot_at"]).timestamp() == slot + 1800
    gone = client.post(f"/api/v1/appointments/{code}/cancel", json={"id_number": ID})
    assert gone.json["appointment"]["status"] == "cancelled"
    again = client.post(f"/api/v1/appointments/{code}/cancel", json={"id_number": ID})
    assert (again.status_code, again.json["error"]["code"]) == (409, "appointment_cancelled")
    actions = [r["action"] for r in db.all(
        "SELECT action FROM events WHERE action LIKE 'appointment_%' ORDER BY seq")]
    assert actions == ["appointment_book", "appointment_reschedule", "appointment_cancel"]
    assert book(client, slot).status_code == 201     # a cancelled place is free again


def test_check_in_by_phone_gives_the_priority_ticket(client, db, open_all_day):
    slot = next_slot()
    code = book(client, slot).json["appointment"]["code"]
    wrong = client.post(f"/api/v1/appointments/{code}/check-in", json={"id_number": OTHER_ID})
    assert wrong.status_code == 404
    r = client.post(f"/api/v1/appointments/{code.lower()}/check-in", json={"id_number": ID})
    assert r.status_code == 201, r.json
    assert (r.json["ticket"]["priority"], r.json["ticket"]["status"]) == (2, "waiting")
    assert client.get(f"/api/v1/tickets/{r.json['token']}").status_code == 200
    assert client.get(f"/api/v1/appointments/{code}").json["appointment"]["status"] == \
        "checked_in"
    twice = client.post(f"/api/v1/appointments/{code}/check-in", json={"id_number": ID})
    assert (twice.status_code, twice.json["error"]["code"]) == (409, "appointment_used")


def test_missed_bookings_are_marked_audited_counted_and_block_booking(app, client, db,
                                                                      open_all_day):
    slots = [next_slot(DAY_S * k) for k in (1, 2, 3)]
    for s in slots:
        assert book(client, s).status_code == 201
    assert bookings.settle(db, now=slots[0] + 1799) == []  # the slot has not ended
    late = slots[2] + 1800
    assert len(bookings.settle(db, now=late)) == 3
    assert bookings.settle(db, now=late) == []            # once
    assert db.one("SELECT COUNT(*) FROM events WHERE action = 'appointment_missed'"
                  " AND actor = 'system'")[0] == 3
    day = clock.day_of(slots[0], "Asia/Shanghai")
    st_ = manager(app).get(f"{H}/stats?date={day}").json
    assert st_["appointments"]["missed"] == 1
    # three missed within 30 days: booking is refused for 7 days after the last
    with app.app_context():
        id_hash = keyed_hash(ID)
    blocked = db.write("citizen", lambda tx: _book_at(tx, late + 3600, id_hash))
    assert blocked == "booking_blocked"
    assert db.write("citizen", lambda tx: _book_at(tx, late + 7 * DAY_S + 3600,
                                                   id_hash)) == "booked"


def _book_at(tx, now: float, id_hash: str) -> str:
    """A booking made at ``now`` (the block is days long: the API cannot wait that long)."""
    tx.now = now
    slot = math.ceil((now + 3 * 3600) / 1800) * 1800
    try:
        return appointments.book(tx, "demo", "estate", slot, id_hash)["status"]
    except ApiError as e:
        return e.code


# -- bad input changes nothing ---------------------------------------------------------------

BAD = st.sampled_from(["unknown_slot", "off_grid", "outside_horizon", "full", "twice",
                       "malformed_id", "wrong_id_cancel", "wrong_id_reschedule",
                       "unknown_code", "bad_service", "bad_date"])


def _state(db) -> tuple:
    return (tuple(tuple(r) for r in db.all("SELECT * FROM appointments ORDER BY code")),
            db.one("SELECT COUNT(*) FROM events")[0])


def _bad_request(client, kind: str, code: str, full_slot: float, mine: float):
    post = client.post
    requests = {
        "unknown_slot": lambda: post(f"{H}/appointments", json={
            "service": "estate", "slot_at": "2026-13-40T10:00", "id_number": OTHER_ID}),
        "off_grid": lambda: post(f"{H}/appointments", json={
            "service": "estate", "slot_at": iso(mine + 600), "id_number": OTHER_ID}),
        "outside_horizon": lambda: book(client, mine + 40 * DAY_S, OTHER_ID),
        "full": lambda: book(client, full_slot, OTHER_ID),
        "twice": lambda: book(client, mine + 3600),
        "malformed_id": lambda: book(client, mine + 3600, "110105194912310021"),
        "wrong_id_cancel": lambda: post(f"/api/v1/appointments/{code}/cancel",
                                        json={"id_number": OTHER_ID}),
        "wrong_id_reschedule": lambda: post(f"/api/v1/appointments/{code}/reschedule",
                                            json={"id_number": OTHER_ID,
                                                  "slot_at": iso(mine + 1800)}),
        "unknown_code": lambda: post("/api/v1/appointments/NOSUCH00/reschedule",
                                     json={"id_number": ID, "slot_at": iso(mine + 1800)}),
        "bad_service": lambda: client.get(f"{H}/slots?service=nope"),
        "bad_date": lambda: client.get(f"{H}/slots?service=estate&date=2026-02-30"),
    }
    return requests[kind]()


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kinds=st.lists(BAD, min_size=1, max_size=6))
def test_bad_input_gets_the_error_shape_and_changes_nothing(app, client, db, open_all_day,
                                                          kinds):
    if db.one("SELECT COUNT(*) FROM appointments")[0] == 0:  # once per app
        manager(app).patch(f"{H}/services/estate", json={"slot_capacity": 1})
        tomorrow = clock.day_of(time.time() + DAY_S, "Asia/Shanghai")
        noon = clock.day_bounds(tomorrow, "Asia/Shanghai")[0] + 12 * 3600
        assert book(client, noon - 7200, "110105194912310038").status_code == 201
        assert book(client, noon).status_code == 201
    full, mine = (r["slot_at"] for r in db.all(
        "SELECT slot_at FROM appointments ORDER BY slot_at"))
    code = db.one("SELECT code FROM appointments WHERE slot_at = ?", (mine,))["code"]
    before = _state(db)
    for kind in kinds:
        r = _bad_request(client, kind, code, full, mine)
        assert 400 <= r.status_code < 500, (kind, r.status_code, r.json)
        assert set(r.json) == {"error"}
        assert set(r.json["error"]) == {"code", "message"}
        assert r.json["error"]["code"].replace("_", "").isalpha()
    assert _state(db) == before
