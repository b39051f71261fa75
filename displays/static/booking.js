/* Appointments on the phone. /m/<hall>/book: a service, a day (today and the next 13), its
   half-hour slots with places free, the ID number (and a phone number for reminders) → the
   booking's own page /a/<code>. There: the service, time and state; check in (in the hall,
   from an hour before the slot) → the ticket's page /t/<token>; reschedule to another slot;
   cancel (a second tap confirms). Every action needs the ID number booked with. */
(function () {
  "use strict";
  const { t, pick, apply, lang, href } = HallQ.i18n;
  const main = document.getElementById("booking");
  const { hall, mode, code, tz } = main.dataset;
  const $ = (id) => document.getElementById(id);
  const DAYS = 14;
  let service = null, chosen = null, busy = false, appt = null, cancelArmed = false;

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  const hhmm = (iso) => iso.slice(11, 16); // hall-local: the server writes the hall's offset
  const dayOf = (iso) => iso.slice(0, 10);

  function say(id, text) {
    for (const k of ["b-error", "b-msg"]) $(k).hidden = true;
    if (text) { $(id).textContent = text; $(id).hidden = false; }
  }

  function fillDays() {
    const fmt = new Intl.DateTimeFormat("en-CA", { timeZone: tz, year: "numeric",
      month: "2-digit", day: "2-digit" });
    const names = new Intl.DateTimeFormat(lang === "en" ? "en-GB" : "zh-CN", { timeZone: tz,
      weekday: "short", month: "numeric", day: "numeric" });
    const box = $("b-date");
    box.replaceChildren();
    for (let i = 0; i < DAYS; i++) {
      const d = new Date(Date.now() + i * 86400000);
      const o = el("option", null, names.format(d));
      o.value = fmt.format(d);
      box.append(o);
    }
  }

  async function loadSlots() {
    chosen = null;
    const box = $("b-slots");
    box.replaceChildren();
    if (!service) return;
    let data;
    try {
      data = await HallQ.api("GET", `/halls/${hall}/slots?service=${encodeURIComponent(service)}`
        + `&date=${$("b-date").value}`);
    } catch (e) {
      say("b-error", e.message);
      return;
    }
    const open = data.slots.filter((s) => s.free > 0 && (!appt || s.slot_at !== appt.slot_at));
    for (const s of data.slots) {
      if (!open.includes(s)) continue;
      const b = el("button", "b-slot");
      b.dataset.at = s.slot_at;
      b.append(el("b", null, hhmm(s.slot_at)), el("span", null, t("b_free", { n: s.free })));
      b.addEventListener("click", () => {
        chosen = s.slot_at;
        for (const x of box.children) x.classList.toggle("chosen", x === b);
      });
      box.append(b);
    }
    if (!box.children.length) box.append(el("p", "m-hint", t("b_no_slots")));
  }

  function idNumber() {
    const v = $("b-id").value.trim().toUpperCase();
    if (!v) say("b-error", t("a_id_needed"));
    return v;
  }

  async function act(fn) {
    if (busy) return; // a double tap acts once
    busy = true;
    try {
      await fn();
    } catch (e) {
      say("b-error", e.message);
    } finally {
      busy = false;
    }
  }

  // -- booking ------------------------------------------------------------------------------
  async function startBook() {
    let data;
    try {
      data = await HallQ.api("GET", `/halls/${hall}/services`);
    } catch (e) {
      say("b-error", t("load_failed"));
      return;
    }
    const sel = $("b-service");
    for (const s of data.services.filter((x) => x.servable !== false)) {
      const o = el("option", null, pick(s));
      o.value = s.id;
      sel.append(o);
    }
    service = sel.value || null;
    sel.addEventListener("change", () => { service = sel.value; loadSlots(); });
    $("b-date").addEventListener("change", loadSlots);
    $("b-book").addEventListener("click", () => act(async () => {
      if (!chosen) { say("b-error", t("b_pick_slot")); return; }
      const id = idNumber();
      if (!id) return;
      const body = { service, slot_at: chosen, id_number: id };
      const phone = $("b-phone").value.trim();
      if (phone) body.phone = phone;
      const { appointment } = await HallQ.api("POST", `/halls/${hall}/appointments`, body);
      location.href = href(`/a/${encodeURIComponent(appointment.code)}`);
    }));
    loadSlots();
  }

  // -- the booking's page ---------------------------------------------------------------------
  function render() {
    $("a-service").textContent = lang === "en" && appt.service_name_en
      ? appt.service_name_en : appt.service_name;
    $("a-when").textContent = `${dayOf(appt.slot_at)} ${hhmm(appt.slot_at)}`;
    $("a-status").textContent = t(`a_status_${appt.status}`);
    $("a-status").dataset.status = appt.status;
    $("a-hint").textContent = t("a_checkin_hint", { from: hhmm(appt.check_in_from),
      until: hhmm(appt.check_in_until) });
    const booked = appt.status === "booked";
    for (const id of ["a-checkin", "a-resched", "a-cancel"]) $(id).disabled = !booked;
    $("a-hint").hidden = !booked;
  }

  async function loadAppt() {
    try {
      appt = (await HallQ.api("GET", `/appointments/${encodeURIComponent(code)}`)).appointment;
    } catch (e) {
      say("b-error", e.message);
      return;
    }
    service = appt.service;
    render();
  }

  function startShow() {
    $("a-resched").addEventListener("click", () => {
      $("b-form").hidden = false;
      $("a-resched-go").hidden = false;
      $("b-date").value = dayOf(appt.slot_at);
      loadSlots();
    });
    $("b-date").addEventListener("change", loadSlots);
    $("a-resched-go").addEventListener("click", () => act(async () => {
      if (!chosen) { say("b-error", t("b_pick_slot")); return; }
      const id = idNumber();
      if (!id) return;
      appt = (await HallQ.api("POST", `/appointments/${encodeURIComponent(code)}/reschedule`,
        { id_number: id, slot_at: chosen })).appointment;
      render();
      $("b-form").hidden = true;
      $("a-resched-go").hidden = true;
      say("b-msg", t("a_rescheduled", { when: `${dayOf(appt.slot_at)} ${hhmm(appt.slot_at)}` }));
    }));
    $("a-cancel").addEventListener("click", () => act(async () => {
      const id = idNumber();
      if (!id) return;
      if (!cancelArmed) { // the second tap cancels
        cancelArmed = true;
        $("a-cancel").textContent = t("a_cancel_sure");
        return;
      }
      appt = (await HallQ.api("POST", `/appointments/${encodeURIComponent(code)}/cancel`,
        { id_number: id })).appointment;
      $("a-cancel").textContent = t("a_cancel");
      render();
      say("b-msg", t("a_cancelled"));
    }));
    $("a-checkin").addEventListener("click", () => act(async () => {
      const id = idNumber();
      if (!id) return;
      const { token } = await HallQ.api("POST",
        `/appointments/${encodeURIComponent(code)}/check-in`, { id_number: id });
      location.href = href(`/t/${encodeURIComponent(token)}`);
    }));
    loadAppt();
  }

  const ls = $("lang-switch");
  ls.textContent = t("lang_other");
  ls.href = lang === "en" ? location.pathname : location.pathname + "?lang=en";
  const hn = $("hall-name");
  hn.textContent = (lang === "en" && hn.dataset.en) || hn.dataset.zh;
  apply();
  fillDays();
  if (mode === "book") startBook(); else startShow();
})();
