"""Every page the public sees: the hall and window screens, the kiosk, the citizen's phone.

One module per page; templates and static files beside them (``/static/displays/*``).
"""
from __future__ import annotations

from displays import booking, kiosk, mobile, pair, phone, screens

BLUEPRINTS = (screens.bp, kiosk.bp, phone.bp, mobile.bp, booking.bp, pair.bp)
