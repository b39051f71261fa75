"""Users, passwords, sessions and roles (clerk < manager < admin).

A login creates a server-side session row; the same secret works as a bearer token for devices
and, inside Flask's signed session cookie, for browsers. Logout deletes the row, so a copied
cookie or token stops working at once.
"""
from __future__ import annotations

import functools
import hashlib
import secrets
import threading
import time

from flask import g, request, session
from werkzeug.security import check_password_hash, generate_password_hash

from queue_server import registry
from queue_server.domain import privacy
from queue_server.errors import forbidden, invalid, too_many, unauthorized
from queue_server.store import audit_chain
from queue_server.store.db import Database, Tx

# the guide desk (导办台) issues 特呼号 and works no window: below the clerk
ROLES = {"guide": 0, "clerk": 1, "manager": 2, "admin": 3}
_DUMMY_HASH = generate_password_hash(secrets.token_hex(8))
SESSION_TTL_S = 12 * 3600


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


OTHER_HALL = "该账号属于其他大厅 (this account belongs to another hall)"


def create_user(tx: Tx, username: str, role: str, password: str, display_name: str = "",
                staff_no: str = "", password_hash: str | None = None,
                hall: str | None = None) -> None:
    """Add an account; ``hall`` binds it to one hall (None: every hall). Audited as
    ``user_add`` in its hall, or in every hall for an account of every hall."""
    if role not in ROLES:
        raise invalid("invalid_role", f"角色无效 (role must be one of {', '.join(ROLES)})")
    if not username or len(username) > 64 or not username.replace("_", "").isalnum():
        raise invalid("invalid_username", "用户名只能包含字母、数字和下划线 (invalid username)")
    if len(password) < 8:
        raise invalid("weak_password", "密码至少 8 位 (password must have at least 8 characters)")
    if hall is not None and not tx.one("SELECT 1 FROM halls WHERE id = ?", (hall,)):
        raise invalid("unknown_hall", f"大厅不存在 (unknown hall {hall!r})")
    if tx.one("SELECT 1 FROM users WHERE username = ?", (username,)):
        raise invalid("user_exists", "用户已存在 (user exists)")
    tx.run("INSERT INTO users (username, display_name, staff_no, role, password_hash, active,"
           " created_at, hall) VALUES (?, ?, ?, ?, ?, 1, ?, ?)",
           (username, display_name or username, staff_no, role,
            password_hash or generate_password_hash(password), tx.now, hall))
    halls = [hall] if hall is not None else [r["id"] for r in tx.all("SELECT id FROM halls")]
    for h in halls:
        tx.audit(h, "user_add", detail={"username": username, "role": role, "hall": hall})


def set_password(tx: Tx, username: str, password: str) -> None:
    """A new password (``hallq user passwd``): the account's open sessions end; audited as
    ``user_edit`` in its hall (every hall for an account of every hall), never the password."""
    row = tx.one("SELECT hall FROM users WHERE username = ?", (username,))
    if row is None:
        raise invalid("unknown_user", f"用户不存在 (unknown user {username!r})")
    if len(password) < 8:
        raise invalid("weak_password", "密码至少 8 位 (password must have at least 8 characters)")
    tx.run("UPDATE users SET password_hash = ? WHERE username = ?",
           (generate_password_hash(password), username))
    tx.run("DELETE FROM sessions WHERE username = ?", (username,))
    halls = [row["hall"]] if row["hall"] else [r["id"] for r in tx.all("SELECT id FROM halls")]
    for h in halls:
        tx.audit(h, "user_edit", detail={"username": username, "before": {},
                                         "after": {"password": "changed"}})


class LoginThrottle:
    """At most ``limit`` failed logins per (username, address) in ``window_s``."""

    def __init__(self, limit: int = 5, window_s: float = 300):
        self.limit, self.window_s = limit, window_s
        self._fails: dict[tuple[str, str], list[float]] = {}
        self._lock = threading.Lock()

    def check(self, key: tuple[str, str]) -> None:
        """Admit one attempt, counted as a failure from now on: checking and counting are one
        step, so a burst of parallel guesses gets ``limit`` checked, not all of them; a success
        clears the count (:meth:`clear`)."""
        now = time.monotonic()
        with self._lock:
            fails = [t for t in self._fails.get(key, []) if now - t < self.window_s]
            if len(fails) >= self.limit:
                self._fails[key] = fails
                raise too_many("登录失败次数过多，请稍后再试 (too many failed logins, wait)")
            fails.append(now)
            self._fails[key] = fails

    def fail(self, key: tuple[str, str]) -> None:
        """The admitted attempt failed: it is already counted; forget aged-out keys."""
        now = time.monotonic()
        with self._lock:
            if len(self._fails) > 10000:  # forget keys whose failures have all aged out
                for k in [k for k, v in self._fails.items() if now - v[-1] >= self.window_s]:
                    del self._fails[k]

    def clear(self, key: tuple[str, str]) -> None:
        with self._lock:
            self._fails.pop(key, None)


def audit_hall(hall: str | None) -> str:
    """Where an account's sign-ins are audited: its hall, or the server's chain for an account
    of every hall and for a username that is no account (one event, not one per hall, and
    not in the view of a hall that a stranger's guess has nothing to do with)."""
    return hall if hall else audit_chain.SERVER_CHAIN


def login(db: Database, username: str, password: str, address: str) -> tuple[dict, str]:
    """Check the password; audited as ``login`` or ``login_failed`` (the username tried,
    screened for numbers, and the address; never the password)."""
    throttle: LoginThrottle = registry.services().login_throttle
    key = (username, address)
    throttle.check(key)
    account = db.one("SELECT * FROM users WHERE username = ?", (username,))
    row = account if account is not None and account["active"] else None
    # Hash even for an unknown user, so the answer's timing doesn't tell who exists.
    stored = row["password_hash"] if row is not None else _DUMMY_HASH
    if not check_password_hash(stored, password) or row is None:
        throttle.fail(key)
        reason = ("unknown_user" if account is None else "disabled" if row is None
                  else "wrong_password")
        db.write("anonymous", lambda tx: tx.audit(
            audit_hall(account["hall"] if account is not None else None), "login_failed",
            detail={"username": privacy.mask(username), "address": address,
                    "reason": reason}))
        raise unauthorized("用户名或密码错误 (wrong username or password)")
    throttle.clear(key)
    token = secrets.token_urlsafe(32)

    def _store(tx: Tx) -> None:
        tx.run("DELETE FROM sessions WHERE expires_at < ?", (tx.now,))
        tx.run("INSERT INTO sessions (token_hash, username, created_at, expires_at, kind)"
               " VALUES (?, ?, ?, ?, 'login')",
               (_hash(token), username, tx.now, tx.now + SESSION_TTL_S))
        tx.audit(audit_hall(row["hall"]), "login",
                 detail={"username": username, "address": address})

    db.write(username, _store)
    return user_view(row), token


def logout(db: Database, token: str, address: str = "unknown") -> bool:
    """End the session of ``token``; audited as ``logout`` when there was one to end."""

    def _end(tx: Tx) -> bool:
        who = tx.one("SELECT u.username, u.hall FROM sessions s JOIN users u ON"
                     " u.username = s.username WHERE s.token_hash = ?", (_hash(token),))
        if who is None:
            return False  # nothing ended, nothing to audit
        tx.actor = who["username"]
        tx.run("DELETE FROM sessions WHERE token_hash = ?", (_hash(token),))
        tx.audit(audit_hall(who["hall"]), "logout",
                 detail={"username": who["username"], "address": address})
        return True

    return db.write("system", _end)


def user_view(row) -> dict:
    """``hall``: the one hall the account works in, or None for every hall."""
    return {"username": row["username"], "display_name": row["display_name"] or row["username"],
            "staff_no": row["staff_no"] or "", "role": row["role"], "hall": row["hall"]}


def user_for_token(db: Database, token: str | None) -> dict | None:
    if not token:
        return None
    row = db.one("SELECT u.* FROM sessions s JOIN users u ON u.username = s.username"
                 " WHERE s.token_hash = ? AND s.expires_at > ? AND u.active = 1",
                 (_hash(token), time.time()))
    return user_view(row) if row else None


def live_sessions(db: Database, tokens: set[str]) -> set[str]:
    """Which of ``tokens`` still sign someone in (unexpired, account active)."""
    by_hash = {_hash(t): t for t in tokens}
    alive: set[str] = set()
    hashes = sorted(by_hash)
    for i in range(0, len(hashes), 500):  # well under SQLite's limit of bound parameters
        chunk = hashes[i:i + 500]
        rows = db.all("SELECT s.token_hash FROM sessions s JOIN users u ON u.username ="
                      f" s.username WHERE s.token_hash IN ({', '.join('?' * len(chunk))})"
                      " AND s.expires_at > ? AND u.active = 1", (*chunk, time.time()))
        alive |= {by_hash[r["token_hash"]] for r in rows}
    return alive


def bearer_token() -> str | None:
    """The token of an ``Authorization: Bearer`` header (devices and scripts), if any."""
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.startswith("Bearer ") else None


def request_token() -> str | None:
    """The bearer token when one is sent (then the cookie is not read), else the session's."""
    token = bearer_token()
    return token if token is not None else session.get("token")


def current_user() -> dict | None:
    if "user" not in g:
        g.user = user_for_token(registry.db(), request_token())
    return g.user


def has_role(user: dict | None, role: str) -> bool:
    return user is not None and ROLES.get(user["role"], 0) >= ROLES[role]


def in_scope(user: dict | None, hall: str | None) -> bool:
    """Whether the account may work in ``hall``: its own hall, or any for an unbound one."""
    return user is not None and (user.get("hall") is None or user["hall"] == hall)


def check_scope(user: dict | None, hall: str | None) -> None:
    """403 (OTHER_HALL) unless the account may work in ``hall``."""
    if not in_scope(user, hall):
        raise forbidden(OTHER_HALL)


def require(role: str):
    """Decorator: 401 without a login, 403 below ``role`` or, for a view of one existing hall
    (a ``hall`` argument), 403 for an account bound to another hall."""

    def wrap(fn):
        @functools.wraps(fn)
        def inner(*args, **kwargs):
            user = current_user()
            if user is None:
                raise unauthorized()
            if not has_role(user, role):
                raise forbidden()
            hall = kwargs.get("hall")
            if hall is not None and not in_scope(user, hall) and registry.db().one(
                    "SELECT 1 FROM halls WHERE id = ?", (hall,)):
                raise forbidden(OTHER_HALL)  # an unknown hall stays the view's 404
            return fn(*args, **kwargs)

        return inner

    return wrap
