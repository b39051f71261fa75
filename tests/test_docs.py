"""Documentation that cannot silently fall behind the code."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from queue_server import config
from queue_server.live import events

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_every_setting_is_documented():
    text = (DOCS / "configuration.md").read_text()
    for key in config.DEFAULTS:
        assert f"`HALLQ_{key}`" in text, key


EVENT_ROW = re.compile(r"^\| `([a-z.]+)` \| ([^|]+) \| (.+) \|$", re.M)


def event_table() -> dict[str, tuple[str, str]]:
    """docs/api.md's live-event table: name -> (rooms, payload)."""
    text = (DOCS / "api.md").read_text()
    section = text[text.index("## Live events"):]
    return {m[1]: (m[2], m[3]) for m in EVENT_ROW.finditer(section)}


@pytest.mark.parametrize("event", events.ALL, ids=lambda e: e.NAME)
def test_every_event_is_documented_with_its_fields_and_rooms(event):
    rooms, payload = event_table()[event.NAME]
    for name in event.wire_fields():
        assert f'"{name}"' in payload, f"{event.NAME}: field {name} not in docs/api.md"
    for kind in event.rooms_doc:
        assert kind in rooms, f"{event.NAME}: room {kind} not in docs/api.md"


def test_every_documented_event_exists():
    assert set(event_table()) == events.NAMES


# Each page documents its home package's modules by their path inside it (`api/clerk.py`) and
# the other packages it covers by their path from the repository's root (`displays/kiosk.py`).
PAGES = {"architecture.md": ("queue_server", ("displays", "windows")),
         "dispatcher.md": ("dispatcher", ())}
ROOT = DOCS.parent
NAMED = re.compile(r"`([A-Za-z0-9_./]+\.py)`")


def modules() -> list[tuple[str, str]]:
    found = []
    for page, (home, others) in PAGES.items():
        for pkg, base in [(home, ROOT / home)] + [(o, ROOT) for o in others]:
            found += [(page, str(m.relative_to(base))) for m in sorted((ROOT / pkg).rglob("*.py"))
                      if m.name != "__init__.py"]
    return found


@pytest.mark.parametrize(("page", "module"), modules())
def test_every_module_is_documented(page, module):
    assert f"`{module}`" in (DOCS / page).read_text(), f"{page} misses {module}"


@pytest.mark.parametrize("page", sorted(PAGES))
def test_every_documented_module_exists(page):
    """A name is a path inside the page's home package, or from the repository's root."""
    home = ROOT / PAGES[page][0]
    text = (DOCS / page).read_text()
    for name in set(NAMED.findall(text)):
        assert (home / name).resolve().exists() or (ROOT / name).exists(), f"{page} names {name}"
