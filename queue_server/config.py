"""Settings: defaults, then ``HALLQ_*`` environment variables, then the test config."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

DEFAULTS = {
    "DB": "hallq.db",
    "MESSAGE_QUEUE": None,          # e.g. redis://127.0.0.1:6379/0 for several processes
    "ASYNC_MODE": "threading",       # queue_server.wsgi picks gevent under gunicorn's gevent worker
    "MAX_LIVE": 3000,               # live (Socket.IO) connections per process; 0 = no limit
    "MAX_LIVE_PER_ADDRESS": 500,    # per client address (a hall's Wi-Fi may NAT every phone)
    "PING_INTERVAL_S": 25.0,        # Socket.IO pings; a socket silent for interval + timeout
    "PING_TIMEOUT_S": 20.0,         # is closed (half-open sockets are reaped)
    "WS_COMPRESSION": False,        # permessage-deflate on websockets (costs CPU per client)
    "WS_FAST": True,                # one frame per event written straight to idle sockets
    "MAX_BODY_BYTES": 1048576,      # a request body larger than this is refused (413) unread
    "RATE_ID_PER_DAY": 10,          # tickets per ID number per day
    "ELDERLY_AGE": 70,              # an ID this old or older gets priority at issue; 0 = off
    "AGENT_PER_DAY": 3,             # 代办: tickets one agent may take for others per day; 0 = off
    "SPECIAL_PER_DAY": 30,          # 特呼号 the guide desk may issue per hall per day
    "RATE_ADDRESS_PER_MIN": 120,    # tickets per client address per minute (a busy kiosk)
    "LOGIN_FAILS": 5,               # failed logins per user and address per 5 minutes
    "POSITION_REFRESH_S": 1.0,      # how often waiting tickets' positions are pushed at most
    "WRAP_UP_S": 10,                # auto mode: seconds between finishing and the next call
    "ALERT_INTERVAL_S": 5.0,        # how often waiting tickets are checked against wait limits
    "HOLD_CHECK_S": 10.0,           # how often held tickets are checked against their hall's timer
    "SESSION_CHECK_S": 2.0,         # how often live sockets' logins are checked (ended: closed)
    "PRINTER": None,                # kiosk slip printer: network:host[:port], usb:vid:pid, dummy
    "PRINTERS": None,               # one per kiosk: k1=network:10.0.0.5,k2=usb:04b8:0e15
    "DEVICE_QUIET_S": 90.0,         # a device without a heartbeat this long is alerted as quiet
    "DEVICE_HEARTBEAT_S": 30.0,     # how often device pages send their heartbeat
    "DEVICE_CHECK_S": 10.0,         # how often printers are polled and quiet devices looked for
    "PRINTER_TIMEOUT_S": 1.0,       # one printer status query's connect and answer timeout
    "PUBLIC_URL": None,             # the address phones use for the slip's QR code
    "VOICE_DIR": None,              # the hall's own recordings replacing built voice clips
    "VOICE_CLIPS": None,            # the built voice clips (default displays/clips, make setup)
    "PERSONAL_DATA_DAYS": 30,       # PIPL: ID/phone hashes and rating comments kept this long
    "OPEN_HOURS_ONLY": True,        # tickets are issued only within the hall's opening hours
    "MOBILE_TICKETS": True,         # tickets may be taken on the phone page /m/<hall>
    "MOBILE_PER_DAY": 0,            # phone tickets per hall per day; 0 = no cap
    "POSTPONE_STEPS": 3,            # 顺延: a postponed ticket lets this many go ahead
    "POSTPONE_MAX": 1,              # postpones per ticket; 0 = postponing is off
    "REJOIN_WINDOW_S": 1800,        # a no-show may rejoin this long after it; 0 = off
    "REJOIN_BEHIND": 3,             # a rejoined ticket waits behind this many
    "PROXY_HOPS": 0,                # proxies in front (nginx: 1): client addresses from them
    "SUPERVISION_URL": None,        # 电子监察: where the feed's notices are POSTed
    "SUPERVISION_SECRET": None,     # their HMAC-SHA256 key (required with the URL)
    "SUPERVISION_EVENTS": None,     # the kinds fed, comma-separated; default: all
    "SUPERVISION_TIMEOUT_S": 10.0,  # one delivery's HTTP timeout
    "SUPERVISION_RETRY_S": 5.0,     # the first retry's delay, doubled each time (1 h at most)
    "SUPERVISION_POLL_S": 2.0,      # how often each process looks for notices to deliver
    "WEBHOOK_URL": None,            # outbound notices to citizens: where they are POSTed
    "WEBHOOK_SECRET": None,         # their HMAC-SHA256 key (required with the URL)
    "WEBHOOK_PHONE": False,         # the webhook gets the citizen's phone number (an SMS gateway)
    "WEBHOOK_TIMEOUT_S": 10.0,      # one delivery's HTTP timeout
    "WEBHOOK_RETRY_S": 5.0,         # the first retry's delay, doubled each time (1 h at most)
    "NOTICE_POLL_S": 1.0,           # how often each process sends notices and looks for new ones
    "NOTICE_TTL_S": 7200.0,         # a notice still undelivered after this is dropped
    "NOTICE_NEAR_FRONT": 3,         # ticket.near_front once a ticket has at most this many ahead
    "NOTICE_REMINDER_S": 3600.0,    # appointment.reminder this long before the slot; 0 = off
    "PHONE_KEY": None,              # seals phone numbers kept for notices (a file beside the db)
    "NOSHOW_LIMIT": 3,              # missed appointments within NOSHOW_DAYS that block booking;
    "NOSHOW_DAYS": 30,              # 0 = no limit
    "NOSHOW_BLOCK_DAYS": 7,         # how long booking stays blocked after the last one missed
    "DEMO_PASSWORD": None,
    "SECRET_KEY": None,
    "ID_HASH_KEY": None,
}
INTS = {"SPECIAL_PER_DAY", "RATE_ID_PER_DAY", "ELDERLY_AGE", "AGENT_PER_DAY",
        "RATE_ADDRESS_PER_MIN", "LOGIN_FAILS", "WRAP_UP_S",
        "PROXY_HOPS", "MAX_LIVE", "MAX_LIVE_PER_ADDRESS", "MAX_BODY_BYTES",
        "PERSONAL_DATA_DAYS", "MOBILE_PER_DAY", "POSTPONE_STEPS", "POSTPONE_MAX",
        "REJOIN_WINDOW_S", "REJOIN_BEHIND", "NOTICE_NEAR_FRONT", "NOSHOW_LIMIT", "NOSHOW_DAYS",
        "NOSHOW_BLOCK_DAYS"}
FLOATS = {"POSITION_REFRESH_S", "ALERT_INTERVAL_S", "HOLD_CHECK_S", "PING_INTERVAL_S",
          "PING_TIMEOUT_S", "SESSION_CHECK_S", "SUPERVISION_TIMEOUT_S", "SUPERVISION_RETRY_S",
          "SUPERVISION_POLL_S", "WEBHOOK_TIMEOUT_S", "WEBHOOK_RETRY_S", "NOTICE_POLL_S",
          "NOTICE_TTL_S", "NOTICE_REMINDER_S", "DEVICE_QUIET_S", "DEVICE_HEARTBEAT_S",
          "DEVICE_CHECK_S", "PRINTER_TIMEOUT_S"}
BOOLS = {"OPEN_HOURS_ONLY", "WS_COMPRESSION", "WS_FAST", "MOBILE_TICKETS", "WEBHOOK_PHONE"}


def from_env(environ=os.environ) -> dict:
    out = {}
    for key in DEFAULTS:
        raw = environ.get(f"HALLQ_{key}")
        if raw is None or raw == "":
            continue
        if key in BOOLS:
            out[key] = raw.strip().lower() not in ("0", "false", "no", "off")
        else:
            out[key] = int(raw) if key in INTS else float(raw) if key in FLOATS else raw
    return out


def db_location(db: str) -> str:
    """``HALLQ_DB`` as the server keeps it: a SQLite file's absolute path, or a
    ``postgresql://user:password@host:port/dbname`` URL as given."""
    return db if db.startswith(("postgresql://", "postgres://")) else os.path.abspath(db)


def secret_base(db: str) -> str:
    """Where a database's secret files go: beside a SQLite file; for a PostgreSQL database in
    the working directory, named after its host, port and database (several app servers must
    share the keys: give them HALLQ_SECRET_KEY and HALLQ_ID_HASH_KEY instead,
    docs/deployment.md)."""
    if not db.startswith(("postgresql://", "postgres://")):
        return db
    from urllib.parse import urlsplit

    url = urlsplit(db)
    name = f"{url.hostname or 'local'}-{url.port or 5432}-{url.path.lstrip('/') or 'db'}"
    return os.path.abspath("hallq-pg-" + "".join(c if c.isalnum() or c in "-_." else "_"
                                                 for c in name))


def secret_file(db_path: str, name: str) -> str:
    """A random secret kept in a 0600 file beside the database (not inside it: a leaked
    database alone must not reveal the key that hashes ID numbers)."""
    path = Path(f"{db_path}.{name}")
    if path.exists():
        return path.read_text().strip()
    value = secrets.token_hex(32)
    tmp = Path(f"{path}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(value)
        f.flush()
        os.fsync(f.fileno())
    try:
        os.link(tmp, path)  # atomic, and never replaces a key another process wrote first
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    return path.read_text().strip()
