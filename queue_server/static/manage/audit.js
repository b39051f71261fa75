/* Audit search: by date, actor, ticket number, window and action; 500 events a page. */
(function () {
  "use strict";
  const M = window.HallQ.manage;
  const { el } = M;
  const PAGE = 500;
  let last = 0;

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
      const rows = r.events.map((e) => el("tr", { "data-seq": e.seq },
        el("td", { class: "num", text: e.seq }), el("td", { class: "num", text: e.at.slice(11, 19) }),
        el("td", { text: e.actor }), el("td", { text: e.action }),
        el("td", { class: "num", text: e.number || "" }), el("td", { text: e.window || "" }),
        el("td", { class: "detail", text: JSON.stringify(e.detail) })));
      const body = document.querySelector("#audit-table tbody");
      if (append) body.append(...rows);
      else body.replaceChildren(...rows);
      if (r.events.length) last = r.events[r.events.length - 1].seq;
      document.getElementById("more").hidden = !r.more;
    } catch (e) {
      M.fail(e);
    }
  }

  const params = new URLSearchParams(location.search);
  document.getElementById("a-date").value = params.get("date") || M.today();
  for (const k of ["actor", "ticket", "window", "action"])
    if (params.get(k)) document.getElementById("a-" + k).value = params.get(k);
  document.getElementById("audit-form").addEventListener("submit", (e) => { e.preventDefault(); load(false); });
  document.getElementById("more").addEventListener("click", () => load(true));
  load(false);
})();
