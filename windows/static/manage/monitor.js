/* Live monitor: the /monitor state, refetched whenever a live event says the hall changed;
   超时预警 (alert.wait) pushed to the managers room are flagged at once. */
(function () {
  "use strict";
  const M = window.HallQ.manage;
  const { el, t } = M;
  let state = null;
  let fetchedAt = 0;
  let timer = null;
  const pushed = new Map(); // ticket id -> alert payload, until the next fetch confirms it

  async function load() {
    try {
      state = await M.api("GET", `/halls/${M.hall}/monitor`);
      fetchedAt = Date.now();
      for (const a of state.overdue) pushed.delete(a.ticket);
      render();
    } catch (e) {
      M.fail(e);
    }
  }

  function soon() {
    clearTimeout(timer);
    timer = setTimeout(load, 300); // a burst of events costs one fetch
  }

  const ago = (s) => (s === null || s === undefined ? null : s + Math.floor((Date.now() - fetchedAt) / 1000));

  function render() {
    if (!state) return;
    const d = state.today;
    for (const k of ["issued", "served", "waiting", "no_show", "cancelled"])
      document.getElementById("c-" + k).textContent = d[k];
    document.getElementById("c-mean_wait").textContent = M.dur(d.mean_wait_s);
    document.getElementById("c-p90_wait").textContent = M.dur(d.p90_wait_s);
    document.getElementById("c-rating").textContent =
      d.ratings.mean === null ? "—" : `${d.ratings.mean} (${d.ratings.count})`;
    renderOverdue();
    renderHints();
    renderHeld();
    document.getElementById("outcomes").replaceChildren(...(d.by_outcome || [])
      .filter((o) => o.served || o.outcome !== null).map((o) => el("li",
        { "data-outcome": o.outcome || "" },
        o.outcome === null ? t("outcome_none") : M.pick(o), " ",
        el("b", { class: "num", text: o.served }))));
    const sb = document.querySelector("#services-table tbody");
    sb.replaceChildren(...state.services.map((s) => el("tr",
      { class: s.over ? "over" : "", "data-service": s.service },
      el("td", { text: M.pick(s) + (s.active === false ? " " + t("retired") : "") }),
      el("td", { class: "num", text: s.waiting }),
      el("td", { class: "num", text: s.waiting ? M.dur(ago(s.longest_wait_s)) : "—" }),
      el("td", { class: "num", text: M.dur(s.limit_s) }),
      el("td", { class: "num", text: s.over || "" }))));
    const wb = document.querySelector("#windows-table tbody");
    wb.replaceChildren(...state.windows.map(windowRow));
    // a new hall: say what to do first instead of showing empty tables
    document.getElementById("setup-panel").hidden = state.windows.length > 0 && state.services.length > 0;
  }

  function windowRow(w) {
    const act = (what) => el("button", {
      class: "btn small " + (what === "close" ? "danger" : what === "pause" ? "secondary" : ""),
      text: t(what), "data-action": what,
      onclick: () => M.api("POST", `/windows/${w.id}/${what}`).then(load, M.fail),
    });
    const actions = [];
    if (w.status !== "open") actions.push(act("open"));
    if (w.status === "open") actions.push(act("pause"));
    if (w.status !== "closed") actions.push(act("close"));
    return el("tr", { "data-window": w.id, class: "st-" + w.status },
      el("td", { text: M.pick(w) }),
      el("td", {}, el("span", { class: "badge " + w.status, text: t("status." + w.status) })),
      el("td", { text: w.clerk ? w.clerk.display_name : "—" }),
      el("td", { class: "num", text: w.current ? w.current.number : "—" }),
      el("td", { class: "num timer", "data-since": w.current_for_s ?? "",
        text: w.current ? M.dur(ago(w.current_for_s)) : "—" }),
      el("td", {}, actions));
  }

  /** Every held ticket of the hall: kind, where, who, how long, when it returns. */
  function renderHeld() {
    const held = (state && state.held) || [];
    const names = new Map(state.windows.map((w) => [w.id, M.pick(w)]));
    const time = (iso) => (iso ? new Date(iso).toLocaleTimeString(M.lang === "en" ? "en-GB" : "zh-CN",
      { hour: "2-digit", minute: "2-digit" }) : "—");
    document.querySelector("#held-table tbody").replaceChildren(...held.map((h) => el("tr",
      { "data-ticket": h.id, "data-kind": h.hold_kind },
      el("td", { class: "num", text: h.number }),
      el("td", { text: t("kind_" + h.hold_kind) }),
      el("td", { text: M.pick(h, "service_name") }),
      el("td", { text: names.get(h.held_window) || h.held_window || "—" }),
      el("td", { text: h.held_by || "—" }),
      el("td", { class: "num timer", "data-since": h.held_for_s, text: M.dur(ago(h.held_for_s)) }),
      el("td", { class: "num", text: time(h.returns_at) }),
      el("td", { text: h.hold_reason || "" }))));
    document.getElementById("held-none").hidden = held.length > 0;
  }

  function renderOverdue() {
    const all = new Map();
    for (const a of state ? state.overdue : []) all.set(a.ticket, { ...a, at: fetchedAt });
    for (const [id, a] of pushed) if (!all.has(id)) all.set(id, a);
    const ul = document.getElementById("overdue-list");
    ul.replaceChildren(...[...all.values()].map((a) => el("li",
      { class: "overdue", "data-ticket": a.ticket, "data-number": a.number },
      el("b", { class: "num", text: a.number }), " ", M.pick(a, "service_name"), " · ",
      t("waited"), " ", el("span", { class: "num",
        text: M.dur(a.waited_s + Math.floor((Date.now() - a.at) / 1000)) }),
      " / ", t("limit"), " ", M.dur(a.limit_s))));
    document.getElementById("overdue-none").hidden = all.size > 0;
  }

  function renderHints() {
    const hints = (state && state.hints) || [];
    document.getElementById("hints-panel").hidden = hints.length === 0;
    document.getElementById("hints").replaceChildren(...hints.map((h) =>
      el("li", { class: "hint", text: M.lang === "en" ? h.text_en : h.text })));
  }

  setInterval(() => {
    // Timers tick locally between fetches.
    if (!state) return;
    document.querySelectorAll("#windows-table .timer, #held-table .timer").forEach((td) => {
      if (td.dataset.since !== "") td.textContent = M.dur(ago(Number(td.dataset.since)));
    });
    renderOverdue();
  }, 1000);
  setInterval(load, 30000);

  const refresh = () => soon();
  window.HallQ.live({
    subs: [{ managers: M.hall }], // joins the hall room too: one subscription, one snapshot
    onSnapshot: refresh,
    on: {
      "window.updated": refresh, "queue.updated": refresh, "ticket.called": refresh,
      "hall.updated": refresh, "holds.updated": refresh,
      "alert.wait": (a) => {
        pushed.set(a.ticket, { ...a, at: Date.now() });
        renderOverdue();
        soon(); // the services table flags it too
        M.toast(`${t("wait_alert")}: ${a.number} ${M.pick(a, "service_name")}`, "error");
      },
      "alert.overtime": (a) => M.toast(`${t("overtime_alert")}: ${a.number}`
        + ` ${M.pick(a, "service_name")} ${M.dur(a.served_s)} / ${M.dur(a.limit_s)}`, "error"),
      "alert.device": (a) => M.devices && M.devices.alert(a),
      "alert.rectification": (a) => M.toast(`${t("rectification_alert")}: ${a.number}`, "error"),
    },
  });
  load();
})();
