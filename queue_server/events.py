"""Live event names and room names, defined once for the server, tests and pages.

Payloads are built by the ticket lifecycle and window code; they carry ticket numbers and
window names only, never an ID or phone number.
"""
from __future__ import annotations


class Event:
    name: str = ""


class TicketCalled(Event):
    """A ticket was called (or recalled) to a window: hall, zone, window and ticket rooms."""

    name = "ticket.called"


class QueueUpdated(Event):
    """Waiting counts per service changed: hall room."""

    name = "queue.updated"


class WindowUpdated(Event):
    """A window's state, clerk, skills or current ticket changed: hall and window rooms."""

    name = "window.updated"


class TicketUpdated(Event):
    """One ticket's public view changed: that ticket's room."""

    name = "ticket.updated"


class HallUpdated(Event):
    """The hall's name, notices or opening hours changed: hall room."""

    name = "hall.updated"


class Snapshot(Event):
    """The full state for a subscription, sent in answer to ``subscribe``."""

    name = "snapshot"


class WaitAlert(Event):
    """A waiting ticket passed its service's wait limit (超时预警): the hall's managers room."""

    name = "alert.wait"


class Batch(Event):
    """A hall or zone subscriber that asked for ``batch``: one transaction's events for its
    room in one frame, ``{"events": [{"name", "data"}, ...]}`` in ``seq`` order (a call is
    one frame per screen instead of three)."""

    name = "batch"


class QueuePositions(Event):
    """Positions and ETAs of the followed waiting tickets of one service, for the phones that
    subscribed with ``positions``: one frame per service instead of one emit per phone; each
    phone finds its own number. Numbers only (as on the hall screen), never a token."""

    name = "queue.positions"


ALL = [TicketCalled, QueueUpdated, WindowUpdated, TicketUpdated, HallUpdated, Snapshot,
       WaitAlert, Batch, QueuePositions]
NAMES = {e.name for e in ALL}


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
