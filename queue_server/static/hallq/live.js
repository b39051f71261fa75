/* HallQ live events: subscribe, track seq, resubscribe on reconnect and on a seq gap, and show
   a "connection lost" mark while offline. Needs /vendor/socket.io.min.js.

   const live = HallQ.live({
     subs: [{hall: "demo"}],           // emitted as `subscribe` on every (re)connect
     contiguous: true,                 // hall room: every event has the next seq, so a gap = loss
     onSnapshot(data, sub) {...},
     on: {"ticket.called": fn, ...},   // fn(payload, {stale}) – stale: seq already in a snapshot
     resyncEveryMs: 300000,            // belt and braces for screens that run for days
     batch: true,                      // hall/zone subs: one `batch` frame per change (a call)
   });
*/
(function () {
  "use strict";
  const HallQ = (window.HallQ = window.HallQ || {});

  function offlineMark() {
    let el = document.getElementById("hallq-offline");
    if (!el) {
      el = document.createElement("div");
      el.id = "hallq-offline";
      el.className = "hallq-offline";
      el.setAttribute("role", "status");
      el.hidden = true;
      el.textContent = HallQ.i18n.t("offline");
      document.body.appendChild(el);
    }
    return el;
  }

  function live(opts) {
    const socket = io({ transports: ["websocket", "polling"], reconnectionDelayMax: 5000 });
    const mark = offlineMark();
    const state = { seq: null, pending: 0, online: false, snapshots: 0 };
    let offlineTimer = null;

    function subscribeAll() {
      state.pending = opts.subs.length;
      for (const sub of opts.subs) {
        const msg = opts.batch && "hall" in sub ? { ...sub, batch: true } : sub;
        socket.emit("subscribe", msg, (ack) => {
          if (ack && ack.error && opts.onError) opts.onError(ack.error, sub);
        });
      }
    }

    function setOnline(on) {
      state.online = on;
      document.body.classList.toggle("is-offline", !on);
      clearTimeout(offlineTimer);
      // A blip shorter than a second is not worth alarming anyone.
      if (on) mark.hidden = true;
      else offlineTimer = setTimeout(() => (mark.hidden = state.online), 1000);
      if (opts.onStatus) opts.onStatus(on);
    }

    socket.on("connect", () => {
      setOnline(true);
      subscribeAll();
    });
    socket.on("disconnect", () => setOnline(false));
    socket.on("connect_error", () => setOnline(false));

    socket.on("snapshot", (data) => {
      state.pending = Math.max(0, state.pending - 1);
      if (data && typeof data.seq === "number") state.seq = data.seq;
      state.snapshots += 1;
      if (opts.onSnapshot) opts.onSnapshot(data, state.snapshots);
    });

    function handle(fn, payload) {
      const seq = payload && payload.seq;
      let stale = false;
      if (opts.contiguous && typeof seq === "number" && state.seq !== null) {
        if (seq <= state.seq) stale = true; // already part of the last snapshot
        else if (seq > state.seq + 1 && !state.pending) {
          state.seq = seq; // a gap: events were lost; a fresh snapshot resyncs everything
          subscribeAll();
        } else state.seq = seq;
      }
      fn(payload, { stale });
    }

    const handlers = opts.on || {};
    for (const [name, fn] of Object.entries(handlers)) socket.on(name, (p) => handle(fn, p));
    // a batch holds one change's events for a hall or zone room, in seq order
    // (an event this page has no handler for still takes its seq: no false gap, no resync)
    const ignore = () => {};
    socket.on("batch", (b) => {
      for (const e of (b && b.events) || []) handle(handlers[e.name] || ignore, e.data);
    });

    if (opts.resyncEveryMs) setInterval(() => socket.connected && subscribeAll(), opts.resyncEveryMs);
    setOnline(false);
    mark.hidden = true;
    return { socket, state, resync: subscribeAll };
  }

  HallQ.live = live;
})();
