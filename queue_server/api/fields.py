"""The validation vocabulary: field specs every request body and query argument is built from.

A route declares its body with ``@accepts(Model)`` (and its query with ``@query(Model)``);
the model, made of the specs below, is what checks the request and what ``api/openapi.py``
publishes, so the document cannot say what the code does not check. Pydantic does the work;
``_refusal`` turns its errors into the contract's error shape with the codes clients rely on
(unknown fields and missing fields first, as one list each, then the first bad value).
"""
from __future__ import annotations

import functools
import hashlib
import hmac
import re
from collections.abc import Callable
from typing import Annotated, Any, get_args

from annotated_types import Ge, Le
from flask import current_app, request
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from queue_server.domain.halls import ID_RE  # one id rule for halls, windows, services
from queue_server.errors import ApiError, bad_request, invalid

# -- personal data ---------------------------------------------------------------------------

_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_CHECK = "10X98765432"
_MOBILE = re.compile(r"1[3-9][0-9]{9}")  # [0-9], not \d: no full-width digits


def id_number_ok(value: str) -> bool:
    """An 18-digit resident ID with a valid GB 11643 check digit."""
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{17}[0-9Xx]", value):
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], _WEIGHTS, strict=True))
    return _CHECK[total % 11] == value[17].upper()


def mobile_ok(value: str) -> bool:
    return isinstance(value, str) and bool(_MOBILE.fullmatch(value))


def keyed_hash(value: str) -> str:
    """A keyed hash (HMAC-SHA256) of personal data: look-ups without storing the value."""
    key = current_app.config["ID_HASH_KEY"].encode()
    return hmac.new(key, value.upper().encode(), hashlib.sha256).hexdigest()


# -- field specs -----------------------------------------------------------------------------

def refuse(code: str, message: str) -> PydanticCustomError:
    """A refusal raised inside a spec; ``code`` becomes the error's code."""
    return PydanticCustomError(code, message, {"hallq": True})


def _check(code: str, message: str, ok: Callable[[Any], bool]) -> AfterValidator:
    def run(value: Any) -> Any:
        if not ok(value):
            raise refuse(code, message)
        return value
    return AfterValidator(run)


def Text(max_len: int) -> Any:
    """A string of at most ``max_len`` characters, kept as sent (tokens, reasons)."""
    return Annotated[str, StringConstraints(max_length=max_len)]


def Label(max_len: int, required: bool = False) -> Any:
    """A name or label: trimmed, at most ``max_len``; ``required``: not empty."""
    return Annotated[str, StringConstraints(strip_whitespace=True, max_length=max_len,
                                            min_length=1 if required else 0)]


def Int(lo: int, hi: int) -> Any:
    return Annotated[int, Field(ge=lo, le=hi)]


def Number(lo: float, hi: float) -> Any:
    return Annotated[float, Field(ge=lo, le=hi)]


def Choice(values: tuple, code: str, message: str) -> Any:
    """One of ``values``; anything else is refused with ``code``."""
    kind = int if all(isinstance(v, int) for v in values) else str
    return Annotated[kind, _check(code, message, lambda v: v in values),
                     WithJsonSchema({"enum": list(values)})]


def Checked(schema: dict, code: str, message: str, ok: Callable[[Any], bool],
            convert: Callable[[Any], Any] = lambda v: v) -> Any:
    """A value of any JSON type that ``ok`` accepts (refused with ``code`` otherwise), then
    ``convert``-ed; ``schema`` is what the document says of it, and ``ok`` must check all of
    that."""
    def run(value: Any) -> Any:
        if not ok(value):
            raise refuse(code, message)
        return convert(value)
    return Annotated[Any, AfterValidator(run), WithJsonSchema(schema)]


Flag = bool
KIOSK_RE = ID_RE  # kiosk names are ids too
Id = Annotated[str, _check("invalid_id", "编号只能包含字母、数字、-、_，最多 32 位 (invalid id)",
                           lambda v: bool(ID_RE.fullmatch(v))),
               WithJsonSchema({"type": "string", "pattern": ID_RE.pattern})]
ServiceId = Text(64)
IdNumber = Annotated[str, StringConstraints(max_length=32),
                     _check("invalid_id_number", "身份证号码无效 (invalid ID number)",
                            id_number_ok)]
Mobile = Annotated[str, StringConstraints(max_length=32),
                   _check("invalid_phone", "手机号码无效 (invalid mobile number)", mobile_ok)]


def weight_ok(v: Any) -> bool:
    return not isinstance(v, bool) and isinstance(v, int | float) and 0 < v <= 1


WEIGHT_SCHEMA = {"type": "number", "exclusiveMinimum": 0, "maximum": 1}


def _weights(value: Any) -> dict[str, float]:
    if not isinstance(value, dict):
        raise refuse("wrong_type", "skills 必须是对象 (skills must be an object)")
    for k, v in value.items():
        if not weight_ok(v):
            raise refuse("invalid_weight", f"权重须在 (0, 1] 之间 (weight for {k!r} must be in"
                                           " (0, 1])")
    return {str(k): float(v) for k, v in value.items()}


# A skills object: service id -> weight in (0, 1].
Skills = Annotated[Any, AfterValidator(_weights), WithJsonSchema(
    {"type": "object", "additionalProperties": WEIGHT_SCHEMA})]


def weights(value: Any) -> dict[str, float]:
    """A skills object checked outside a body model (each window of a bulk edit)."""
    try:
        return _weights(value)
    except PydanticCustomError as e:
        raise _api_error(e.type, e.message()) from None


# -- bodies and queries ----------------------------------------------------------------------

class Body(BaseModel):
    """A JSON request body: an object with exactly these fields, strictly typed (no "5" for
    5, no true for 1). A field with the default ``None`` and a type without ``None`` may be
    left out but not sent as null."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    def given(self) -> dict[str, Any]:
        """The fields the request sent (a PATCH changes only those)."""
        return self.model_dump(exclude_unset=True)


class Empty(Body):
    """No fields: an action whose URL says everything."""


class Query(BaseModel):
    """Query arguments (strings on the wire); unknown ones are ignored, as browsers add
    their own."""

    model_config = ConfigDict(extra="ignore", frozen=True)


def _ascii_int(value: Any) -> Any:
    # ASCII digits only: int() also takes "²" and " 12 " and "1_000"
    if isinstance(value, str) and not re.fullmatch(r"[0-9]{1,9}", value):
        raise refuse("bad_parameter", "须为整数 (must be an integer)")
    return value


def QueryInt(lo: int, hi: int) -> Any:
    return Annotated[int, BeforeValidator(_ascii_int), Field(ge=lo, le=hi)]


def _blank_is_none(value: Any) -> Any:
    return None if value == "" else value


def QueryText(max_len: int) -> Any:
    """A query string of at most ``max_len`` characters; empty means not given."""
    def at_most(value: str | None) -> str | None:
        if value is not None and len(value) > max_len:
            raise PydanticCustomError("string_too_long", "too long", {"max_length": max_len})
        return value
    return Annotated[str | None, BeforeValidator(_blank_is_none), AfterValidator(at_most),
                     WithJsonSchema({"type": "string", "maxLength": max_len})]


def accepts(model: type[Body]) -> Callable:
    """Check the JSON body against ``model`` and pass it to the view as ``body``."""
    def wrap(view: Callable) -> Callable:
        @functools.wraps(view)
        def inner(*args: Any, **kwargs: Any) -> Any:
            return view(*args, body=parse(model, _json_object()), **kwargs)
        inner.hallq_body = model  # what api/openapi.py publishes
        return inner
    return wrap


def query(model: type[Query]) -> Callable:
    """Check the query arguments against ``model`` and pass them to the view as ``args``."""
    def wrap(view: Callable) -> Callable:
        @functools.wraps(view)
        def inner(*args: Any, **kwargs: Any) -> Any:
            return view(*args, args=parse(model, request.args.to_dict(), query=True), **kwargs)
        inner.hallq_query = model
        return inner
    return wrap


def _json_object() -> dict[str, Any]:
    if not request.data:
        return {}
    if not request.is_json:  # a cross-site form can't send application/json without CORS
        raise bad_request("not_json", "请求体须为 application/json (body must be JSON)")
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # nested thousands deep: not JSON anyone means
        raise bad_request("malformed_json", "请求体嵌套过深 (body is nested too deep)") from None
    if data is None:
        raise bad_request("malformed_json", "请求体不是合法的 JSON (body is not valid JSON)")
    if not isinstance(data, dict):
        raise bad_request("malformed_body", "请求体必须是 JSON 对象 (body must be a JSON object)")
    return data


def parse(model: type[BaseModel], data: dict[str, Any], query: bool = False) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as e:
        raise _refusal(model, e.errors(include_url=False), query) from None


# -- pydantic's errors in the contract's shape -------------------------------------------------

# codes answered 400 (the request is malformed); every other refusal is a 422
BAD_REQUEST = {"unknown_field", "missing_field", "wrong_type", "bad_parameter", "bad_format"}
TYPE_NAMES = {"string": ("字符串", "a string"), "int": ("整数", "an integer"),
              "float": ("数字", "a number"), "bool": ("true/false", "a boolean"),
              "dict": ("对象", "an object"), "list": ("列表", "a list")}


def _api_error(code: str, message: str) -> ApiError:
    return bad_request(code, message) if code in BAD_REQUEST else invalid(code, message)


def _refusal(model: type[BaseModel], errors: list[dict], query: bool) -> ApiError:
    unknown = sorted(str(e["loc"][0]) for e in errors if e["type"] == "extra_forbidden")
    if unknown:
        return bad_request("unknown_field", f"未知字段 (unknown fields: {', '.join(unknown)})")
    missing = sorted(str(e["loc"][0]) for e in errors if e["type"] == "missing")
    if missing:
        return bad_request("missing_field", f"缺少字段 (missing fields: {', '.join(missing)})")
    e = errors[0]
    key = ".".join(str(p) for p in e["loc"]) or "body"
    if (e.get("ctx") or {}).get("hallq") and e["type"] != "bad_parameter":
        return _api_error(e["type"], e["msg"])  # one of ours (refuse)
    if query:
        if e["type"] in ("string_too_long", "too_long"):
            return bad_request("bad_parameter", f"{key} 过长 ({key} too long)")
        lo, hi = _bounds(model, key)
        if lo is None:
            return bad_request("bad_parameter", f"{key} 无效 ({key}: {e['msg']})")
        return bad_request("bad_parameter", f"{key} 须为 {lo}–{hi} 的整数 ({key} must be an"
                                            f" integer {lo}..{hi})")
    return _value_error(model, key, e)


def _value_error(model: type[BaseModel], key: str, e: dict) -> ApiError:
    kind = e["type"]
    if kind.endswith("_type") and kind[:-5] in TYPE_NAMES:
        zh, en = TYPE_NAMES[kind[:-5]]
        return bad_request("wrong_type", f"{key} 必须是{zh} ({key} must be {en})")
    if kind == "string_too_long":
        n = e["ctx"]["max_length"]
        return invalid("too_long", f"{key} 过长，最多 {n} 字 ({key} longer than {n})")
    if kind == "string_pattern_mismatch":
        return invalid("invalid_format", f"{key} 格式不正确 ({key} has the wrong format)")
    if kind == "string_too_short":
        return invalid("empty", f"{key} 不能为空 ({key} must not be empty)")
    if kind in ("greater_than_equal", "less_than_equal"):
        lo, hi = _bounds(model, key)
        return invalid("out_of_range", f"{key} 须在 {lo}–{hi} 之间 ({key} must be {lo}..{hi})")
    return bad_request("wrong_type", f"{key}: {e['msg']}")


def _bounds(model: type[BaseModel], key: str) -> tuple[Any, Any]:
    """The ``ge``/``le`` of a field, wherever its annotation nests them."""
    info = model.model_fields.get(key) or next(
        (f for f in model.model_fields.values() if f.alias == key), None)
    found: dict[str, Any] = {}

    def walk(node: Any) -> None:
        for m in getattr(node, "metadata", None) or ():
            if isinstance(m, Ge):
                found.setdefault("ge", m.ge)
            elif isinstance(m, Le):
                found.setdefault("le", m.le)
            else:
                walk(m)
        for arg in get_args(node):
            walk(arg)

    if info is not None:
        walk(info)
        walk(info.annotation)
    return found.get("ge"), found.get("le")
