/* Skills matrix: windows × services. Edits stay local (outlined) until 保存, which sends each
   changed window through PUT /windows/<id>/skills: effective for that window's next call. */
(function () {
  "use strict";
  const M = window.HallQ.manage;
  const { el, t } = M;
  let services = [];
  let windows = [];
  let saved = {}; // window id -> skills as stored
  let edit = {};  // window id -> skills being edited
  let unsaved = false;
  // leaving with edits not saved asks first (the browser's own dialog)
  window.addEventListener("beforeunload", (ev) => {
    if (unsaved) ev.preventDefault();
  });

  const same = (a, b) => JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());

  async function load() {
    const data = await M.api("GET", `/halls/${M.hall}/admin`);
    services = data.services.filter((s) => s.active);
    windows = data.windows;
    saved = Object.fromEntries(windows.map((w) => [w.id, { ...w.skills }]));
    edit = Object.fromEntries(windows.map((w) => [w.id, { ...w.skills }]));
    const opts = (items) => items.map((x) => el("option", { value: x.id, text: M.pick(x) }));
    document.getElementById("copy-src").replaceChildren(...opts(windows));
    document.getElementById("copy-dst").replaceChildren(...opts(windows));
    document.getElementById("col-svc").replaceChildren(...opts(services));
    render();
  }

  function setCell(wid, sid, weight) {
    const s = { ...edit[wid] };
    if (!weight) delete s[sid];
    else s[sid] = weight;
    edit[wid] = s;
  }

  function cell(w, s) {
    const v = edit[w.id][s.id];
    const dirty = v !== saved[w.id][s.id];
    return el("td", {
      class: "cell" + (v === 1 ? " w1" : v ? " wp" : "") + (dirty ? " dirty" : ""),
      "data-window": w.id, "data-service": s.id, "data-weight": v || 0,
      // the service, since its header may be far above
      title: `${M.pick(s)} · ${M.pick(w)}`,
      // the weight itself, not colour alone: 0.3 and 0.5 look alike
      text: v === undefined ? "" : v === 1 ? "●" : String(v),
      onclick: (ev) => {
        if (ev.shiftKey) {
          const raw = prompt(t("weight") + " (0–1)", v || "");
          if (raw === null) return;
          const x = Number(raw);
          if (!(x >= 0 && x <= 1)) return M.toast(t("weight") + " 0–1", "error");
          setCell(w.id, s.id, x);
        } else setCell(w.id, s.id, v === undefined ? 0.5 : v < 1 ? 1 : 0);
        render();
      },
    });
  }

  function render() {
    document.querySelector("#skills-grid thead").replaceChildren(el("tr", {},
      el("th", { text: t("window") }),
      services.map((s) => el("th", { class: "svc", text: M.pick(s), title: M.pick(s), "data-service": s.id }))));
    document.querySelector("#skills-grid tbody").replaceChildren(...windows.map((w) =>
      el("tr", { "data-window": w.id }, el("th", { text: M.pick(w) }),
        services.map((s) => cell(w, s)))));
    const dirty = windows.some((w) => !same(edit[w.id], saved[w.id]));
    document.getElementById("save-skills").disabled = !dirty;
    unsaved = dirty;
    document.getElementById("skills-empty").hidden = windows.length > 0 && services.length > 0;
  }

  document.getElementById("copy-btn").addEventListener("click", () => {
    const src = document.getElementById("copy-src").value;
    const dst = document.getElementById("copy-dst").value;
    if (src && dst && src !== dst) edit[dst] = { ...edit[src] };
    render();
  });
  document.getElementById("col-btn").addEventListener("click", () => {
    const sid = document.getElementById("col-svc").value;
    const weight = Number(document.getElementById("col-weight").value);
    for (const w of windows) setCell(w.id, sid, weight);
    render();
  });
  document.getElementById("save-skills").addEventListener("click", async () => {
    try {
      for (const w of windows) {
        if (same(edit[w.id], saved[w.id])) continue;
        const r = await M.api("PUT", `/windows/${w.id}/skills`, { skills: edit[w.id] });
        saved[w.id] = { ...r.window.skills };
        edit[w.id] = { ...r.window.skills };
      }
      M.toast(t("saved"), "ok");
    } catch (e) {
      M.fail(e);
    }
    render();
  });
  load().catch(M.fail);
})();
