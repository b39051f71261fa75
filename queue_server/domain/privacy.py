"""Personal data (PIPL): screening free text before it is stored, and the retention purge.

**Screening.** Free text a citizen or clerk types (a rating's comment and reason, a hold or
pause reason, a username tried at a failed login) may hold an ID number or a phone number.
:func:`mask` replaces every long number (11 or more digits, spaces or hyphens between them
allowed, full-width digits too, an ID number's final X included) with ``*``: that covers
18- and 15-digit ID numbers, mainland mobile numbers (1[3-9] and 9 digits, also after +86),
landlines with area code and bank cards. Shorter numbers ("等了45分钟") stay.

**Retention.** ID and phone numbers are stored only as keyed hashes, and still they are
personal data. :func:`purge` clears them, for days older than ``HALLQ_PERSONAL_DATA_DAYS``
(default 30), in every table that holds them: ``tickets.id_hash`` and ``tickets.phone_hash``
(every leg of a transferred ticket), ``appointments.id_hash``; and it replaces rating
comments (which may name the citizen however well screened) and rectification cases'
responses and outcomes with :data:`PURGED_COMMENT`, and deletes the 电子监察 feed's notices
(``supervision_outbox``) and the citizens' notices (``notice_outbox``) written before the
cutoff. The phone number sealed for notices (``tickets.phone_enc``, ``appointments.phone_enc``,
see :func:`seal`) is cleared sooner: once its ticket's day (or its booking's slot day) is over.
Statistics never read these columns, so every figure stays exact. One hall's purge is one
transaction with one audit event (``personal_data_purge``, counts only).

The audit log (``events``) holds no personal data (details are numbers, services, states,
screened reasons), so the purge never touches it: audit events are kept (at least the 180 days
网络安全法 asks for; nothing deletes them) and the hash chain stays verifiable.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import sqlite3
from datetime import date, timedelta

from queue_server.domain import clock
from queue_server.store.db import Tx

DEFAULT_DAYS = 30
AUDIT_RETENTION_DAYS = 180  # 网络安全法: logs kept at least six months; nothing deletes events
PURGED_COMMENT = "〔已清除 (removed)〕"
PURGE_ACTION = "personal_data_purge"

# A run of digits with at most one space or hyphen (ASCII or full-width) between two of them,
# and an ID number's check character X at its end.
_NUMBER = re.compile(r"\d(?:[ \-\u3000\uff0d]?\d)*[Xx\uff38\uff58]?")
_MIN_DIGITS = 11  # a mobile number's length; ID numbers (15, 18) and bank cards are longer


def mask(text: str | None) -> str | None:
    """``text`` with every long number replaced by asterisks of the same length."""
    if not text:
        return text

    def _star(m: re.Match[str]) -> str:
        digits = sum(ch.isdigit() for ch in m.group())
        return "*" * len(m.group()) if digits >= _MIN_DIGITS else m.group()

    return _NUMBER.sub(_star, text)


# -- sealing: a phone number kept for notices, encrypted (not only hashed) ---------------------
# The standard library has no cipher, so the seal is HMAC-SHA256 in counter mode (a PRF
# keystream, as in NIST SP 800-108's counter KDF) with a fresh 128-bit nonce, then an
# HMAC-SHA256 tag over version, nonce and ciphertext (encrypt-then-MAC): confidential and
# tamper-evident for short values. The two subkeys are derived from ``HALLQ_PHONE_KEY`` (a file
# beside the database, like the ID hash key), so the database alone reveals nothing.
_SEAL_VERSION = b"s1"


def _subkey(key: str, purpose: bytes) -> bytes:
    return hmac.new(key.encode(), b"hallq-seal|" + purpose, hashlib.sha256).digest()


def _keystream(key: bytes, nonce: bytes, n: int) -> bytes:
    out = bytearray()
    counter = 0
    while len(out) < n:
        out += hmac.new(key, nonce + counter.to_bytes(4, "big"), hashlib.sha256).digest()
        counter += 1
    return bytes(out[:n])


def seal(key: str, text: str) -> str:
    """``text`` encrypted and authenticated with ``key``: ``s1.<base64url>``."""
    nonce, plain = secrets.token_bytes(16), text.encode()
    ct = bytes(a ^ b for a, b in zip(plain, _keystream(_subkey(key, b"enc"), nonce, len(plain)),
                                     strict=True))
    tag = hmac.new(_subkey(key, b"mac"), _SEAL_VERSION + nonce + ct, hashlib.sha256).digest()
    return "s1." + base64.urlsafe_b64encode(nonce + ct + tag[:16]).decode().rstrip("=")


def unseal(key: str, sealed: str | None) -> str | None:
    """What :func:`seal` sealed, or None (nothing sealed, another key, or tampered with)."""
    if not sealed or not sealed.startswith("s1."):
        return None
    try:
        raw = base64.urlsafe_b64decode(sealed[3:] + "=" * (-len(sealed[3:]) % 4))
    except ValueError:
        return None
    nonce, ct, tag = raw[:16], raw[16:-16], raw[-16:]
    want = hmac.new(_subkey(key, b"mac"), _SEAL_VERSION + nonce + ct, hashlib.sha256).digest()
    if len(raw) < 32 or not hmac.compare_digest(tag, want[:16]):
        return None
    stream = _keystream(_subkey(key, b"enc"), nonce, len(ct))
    return bytes(a ^ b for a, b in zip(ct, stream, strict=True)).decode()


def cutoff_day(today: str, days: int) -> str:
    """The first day still kept: days before it are older than the retention."""
    return (date.fromisoformat(today) - timedelta(days=days)).isoformat()


def _scopes(hall: str, before: str, tz: str, today: str) -> dict[str, tuple[str, str, tuple]]:
    """Per table: (what is counted, the UPDATE that clears it, its parameters)."""
    start = clock.day_bounds(before, tz)[0]
    today_start = clock.day_bounds(today, tz)[0]
    return {
        "tickets": (
            "SELECT COUNT(*) FROM tickets WHERE hall = ? AND day < ?"
            " AND (id_hash IS NOT NULL OR phone_hash IS NOT NULL)",
            "UPDATE tickets SET id_hash = NULL, phone_hash = NULL WHERE hall = ? AND day < ?"
            " AND (id_hash IS NOT NULL OR phone_hash IS NOT NULL)",
            (hall, before)),
        "appointments": (
            "SELECT COUNT(*) FROM appointments WHERE hall = ? AND slot_at < ?"
            " AND id_hash IS NOT NULL",
            "UPDATE appointments SET id_hash = NULL WHERE hall = ? AND slot_at < ?"
            " AND id_hash IS NOT NULL",
            (hall, start)),
        "ratings": (
            "SELECT COUNT(*) FROM ratings WHERE comment IS NOT NULL AND comment != ? AND ticket"
            " IN (SELECT id FROM tickets WHERE hall = ? AND day < ?)",
            "UPDATE ratings SET comment = ? WHERE comment IS NOT NULL AND comment != ? AND"
            " ticket IN (SELECT id FROM tickets WHERE hall = ? AND day < ?)",
            (PURGED_COMMENT, hall, before)),
        # a rectification's response and outcome are staff's free text about the citizen
        "rectifications": (
            "SELECT COUNT(*) FROM rectifications WHERE hall = ? AND (response != ? OR"
            " outcome != ?) AND ticket IN (SELECT id FROM tickets WHERE hall = ? AND day < ?)",
            "UPDATE rectifications SET response = CASE WHEN response IS NULL THEN NULL ELSE ?"
            " END, outcome = CASE WHEN outcome IS NULL THEN NULL ELSE ? END WHERE hall = ? AND"
            " (response != ? OR outcome != ?) AND ticket IN (SELECT id FROM tickets WHERE"
            " hall = ? AND day < ?)",
            (hall, PURGED_COMMENT, PURGED_COMMENT, hall, before)),
        # 代办: who took a ticket for whom is personal data too (the count stays exact)
        "agent_tickets": (
            "SELECT COUNT(*) FROM agent_tickets WHERE hall = ? AND day < ?"
            " AND agent_hash IS NOT NULL",
            "UPDATE agent_tickets SET agent_hash = NULL WHERE hall = ? AND day < ?"
            " AND agent_hash IS NOT NULL",
            (hall, before)),
        # the 电子监察 feed's notices (delivered or not) are not kept past the retention
        "supervision_outbox": (
            "SELECT COUNT(*) FROM supervision_outbox WHERE hall = ? AND created_at < ?",
            "DELETE FROM supervision_outbox WHERE hall = ? AND created_at < ?",
            (hall, start)),
        # the sealed phone number for notices is needed on its own day only: cleared once
        # that day is over, whatever the retention
        "ticket_phones": (
            "SELECT COUNT(*) FROM tickets WHERE hall = ? AND day < ? AND phone_enc IS NOT NULL",
            "UPDATE tickets SET phone_enc = NULL WHERE hall = ? AND day < ?"
            " AND phone_enc IS NOT NULL",
            (hall, today)),
        "appointment_phones": (
            "SELECT COUNT(*) FROM appointments WHERE hall = ? AND slot_at < ?"
            " AND phone_enc IS NOT NULL",
            "UPDATE appointments SET phone_enc = NULL WHERE hall = ? AND slot_at < ?"
            " AND phone_enc IS NOT NULL",
            (hall, today_start)),
        # the citizens' notices (delivered or not) are not kept past the retention
        "notice_outbox": (
            "SELECT COUNT(*) FROM notice_outbox WHERE hall = ? AND created_at < ?",
            "DELETE FROM notice_outbox WHERE hall = ? AND created_at < ?",
            (hall, start)),
        # a case's ID tail (its look-up key) once the case last moved before the retention
        "cases": (
            "SELECT COUNT(*) FROM cases WHERE hall = ? AND updated_at < ?"
            " AND id_tail_hash IS NOT NULL",
            "UPDATE cases SET id_tail_hash = NULL WHERE hall = ? AND updated_at < ?"
            " AND id_tail_hash IS NOT NULL",
            (hall, start)),
    }


def _tz(conn: sqlite3.Connection, hall: str) -> str:
    row = conn.execute("SELECT tz FROM halls WHERE id = ?", (hall,)).fetchone()
    return row[0] if row is not None else "Asia/Shanghai"


def pending(conn: sqlite3.Connection, hall: str, days: int, now: float) -> dict:
    """What :func:`purge` would clear in ``hall`` now: ``before`` (the first day kept) and
    the rows per table."""
    tz = _tz(conn, hall)
    today = clock.day_of(now, tz)
    before = cutoff_day(today, days)
    counts = {}
    for table, (count_sql, _update, params) in _scopes(hall, before, tz, today).items():
        counts[table] = conn.execute(count_sql, params).fetchone()[0]
    return {"hall": hall, "before": before, "counts": counts}


def purge(tx: Tx, hall: str, days: int) -> dict:
    """Clear ``hall``'s personal data older than ``days`` days, in this transaction; audited
    once (counts only) when anything was cleared. Returns what :func:`pending` returns."""
    tz = _tz(tx.conn, hall)
    today = clock.day_of(tx.now, tz)
    before = cutoff_day(today, days)
    counts = {}
    for table, (_count, update_sql, params) in _scopes(hall, before, tz, today).items():
        if table == "ratings":
            params = (PURGED_COMMENT, *params)  # SET comment = ?, then comment != ?
        if table == "rectifications":
            params = (PURGED_COMMENT, PURGED_COMMENT, *params)  # SET response, outcome
        counts[table] = tx.run(update_sql, params).rowcount
    if any(counts.values()):
        tx.audit(hall, PURGE_ACTION, detail={"before": before, "days": days, **counts})
    return {"hall": hall, "before": before, "counts": counts}


def check_days(value: object) -> int:
    """``HALLQ_PERSONAL_DATA_DAYS`` as a whole number of days, at least 1."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"HALLQ_PERSONAL_DATA_DAYS must be a whole number of days >= 1,"
                         f" not {value!r}")
    return value
