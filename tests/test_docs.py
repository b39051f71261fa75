"""Documentation that cannot silently fall behind the code."""
from __future__ import annotations

from pathlib import Path

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


def test_every_queue_server_module_is_in_the_architecture():
    text = (DOCS / "architecture.md").read_text()
    root = Path(__file__).resolve().parent.parent / "queue_server"
    for module in root.glob("*.py"):
        if module.name != "__init__.py":
            assert module.stem in text, module.name
