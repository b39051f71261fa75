"""The OpenAPI 3.1 document of ``/api/v1``, built from the routes themselves so it cannot miss
one: each route's docstring gives the summary, and its request body and query are the very
models (``api/bodies.py``) that check them."""
from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, current_app

from queue_server.api import bodies

bp = Blueprint("openapi", __name__, url_prefix="/api/v1")

ERROR = {"type": "object", "required": ["error"], "properties": {"error": {
    "type": "object", "required": ["code", "message"],
    "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}}


S, INT, NUM = {"type": "string"}, {"type": "integer"}, {"type": "number"}

# The answers described beyond "OK": the services list (what the kiosk shows).
SERVICE = {"type": "object", "properties": {
    "id": S, "name": S, "name_en": S, "category": S, "materials": bodies.MATERIALS_SCHEMA,
    "materials_en": bodies.MATERIALS_SCHEMA, "mean_service_s": NUM, "waiting": INT,
    "ahead": INT, "eta_s": {"type": ["integer", "null"]},
    "servable": {"type": "boolean", "description": "false: no window takes it yet, so the"
                 " kiosk does not offer it"}},
    "required": ["id", "name", "category", "materials", "waiting", "eta_s", "servable"]}
# The endpoints that answer 201 Created (everything else answers 200).
CREATED = {"api_citizen.issue", "api_bookings.book", "api_bookings.check_in", "api_citizen.rate",
           "api_guide.special_ticket", "api_manage.add_window", "api_manage.add_category",
           "api_manage.add_service", "api_manage.add_user", "api_devices.pair",
           "api_guidance.choice", "api_cases.collect_by_lookup", "api_cases.collect_by_ticket"}
# The endpoints that answer 201 the first time and 200 after (a case's later steps).
CREATED_OR_OK = {"api_cases.post_case"}
REPLIES = {
    "api_manage.hall_audit_verify": {"type": "object", "properties": {
        "hall": S, "ok": {"type": "boolean"}, "checked": INT,
        "broken_at": {"type": ["integer", "null"], "description": "seq of the first event"
                      " whose hash or link does not match"}, "head": S},
        "required": ["hall", "ok", "checked", "broken_at", "head"]},
    "api_citizen.services": {"type": "object", "properties": {
        "categories": {"type": "array", "items": {"type": "object"}},
        "services": {"type": "array", "items": {"$ref": "#/components/schemas/Service"}}}},
}


def _tidy(schema: Any) -> Any:
    """Pydantic's JSON Schema without its titles and the ``null`` defaults of fields that
    may be left out but not sent as null."""
    if isinstance(schema, dict):
        return {k: _tidy(v) for k, v in schema.items()
                if k != "title" and not (k == "default" and v is None)}
    if isinstance(schema, list):
        return [_tidy(v) for v in schema]
    return schema


def header_parameters(endpoint: str) -> list[dict]:
    """Request headers an endpoint reads (the pattern is the code's own)."""
    if endpoint != "api_citizen.issue":
        return []
    from queue_server.api.citizen import IDEMPOTENCY_KEY
    return [{"name": "Idempotency-Key", "in": "header", "required": False,
             "description": "a retry with the same key on the same day gets the same ticket"
                            " (and token) instead of a second number",
             "schema": {"type": "string", "pattern": f"^{IDEMPOTENCY_KEY.pattern}$"}}]


def body_schema(view: Any) -> dict | None:
    """The JSON Schema of a view's request body: the model that ``@accepts`` checks."""
    model = getattr(view, "hallq_body", None)
    if model is None:
        return None
    return _tidy(model.model_json_schema(by_alias=True))


def query_parameters(view: Any) -> list[dict]:
    model = getattr(view, "hallq_query", None)
    if model is None:
        return []
    schema = _tidy(model.model_json_schema(by_alias=True))
    return [{"name": name, "in": "query", "required": name in schema.get("required", []),
             "schema": prop} for name, prop in schema["properties"].items()]


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
                  for n in rule.arguments] + query_parameters(view) + header_parameters(
                      rule.endpoint)
        body = body_schema(view)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            ok = "201" if rule.endpoint in CREATED else "200"
            op = {"operationId": f"{rule.endpoint}.{method.lower()}", "summary": summary,
                  "parameters": params,
                  "responses": {ok: {"description": "Created" if ok == "201" else "OK"},
                                "4XX": {"description": "refused",
                                        "content": {"application/json": {"schema": ERROR}}}}}
            if rule.endpoint in CREATED_OR_OK:
                op["responses"] = {"201": {"description": "Created"},
                                   "200": {"description": "OK"}, **op["responses"]}
            if rule.endpoint in REPLIES:
                op["responses"][ok]["content"] = {
                    "application/json": {"schema": REPLIES[rule.endpoint]}}
            if body is not None:
                media = {"schema": body}
                if body.get("examples"):
                    media["example"] = body["examples"][0]
                op["requestBody"] = {"required": bool(body.get("required")),
                                     "content": {"application/json": media}}
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
