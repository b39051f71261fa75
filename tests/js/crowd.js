// A crowd of real Socket.IO clients for tests/test_production_crowd.py.
// usage: node tests/js/crowd.js URL N
//   Connects N clients (websocket transport) subscribed to the demo hall, prints "ready" once
//   every one has its snapshot, then "heard NUMBER" each time all N have received the
//   ticket.called of NUMBER. Any connect error prints "error MESSAGE". Exits on stdin's end.
"use strict";
const { io } = require("socket.io-client");
const [url, n] = [process.argv[2], +process.argv[3]];
const heard = {}; // number -> clients that received its call
let ready = 0;
const sockets = [];
for (let i = 0; i < n; i++) {
  const s = io(url, { transports: ["websocket"], reconnection: false, forceNew: true });
  s.on("connect_error", (e) => console.log(`error ${e.message}`));
  s.on("ticket.called", (d) => {
    heard[d.number] = (heard[d.number] || 0) + 1;
    if (heard[d.number] === n) console.log(`heard ${d.number}`);
  });
  s.on("connect", () => s.emit("subscribe", { hall: "demo" }, (ack) => {
    if (ack && ack.ok && ++ready === n) console.log("ready");
  }));
  sockets.push(s);
}
process.stdin.resume();
process.stdin.on("end", () => { sockets.forEach((s) => s.close()); process.exit(0); });
