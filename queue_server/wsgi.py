"""The WSGI entry point for gunicorn: ``gunicorn … 'queue_server.wsgi:app'``."""
import sys

from queue_server import create_app

# Each websocket has its own writer thread; a call fans out to hundreds of them at once, and
# with CPython's default 5 ms GIL switch interval the last screen waits for the queue of them.
# A shorter interval halves the tail (bench/bench_live.py, docs/benchmarks.md).
sys.setswitchinterval(0.0005)
app = create_app()
