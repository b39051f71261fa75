"""Login, logout and who-am-I."""
from __future__ import annotations

from flask import Blueprint, current_app, request, session

from . import auth
from .errors import unauthorized
from .validate import body, string

bp = Blueprint("api_auth", __name__, url_prefix="/api/v1/auth")


@bp.post("/login")
def login():
    data = body({"username", "password"}, required={"username", "password"})
    username = string(data, "username", max_len=64, required=True)
    password = string(data, "password", max_len=256, required=True)
    user, token = auth.login(current_app.extensions["hallq.db"], username, password,
                             request.remote_addr or "unknown")
    session.clear()
    session["token"] = token
    session.permanent = True
    return {"user": user, "token": token}


@bp.post("/logout")
def logout():
    token = auth.request_token()
    if token:
        auth.logout(current_app.extensions["hallq.db"], token)
    session.clear()
    return {"ok": True}


@bp.get("/me")
def me():
    user = auth.current_user()
    if user is None:
        raise unauthorized()
    return {"user": user}
