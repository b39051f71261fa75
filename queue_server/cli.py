"""The ``hallq`` command: init-db, seed-demo, hall add/list, user add/passwd/list, audit verify,
purge, dispatch learn/show, token add/revoke/list."""
from __future__ import annotations

import argparse
import getpass
import os
import sys

from queue_server import auth, demo, demo_history, integration_tokens, registry
from queue_server.domain import halls
from queue_server.errors import ApiError
from queue_server.live import profiles, retention
from queue_server.manager import dispatch_profile
from queue_server.store import audit_chain
from queue_server.store.db import Database


def _app(db_path: str | None):
    from queue_server import create_app
    cfg = {"DB": db_path} if db_path else {}
    return create_app(cfg)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hallq", description="HallQ administration")
    parser.add_argument("--db", default=os.environ.get("HALLQ_DB"),
                        help="database file (default ./hallq.db or $HALLQ_DB)")
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("init-db", help="create or migrate the database")
    seed = sub.add_parser("seed-demo", help="seed the demo hall into an empty database")
    seed.add_argument("--history", type=int, default=0, metavar="DAYS",
                      help="past weekdays of tickets too (statistics and advice have data)")
    user = sub.add_parser("user", help="manage users").add_subparsers(dest="sub", required=True)
    add = user.add_parser("add", help="add a user; the password is read from stdin")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=sorted(auth.ROLES))
    add.add_argument("--display-name", default="")
    add.add_argument("--staff-no", default="")
    add.add_argument("--hall", default=None,
                     help="bind the account to this hall (default: every hall)")
    passwd = user.add_parser("passwd", help="set a user's password (read from stdin); their"
                                            " sessions end")
    passwd.add_argument("name")
    ulist = user.add_parser("list", help="list the accounts (one hall's with --hall)")
    ulist.add_argument("--hall", default=None)
    hall = sub.add_parser("hall", help="manage halls").add_subparsers(dest="sub", required=True)
    hadd = hall.add_parser("add", help="add an empty hall (its manager sets up the rest)")
    hadd.add_argument("id")
    hadd.add_argument("--name", required=True, help="the hall's name in Chinese")
    hadd.add_argument("--name-en", default="")
    hadd.add_argument("--tz", default="Asia/Shanghai")
    hadd.add_argument("--open", default="09:00", help="opening time, HH:MM")
    hadd.add_argument("--close", default="17:30", help="closing time, HH:MM")
    hall.add_parser("list", help="list the halls")
    audit = sub.add_parser("audit", help="the audit log").add_subparsers(dest="sub",
                                                                         required=True)
    verify = audit.add_parser("verify", help="check the audit hash chains; exit 1 naming the"
                                             " first broken event")
    verify.add_argument("--hall", default=None,
                        help=f"one hall's chain ({audit_chain.SERVER_CHAIN!r}: the server's)"
                             " (default: every chain)")
    verify.add_argument("--against", default=None, metavar="FILE",
                        help="also check that every head saved in FILE (an earlier output of"
                             " this command, or the server's log) is still in its chain:"
                             " newest events deleted since are found")
    purge = sub.add_parser("purge", help="clear personal data older than"
                                         " HALLQ_PERSONAL_DATA_DAYS (counts per table)")
    purge.add_argument("--dry-run", action="store_true", help="only show what would be cleared")
    disp = sub.add_parser("dispatch", help="each hall's dispatcher profile, chosen from its"
                                           " recent days").add_subparsers(dest="sub",
                                                                          required=True)
    learn = disp.add_parser("learn", help="choose now (the server does it once a day)")
    learn.add_argument("--hall", default=None, help="one hall (default: every hall)")
    disp.add_parser("show", help="each hall's current choice")
    integration_tokens.add_cli(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    app = _app(args.db)
    command = COMMANDS[(args.cmd, getattr(args, "sub", None))]
    try:
        return command(app, registry.db(app), args)
    except ApiError as e:
        print(f"error: {e.message}", file=sys.stderr)
        return 1


def _init_db(app, db: Database, args) -> int:
    print(f"database ready: {app.config['DB']}")
    return 0


def _seed_demo(app, db: Database, args) -> int:
    if not demo.empty(db):
        print("error: database not empty: nothing seeded", file=sys.stderr)
        return 1
    generated = demo.seed(db, app.config.get("DEMO_PASSWORD"))
    print(f"demo users: manager, clerk01..clerk12; password: {generated}" if generated
          else "demo seeded")
    if args.history:
        n = demo_history.seed_history(db, days=args.history)
        print(f"demo history: {n} tickets over {args.history} past weekdays")
    return 0


def _hall_add(app, db: Database, args) -> int:
    db.write("system", lambda tx: halls.create(tx, args.id, args.name, args.name_en,
                                               args.tz, args.open, args.close))
    print(f"hall {args.id} added; its console: /manage/{args.id}")
    wide = [r["username"] for r in db.all(
        "SELECT username FROM users WHERE hall IS NULL AND role != 'admin' AND active = 1"
        " ORDER BY username")]
    if wide:  # they can work in the new hall too
        print(f"note: these accounts work in every hall, the new one included: "
              f"{', '.join(wide)}")
    return 0


def _hall_list(app, db: Database, args) -> int:
    rows = db.all("SELECT h.id, h.name, h.tz, h.open_s, h.close_s, (SELECT COUNT(*) FROM"
                  " windows w WHERE w.hall = h.id) AS windows FROM halls h ORDER BY h.id")
    for r in rows:
        hours = "–".join("--:--" if s is None else f"{s // 3600:02d}:{s % 3600 // 60:02d}"
                         for s in (r["open_s"], r["close_s"]))
        print(f"{r['id']}\t{r['name']}\t{r['tz']}\t{hours}\t{r['windows']} windows")
    return 0


def _password() -> str:
    password = getpass.getpass("password: ") if sys.stdin.isatty() else sys.stdin.readline()
    return password.rstrip("\n")


def _user_add(app, db: Database, args) -> int:
    password = _password()
    db.write("system", lambda tx: auth.create_user(
        tx, args.name, args.role, password, args.display_name, args.staff_no, hall=args.hall))
    where = f"hall {args.hall}" if args.hall else "every hall"
    print(f"user {args.name} added with role {args.role} for {where}")
    return 0


def _user_passwd(app, db: Database, args) -> int:
    password = _password()
    db.write("system", lambda tx: auth.set_password(tx, args.name, password))
    print(f"password of {args.name} changed; their sessions ended")
    return 0


def _user_list(app, db: Database, args) -> int:
    sql, params = "SELECT * FROM users", ()
    if args.hall:  # the hall's own accounts and those of every hall, who work there too
        sql, params = sql + " WHERE hall = ? OR hall IS NULL", (args.hall,)
    for r in db.all(sql + " ORDER BY username", params):
        state = "active" if r["active"] else "disabled"
        print(f"{r['username']}\t{r['role']}\t{r['hall'] or '*'}\t{state}\t"
              f"{r['display_name'] or ''}")
    return 0


def _audit_verify(app, db: Database, args) -> int:
    saved = _saved_heads(args.against) if args.against else []
    if saved is None:
        return 1
    if args.against and not saved:
        print(f"error: {args.against} 中没有保存的链头 (no saved heads in it: lines as this"
              " command prints them)", file=sys.stderr)
        return 1
    with db.read() as conn:
        if args.hall is None:
            chains = audit_chain.halls(conn)
        elif args.hall == audit_chain.SERVER_CHAIN or conn.execute(
                "SELECT 1 FROM halls WHERE id = ?", (args.hall,)).fetchone():
            chains = [args.hall]
        else:
            print(f"error: 大厅不存在 (unknown hall {args.hall!r})", file=sys.stderr)
            return 1
        results = [audit_chain.verify(conn, hall) for hall in chains]
        lost = [(hall, events, head) for hall, events, head in saved
                if hall in chains and not audit_chain.still_there(conn, hall, events, head)]
    for r in results:
        if r["ok"]:
            print(audit_chain.anchor(r))
        else:
            print(f"{r['hall']}\tBROKEN at event {r['broken_at']}\t{r['checked']} events"
                  " before it verified")
    for hall, events, head in lost:
        print(f"{hall}\tBROKEN: the head saved earlier ({events} events, head {head}) is no"
              " longer in the chain")
    broken = [r for r in results if not r["ok"]]
    if broken:
        print("error: 审计日志已被篡改 (audit chain broken at event "
              f"{', '.join(str(r['broken_at']) for r in broken)})", file=sys.stderr)
    if lost:
        print("error: 审计日志的最新记录已被删除或改写 (events deleted or rewritten since the"
              f" saved heads of {', '.join(sorted({h for h, _, _ in lost}))})", file=sys.stderr)
    return 1 if broken or lost else 0


def _saved_heads(path: str) -> list[tuple[str, int, str]] | None:
    """The heads saved in ``path``, or None (said why) when it cannot be read."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return audit_chain.anchors(f)
    except OSError as e:
        print(f"error: 无法读取 {path} (cannot read it: {e.strerror})", file=sys.stderr)
        return None


def _purge(app, db: Database, args) -> int:
    days = int(app.config["PERSONAL_DATA_DAYS"])
    results = retention.purge_all(db, days, dry_run=args.dry_run)
    verb = "would clear" if args.dry_run else "cleared"
    for r in results:
        counts = ", ".join(f"{table} {n}" for table, n in r["counts"].items())
        print(f"{r['hall']}\tbefore {r['before']}\t{verb}: {counts}")
    if args.dry_run:
        print(f"dry run: nothing cleared (retention {days} days)")
    return 0


def _dispatch_learn(app, db: Database, args) -> int:
    halls = [r["id"] for r in db.all("SELECT id FROM halls ORDER BY id")]
    if args.hall is not None and args.hall not in halls:
        print(f"error: 大厅不存在 (unknown hall {args.hall!r})", file=sys.stderr)
        return 1
    for r in profiles.learn_all(db, halls=[args.hall] if args.hall else halls):
        _print_profile(r["hall"], r)
    return 0


def _dispatch_show(app, db: Database, args) -> int:
    for hall in [r["id"] for r in db.all("SELECT id FROM halls ORDER BY id")]:
        _print_profile(hall, dispatch_profile.current(db.conn(), hall))
    return 0


def _print_profile(hall: str, r: dict | None) -> None:
    if not r:
        print(f"{hall}\tdefaults\tnot chosen yet")
    elif r.get("profile") is None:
        print(f"{hall}\tdefaults\t{len(r['days'])} recorded days, at least"
              f" {r.get('min_days')} needed\tfor {r['learned_for']}")
    else:
        ratios = ", ".join(f"{k} {v.get('mean_ratio')}" for k, v in r["history"].items())
        print(f"{hall}\t{r['profile']}\tfrom {len(r['days'])} days ({r['days'][0]} to"
              f" {r['days'][-1]})\tmean wait / fifo: {ratios}\tfor {r['learned_for']}")


COMMANDS = {("init-db", None): _init_db, ("seed-demo", None): _seed_demo,
            ("hall", "add"): _hall_add, ("hall", "list"): _hall_list,
            ("user", "add"): _user_add, ("user", "passwd"): _user_passwd,
            ("user", "list"): _user_list, ("audit", "verify"): _audit_verify,
            ("purge", None): _purge, ("dispatch", "learn"): _dispatch_learn,
            ("dispatch", "show"): _dispatch_show, **integration_tokens.COMMANDS}


if __name__ == "__main__":
    sys.exit(main())
