/* The screen above one window: its name, current number, clerk and staff number, state. */
(function () {
  "use strict";
  const { t, pick, apply } = HallQ.i18n;
  const root = document.getElementById("window-screen");
  const windowId = root.dataset.window;
  const $ = (id) => document.getElementById(id);
  let win = null;

  function render(flash) {
    if (!win) return;
    $("ws-name").textContent = pick(win);
    $("ws-clerk").textContent = win.clerk ? win.clerk.display_name : "";
    $("ws-staff").textContent = win.clerk && win.clerk.staff_no ? t("staff_no", { n: win.clerk.staff_no }) : "";
    const off = win.status !== "open" && !win.current;
    $("ws-serving").hidden = off;
    $("ws-off").hidden = !off;
    root.dataset.status = win.status;
    if (off) {
      $("ws-state").textContent = t(win.status === "paused" ? "paused" : "closed");
      $("ws-reason").textContent = win.status === "paused" ? (win.pause_reason || "") : t("closed_hint");
      return;
    }
    const cur = win.current;
    $("ws-label").textContent = cur ? t(cur.status === "serving" ? "serving_now" : "calling") : t("idle");
    $("ws-number").textContent = cur ? cur.number : "—";
    $("ws-service").textContent = cur ? pick(cur, "service_name") : "";
    if (flash) {
      $("ws-main").classList.remove("flash");
      void $("ws-main").offsetWidth;
      $("ws-main").classList.add("flash");
    }
  }

  apply();
  window.__hallq = { live: HallQ.live({
    subs: [{ window: windowId }],
    resyncEveryMs: 5 * 60 * 1000,
    onSnapshot: (d) => { win = d.window; render(false); },
    on: {
      "window.updated": (d) => { win = d.window; render(false); },
      "ticket.called": (c) => {
        if (win && c.window.id === windowId) {
          // The window.updated that follows has the full ticket; show the number at once.
          win.current = Object.assign({}, win.current || {}, { number: c.number, status: "called",
            service_name: c.service_name, service_name_en: c.service_name_en });
          render(true);
        }
      },
    },
  }) };
})();
