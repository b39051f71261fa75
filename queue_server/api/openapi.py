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
NUM = {"type": "number"}
# materials (一次性告知) and materials_en: up to 30 items of 1-100 characters; an empty
# materials_en means the pages show the Chinese list in English too; when both are non-empty
# after a change they have as many items (admin._check_materials).
MATERIALS = {"type": "array", "maxItems": 30,
             "items": {"type": "string", "minLength": 1, "maxLength": 100}}
SERVICE_FIELDS = {"category": S, "name": S, "name_en": S, "mean_service_s": NUM,
                  "wait_limit_s": INT, "materials": MATERIALS,
                  "materials_en": {**MATERIALS, "description": "the materials in English, item"
                                   " by item; empty: show the Chinese list. When both lists are"
                                   " non-empty after the change they must have as many items"
                                   " (else 422 materials_mismatch)"},
                  "active": B, "sort": INT}
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
    "api_skills.put_skills": _obj({"skills": {"type": "object", "additionalProperties": {
        "type": "number", "exclusiveMinimum": 0, "maximum": 1}}}, ["skills"]),
    "api_manage.add_service": _obj({"id": S, **SERVICE_FIELDS},
                                   ["id", "category", "name", "mean_service_s"]),
    "api_manage.edit_service": _obj(SERVICE_FIELDS),
}

# The answers described beyond "OK": the services list (what the kiosk shows).
SERVICE = _obj({"id": S, "name": S, "name_en": S, "category": S, "materials": MATERIALS,
                "materials_en": SERVICE_FIELDS["materials_en"], "mean_service_s": NUM,
                "waiting": INT, "ahead": INT, "eta_s": {"type": ["integer", "null"]}},
               ["id", "name", "category", "materials", "waiting", "eta_s"])
REPLIES = {
    "api_citizen.services": {"type": "object", "properties": {
        "categories": {"type": "array", "items": {"type": "object"}},
        "services": {"type": "array", "items": {"$ref": "#/components/schemas/Service"}}}},
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
            if rule.endpoint in REPLIES:
                op["responses"]["200"]["content"] = {
                    "application/json": {"schema": REPLIES[rule.endpoint]}}
            if rule.endpoint in BODIES:
                op["requestBody"] = {"required": True, "content": {
                    "application/json": {"schema": BODIES[rule.endpoint]}}}
            paths.setdefault(path, {})[method.lower()] = op
    return {"openapi": "3.1.0",
            "info": {"title": "HallQ API", "version": "1",
                     "description": "政务服务大厅排队叫号与智能派单 — the public contract is "
                                    "docs/api.md"},
            "components": {"schemas": {"Service": SERVICE}, "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "cookie": {"type": "apiKey", "in": "cookie", "name": "hallq_session"}}},
            "paths": paths}


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI document of this API."""
    return document()
