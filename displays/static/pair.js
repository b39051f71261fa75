/* The pairing page: ask for a code, show it, poll until a manager approved it in the console
   (设备 on the monitor), keep the device token, then open the page of the device's kind. */
(function () {
  "use strict";
  const HallQ = window.HallQ;
  const { t, apply } = HallQ.i18n;
  const root = document.getElementById("pair");
  const hall = root.dataset.hall;
  const KEY = "hallq.device." + hall;
  const params = new URLSearchParams(location.search);
  const lang = params.get("lang") === "en" ? "?lang=en" : "";
  const $ = (id) => document.getElementById(id);
  let secret = null;

  function pageOf(d) {
    const base = { kiosk: `/kiosk/${hall}`, hall_screen: `/display/${hall}`,
      window_screen: `/display/${hall}/window/${d.window}` }[d.kind];
    return base ? base + lang : null;
  }

  function opened(d) {
    const url = pageOf(d);
    if (url) location.replace(url);
    else { // a calling pad: a hardware device works the API itself
      $("pair-code").textContent = "✓";
      $("pair-state").textContent = t("pair_done_pad");
    }
  }

  async function start() {
    try {
      const r = await HallQ.api("POST", `/halls/${hall}/devices/pair`,
        params.get("name") ? { name: params.get("name").slice(0, 40) } : {});
      secret = r.secret;
      $("pair-code").textContent = r.code;
      $("pair-state").textContent = t("pair_waiting");
      setTimeout(poll, 1500);
    } catch (e) {
      $("pair-state").textContent = e.message;
      setTimeout(start, 10000);
    }
  }

  async function poll() {
    try {
      const r = await HallQ.api("POST", "/devices/poll", { secret });
      if (r.status === "active") {
        localStorage.setItem(KEY, JSON.stringify({ token: r.token, id: r.device.id,
          kind: r.device.kind, window: r.device.window }));
        $("pair-state").textContent = t("pair_done");
        opened(r.device);
        return;
      }
    } catch (e) {
      if (e.status === 404) return start(); // expired or refused: a new code
    }
    setTimeout(poll, 1500);
  }

  apply();
  let stored = null;
  try {
    stored = JSON.parse(localStorage.getItem(KEY) || "null");
  } catch (e) {
    stored = null;
  }
  if (stored && stored.token && pageOf(stored)) { // paired already: its page says if revoked
    location.replace(pageOf(stored));
    return;
  }
  document.querySelectorAll("[data-zh]").forEach((el) => (el.textContent = HallQ.i18n.pick(
    { name: el.dataset.zh, name_en: el.dataset.en })));
  start();
})();
