/* The monitor's devices panel: approve a pairing by the code the device shows (kind, name,
   window, printer), revoke a device, and each device's last heartbeat and printer state, with
   the problems (a quiet device, a printer out of paper) listed as alerts. monitor.js hands
   over the live alert.device pushes. */
(function () {
  "use strict";
  const M = window.HallQ.manage;
  const { el } = M;
  const t = M.t;
  const $ = (id) => document.getElementById(id);
  const PROBLEMS = ["paper_out", "cover_open", "error", "offline", "unreachable"];
  let state = null;
  let fetchedAt = 0;

  async function load() {
    try {
      state = await M.api("GET", `/halls/${M.hall}/devices`);
      fetchedAt = Date.now();
      render();
    } catch (e) {
      M.fail(e);
    }
  }

  async function loadWindows() {
    const { windows } = await M.api("GET", `/halls/${M.hall}/windows`);
    $("ap-window").replaceChildren(el("option", { value: "", text: "—" }),
      ...windows.map((w) => el("option", { value: w.id, text: M.pick(w) })));
  }

  const problemsOf = (d) => [d.quiet ? "quiet" : null,
    PROBLEMS.includes(d.printer_state) ? d.printer_state : null].filter(Boolean);

  function render() {
    const rows = state.devices;
    $("devices-table").querySelector("tbody").replaceChildren(...rows.map((d) => el("tr",
      { "data-device": d.id, "data-status": d.status, class: problemsOf(d).length ? "over" : "" },
      el("td", { text: d.name || "#" + d.id }),
      el("td", { text: d.kind ? t("dev_kind_" + d.kind) : "—" }),
      el("td", { text: d.window || "—" }),
      el("td", { text: t("dev_status_" + d.status) }),
      el("td", { class: "num", "data-quiet": d.quiet ? "1" : "0",
        text: d.silent_s === null ? "—" : M.dur(d.silent_s) }),
      el("td", { "data-printer": d.printer_state || "", text: d.printer
        ? `${d.printer} · ${t("dev_printer_" + (d.printer_state || "unknown"))}` : "—" }),
      el("td", {}, d.status === "revoked" ? null : el("button", {
        class: "btn small danger", text: t("dev_revoke"), "data-action": "revoke",
        onclick: () => {
          if (!confirm(t("dev_revoke_confirm"))) return;
          M.api("POST", `/devices/${d.id}/revoke`, {}).then(load, M.fail);
        },
      })))));
    const alerts = rows.filter((d) => problemsOf(d).length);
    $("device-alerts").replaceChildren(...alerts.map((d) => el("li",
      { class: "overdue", "data-device": d.id, "data-problems": problemsOf(d).join(" ") },
      el("b", { text: d.name || "#" + d.id }), " ",
      problemsOf(d).map((p) => t("dev_problem_" + p)).join(" · "))));
    $("devices-none").hidden = rows.length > 0;
    $("kiosk-required").checked = state.kiosk_device_required;
  }

  $("approve-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const body = { code: $("ap-code").value.trim(), kind: $("ap-kind").value };
    if ($("ap-name").value.trim()) body.name = $("ap-name").value.trim();
    if ($("ap-window").value) body.window = $("ap-window").value;
    if ($("ap-printer").value.trim()) body.printer = $("ap-printer").value.trim();
    try {
      await M.api("POST", `/halls/${M.hall}/devices/approve`, body);
      M.toast(t("dev_approved"), "ok");
      $("approve-form").reset();
      load();
    } catch (e) {
      M.fail(e);
    }
  });
  $("kiosk-required").addEventListener("change", (ev) => M.api("PUT",
    `/halls/${M.hall}/devices/settings`, { kiosk_device_required: ev.target.checked })
    .then(load, M.fail));
  $("ap-kind").replaceChildren(...["kiosk", "hall_screen", "window_screen", "pad"].map((k) =>
    el("option", { value: k, text: t("dev_kind_" + k) })));

  M.devices = {
    load,
    /** alert.device from the managers room: said at once, then the list confirms it. */
    alert(a) {
      M.toast(`${t("dev_alert")}: ${a.name || "#" + a.device} ${t("dev_problem_" + a.problem)}`, "error");
      load();
    },
  };
  setInterval(load, 10000);
  setInterval(() => { // heartbeat ages tick between fetches
    if (!state) return;
    document.querySelectorAll("#devices-table td[data-quiet]").forEach((td, i) => {
      const d = state.devices[i];
      if (d && d.silent_s !== null) td.textContent = M.dur(d.silent_s + Math.floor((Date.now() - fetchedAt) / 1000));
    });
  }, 1000);
  loadWindows().catch(M.fail);
  load();
})();
