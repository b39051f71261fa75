/* The staffing plan: windows to open hour by hour for a day (tomorrow by default), from the
   hall's recorded days; for today also the plan's hour against what is open now. */
(function () {
  "use strict";
  const M = window.HallQ.manage;
  const { el, t } = M;
  const hhmm = (s) => `${String(Math.floor(s / 3600)).padStart(2, "0")}:${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}`;
  const list = (ws) => (ws && ws.length ? ws.join(" ") : "—");

  async function compute(day) {
    const btn = document.getElementById("staffing-compute");
    btn.disabled = true;
    try {
      const q = new URLSearchParams({ wait_min: document.getElementById("wait-min").value,
        share: document.getElementById("share").value });
      if (day) q.set("date", day);
      render(await M.api("GET", `/halls/${M.hall}/staffing?${q}`));
    } catch (e) {
      M.fail(e);
    } finally {
      btn.disabled = false;
    }
  }

  function render(res) {
    const p = res.plan;
    document.getElementById("staffing-day").value = p.date;
    document.getElementById("staffing-result").hidden = false;
    document.getElementById("staffing-basis").textContent = t("staffing_basis", {
      days: p.basis.days, first: p.basis.first, last: p.basis.last, same: p.basis.same_weekday,
      replays: p.replays }) + " · " + t("staffing_target", {
      share: Math.round(p.target.share * 100), wait: Math.round(p.target.wait_s / 60) });
    const verdict = document.getElementById("staffing-verdict");
    verdict.textContent = (p.check.meets ? t("staffing_meets") : t("staffing_misses"))
      + (p.complete ? "" : t("staffing_incomplete"));
    verdict.className = p.check.meets ? "ok" : "warn";
    document.getElementById("staffing-window-hours").textContent = t("staffing_hours", {
      plan: p.window_hours, all: p.all_open_window_hours });
    const current = res.now && res.now.hour_start;
    document.querySelector("#staffing-hours tbody").replaceChildren(...p.hours.map((h) =>
      el("tr", { "data-start": h.start, class: h.start === current ? "current" : "" },
        el("td", { text: `${hhmm(h.start)}–${hhmm(h.start + 3600)}` }),
        el("td", { class: "num", text: String(h.open) }),
        el("td", { text: list(h.windows) }),
        el("td", { class: "num", text: String(h.forecast_arrivals) }),
        el("td", { class: "num", text: String(h.forecast_work_h) }))));
    const now = document.getElementById("staffing-now");
    now.hidden = !res.now;
    if (res.now) {
      const n = res.now;
      document.getElementById("now-planned").textContent =
        n.hour_start === null ? t("staffing_closed_hour") : list(n.planned);
      document.getElementById("now-open").textContent = list(n.open);
      document.getElementById("now-to-open").textContent = list(n.to_open);
      document.getElementById("now-could-close").textContent = list(n.could_close);
    }
  }

  const today = () => new Date(Date.now() - new Date().getTimezoneOffset() * 60000).toISOString().slice(0, 10);
  document.getElementById("staffing-form").addEventListener("submit", (e) => {
    e.preventDefault();
    compute(document.getElementById("staffing-day").value);
  });
  document.getElementById("staffing-tomorrow").addEventListener("click", () => compute(null));
  document.getElementById("staffing-today").addEventListener("click", () => compute(today()));
  compute(null);
})();
