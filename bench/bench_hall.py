"""The busy hall: one hall at its peak on one process of the README's production command.

    .venv/bin/python bench/bench_hall.py [--phones 600] [--screens 20] [--windows 6]
                                         [--calls 15] [--pause 0.5] [--rate 2]

Starts the README's production command exactly on a fresh demo database (with
HALLQ_MAX_LIVE_PER_ADDRESS=0: every client here comes from 127.0.0.1), issues --phones
tickets of the services windows W01.. serve, then connects through bench/hall_clients.js
(Node's socket.io-client, websocket transport) one phone following each of those tickets (as
the phone page subscribes: ticket and positions), --screens hall screens (batched, as
displays/static/hall.js) and one window screen per window used. Then at once: --windows
clerks (Python threads, a requests session each) open W01.. and make --calls calls each
(call-next, --pause s, finish), and a kiosk issues --rate tickets a second until they are done.

Measured: from just before each call-next request to each hall screen's, the window screen's
and (if it follows that ticket) the phone's receipt of its ticket.called; every HTTP request;
the requests that failed or took over 30 s (stalls); the worker's peak RSS (VmHWM). Clients,
clerks and kiosk share the machine's cores with the server.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.helpers import LOAD_ENV, gunicorn_server, login, seed_demo_db  # noqa: E402

SERVED = ["biz-setup", "biz-change", "tax-invoice", "social-ins", "medical"]  # W01..W06 skills
STALL_S = 30
ENV = {**LOAD_ENV, "HALLQ_MAX_LIVE_PER_ADDRESS": "0"}  # one client address: 127.0.0.1


def vm_kb(pid: int, field: str = "VmHWM") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def worker_pid(master: int) -> int:
    kids = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return int(kids[0]) if kids else master


class Http:
    """Times every request by name; one that fails or takes over STALL_S is a stall."""

    def __init__(self) -> None:
        self.ms: dict[str, list[float]] = defaultdict(list)
        self.stalls = 0
        self._lock = threading.Lock()

    def post(self, session: requests.Session, url: str, name: str, **kw) -> dict | None:
        t0 = time.perf_counter()
        try:
            r = session.post(url, timeout=2 * STALL_S, **kw)
            body = r.json() if r.ok else None
        except (requests.RequestException, ValueError):
            body = None
        took = time.perf_counter() - t0
        with self._lock:
            self.ms[name].append(took * 1000)
            self.stalls += body is None or took > STALL_S
        return body

    def summary(self) -> dict:
        return {name: stats(ms) for name, ms in sorted(self.ms.items())}


def clerk(base: str, username: str, window: str, calls: int, pause: float, http: Http,
          start: threading.Barrier, gap: float = 0.0, offset: float = 0.0
          ) -> tuple[list[tuple[str, float]], int]:
    """Open the window, then --calls times call-next / pause / finish (then ``gap`` s
    before the next call; the first after ``offset`` s); returns the (number, epoch ms just
    before its call-next) of each call and the empty calls."""
    s = requests.Session()
    login(s, base, username)
    s.post(f"{base}/api/v1/windows/{window}/open", timeout=STALL_S).raise_for_status()
    start.wait()
    time.sleep(offset)
    called, empty = [], 0
    for k in range(calls):
        if k:
            time.sleep(gap)
        t0 = time.time() * 1000
        body = http.post(s, f"{base}/api/v1/windows/{window}/call-next", "call-next")
        if body and body.get("ticket"):
            called.append((body["ticket"]["number"], t0))
            time.sleep(pause)
            http.post(s, f"{base}/api/v1/windows/{window}/finish", "finish")
        else:
            empty += 1
            time.sleep(pause)
    return called, empty


def run_clients(specs: list[list[dict]], folder: Path, seconds: int) -> list[subprocess.Popen]:
    """One Node process per spec list; returns once every one has printed "ready"."""
    nodes = []
    for k, spec in enumerate(specs):
        path = folder / f"clients-{k}.json"
        path.write_text(json.dumps(spec))
        nodes.append(subprocess.Popen(["node", str(ROOT / "bench" / "hall_clients.js"),
                                       str(path), str(seconds)], cwd=ROOT, text=True,
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE))
    for node in nodes:
        if node.stdout.readline().strip() != "ready":
            raise RuntimeError("the Node clients did not get ready")
    return nodes


def collect(nodes: list[subprocess.Popen]) -> list[dict]:
    """End the clients' stdin; each answers {"receipts", "failed", "dropped"}."""
    for node in nodes:
        node.stdin.close()
    out = [json.loads(node.stdout.readline()) for node in nodes]
    for node in nodes:
        node.wait(60)
    return out


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100 * len(values)))]


def stats(ms: list[float], missing: int | None = None) -> dict:
    row = {"n": len(ms), **{f"p{p}_ms": round(pct(ms, p), 1) if ms else None
                            for p in (50, 95, 99)}}
    return row if missing is None else {**row, "missing": missing}


def latency(sent: dict, got: dict, expected: dict) -> dict:
    """sent: key -> epoch ms of the call; got: key -> receipts; expected: key -> how many."""
    ms, missing = [], 0
    for key, t0 in sent.items():
        times = got.get(key, [])[:expected.get(key, 0)]
        missing += expected.get(key, 0) - len(times)
        ms.extend(t - t0 for t in times)
    return stats(ms, missing)


def table(rows: dict[str, dict]) -> None:
    print("| measure | n | p50 ms | p95 ms | p99 ms | missing |")
    print("|---|---|---|---|---|---|")
    for name, r in rows.items():
        print(f"| {name} | {r['n']} | {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} |"
              f" {r.get('missing', '')} |")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--phones", type=int, default=600)
    ap.add_argument("--screens", type=int, default=20)
    ap.add_argument("--windows", type=int, default=6, help="clerks at W01.. (at most 6)")
    ap.add_argument("--calls", type=int, default=15, help="calls per clerk")
    ap.add_argument("--pause", type=float, default=0.5, help="s between call and finish")
    ap.add_argument("--rate", type=float, default=2, help="kiosk tickets per second")
    args = ap.parse_args()
    windows = [f"W{i:02d}" for i in range(1, min(args.windows, 6) + 1)]
    folder = Path(tempfile.mkdtemp(prefix="hallq-hall-"))
    server = gunicorn_server(seed_demo_db(folder / "hall.db"), ENV).start()
    base, http = server.url, Http()
    issue = f"{base}/api/v1/halls/demo/tickets"
    try:
        pid = worker_pid(server.proc.pid)
        citizen, manager = requests.Session(), requests.Session()
        # One uncounted call first: the first plan of a process pays for loading OR-Tools.
        citizen.post(issue, json={"service": "hukou"}, timeout=STALL_S).raise_for_status()
        login(manager, base, "manager")
        for action in ("open", "call-next", "finish", "close"):
            manager.post(f"{base}/api/v1/windows/W13/{action}", timeout=STALL_S)
        followed = {}  # number -> its token
        for i in range(args.phones):
            r = citizen.post(issue, json={"service": SERVED[i % len(SERVED)]}, timeout=STALL_S)
            r.raise_for_status()
            followed[r.json()["ticket"]["number"]] = r.json()["token"]
        spec = ([{"url": base, "kind": "hall", "sub": {"hall": "demo", "batch": True}}]
                * args.screens
                + [{"url": base, "kind": "window", "sub": {"window": w}} for w in windows]
                + [{"url": base, "kind": "phone", "sub": {"ticket": t, "positions": True}}
                   for t in followed.values()])
        nodes = run_clients([spec], folder, 900)

        start, stop = threading.Barrier(len(windows) + 1, timeout=120), threading.Event()
        results: dict[str, tuple] = {}

        def run_clerk(w: str) -> None:
            results[w] = clerk(base, f"clerk{w[1:]}", w, args.calls, args.pause, http, start)

        def kiosk() -> None:
            s, t_next, k = requests.Session(), time.monotonic(), 0
            while not stop.is_set():
                http.post(s, issue, "issue", json={"service": SERVED[k % len(SERVED)]})
                t_next, k = t_next + 1 / args.rate, k + 1
                stop.wait(max(0.0, t_next - time.monotonic()))

        clerks = [threading.Thread(target=run_clerk, args=(w,)) for w in windows]
        for t in clerks:
            t.start()
        start.wait()
        kiosk_thread = threading.Thread(target=kiosk)
        kiosk_thread.start()
        for t in clerks:
            t.join()
        stop.set()
        kiosk_thread.join()
        time.sleep(3)  # the last calls' events
        (out,) = collect(nodes)
        peak_mb = vm_kb(pid) / 1024
    finally:
        server.kill()

    lost = set(out["failed"]) | set(out["dropped"])
    ok = [c for i, c in enumerate(spec) if i not in lost]
    screens = sum(c["kind"] == "hall" for c in ok)
    watched = {c["sub"].get("window") for c in ok if c["kind"] == "window"}
    phones = {c["sub"].get("ticket") for c in ok if c["kind"] == "phone"}
    sent, at = {}, {}
    for w, (called, _) in results.items():
        for number, t0 in called:
            sent[number], at[number] = t0, w
    rec = out["receipts"]
    rows = {
        "call → hall screen": latency(sent, rec.get("hall", {}), dict.fromkeys(sent, screens)),
        "call → window screen": latency(sent, rec.get("window", {}),
                                        {n: int(at[n] in watched) for n in sent}),
        "call → phone": latency(sent, rec.get("phone", {}),
                                {n: int(followed.get(n) in phones) for n in sent}),
        **{f"HTTP {name}": row for name, row in http.summary().items()},
    }
    table(rows)
    summary = {"rows": rows, "stalls": http.stalls, "peak_rss_mb": round(peak_mb, 1),
               "calls": len(sent), "empty_calls": sum(e for _, e in results.values()),
               "clients": len(spec), "failed": len(out["failed"]),
               "dropped": len(out["dropped"])}
    print(f"\nstalls (failed or > {STALL_S} s): {http.stalls}; worker peak RSS:"
          f" {peak_mb:.0f} MB; {len(sent)} calls; clients {len(spec)}, failed"
          f" {summary['failed']}, dropped {summary['dropped']}")
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
