"""Documentation that cannot silently fall behind the code."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from queue_server import config, events

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_every_setting_is_documented():
    text = (DOCS / "configuration.md").read_text()
    for key in config.DEFAULTS:
        assert f"`HALLQ_{key}`" in text, key


def test_every_event_is_documented():
    text = (DOCS / "api.md").read_text()
    for name in events.NAMES:
        assert f"`{name}`" in text, name


# Each package's modules are documented in one page, named exactly (`name.py`).
PAGES = {"queue_server": "architecture.md", "dispatcher": "dispatcher.md"}
ROOT = DOCS.parent
NAMED = re.compile(r"`([A-Za-z0-9_./]+\.py)`")


def modules() -> list[tuple[str, str]]:
    return [(pkg, m.name) for pkg in PAGES for m in sorted((ROOT / pkg).glob("*.py"))
            if m.name != "__init__.py"]


@pytest.mark.parametrize(("package", "module"), modules())
def test_every_module_is_documented(package, module):
    assert f"`{module}`" in (DOCS / PAGES[package]).read_text(), f"{package}/{module}"


@pytest.mark.parametrize("package", sorted(PAGES))
def test_every_documented_module_exists(package):
    """A bare `name.py` is a module of the page's package; a path is from the repository's
    root (or, starting with ../, from the package)."""
    text = (DOCS / PAGES[package]).read_text()
    for name in set(NAMED.findall(text)):
        base = ROOT / package if "/" not in name or name.startswith("../") else ROOT
        assert (base / name).resolve().exists(), f"{PAGES[package]} names {name}"
