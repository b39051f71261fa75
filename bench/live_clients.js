// N real Socket.IO clients for bench/bench_live.py: Node holds hundreds of connections without
// the client side's own cost swamping the server's (Python threads would).
// usage: node bench/live_clients.js URL N CALLS [TOKENS.json]
//   -> prints "ready", then one JSON line. With TOKENS, that many of the N clients are phones
//   following those tickets ({"ticket": token}); the others are hall screens, which alone are
//   timed.
"use strict";
const fs = require("fs");
const { io } = require("socket.io-client");
const [url, n, calls] = [process.argv[2], +process.argv[3], +process.argv[4]];
const tokens = process.argv[5] ? JSON.parse(fs.readFileSync(process.argv[5], "utf8")) : [];
const screens = n - tokens.length;
const now = () => performance.timeOrigin + performance.now(); // epoch ms, sub-ms resolution
const got = {}; // number -> [epoch ms per client]
let ready = 0;
let done = 0;
const sockets = [];
for (let i = 0; i < n; i++) {
  const s = io(url, { transports: ["websocket"], reconnection: false, forceNew: true });
  // screens subscribe as the hall screen does (displays/static/hall.js): batched, one frame
  // per call holding its ticket.called
  const sub = i < screens ? { hall: "demo", batch: true } : { ticket: tokens[i - screens] };
  if (i < screens) {
    s.on("batch", (b) => {
      for (const e of b.events) {
        if (e.name !== "ticket.called") continue;
        const d = e.data;
        (got[d.number] = got[d.number] || []).push(now());
        if (got[d.number].length === screens && ++done === calls + 1) finish(); // + warm-up
      }
    });
  }
  s.on("connect", () => s.emit("subscribe", sub, () => {
    if (++ready === n) console.log("ready");
  }));
  sockets.push(s);
}
function finish(code = 0) {
  sockets.forEach((s) => s.close());
  // Exit only once the pipe has taken the whole line (a pipe write is asynchronous).
  process.stdout.write(JSON.stringify(got) + "\n", () => process.exit(code));
}
setTimeout(() => finish(1), 300000);
