"""Appointments: booking a slot, checking in as a priority-2 ticket due at the slot."""
from __future__ import annotations

import math
import time
from datetime import datetime

import pytest

from queue_server.domain import appointments, clock

ID = "11010519491231002X"
OTHER_ID = "440524188001010014"



def iso(ts: float) -> str:
    return clock.iso(ts, "Asia/Shanghai")


def next_slot(after: float = 0) -> float:
    return math.ceil((time.time() + after + 1) / appointments.SLOT_S) * appointments.SLOT_S


def book(client, slot_at, id_number=ID, service="estate"):
    return client.post("/api/v1/halls/demo/appointments",
                       json={"service": service, "slot_at": slot_at, "id_number": id_number})


def test_book_then_check_in_gives_a_priority_2_ticket_due_at_the_slot(client, db, open_all_day):
    slot = next_slot()
    r = book(client, iso(slot))
    assert r.status_code == 201, r.json
    appt = r.json["appointment"]
    assert appt["status"] == "booked"
    assert len(appt["code"]) == 8
    assert datetime.fromisoformat(appt["slot_at"]).timestamp() == slot
    t = client.post("/api/v1/halls/demo/tickets", json={
        "service": "estate", "appointment": appt["code"].lower(), "id_number": ID})
    assert t.status_code == 201, t.json
    assert t.json["ticket"]["priority"] == 2
    row = db.one("SELECT priority, due_at FROM tickets WHERE id = ?", (t.json["ticket"]["id"],))
    assert (row["priority"], row["due_at"]) == (2, slot)
    again = client.post("/api/v1/halls/demo/tickets", json={
        "service": "estate", "appointment": appt["code"], "id_number": ID})
    assert again.status_code == 409
    assert again.json["error"]["code"] == "appointment_used"
    audit = db.one("SELECT detail FROM events WHERE action = 'issue' AND ticket = ?",
                   (t.json["ticket"]["id"],))["detail"]
    assert appt["code"] in audit


def test_check_in_needs_the_same_id_and_service(client, open_all_day):
    code = book(client, iso(next_slot())).json["appointment"]["code"]
    for body, err in [({"id_number": OTHER_ID}, "unknown_appointment"),
                      ({}, "unknown_appointment"),
                      ({"id_number": ID, "service": "hukou"}, "appointment_mismatch")]:
        r = client.post("/api/v1/halls/demo/tickets",
                        json={"service": "estate", "appointment": code, **body})
        assert (r.status_code, r.json["error"]["code"]) == (422, err)


def dump(db) -> list[str]:
    return list(db.conn().iterdump())


def test_check_in_without_a_service_uses_the_booked_one(client, db, open_all_day):
    """The kiosk sends only the code and the ID number: the booking fixes the service."""
    slot = next_slot()
    code = book(client, iso(slot)).json["appointment"]["code"]
    r = client.post("/api/v1/halls/demo/tickets",
                    json={"appointment": code, "id_number": ID, "channel": "kiosk"})
    assert r.status_code == 201, r.json
    t = r.json["ticket"]
    assert (t["service"], t["priority"], t["status"]) == ("estate", 2, "waiting")
    assert t["service_name"] == db.one("SELECT name FROM services WHERE id = 'estate'")["name"]
    row = db.one("SELECT service, priority, due_at FROM tickets WHERE id = ?", (t["id"],))
    assert tuple(row) == ("estate", 2, slot)
    appt = db.one("SELECT status, ticket FROM appointments WHERE code = ?", (code,))
    assert tuple(appt) == ("checked_in", t["id"])
    again = client.post("/api/v1/halls/demo/tickets", json={"appointment": code, "id_number": ID})
    assert again.status_code == 409
    assert again.json["error"]["code"] == "appointment_used"


def test_check_in_without_a_service_still_needs_the_right_code_and_id(client, db, open_all_day):
    code = book(client, iso(next_slot())).json["appointment"]["code"]
    before = dump(db)
    for body in [{"appointment": code, "id_number": OTHER_ID}, {"appointment": code},
                 {"appointment": "ZZZZZZZZ", "id_number": ID},
                 {"appointment": "", "id_number": ID}]:
        r = client.post("/api/v1/halls/demo/tickets", json=body)
        assert (r.status_code, r.json["error"]["code"]) == (422, "unknown_appointment"), body
    assert dump(db) == before


def test_check_in_with_another_service_is_refused_and_changes_nothing(client, db, open_all_day):
    code = book(client, iso(next_slot())).json["appointment"]["code"]
    before = dump(db)
    r = client.post("/api/v1/halls/demo/tickets",
                    json={"service": "hukou", "appointment": code, "id_number": ID})
    assert (r.status_code, r.json["error"]["code"]) == (422, "appointment_mismatch")
    assert dump(db) == before
    assert db.one("SELECT status FROM appointments WHERE code = ?", (code,))["status"] == "booked"
    assert db.one("SELECT COUNT(*) FROM tickets")[0] == 0


@pytest.mark.parametrize(("body", "message"), [
    (None, "缺少字段 (missing fields: service)"),
    ({}, "缺少字段 (missing fields: service)"),
    ({"channel": "kiosk", "id_number": ID}, "缺少字段 (missing fields: service)"),
    ({"appointment": None, "id_number": ID}, "缺少字段 (missing fields: service)"),
    ({"service": None}, "缺少字段 service (missing service)"),
])
def test_without_an_appointment_the_service_is_still_required(client, db, body, message):
    before = dump(db)
    r = client.post("/api/v1/halls/demo/tickets", json=body) if body is not None else \
        client.post("/api/v1/halls/demo/tickets")
    assert r.status_code == 400
    assert r.json == {"error": {"code": "missing_field", "message": message}}
    assert dump(db) == before


def test_too_early_to_check_in(client, open_all_day):
    code = book(client, iso(next_slot(after=3 * 3600))).json["appointment"]["code"]
    r = client.post("/api/v1/halls/demo/tickets",
                    json={"service": "estate", "appointment": code, "id_number": ID})
    assert r.status_code == 409
    assert r.json["error"]["code"] == "appointment_not_now"


@pytest.mark.parametrize(("slot_of", "code"), [
    (lambda: iso(time.time() - 3600), "invalid_slot"),               # in the past
    (lambda: iso(next_slot() + 600), "invalid_slot"),                # not on a half hour
    (lambda: iso(next_slot(after=40 * 86400)), "invalid_slot"),      # too far ahead
    (lambda: "tomorrow at ten", "invalid_slot"),
])
def test_bad_slots(client, db, open_all_day, slot_of, code):
    r = book(client, slot_of())
    assert (r.status_code, r.json["error"]["code"]) == (422, code)
    assert db.one("SELECT COUNT(*) FROM appointments")[0] == 0


def test_outside_opening_hours(client):
    # The demo hall opens 09:00-17:30: 03:00 tomorrow is never bookable.
    day = clock.day_of(time.time() + 86400, "Asia/Shanghai")
    r = book(client, f"{day}T03:00:00+08:00")
    assert r.status_code == 422
    assert r.json["error"]["code"] == "invalid_slot"


def test_slot_capacity_and_one_booking_per_person(client, open_all_day):
    slot = iso(next_slot(after=86400))
    assert book(client, slot).status_code == 201
    assert book(client, slot).json["error"]["code"] == "already_booked"
    others = _valid_ids(appointments.PER_SLOT)
    codes = [book(client, slot, i).status_code for i in others]
    assert codes == [201] * (appointments.PER_SLOT - 1) + [409]


def _valid_ids(n: int) -> list[str]:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    out = []
    for k in range(n):
        body = f"1101051980010{k:04d}"
        total = sum(int(d) * w for d, w in zip(body, weights, strict=True))
        out.append(body + "10X98765432"[total % 11])
    return out


def test_due_appointment_is_called_before_earlier_ordinary_tickets(app, db, client, auth,
                                                                   open_all_day):
    citizen = app.test_client()
    for _ in range(3):
        citizen.post("/api/v1/halls/demo/tickets", json={"service": "estate"})
    code = book(citizen, iso(next_slot())).json["appointment"]["code"]
    # The slot began five minutes ago (booked earlier for then): the ticket is due now.
    db.write("test", lambda tx: tx.run("UPDATE appointments SET slot_at = ? WHERE code = ?",
                                       (time.time() - 300, code)))
    appt = citizen.post("/api/v1/halls/demo/tickets", json={
        "service": "estate", "appointment": code, "id_number": ID}).json["ticket"]
    auth.login("clerk01")
    client.post("/api/v1/windows/W12/open")
    assert client.post("/api/v1/windows/W12/call-next").json["ticket"]["id"] == appt["id"]


def test_a_cancelled_check_in_can_check_in_again(client, open_all_day):
    code = book(client, iso(next_slot())).json["appointment"]["code"]
    body = {"service": "estate", "appointment": code, "id_number": ID}
    first = client.post("/api/v1/halls/demo/tickets", json=body).json
    assert client.delete(f"/api/v1/tickets/{first['token']}").status_code == 200
    again = client.post("/api/v1/halls/demo/tickets", json=body)
    assert again.status_code == 201
    assert again.json["ticket"]["priority"] == 2
