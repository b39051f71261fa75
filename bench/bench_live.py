"""Call → screen latency with many connected Socket.IO clients, and the server's peak memory.

    .venv/bin/python bench/bench_live.py [--clients 50,200,500] [--calls 20]
                                         [--worker readme|gthread [--threads 1000]]

Starts the README's production command exactly (gevent; or, for comparison, the gthread
command it replaced, whose --threads must exceed the clients) on a fresh demo database,
connects N real Socket.IO clients (Node's socket.io-client from node_modules, websocket
transport, subscribed to the hall as the hall screen is, batched: bench/live_clients.js), then
a clerk calls --calls tickets one after another (plus one uncounted warm-up call). Latency is
from just before the call-next request is sent to the moment each client receives its
``ticket.called``: every (client, call) pair counts. Peak memory is the server worker's VmHWM.
The clients share the machine's two cores with the server.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.helpers import LOAD_ENV, gunicorn_server, login, seed_demo_db  # noqa: E402


def vm_hwm_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def worker_pid(master: int) -> int:
    kids = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return int(kids[0]) if kids else master


def run_level(base: str, n: int, calls: int, phones: int, folder: Path) -> list[float]:
    citizen = requests.Session()
    for _ in range(calls + 1):  # the phones follow the tickets behind the ones called
        r = citizen.post(f"{base}/api/v1/halls/demo/tickets", json={"service": "hukou"},
                         timeout=30)
        r.raise_for_status()
    tokens = [citizen.post(f"{base}/api/v1/halls/demo/tickets", json={"service": "hukou"},
                           timeout=30).json()["token"] for _ in range(phones)]
    token_file = folder / f"tokens-{n}.json"
    token_file.write_text(json.dumps(tokens))
    node = subprocess.Popen(["node", str(ROOT / "bench" / "live_clients.js"), base, str(n),
                             str(calls), str(token_file)], stdout=subprocess.PIPE, text=True,
                            cwd=ROOT)
    if node.stdout.readline().strip() != "ready":
        raise RuntimeError("the Node clients did not connect")
    n -= phones
    clerk = requests.Session()
    login(clerk, base, "clerk01")
    clerk.post(f"{base}/api/v1/windows/W13/open", timeout=30)
    # One call first, not counted: the first plan of a process pays for loading OR-Tools.
    clerk.post(f"{base}/api/v1/windows/W13/call-next", timeout=30)
    clerk.post(f"{base}/api/v1/windows/W13/finish", timeout=30)
    sent = {}
    for _ in range(calls):
        t = time.time() * 1000
        number = clerk.post(f"{base}/api/v1/windows/W13/call-next",
                            timeout=30).json()["ticket"]["number"]
        sent[number] = t
        time.sleep(0.2)  # calls come seconds apart in a hall; let each one settle
        clerk.post(f"{base}/api/v1/windows/W13/finish", timeout=30)
    clerk.post(f"{base}/api/v1/windows/W13/close", timeout=30)
    got = json.loads(node.stdout.readline())
    for token in tokens:  # the next level starts from the same queue
        citizen.delete(f"{base}/api/v1/tickets/{token}", timeout=30)
    got = {k: v for k, v in got.items() if k in sent}
    node.wait(60)
    latencies = []
    for number, t0 in sent.items():
        times = got.get(number, [])
        if len(times) < n:
            raise RuntimeError(f"only {len(times)} of {n} clients got {number}")
        latencies.extend((t - t0) / 1000 for t in times)
    return latencies


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100 * len(values)))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", default="50,200,500")
    ap.add_argument("--calls", type=int, default=30)
    ap.add_argument("--threads", type=int, default=1000)
    ap.add_argument("--phones", type=float, default=0,
                    help="share of the clients that are phones following a waiting ticket "
                         "(the rest are hall screens, which alone are timed)")
    ap.add_argument("--worker", choices=["readme", "gthread"], default="readme",
                    help="readme: the README's production command exactly (gevent); gthread:"
                         " the thread-per-connection command it replaced, for comparison")
    ap.add_argument("--compression", action="store_true",
                    help="accept permessage-deflate (HALLQ_WS_COMPRESSION=1) to measure it")
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="hallq-live-"))
    db = seed_demo_db(folder / "live.db")
    env = {**LOAD_ENV, "HALLQ_WS_COMPRESSION": "1" if args.compression else "0"}
    server = gunicorn_server(db, env, args.worker, args.threads).start()
    summary = {}
    try:
        pid = worker_pid(server.proc.pid)
        print("| clients | p50 ms | p95 ms | p99 ms | server peak RSS MB |")
        print("|---|---|---|---|---|")
        for n in [int(x) for x in args.clients.split(",")]:
            lat = run_level(server.url, n, args.calls, int(n * args.phones), folder)
            row = {"p50_ms": pct(lat, 50) * 1e3, "p95_ms": pct(lat, 95) * 1e3,
                   "p99_ms": pct(lat, 99) * 1e3, "peak_rss_mb": vm_hwm_mb(pid),
                   "mean_ms": statistics.mean(lat) * 1e3}
            summary[n] = row
            print(f"| {n} | {row['p50_ms']:.1f} | {row['p95_ms']:.1f} | {row['p99_ms']:.1f} |"
                  f" {row['peak_rss_mb']:.0f} |", flush=True)
    finally:
        server.kill()
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
