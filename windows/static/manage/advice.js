/* Skills advice from the hall's own history: proposed changes, expected waits before/after,
   one click to apply (each window changed through set_skills, audited). */
(function () {
  "use strict";
  const M = window.HallQ.manage;
  const { el, t } = M;
  let advice = null;

  async function compute() {
    const btn = document.getElementById("compute");
    btn.disabled = true;
    try {
      const q = new URLSearchParams({ days: document.getElementById("days").value });
      const k = document.getElementById("max-changes").value;
      if (k) q.set("max_changes", k);
      advice = await M.api("GET", `/halls/${M.hall}/advice?${q}`);
      render();
    } catch (e) {
      M.fail(e);
    } finally {
      btn.disabled = false;
    }
  }

  function render() {
    document.getElementById("advice-result").hidden = false;
    document.getElementById("advice-basis").textContent =
      t("advice_basis", { date: advice.date, n: advice.arrivals, k: advice.max_changes, s: advice.seconds });
    document.querySelector("#advice-figures tbody").replaceChildren(...["mean_wait_s", "p95_wait_s"].map((k) =>
      el("tr", { "data-figure": k }, el("th", { text: t(k) }),
        el("td", { class: "num before", text: M.dur(advice.current[k]) }),
        el("td", { class: "num after", text: M.dur(advice.expected[k]) }))));
    const list = document.getElementById("advice-changes");
    list.replaceChildren(...advice.changes.map((c) => el("li", { "data-window": c.window, "data-service": c.service },
      `${c.window} · ${c.service_name}: ${t("from_w")} ${c.from ?? t("none")} → ${t("to_w")} ${c.to ?? t("none")}`)));
    if (!advice.changes.length) list.replaceChildren(el("li", { text: t("no_changes") }));
    document.getElementById("apply-advice").hidden = !advice.changes.length;
  }

  document.getElementById("advice-form").addEventListener("submit", (e) => { e.preventDefault(); compute(); });
  document.getElementById("apply-advice").addEventListener("click", async () => {
    try {
      await M.api("POST", `/halls/${M.hall}/advice/apply`, { changes: advice.changes.map(
        ({ window, service, from, to }) => ({ window, service, from, to })) });
      M.toast(t("applied"), "ok");
      document.getElementById("apply-advice").hidden = true;
    } catch (e) {
      M.fail(e);
    }
  });
})();
