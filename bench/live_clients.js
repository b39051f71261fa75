// N real Socket.IO clients for bench/bench_live.py: Node holds hundreds of connections without
// the client side's own cost swamping the server's (Python threads would).
// usage: node bench/live_clients.js URL N CALLS  -> prints "ready", then one JSON line.
"use strict";
const { io } = require("socket.io-client");
const [url, n, calls] = [process.argv[2], +process.argv[3], +process.argv[4]];
const now = () => performance.timeOrigin + performance.now(); // epoch ms, sub-ms resolution
const got = {}; // number -> [epoch ms per client]
let ready = 0;
let done = 0;
const sockets = [];
for (let i = 0; i < n; i++) {
  const s = io(url, { transports: ["websocket"], reconnection: false, forceNew: true });
  s.on("ticket.called", (d) => {
    (got[d.number] = got[d.number] || []).push(now());
    if (got[d.number].length === n && ++done === calls + 1) finish(); // + the warm-up call
  });
  s.on("connect", () => s.emit("subscribe", { hall: "demo" }, () => {
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
