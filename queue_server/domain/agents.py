"""Elderly priority and 代办 (taking a ticket for someone else), both decided from ID numbers.

An ID read at the kiosk (typed, or from a card reader that types like a keyboard) gives the
ticket priority automatically when its holder is at least ``ELDERLY_AGE`` on the hall's day
(GB 11643: the birth date is digits 7-14). An agent may take a ticket for another person with
both ID numbers; halls limit professional agents, so one agent takes at most
``AGENT_PER_DAY`` tickets a day across the halls of this server. Only keyed hashes of the IDs
are stored (``agent_tickets``), and the purge clears them with the rest (privacy.py).
"""
from __future__ import annotations

from datetime import date

from queue_server.errors import too_many
from queue_server.store.db import Tx


def birth_date(id_number: str) -> date | None:
    """The holder's birth date from an 18-digit resident ID, or None if it is no date."""
    try:
        return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except ValueError:
        return None


def age_on(id_number: str, day: str) -> int | None:
    born, today = birth_date(id_number), date.fromisoformat(day)
    if born is None or born > today:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def elderly(id_number: str | None, day: str, threshold: int) -> bool:
    """Whether the ID's holder is at least ``threshold`` years old on ``day`` (0: never)."""
    if not id_number or threshold <= 0:
        return False
    age = age_on(id_number, day)
    return age is not None and age >= threshold


def check_agent(tx: Tx, agent_hash: str, day: str, limit: int) -> None:
    """Refuse a 代办 ticket past the agent's daily limit (changes nothing)."""
    n = tx.one("SELECT COUNT(*) FROM agent_tickets WHERE agent_hash = ? AND day = ?",
               (agent_hash, day))[0]
    if n >= limit:
        raise too_many(f"该代办人今日代办次数已达上限（{limit} 次） (this agent's daily limit of"
                       f" {limit} tickets is reached)")


def record_agent(tx: Tx, hall: str, day: str, ticket: int, agent_hash: str) -> None:
    tx.run("INSERT INTO agent_tickets (ticket, hall, day, agent_hash) VALUES (?, ?, ?, ?)",
           (ticket, hall, day, agent_hash))
