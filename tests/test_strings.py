"""Front-end strings once: every user-facing text of the pages is in
queue_server/static/hallq/strings.zh.js and strings.en.js (grouped by page, with the shared
"common" and "status" groups), never a literal in a page's JS or on a template's data-i18n
element; both languages have the same keys and placeholders; every key a page names resolves.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HALLQ_STATIC = ROOT / "queue_server" / "static" / "hallq"
TEMPLATE_DIRS = [ROOT / "queue_server" / "templates", ROOT / "displays" / "templates",
                 ROOT / "windows" / "templates"]
# URL prefix -> folder, as the blueprints serve them
STATIC = {"/static/hallq/": HALLQ_STATIC, "/static/displays/": ROOT / "displays" / "static",
          "/static/windows/": ROOT / "windows" / "static"}
LANGS = ("zh", "en")
# Han characters, CJK punctuation (、。「」, the ideographic space), full-width forms (（），：)
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def load_strings(lang: str, text: str | None = None) -> dict[str, dict[str, str]]:
    """The groups of strings.<lang>.js: strict JSON inside HallQ.i18n.load("<lang>", ...);."""
    if text is None:
        text = (HALLQ_STATIC / f"strings.{lang}.js").read_text(encoding="utf-8")
    m = re.search(r'HallQ\.i18n\.load\("(\w+)",\s*(\{.*\})\s*\);\s*$', text, re.S)
    assert m, f"strings.{lang}.js: HallQ.i18n.load(\"{lang}\", {{...}});"
    assert m.group(1) == lang, f"strings.{lang}.js: HallQ.i18n.load(\"{lang}\", {{...}});"
    return json.loads(m.group(2))


def page_scripts() -> list[Path]:
    """Every JS file the pages load from this repository, bar the strings themselves."""
    files = [p for d in STATIC.values() for p in d.rglob("*.js")]
    return sorted(p for p in files if not p.name.startswith("strings."))


def code_only(js: str) -> str:
    """The JS with its comments blanked out (strings, template literals and regexes kept)."""
    out, i, n = [], 0, len(js)
    while i < n:
        c = js[i]
        if c in "\"'`":
            j = i + 1
            while j < n and js[j] != c:
                j += 2 if js[j] == "\\" else 1
            out.append(js[i:j + 1])
            i = j + 1
        elif js.startswith("//", i):
            j = js.find("\n", i)
            i = n if j < 0 else j
        elif js.startswith("/*", i):
            j = js.find("*/", i + 2)
            out.append("\n" * js.count("\n", i, j))
            i = n if j < 0 else j + 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def cjk_literals(js: str) -> list[str]:
    """Lines of code (comments aside) with a CJK character in them."""
    return [line.strip() for line in code_only(js).splitlines() if CJK.search(line)]


# -- templates: which groups each page uses and which scripts it loads ------------------------

def template_path(name: str) -> Path:
    for d in TEMPLATE_DIRS:
        if (d / name).is_file():
            return d / name
    raise AssertionError(f"no template {name}")


def template_chain(name: str) -> list[str]:
    """The template's source and those of the templates it extends, child first."""
    chain = []
    while name:
        src = template_path(name).read_text(encoding="utf-8")
        chain.append(src)
        m = re.search(r'{%\s*extends\s+"([^"]+)"\s*%}', src)
        name = m.group(1) if m else None
    return chain


def scopes_of(name: str) -> list[str]:
    """The groups a page's unqualified keys resolve in: its {% block strings %}, then common."""
    for src in template_chain(name):
        m = re.search(r"{%\s*block strings\s*%}(.*?){%\s*endblock", src, re.S)
        if m:
            return m.group(1).split() + ["common"]
    return ["common"]


def scripts_of(name: str) -> list[Path]:
    srcs = []
    for src in template_chain(name):
        for url in re.findall(r'<script src="([^"]+)"', src):
            for prefix, folder in STATIC.items():
                if url.startswith(prefix):
                    srcs.append(folder / url[len(prefix):])
    return srcs


PAGES = sorted({p.name for d in TEMPLATE_DIRS[1:] for p in d.glob("*.html")
                if p.name != "manage_base.html"})


def keys_in_js(js: str) -> set[str]:
    """Keys named literally: t("key"…), including M.t / HallQ.i18n.t, and t(x ? "a" : "b");
    a built key t("st_" + status) is named by its prefix, as "st_*"."""
    code = code_only(js)
    keys = set(re.findall(r"""\bt\(\s*["']([\w.]+)["'](?!\s*\+)""", code))
    keys |= {k + "*" for k in re.findall(r"""\bt\(\s*["']([\w.]+)["']\s*\+""", code)}
    for a, b in re.findall(r"""\bt\([^()"']*\?\s*["']([\w.]+)["']\s*:\s*["']([\w.]+)["']""", code):
        keys |= {a, b}
    return keys


def keys_in_template(html: str) -> set[str]:
    found = re.findall(r'data-i18n(?:-placeholder)?="([^"]+)"', html)
    return {k for k in found if "{{" not in k}


def resolves(strings: dict, key: str, scopes: list[str]) -> bool:
    """Whether key is in one of the groups (a "prefix*" key: whether any key starts so)."""
    group, dot, rest = key.partition(".")
    groups = [strings.get(group, {})] if dot else [strings.get(g, {}) for g in scopes]
    name = rest if dot else key
    if name.endswith("*"):
        return any(k.startswith(name[:-1]) for g in groups for k in g)
    return any(name in g for g in groups)


# -- the checks -------------------------------------------------------------------------------

def test_both_languages_have_the_same_groups_keys_and_placeholders():
    zh, en = load_strings("zh"), load_strings("en")
    assert list(zh) == list(en), "the same groups, in the same order"
    for group in zh:
        only_zh = sorted(set(zh[group]) - set(en[group]))
        only_en = sorted(set(en[group]) - set(zh[group]))
        assert not only_zh, f"{group}: only zh {only_zh}, only en {only_en}"
        assert not only_en, f"{group}: only zh {only_zh}, only en {only_en}"
        for key, text in zh[group].items():
            assert isinstance(text, str), f"{group}.{key}"
            assert isinstance(en[group][key], str), f"{group}.{key}"
            assert (set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(en[group][key]))), \
                f"{group}.{key}: the same {{placeholders}} in both languages"
            assert text, f"{group}.{key}: empty in Chinese"
    assert {"common", "status"} <= set(zh)


def test_status_words_cover_every_ticket_and_window_status():
    from queue_server.domain.tickets import TRANSITIONS
    statuses = {s for starts, to in TRANSITIONS.values() for s in (*starts, to)}
    for lang in LANGS:
        status = load_strings(lang)["status"]
        missing = sorted((statuses | {"open", "paused", "closed"}) - set(status))
        assert not missing, f"strings.{lang}.js status.*: {missing}"


def test_no_cjk_literal_in_page_js():
    offenders = {str(p.relative_to(ROOT)): cjk_literals(p.read_text(encoding="utf-8"))
                 for p in page_scripts()}
    offenders = {k: v for k, v in offenders.items() if v}
    assert not offenders, f"put these texts in strings.zh.js / strings.en.js: {offenders}"


# Pages that must say their texts without JS (a 403 answer): their data-i18n elements carry the
# Chinese text, which must be the zh string itself.
SERVER_TEXT = {"manage_denied.html"}
I18N_ELEMENT = re.compile(r'<(\w+)\b[^>]*\bdata-i18n="([^"]*)"[^>]*>([^<]*)</\1>')


def test_templates_have_no_text_outside_the_strings():
    """data-i18n elements are filled from the strings: no copy of the text in the template
    (on a SERVER_TEXT page, exactly the zh string); no other CJK (titles and emblem aside)."""
    zh = load_strings("zh")
    for d in TEMPLATE_DIRS:
        for p in d.glob("*.html"):
            html = p.read_text(encoding="utf-8")
            scopes = scopes_of(p.name)
            for _tag, key, text in I18N_ELEMENT.findall(html):
                if p.name in SERVER_TEXT:
                    group = next(g for g in scopes if key in zh.get(g, {}))
                    assert text == zh[group][key], f"{p.name} {key}: {text!r} is not the zh string"
                else:
                    assert not text.strip(), f"{p.name} {key}: {text!r} belongs in the strings"
            body = I18N_ELEMENT.sub("", html) if p.name in SERVER_TEXT else html
            body = re.sub(r"{%\s*block title\s*%}.*?{%\s*endblock\s*%}", "", body, flags=re.S)
            body = re.sub(r'<div class="gov-emblem">[^<]*</div>', "", body)  # the emblem glyph
            assert not CJK.search(body), f"{p.name}: {CJK.findall(body)}"


@pytest.mark.parametrize("page", PAGES)
def test_every_key_a_page_names_exists(page):
    scopes = scopes_of(page)
    for lang in LANGS:
        strings = load_strings(lang)
        for g in scopes:
            assert g in strings, f"{page}: no group {g!r} in strings.{lang}.js"
        named = {("template", k) for src in template_chain(page) for k in keys_in_template(src)}
        for script in scripts_of(page):
            assert script.is_file(), script
            named |= {(script.name, k) for k in keys_in_js(script.read_text(encoding="utf-8"))}
        missing = sorted((where, k) for where, k in named if not resolves(strings, k, scopes))
        assert not missing, f"{page} (groups {scopes}), strings.{lang}.js lacks {missing}"


def test_every_page_script_is_checked():
    loaded = {s for page in PAGES for s in scripts_of(page)}
    unchecked = [str(p.relative_to(ROOT)) for p in page_scripts() if p not in loaded]
    assert not unchecked, f"scripts no template loads (their keys go unchecked): {unchecked}"


def test_the_checks_catch_what_they_should():
    """The detectors themselves: a literal is found, a comment is not, a key is read."""
    assert cjk_literals('const a = 1; // 注释\n/* 说明 */ el.textContent = "取号";\n') == [
        'el.textContent = "取号";']
    assert cjk_literals("x = `（${y}）`;") == ["x = `（${y}）`;"]
    assert keys_in_js('t("a"); M.t("b.c", {n}); t(x ? "d" : "e"); t("g_" + x); t2 = "f";') == {
        "a", "b.c", "d", "e", "g_*"}
    strings = {"common": {"x": "1"}, "kiosk": {"y": "2"}, "status": {"waiting": "3"}}
    assert resolves(strings, "y", ["kiosk", "common"])
    assert resolves(strings, "x", ["common"])
    assert resolves(strings, "status.waiting", ["common"])
    assert resolves(strings, "status.*", [])
    assert not resolves(strings, "status.w_*", [])
    assert not resolves(strings, "y", ["common"])
    assert not resolves(strings, "status.nope", [])
    with pytest.raises(AssertionError):
        load_strings("zh", 'HallQ.i18n.load("en", {});')


def test_the_server_refusal_says_the_shared_status_words_unchanged():
    """domain/tickets.py reads status.* of strings.zh.js for 票号 … 当前为「…」: the words of
    that message stay what they were."""
    from queue_server.domain.tickets import STATUS_ZH as words
    assert words == load_strings("zh")["status"]
    assert {k: words[k] for k in ("waiting", "called", "serving", "held", "done", "no_show",
                                      "cancelled", "transferred")} == {
        "waiting": "等候中", "called": "已叫号", "serving": "办理中", "held": "挂起",
        "done": "已办结", "no_show": "过号", "cancelled": "已取消", "transferred": "已转办"}
