/* Audit search: by date, actor, ticket number, window and action; 500 events a page.
   Actions are shown as labels in the page language, details as a short summary (raw JSON in a
   <details> toggle), newest first unless the sort toggle says otherwise. */
(function () {
  "use strict";
  const M = window.HallQ.manage;
  const { el, t } = M;
  const PAGE = 500;
  let last = 0;
  let events = [];
  let newestFirst = true;
  let windowNames = {};

  /** The audit actions, each labelled by audit.act_<code> in the strings; unknown codes are
      shown raw. */
  const ACTIONS = ["issue", "call", "recall", "start", "finish", "no_show", "hold", "unhold",
    "transfer", "cancel", "expire", "rate", "window_open", "window_pause", "window_close",
    "window_skills", "window_auto", "window_add", "window_edit", "category_add", "category_edit",
    "service_add", "service_edit", "user_add", "user_edit", "seed_demo", "appointment_book",
    "appointment_reschedule", "appointment_cancel", "appointment_missed",
    "hall_notices", "hall_hours", "advice_apply", "wait_alert", "hall_add", "login", "logout",
    "login_failed", "personal_data_purge", "rectification_open", "rectification_assign",
    "rectification_answer", "rectification_close", "rectification_overdue", "service_overtime",
    "supervision_settings"];
  // Ticket and window states in the shared status words.
  const STATES = ["waiting", "called", "serving", "held", "done", "no_show", "cancelled",
    "transferred", "open", "paused", "closed"];
  const actionLabel = (code) => (ACTIONS.includes(code) ? t("audit.act_" + code) : code);
  const state = (s) => (STATES.includes(s) ? t("status." + s) : String(s));
  const winName = (id) => windowNames[id] || id;
  const short = (v) => (v === null || v === undefined ? "—"
    : typeof v === "object" ? JSON.stringify(v) : String(v));

  /** Weights map → "service:w, …". */
  const skills = (m) => Object.entries(m || {}).map(([k, v]) => `${k}:${v}`).join(", ") || "—";

  function summary(e) {
    const d = e.detail || {};
    const parts = [];
    const b = d.before && typeof d.before === "object" ? d.before : null;
    const a = d.after && typeof d.after === "object" ? d.after : null;
    if (e.action === "window_skills") parts.push(`${skills(d.before)} → ${skills(d.after)}`);
    else if (e.action === "advice_apply")
      parts.push((d.changes || []).map((c) => `${winName(c.window)} ${c.service} ${c.from}→${c.to}`).join("; "));
    else if (e.action === "hall_notices")
      parts.push(t("audit.notices_n", { before: (d.before || []).length, after: (d.after || []).length }));
    else if (a && a.status !== undefined && (!b || b.status !== a.status))
      parts.push(`${b ? state(b.status) : "—"} → ${state(a.status)}`);
    if (a && e.action !== "window_skills" && e.action !== "hall_notices") {
      for (const [k, v] of Object.entries(a)) {
        if (k === "status" || k === "new_ticket") continue;
        const was = b ? b[k] : undefined;
        if (was !== undefined && was !== null && short(was) !== short(v))
          parts.push(`${k}: ${short(was)} → ${short(v)}`);
        else if (v !== null && v !== undefined && v !== 0 && was === undefined) parts.push(`${k}: ${short(v)}`);
        else if (was === null && v !== null) parts.push(`${k}: ${short(v)}`);
      }
    }
    for (const k of ["username", "role", "code", "slot_at", "id"]) if (d[k] !== undefined) parts.push(short(d[k]));
    if (d.score !== undefined) parts.push(`${d.score}★${d.reason ? " " + d.reason : ""}`);
    if (d.services !== undefined && d.windows !== undefined)
      parts.push(t("audit.services_windows", { services: d.services, windows: d.windows }));
    if (e.action === "service_overtime" && d.served_s !== undefined)
      parts.push(t("audit.waited_limit", { waited: M.dur(d.served_s), limit: M.dur(d.limit_s) }));
    if (e.action === "wait_alert" && d.waited_s !== undefined)
      parts.push(t("audit.waited_limit", { waited: M.dur(d.waited_s), limit: M.dur(d.limit_s) }));
    if (d.number) parts.push(d.number);
    if (d.service && !(a && a.service)) parts.push(d.service);
    if (d.channel) parts.push(d.channel);
    if (e.window) parts.push(winName(e.window));
    return parts.filter((p) => p !== "").join(" · ");
  }

  function row(e) {
    return el("tr", { "data-seq": e.seq, "data-action": e.action },
      el("td", { class: "num", text: e.seq }), el("td", { class: "num", text: e.at.slice(11, 19) }),
      el("td", { text: e.actor }), el("td", { class: "action", title: e.action, text: actionLabel(e.action) }),
      el("td", { class: "num", text: e.number || "" }), el("td", { text: e.window || "" }),
      el("td", { class: "detail" }, el("span", { class: "summary", text: summary(e) }),
        el("details", {}, el("summary", { text: "JSON" }), el("pre", { text: JSON.stringify(e.detail, null, 1) }))));
  }

  function render() {
    const list = newestFirst ? events.slice().reverse() : events;
    document.querySelector("#audit-table tbody").replaceChildren(...list.map(row));
    document.getElementById("sort").textContent = t(newestFirst ? "audit.newest_first" : "audit.oldest_first");
  }

  function query(after) {
    const q = new URLSearchParams({ date: document.getElementById("a-date").value, limit: PAGE, after });
    for (const k of ["actor", "ticket", "window", "action"]) {
      const v = document.getElementById("a-" + k).value.trim();
      if (v) q.set(k, v);
    }
    return q;
  }

  async function load(append) {
    try {
      const r = await M.api("GET", `/halls/${M.hall}/audit?${query(append ? last : 0)}`);
      events = append ? events.concat(r.events) : r.events;
      if (r.events.length) last = r.events[r.events.length - 1].seq;
      render();
      document.getElementById("more").hidden = !r.more;
    } catch (e) {
      M.fail(e);
    }
  }

  const sel = document.getElementById("a-action");
  sel.replaceChildren(el("option", { value: "", text: t("audit.all") }),
    ...ACTIONS.map((k) => el("option", { value: k, text: actionLabel(k) })));
  const params = new URLSearchParams(location.search);
  document.getElementById("a-date").value = params.get("date") || M.today();
  for (const k of ["actor", "ticket", "window", "action"]) {
    const v = params.get(k);
    if (!v) continue;
    if (k === "action" && !ACTIONS.includes(v)) sel.append(el("option", { value: v, text: v }));
    document.getElementById("a-" + k).value = v;
  }
  if (params.get("sort") === "asc") newestFirst = false;
  /** The badge: whether the hall's audit hash chain verifies (GET …/audit/verify). */
  async function chainBadge() {
    const badge = document.getElementById("chain-badge");
    try {
      const r = await M.api("GET", `/halls/${M.hall}/audit/verify`);
      badge.textContent = r.ok ? t("audit.chain_ok", { n: r.checked })
        : t("audit.chain_broken", { seq: r.broken_at });
      badge.className = "badge " + (r.ok ? "open" : "paused");
      badge.hidden = false;
    } catch (e) {
      M.fail(e);
    }
  }

  document.getElementById("audit-form").addEventListener("submit", (e) => { e.preventDefault(); load(false); });
  document.getElementById("more").addEventListener("click", () => load(true));
  document.getElementById("sort").addEventListener("click", () => { newestFirst = !newestFirst; render(); });
  M.api("GET", `/halls/${M.hall}/windows`).then((r) => {
    for (const w of r.windows || []) windowNames[w.id] = M.pick(w) || w.id;
    if (events.length) render();
  }).catch(() => {});
  load(false);
  chainBadge();
})();
