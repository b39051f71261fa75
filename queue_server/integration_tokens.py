"""Integration tokens: the approval system's (审批系统) bearer secrets, one per connected system.

Kept apart from the staff's logins (``auth.py``) and from device tokens: an integration token
signs in no person and reaches only the endpoints that ask for it (:func:`require`), today
posting cases (``api/cases.py``). ``hallq token add NAME --role integration [--hall H]``
prints it once; only its SHA-256 is stored; ``hallq token revoke NAME`` refuses it from the
next request on (nothing is cached); adding and revoking are audited in the token's hall, or
in the server's chain for a token of every hall.
"""
from __future__ import annotations

import argparse
import functools
import hashlib
import secrets
import sqlite3
import sys

from flask import g

from queue_server import auth, registry
from queue_server.errors import forbidden, invalid, unauthorized
from queue_server.store import audit_chain
from queue_server.store.db import Database, Tx

ROLES = ("integration",)
NAME_MAX = 64


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _audit_hall(hall: str | None) -> str:
    return hall if hall else audit_chain.SERVER_CHAIN


def add(tx: Tx, name: str, role: str = "integration", hall: str | None = None) -> str:
    """A new token named ``name``; returns the secret (shown once, never stored in clear)."""
    if role not in ROLES:
        raise invalid("invalid_role", f"令牌角色无效 (role must be one of {', '.join(ROLES)})")
    if not (name and len(name) <= NAME_MAX and name.isascii()
            and name.replace("_", "").replace("-", "").isalnum()):
        raise invalid("invalid_name", "令牌名称只能包含字母、数字、- 和 _ (invalid token name)")
    if hall is not None and not tx.one("SELECT 1 FROM halls WHERE id = ?", (hall,)):
        raise invalid("unknown_hall", f"大厅不存在 (unknown hall {hall!r})")
    if tx.one("SELECT 1 FROM integration_tokens WHERE name = ?", (name,)):
        raise invalid("token_exists", f"令牌已存在 (a token named {name!r} exists)")
    token = "hqi_" + secrets.token_urlsafe(32)
    tx.run("INSERT INTO integration_tokens (name, role, hall, token_hash, created_at)"
           " VALUES (?, ?, ?, ?, ?)", (name, role, hall, _hash(token), tx.now))
    tx.audit(_audit_hall(hall), "token_add", detail={"name": name, "role": role, "hall": hall})
    return token


def revoke(tx: Tx, name: str) -> None:
    """Refuse the token from now on (kept, for the audit's sake, with its revocation time)."""
    row = tx.one("SELECT * FROM integration_tokens WHERE name = ?", (name,))
    if row is None:
        raise invalid("unknown_token", f"令牌不存在 (unknown token {name!r})")
    if row["revoked_at"] is not None:
        return  # already refused: nothing changes, nothing to audit
    tx.run("UPDATE integration_tokens SET revoked_at = ? WHERE id = ?", (tx.now, row["id"]))
    tx.audit(_audit_hall(row["hall"]), "token_revoke",
             detail={"name": name, "role": row["role"], "hall": row["hall"]})


def listing(db: Database) -> list[sqlite3.Row]:
    return db.all("SELECT name, role, hall, created_at, revoked_at"
                  " FROM integration_tokens ORDER BY name")


def for_token(db: Database, token: str | None) -> dict | None:
    """The live (unrevoked) token's account, or None."""
    if not token or len(token) > 256:
        return None
    row = db.one("SELECT name, role, hall FROM integration_tokens WHERE token_hash = ? AND"
                 " revoked_at IS NULL", (_hash(token),))
    return dict(row) if row else None


def require(role: str = "integration"):
    """Decorator: the request carries a live integration token of ``role`` for the view's
    ``hall``. No or an unknown (or revoked) token: 401; a staff login or a token of another
    hall: 403. The token's account is ``g.integration`` (its name signs the audit as
    ``integration:<name>``)."""

    def wrap(fn):
        @functools.wraps(fn)
        def inner(*args, **kwargs):
            token = auth.bearer_token()
            account = for_token(registry.db(), token)
            if account is None:
                if auth.current_user() is not None:
                    raise forbidden("需要审批系统的接口令牌 (an integration token is required)")
                raise unauthorized("需要有效的接口令牌 (a valid integration token is required)")
            if account["role"] != role:
                raise forbidden()
            hall = kwargs.get("hall")
            if account["hall"] is not None and hall is not None and account["hall"] != hall:
                raise forbidden("该令牌属于其他大厅 (this token belongs to another hall)")
            g.integration = account
            return fn(*args, **kwargs)

        return inner

    return wrap


def actor() -> str:
    """Who the audit names for the current integration request."""
    return f"integration:{g.integration['name']}"


# -- the ``hallq token`` command -------------------------------------------------------------

def add_cli(sub: argparse._SubParsersAction) -> None:
    """``hallq token add|revoke|list``."""
    token = sub.add_parser("token", help="integration tokens (the approval system)")
    tsub = token.add_subparsers(dest="sub", required=True)
    tadd = tsub.add_parser("add", help="add a token and print it (once)")
    tadd.add_argument("name")
    tadd.add_argument("--role", required=True, choices=ROLES)
    tadd.add_argument("--hall", default=None, help="only this hall (default: every hall)")
    trev = tsub.add_parser("revoke", help="refuse a token from now on")
    trev.add_argument("name")
    tsub.add_parser("list", help="list the tokens (never their secrets)")


def _cli_add(app, db: Database, args) -> int:
    token = db.write("system", lambda tx: add(tx, args.name, args.role, args.hall))
    where = f"hall {args.hall}" if args.hall else "every hall"
    print(token)
    print(f"token {args.name} ({args.role}, {where}) added: shown only now, keep it safe",
          file=sys.stderr)
    return 0


def _cli_revoke(app, db: Database, args) -> int:
    db.write("system", lambda tx: revoke(tx, args.name))
    print(f"token {args.name} revoked")
    return 0


def _cli_list(app, db: Database, args) -> int:
    from queue_server.domain import clock
    for r in listing(db):
        state = "revoked" if r["revoked_at"] is not None else "active"
        print(f"{r['name']}\t{r['role']}\t{r['hall'] or '*'}\t{state}\t"
              f"{clock.iso(r['created_at'], 'Asia/Shanghai')}")
    return 0


COMMANDS = {("token", "add"): _cli_add, ("token", "revoke"): _cli_revoke,
            ("token", "list"): _cli_list}
