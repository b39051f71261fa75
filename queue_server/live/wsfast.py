"""Cheap websocket fan-out under gevent: one frame built per event, written straight to each
idle socket.

Why our own code: profiling the 500-screen bench (py-spy on the README's command) showed
~50 µs of the server's CPU per client per event, of which the kernel's send was a third; the
rest was Engine.IO's per-socket writer greenlet (a queue put and get with a fresh timer and
two greenlet switches per frame) and wsproto building the same frame again for every client.
Server-to-client websocket frames are unmasked (RFC 6455 5.1), so the bytes of one event are
the same for every client: this module builds them once per packet and, when a socket's
writer has nothing pending, sends them without blocking from the publisher's greenlet. What
the kernel does not take at once (a slow client) goes to that socket's own queue as raw
bytes, so order is kept and a slow client still delays only itself.

It also fixes a hazard of the stock path: simple-websocket ignores the count ``send``
returns, and gevent's ``send`` can write part of a frame; here every write is a ``sendall``.

Only for gevent with plain (uncompressed) websockets from simple-websocket; anything else
(long-polling, binary packets, sockets mid-upgrade) takes Engine.IO's own path unchanged.
"""
from __future__ import annotations

import struct
from typing import Any

OPCODE_TEXT, OPCODE_BINARY = 0x1, 0x2


def frame(payload: bytes, opcode: int = OPCODE_TEXT) -> bytes:
    """One final, unmasked websocket frame (RFC 6455 5.2)."""
    n = len(payload)
    if n < 126:
        head = struct.pack("!BB", 0x80 | opcode, n)
    elif n < 1 << 16:
        head = struct.pack("!BBH", 0x80 | opcode, 126, n)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 127, n)
    return head + payload


class RawBytes(bytes):
    """Bytes already framed: the writer sends them as they are."""


class _Raw:
    """A queued remainder of a frame, for Engine.IO's writer (it calls ``encode``)."""

    __slots__ = ("data",)

    def __init__(self, data: bytes):
        self.data = RawBytes(data)

    def encode(self) -> RawBytes:
        return self.data


def install(server: Any) -> bool:
    """Put the fast path on one ``socketio.Server`` (gevent, uncompressed). Returns whether
    it was installed (it is not for other async modes or websocket drivers)."""
    eio = server.eio
    base = eio._async.get("websocket") if eio.async_mode == "gevent" else None
    from engineio.async_drivers._websocket_wsgi import SimpleWebSocketWSGI

    if base is None or not issubclass(base, SimpleWebSocketWSGI):
        return False
    eio._async = {**eio._async, "websocket": _websocket_class(base)}

    def send_eio_packet(eio_sid: str, pkt: Any) -> None:
        sock = eio.sockets.get(eio_sid)
        ws = getattr(sock, "_hallq_ws", None)
        if ws is None or not _idle(sock, ws) or pkt.binary:
            eio.send_packet(eio_sid, pkt)
            return
        if not sock.check_ping_timeout():
            return
        data = getattr(pkt, "_hallq_frame", None)
        if data is None:  # the same packet object goes to every client of an emit
            data = pkt._hallq_frame = frame(pkt.encode().encode())
        ws.send_now(sock, data)

    server._send_eio_packet = send_eio_packet
    return True


class _OrderedSocket:
    """The connection's socket as simple-websocket's own reader thread uses it: the control
    frames it writes (a pong, a close) wait behind a frame remainder still queued, instead of
    cutting into it. Everything else (recv, fileno, close) is the socket's own."""

    def __init__(self, sock: Any, owner: Any, ws: Any):
        self._sock, self._owner, self._ws = sock, owner, ws

    def send(self, data: bytes, *args: Any) -> int:
        if self._ws.busy or self._owner.queue.qsize():
            self._owner.queue.put(_Raw(bytes(data)))
        else:
            self._sock.sendall(data)
        return len(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


def _idle(sock: Any, ws: Any) -> bool:
    """Nothing queued and no write under way: a frame sent now cannot overtake or split
    another one (greenlets switch only where a write would block or the queue is empty)."""
    return (sock.upgraded and not sock.closed and not ws.busy and ws.raw is not None
            and ws.ws.connected and sock.queue.qsize() == 0)


def _framed(message: Any) -> bytes:
    if isinstance(message, RawBytes):
        return bytes(message)
    if isinstance(message, bytes):
        return frame(message, OPCODE_BINARY)
    return frame(str(message).encode())


def _websocket_class(base: type) -> type:
    class FastWebSocket(base):
        """Engine.IO's websocket wrapper, framing itself and writing whole frames."""

        busy = False
        ws = None
        raw = None  # the connection's own socket (simple-websocket sees _OrderedSocket)

        def __call__(self, environ, start_response):
            owner = getattr(self.app, "__self__", None)  # the Engine.IO socket
            if owner is not None:
                handler = self.app

                def app(ws):  # runs once simple-websocket's connection exists
                    self.raw = ws.ws.sock
                    ws.ws.sock = _OrderedSocket(self.raw, owner, self)
                    owner._hallq_ws = self
                    return handler(ws)
                self.app = app
            return super().__call__(environ, start_response)

        def send(self, message):
            """The writer's path: frame here, write all of it (cooperatively)."""
            if not self.ws.connected:
                raise OSError("websocket closed")
            data = _framed(message)
            self.busy = True
            try:
                self.raw.sendall(data)
            finally:
                self.busy = False

        def send_now(self, sock: Any, data: bytes) -> None:
            """Write without blocking; queue for the writer what the kernel did not take."""
            try:
                sent = self.raw.send(data, 0, 0.0)
            except BlockingIOError:
                sent = 0
            except OSError:
                return  # the connection is gone; its reader closes the socket
            if sent < len(data):
                sock.queue.put(_Raw(data[sent:]))

    return FastWebSocket
