/* A paired device's page (kiosk, hall screen, window screen): the device token kept by the
   pairing page (/pair/<hall>) is sent with every API call, a heartbeat goes out every
   data-beat-ms, and the server's answer says what to show (a kiosk's printer out of paper
   covers the page until paper is back). A revoked token sends the device back to pairing; a
   hall that requires paired kiosks sends an unpaired kiosk there at once. Unpaired pages of
   halls that don't require it keep working as before. */
(function () {
  "use strict";
  const HallQ = window.HallQ;
  const box = document.getElementById("device");
  if (!box) return;
  const { t } = HallQ.i18n;
  const hall = box.dataset.hall;
  const KEY = "hallq.device." + hall;
  let stored = null;
  try {
    stored = JSON.parse(localStorage.getItem(KEY) || "null");
  } catch (e) {
    stored = null;
  }
  const pairUrl = `/pair/${encodeURIComponent(hall)}${location.search}`;
  const device = (HallQ.device = { stored, state: null });
  if (!stored || !stored.token) {
    if (box.dataset.required === "1") location.replace(pairUrl);
    return;
  }
  HallQ.deviceToken = stored.token;

  function show(d) {
    const paperOut = d.kind === "kiosk" && d.printer_state === "paper_out";
    document.getElementById("device-banner").textContent = paperOut ? t("device.paper_out") : "";
    box.hidden = !paperOut;
    document.body.dataset.printer = d.printer_state || "";
  }

  async function beat() {
    try {
      const r = await HallQ.api("POST", "/devices/heartbeat", { page: location.pathname });
      device.state = r.device;
      show(r.device);
    } catch (e) {
      if (e.status === 401) { // revoked: this device must be paired again
        localStorage.removeItem(KEY);
        HallQ.deviceToken = null;
        location.replace(pairUrl);
      }
    }
  }

  beat();
  setInterval(beat, Number(box.dataset.beatMs) || 30000);
})();
