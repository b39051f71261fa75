"""Serve the hall: ``python run.py [--host H] [--port P] [--db PATH] [--demo]``."""
from __future__ import annotations

import argparse
import logging
import os
import sys

from queue_server import create_app, demo, demo_history, registry, socketio
from queue_server.errors import ApiError

DEMO_ANY_HOUR = ("演示模式：任何时间都可取号 (demo: tickets are issued at any hour;"
                 " HALLQ_OPEN_HOURS_ONLY=1 keeps the hall's opening hours)")


class _NoProductionNag(logging.Filter):
    """Werkzeug warns that it "appears to be used in a production deployment" whenever it is not
    in debug mode; here it is the one-machine demo server by design, and the README's
    production section (gunicorn) says so once, in our own words."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "production deployment" not in record.getMessage()


def seed_demo(app, history: int = 0) -> None:
    """Seed the demo hall into an empty database; say so when there is nothing to seed."""
    db, password = registry.db(app), app.config.get("DEMO_PASSWORD")
    if not demo.empty(db):
        if password:
            print("数据库已有数据，HALLQ_DEMO_PASSWORD 未使用 (the database is not empty:"
                  " HALLQ_DEMO_PASSWORD is ignored, the users keep their passwords)", flush=True)
        return
    try:
        generated = demo.seed(db, password)
    except ApiError as e:  # e.g. a demo password under 8 characters: say so, no traceback
        print(f"无法创建演示大厅 (cannot seed the demo hall): {e.message}", file=sys.stderr)
        sys.exit(2)
    if generated:
        print(f"Demo hall seeded. Users: manager, clerk01..clerk12. Password: {generated}",
              flush=True)
    if history:
        n = demo_history.seed_history(db, days=history)
        print(f"演示历史：{history} 个工作日 {n} 张票 (demo history: {n} tickets over {history}"
              " past weekdays, for the statistics and the skills advice)", flush=True)


def lan_address() -> str:
    """This machine's address on its network, for the note below (no packet is sent: a UDP
    socket's connect only picks the route); "<this machine's address>" when there is none."""
    import socket
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("10.255.255.255", 1))
            return s.getsockname()[0]
    except OSError:
        return "<this machine's address>"


def phone_note(host: str, port: int, public_url: str | None) -> str | None:
    """On a loopback address the slip's QR code would send a phone to the phone itself."""
    if public_url or host not in ("127.0.0.1", "localhost", "::1"):
        return None
    here = f"http://{lan_address()}:{port}"
    return (f"注意：手机无法访问 {host}。如需扫码跟踪，请以 --host 0.0.0.0 启动并设置"
            f" HALLQ_PUBLIC_URL={here} (phones cannot reach {host}: to follow tickets on a phone,"
            f" start with --host 0.0.0.0 and set HALLQ_PUBLIC_URL={here})")


def main() -> None:
    parser = argparse.ArgumentParser(description="HallQ hall server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--db", default=os.environ.get("HALLQ_DB", "hallq.db"))
    parser.add_argument("--demo", action="store_true", help="seed the demo hall if empty")
    parser.add_argument("--history", type=int, default=0, metavar="DAYS",
                        help="with --demo, on an empty database: past weekdays of tickets too")
    args = parser.parse_args()
    sys.setswitchinterval(0.0005)  # see queue_server/wsgi.py
    settings: dict = {"DB": args.db}
    # A demo is tried at any hour (as `make demo` does), unless the hours are asked for.
    hours = os.environ.get("HALLQ_OPEN_HOURS_ONLY", "").strip().lower()
    any_hour = args.demo and hours in ("", "0", "false", "no", "off")  # `make demo` sets 0
    if any_hour:
        settings["OPEN_HOURS_ONLY"] = False
    app = create_app(settings)
    if args.demo:
        seed_demo(app, args.history)
        if any_hour:
            print(DEMO_ANY_HOUR, flush=True)
    print(f"HallQ on http://{args.host}:{args.port}/  (clerk: /clerk)", flush=True)
    note = phone_note(args.host, args.port, app.config.get("PUBLIC_URL"))
    if note:
        print(note, flush=True)
    halls = [r["id"] for r in registry.db(app).all("SELECT id FROM halls ORDER BY id")]
    for h in halls:  # the pages that exist, not the demo's when there is no demo
        print(f"  hall {h}: kiosk /kiosk/{h}, screen /display/{h}, manager /manage/{h}",
              flush=True)
    if not halls:
        print("  no hall yet: hallq --db <file> hall add <id> --name <name> (README), or --demo",
              flush=True)
    print("Single-process server for a demo or one small hall; for production run gunicorn"
          " (README, \"Running it\").", flush=True)
    logging.getLogger("werkzeug").addFilter(_NoProductionNag())
    socketio.run(app, host=args.host, port=args.port, allow_unsafe_werkzeug=True,
                 use_reloader=False, log_output=False)


if __name__ == "__main__":
    main()
