"""The OpenAPI 3.1 document of ``/api/v1``, built from the routes themselves so it cannot miss
one: each route's docstring gives the summary; request bodies of the JSON endpoints are
described here."""
from __future__ import annotations

import re

from flask import Blueprint, current_app

bp = Blueprint("openapi", __name__, url_prefix="/api/v1")

ERROR = {"type": "object", "required": ["error"], "properties": {"error": {
    "type": "object", "required": ["code", "message"],
    "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}}


def _obj(props: dict, required: list[str] | None = None) -> dict:
    return {"type": "object", "additionalProperties": False, "properties": props,
            "required": required or []}


S, INT, B = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}
BODIES = {
    # The service is required unless an appointment (which names its own service) is given.
    "api_citizen.issue": {**_obj({
        "service": {**S, "description": "required unless appointment is given; with one, it"
                                        " must be the booked service"},
        "channel": {"enum": ["kiosk", "mobile"]}, "id_number": S, "phone": S,
        "priority": {"enum": [0, 1]},
        "appointment": {**S, "description": "check-in code (预约码); needs id_number"}}),
        "anyOf": [{"required": ["service"]}, {"required": ["appointment"]}]},
    "api_citizen.book": _obj({"service": S, "slot_at": S, "id_number": S},
                             ["service", "slot_at", "id_number"]),
    "api_citizen.rate": _obj({"score": {"type": "integer", "minimum": 1, "maximum": 5},
                              "reason": S, "comment": S}, ["score"]),
    "api_auth.login": _obj({"username": S, "password": S}, ["username", "password"]),
    "api_clerk.pause_window": _obj({"reason": S}),
    "api_clerk.hold": _obj({"reason": S}),
    "api_clerk.unhold": _obj({"ticket": INT}, ["ticket"]),
    "api_clerk.transfer": _obj({"service": S}, ["service"]),
    "api_clerk.set_auto": _obj({"auto": B}, ["auto"]),
    "api_clerk.put_skills": _obj({"skills": {"type": "object", "additionalProperties": {
        "type": "number", "exclusiveMinimum": 0, "maximum": 1}}}, ["skills"]),
}


def document() -> dict:
    paths: dict[str, dict] = {}
    for rule in sorted(current_app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith("/api/v1"):
            continue
        path = rule.rule.replace("<", "{").replace(">", "}")
        path = re.sub(r"\{\w+:(\w+)\}", r"{\1}", path)
        view = current_app.view_functions[rule.endpoint]
        summary = (view.__doc__ or rule.endpoint).strip().splitlines()[0]
        params = [{"name": n, "in": "path", "required": True, "schema": S}
                  for n in rule.arguments]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            op = {"operationId": f"{rule.endpoint}.{method.lower()}", "summary": summary,
                  "parameters": params,
                  "responses": {"200": {"description": "OK"},
                                "4XX": {"description": "refused",
                                        "content": {"application/json": {"schema": ERROR}}}}}
            if rule.endpoint in BODIES:
                op["requestBody"] = {"required": True, "content": {
                    "application/json": {"schema": BODIES[rule.endpoint]}}}
            paths.setdefault(path, {})[method.lower()] = op
    return {"openapi": "3.1.0",
            "info": {"title": "HallQ API", "version": "1",
                     "description": "政务服务大厅排队叫号与智能派单 — the public contract is "
                                    "docs/api.md"},
            "components": {"securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "cookie": {"type": "apiKey", "in": "cookie", "name": "hallq_session"}}},
            "paths": paths}


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI document of this API."""
    return document()
