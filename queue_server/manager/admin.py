"""Hall administration: windows, categories, services, users, notices, opening hours.

Every change runs inside the caller's ``db.write`` transaction and leaves one audit event with
its actor and the fields before and after; nothing here deletes a row that tickets refer to
(a service is retired with ``active: false``, a user with ``active: false``).
"""
from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable
from typing import Any

from werkzeug.security import generate_password_hash

from queue_server import auth
from queue_server.domain import clock
from queue_server.domain.tickets import emit_hall, emit_queue, emit_window
from queue_server.errors import bad_request, conflict, forbidden, invalid, not_found
from queue_server.store.db import Tx, loads

ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
HHMM_RE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def _text(max_len: int, required: bool = False) -> Callable[[str, Any], Any]:
    def check(key: str, v: Any) -> str:
        if not isinstance(v, str):
            raise bad_request("wrong_type", f"{key} 必须是字符串 ({key} must be a string)")
        v = v.strip()
        if required and not v:
            raise invalid("empty", f"{key} 不能为空 ({key} must not be empty)")
        if len(v) > max_len:
            raise invalid("too_long", f"{key} 过长 ({key} longer than {max_len})")
        return v
    return check


def _number(lo: float, hi: float, integer: bool = False) -> Callable[[str, Any], Any]:
    def check(key: str, v: Any) -> float | int:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or (
                integer and not isinstance(v, int)):
            raise bad_request("wrong_type", f"{key} 必须是数字 ({key} must be a number)")
        if not lo <= v <= hi:
            raise invalid("out_of_range", f"{key} 须在 {lo}–{hi} 之间 ({key} must be {lo}..{hi})")
        return v
    return check


def _flag(key: str, v: Any) -> int:
    if not isinstance(v, bool):
        raise bad_request("wrong_type", f"{key} 须为 true/false ({key} must be a boolean)")
    return int(v)


def _prefix(key: str, v: Any) -> str:
    if not isinstance(v, str) or not re.fullmatch(r"[A-Z]", v):
        raise invalid("invalid_prefix", "票号前缀须为一个大写字母 (prefix must be one letter A-Z)")
    return v


def _materials(key: str, v: Any) -> str:
    """materials and materials_en: up to 30 non-empty items of up to 100 characters each."""
    if not isinstance(v, list) or len(v) > 30 or not all(
            isinstance(x, str) and 0 < len(x.strip()) <= 100 for x in v):
        raise invalid("invalid_materials",
                      f"材料清单须为字符串列表，最多 30 项，每项 1–100 字 ({key}: a list of"
                      f" up to 30 strings of 1-100 characters)")
    return json.dumps([x.strip() for x in v], ensure_ascii=False)


# Service fields stored as JSON lists (decoded in every view of a service row).
JSON_LISTS = ("materials", "materials_en")


# table -> (audit noun, field validators, fields required on create)
SCHEMAS: dict[str, tuple[str, dict[str, Callable], set[str]]] = {
    "windows": ("window", {"name": _text(40, True), "name_en": _text(60), "zone": _text(10),
                           "sort": _number(0, 9999, True)}, {"name"}),
    "categories": ("category", {"name": _text(40, True), "name_en": _text(60),
                                "prefix": _prefix, "sort": _number(0, 9999, True)},
                   {"name", "prefix"}),
    "services": ("service", {"category": _text(32, True), "name": _text(60, True),
                             "name_en": _text(80), "mean_service_s": _number(10, 14400),
                             "wait_limit_s": _number(1, 86400, True), "materials": _materials,
                             "materials_en": _materials, "active": _flag,
                             "sort": _number(0, 9999, True)},
                 {"category", "name", "mean_service_s"}),
}


def clean(table: str, data: dict, create: bool) -> dict:
    """Validate a body against the table's schema (unknown fields refused)."""
    _, schema, required = SCHEMAS[table]
    unknown = sorted(set(data) - set(schema) - {"id"})
    if unknown:
        raise bad_request("unknown_field", f"未知字段 (unknown fields: {', '.join(unknown)})")
    if create:
        missing = sorted(required - set(data))
        if missing:
            raise bad_request("missing_field", f"缺少字段 (missing fields: {', '.join(missing)})")
    return {k: schema[k](k, v) for k, v in data.items() if k != "id"}


def valid_id(value: Any) -> str:
    if not isinstance(value, str) or not ID_RE.match(value):
        raise invalid("invalid_id", "编号只能包含字母、数字、-、_，最多 32 位 (invalid id)")
    return value


def _row(tx: Tx, table: str, hall: str, rid: str) -> sqlite3.Row:
    row = tx.one(f"SELECT * FROM {table} WHERE id = ? AND hall = ?", (rid, hall))
    if row is None:
        raise not_found(SCHEMAS[table][0])
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
    zh, en = (json.loads(fields[k]) if k in fields else loads(old[k] if old else None, [])
              for k in JSON_LISTS)
    if zh and en and len(zh) != len(en):
        raise invalid("materials_mismatch",
                      f"英文材料须与中文材料项数相同（中文 {len(zh)} 项，"
                      f"英文 {len(en)} 项），或留空"
                      f" (materials_en must have as many items as materials: {len(zh)} in"
                      f" Chinese, {len(en)} in English; or leave it empty)")


def save(tx: Tx, table: str, hall: str, rid: str, fields: dict, create: bool) -> sqlite3.Row:
    """Create or edit one window, category or service of ``hall``; audited."""
    noun = SCHEMAS[table][0]
    _check_refs(tx, table, hall, fields, rid)
    old = None if create else _row(tx, table, hall, rid)
    if table == "services":
        _check_materials(fields, old)
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


# An account belongs to the hall it is made in, or with ``all_halls`` to every hall (only an
# account of every hall grants that); a hall's manager edits only that hall's accounts.
USER_FIELDS = {"display_name", "staff_no", "role", "active", "password", "all_halls"}
EVERY_HALL_ONLY = ("只有全部大厅的账号才能管理全部大厅的账号"
                   " (only an account of every hall manages accounts of every hall)")


def create_user(tx: Tx, hall: str, actor: dict, data: dict) -> None:
    unknown = sorted(set(data) - USER_FIELDS - {"username"})
    if unknown:
        raise bad_request("unknown_field", f"未知字段 (unknown fields: {', '.join(unknown)})")
    for key in ("username", "role", "password"):
        if not isinstance(data.get(key), str):
            raise bad_request("missing_field", f"缺少字段 {key} (missing {key})")
    _may_grant(actor, data["role"])
    all_halls = _flag("all_halls", data.get("all_halls", False))
    if all_halls and actor.get("hall") is not None:
        raise forbidden(EVERY_HALL_ONLY)
    auth.create_user(tx, data["username"], data["role"], data["password"],
                     _text(40)("display_name", data.get("display_name", "")),
                     _text(20)("staff_no", data.get("staff_no", "")),
                     hall=None if all_halls else hall)
    # auth.create_user audits "user_add" in the account's hall(s); nothing more to record.


def _may_grant(actor: dict, role: str) -> None:
    if role not in auth.ROLES:
        raise invalid("invalid_role", f"角色无效 (role must be one of {', '.join(auth.ROLES)})")
    if auth.ROLES[role] > auth.ROLES[actor["role"]]:
        raise forbidden("不能授予高于自己的角色 (cannot grant a role above your own)")


def edit_user(tx: Tx, hall: str, actor: dict, username: str, data: dict) -> None:
    unknown = sorted(set(data) - USER_FIELDS)
    if unknown:
        raise bad_request("unknown_field", f"未知字段 (unknown fields: {', '.join(unknown)})")
    old = tx.one("SELECT * FROM users WHERE username = ?", (username,))
    if old is None:
        raise not_found("user")
    if old["hall"] is None and actor.get("hall") is not None:
        raise forbidden(EVERY_HALL_ONLY)
    if old["hall"] is not None and old["hall"] != hall:
        raise forbidden(auth.OTHER_HALL)
    if auth.ROLES.get(old["role"], 0) > auth.ROLES[actor["role"]]:
        raise forbidden("不能修改更高角色的用户 (cannot edit a user above your role)")
    fields: dict[str, Any] = {}
    if "all_halls" in data:
        fields["hall"] = None if _flag("all_halls", data["all_halls"]) else hall
        if fields["hall"] != old["hall"] and actor.get("hall") is not None:
            raise forbidden(EVERY_HALL_ONLY)
        if fields["hall"] != old["hall"] and username == actor["username"]:
            # as with disabling oneself: the last account of every hall must not lock itself in
            raise conflict("self_hall", "不能修改自己账号所属的大厅 (cannot change your own hall)")
    if "display_name" in data:
        fields["display_name"] = _text(40)("display_name", data["display_name"])
    if "staff_no" in data:
        fields["staff_no"] = _text(20)("staff_no", data["staff_no"])
    if "role" in data:
        _may_grant(actor, data["role"])
        fields["role"] = data["role"]
    if "active" in data:
        fields["active"] = _flag("active", data["active"])
        if username == actor["username"] and not fields["active"]:
            raise conflict("self_disable", "不能停用自己的账号 (cannot disable yourself)")
    # Only what actually changes: saving an unchanged role must not sign the user out.
    fields = {k: v for k, v in fields.items() if old[k] != v}
    detail_after = dict(fields)
    if "password" in data:
        pw = data["password"]
        if not isinstance(pw, str) or len(pw) < 8:
            raise invalid("weak_password", "密码至少 8 位 (password needs 8+ characters)")
        fields["password_hash"] = generate_password_hash(pw)
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


def set_notices(tx: Tx, hall: str, notices: Any) -> list[str]:
    if not isinstance(notices, list) or len(notices) > 20 or not all(
            isinstance(n, str) and len(n) <= 200 for n in notices):
        raise invalid("invalid_notices", "公告须为字符串列表，每条不超过 200 字 (notices: list of"
                                         " strings up to 200 characters)")
    notices = [n.strip() for n in notices if n.strip()]
    old = tx.one("SELECT notices FROM halls WHERE id = ?", (hall,))
    tx.run("UPDATE halls SET notices = ? WHERE id = ?",
           (json.dumps(notices, ensure_ascii=False), hall))
    tx.audit(hall, "hall_notices", detail={"before": loads(old["notices"], []), "after": notices})
    emit_hall(tx, hall)
    return notices


def hhmm(key: str, value: Any) -> int:
    m = HHMM_RE.match(value) if isinstance(value, str) else None
    if not m:
        raise invalid("invalid_time", f"{key} 须为 HH:MM ({key} must be HH:MM)")
    return int(m[1]) * 3600 + int(m[2]) * 60


def set_hours(tx: Tx, hall: str, open_: Any, close: Any) -> dict:
    open_s, close_s = hhmm("open", open_), hhmm("close", close)
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
