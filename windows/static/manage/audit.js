/* Audit search: by date, actor, ticket number, window and action; 500 events a page.
   Actions are shown as labels in the page language, details as a short summary (raw JSON in a
   <details> toggle), newest first unless the sort toggle says otherwise. */
(function () {
  "use strict";
  const M = window.HallQ.manage;
  const { el } = M;
  const PAGE = 500;
  const zh = M.lang !== "en";
  let last = 0;
  let events = [];
  let newestFirst = true;
  let windowNames = {};

  /** code: [zh, en]. Unknown codes are shown raw. */
  const ACTIONS = {
    issue: ["取号", "Ticket issued"], call: ["叫号", "Called"], recall: ["重呼", "Recalled"],
    start: ["开始办理", "Service started"], finish: ["办结", "Finished"],
    no_show: ["过号", "No-show"], hold: ["挂起", "Put on hold"], unhold: ["恢复", "Resumed from hold"],
    transfer: ["转办", "Transferred"], cancel: ["取消", "Cancelled"], expire: ["过期作废", "Expired"],
    rate: ["评价", "Rated"], window_open: ["开窗", "Window opened"],
    window_pause: ["暂停窗口", "Window paused"], window_close: ["关窗", "Window closed"],
    window_skills: ["调整技能", "Skills changed"], window_auto: ["自动叫号设置", "Auto-call set"],
    window_add: ["新增窗口", "Window added"], window_edit: ["修改窗口", "Window edited"],
    category_add: ["新增类别", "Category added"], category_edit: ["修改类别", "Category edited"],
    service_add: ["新增业务", "Service added"], service_edit: ["修改业务", "Service edited"],
    user_add: ["新增用户", "User added"], user_edit: ["修改用户", "User edited"],
    seed_demo: ["载入演示数据", "Demo data loaded"], appointment_book: ["预约", "Appointment booked"],
    hall_notices: ["修改公告", "Notices changed"], hall_hours: ["修改开放时间", "Hours changed"],
    advice_apply: ["应用排班建议", "Advice applied"], wait_alert: ["超时预警", "Wait-limit alert"],
    hall_add: ["新建大厅", "Hall added"],
  };
  const STATES = {
    waiting: ["等候", "waiting"], called: ["已叫号", "called"], serving: ["办理中", "serving"],
    done: ["办结", "done"], held: ["挂起", "held"], cancelled: ["取消", "cancelled"],
    no_show: ["过号", "no-show"], transferred: ["已转办", "transferred"],
    open: ["服务中", "open"], paused: ["暂停", "paused"], closed: ["关闭", "closed"],
  };
  const pick = (pair) => (zh ? pair[0] : pair[1]);
  const actionLabel = (code) => (ACTIONS[code] ? pick(ACTIONS[code]) : code);
  const state = (s) => (STATES[s] ? pick(STATES[s]) : String(s));
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
      parts.push(`${(d.before || []).length} → ${(d.after || []).length} ${zh ? "条" : "notices"}`);
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
      parts.push(zh ? `${d.services} 项业务，${d.windows} 个窗口` : `${d.services} services, ${d.windows} windows`);
    if (e.action === "wait_alert" && d.waited_s !== undefined)
      parts.push(zh ? `已等 ${HallQ.manage.dur(d.waited_s)}（限 ${HallQ.manage.dur(d.limit_s)}）`
        : `waited ${HallQ.manage.dur(d.waited_s)} (limit ${HallQ.manage.dur(d.limit_s)})`);
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
    document.getElementById("sort").textContent = newestFirst
      ? (zh ? "最新在前 ▼" : "Newest first ▼") : (zh ? "最早在前 ▲" : "Oldest first ▲");
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
  sel.replaceChildren(el("option", { value: "", text: zh ? "全部" : "All" }),
    ...Object.keys(ACTIONS).map((k) => el("option", { value: k, text: actionLabel(k) })));
  const params = new URLSearchParams(location.search);
  document.getElementById("a-date").value = params.get("date") || M.today();
  for (const k of ["actor", "ticket", "window", "action"]) {
    const v = params.get(k);
    if (!v) continue;
    if (k === "action" && !ACTIONS[v]) sel.append(el("option", { value: v, text: v }));
    document.getElementById("a-" + k).value = v;
  }
  if (params.get("sort") === "asc") newestFirst = false;
  document.getElementById("audit-form").addEventListener("submit", (e) => { e.preventDefault(); load(false); });
  document.getElementById("more").addEventListener("click", () => load(true));
  document.getElementById("sort").addEventListener("click", () => { newestFirst = !newestFirst; render(); });
  M.api("GET", `/halls/${M.hall}/windows`).then((r) => {
    for (const w of r.windows || []) windowNames[w.id] = M.pick(w) || w.id;
    if (events.length) render();
  }).catch(() => {});
  load(false);
})();
