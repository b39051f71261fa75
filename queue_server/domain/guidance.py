"""Guidance (智能引导): finding the hall's service from the words a citizen uses.

A service is found by its name, its keywords and synonyms (``services.keywords``, edited in
the console: 开公司 for 企业设立登记), its category's name, the pinyin of each and its
initials (gjj for 公积金), and its English name; a wrong character is forgiven (one edit, or
a character that sounds the same). Scores lie in (0, 1], best first. The index of a hall is
built from its rows and kept per process until a row changes (the rows are the cache key).
"""
from __future__ import annotations

import functools
import json
import re
import unicodedata
from dataclasses import dataclass

from pypinyin import lazy_pinyin

from queue_server.store.db import Tx, loads

MIN_SCORE = 0.45
LIMIT = 8
KEYWORD_MAX = 20  # characters of one keyword
KEYWORDS_MAX = 30  # keywords of one service
TERM_MAX = 32  # characters of a counted search
_DROP = re.compile(r"[\s\W_]+", re.UNICODE)


def normalize(text: str) -> str:
    """Full-width to half-width, lower case, no spaces or punctuation."""
    return _DROP.sub("", unicodedata.normalize("NFKC", text or "").lower())


def _latin(text: str) -> bool:
    return bool(text) and text.isascii()


@functools.lru_cache(maxsize=4096)
def _sound(text: str) -> tuple[str, str]:
    """The pinyin of ``text`` without tones, joined, and its initials (ASCII kept as is)."""
    syllables = [s.lower() for s in lazy_pinyin(text) if s.strip()]
    return "".join(syllables), "".join(s[0] for s in syllables if s)


def _within_one(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` are at most one edit (insert, delete, substitute, swap) apart."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        # one substituted character, or two neighbours swapped (hukuo for hukou)
        return a[i + 1:] == b[i + 1:] or (a[i + 2:] == b[i + 2:] and a[i:i + 2] == b[i:i + 2][::-1])
    return a[i:] == b[i + 1:]


def _near_part(q: str, t: str) -> bool:
    """``q`` is within one edit of some part of ``t`` (a typo inside a longer name)."""
    return any(_within_one(q, t[i:i + n]) for n in (len(q) - 1, len(q), len(q) + 1)
               for i in range(0, max(1, len(t) - n + 1)))


@dataclass(frozen=True)
class Term:
    text: str  # normalized
    full: str  # pinyin, joined
    initials: str
    weight: float  # 1 for the name and keywords, less for the category's name


def _term(text: str, weight: float = 1.0) -> Term | None:
    norm = normalize(text)
    if not norm:
        return None
    full, initials = _sound(norm)
    return Term(norm, full, initials, weight)


def _chinese_score(q: str, t: Term) -> float:
    if q in t.text:
        return 0.6 + 0.3 * len(q) / len(t.text)
    if len(t.text) >= 2 and t.text in q:
        return 0.7  # "我要开公司" holds the keyword 开公司
    if len(q) >= 3 and _within_one(q, t.text):
        return 0.6  # one wrong, missing or extra character (two-character words: by sound)
    if len(q) >= 3 and _near_part(q, t.text):
        return 0.5
    return 0.0


def _sound_score(full: str, t: Term) -> float:
    """The query's sound (its pinyin, or the letters typed) against the term's."""
    if len(full) < 2:
        return 0.0
    if full in (t.full, t.initials):
        return 0.95 if full == t.initials and len(full) >= 2 else 0.9
    if t.full.startswith(full):
        return 0.55 + 0.3 * len(full) / len(t.full)
    if t.initials.startswith(full):
        return 0.6 + 0.3 * len(full) / len(t.initials)
    if len(full) >= 3 and full in t.full:
        return 0.5
    if len(full) >= 4 and (_within_one(full, t.full) or _within_one(full, t.full[:len(full)])):
        return 0.5  # one wrong letter in the pinyin
    return 0.0


def term_score(q: str, t: Term) -> float:
    """How well the normalized query ``q`` finds the term ``t``, in [0, 1]."""
    if q == t.text:
        return 1.0 * t.weight
    if _latin(q):
        best = _sound_score(q, t)
    else:
        full, _ = _sound(q)
        # a character that sounds the same (户扣 for 户口) counts nearly as the right one
        homophone = 0.75 if full == t.full else 0.0
        best = max(_chinese_score(q, t), homophone,
                   0.9 * _sound_score(full, t) if len(q) >= 2 else 0.0)
    return best * t.weight


@dataclass(frozen=True)
class Entry:
    id: str
    name: str
    name_en: str
    category: str
    terms: tuple[Term, ...]


def _row_key(rows) -> tuple:
    return tuple((r["id"], r["name"], r["name_en"] or "", r["category"], r["keywords"] or "[]",
                  r["category_name"] or "") for r in rows)


@functools.lru_cache(maxsize=64)
def _index(key: tuple) -> tuple[Entry, ...]:
    entries = []
    for sid, name, name_en, category, keywords, category_name in key:
        terms = [_term(name), *(_term(k) for k in loads(keywords, [])),
                 _term(category_name, 0.8)]
        entries.append(Entry(sid, name, name_en, category, tuple(t for t in terms if t)))
    return tuple(entries)


def index(conn, hall: str) -> tuple[Entry, ...]:
    rows = conn.execute(
        "SELECT s.id, s.name, s.name_en, s.category, s.keywords, c.name AS category_name"
        " FROM services s JOIN categories c ON c.id = s.category WHERE s.hall = ? AND"
        " s.active = 1 ORDER BY c.sort, s.sort, s.id", (hall,)).fetchall()
    return _index(_row_key(rows))


def search(conn, hall: str, text: str, limit: int = LIMIT) -> list[dict]:
    """The hall's active services that ``text`` finds, best first:
    ``[{"id", "name", "name_en", "category", "score"}]``."""
    q = normalize(text)
    if not q:
        return []
    found = []
    for order, e in enumerate(index(conn, hall)):
        score = max((term_score(q, t) for t in e.terms), default=0.0)
        if _latin(q) and len(q) >= 3 and q in normalize(e.name_en):
            score = max(score, 0.7)  # an English word of its name
        if score >= MIN_SCORE:
            found.append((-round(score, 3), order, e))
    found.sort(key=lambda x: (x[0], x[1]))
    return [{"id": e.id, "name": e.name, "name_en": e.name_en, "category": e.category,
             "score": -s} for s, _, e in found[:limit]]


# -- keywords ----------------------------------------------------------------------------------

def set_keywords(tx: Tx, hall: str, service: str, keywords: list[str]) -> dict:
    """Replace a service's keywords (trimmed, without duplicates); audited."""
    row = tx.one("SELECT id, name, keywords FROM services WHERE id = ? AND hall = ?",
                 (service, hall))
    if row is None:
        from queue_server.errors import not_found
        raise not_found("service")
    clean: list[str] = []
    for k in keywords:
        k = k.strip()
        if k and k not in clean:
            clean.append(k)
    before = loads(row["keywords"], [])
    tx.run("UPDATE services SET keywords = ? WHERE id = ?",
           (json.dumps(clean, ensure_ascii=False), service))
    tx.audit(hall, "service_keywords", detail={"service": service, "before": before,
                                               "after": clean})
    return {"id": service, "name": row["name"], "keywords": clean}


# -- what was searched and chosen --------------------------------------------------------------

def count(tx: Tx, hall: str, day: str, kind: str, term: str, service: str = "") -> None:
    """One more of (kind, term, service) today. Anonymous statistics, not a state change of
    anyone's: no audit event (one per search would swamp the log)."""
    tx.run("INSERT INTO guide_counts (hall, day, kind, term, service, n) VALUES"
           " (?, ?, ?, ?, ?, 1) ON CONFLICT (hall, day, kind, term, service)"
           " DO UPDATE SET n = guide_counts.n + 1",
           (hall, day, kind, term[:TERM_MAX], service))


def counted_term(text: str) -> str:
    """The form a search is counted under: trimmed, lower case, at most TERM_MAX."""
    return unicodedata.normalize("NFKC", text or "").strip().lower()[:TERM_MAX]


def stats(conn, hall: str, first: str, last: str, top: int = 30) -> dict:
    """Searches, searches that found nothing (the missing keywords, most asked first) and
    the services chosen, over the days ``first``..``last``."""
    def rows(kind: str, by: str) -> list:
        return conn.execute(
            f"SELECT {by}, SUM(n) AS n FROM guide_counts WHERE hall = ? AND kind = ? AND"
            f" day >= ? AND day <= ? GROUP BY {by} ORDER BY SUM(n) DESC, {by} LIMIT ?",
            (hall, kind, first, last, top)).fetchall()

    total = {r["kind"]: r["n"] for r in conn.execute(
        "SELECT kind, SUM(n) AS n FROM guide_counts WHERE hall = ? AND day >= ? AND day <= ?"
        " GROUP BY kind", (hall, first, last))}
    names = {r["id"]: r["name"] for r in conn.execute(
        "SELECT id, name FROM services WHERE hall = ?", (hall,))}
    choices = conn.execute(
        "SELECT service, CASE WHEN term LIKE 'flow:%' THEN 'flow' ELSE 'search' END AS via,"
        " SUM(n) AS n FROM guide_counts WHERE hall = ? AND kind = 'choice' AND day >= ? AND"
        " day <= ? GROUP BY service, CASE WHEN term LIKE 'flow:%' THEN 'flow' ELSE 'search'"
        " END ORDER BY SUM(n) DESC, service", (hall, first, last)).fetchall()
    return {"from": first, "to": last, "searches": total.get("search", 0),
            "misses": total.get("miss", 0), "chosen": total.get("choice", 0),
            "missing": [{"term": r["term"], "n": r["n"]} for r in rows("miss", "term")],
            "terms": [{"term": r["term"], "n": r["n"]} for r in rows("search", "term")],
            "choices": [{"service": r["service"], "service_name": names.get(r["service"], ""),
                         "via": r["via"], "n": r["n"]} for r in choices]}
