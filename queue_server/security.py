"""Request hygiene: client addresses behind a proxy, cross-site request refusal, and headers."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, abort, request
from werkzeug.middleware.proxy_fix import ProxyFix

from queue_server import auth
from queue_server.errors import forbidden

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
# Everything is served by the server itself (intranet); styles may be set inline by the
# charting library, and QR codes and charts may be data: or blob: images.
CSP = ("default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
       "connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")


def wrap_outermost(app: Flask) -> None:
    """Middleware that must see every request, Socket.IO's included: so applied after
    ``socketio.init_app`` (whose own middleware would otherwise stand outside it)."""
    if not app.config.get("WS_COMPRESSION"):
        app.wsgi_app = NoWebsocketCompression(app.wsgi_app)
    hops = int(app.config.get("PROXY_HOPS") or 0)
    if hops:  # trust X-Forwarded-* only from the proxies we know are there
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


class NoWebsocketCompression:
    """Declines permessage-deflate. Browsers and Node's `ws` offer it, and simple-websocket
    accepts whatever is offered; our frames are a few hundred bytes, and deflating each one
    per client is CPU spent per socket at every call (bench/bench_live.py --compression).
    Without the offer in the handshake the connection is plain, by the RFC."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        if environ.get("HTTP_UPGRADE", "").lower() == "websocket":
            environ.pop("HTTP_SEC_WEBSOCKET_EXTENSIONS", None)
        return self.app(environ, start_response)


def register(app: Flask) -> None:
    @app.before_request
    def _body_within_limit():
        """An oversize body is refused before anything reads it, on every route."""
        limit = app.config.get("MAX_CONTENT_LENGTH")
        if limit and request.content_length is not None and request.content_length > limit:
            abort(413)

    @app.before_request
    def _same_origin_only():
        """A browser's cross-site write is refused: the login cookie must not act for another
        site. Only a bearer token is exempt, as then the cookie is never read (see
        ``auth.request_token``) and a browser cannot send one cross-site without CORS, which
        is never granted. ``Origin: null`` (sandboxed frames, cross-site redirects) is refused
        too: a page of the hall always sends its own origin."""
        if request.method not in UNSAFE or auth.bearer_token() is not None:
            return None
        if request.headers.get("Sec-Fetch-Site") == "cross-site":
            raise forbidden("跨站请求被拒绝 (cross-site request refused)")
        origin = request.headers.get("Origin")
        if origin and (origin == "null" or urlsplit(origin).netloc != request.host):
            raise forbidden("跨站请求被拒绝 (cross-site request refused)")
        return None

    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response
