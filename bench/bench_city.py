"""A city on one machine: many halls on the README's production command, thousands of clients.

    .venv/bin/python bench/bench_city.py [--halls 50] [--clients 10000] [--screens 2]
                                         [--servers 1] [--node-procs 4] [--calls 5]
                                         [--gap S] [--max-live N] [--worker-connections N]

Seeds --halls halls (h01, h02, …) into a fresh database through the app's own code, as the
CLI and the settings pages do (halls.create, admin.save, windows.set_skills,
auth.create_user): four categories and services, four windows with skills, one clerk.
Starts --servers processes of the README's production command exactly (HALLQ_MAX_LIVE_PER_ADDRESS=0:
every client comes from 127.0.0.1; with more than one, HALLQ_MESSAGE_QUEUE on a redis-server this
script starts on 127.0.0.1, and no proxy: each client connects to one process, round robin).
--max-live sets HALLQ_MAX_LIVE (default 3000 per process) and --worker-connections replaces the
README's 4000, to see what one process holds past them.

Each hall gets --clients / --halls live clients over --node-procs Node processes
(bench/hall_clients.js): --screens batched hall screens, the rest phones following that hall's
waiting tickets, issued beforehand. Then every hall's clerk (a Python thread) opens a window
and makes --calls calls (call-next, --pause s, finish, --gap s) on its hall's process (the hall's
writers on one process, docs/configuration.md). Measured: call -> hall screen and call -> phone,
every HTTP request (stalls: failed or over 30 s), connections held per process, and the
workers' peak RSS (VmHWM) per 1,000 clients, and the clients' own share: the workers' RSS with
the clients connected minus before them, per 1,000.
"""
from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from queue_server import registry

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from bench_hall import (  # noqa: E402
    ENV,
    STALL_S,
    Http,
    clerk,
    collect,
    latency,
    run_clients,
    table,
    vm_kb,
    worker_pid,
)

from tests.helpers import PASSWORD, free_port, gunicorn_server, login  # noqa: E402

# category and service of every hall: key, name, ticket prefix, mean service s
SERVICES = [("hukou", "户籍证明", "F", 300), ("social", "社保参保", "C", 360),
            ("tax", "发票申领", "B", 420), ("fund", "公积金提取", "D", 420)]
WINDOWS = 4


def seed_city(db: Path, halls: list[str]) -> None:
    """Each hall as its manager would set it up in the console, through the same functions."""
    from werkzeug.security import generate_password_hash

    from queue_server import auth, create_app
    from queue_server.api import bodies
    from queue_server.domain import halls as hall_admin
    from queue_server.domain import window_state as win
    from queue_server.manager import admin

    app = create_app({"DB": str(db), "MESSAGE_QUEUE": None})
    hashed = generate_password_hash(PASSWORD)  # one hash for every clerk, as demo.seed does

    def checked(kind: str, fields: dict) -> dict:
        """The fields as the API's body check leaves them."""
        model = {"windows": bodies.WindowNew, "categories": bodies.CategoryNew,
                 "services": bodies.ServiceNew}[kind]
        data = model.model_validate({"id": "x", **fields}).given()
        data.pop("id")
        return data

    def add(tx, h: str) -> None:
        hall_admin.create(tx, h, f"测试{h[1:]}")
        for key, name, prefix, mean in SERVICES:
            for kind, fields in (("categories", {"name": name, "prefix": prefix}),
                                 ("services", {"category": f"{h}-{key}", "name": name,
                                               "mean_service_s": mean})):
                admin.save(tx, kind, h, f"{h}-{key}", checked(kind, fields), True)
        for i in range(1, WINDOWS + 1):
            wid = f"{h}-W{i:02d}"
            admin.save(tx, "windows", h, wid, checked("windows", {"name": f"{i}号窗口"}), True)
            win.set_skills(tx, win.get(tx, wid),
                           {f"{h}-{key}": 1.0 if j == (i - 1) % len(SERVICES) else 0.5
                            for j, (key, *_) in enumerate(SERVICES)})
        auth.create_user(tx, f"clerk_{h}", "clerk", PASSWORD, password_hash=hashed, hall=h)

    for h in halls:
        registry.db(app).write("system", lambda tx, h=h: add(tx, h))


def start_redis() -> tuple[subprocess.Popen, str]:
    import redis

    port = free_port()
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                             "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL)
    for _ in range(100):
        try:
            redis.Redis(port=port).ping()
            return proc, f"redis://127.0.0.1:{port}/0"
        except redis.ConnectionError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("redis-server did not come up")


def start_server(db: Path, env: dict, worker_connections: int | None):
    """The README's production command (its worker connections changed if asked)."""
    server = gunicorn_server(db, env)
    if worker_connections:
        i = server.cmd.index("--worker-connections")
        server.cmd[i + 1] = str(worker_connections)
    return server.start()


def warm_up(servers: list, halls: list[str]) -> None:
    """One uncounted call on each process: its first plan pays for loading OR-Tools."""
    for k, server in enumerate(servers):
        h = halls[k % len(halls)]
        s = requests.Session()
        s.post(f"{server.url}/api/v1/halls/{h}/tickets", json={"service": f"{h}-hukou"},
               timeout=STALL_S).raise_for_status()
        login(s, server.url, f"clerk_{h}")
        for action in ("open", "call-next", "finish", "close"):
            s.post(f"{server.url}/api/v1/windows/{h}-W01/{action}", timeout=STALL_S)


def issue_all(home: dict[str, str], halls: list[str], phones: int) -> list[tuple[str, str, str]]:
    """``phones`` tickets in each hall, from its own process: (hall, number, token)."""
    def issue(job: tuple[str, int]) -> tuple[str, str, str]:
        h, i = job
        r = requests.post(f"{home[h]}/api/v1/halls/{h}/tickets",
                          json={"service": f"{h}-{SERVICES[i % len(SERVICES)][0]}"},
                          timeout=STALL_S)
        r.raise_for_status()
        return h, r.json()["ticket"]["number"], r.json()["token"]

    t0 = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        tickets = list(pool.map(issue, [(h, i) for h in halls for i in range(phones)]))
    print(f"issued {len(tickets)} tickets in {time.monotonic() - t0:.1f} s", flush=True)
    return tickets


def report(args, halls: list[str], spec: list[dict], outs: list[dict], tickets: list,
           results: dict, http, servers: list, rss_kb: tuple[int, int, int]) -> None:
    """The latency table and the JSON summary."""
    before_kb, with_kb, peak_kb = rss_kb
    lost, rec = set(), {"screen": {}, "phone": {}}
    for k, out in enumerate(outs):  # node k had spec[k::node_procs]
        lost |= {k + i * args.node_procs for i in out["failed"] + out["dropped"]}
        for kind, by_number in out["receipts"].items():
            what, h = kind.split("/")
            for number, times in by_number.items():
                rec[what].setdefault((h, number), []).extend(times)
    ok = [c for j, c in enumerate(spec) if j not in lost]
    screens = {h: sum(c["kind"] == f"screen/{h}" for c in ok) for h in halls}
    phones_ok = {c["sub"].get("ticket") for c in ok}
    token_of = {(h, n): token for h, n, token in tickets}
    sent = {(h, n): t for h, (called, _) in results.items() for n, t in called}
    rows = {"call → hall screen": latency(sent, rec["screen"],
                                          {key: screens[key[0]] for key in sent}),
            "call → phone": latency(sent, rec["phone"],
                                    {key: int(token_of.get(key) in phones_ok) for key in sent}),
            **{f"HTTP {name}": row for name, row in http.summary().items()}}
    table(rows)
    held = {s.url: sum(c["url"] == s.url for c in ok) for s in servers}
    n_ok = len(ok)
    summary = {"rows": rows, "stalls": http.stalls, "halls": len(halls), "clients": len(spec),
               "connected": n_ok, "failed_or_dropped": len(lost),
               "held_per_process": list(held.values()), "calls": len(sent),
               "peak_rss_mb": round(peak_kb / 1024, 1),
               "rss_mb_per_1000": round(peak_kb / 1024 / n_ok * 1000, 1) if n_ok else None,
               "rss_of_clients_mb_per_1000":  # RSS with the clients - before them
                   round((with_kb - before_kb) / 1024 / n_ok * 1000, 1) if n_ok else None}
    print(f"\n{len(halls)} halls, {len(spec)} clients: {n_ok} connected (per process"
          f" {summary['held_per_process']}), {len(lost)} refused or dropped; {len(sent)} calls;"
          f" stalls {http.stalls}; workers' peak RSS {summary['peak_rss_mb']:.0f} MB ="
          f" {summary['rss_mb_per_1000']} MB per 1,000 clients"
          f" (the clients' own: {summary['rss_of_clients_mb_per_1000']}, RSS with them"
          f" minus before them)")
    print(json.dumps(summary, ensure_ascii=False))



def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--halls", type=int, default=50)
    ap.add_argument("--clients", type=int, default=10000, help="in all, spread over the halls")
    ap.add_argument("--screens", type=int, default=2, help="hall screens per hall")
    ap.add_argument("--servers", type=int, default=1)
    ap.add_argument("--node-procs", type=int, default=4)
    ap.add_argument("--calls", type=int, default=5, help="calls per hall")
    ap.add_argument("--pause", type=float, default=0.5, help="s between call and finish")
    ap.add_argument("--gap", type=float, default=0.0,
                    help="s a clerk waits after a finish before the next call (0: at once, a"
                    " stress far past any city's pace); with a gap each clerk's first call"
                    " comes at a random point of the first gap (seeded), as a city's do")
    ap.add_argument("--max-live", type=int, help="HALLQ_MAX_LIVE (default 3000 per process)")
    ap.add_argument("--worker-connections", type=int, help="instead of the README's 4000")
    args = ap.parse_args()
    halls = [f"h{i:02d}" for i in range(1, args.halls + 1)]
    phones = args.clients // args.halls - args.screens
    folder = Path(tempfile.mkdtemp(prefix="hallq-city-"))
    db = folder / "city.db"
    t0 = time.monotonic()
    seed_city(db, halls)
    print(f"seeded {len(halls)} halls in {time.monotonic() - t0:.1f} s", flush=True)

    env = dict(ENV)
    if args.max_live is not None:
        env["HALLQ_MAX_LIVE"] = str(args.max_live)
    redis_proc = None
    if args.servers > 1:
        redis_proc, env["HALLQ_MESSAGE_QUEUE"] = start_redis()
    servers = []
    try:
        for _ in range(args.servers):
            servers.append(start_server(db, env, args.worker_connections))
        pids = [worker_pid(s.proc.pid) for s in servers]
        home = {h: servers[k % len(servers)].url for k, h in enumerate(halls)}  # its writers
        warm_up(servers, halls)
        tickets = issue_all(home, halls, phones)
        spec = [{"kind": f"screen/{h}", "sub": {"hall": h, "batch": True}}
                for h in halls for _ in range(args.screens)]
        spec += [{"kind": f"phone/{h}", "sub": {"ticket": token, "positions": True}}
                 for h, _, token in tickets]
        for j, c in enumerate(spec):
            c["url"] = servers[j % len(servers)].url
        before_kb = sum(vm_kb(p, "VmRSS") for p in pids)
        t0 = time.monotonic()
        nodes = run_clients([spec[k::args.node_procs] for k in range(args.node_procs)],
                            folder, 1800)
        print(f"{len(spec)} clients settled in {time.monotonic() - t0:.1f} s", flush=True)
        time.sleep(2)  # their snapshots sent
        with_kb = sum(vm_kb(p, "VmRSS") for p in pids)

        http = Http()
        start = threading.Barrier(len(halls) + 1, timeout=300)
        results: dict[str, tuple] = {}

        rng = random.Random(7)
        offsets = {h: rng.uniform(0, args.gap + args.pause) if args.gap else 0.0
                   for h in halls}

        def run_clerk(h: str) -> None:
            results[h] = clerk(home[h], f"clerk_{h}", f"{h}-W01", args.calls, args.pause,
                               http, start, args.gap, offsets[h])

        clerks = [threading.Thread(target=run_clerk, args=(h,)) for h in halls]
        for t in clerks:
            t.start()
        start.wait()
        for t in clerks:
            t.join()
        time.sleep(3)  # the last calls' events
        outs = collect(nodes)
        peak_kb = sum(vm_kb(p) for p in pids)
    finally:
        for server in servers:
            server.kill()
        if redis_proc:
            redis_proc.kill()
            redis_proc.wait()

    report(args, halls, spec, outs, tickets, results, http, servers,
           (before_kb, with_kb, peak_kb))

if __name__ == "__main__":
    main()
