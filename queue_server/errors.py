"""One error shape for the whole API: ``{"error": {"code", "message"}}`` with a 4xx status."""
from __future__ import annotations

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException


class ApiError(Exception):
    """A refusal the caller can act on; never a server fault."""

    status = 400

    def __init__(self, code: str, message: str, status: int | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        if status is not None:
            self.status = status

    def body(self) -> dict:
        return {"error": {"code": self.code, "message": self.message}}


def bad_request(code: str, message: str) -> ApiError:
    return ApiError(code, message, 400)


def unauthorized(message: str = "请先登录 (login required)") -> ApiError:
    return ApiError("unauthorized", message, 401)


def forbidden(message: str = "无权执行此操作 (not allowed)") -> ApiError:
    return ApiError("forbidden", message, 403)


def not_found(what: str) -> ApiError:
    return ApiError("not_found", f"{what} 不存在 (unknown {what})", 404)


def conflict(code: str, message: str) -> ApiError:
    return ApiError(code, message, 409)


def invalid(code: str, message: str) -> ApiError:
    return ApiError(code, message, 422)


def too_many(message: str) -> ApiError:
    return ApiError("too_many_requests", message, 429)


def register(app: Flask) -> None:
    """Every error, including Flask's own 404/405 and unexpected faults, in the one shape."""

    @app.errorhandler(ApiError)
    def _api(e: ApiError):
        return jsonify(e.body()), e.status

    @app.errorhandler(HTTPException)
    def _http(e: HTTPException):
        code = (e.name or "error").lower().replace(" ", "_").replace("'", "")
        if not request.path.startswith("/api/"):
            return e
        message = e.description or e.name
        if e.code == 413:
            limit = app.config.get("MAX_CONTENT_LENGTH")
            code, message = "body_too_large", f"请求体过大，最多 {limit} 字节 (body too large:" \
                                              f" at most {limit} bytes)"
        resp = jsonify({"error": {"code": code, "message": message}})
        resp.status_code = e.code
        for key, value in e.get_headers():  # e.g. 405's Allow
            if key.lower() != "content-type":
                resp.headers[key] = value
        return resp

    @app.errorhandler(Exception)
    def _fault(e: Exception):  # a bug: log it, never leak internals
        # The route pattern, not the path: a path may hold a ticket's secret token.
        rule = request.url_rule.rule if request.url_rule else "?"
        app.logger.exception("unhandled error on %s %s", request.method, rule)
        return jsonify({"error": {"code": "internal_error",
                                  "message": "服务器内部错误 (internal error)"}}), 500
