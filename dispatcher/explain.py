"""One short line saying why a ticket went to a window (the clerk terminal shows it)."""
from __future__ import annotations

from . import model, rules

_TEXT = {
    "zh": {"p1": "优先群体", "appt": "预约号已到时", "appt_early": "预约号",
           "starve": "已等候{m}分钟（超时优先）", "wait": "已等候{m}分钟",
           "scarce": "本窗口为该业务少数可办窗口之一", "primary": "本窗口主办该业务",
           "secondary": "本窗口兼办该业务以缩短等候", "short": "办理较快的业务优先",
           "guard": "按等候先后办理，避免有人等得过久",
           "sep": " · ", "unknown": "该号不在等候队列中"},
    "en": {"p1": "priority group", "appt": "appointment due", "appt_early": "appointment",
           "starve": "waited {m} min (overdue, goes first)", "wait": "waited {m} min",
           "scarce": "one of the few windows that can serve this service",
           "primary": "primary skill of this window",
           "secondary": "secondary skill used to shorten waits",
           "short": "quick service goes first",
           "guard": "oldest first, so nobody waits too long", "sep": "; ",
           "unknown": "ticket is not waiting"},
}


def explain(snapshot: dict, window_id, ticket_id, lang: str = "zh") -> str:
    """Why `ticket_id` was chosen for `window_id`: priority, wait, scarcity, skill, and whether
    the tail guard chose it over the flow's proposal."""
    return explain_all(snapshot, window_id, ticket_id, (lang,))[lang]


def explain_all(snapshot: dict, window_id, ticket_id, langs: tuple[str, ...] = ("zh", "en"),
                guarded: bool | None = None, parsed: tuple | None = None) -> dict[str, str]:
    """`explain` in several languages. `guarded`: whether the tail guard chose this ticket, as
    `model.plan_explained` already told the caller; None works it out (one more solve).
    `parsed`: `rules.parse(snapshot)` when the caller has it already."""
    reasons = _reasons(snapshot, window_id, ticket_id, guarded, parsed)
    out = {}
    for lang in langs:
        txt = _TEXT.get(lang, _TEXT["zh"])
        out[lang] = txt["sep"].join(txt[key].format(**kw) for key, kw in reasons)
    return out


def _reasons(snapshot: dict, window_id, ticket_id, guarded: bool | None,
             parsed: tuple | None = None) -> list[tuple[str, dict]]:
    """The parts of the line as (text key, format arguments)."""
    now, windows, tickets, means = rules.parse(snapshot) if parsed is None else parsed
    t = next((x for x in tickets if x.id == ticket_id), None)
    if t is None:
        return [("unknown", {})]
    w = next((x for x in windows if x.id == window_id), None)
    parts: list[tuple[str, dict]] = []
    if t.priority == 1:
        parts.append(("p1", {}))
    elif t.priority == 2:
        due = t.due_at is None or now >= t.due_at - rules.APPT_LEAD_S
        parts.append(("appt" if due else "appt_early", {}))
    minutes = int(max(0.0, now - t.issued_at) // 60)
    starve_s = rules.effective(rules.params_of(snapshot), now, tickets).starve_s
    starving = t.priority == 0 and now - t.issued_at >= starve_s
    parts.append(("starve" if starving else "wait", {"m": minutes}))
    able = sum(1 for x in windows if t.service in x.skills)
    if able and (able <= 2 or able * 5 <= len(windows)):
        parts.append(("scarce", {}))
    elif w is not None and t.service in w.skills:
        parts.append(("primary" if w.skills[t.service] >= 1.0 else "secondary", {}))
    if t.priority == 0 and not starving and means:
        mean = means.get(t.service, rules.DEFAULT_MEAN_S)
        if mean * 1.5 <= sorted(means.values())[len(means) // 2]:
            parts.append(("short", {}))
    if guarded is None:
        guarded = model.guard_chose(snapshot, window_id, ticket_id)
    if guarded:
        parts.append(("guard", {}))
    return parts
