"""Every page staff work at: the clerk terminal at a window and the manager console.

One module per page; templates and static files beside them (``/static/windows/*``).
"""
from __future__ import annotations

from windows import clerk, console

BLUEPRINTS = (clerk.bp, console.bp)
