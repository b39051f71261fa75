"""Guided questions (引导问答): per category, a few questions where its services are easy to
confuse (个人 or 企业, first time or change), each answer leading to the next question or to
one service. A flow is a JSON tree kept in ``guide_flows`` and edited by the hall's managers:

``{"question", "question_en"?, "options": [{"label", "label_en"?, "service" | "next": node}]}``
"""
from __future__ import annotations

import json
from typing import Any

from queue_server.errors import invalid, not_found
from queue_server.store.db import Tx, loads

MAX_DEPTH = 4
OPTIONS = (2, 8)
QUESTION_MAX, LABEL_MAX = 100, 40


def shape_ok(node: Any, depth: int = 1) -> bool:
    """The tree's shape: questions and labels of sane length, 2–8 options each, every option
    either a service or a next question, at most MAX_DEPTH questions deep."""
    if not isinstance(node, dict) or depth > MAX_DEPTH:
        return False
    if not set(node) <= {"question", "question_en", "options"}:
        return False
    if not _text(node.get("question"), QUESTION_MAX, True) or not _text(
            node.get("question_en", ""), QUESTION_MAX):
        return False
    options = node.get("options")
    if not isinstance(options, list) or not OPTIONS[0] <= len(options) <= OPTIONS[1]:
        return False
    return all(_option_ok(o, depth) for o in options)


def _option_ok(o: Any, depth: int) -> bool:
    if not isinstance(o, dict) or not set(o) <= {"label", "label_en", "service", "next"}:
        return False
    if not _text(o.get("label"), LABEL_MAX, True) or not _text(o.get("label_en", ""), LABEL_MAX):
        return False
    if ("service" in o) == ("next" in o):
        return False
    if "service" in o:
        return isinstance(o["service"], str) and 0 < len(o["service"]) <= 64
    return shape_ok(o["next"], depth + 1)


def _text(v: Any, n: int, required: bool = False) -> bool:
    return isinstance(v, str) and len(v.strip()) <= n and (bool(v.strip()) or not required)


def services_of(node: dict) -> list[str]:
    """Every service a tree leads to."""
    out: list[str] = []
    for o in node["options"]:
        out += [o["service"]] if "service" in o else services_of(o["next"])
    return out


def _tidy(node: dict) -> dict:
    clean: dict = {"question": node["question"].strip()}
    if node.get("question_en", "").strip():
        clean["question_en"] = node["question_en"].strip()
    clean["options"] = []
    for o in node["options"]:
        opt: dict = {"label": o["label"].strip()}
        if o.get("label_en", "").strip():
            opt["label_en"] = o["label_en"].strip()
        if "service" in o:
            opt["service"] = o["service"]
        else:
            opt["next"] = _tidy(o["next"])
        clean["options"].append(opt)
    return clean


def put(tx: Tx, hall: str, category: str, flow: dict) -> dict:
    """Set a category's flow (its shape checked by the body model); every service it leads
    to must be an active one of this hall (else 422). Audited."""
    if not tx.one("SELECT 1 FROM categories WHERE id = ? AND hall = ?", (category, hall)):
        raise not_found("category")
    known = {r["id"] for r in tx.all(
        "SELECT id FROM services WHERE hall = ? AND active = 1", (hall,))}
    unknown = sorted(set(services_of(flow)) - known)
    if unknown:
        raise invalid("unknown_service", f"本大厅没有该业务 (unknown service"
                                         f" {', '.join(unknown)})")
    clean = _tidy(flow)
    body = json.dumps(clean, ensure_ascii=False)
    tx.run("INSERT INTO guide_flows (hall, category, flow, updated_at) VALUES (?, ?, ?, ?)"
           " ON CONFLICT (hall, category) DO UPDATE SET flow = excluded.flow,"
           " updated_at = excluded.updated_at", (hall, category, body, tx.now))
    tx.audit(hall, "guide_flow_set", detail={"category": category,
                                             "services": sorted(set(services_of(clean)))})
    return clean


def delete(tx: Tx, hall: str, category: str) -> None:
    if tx.run("DELETE FROM guide_flows WHERE hall = ? AND category = ?",
              (hall, category)).rowcount == 0:
        raise not_found("flow")
    tx.audit(hall, "guide_flow_delete", detail={"category": category})


def listing(conn, hall: str) -> list[dict]:
    """The hall's flows in category order, each with its category's names (a flow whose
    services were all retired since is left out: it would lead nowhere)."""
    active = {r["id"] for r in conn.execute(
        "SELECT id FROM services WHERE hall = ? AND active = 1", (hall,))}
    out = []
    for r in conn.execute(
            "SELECT f.category, f.flow, c.name, c.name_en FROM guide_flows f JOIN categories c"
            " ON c.id = f.category WHERE f.hall = ? ORDER BY c.sort, c.id", (hall,)):
        flow = loads(r["flow"], None)
        if flow and set(services_of(flow)) & active:
            out.append({"category": r["category"], "name": r["name"],
                        "name_en": r["name_en"] or "", "flow": flow})
    return out
