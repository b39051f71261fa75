"""Every route's request body and query, made only of the field specs of ``api/fields.py``.

``X = None`` with a type that has no ``None``: the field may be left out, but not sent as
null; ``X | None = None``: null means left out.
"""
from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import ConfigDict, Field, StringConstraints, model_validator

from queue_server.api.fields import (
    KIOSK_RE,
    WEIGHT_SCHEMA,
    Body,
    Checked,
    Choice,
    Flag,
    Id,
    IdNumber,
    Int,
    Label,
    Mobile,
    Number,
    Query,
    QueryInt,
    QueryText,
    ServiceId,
    Skills,
    Text,
    refuse,
    weight_ok,
)
from queue_server.manager.reports import AUDIT_LIMIT

# -- citizens ----------------------------------------------------------------------------------


class Issue(Body):
    model_config = ConfigDict(json_schema_extra={
        "anyOf": [{"required": ["service"]}, {"required": ["appointment"]}],
        "examples": [{"service": "hukou"}, {"service": "fund", "channel": "mobile"}]})

    service: ServiceId | None = Field(None, description="required unless appointment is given;"
                                      " with one, it must be the booked service")
    channel: Choice(("kiosk", "mobile"), "invalid_channel",
                    "取号渠道无效 (channel must be kiosk or mobile)") | None = None
    id_number: IdNumber | None = None
    phone: Mobile | None = None
    priority: Int(0, 1) | None = None  # 2 comes only from an appointment
    appointment: Text(16) | None = Field(None, description="check-in code (预约码); needs"
                                                           " id_number")
    agent_id_number: IdNumber | None = Field(None, description="代办: the ID of the person"
                                             " taking the ticket for the holder of id_number")

    @model_validator(mode="after")
    def _agent_for_someone(self) -> Issue:
        if self.agent_id_number is not None:
            if self.id_number is None:
                raise refuse("missing_field", "代办须同时提供被代办人的身份证号 (an agent needs"
                                              " the id_number of the person served)")
            if self.agent_id_number.upper() == self.id_number.upper():
                raise refuse("agent_is_holder", "代办人与被代办人不能相同 (the agent cannot be"
                                                " the person served)")
        return self

    @model_validator(mode="after")
    def _service_or_appointment(self) -> Issue:
        # an appointment names its own service; without one the service is required
        if self.service is None and self.appointment is None:
            if "service" in self.model_fields_set:  # sent as null
                raise refuse("missing_field", "缺少字段 service (missing service)")
            raise refuse("missing_field", "缺少字段 (missing fields: service)")
        return self


class Book(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "service": "hukou",
        "slot_at": "2026-12-03T10:00",
        "id_number": "11010519491231002X"}]})

    service: ServiceId
    slot_at: Text(40)
    id_number: IdNumber
    phone: Mobile | None = Field(None, description="for notices (reminder, call); kept sealed"
                                                   " only when a channel needs it")


class AppointmentOwner(Body):
    """The booking holder's ID number: cancel, check in by phone."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id_number": "11010519491231002X"}]})

    id_number: IdNumber


class Reschedule(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id_number": "11010519491231002X", "slot_at": "2026-12-03T10:30"}]})

    id_number: IdNumber
    slot_at: Text(40)


class SlotsQuery(Query):
    service: QueryText(64)
    date: QueryText(10) = None  # YYYY-MM-DD, the hall's day; default today


class Rate(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"score": 5}]})

    score: Int(1, 5)
    reason: Text(200) | None = None
    comment: Text(1000) | None = None
    # where the rating was given: a pad or kiosk in the hall, or a phone; by default where
    # the ticket was taken (the 好差评 platform's 评价渠道)
    channel: Choice(("onsite", "mobile"), "invalid_channel",
                    "评价渠道须为 onsite 或 mobile (channel: onsite or mobile)") | None = None


class Login(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "username": "clerk01",
        "password": "a-long-password"}]})

    username: Text(64)
    password: Text(256)


class Slip(Body):
    token: Text(128)
    # the kiosk's language: the QR code opens the phone page in it
    lang: Choice(("zh", "en"), "invalid_lang", "lang 须为 zh 或 en (lang: zh or en)") = None
    kiosk: Checked({"type": "string", "pattern": KIOSK_RE.pattern}, "invalid_kiosk",
                   "自助机编号无效 (kiosk: letters, digits, - and _)",
                   lambda v: isinstance(v, str) and bool(KIOSK_RE.fullmatch(v))) | None = None


# -- clerks ------------------------------------------------------------------------------------

class Reason(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"reason": "午休"}]})

    reason: Text(100) | None = None


class Unhold(Body):
    ticket: int  # a ticket id; one that is not this window's (or not a ticket) is a 404


HoldKind = Choice(("keep", "release", "wait"), "invalid_kind",
                  "挂起方式须为 keep（持件）、release（不持件）或 wait（等待） (kind: keep, release"
                  " or wait)")


class Hold(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"kind": "keep", "reason": "回家取户口本"}, {"reason": "补材料"}]})

    kind: HoldKind = Field(None, description="keep 持件挂起 (the default), release 不持件,"
                                             " wait 等待挂起 (domain/holds.py)")
    reason: Text(100) | None = None


class Resume(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"ticket": 1}]})

    ticket: int  # a held ticket's id


OUTCOME_CODE = "^[a-z][a-z0-9_]{0,31}$"
OutcomeCode = Checked({"type": "string", "pattern": OUTCOME_CODE}, "invalid_outcome",
                      "办理结果编号无效 (outcome: a lower-case code)",
                      lambda v: isinstance(v, str) and bool(re.fullmatch(OUTCOME_CODE, v)))


class Finish(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"outcome": "settled"}, {}]})

    outcome: OutcomeCode = Field(None, description="one of the hall's outcome codes"
                                                   " (GET /halls/<hall>/outcomes)")


class CallNumber(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"number": "A012"}]})

    number: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2,
                                             max_length=8, pattern=r"^[A-Za-z][0-9]{1,6}$")]


class Special(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"service": "hukou", "reason": "材料已核验"}]})

    service: ServiceId
    reason: Label(100, required=True)


class Transfer(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"service": "fund"}]})

    service: ServiceId


class Auto(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"auto": False}]})

    auto: Flag


# -- managers: skills --------------------------------------------------------------------------

class WindowSkills(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"skills": {"hukou": 1,
                                                                          "fund": 0.5}}]})

    skills: Skills


def _windows_ok(v: Any) -> bool:
    return isinstance(v, dict) and bool(v)


class HallSkills(Body):
    windows: Checked({"type": "object", "minProperties": 1, "additionalProperties": {
        "type": "object", "additionalProperties": {"type": "number"}}}, "wrong_type",
        "windows 须为 {窗口: {业务: 权重}} (windows must be an object of skills)", _windows_ok)


def _change_ok(c: Any) -> bool:
    to = c.get("to") if isinstance(c, dict) else None
    return (isinstance(c, dict) and isinstance(c.get("window"), str)
            and isinstance(c.get("service"), str) and (to is None or weight_ok(to)))


def _changes_ok(v: Any) -> bool:
    return isinstance(v, list) and len(v) <= 200 and all(_change_ok(c) for c in v)


class AdviceApply(Body):
    # each change's window, service and weights are checked against the matrix when applied
    changes: Checked({"type": "array", "maxItems": 200, "items": {
        "type": "object", "required": ["window", "service"],
        "properties": {"window": {"type": "string"}, "service": {"type": "string"},
                       "from": {"type": ["number", "null"]},
                       "to": {"anyOf": [WEIGHT_SCHEMA, {"type": "null"}]}}}},
        "invalid_changes", "changes 须为列表，每项含 window 与 service，权重在 (0, 1] 之间"
        " (changes: a list of {window, service, to in (0, 1]})", _changes_ok)


class AdviceQuery(Query):
    max_changes: QueryInt(1, 50) | None = None
    days: QueryInt(1, 366) = 7


class StaffingQuery(Query):
    """The day to plan (default tomorrow) and the wait target: ``share`` % of citizens
    called within ``wait_min`` minutes."""

    date: QueryText(10) = None
    wait_min: QueryInt(1, 240) = 15
    share: QueryInt(50, 99) = 90


# -- managers: the hall's administration -------------------------------------------------------

Sort = Int(0, 9999)
Prefix = Checked({"type": "string", "pattern": "^[A-Z]$"}, "invalid_prefix",
                 "票号前缀须为一个大写字母 (prefix must be one letter A-Z)",
                 lambda v: isinstance(v, str) and len(v) == 1 and "A" <= v <= "Z")


def _materials_ok(v: Any) -> bool:
    return isinstance(v, list) and len(v) <= 30 and all(
        isinstance(x, str) and 0 < len(x.strip()) <= 100 for x in v)


# materials (一次性告知) and materials_en: up to 30 items of 1-100 characters; an empty
# materials_en means the pages show the Chinese list in English too
MATERIALS_SCHEMA = {"type": "array", "maxItems": 30,
                    "items": {"type": "string", "minLength": 1, "maxLength": 100}}


def _materials(key: str, doc: dict) -> object:
    return Checked(doc, "invalid_materials",
                   f"材料清单须为字符串列表，最多 30 项，每项 1–100 字 ({key}: a list of up to 30"
                   " strings of 1-100 characters)", _materials_ok, lambda v: [x.strip() for x in v])


Materials = _materials("materials", MATERIALS_SCHEMA)
MaterialsEn = _materials("materials_en", {
    **MATERIALS_SCHEMA, "description": "the materials in English, item by item; empty: show the"
    " Chinese list. When both lists are non-empty after the change they must have as many"
    " items (else 422 materials_mismatch)"})


class WindowEdit(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "1号窗口"}]})

    name: Label(40, required=True) = None
    name_en: Label(60) = None
    zone: Label(10) = None
    sort: Sort = None


class WindowNew(WindowEdit):
    model_config = ConfigDict(json_schema_extra={"examples": [{"id": "W99", "name": "99号窗口"}]})

    id: Id
    name: Label(40, required=True)


class CategoryEdit(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "户籍"}]})

    name: Label(40, required=True) = None
    name_en: Label(60) = None
    prefix: Prefix = None
    sort: Sort = None


class CategoryNew(CategoryEdit):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": "extra",
        "name": "其他",
        "prefix": "Z"}]})

    id: Id
    name: Label(40, required=True)
    prefix: Prefix


class ServiceEdit(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"mean_service_s": 300}]})

    category: Label(32, required=True) = None
    name: Label(60, required=True) = None
    name_en: Label(80) = None
    mean_service_s: Number(10, 14400) = None
    wait_limit_s: Int(1, 86400) = None
    # 办理超时: the norm for one service at the window, from its start; 0: none
    service_limit_s: Int(0, 86400) = None
    # appointments per half-hour slot; 0: the service takes none
    slot_capacity: Int(0, 500) = None
    materials: Materials = None
    materials_en: MaterialsEn = None
    active: Flag = None
    sort: Sort = None


class ServiceNew(ServiceEdit):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": "extra-svc",
        "category": "hukou",
        "name": "其他业务",
        "mean_service_s": 300}]})

    id: Id
    category: Label(32, required=True)
    name: Label(60, required=True)
    mean_service_s: Number(10, 14400)


class UserEdit(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"display_name": "李明"}]})

    display_name: Label(40) = None
    staff_no: Label(20) = None
    role: Text(16) = None  # one of auth.ROLES, and not above the acting manager's
    active: Flag = None
    password: Text(256) = None
    all_halls: Flag = None


class UserNew(UserEdit):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "username": "clerk99",
        "role": "clerk",
        "password": "a-long-password"}]})

    username: Text(64)
    role: Text(16)
    password: Text(256)


def _notices_ok(v: Any) -> bool:
    return isinstance(v, list) and len(v) <= 20 and all(
        isinstance(n, str) and len(n) <= 200 for n in v)


class Notices(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"notices": ["今日 16:30 停止取号"]}]})

    notices: Checked({"type": "array", "maxItems": 20,
                      "items": {"type": "string", "maxLength": 200}}, "invalid_notices",
                     "公告须为字符串列表，每条不超过 200 字 (notices: list of strings up to 200"
                     " characters)", _notices_ok, lambda v: [n.strip() for n in v if n.strip()])


HHMM = "^([01][0-9]|2[0-3]):[0-5][0-9]$"


def _hhmm_ok(v: Any) -> bool:
    return isinstance(v, str) and bool(re.fullmatch(HHMM, v))


class Hours(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"open": "08:30", "close": "17:30"}]})

    open: Checked({"type": "string", "pattern": HHMM}, "invalid_time",
                  "open 须为 HH:MM (open must be HH:MM)", _hhmm_ok)
    close: Checked({"type": "string", "pattern": HHMM}, "invalid_time",
                   "close 须为 HH:MM (close must be HH:MM)", _hhmm_ok)


def _outcomes_ok(v: Any) -> bool:
    if not isinstance(v, list) or not 1 <= len(v) <= 9:
        return False
    codes = [o.get("code") for o in v if isinstance(o, dict)]
    return len(codes) == len(v) and len(set(codes)) == len(codes) and all(
        set(o) <= {"code", "name", "name_en"} and isinstance(o.get("code"), str)
        and re.fullmatch(OUTCOME_CODE, o["code"]) and isinstance(o.get("name"), str)
        and 0 < len(o["name"].strip()) <= 20 and isinstance(o.get("name_en", ""), str)
        and len(o.get("name_en", "")) <= 40 for o in v)


class Outcomes(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"outcomes": [
        {"code": "settled", "name": "办结", "name_en": "Settled"},
        {"code": "returned", "name": "退件", "name_en": "Returned"}]}]})

    outcomes: Checked(
        {"type": "array", "minItems": 1, "maxItems": 9, "items": {
            "type": "object", "required": ["code", "name"], "additionalProperties": False,
            "properties": {"code": {"type": "string", "pattern": OUTCOME_CODE},
                           "name": {"type": "string", "minLength": 1, "maxLength": 20},
                           "name_en": {"type": "string", "maxLength": 40}}}},
        "invalid_outcomes", "办理结果须为 1–9 项，编号不重复，名称不超过 20 字 (outcomes: 1 to 9"
        " items with unique codes and names)", _outcomes_ok,
        lambda v: [{**o, "name": o["name"].strip(), "name_en": o.get("name_en", "").strip()}
                   for o in v])


ReturnAfter = Int(60, 8 * 3600) | None


class HoldReturn(Body):
    """Seconds after which a held ticket of each kind goes back to the queue by itself; null:
    never (it stays held until someone acts). A kind left out keeps its setting."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"keep": None, "release": 1800, "wait": 3600}]})

    keep: ReturnAfter = None
    release: ReturnAfter = None
    wait: ReturnAfter = None


# -- managers: statistics and audit ------------------------------------------------------------

class Days(Query):
    """``date``, or ``from``/``to``: checked as days by ``manager/stats.day_range``."""

    date: QueryText(10) = None
    from_: QueryText(10) = Field(None, alias="from")
    to: QueryText(10) = None

    def days(self) -> dict[str, str | None]:
        return {"date": self.date, "from": self.from_, "to": self.to}


class StatsQuery(Days):
    format: Choice(("json", "csv", "xlsx"), "bad_format",
                   "format 须为 json、csv 或 xlsx (format: json, csv, xlsx)") = "json"
    # CSV for people (Excel): a BOM, headers in this language, durations m:ss
    lang: Choice(("zh", "en"), "bad_parameter", "lang 须为 zh 或 en (lang: zh or en)") = None
    # the N of the cases' "ready but not collected after N days"
    ready_days: QueryInt(1, 365) = 3


class AuditQuery(Days):
    actor: QueryText(64) = None
    window: QueryText(64) = None
    action: QueryText(64) = None
    ticket: QueryText(16) = None
    after: QueryInt(0, 999_999_999) = 0
    limit: QueryInt(1, AUDIT_LIMIT) = AUDIT_LIMIT


# -- managers: supervision (好差评, 整改, 办理超时) -----------------------------------------------

class RatingsQuery(Days):
    score: QueryInt(1, 5) | None = None
    service: QueryText(64) = None
    window: QueryText(64) = None
    clerk: QueryText(64) = None
    page: QueryInt(1, 100_000) = 1
    per_page: QueryInt(1, 500) = 50
    # csv: the national 好差评 platform's layout (UTF-8 with a BOM), every matching rating
    format: Choice(("json", "csv", "xlsx"), "bad_format",
                   "format 须为 json、csv 或 xlsx (format: json, csv, xlsx)") = "json"

    def filters(self) -> dict:
        return {"score": self.score, "service": self.service, "window": self.window,
                "clerk": self.clerk}


class RectificationsQuery(Query):
    # active: every case not closed yet
    status: Choice(("active", "open", "assigned", "answered", "closed"), "bad_parameter",
                   "status 须为 active、open、assigned、answered 或 closed") = None


class Assign(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"owner": "clerk01"}]})

    owner: Text(64)


class Answer(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"response": "您好，已对窗口人员进行批评教育，感谢监督。"}]})

    response: Label(1000, required=True)


class Close(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"outcome": "已约谈当事人，窗口增加引导人员"}]})

    outcome: Label(1000, required=True)


class SupervisionSettings(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"rectify_days": 5, "overtime_warn_pct": 80}]})

    rectify_days: Int(1, 60) = None  # working days (Mon-Fri) a rectification case is due in
    overtime_warn_pct: Int(1, 100) = None  # the clerk's 办理超时 warning at this share


# -- devices (queue_server/devices.py, api/devices.py, api/pad.py) -----------------------------

DEVICE_KINDS = ("kiosk", "hall_screen", "window_screen", "pad")


class DevicePair(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "一楼取号机"}]})

    name: Label(40) = None  # what the device calls itself; the manager may rename it


class DevicePoll(Body):
    secret: Text(128)  # the pairing secret the pair answer gave


class Heartbeat(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"page": "/display/demo"}]})

    page: Text(200) | None = None  # the page the device shows (for the console)


class DeviceApprove(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"code": "123456", "kind": "pad", "name": "1号窗口呼叫器", "window": "W01"},
        {"code": "654321", "kind": "kiosk", "printer": "10.0.0.5:9100"}]})

    code: Annotated[str, StringConstraints(pattern=r"^[0-9]{6}$")]
    kind: Choice(DEVICE_KINDS, "invalid_kind", "设备类型无效 (kind: kiosk, hall_screen,"
                 " window_screen or pad)")
    name: Label(40) = None
    window: Id | None = None  # a window screen's or a pad's window
    printer: Checked({"type": "string", "pattern": r"^[A-Za-z0-9.\-]{1,253}:[0-9]{1,5}$"},
                     "invalid_printer", "打印机地址须为 主机:端口 (printer: HOST:PORT)",
                     lambda v: isinstance(v, str) and bool(
                         re.fullmatch(r"[A-Za-z0-9.\-]{1,253}:[0-9]{1,5}", v))
                     and 0 < int(v.rsplit(":", 1)[1]) < 65536) | None = None


class DeviceSettings(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"kiosk_device_required": True}]})

    kiosk_device_required: Flag  # kiosks issue only with a paired device's token


# -- guidance (智能引导) and cases (办件) -------------------------------------------------------

class GuideQuery(Query):
    q: QueryText(64) = None
    # 1: a look-up while the citizen is still typing, not counted as a search
    live: Choice(("0", "1"), "bad_parameter", "live 须为 0 或 1 (live: 0 or 1)") = "0"


class GuideChoice(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"service": "biz-setup", "via": "search", "q": "开公司"},
        {"service": "medical", "via": "flow", "category": "social"}]})

    service: ServiceId
    via: Choice(("search", "flow"), "invalid_via", "via 须为 search 或 flow (via: search or flow)")
    q: Text(64) | None = None  # the search that found it
    category: Text(32) | None = None  # the guided questions that led to it


def _keywords_ok(v: Any) -> bool:
    return isinstance(v, list) and len(v) <= 30 and all(
        isinstance(k, str) and 0 < len(k.strip()) <= 20 for k in v)


class Keywords(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"keywords": ["开公司", "注册公司", "营业执照"]}]})

    keywords: Checked({"type": "array", "maxItems": 30,
                       "items": {"type": "string", "minLength": 1, "maxLength": 20}},
                      "invalid_keywords", "关键词须为字符串列表，最多 30 个，每个 1–20 字"
                      " (keywords: up to 30 strings of 1-20 characters)", _keywords_ok)


def _flow_schema(depth: int) -> dict:
    option: dict = {"type": "object", "required": ["label"], "additionalProperties": False,
                    "properties": {"label": {"type": "string", "minLength": 1, "maxLength": 40},
                                   "label_en": {"type": "string", "maxLength": 40},
                                   "service": {"type": "string", "minLength": 1,
                                               "maxLength": 64}}}
    if depth > 1:
        option["properties"]["next"] = _flow_schema(depth - 1)
    return {"type": "object", "required": ["question", "options"], "additionalProperties": False,
            "properties": {"question": {"type": "string", "minLength": 1, "maxLength": 100},
                           "question_en": {"type": "string", "maxLength": 100},
                           "options": {"type": "array", "minItems": 2, "maxItems": 8,
                                       "items": option}},
            "description": "each option has exactly one of service and next"}


def _flow_ok(v: Any) -> bool:
    from queue_server.domain.guide_flows import shape_ok
    return shape_ok(v)


class GuideFlow(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"flow": {
        "question": "您是第一次办理，还是变更已有登记？",
        "options": [{"label": "第一次（新开办）", "service": "biz-setup"},
                    {"label": "变更已有登记", "service": "biz-change"}]}}]})

    flow: Checked(_flow_schema(4), "invalid_flow", "引导问题格式无效：每题 2–8 个选项，每个选项"
                  "指向一项业务或下一题，最多 4 层 (flow: 2-8 options each, each a service or a"
                  " next question, at most 4 deep)", _flow_ok)


CASE_NO = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$"
CaseNo = Annotated[str, StringConstraints(max_length=40, pattern=CASE_NO)]
DAY = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
CASE_STATUSES = ("accepted", "in_review", "approved", "rejected", "ready", "collected")
IdSuffix = Annotated[str, StringConstraints(min_length=6, max_length=6,
                                            pattern=r"^[0-9]{5}[0-9Xx]$")]


class CasePost(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"case_no": "SP20261202001", "ticket": "A012", "status": "accepted"},
        {"case_no": "SP20261202001", "ticket": "A012", "date": "2026-12-02",
         "status": "ready"}]})

    case_no: CaseNo
    ticket: Annotated[str, StringConstraints(min_length=2, max_length=8,
                                             pattern=r"^[A-Za-z][0-9]{1,6}$")]
    date: Annotated[str, StringConstraints(max_length=10, pattern=DAY)] = Field(
        None, description="the ticket's day (hall-local); default today")
    status: Choice(CASE_STATUSES, "invalid_status", "状态须为 accepted、in_review、approved、"
                   "rejected、ready 或 collected (invalid status)")
    service: ServiceId | None = Field(None, description="default: the ticket's service")
    id_number: IdNumber | None = Field(None, description="the applicant's, so the case can be"
                                       " looked up by its last six characters; kept only as a"
                                       " keyed hash of those")
    at: Text(40) | None = Field(None, description="the step's time (ISO 8601); default now")


class CaseRef(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"case_no": "SP20261202001"}]})

    case_no: CaseNo


class CaseLookup(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"case_no": "SP20261202001", "id_suffix": "31002X"}]})

    case_no: CaseNo
    id_suffix: IdSuffix


class CaseCollect(CaseLookup):
    channel: Choice(("kiosk", "mobile"), "invalid_channel",
                    "取号渠道无效 (channel must be kiosk or mobile)") | None = None


class CaseSettings(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"collect_service": "pickup"}]})

    collect_service: ServiceId | None  # null: the hall has none


class CaseStatsQuery(Days):
    ready_days: QueryInt(1, 365) = 3
    format: Choice(("json", "csv"), "bad_format", "format 须为 json 或 csv (format: json, csv)"
                   ) = "json"
