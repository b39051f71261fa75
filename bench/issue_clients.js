// Closed-loop ticket issuing for bench/bench_issue.py: Node's keep-alive HTTP costs the shared
// cores far less than Python's requests, so more of them is left to the server measured.
// usage: node bench/issue_clients.js URL CLIENTS SECONDS SERVICES(comma list)
//   -> one JSON line {"issued": n, "seconds": s, "latencies_ms": [...], "errors": n}
// Each client issues a ticket (timed) and cancels it (not timed), so the queue keeps its size.
"use strict";
const http = require("http");
const [url, clients, seconds, services] = [new URL(process.argv[2]), +process.argv[3],
  +process.argv[4], process.argv[5].split(",")];
const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
const lat = [];
let errors = 0;

function request(method, path, body) {
  return new Promise((resolve) => {
    const data = body ? JSON.stringify(body) : "";
    const req = http.request({ host: url.hostname, port: url.port, method, path, agent,
      headers: { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(data) },
      timeout: 30000 }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode, text }));
    });
    req.on("error", () => resolve({ status: 0, text: "" }));
    req.on("timeout", () => req.destroy());
    req.end(data);
  });
}

async function client(k, stop) {
  for (let i = 0; performance.now() < stop; i++) {
    const t0 = performance.now();
    const r = await request("POST", "/api/v1/halls/demo/tickets",
      { service: services[(k + i) % services.length] });
    if (r.status !== 201) { errors++; continue; }
    lat.push(performance.now() - t0);
    await request("DELETE", `/api/v1/tickets/${JSON.parse(r.text).token}`);
  }
}

(async () => {
  const t0 = performance.now();
  const stop = t0 + seconds * 1000;
  await Promise.all(Array.from({ length: clients }, (_, k) => client(k, stop)));
  const took = (performance.now() - t0) / 1000;
  process.stdout.write(JSON.stringify({ issued: lat.length, seconds: took, latencies_ms: lat,
    errors }) + "\n", () => process.exit(0));
})();
