"""Numbered migrations: append a function, never edit one that has shipped.

Each runs inside one transaction and is recorded in ``_migrations`` by :func:`db.migrate`.
Times are epoch seconds (REAL); a ticket's ``day`` is the hall's local date.
"""
from __future__ import annotations

import sqlite_utils


def m001_initial(db: sqlite_utils.Database) -> None:
    db["halls"].create(
        {"id": str, "name": str, "name_en": str, "tz": str, "open_s": int, "close_s": int,
         "notices": str, "live_seq": int},
        pk="id", not_null={"name", "tz", "live_seq"},
        defaults={"tz": "Asia/Shanghai", "open_s": 32400, "close_s": 63000, "notices": "[]",
                  "live_seq": 0, "name_en": ""},
    )
    db["categories"].create(
        {"id": str, "hall": str, "name": str, "name_en": str, "prefix": str, "sort": int},
        pk="id", not_null={"hall", "name", "prefix"}, foreign_keys=[("hall", "halls", "id")],
        defaults={"name_en": "", "sort": 0},
    )
    db["categories"].create_index(["hall", "prefix"], unique=True)
    db["services"].create(
        {"id": str, "hall": str, "category": str, "name": str, "name_en": str,
         "mean_service_s": float, "materials": str, "wait_limit_s": int, "active": int,
         "sort": int},
        pk="id", not_null={"hall", "category", "name", "mean_service_s"},
        foreign_keys=[("hall", "halls", "id"), ("category", "categories", "id")],
        defaults={"name_en": "", "materials": "[]", "wait_limit_s": 1800, "active": 1,
                  "sort": 0},
    )
    db["users"].create(
        {"username": str, "display_name": str, "staff_no": str, "role": str,
         "password_hash": str, "active": int, "created_at": float},
        pk="username", not_null={"role", "password_hash"}, defaults={"active": 1},
    )
    db["windows"].create(
        {"id": str, "hall": str, "name": str, "name_en": str, "zone": str, "status": str,
         "clerk": str, "current": int, "auto": int, "pause_reason": str, "sort": int,
         "status_since": float, "idle_since": float},
        pk="id", not_null={"hall", "name", "status"},
        foreign_keys=[("hall", "halls", "id"), ("clerk", "users", "username")],
        defaults={"status": "closed", "zone": "", "auto": 0, "sort": 0, "name_en": ""},
    )
    db["skills"].create(
        {"window": str, "service": str, "weight": float},
        pk=("window", "service"), not_null={"weight"},
        foreign_keys=[("window", "windows", "id"), ("service", "services", "id")],
    )
    db["tickets"].create(
        {"id": int, "hall": str, "day": str, "number": str, "service": str, "status": str,
         "priority": int, "channel": str, "token_hash": str, "id_hash": str, "phone_hash": str,
         "issued_at": float, "order_at": float, "due_at": float, "called_at": float,
         "started_at": float, "finished_at": float, "window": str, "recall": int,
         "served_by": str, "transferred_from": int, "transferred_to": int, "held_at": float,
         "hold_reason": str},
        pk="id", not_null={"hall", "day", "number", "service", "status", "priority",
                           "issued_at", "order_at"},
        foreign_keys=[("hall", "halls", "id"), ("service", "services", "id"),
                      ("window", "windows", "id")],
        defaults={"priority": 0, "recall": 0},
    )
    db["tickets"].create_index(["token_hash"], unique=True)
    db["tickets"].create_index(["hall", "status", "order_at"])
    db["tickets"].create_index(["hall", "day"])
    db["tickets"].create_index(["id_hash", "day"])
    db["counters"].create(
        {"hall": str, "day": str, "prefix": str, "last": int},
        pk=("hall", "day", "prefix"), not_null={"last"},
    )
    db["events"].create(
        {"seq": int, "hall": str, "at": float, "actor": str, "action": str, "ticket": int,
         "window": str, "detail": str},
        pk="seq", not_null={"hall", "at", "actor", "action"},
    )
    db["events"].create_index(["hall", "at"])
    db["ratings"].create(
        {"ticket": int, "score": int, "reason": str, "comment": str, "at": float},
        pk="ticket", not_null={"score", "at"}, foreign_keys=[("ticket", "tickets", "id")],
    )
    db["sessions"].create(
        {"token_hash": str, "username": str, "created_at": float, "expires_at": float,
         "kind": str},
        pk="token_hash", not_null={"username", "created_at", "expires_at"},
        foreign_keys=[("username", "users", "username")],
    )
    # The events table is append-only: refuse edits at the database level too.
    db.execute(
        "CREATE TRIGGER events_no_update BEFORE UPDATE ON events"
        " BEGIN SELECT RAISE(ABORT, 'events are append-only'); END"
    )
    db.execute(
        "CREATE TRIGGER events_no_delete BEFORE DELETE ON events"
        " BEGIN SELECT RAISE(ABORT, 'events are append-only'); END"
    )


def m002_ticket_root(db: sqlite_utils.Database) -> None:
    """Every leg of a transferred ticket shares its first leg's id as ``root``: the citizen's
    phone follows the chain, not one leg."""
    db.execute("ALTER TABLE tickets ADD COLUMN root INTEGER")
    db.execute("UPDATE tickets SET root = id WHERE transferred_from IS NULL")
    # Older transfer legs: walk back to the first leg.
    db.execute("""WITH RECURSIVE chain(id, root) AS (
                    SELECT id, id FROM tickets WHERE transferred_from IS NULL
                    UNION ALL
                    SELECT t.id, chain.root FROM tickets t JOIN chain
                      ON t.transferred_from = chain.id)
                  UPDATE tickets SET root = (SELECT root FROM chain WHERE chain.id = tickets.id)
                  WHERE root IS NULL""")


def m003_appointments(db: sqlite_utils.Database) -> None:
    """Appointments (预约): booked ahead for a slot, checked in at the kiosk as priority 2."""
    db["appointments"].create(
        {"code": str, "hall": str, "service": str, "slot_at": float, "id_hash": str,
         "status": str, "ticket": int, "created_at": float},
        pk="code", not_null={"hall", "service", "slot_at", "id_hash", "status", "created_at"},
        foreign_keys=[("hall", "halls", "id"), ("service", "services", "id"),
                      ("ticket", "tickets", "id")],
    )
    db["appointments"].create_index(["hall", "service", "slot_at"])
    db["appointments"].create_index(["id_hash"])


def m004_first_called_at(db: sqlite_utils.Database) -> None:
    """The first call of a ticket: a held ticket is called again later, but its wait ended at
    the first call."""
    db.execute("ALTER TABLE tickets ADD COLUMN first_called_at REAL")
    db.execute("UPDATE tickets SET first_called_at = called_at WHERE called_at IS NOT NULL")


def m005_materials_en(db: sqlite_utils.Database) -> None:
    """The materials to bring (一次性告知) in English, beside the Chinese list: a JSON list of
    strings; empty means "show the Chinese list"."""
    db.execute("ALTER TABLE services ADD COLUMN materials_en TEXT NOT NULL DEFAULT '[]'")


def m006_user_hall(db: sqlite_utils.Database) -> None:
    """Staff bound to one hall; NULL means every hall (a city-level administrator). On a
    server with exactly one hall, its clerks and managers are bound to it (so a hall added
    later is not open to them); admins, and every account where there are several halls,
    keep every hall."""
    db.execute("ALTER TABLE users ADD COLUMN hall TEXT REFERENCES halls(id)")
    db.execute("UPDATE users SET hall = (SELECT id FROM halls) WHERE role != 'admin'"
               " AND (SELECT COUNT(*) FROM halls) = 1")


def m007_forecast_version(db: sqlite_utils.Database) -> None:
    """A per-hall counter of changes to what the dispatcher's forecast reads (tickets,
    windows, skills, services, the hall's time zone), bumped by triggers in the writing
    transaction itself: a process's cached forecast inputs (domain/forecast_cache.py) are
    valid exactly while the counter it read still holds, whoever wrote the file since."""
    db.execute("ALTER TABLE halls ADD COLUMN forecast_version INTEGER NOT NULL DEFAULT 0")
    bump = "UPDATE halls SET forecast_version = forecast_version + 1 WHERE id = {}"
    bump_in = ("UPDATE halls SET forecast_version = forecast_version + 1"
               " WHERE id IN (SELECT hall FROM windows WHERE id IN ({}))")
    # tickets.root and the token/hash/rating columns never reach the forecast: not watched,
    # so an issue's own "SET root = id" is no second change
    watched = ("hall, day, service, status, priority, order_at, due_at, window, called_at,"
               " started_at, finished_at")
    triggers = {
        "tickets_fv_insert": ("AFTER INSERT ON tickets", bump.format("NEW.hall")),
        "tickets_fv_update": (f"AFTER UPDATE OF {watched} ON tickets",
                              bump.format("NEW.hall") + "; "
                              + bump.format("OLD.hall") + " AND OLD.hall != NEW.hall"),
        "tickets_fv_delete": ("AFTER DELETE ON tickets", bump.format("OLD.hall")),
        "windows_fv_insert": ("AFTER INSERT ON windows", bump.format("NEW.hall")),
        "windows_fv_update": ("AFTER UPDATE ON windows",
                              bump.format("NEW.hall") + "; "
                              + bump.format("OLD.hall") + " AND OLD.hall != NEW.hall"),
        "windows_fv_delete": ("AFTER DELETE ON windows", bump.format("OLD.hall")),
        "skills_fv_insert": ("AFTER INSERT ON skills", bump_in.format("NEW.window")),
        "skills_fv_update": ("AFTER UPDATE ON skills", bump_in.format("NEW.window, OLD.window")),
        "skills_fv_delete": ("AFTER DELETE ON skills", bump_in.format("OLD.window")),
        "services_fv_insert": ("AFTER INSERT ON services", bump.format("NEW.hall")),
        "services_fv_update": ("AFTER UPDATE ON services",
                               bump.format("NEW.hall") + "; "
                               + bump.format("OLD.hall") + " AND OLD.hall != NEW.hall"),
        "services_fv_delete": ("AFTER DELETE ON services", bump.format("OLD.hall")),
        "halls_fv_tz": ("AFTER UPDATE OF tz ON halls", bump.format("NEW.id")),
    }
    for name, (when, body) in triggers.items():
        db.execute(f"CREATE TRIGGER {name} {when} BEGIN {body}; END")


def m008_audit_chain(db: sqlite_utils.Database) -> None:
    """Each hall's audit events hash-chained (``store/audit_chain.py``): ``prev_hash`` and
    ``hash`` columns, the events already there linked in ``seq`` order. The append-only
    trigger is lifted for this one migration only, inside its transaction."""
    from queue_server.store import audit_chain

    db.execute("ALTER TABLE events ADD COLUMN prev_hash TEXT")
    db.execute("ALTER TABLE events ADD COLUMN hash TEXT")
    db.execute("CREATE INDEX events_hall_seq ON events (hall, seq)")  # a chain's head, fast
    db.execute("DROP TRIGGER events_no_update")
    heads: dict[str, str] = {}
    last = 0
    while True:  # in batches: a log of months need not fit in memory at once
        cur = db.execute(f"SELECT {', '.join(audit_chain.FIELDS)} FROM events WHERE seq > ?"
                         " ORDER BY seq LIMIT 10000", [last])
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
        if not rows:
            break
        db.conn.executemany("UPDATE events SET prev_hash = ?, hash = ? WHERE seq = ?",
                            list(audit_chain.chain_rows(rows, heads)))
        last = rows[-1]["seq"]
    db.execute(
        "CREATE TRIGGER events_no_update BEFORE UPDATE ON events"
        " BEGIN SELECT RAISE(ABORT, 'events are append-only'); END"
    )


def m009_purgeable_appointments(db: sqlite_utils.Database) -> None:
    """An appointment's ``id_hash`` may be cleared (NULL) once its day is past the personal-data
    retention (``domain/privacy.py``)."""
    db["appointments"].transform(not_null={"id_hash": False})


def m010_holds_outcomes(db: sqlite_utils.Database) -> None:
    """The three hold kinds (``domain/holds.py``) and the outcome of a finished case
    (``domain/outcomes.py``). On tickets: ``hold_kind`` (keep / release / wait), ``hold_by``
    (who held it), ``hold_until`` (the automatic return to the queue, if the hall sets one),
    ``held_s`` (time spent held, all kinds) and ``paused_s`` (held time the service clock did
    not count), ``outcome``. On halls: ``outcomes`` and ``hold_return`` (JSON; NULL means the
    defaults). Tickets held before this migration were today's one hold kind: ``keep``."""
    for column, kind in (("hold_kind", "TEXT"), ("hold_by", "TEXT"), ("hold_until", "REAL"),
                         ("held_s", "REAL NOT NULL DEFAULT 0"),
                         ("paused_s", "REAL NOT NULL DEFAULT 0"), ("outcome", "TEXT")):
        db.execute(f"ALTER TABLE tickets ADD COLUMN {column} {kind}")
    db.execute("ALTER TABLE halls ADD COLUMN outcomes TEXT")
    db.execute("ALTER TABLE halls ADD COLUMN hold_return TEXT")
    db.execute("UPDATE tickets SET hold_kind = 'keep', hold_by = (SELECT clerk FROM windows"
               " WHERE windows.id = tickets.window) WHERE status = 'held'")
    db.execute("CREATE INDEX tickets_hold_until ON tickets (status, hold_until)")


def m011_supervision(db: sqlite_utils.Database) -> None:
    """Supervision (效能监察): rectification cases (整改) opened by bad ratings, a service-time
    norm per service (办理超时), the hall's settings for both, where a rating was given, and
    the durable outbox of the 电子监察 feed (written in the transaction of its event)."""
    db.execute("ALTER TABLE halls ADD COLUMN rectify_days INTEGER NOT NULL DEFAULT 5")
    db.execute("ALTER TABLE halls ADD COLUMN overtime_warn_pct INTEGER NOT NULL DEFAULT 80")
    # 0: no norm for this service
    db.execute("ALTER TABLE services ADD COLUMN service_limit_s INTEGER NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE ratings ADD COLUMN channel TEXT")  # onsite | mobile; NULL: older
    db["rectifications"].create(
        {"id": int, "hall": str, "ticket": int, "score": int, "status": str,
         "opened_at": float, "due_at": float, "owner": str, "assigned_at": float,
         "response": str, "responded_at": float, "responded_by": str, "outcome": str,
         "closed_at": float, "closed_by": str, "overdue_at": float},
        pk="id", not_null={"hall", "ticket", "score", "status", "opened_at", "due_at"},
        foreign_keys=[("hall", "halls", "id"), ("ticket", "tickets", "id"),
                      ("owner", "users", "username")],
    )
    db["rectifications"].create_index(["ticket"], unique=True)
    db["rectifications"].create_index(["hall", "status", "due_at"])
    db["supervision_outbox"].create(
        {"id": int, "hall": str, "kind": str, "body": str, "created_at": float,
         "attempts": int, "next_at": float, "delivered_at": float, "last_error": str},
        pk="id", not_null={"hall", "kind", "body", "created_at", "attempts", "next_at"},
        defaults={"attempts": 0},
    )
    db["supervision_outbox"].create_index(["delivered_at", "next_at"])


def m013_forecast_delta(db: sqlite_utils.Database) -> None:
    """Each ticket row carries the forecast counter of its last change (``fv``), so a process's
    kept forecast inputs are brought up to date by reading only the tickets changed since
    (domain/forecast_cache.py); ``forecast_epoch`` counts what a delta cannot show (a ticket
    deleted, or moved to another hall): then the kept inputs are read again whole."""
    db.execute("ALTER TABLE tickets ADD COLUMN fv INTEGER NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE halls ADD COLUMN forecast_epoch INTEGER NOT NULL DEFAULT 0")
    db.execute("CREATE INDEX idx_tickets_hall_fv ON tickets (hall, fv)")
    bump = "UPDATE halls SET forecast_version = forecast_version + 1 WHERE id = {}"
    epoch = "UPDATE halls SET forecast_epoch = forecast_epoch + 1 WHERE id = {}"
    # fv is not among the watched columns: setting it fires no trigger of its own
    mark = ("UPDATE tickets SET fv = (SELECT forecast_version FROM halls WHERE id = NEW.hall)"
            " WHERE id = NEW.id")
    watched = ("hall, day, service, status, priority, order_at, due_at, window, called_at,"
               " started_at, finished_at")
    triggers = {
        "tickets_fv_insert": ("AFTER INSERT ON tickets", [bump.format("NEW.hall"), mark]),
        "tickets_fv_update": (f"AFTER UPDATE OF {watched} ON tickets", [
            bump.format("NEW.hall"), bump.format("OLD.hall") + " AND OLD.hall != NEW.hall",
            epoch.format("OLD.hall") + " AND OLD.hall != NEW.hall", mark]),
        "tickets_fv_delete": ("AFTER DELETE ON tickets",
                              [bump.format("OLD.hall"), epoch.format("OLD.hall")]),
    }
    for name, (when, body) in triggers.items():
        db.execute(f"DROP TRIGGER {name}")
        db.execute(f"CREATE TRIGGER {name} {when} BEGIN {'; '.join(body)}; END")


def m014_dispatch_profile(db: sqlite_utils.Database) -> None:
    """The dispatcher profile each hall's own recent days chose (manager/dispatch_profile.py,
    the nightly safeguard): JSON, NULL = the defaults. It changes what the forecast and the
    plan read, so it bumps the forecast counter as the time zone does."""
    db.execute("ALTER TABLE halls ADD COLUMN dispatch_profile TEXT")
    db.execute("CREATE TRIGGER halls_fv_profile AFTER UPDATE OF dispatch_profile ON halls"
               " BEGIN UPDATE halls SET forecast_version = forecast_version + 1"
               " WHERE id = NEW.id; END")


def m015_postpone_rejoin(db: sqlite_utils.Database) -> None:
    """How often a ticket was postponed (顺延) and rejoined after a no-show, each limited per
    ticket (domain/postpone.py); not watched by the forecast triggers (its ``order_at`` is)."""
    db.execute("ALTER TABLE tickets ADD COLUMN postpones INTEGER NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE tickets ADD COLUMN rejoins INTEGER NOT NULL DEFAULT 0")


def m016_notices_appointments(db: sqlite_utils.Database) -> None:
    """Outbound notices (domain/notices.py): the channels this deployment delivers to, the
    durable outbox (one row per notice and channel, written in the transaction of its
    cause), the phone number for notices sealed (encrypted, domain/privacy.py) on tickets and
    bookings, a ticket's near-front mark (sent once). Appointments end to end: a capacity per
    slot per service, a booking's reminder, missed, cancelled and rescheduled times."""
    db["notice_channels"].create({"name": str, "enabled": int, "updated_at": float},
                                 pk="name", not_null={"enabled"}, defaults={"enabled": 0})
    db["notice_outbox"].create(
        {"id": int, "channel": str, "hall": str, "event": str, "ticket": int,
         "appointment": str, "body": str, "created_at": float, "attempts": int,
         "next_at": float, "delivered_at": float, "dropped_at": float, "last_error": str},
        pk="id", not_null={"channel", "hall", "event", "body", "created_at", "attempts",
                           "next_at"},
        defaults={"attempts": 0},
    )
    db["notice_outbox"].create_index(["channel", "delivered_at", "dropped_at", "hall"])
    db["notice_outbox"].create_index(["created_at"])
    # not watched by the forecast triggers: neither changes a position
    db.execute("ALTER TABLE tickets ADD COLUMN phone_enc TEXT")
    db.execute("ALTER TABLE tickets ADD COLUMN near_front_at REAL")
    db.execute("ALTER TABLE appointments ADD COLUMN phone_enc TEXT")
    db.execute("ALTER TABLE appointments ADD COLUMN reminded_at REAL")
    db.execute("ALTER TABLE appointments ADD COLUMN ended_at REAL")  # cancelled or missed
    db.execute("ALTER TABLE appointments ADD COLUMN reschedules INTEGER NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE services ADD COLUMN slot_capacity INTEGER NOT NULL DEFAULT 5")
    db["appointments"].create_index(["status", "slot_at"])


def m017_devices(db: sqlite_utils.Database) -> None:
    """Registered devices (queue_server/devices.py): kiosks, hall and window screens, calling
    pads, each with its own revocable token (stored only hashed), its pairing, heartbeat and
    printer state; and the hall's setting that kiosks must be paired devices. Plain SQL that
    runs on PostgreSQL as well."""
    db.execute(
        "CREATE TABLE devices (id INTEGER PRIMARY KEY, hall TEXT NOT NULL REFERENCES halls(id),"
        " kind TEXT, name TEXT NOT NULL DEFAULT '', window_id TEXT, printer TEXT,"
        " status TEXT NOT NULL DEFAULT 'pending', pair_code TEXT, pair_secret_hash TEXT,"
        " token_hash TEXT, created_at REAL NOT NULL, approved_at REAL, approved_by TEXT,"
        " revoked_at REAL, revoked_by TEXT, last_seen_at REAL, last_address TEXT,"
        " printer_state TEXT, printer_checked_at REAL, quiet_alerted_at REAL)")
    db.execute("CREATE UNIQUE INDEX devices_token ON devices (token_hash)")
    db.execute("CREATE UNIQUE INDEX devices_secret ON devices (pair_secret_hash)")
    db.execute("CREATE INDEX devices_hall ON devices (hall, status)")
    db.execute("ALTER TABLE halls ADD COLUMN kiosk_device_required INTEGER NOT NULL DEFAULT 0")


def m018_guidance_cases(db: sqlite_utils.Database) -> None:
    """Guidance (智能引导) and cases (办件): the words citizens use for each service, the
    guided questions per category, what was searched and chosen (counts per day), the
    approval system's integration tokens (stored hashed), its cases with their steps, and the
    hall's collection (出件) service. Its own tables and columns only."""
    db.execute("ALTER TABLE services ADD COLUMN keywords TEXT NOT NULL DEFAULT '[]'")
    db.execute("ALTER TABLE halls ADD COLUMN collect_service TEXT")
    db["guide_flows"].create(
        {"hall": str, "category": str, "flow": str, "updated_at": float},
        pk=("hall", "category"), not_null={"flow"},
        foreign_keys=[("hall", "halls", "id"), ("category", "categories", "id")])
    # kind: search (a counted search), miss (one that found nothing), choice (a service
    # picked, term = how: the search words or "flow:<category>"); service '' for none
    db["guide_counts"].create(
        {"hall": str, "day": str, "kind": str, "term": str, "service": str, "n": int},
        pk=("hall", "day", "kind", "term", "service"), not_null={"n"}, defaults={"n": 0})
    db["integration_tokens"].create(
        {"id": int, "name": str, "role": str, "hall": str, "token_hash": str,
         "created_at": float, "revoked_at": float},
        pk="id", not_null={"name", "role", "token_hash", "created_at"})
    db["integration_tokens"].create_index(["name"], unique=True)
    db["integration_tokens"].create_index(["token_hash"], unique=True)
    db["cases"].create(
        {"id": int, "hall": str, "case_no": str, "ticket": int, "root": int, "service": str,
         "status": str, "id_tail_hash": str, "source": str, "created_at": float,
         "updated_at": float, "collect_ticket": int},
        pk="id", not_null={"hall", "case_no", "ticket", "service", "status", "created_at"},
        foreign_keys=[("hall", "halls", "id"), ("ticket", "tickets", "id")])
    db["cases"].create_index(["hall", "case_no"], unique=True)
    db["cases"].create_index(["root"])
    db["cases"].create_index(["hall", "created_at"])
    db["case_steps"].create(
        {"id": int, "case_id": int, "status": str, "at": float, "by": str},
        pk="id", not_null={"case_id", "status", "at"},
        foreign_keys=[("case_id", "cases", "id")])
    db["case_steps"].create_index(["case_id", "at"])


def m020_agents(db: sqlite_utils.Database) -> None:
    """代办: each ticket an agent took for someone else, with the keyed hash of the agent's ID
    (domain/agents.py counts them per agent and day; the purge clears the hash)."""
    db.execute("CREATE TABLE agent_tickets (ticket INTEGER PRIMARY KEY REFERENCES tickets(id),"
               " hall TEXT NOT NULL, day TEXT NOT NULL, agent_hash TEXT)")
    db.execute("CREATE INDEX idx_agent_tickets_agent_day ON agent_tickets (agent_hash, day)")


MIGRATIONS = [m001_initial, m002_ticket_root, m003_appointments, m004_first_called_at,
              m005_materials_en, m006_user_hall, m007_forecast_version, m008_audit_chain,
              m009_purgeable_appointments, m010_holds_outcomes, m011_supervision,
              m013_forecast_delta, m014_dispatch_profile, m015_postpone_rejoin,
              m016_notices_appointments, m017_devices, m018_guidance_cases, m020_agents]
