"""Login, logout and who-am-I."""
from __future__ import annotations

from flask import Blueprint, request, session

from queue_server import auth, registry
from queue_server.api import bodies
from queue_server.api.fields import accepts
from queue_server.errors import unauthorized

bp = Blueprint("api_auth", __name__, url_prefix="/api/v1/auth")


@bp.post("/login")
@accepts(bodies.Login)
def login(body: bodies.Login):
    """Sign in: a session cookie for pages, and a bearer token for other clients."""
    user, token = auth.login(registry.db(), body.username, body.password,
                             request.remote_addr or "unknown")
    session.clear()
    session["token"] = token
    session.permanent = True
    return {"user": user, "token": token}


@bp.post("/logout")
def logout():
    token = auth.request_token()
    if token:
        auth.logout(registry.db(), token, request.remote_addr or "unknown")
    session.clear()
    return {"ok": True}


@bp.get("/me")
def me():
    user = auth.current_user()
    if user is None:
        raise unauthorized()
    return {"user": user}
