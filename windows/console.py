"""The manager console pages at /manage/<hall> (monitor, skills, statistics, 好差评 with its
rectification cases, audit, settings, advice, staffing, 引导与办件). The pages are shells; their
data comes from the manager API.

Anonymous visitors get a sign-in form (401), clerks a refusal (403): the console itself never
renders for anyone below manager.
"""
from __future__ import annotations

from flask import Blueprint, abort, render_template

from queue_server import auth, registry
from queue_server.domain import read_models

bp = Blueprint("manage", __name__, template_folder="templates")

PAGES = {"monitor": "监控", "skills": "技能矩阵", "stats": "统计报表", "ratings": "好差评",
         "audit": "审计日志", "settings": "大厅设置", "advice": "排班建议",
         "staffing": "人员排班", "guidance": "引导与办件"}


def _page(hall: str, page: str):
    row = read_models.hall_row(registry.db().conn(), hall)
    if row is None:
        abort(404)
    user = auth.current_user()
    if user is None:
        return render_template("manage_login.html", hall=row, page=page, live=False), 401
    if not auth.has_role(user, "manager") or not auth.in_scope(user, hall):
        return render_template("manage_denied.html", hall=row, user=user, page=page,
                               live=False, other_hall=auth.has_role(user, "manager")), 403
    return render_template(f"manage_{page}.html", hall=row, user=user, page=page, pages=PAGES)


@bp.get("/manage/<hall>")
def monitor(hall: str):
    return _page(hall, "monitor")


@bp.get("/manage/<hall>/<page>")
def sub_page(hall: str, page: str):
    if page not in PAGES or page == "monitor":
        abort(404)
    return _page(hall, page)
