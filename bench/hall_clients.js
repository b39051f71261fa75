// Live clients of many kinds for bench/bench_hall.py and bench/bench_city.py: real Socket.IO
// clients (websocket transport), each subscribed as its page subscribes.
// usage: node bench/hall_clients.js SPEC.json [SECONDS]
//   SPEC: [{"url", "kind", "sub"}, ...]; sub is the subscribe body: {"hall", "batch": true} (a
//   hall screen: times the ticket.called events of its "batch" frames), {"window"} or
//   {"ticket", "positions": true} (a window screen or a phone: times plain ticket.called).
//   -> prints "ready" once every client has its ack and snapshot (or was refused), then, when
//   stdin ends (or after SECONDS, default 900), one JSON line and exits:
//   {"receipts": {kind: {number: [epoch ms, ...]}}, "failed": [spec index, ...],
//    "dropped": [spec index, ...]}   (failed: never subscribed; dropped: lost after "ready")
"use strict";
const fs = require("fs");
const { io } = require("socket.io-client");
const spec = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const seconds = +(process.argv[3] || 900);
const now = () => performance.timeOrigin + performance.now(); // epoch ms, sub-ms resolution
const receipts = {};
const failed = [];
const dropped = [];
const sockets = [];
const IN_FLIGHT = 200; // connections opened at once: a ramp, as a hall's screens and phones
let next = 0;
let settled = 0;
let finished = false;

function got(kind, number) {
  const byNumber = (receipts[kind] = receipts[kind] || {});
  (byNumber[number] = byNumber[number] || []).push(now());
}

function settle() {
  if (++settled === spec.length) console.log("ready");
  if (next < spec.length) open(next++);
}

function open(i) {
  const { url, kind, sub } = spec[i];
  const s = io(url, { transports: ["websocket"], reconnection: false, forceNew: true });
  sockets.push(s);
  let acked = false;
  let snapshot = false;
  let done = false;
  const fail = () => {
    if (done) return;
    done = true;
    failed.push(i);
    settle();
  };
  const check = () => {
    if (!done && acked && snapshot) {
      done = true;
      settle();
    }
  };
  if ("hall" in sub) {
    s.on("batch", (b) => {
      for (const e of b.events) if (e.name === "ticket.called") got(kind, e.data.number);
    });
  } else {
    s.on("ticket.called", (d) => got(kind, d.number));
  }
  s.on("snapshot", () => { snapshot = true; check(); });
  s.on("connect_error", fail);
  s.on("disconnect", () => {
    if (finished) return; // our own closing
    if (!done) fail();
    else if (!failed.includes(i)) dropped.push(i);
  });
  s.on("connect", () => s.emit("subscribe", sub, (ack) => {
    if (ack && ack.ok) { acked = true; check(); } else fail();
  }));
}

for (; next < Math.min(IN_FLIGHT, spec.length); next++) open(next);

function finish() {
  if (finished) return;
  finished = true;
  sockets.forEach((s) => s.close());
  // Exit only once the pipe has taken the whole line (a pipe write is asynchronous).
  process.stdout.write(JSON.stringify({ receipts, failed, dropped }) + "\n",
    () => process.exit(0));
}
process.stdin.on("end", finish);
process.stdin.resume();
setTimeout(finish, seconds * 1000);
