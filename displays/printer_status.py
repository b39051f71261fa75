"""A network slip printer's state by ESC/POS real-time status queries (DLE EOT n).

``DLE EOT n`` (``0x10 0x04 n``) makes the printer answer one status byte at once, even while
it is busy; every answer has bit 1 and bit 4 set and bits 0 and 7 clear (the check below).
By the ESC/POS reference:

- n=1 printer status: bit 3 = offline
- n=2 offline cause: bit 2 = cover open, bit 5 = printing stopped by paper end, bit 6 = error
- n=3 error cause: bit 3 = autocutter error, bit 5 = unrecoverable, bit 6 = auto-recoverable
- n=4 roll paper sensor: bits 2-3 = paper near its end, bits 5-6 = paper end (no paper)

A plain socket with a short timeout: under gevent it yields to the other greenlets while it
waits, so the poll loop never holds up the hall.
"""
from __future__ import annotations

import socket

DLE_EOT = b"\x10\x04"
QUERIES = (1, 2, 3, 4)


def valid(byte: int) -> bool:
    """A status byte: bits 1 and 4 set, bits 0 and 7 clear."""
    return byte & 0x93 == 0x12


def interpret(answers: dict[int, int]) -> str:
    """One state from the four answers, the worst first: ``paper_out``, ``cover_open``,
    ``error``, ``offline``, ``near_end``, ``ok``."""
    paper = answers.get(4, 0x12)
    cause = answers.get(2, 0x12)
    error = answers.get(3, 0x12)
    if paper & 0x60 or cause & 0x20:
        return "paper_out"
    if cause & 0x04:
        return "cover_open"
    if cause & 0x40 or error & 0x68:
        return "error"
    if answers.get(1, 0x12) & 0x08:
        return "offline"
    if paper & 0x0C:
        return "near_end"
    return "ok"


def query(host: str, port: int, timeout_s: float = 1.0) -> str:
    """The printer's state, or ``unreachable`` (no connection, no or invalid answer; a
    printer that does not answer status queries looks like this too)."""
    try:
        with socket.create_connection((host, port), timeout=timeout_s) as conn:
            conn.settimeout(timeout_s)
            answers: dict[int, int] = {}
            for n in QUERIES:
                conn.sendall(DLE_EOT + bytes([n]))
                data = conn.recv(1)
                if not data or not valid(data[0]):
                    return "unreachable"
                answers[n] = data[0]
    except OSError:
        return "unreachable"
    return interpret(answers)


def parse(spec: str) -> tuple[str, int]:
    """``HOST:PORT`` as a pair."""
    host, _, port = spec.rpartition(":")
    return host, int(port)
