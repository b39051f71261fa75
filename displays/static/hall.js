/* The hall screen: newest call large, recent calls, waiting per category, clock, notices, voice.
   Unattended for days: live.js reconnects and resyncs; calls made while offline are announced
   when the snapshot brings them (if recent), and no call is ever announced twice. */
(function () {
  "use strict";
  const { t, pick, apply, lang } = HallQ.i18n;
  const root = document.getElementById("hall-screen");
  const hall = root.dataset.hall;
  const zone = new URLSearchParams(location.search).get("zone") || "";
  const RECENT = 6;
  const RESYNC_ANNOUNCE_MS = 3 * 60 * 1000; // a call missed while offline is still worth saying
  const $ = (id) => document.getElementById(id);
  const state = { calls: [], categories: [], services: [], waiting: {}, notices: [], seen: new Set() };

  const keyOf = (c) => `${c.ticket}:${c.recall}`;
  const inZone = (c) => !zone || c.zone === zone;
  const el = (tag, cls, text) => Object.assign(document.createElement(tag), { className: cls || "", textContent: text ?? "" });

  function renderCalls(flash) {
    const [now, ...rest] = state.calls;
    // Before any call: a welcome and the hall's name, not "please go to" nowhere.
    $("now").classList.toggle("idle", !now);
    $("now-number").textContent = now ? now.number : "";
    const name = now ? pick(now.window) : "";
    $("now-window").textContent = name;
    $("now-window").classList.toggle("long", name.length > 8 && name.length <= 16);
    $("now-window").classList.toggle("longer", name.length > 16);
    $("now-service").textContent = now ? pick(now, "service_name") : "";
    if (flash) {
      $("now").classList.remove("flash");
      void $("now").offsetWidth; // restart the animation
      $("now").classList.add("flash");
    }
    $("recent").replaceChildren(...rest.slice(0, RECENT).map((c) => {
      const li = el("li", c.recall ? "recall" : "");
      li.dataset.number = c.number;
      li.append(el("span", "r-number num", c.number), el("span", "r-window", pick(c.window)),
        el("span", "r-service", pick(c, "service_name")));
      return li;
    }));
  }

  function renderWaiting() {
    const box = $("waiting");
    box.replaceChildren(...state.categories.map((cat) => {
      const n = state.services.filter((s) => s.category === cat.id)
        .reduce((sum, s) => sum + (state.waiting[s.id] || 0), 0);
      const d = el("div", "w-cell" + (n ? "" : " zero"));
      d.dataset.category = cat.id;
      d.append(el("span", "w-prefix", cat.prefix), el("span", "w-name", pick(cat)),
        el("span", "w-count num", String(n)), el("span", "w-unit", t("people")));
      return d;
    }));
  }

  function renderNotices() {
    const track = $("notices");
    const text = state.notices.join(t("notice_sep"));
    track.textContent = text;
    track.style.animationDuration = Math.max(20, text.length * 0.45) + "s";
    track.hidden = !text;
  }

  function seeCall(c, announceIt) {
    if (!inZone(c)) return;
    const key = keyOf(c);
    if (state.seen.has(key)) return;
    state.seen.add(key);
    // Newest first: a recall moves the ticket back to the top.
    state.calls = [c, ...state.calls.filter((x) => x.ticket !== c.ticket)].slice(0, RECENT + 1);
    renderCalls(true);
    if (announceIt) HallQ.announcer.announce(c);
  }

  function onSnapshot(d, n) {
    state.categories = d.categories || [];
    state.services = d.services || [];
    state.waiting = d.waiting || {};
    state.notices = d.notices || [];
    const calls = (d.calls || []).filter(inZone);
    if (n === 1) {
      calls.forEach((c) => state.seen.add(keyOf(c)));
      state.calls = dedupe(calls);
      renderCalls(false);
    } else {
      // A resync: say the calls that happened while this screen was not listening.
      const fresh = calls.filter((c) => !state.seen.has(keyOf(c))).reverse();
      const cutoff = Date.now() - RESYNC_ANNOUNCE_MS;
      state.calls = dedupe([...calls, ...state.calls]);
      fresh.forEach((c) => {
        state.seen.add(keyOf(c));
        if (Date.parse(c.called_at) >= cutoff) HallQ.announcer.announce(c);
      });
      renderCalls(fresh.length > 0);
    }
    const hn = $("hall-name");
    hn.textContent = (lang === "en" && d.name_en) || d.name || hn.textContent;
    $("idle-hall").textContent = hn.textContent;
    renderWaiting();
    renderNotices();
  }

  function dedupe(calls) {
    const seen = new Set();
    return calls.filter((c) => !seen.has(c.ticket) && seen.add(c.ticket)).slice(0, RECENT + 1);
  }

  function tick() {
    const w = HallQ.i18n.wall($("screen-clock").dataset.tz); // the hall's time zone
    $("clock-time").textContent = `${w.h}:${w.mi}:${w.s}`;
    const wk = t("weekdays").split(" ")[w.wd];
    $("clock-date").textContent = `${w.y}-${w.mo}-${w.d} ${wk}`;
  }

  function soundCheck() {
    const c = HallQ.announcer.audioContext();
    $("sound-hint").hidden = !c || c.state === "running";
  }
  document.addEventListener("click", () => { HallQ.announcer.audioContext(); setTimeout(soundCheck, 200); });

  if (zone) { $("zone-label").textContent = t("zone", { z: zone }); $("zone-label").hidden = false; }
  apply();
  tick();
  setInterval(tick, 1000);
  setTimeout(soundCheck, 1500);
  window.__hallq = { state, live: HallQ.live({
    subs: [{ hall }], // the whole hall room: every event carries the next seq, so gaps show
    contiguous: true,
    batch: true, // a call is one frame (its ticket.called, window.updated, queue.updated)
    resyncEveryMs: 5 * 60 * 1000,
    onSnapshot,
    on: {
      "ticket.called": (c) => seeCall(c, true),
      "queue.updated": (d, { stale }) => { if (!stale) { state.waiting = d.waiting || {}; renderWaiting(); } },
      "window.updated": () => {},
      "hall.updated": (d, { stale }) => {
        if (stale) return;
        state.notices = d.notices || [];
        const hn = $("hall-name");
        hn.textContent = (lang === "en" && d.name_en) || d.name || hn.textContent;
        $("idle-hall").textContent = hn.textContent;
        renderNotices();
        // hall.updated also follows a renamed category or service, and carries neither:
        // a fresh snapshot brings the new names.
        window.__hallq.live.resync();
      },
    },
  }) };
})();
