"""The citizen's ticket page on a phone, ``/t/<token>``, and the link a slip's QR code holds."""
from __future__ import annotations

import segno
from flask import Blueprint, abort, current_app, render_template, request

bp = Blueprint("phone", __name__, template_folder="templates")


@bp.get("/t/<token>")
def citizen_ticket(token: str):
    # The page itself holds nothing secret; it reads the token from its own URL.
    if len(token) > 128:
        abort(404)
    return render_template("ticket.html")


def public_url(token: str, lang: str | None = None) -> str:
    """Where the slip's QR code leads: HALLQ_PUBLIC_URL when phones reach the server by
    another name than the kiosk does; in English when the kiosk was."""
    base = (current_app.config.get("PUBLIC_URL") or request.host_url).rstrip("/")
    return f"{base}/t/{token}" + ("?lang=en" if lang == "en" else "")


def qr_svg(url: str) -> str:
    return segno.make(url, error="m").svg_inline(scale=4, border=2, dark="#000", omitsize=True)
