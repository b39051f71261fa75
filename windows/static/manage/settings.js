/* Hall settings: one editable table per noun (a row per item, a blank row to add one),
   opening hours and notices. Every save is one audited API call. */
(function () {
  "use strict";
  const M = window.HallQ.manage;
  const { el, t } = M;
  const H = `/halls/${M.hall}`;

  // noun -> [table id, key field, columns [field, kind, options?]]
  const EDITORS = {
    windows: ["ed-windows", "id", [["name", "text"], ["name_en", "text"], ["zone", "text"], ["sort", "int"]]],
    categories: ["ed-categories", "id", [["name", "text"], ["name_en", "text"], ["prefix", "text"], ["sort", "int"]]],
    services: ["ed-services", "id", [["category", "select"], ["name", "text"], ["name_en", "text"],
      ["mean_service_s", "dur"], ["wait_limit_s", "dur"], ["service_limit_s", "dur"], ["slot_capacity", "int"], ["materials", "lines"], ["materials_en", "lines"],
      ["active", "bool"]]],
    users: ["ed-users", "username", [["display_name", "text"], ["staff_no", "text"],
      ["role", "select"], ["all_halls", "bool"], ["active", "bool"], ["password", "password"]]],
  };
  let data = null;

  function input(kind, value, options) {
    if (kind === "bool") return el("input", { type: "checkbox", checked: value !== false });
    if (kind === "select") return el("select", {}, options.map(([o, label]) =>
      el("option", { value: o, text: label, selected: o === value })));
    if (kind === "lines") return el("textarea", { rows: 2, value: (value || []).join("\n") });
    if (kind === "dur") {  // m:ss, as the rest of the console shows times
      return el("input", { type: "text", size: 6, placeholder: "m:ss", inputmode: "numeric",
        value: value == null ? "" : HallQ.i18n.clock(value) });
    }
    return el("input", { type: kind === "password" ? "password" : kind === "text" ? "text" : "number",
      value: value ?? "", size: kind === "text" ? 14 : 7, placeholder: kind === "password" ? t("new_password") : "" });
  }

  function read(kind, e) {
    if (kind === "bool") return e.checked;
    if (kind === "int" || kind === "num") return e.value === "" ? undefined : Number(e.value);
    if (kind === "lines") return e.value.split("\n").map((x) => x.trim()).filter(Boolean);
    if (kind === "dur") return e.value.trim() === "" ? undefined : seconds(e.value.trim());
    return e.value.trim() === "" ? undefined : e.value.trim();
  }

  /** "m:ss", "h:mm:ss" or whole minutes ("5") as seconds; NaN for anything else. */
  function seconds(text) {
    if (/^\d+$/.test(text)) return Number(text) * 60;
    const m = /^(?:(\d+):)?(\d+):([0-5]\d)$/.exec(text);
    return m ? Number(m[1] || 0) * 3600 + Number(m[2]) * 60 + Number(m[3]) : NaN;
  }

  function render(noun) {
    const [tid, key, cols] = EDITORS[noun];
    const opts = { category: data.categories.map((c) => [c.id, M.pick(c) || c.id]),
      role: ["guide", "clerk", "manager", "admin"].map((r) => [r, t("role_" + r)]) };
    const row = (item) => {
      const isNew = !item;
      // a new account belongs to this hall unless "all halls" is ticked
      const inputs = cols.map(([f, kind]) => input(kind, item ? item[f] : (f === "all_halls" ? false : undefined), opts[f]));
      const idInput = isNew ? el("input", { size: 10, placeholder: t(key === "id" ? "code_id" : key) }) : null;
      const save = async () => {
        const body = {};
        cols.forEach(([f, kind], i) => {
          const v = read(kind, inputs[i]);
          if (v !== undefined) body[f] = v;
        });
        const bad = cols.find(([f, kind]) => kind === "dur" && Number.isNaN(body[f]));
        if (bad) return M.toast(t("bad_duration", { field: t(bad[0]) }), "error");
        try {
          if (isNew) {
            body[key] = idInput.value.trim();
            await M.api("POST", `${H}/${noun}`, body);
          } else {
            const r = await M.api("PATCH", `${H}/${noun}/${encodeURIComponent(item[key])}`, body);
            if (r.waiting) {  // retired with citizens still waiting: they are called as before
              M.toast(t("retired_waiting", { n: r.waiting }), "ok");
              await load();
              return;
            }
          }
          M.toast(t("saved"), "ok");
          await load();
        } catch (e) {
          M.fail(e);
        }
      };
      return el("tr", { "data-id": item ? item[key] : "" },
        el("td", {}, isNew ? idInput : item[key]), inputs.map((i) => el("td", {}, i)),
        el("td", {}, el("button", { class: "btn small", text: isNew ? t("add") : t("save"), onclick: save })));
    };
    document.getElementById(tid).replaceChildren(
      el("thead", {}, el("tr", {}, el("th", { text: t(key === "id" ? "code_id" : key) }), cols.map(([f]) => el("th", { text: t(f) })), el("th"))),
      el("tbody", {}, data[noun].map(row), row(null)));
  }

  async function load() {
    data = await M.api("GET", `${H}/admin`);
    for (const noun of Object.keys(EDITORS)) render(noun);
    document.getElementById("h-open").value = data.hall.hours.open || "";
    document.getElementById("h-close").value = data.hall.hours.close || "";
    document.getElementById("notices").value = data.hall.notices.join("\n");
    document.getElementById("s-rectify-days").value = data.hall.rectify_days;
    document.getElementById("s-warn-pct").value = data.hall.overtime_warn_pct;
  }

  document.getElementById("hours-form").addEventListener("submit", (e) => {
    e.preventDefault();
    M.api("PUT", `${H}/hours`, { open: document.getElementById("h-open").value,
      close: document.getElementById("h-close").value }).then(() => M.toast(t("saved"), "ok"), M.fail);
  });
  document.getElementById("notices-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const notices = document.getElementById("notices").value.split("\n").filter((x) => x.trim());
    M.api("PUT", `${H}/notices`, { notices }).then(() => M.toast(t("saved"), "ok"), M.fail);
  });
  document.getElementById("supervision-form").addEventListener("submit", (e) => {
    e.preventDefault();
    M.api("PUT", `${H}/supervision`, {
      rectify_days: Number(document.getElementById("s-rectify-days").value),
      overtime_warn_pct: Number(document.getElementById("s-warn-pct").value),
    }).then(() => M.toast(t("saved"), "ok"), M.fail);
  });
  load().catch(M.fail);
})();
