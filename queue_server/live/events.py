"""Live events, defined once: one frozen dataclass per event with its fields and its rooms.

``Tx.emit(event)`` queues an event inside a write (it gets the hall's next ``seq``); the
publisher and the hub send the others. ``payload()`` is exactly what goes on the wire: the
fields marked ``local()`` only choose rooms. Payloads carry ticket numbers and window names,
never an ID or phone number. ``docs/api.md``'s event table is checked against these classes.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, ClassVar


def local(default: Any = None) -> Any:
    """A field that chooses rooms but is not sent."""
    return field(default=default, metadata={"wire": False})


@dataclass(frozen=True)
class Event:
    NAME: ClassVar[str] = ""
    # the kinds of room the event goes to, as documented in docs/api.md
    rooms_doc: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def wire_fields(cls) -> list[str]:
        return [f.name for f in fields(cls) if f.metadata.get("wire", True)]

    def payload(self) -> dict:
        return {name: getattr(self, name) for name in self.wire_fields()}

    def rooms(self) -> list[str]:
        return []


@dataclass(frozen=True)
class TicketCalled(Event):
    """A ticket was called (or recalled) to a window."""

    NAME: ClassVar[str] = "ticket.called"
    rooms_doc: ClassVar[tuple[str, ...]] = ("hall", "zone", "window", "ticket")
    ticket: int
    number: str
    window: dict  # {"id", "name", "name_en"}
    service: str
    service_name: str
    service_name_en: str
    recall: int
    called_at: str
    zone: str
    hall: str
    follow_room: str = local("")  # the citizen's room (one for a whole chain of transfers)

    def rooms(self) -> list[str]:
        rooms = [hall_room(self.hall), window_room(self.window["id"]), self.follow_room]
        return rooms + ([zone_room(self.hall, self.zone)] if self.zone else [])


@dataclass(frozen=True)
class QueueUpdated(Event):
    """Waiting counts per service changed."""

    NAME: ClassVar[str] = "queue.updated"
    rooms_doc: ClassVar[tuple[str, ...]] = ("hall", "zone")
    hall: str
    waiting: dict  # {service: n}
    total: int
    zones: tuple[str, ...] = local(())

    def rooms(self) -> list[str]:
        return [hall_room(self.hall), *(zone_room(self.hall, z) for z in self.zones)]


@dataclass(frozen=True)
class WindowUpdated(Event):
    """A window's state, clerk, skills or current ticket changed."""

    NAME: ClassVar[str] = "window.updated"
    rooms_doc: ClassVar[tuple[str, ...]] = ("hall", "zone", "window")
    window: dict  # the Window object

    @property
    def hall(self) -> str:
        return self.window["hall"]

    def rooms(self) -> list[str]:
        rooms = [hall_room(self.hall), window_room(self.window["id"])]
        return rooms + ([zone_room(self.hall, self.window["zone"])] if self.window["zone"] else [])


@dataclass(frozen=True)
class TicketUpdated(Event):
    """One ticket's public view changed (sent by the publisher's refresher)."""

    NAME: ClassVar[str] = "ticket.updated"
    rooms_doc: ClassVar[tuple[str, ...]] = ("ticket",)
    ticket: dict  # the Ticket object
    seq: int
    room: str = local("")

    def rooms(self) -> list[str]:
        return [self.room]


@dataclass(frozen=True)
class HallUpdated(Event):
    """The hall's name, notices or opening hours changed."""

    NAME: ClassVar[str] = "hall.updated"
    rooms_doc: ClassVar[tuple[str, ...]] = ("hall",)
    hall: str
    name: str
    name_en: str
    notices: list
    open_s: int | None
    close_s: int | None

    def rooms(self) -> list[str]:
        return [hall_room(self.hall)]


@dataclass(frozen=True)
class Snapshot(Event):
    """The full state for a subscription, sent in answer to ``subscribe``; its shape depends
    on what was subscribed (docs/api.md)."""

    NAME: ClassVar[str] = "snapshot"
    rooms_doc: ClassVar[tuple[str, ...]] = ("the subscriber",)
    state: dict

    def payload(self) -> dict:
        return self.state

    @classmethod
    def wire_fields(cls) -> list[str]:
        return ["seq"]


@dataclass(frozen=True)
class WaitAlert(Event):
    """A waiting ticket passed its service's wait limit (超时预警)."""

    NAME: ClassVar[str] = "alert.wait"
    rooms_doc: ClassVar[tuple[str, ...]] = ("managers",)
    hall: str
    ticket: int
    number: str
    service: str
    service_name: str
    service_name_en: str
    priority: int
    issued_at: str
    waited_s: int
    limit_s: int

    def rooms(self) -> list[str]:
        return [managers_room(self.hall)]


@dataclass(frozen=True)
class OvertimeAlert(Event):
    """A ticket has been served longer than its service's norm (办理超时)."""

    NAME: ClassVar[str] = "alert.overtime"
    rooms_doc: ClassVar[tuple[str, ...]] = ("managers",)
    hall: str
    ticket: int
    number: str
    service: str
    service_name: str
    service_name_en: str
    window: str | None
    clerk: str | None
    served_s: int
    limit_s: int

    def rooms(self) -> list[str]:
        return [managers_room(self.hall)]


@dataclass(frozen=True)
class RectificationAlert(Event):
    """A rectification case (整改) is still open past its due time."""

    NAME: ClassVar[str] = "alert.rectification"
    rooms_doc: ClassVar[tuple[str, ...]] = ("managers",)
    hall: str
    case: int
    ticket: int
    number: str
    status: str
    owner: str | None
    due_at: str

    def rooms(self) -> list[str]:
        return [managers_room(self.hall)]


@dataclass(frozen=True)
class Batch(Event):
    """For a hall or zone subscriber that asked for ``batch``: one transaction's events for
    its room in one frame, in ``seq`` order (a call is one frame per screen instead of three)."""

    NAME: ClassVar[str] = "batch"
    rooms_doc: ClassVar[tuple[str, ...]] = ("hall", "zone")
    events: list  # [{"name", "data"}]
    room: str = local("")

    def rooms(self) -> list[str]:
        return [self.room]


@dataclass(frozen=True)
class QueuePositions(Event):
    """Positions and ETAs of the followed waiting tickets of one service, for the phones that
    subscribed with ``positions``: one frame per service instead of one emit per phone; each
    phone finds its own number. Numbers only (as on the hall screen), never a token."""

    NAME: ClassVar[str] = "queue.positions"
    rooms_doc: ClassVar[tuple[str, ...]] = ("positions",)
    hall: str
    service: str
    seq: int
    positions: dict  # {"<number>": [position, eta_s]}

    def rooms(self) -> list[str]:
        return [positions_room(self.hall, self.service)]


@dataclass(frozen=True)
class HoldsUpdated(Event):
    """A ticket was held, resumed or put back in line (by a clerk or the hall's timer): the
    held lists of the clerk terminals and the monitor changed. No hold reason goes out."""

    NAME: ClassVar[str] = "holds.updated"
    rooms_doc: ClassVar[tuple[str, ...]] = ("hall",)
    hall: str
    ticket: int
    number: str
    kind: str      # keep | release | wait
    status: str    # held, serving (resumed) or waiting (back in line)
    held: int      # the hall's held tickets now

    def rooms(self) -> list[str]:
        return [hall_room(self.hall)]


@dataclass(frozen=True)
class DeviceAlert(Event):
    """A registered device went quiet (no heartbeat) or its printer reports a problem
    (paper-out first of all); ``problem`` says which (queue_server/live/device_watch.py)."""

    NAME: ClassVar[str] = "alert.device"
    rooms_doc: ClassVar[tuple[str, ...]] = ("managers",)
    hall: str
    device: int
    kind: str
    name: str
    window: str | None
    problem: str  # quiet | paper_out | cover_open | error | offline | unreachable
    printer_state: str | None
    last_seen_at: str | None

    def rooms(self) -> list[str]:
        return [managers_room(self.hall)]


@dataclass(frozen=True)
class CaseUpdated(Event):
    """A case (办件) of the approval system got a new step: to the citizen following the
    ticket it was served on, and to the hall's managers. Never an ID number."""

    NAME: ClassVar[str] = "case.updated"
    rooms_doc: ClassVar[tuple[str, ...]] = ("ticket", "managers")
    hall: str
    case_no: str
    number: str  # the ticket's
    service: str
    status: str
    at: str
    follow_room: str = local("")

    def rooms(self) -> list[str]:
        return [self.follow_room, managers_room(self.hall)]


@dataclass(frozen=True)
class CaseReady(Event):
    """A case is ready to collect (待领取, 出件): the citizen's page says so at once."""

    NAME: ClassVar[str] = "case.ready"
    rooms_doc: ClassVar[tuple[str, ...]] = ("ticket", "managers")
    hall: str
    case_no: str
    number: str
    service: str
    service_name: str
    at: str
    follow_room: str = local("")

    def rooms(self) -> list[str]:
        return [self.follow_room, managers_room(self.hall)]


def send(socketio: Any, event: Event, to: str | None = None) -> None:
    """Emit an event to its rooms, or to ``to`` (one subscriber's sid)."""
    if to is None:
        rooms = event.rooms()
        to = rooms[0] if len(rooms) == 1 else rooms  # one room: the plain form of the call
    socketio.emit(event.NAME, event.payload(), to=to)


ALL: list[type[Event]] = [TicketCalled, QueueUpdated, WindowUpdated, TicketUpdated, HallUpdated,
                          Snapshot, WaitAlert, OvertimeAlert, RectificationAlert, Batch,
                          QueuePositions, HoldsUpdated, DeviceAlert, CaseUpdated, CaseReady]
NAMES = {e.NAME for e in ALL}


def hall_room(hall: str) -> str:
    return f"hall:{hall}"


def zone_room(hall: str, zone: str) -> str:
    return f"zone:{hall}:{zone}"


def batch_room(room: str) -> str:
    """The batched twin of a hall or zone room (its members get ``batch`` frames instead)."""
    return f"{room}|batch"


BATCHED = ("hall:", "zone:")  # the rooms that have a batched twin


def window_room(window: str) -> str:
    return f"window:{window}"


def ticket_room(ticket_id: int) -> str:
    # Rooms are keyed by id, never by the citizen's secret token.
    return f"ticket:{ticket_id}"


def positions_room(hall: str, service: str) -> str:
    return f"positions:{hall}:{service}"


def managers_room(hall: str) -> str:
    return f"managers:{hall}"
