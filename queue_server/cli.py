"""The ``hallq`` command: init-db, hall add, user add, seed-demo."""
from __future__ import annotations

import argparse
import getpass
import os
import sys

from queue_server import auth, demo, registry
from queue_server.domain import halls
from queue_server.errors import ApiError


def _app(db_path: str | None):
    from queue_server import create_app
    cfg = {"DB": db_path} if db_path else {}
    return create_app(cfg)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="hallq", description="HallQ administration")
    parser.add_argument("--db", default=os.environ.get("HALLQ_DB"),
                        help="database file (default ./hallq.db or $HALLQ_DB)")
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("init-db", help="create or migrate the database")
    user = sub.add_parser("user", help="manage users")
    user_sub = user.add_subparsers(dest="user_cmd", required=True)
    add = user_sub.add_parser("add", help="add a user; the password is read from stdin")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=sorted(auth.ROLES))
    add.add_argument("--display-name", default="")
    add.add_argument("--staff-no", default="")
    add.add_argument("--hall", default=None,
                     help="bind the account to this hall (default: every hall)")
    hall = sub.add_parser("hall", help="manage halls")
    hall_sub = hall.add_subparsers(dest="hall_cmd", required=True)
    hadd = hall_sub.add_parser("add", help="add an empty hall (its manager sets up the rest)")
    hadd.add_argument("id")
    hadd.add_argument("--name", required=True, help="the hall's name in Chinese")
    hadd.add_argument("--name-en", default="")
    hadd.add_argument("--tz", default="Asia/Shanghai")
    hadd.add_argument("--open", default="09:00", help="opening time, HH:MM")
    hadd.add_argument("--close", default="17:30", help="closing time, HH:MM")
    sub.add_parser("seed-demo", help="seed the demo hall into an empty database")
    args = parser.parse_args(argv)

    app = _app(args.db)
    db = registry.db(app)
    if args.cmd == "init-db":
        print(f"database ready: {app.config['DB']}")
        return 0
    if args.cmd == "seed-demo":
        if not demo.empty(db):
            print("error: database not empty: nothing seeded", file=sys.stderr)
            return 1
        generated = demo.seed(db, app.config.get("DEMO_PASSWORD"))
        print(f"demo users: manager, clerk01..clerk12; password: {generated}" if generated
              else "demo seeded")
        return 0
    if args.cmd == "hall":
        try:
            db.write("system", lambda tx: halls.create(tx, args.id, args.name, args.name_en,
                                                       args.tz, args.open, args.close))
        except ApiError as e:
            print(f"error: {e.message}", file=sys.stderr)
            return 1
        print(f"hall {args.id} added; its console: /manage/{args.id}")
        wide = [r["username"] for r in db.all(
            "SELECT username FROM users WHERE hall IS NULL AND role != 'admin' AND active = 1"
            " ORDER BY username")]
        if wide:  # they can work in the new hall too
            print(f"note: these accounts work in every hall, the new one included: "
                  f"{', '.join(wide)}")
        return 0
    password = getpass.getpass("password: ") if sys.stdin.isatty() else sys.stdin.readline()
    password = password.rstrip("\n")
    try:
        db.write("system", lambda tx: auth.create_user(
            tx, args.name, args.role, password, args.display_name, args.staff_no,
            hall=args.hall))
    except ApiError as e:
        print(f"error: {e.message}", file=sys.stderr)
        return 1
    where = f"hall {args.hall}" if args.hall else "every hall"
    print(f"user {args.name} added with role {args.role} for {where}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
