/* 好差评: every rating with its ticket, service, window, clerk, wait and service time, filtered
   and paged, the national platform's CSV; the rectification cases (整改) with their steps:
   assign an owner, answer the citizen, close with the outcome. Overdue cases are flagged, and
   an alert.rectification from the managers room reloads them. */
(function () {
  "use strict";
  const M = window.HallQ.manage;
  const { el, t } = M;
  const H = `/halls/${M.hall}`;
  const PER_PAGE = 50;
  let page = 1;
  let staff = [];

  const $ = (id) => document.getElementById(id);
  const options = (sel, items) => sel.replaceChildren(el("option", { value: "", text: t("supervision.all") }),
    ...items.map(([v, label]) => el("option", { value: v, text: label })));
  const time = (iso) => (iso ? iso.slice(0, 16).replace("T", " ") : "—");
  const caseState = (c) => t("supervision.case_" + c.status) + (c.overdue ? " · " + t("supervision.overdue") : "");

  function filters() {
    const q = new URLSearchParams({ from: $("r-from").value, to: $("r-to").value });
    for (const k of ["score", "service", "window", "clerk"]) {
      const v = $("r-" + k).value;
      if (v) q.set(k, v);
    }
    return q;
  }

  function ratingRow(r) {
    return el("tr", { "data-ticket": r.ticket, "data-score": r.score, class: r.score <= 2 ? "bad" : "" },
      el("td", { class: "num", text: r.number }), el("td", { class: "num", text: time(r.rated_at) }),
      el("td", { text: r.service_name }), el("td", { text: r.window_name || "—" }),
      el("td", { text: r.clerk_name || "—" }),
      el("td", { class: "num score", text: `${r.score}★ ${t("supervision.level_" + r.score)}` }),
      el("td", { text: r.reason || "" }), el("td", { class: "comment", text: r.comment || "" }),
      el("td", { class: "num", text: M.dur(r.wait_s) }), el("td", { class: "num", text: M.dur(r.service_s) }),
      el("td", { class: "case" + (r.case && r.case.overdue ? " overdue" : ""),
        text: r.case ? caseState(r.case) : "" }));
  }

  async function loadRatings() {
    const q = filters();
    $("r-export").href = `/api/v1${H}/ratings?${q}&format=csv`;
    $("r-export-xlsx").href = `/api/v1${H}/ratings?${q}&format=xlsx`;
    q.set("page", page);
    q.set("per_page", PER_PAGE);
    try {
      const r = await M.api("GET", `${H}/ratings?${q}`);
      $("r-table").querySelector("tbody").replaceChildren(...r.ratings.map(ratingRow));
      const pages = Math.max(1, Math.ceil(r.total / r.per_page));
      $("r-page").textContent = t("supervision.page", { page: r.page, pages, total: r.total });
      $("r-prev").disabled = r.page <= 1;
      $("r-next").disabled = r.page >= pages;
    } catch (e) {
      M.fail(e);
    }
  }

  async function step(c, name, body) {
    try {
      await M.api("POST", `${H}/rectifications/${c.id}/${name}`, body);
      M.toast(t("supervision.done_" + name, { number: c.number }), "ok");
      await Promise.all([loadCases(), loadRatings()]);
    } catch (e) {
      M.fail(e);
    }
  }

  function caseRow(c) {
    const closed = c.status === "closed";
    const owner = el("select", { class: "c-owner", disabled: closed },
      el("option", { value: "", text: "—" }),
      ...staff.map((u) => el("option", { value: u.username, text: u.display_name || u.username,
        selected: u.username === c.owner })));
    const response = el("textarea", { class: "c-response", rows: 2, cols: 28, disabled: closed,
      value: c.response || "", placeholder: t("supervision.response_hint") });
    const outcome = el("input", { class: "c-outcome", size: 20, disabled: closed,
      value: c.outcome || "", placeholder: t("supervision.outcome_hint") });
    const button = (name, get) => el("button", { class: "btn small", type: "button", "data-step": name,
      text: t("supervision.step_" + name), disabled: closed,
      onclick: () => { const body = get(); if (body) step(c, name, body); } });
    return el("tr", { "data-case": c.id, class: c.overdue ? "over" : "" },
      el("td", { class: "num", text: c.number }), el("td", { class: "num", text: `${c.score}★` }),
      el("td", { class: "c-status", "data-status": c.status, text: caseState(c) }),
      el("td", { class: "num", text: time(c.due_at) }),
      el("td", {}, owner, button("assign", () => (owner.value ? { owner: owner.value } : null))),
      el("td", {}, response, button("answer", () => ({ response: response.value }))),
      el("td", {}, outcome, button("close", () => ({ outcome: outcome.value }))));
  }

  async function loadCases() {
    const status = $("c-status").value;
    try {
      const r = await M.api("GET", `${H}/rectifications${status ? "?status=" + status : ""}`);
      $("c-table").querySelector("tbody").replaceChildren(...r.rectifications.map(caseRow));
    } catch (e) {
      M.fail(e);
    }
  }

  async function init() {
    $("r-from").value = $("r-to").value = M.today();
    options($("r-score"), [5, 4, 3, 2, 1].map((s) => [s, `${s}★ ${t("supervision.level_" + s)}`]));
    $("c-status").replaceChildren(...["active", "", "closed"].map((s) =>
      el("option", { value: s, text: t("supervision.cases_" + (s || "all")) })));
    try {
      const a = await M.api("GET", `${H}/admin`);
      options($("r-service"), a.services.map((s) => [s.id, M.pick(s) || s.id]));
      options($("r-window"), a.windows.map((w) => [w.id, M.pick(w) || w.id]));
      staff = a.users.filter((u) => u.active && u.role !== "guide");
      options($("r-clerk"), staff.map((u) => [u.username, u.display_name || u.username]));
    } catch (e) {
      M.fail(e);
    }
    $("r-form").addEventListener("submit", (e) => { e.preventDefault(); page = 1; loadRatings(); });
    $("r-prev").addEventListener("click", () => { page -= 1; loadRatings(); });
    $("r-next").addEventListener("click", () => { page += 1; loadRatings(); });
    $("c-status").addEventListener("change", loadCases);
    window.HallQ.live({
      subs: [{ managers: M.hall }],
      on: { "alert.rectification": (a) => {
        M.toast(t("supervision.overdue_alert", { number: a.number }), "error");
        loadCases();
      } },
    });
    await Promise.all([loadRatings(), loadCases()]);
    document.body.dataset.ready = "1";
  }
  init();
})();
