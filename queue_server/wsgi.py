"""The WSGI entry point for gunicorn: ``gunicorn … 'queue_server.wsgi:app'``.

Under gunicorn's ``gevent`` worker (the README's production command) the standard library is
already monkey-patched when this module loads, and Socket.IO runs on gevent: a live connection
costs a greenlet, not a thread. Under any other worker it stays on threads.
"""
import sys

from queue_server import create_app


def _async_mode() -> str:
    try:
        from gevent import monkey
    except ImportError:  # pragma: no cover - gevent is a dependency
        return "threading"
    return "gevent" if monkey.is_module_patched("socket") else "threading"


ASYNC_MODE = _async_mode()
if ASYNC_MODE == "threading":
    # Each websocket then has its own writer thread; with CPython's default 5 ms GIL switch
    # interval the last of hundreds waits for the queue of them (docs/benchmarks.md).
    sys.setswitchinterval(0.0005)
app = create_app({"ASYNC_MODE": ASYNC_MODE})
