/* Statistics: a date range, totals, ECharts charts (served locally), tables, CSV/XLSX links. */
(function () {
  "use strict";
  const M = window.HallQ.manage;
  const { el, t } = M;
  const charts = {};

  function chart(id) {
    if (!charts[id]) charts[id] = window.echarts.init(document.getElementById(id));
    return charts[id];
  }

  function table(id, cols, rows) {
    document.getElementById(id).replaceChildren(
      el("thead", {}, el("tr", {}, cols.map(([, label]) => el("th", { text: label })))),
      el("tbody", {}, rows.map((r) => el("tr", {}, cols.map(([f]) => el("td",
        { class: typeof f === "function" ? "" : "num",
          text: typeof f === "function" ? f(r) : f.endsWith("_s") ? M.dur(r[f]) : fmt(r[f]) }))))));
  }
  /** A duration column's header, with its unit. */
  const du = (k) => t(k) + t("dur_unit");
  const fmt = (v) => (v === null || v === undefined ? "—" : v);

  async function load() {
    const from = document.getElementById("from").value;
    const to = document.getElementById("to").value;
    const q = `from=${from}&to=${to}`;
    const base = `/api/v1/halls/${M.hall}/stats?${q}`;
    document.getElementById("csv").href = base + "&format=csv&lang=" + HallQ.i18n.lang;
    document.getElementById("xlsx").href = base + "&format=xlsx";
    let s;
    try {
      s = await M.api("GET", `/halls/${M.hall}/stats?${q}`);
    } catch (e) {
      return M.fail(e);
    }
    const cards = [["issued", s.issued], ["served", s.served], ["no_show", s.no_show],
      ["cancelled", s.cancelled], ["mobile_issued", s.mobile], ["postponed", s.postponed],
      ["rejoined", s.rejoined], ["mean_wait", M.dur(s.mean_wait_s)],
      ["p90_wait", M.dur(s.p90_wait_s)], ["mean_service", M.dur(s.mean_service_s)],
      ["rating", s.ratings.mean === null ? "—" : `${s.ratings.mean} (${s.ratings.count})`]];
    document.getElementById("totals").replaceChildren(...cards.map(([k, v]) =>
      el("div", { class: "card", "data-stat": k }, el("b", { class: "num", text: v }), el("span", { text: t(k) }))));
    const bar = (id, xs, series) => chart(id).setOption({
      tooltip: { trigger: "axis" }, legend: {}, grid: { left: 10, right: 10, bottom: 10, containLabel: true },
      xAxis: { type: "category", data: xs, axisLabel: { rotate: xs.length > 8 ? 40 : 0 } },
      yAxis: [{ type: "value", minInterval: 1 },
        ...(series.some((x) => x.yAxisIndex === 1) ? [{ type: "value", name: "s" }] : [])],
      series,
    }, true);
    bar("chart-hour", s.by_hour.map((h) => `${h.hour}:00`), [
      { name: t("issued"), type: "bar", data: s.by_hour.map((h) => h.issued) },
      { name: t("served"), type: "bar", data: s.by_hour.map((h) => h.served) }]);
    bar("chart-service", s.by_service.map((x) => M.pick(x)), [
      { name: t("issued"), type: "bar", data: s.by_service.map((x) => x.issued) },
      { name: t("served"), type: "bar", data: s.by_service.map((x) => x.served) },
      { name: t("mean_wait") + " (s)", type: "line", yAxisIndex: 1,
        data: s.by_service.map((x) => x.mean_wait_s) }]);
    document.getElementById("day-panel").hidden = s.by_day.length < 2;
    if (s.by_day.length >= 2) bar("chart-day", s.by_day.map((d) => d.date), [
      { name: t("issued"), type: "bar", data: s.by_day.map((d) => d.issued) },
      { name: t("mean_wait") + " (s)", type: "line", yAxisIndex: 1,
        data: s.by_day.map((d) => d.mean_wait_s) }]);
    table("t-service", [[(r) => M.pick(r), t("service")], ["issued", t("issued")],
      ["served", t("served")], ["no_show", t("no_show")], ["cancelled", t("cancelled")],
      ["mean_wait_s", du("mean_wait")], ["p90_wait_s", du("p90_wait")],
      ["mean_service_s", du("mean_service")], ["overtime", t("overtime_n")], ["rating_mean", t("rating")]],
    s.by_service);
    table("t-window", [[(r) => M.pick(r), t("window")], ["served", t("served")],
      ["busy_s", du("busy")], ["mean_service_s", du("mean_service")], ["rating_mean", t("rating")]],
      s.by_window);
    table("t-clerk", [[(r) => r.display_name, t("clerk")], ["served", t("served")],
      ["busy_s", du("busy")], ["mean_service_s", du("mean_service")], ["overtime", t("overtime_n")],
      ["rating_mean", t("rating")]],
      s.by_clerk);
  }

  document.getElementById("from").value = M.today();
  document.getElementById("to").value = M.today();
  document.getElementById("stats-form").addEventListener("submit", (e) => { e.preventDefault(); load(); });
  window.addEventListener("resize", () => Object.values(charts).forEach((c) => c.resize()));
  load();
})();
