"""Hall administration: windows, categories, services, users, notices, opening hours.

Every change runs inside the caller's ``db.write`` transaction and leaves one audit event with
its actor and the fields before and after; nothing here deletes a row that tickets refer to
(a service is retired with ``active: false``, a user with ``active: false``).
"""
from __future__ import annotations

import json
import sqlite3
from typing import Any

from werkzeug.security import generate_password_hash

from queue_server import auth
from queue_server.domain import clock
from queue_server.domain.tickets import emit_hall, emit_queue, emit_window
from queue_server.errors import conflict, forbidden, invalid, not_found
from queue_server.store.db import Tx, loads

# Service fields stored as JSON lists (decoded in every view of a service row).
JSON_LISTS = ("materials", "materials_en")
NOUNS = {"windows": "window", "categories": "category", "services": "service"}


def _row(tx: Tx, table: str, hall: str, rid: str) -> sqlite3.Row:
    row = tx.one(f"SELECT * FROM {table} WHERE id = ? AND hall = ?", (rid, hall))
    if row is None:
        raise not_found(NOUNS[table])
    return row


def _check_refs(tx: Tx, table: str, hall: str, fields: dict, rid: str | None) -> None:
    if table == "services" and "category" in fields and not tx.one(
            "SELECT 1 FROM categories WHERE id = ? AND hall = ?", (fields["category"], hall)):
        raise invalid("unknown_category", "未知业务类别 (unknown category)")
    if table == "categories" and "prefix" in fields and tx.one(
            "SELECT 1 FROM categories WHERE hall = ? AND prefix = ? AND id != ?",
            (hall, fields["prefix"], rid or "")):
        raise conflict("prefix_taken", "该票号前缀已被使用 (prefix already used)")


def _check_materials(fields: dict, old: sqlite3.Row | None) -> None:
    """The English materials translate the Chinese ones item by item: when a change touches
    either list and both are non-empty afterwards, they have as many items. An empty English
    list stays allowed (the pages then show the Chinese one); a change that touches neither
    list is not refused for lists stored earlier."""
    if not set(JSON_LISTS) & set(fields):
        return
    zh, en = (fields[k] if k in fields else loads(old[k] if old else None, [])
              for k in JSON_LISTS)
    if zh and en and len(zh) != len(en):
        raise invalid("materials_mismatch",
                      f"英文材料须与中文材料项数相同（中文 {len(zh)} 项，"
                      f"英文 {len(en)} 项），或留空"
                      f" (materials_en must have as many items as materials: {len(zh)} in"
                      f" Chinese, {len(en)} in English; or leave it empty)")


def save(tx: Tx, table: str, hall: str, rid: str, fields: dict, create: bool) -> sqlite3.Row:
    """Create or edit one window, category or service of ``hall`` with the fields of its
    checked body (``api/bodies.py``); audited."""
    noun = NOUNS[table]
    _check_refs(tx, table, hall, fields, rid)
    old = None if create else _row(tx, table, hall, rid)
    if table == "services":
        _check_materials(fields, old)
    fields = {k: _column(k, v) for k, v in fields.items()}
    if create:
        if tx.one(f"SELECT 1 FROM {table} WHERE id = ?", (rid,)):
            raise conflict("exists", f"编号 {rid} 已存在 ({noun} {rid} exists)")
        cols = {"id": rid, "hall": hall, **fields}
        if table == "windows":
            cols["status"] = "closed"
        tx.run(f"INSERT INTO {table} ({', '.join(cols)}) VALUES"
               f" ({', '.join('?' for _ in cols)})", tuple(cols.values()))
        before = None
    else:
        before = {k: old[k] for k in fields}
        if fields:
            sets = ", ".join(f"{k} = ?" for k in fields)
            tx.run(f"UPDATE {table} SET {sets} WHERE id = ?", (*fields.values(), rid))
    after = _row(tx, table, hall, rid)
    tx.audit(hall, f"{noun}_{'add' if create else 'edit'}",
             window=rid if table == "windows" else None,
             detail={"id": rid, "before": before, "after": {k: after[k] for k in fields}})
    if table == "windows":
        emit_window(tx, rid)
    else:
        emit_queue(tx, hall)  # active services shape every screen's queue
        # hall.updated tells the screens to refetch names: queue.updated carries none.
        emit_hall(tx, hall)
    return after


def _column(key: str, value: Any) -> Any:
    if key in JSON_LISTS:
        return json.dumps(value, ensure_ascii=False)
    return int(value) if isinstance(value, bool) else value


# An account belongs to the hall it is made in, or with ``all_halls`` to every hall (only an
# account of every hall grants that); a hall's manager edits only that hall's accounts.
EVERY_HALL_ONLY = ("只有全部大厅的账号才能管理全部大厅的账号"
                   " (only an account of every hall manages accounts of every hall)")


def create_user(tx: Tx, hall: str, actor: dict, data: dict) -> None:
    """Create an account from the fields of a checked body (``api/bodies.py``)."""
    _may_grant(actor, data["role"])
    all_halls = data.get("all_halls", False)
    if all_halls and actor.get("hall") is not None:
        raise forbidden(EVERY_HALL_ONLY)
    auth.create_user(tx, data["username"], data["role"], data["password"],
                     data.get("display_name", ""), data.get("staff_no", ""),
                     hall=None if all_halls else hall)
    # auth.create_user audits "user_add" in the account's hall(s); nothing more to record.


def _may_grant(actor: dict, role: str) -> None:
    if role not in auth.ROLES:
        raise invalid("invalid_role", f"角色无效 (role must be one of {', '.join(auth.ROLES)})")
    if auth.ROLES[role] > auth.ROLES[actor["role"]]:
        raise forbidden("不能授予高于自己的角色 (cannot grant a role above your own)")


def edit_user(tx: Tx, hall: str, actor: dict, username: str, data: dict) -> None:
    """Change an account with the fields of a checked body (``api/bodies.py``)."""
    old = tx.one("SELECT * FROM users WHERE username = ?", (username,))
    if old is None:
        raise not_found("user")
    _may_edit(actor, hall, old)
    fields = _user_changes(actor, hall, old, data)
    _peer_guard(actor, old, set(fields) | ({"password"} & set(data)))
    detail_after = dict(fields)
    if "password" in data:
        if len(data["password"]) < 8:
            raise invalid("weak_password", "密码至少 8 位 (password needs 8+ characters)")
        fields["password_hash"] = generate_password_hash(data["password"])
        detail_after["password"] = "changed"  # never the password or its hash
    if not fields:
        return
    sets = ", ".join(f"{k} = ?" for k in fields)
    tx.run(f"UPDATE users SET {sets} WHERE username = ?", (*fields.values(), username))
    if "password_hash" in fields or fields.get("active") == 0 or {"role", "hall"} & set(fields):
        # A changed password, role or hall, or a disabled account, ends the open sessions.
        tx.run("DELETE FROM sessions WHERE username = ?", (username,))
    before = {k: old[k] for k in detail_after if k != "password"}
    tx.audit(hall, "user_edit", detail={"username": username, "before": before,
                                        "after": detail_after})


def _may_edit(actor: dict, hall: str, old: sqlite3.Row) -> None:
    if old["hall"] is None and actor.get("hall") is not None:
        raise forbidden(EVERY_HALL_ONLY)
    if old["hall"] is not None and old["hall"] != hall:
        raise forbidden(auth.OTHER_HALL)
    if auth.ROLES.get(old["role"], 0) > auth.ROLES[actor["role"]]:
        raise forbidden("不能修改更高角色的用户 (cannot edit a user above your role)")



PEER_FIELDS = {"password", "active", "role", "hall"}  # what only a higher role may change


def _peer_guard(actor: dict, old: sqlite3.Row, changing: set[str]) -> None:
    """A peer's login is theirs: another manager may rename them, not take the account over
    (its password) or lock them out (disable, demote, move)."""
    peer = auth.ROLES.get(old["role"], 0) == auth.ROLES[actor["role"]]
    if peer and old["username"] != actor["username"] and PEER_FIELDS & changing:
        raise forbidden("不能修改同级账号的密码、角色或状态 (cannot change the password, role or"
                        " state of an account of your own role)")


def _user_changes(actor: dict, hall: str, old: sqlite3.Row, data: dict) -> dict[str, Any]:
    """The columns that actually change: saving an unchanged role must not sign the user out."""
    itself = old["username"] == actor["username"]
    fields: dict[str, Any] = {k: data[k] for k in ("display_name", "staff_no") if k in data}
    if "all_halls" in data:
        fields["hall"] = None if data["all_halls"] else hall
        if fields["hall"] != old["hall"] and actor.get("hall") is not None:
            raise forbidden(EVERY_HALL_ONLY)
        if fields["hall"] != old["hall"] and itself:
            # as with disabling oneself: the last account of every hall must not lock itself in
            raise conflict("self_hall", "不能修改自己账号所属的大厅 (cannot change your own hall)")
    if "role" in data:
        _may_grant(actor, data["role"])
        fields["role"] = data["role"]
    if "active" in data:
        fields["active"] = int(data["active"])
        if itself and not fields["active"]:
            raise conflict("self_disable", "不能停用自己的账号 (cannot disable yourself)")
    return {k: v for k, v in fields.items() if old[k] != v}


def set_notices(tx: Tx, hall: str, notices: list[str]) -> list[str]:
    """The checked notices (trimmed, none empty), audited and pushed to the screens."""
    old = tx.one("SELECT notices FROM halls WHERE id = ?", (hall,))
    tx.run("UPDATE halls SET notices = ? WHERE id = ?",
           (json.dumps(notices, ensure_ascii=False), hall))
    tx.audit(hall, "hall_notices", detail={"before": loads(old["notices"], []), "after": notices})
    emit_hall(tx, hall)
    return notices


def set_hours(tx: Tx, hall: str, open_: str, close: str) -> dict:
    open_s, close_s = clock.parse_hhmm("open", open_), clock.parse_hhmm("close", close)
    if close_s <= open_s:
        raise invalid("invalid_hours", "关门时间须晚于开门时间 (close must be after open)")
    old = tx.one("SELECT open_s, close_s FROM halls WHERE id = ?", (hall,))
    tx.run("UPDATE halls SET open_s = ?, close_s = ? WHERE id = ?", (open_s, close_s, hall))
    tx.audit(hall, "hall_hours", detail={"before": {"open_s": old["open_s"],
                                                    "close_s": old["close_s"]},
                                         "after": {"open_s": open_s, "close_s": close_s}})
    emit_hall(tx, hall)
    return hours_view(open_s, close_s)


def hours_view(open_s: int | None, close_s: int | None) -> dict:
    return {"open": None if open_s is None else clock.hhmm(open_s),
            "close": None if close_s is None else clock.hhmm(close_s)}
