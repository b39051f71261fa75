"""Allow-list validation of request bodies, ID numbers (GB 11643) and mobile numbers."""
from __future__ import annotations

import hashlib
import hmac
import re
from typing import Any

from flask import current_app, request

from queue_server.errors import bad_request, invalid

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


def body(allowed: set[str], required: set[str] = frozenset()) -> dict[str, Any]:
    """The JSON object of the request, refusing unknown and missing fields."""
    if not request.data:
        return {} if not required else missing(required)
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
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise bad_request("unknown_field", f"未知字段 (unknown fields: {', '.join(unknown)})")
    if required - set(data):
        missing(required - set(data))
    return data


def missing(required: set[str]):
    """Refuse a request that lacks `required` fields (the one wording for it)."""
    raise bad_request("missing_field", f"缺少字段 (missing fields: {', '.join(sorted(required))})")


def string(data: dict, key: str, *, max_len: int = 200, required: bool = False) -> str | None:
    value = data.get(key)
    if value is None:
        if required:
            raise bad_request("missing_field", f"缺少字段 {key} (missing {key})")
        return None
    if not isinstance(value, str):
        raise bad_request("wrong_type", f"{key} 必须是字符串 ({key} must be a string)")
    if len(value) > max_len:
        raise invalid("too_long", f"{key} 过长 ({key} longer than {max_len})")
    return value


def integer(data: dict, key: str, lo: int, hi: int, default: int | None = None) -> int | None:
    value = data.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise bad_request("wrong_type", f"{key} 必须是整数 ({key} must be an integer)")
    if not lo <= value <= hi:
        raise invalid("out_of_range", f"{key} 须在 {lo}–{hi} 之间 ({key} must be {lo}..{hi})")
    return value


def weights(value: Any) -> dict[str, float]:
    """A skills object: service id -> weight in (0, 1]."""
    if not isinstance(value, dict):
        raise bad_request("wrong_type", "skills 必须是对象 (skills must be an object)")
    out = {}
    for k, v in value.items():
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 < v <= 1:
            raise invalid("invalid_weight", f"权重须在 (0, 1] 之间 (weight for {k!r} must be in"
                                            " (0, 1])")
        out[str(k)] = float(v)
    return out
