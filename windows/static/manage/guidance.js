/* Console page 引导与办件: the searches that found nothing (the keywords to add), the case
   statistics of the last 30 days, and each service's keywords and synonyms (saved one service
   at a time). */
(function () {
  "use strict";
  const M = HallQ.manage, { t, el, api, hall } = M;
  const DAYS = 30, READY_DAYS = 3;

  function since() {
    const d = new Date(Date.now() + 8 * 3600 * 1000 - (DAYS - 1) * 86400 * 1000);
    return d.toISOString().slice(0, 10);
  }

  async function loadGuide() {
    const s = await api("GET", `/halls/${hall}/guide/stats?from=${since()}`);
    document.getElementById("g-summary").textContent = t("manage_guidance.searches",
      { n: s.searches, m: s.misses, k: s.chosen });
    const body = document.querySelector("#g-missing tbody");
    body.replaceChildren(...(s.missing.length ? s.missing.map((m) =>
      el("tr", null, el("td", { text: m.term }), el("td", { class: "num", text: m.n })))
      : [el("tr", null, el("td", { colspan: 2, text: t("manage_guidance.none") }))]));
  }

  async function loadCases() {
    const q = `from=${since()}&ready_days=${READY_DAYS}`;
    const s = await api("GET", `/halls/${hall}/cases/stats?${q}`);
    const d = s.approval_days, u = s.uncollected;
    document.getElementById("c-days").textContent = t("manage_guidance.approval_days",
      { mean: d.mean ?? "—", median: d.median ?? "—", n: d.n });
    document.getElementById("c-uncollected").textContent = t("manage_guidance.uncollected",
      { days: s.ready_days, uncollected: u.uncollected, ready: u.ready });
    const statuses = ["accepted", "in_review", "approved", "rejected", "ready", "collected"];
    document.querySelector("#c-table tbody").replaceChildren(...s.by_service.map((r) =>
      el("tr", { "data-service": r.service }, el("td", { text: r.name || r.service }),
        el("td", { class: "num", text: r.cases }),
        ...statuses.map((k) => el("td", { class: "num", text: r[k] })))));
    document.getElementById("c-csv").href = `/api/v1/halls/${hall}/cases/stats?${q}&format=csv`;
  }

  async function loadKeywords() {
    const { services } = await api("GET", `/halls/${hall}/guide/keywords`);
    document.querySelector("#k-table tbody").replaceChildren(...services.map((s) => {
      const area = el("textarea", { rows: 3, cols: 30, value: s.keywords.join("\n") });
      const save = el("button", { class: "btn small", text: t("manage_guidance.save"),
        onclick: async () => {
          const keywords = area.value.split("\n").map((k) => k.trim()).filter(Boolean);
          try {
            const r = await api("PUT", `/halls/${hall}/services/${encodeURIComponent(s.id)}/keywords`,
              { keywords });
            area.value = r.service.keywords.join("\n");
            M.toast(t("manage_guidance.saved"), "ok");
          } catch (e) {
            M.fail(e);
          }
        } });
      return el("tr", { "data-service": s.id }, el("td", { text: s.name }), el("td", null, area),
        el("td", null, save));
    }));
  }

  loadGuide().catch(M.fail);
  loadCases().catch(M.fail);
  loadKeywords().catch(M.fail);
})();
