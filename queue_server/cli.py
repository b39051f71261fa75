"""The ``hallq`` command: init-db, user add, seed-demo."""
from __future__ import annotations

import argparse
import getpass
import os
import sys

from . import auth, demo
from .errors import ApiError


def _app(db_path: str | None):
    from . import create_app
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
    sub.add_parser("seed-demo", help="seed the demo hall into an empty database")
    args = parser.parse_args(argv)

    app = _app(args.db)
    db = app.extensions["hallq.db"]
    if args.cmd == "init-db":
        print(f"database ready: {app.config['DB']}")
        return 0
    if args.cmd == "seed-demo":
        generated = demo.seed(db, app.config.get("DEMO_PASSWORD"))
        if generated:
            print(f"demo users: manager, clerk01..clerk12; password: {generated}")
        else:
            print("demo seeded" if app.config.get("DEMO_PASSWORD") else "database not empty")
        return 0
    password = getpass.getpass("password: ") if sys.stdin.isatty() else sys.stdin.readline()
    password = password.rstrip("\n")
    try:
        db.write("system", lambda tx: auth.create_user(
            tx, args.name, args.role, password, args.display_name, args.staff_no))
    except ApiError as e:
        print(f"error: {e.message}", file=sys.stderr)
        return 1
    print(f"user {args.name} added with role {args.role}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
