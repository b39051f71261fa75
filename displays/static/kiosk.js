/* The ticket kiosk: category → service → confirm (materials, people ahead, ETA) → slip; or
   找业务 (guide.js: search with the on-screen letter keyboard, guided questions) → confirm.
   预约取号 (appointment check-in): straight to the code + ID number on an on-screen keypad (the
   booking fixes the service) → slip marked 预约, naming the service the server answered with.
   The ID number is only ever shown masked (last 4) and never kept. */
(function () {
  "use strict";
  const { t, pick, pickList, minutes, apply, lang } = HallQ.i18n;
  const IDLE_MS = Number(new URLSearchParams(location.search).get("idle") || 60) * 1000;
  const SLIP_MS = 30000;
  const hall = document.getElementById("kiosk").dataset.hall;
  const kioskId = document.getElementById("kiosk").dataset.kiosk; // its printer: HALLQ_PRINTERS
  const $ = (id) => document.getElementById(id);
  let data = { categories: [], services: [] };
  let chosenCategory = null, chosenService = null, busy = false, idleTimer = null;
  // Appointment check-in: codes use the server's alphabet (no 0/O, 1/I).
  const CODE_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789", CODE_LEN = 8, ID_LEN = 18;
  let apptMode = false, apptField = "code", apptCode = "", apptId = "";

  function show(step) {
    for (const s of document.querySelectorAll(".step")) s.hidden = s.id !== "step-" + step;
    window.scrollTo(0, 0);
    armIdle(step === "slip" ? SLIP_MS : IDLE_MS, step !== "category" || apptMode);
  }

  function armIdle(ms, on) {
    clearTimeout(idleTimer);
    if (on) idleTimer = setTimeout(reset, ms);
  }

  function reset() {
    chosenCategory = chosenService = null;
    setApptMode(false);
    HallQ.kioskId.clear(); // the ID typed on the confirm step and 老年模式: the next citizen's own
    $("priority").checked = false;
    $("confirm-error").hidden = true;
    load();
    show("category");
  }

  function etaText(s) {
    if (s == null) return "—"; // no open window can take it now
    return s > 0 ? t("eta_short", { n: minutes(s) }) : t("eta_none");
  }

  async function load() {
    try {
      data = await HallQ.api("GET", `/halls/${hall}/services`);
      // a service no window takes yet is not offered (issuing it would be refused)
      data.services = data.services.filter((s) => s.servable !== false);
    } catch (e) {
      $("categories").innerHTML = `<div class="toast error">${t("load_failed")}</div>`;
      return;
    }
    renderCategories();
    if (chosenCategory) renderServices();
  }

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  function renderCategories() {
    const box = $("categories");
    box.replaceChildren();
    for (const c of data.categories) {
      const svcs = data.services.filter((s) => s.category === c.id);
      if (!svcs.length) continue;
      const waiting = svcs.reduce((n, s) => n + (s.waiting || 0), 0);
      const b = el("button", "tile");
      b.dataset.category = c.id;
      b.append(el("span", "tile-prefix", c.prefix), el("span", "tile-name", pick(c)),
        el("span", "tile-meta", t("waiting_n", { n: waiting })));
      b.addEventListener("click", () => { chosenCategory = c; renderServices(); show("service"); });
      box.append(b);
    }
    // a hall just set up (or with every service retired) has nothing to offer yet
    if (!box.children.length) box.append(el("p", "kiosk-empty", t("no_services")));
  }

  function renderServices() {
    $("service-heading").textContent = t("services_in", { name: pick(chosenCategory) });
    const box = $("services");
    box.replaceChildren();
    for (const s of data.services.filter((x) => x.category === chosenCategory.id)) {
      const b = el("button", "row");
      b.dataset.service = s.id;
      b.append(el("span", "row-name", pick(s)),
        // the same service's waiting count: what a citizen can check on the hall screen
        el("span", "row-meta", t("pick_hint", { eta: etaText(s.eta_s), n: s.waiting ?? 0 })));
      b.addEventListener("click", () => { chosenService = s; renderConfirm(); show("confirm"); });
      box.append(b);
    }
  }

  function renderConfirm() {
    const s = chosenService;
    $("confirm-service").textContent = pick(s);
    // the dispatcher's count: everyone called before this ticket, other services at the same
    // windows included; said so, since the list above counts this service only
    const ahead = s.ahead ?? s.waiting ?? 0;
    const others = ahead - (s.waiting ?? 0);
    $("confirm-ahead").textContent = t("people", { n: ahead });
    $("confirm-ahead-others").hidden = others <= 0;
    $("confirm-ahead-others").textContent = others > 0 ? t("ahead_others", { n: others }) : "";
    $("confirm-eta").textContent = etaText(s.eta_s);
    const ol = $("confirm-materials");
    const mats = pickList(s); // English when the page is, else (or if none given) Chinese
    ol.replaceChildren(...(mats.length ? mats : [t("no_materials")]).map((m) => el("li", null, m)));
    $("confirm-error").hidden = true;
    $("take").disabled = false;
    $("take").textContent = t("take_ticket");
  }

  async function take() {
    if (busy || !chosenService) return; // double taps issue one ticket
    busy = true;
    $("take").disabled = true;
    $("take").textContent = t("taking");
    try {
      const body = { service: chosenService.id, channel: "kiosk" };
      if ($("priority").checked) body.priority = 1;
      const idNumber = HallQ.kioskId.value(); // an elderly holder's ticket gets priority
      if (idNumber) body.id_number = idNumber;
      if (HallQ.kioskId.agentIncomplete()) throw new HallQ.ApiError(0, "agent_ids", t("agent_ids_needed"));
      const agent = HallQ.kioskId.agent(); // 代办: both IDs
      if (agent) body.agent_id_number = agent;
      const issued = await HallQ.issue(hall, body);
      await showSlip(issued);
    } catch (e) {
      $("confirm-error").textContent = e.message;
      $("confirm-error").hidden = false;
      $("take").disabled = false;
      $("take").textContent = t("take_ticket");
    } finally {
      busy = false;
    }
  }

  function setApptMode(on) {
    apptMode = on;
    apptCode = apptId = ""; // the ID number is never kept past the check-in
    apptField = "code";
    $("appt-error").hidden = true;
    renderApptFields(); // wipe the form's drawn values too
  }

  function renderApptFields() {
    $("appt-code").textContent = apptCode.padEnd(CODE_LEN, "_");
    // Masked: only the last four positions (15–18) are ever drawn.
    $("appt-id").textContent = Array.from({ length: ID_LEN }, (_, i) =>
      i >= apptId.length ? "_" : i < ID_LEN - 4 ? "•" : apptId[i]).join("");
    $("appt-code-field").classList.toggle("active", apptField === "code");
    $("appt-id-field").classList.toggle("active", apptField === "id");
    const ready = apptCode.length === CODE_LEN && apptId.length === ID_LEN;
    $("appt-submit").disabled = busy || !ready;
    $("appt-submit").textContent = t(busy ? "taking" : "appt_submit");
    renderKeypad();
  }

  function renderKeypad() {
    const pad = $("keypad");
    if (pad.dataset.field === apptField) return;
    pad.dataset.field = apptField;
    pad.className = "keypad " + apptField;
    const keys = apptField === "code" ? CODE_CHARS.split("")
      : ["1", "2", "3", "4", "5", "6", "7", "8", "9", "X", "0"];
    pad.replaceChildren(...keys.map((k) => {
      const b = el("button", "key num", k);
      b.dataset.action = "key";
      b.dataset.key = k;
      return b;
    }));
    for (const [k, label] of [["del", "key_del"], ["clear", "key_clear"]]) {
      const b = el("button", "key key-fn", t(label));
      b.dataset.action = "key";
      b.dataset.key = k;
      pad.append(b);
    }
  }

  function apptKey(k) {
    if (busy) return;
    $("appt-error").hidden = true;
    const isCode = apptField === "code";
    let v = isCode ? apptCode : apptId;
    if (k === "del") v = v.slice(0, -1);
    else if (k === "clear") v = "";
    else if (isCode && v.length < CODE_LEN && CODE_CHARS.includes(k)) v += k;
    else if (!isCode && v.length < ID_LEN && /^[0-9]$/.test(k)) v += k;
    else if (!isCode && v.length === ID_LEN - 1 && k === "X") v += k; // X only as check digit
    if (isCode) {
      apptCode = v;
      if (v.length === CODE_LEN && apptId.length < ID_LEN) apptField = "id"; // on to the ID
    } else {
      apptId = v;
    }
    renderApptFields();
  }

  async function apptSubmit() {
    if (busy || apptCode.length !== CODE_LEN || apptId.length !== ID_LEN) return;
    busy = true;
    renderApptFields();
    try {
      // No service: the server takes the booked one and names it in the ticket it answers.
      const issued = await HallQ.issue(hall, {
        channel: "kiosk", appointment: apptCode, id_number: apptId });
      apptId = "";
      await showSlip(issued, true); // still busy: a second tap can't check in twice
    } catch (e) {
      $("appt-error").textContent = e.message; // the server's words, in this page's language
      $("appt-error").hidden = false;
    } finally {
      busy = false;
      if (!$("step-appt").hidden) renderApptFields();
    }
  }

  async function showSlip(issued, appointment = false) {
    let slip;
    try {
      const body = { token: issued.token, lang: HallQ.i18n.lang };
      if (kioskId) body.kiosk = kioskId;
      slip = await HallQ.fetchJSON("POST", `/kiosk/${hall}/slip`, body);
    } catch (e) {
      // The server could not even try to print: cancel rather than leave a ghost number.
      await HallQ.api("DELETE", `/tickets/${issued.token}`).catch(() => null);
      throw new HallQ.ApiError(0, "print_failed", t("print_failed"));
    }
    if (slip.printer === "failed") {
      if (slip.cancelled) throw new HallQ.ApiError(0, "print_failed", t("print_failed"));
      setStatus(t("print_failed_kept"), "error");
    } else {
      setStatus(slip.printer === "ok" ? t("printed") : t("print_screen"), "ok");
    }
    const tk = slip.ticket;
    $("slip-hall").textContent = $("hall-name").textContent;
    $("slip-number").textContent = tk.number;
    $("slip-appt").hidden = !appointment;
    $("slip-service").textContent = pick(tk, "service_name");
    $("slip-time").textContent = (tk.issued_at || "").slice(0, 16).replace("T", " ");
    $("slip-ahead").textContent = t("people", { n: tk.position ?? 0 });
    $("slip-qr").innerHTML = slip.qr_svg; // server-made SVG from segno
    $("slip-qr").dataset.url = slip.url;
    show("slip");
    if (slip.printer === "none" && new URLSearchParams(location.search).get("print") === "browser") {
      window.print(); // kiosk Chromium with --kiosk-printing prints the 80 mm slip silently
    }
  }

  function setStatus(text, kind) {
    $("slip-status").textContent = text;
    $("slip-status").className = "toast " + kind;
  }

  document.addEventListener("click", (ev) => {
    const a = ev.target.closest("[data-action]");
    if (!a) return;
    const act = a.dataset.action;
    if (act === "back-category") show("category");
    else if (act === "back-service") show("service");
    else if (act === "take") take();
    else if (act === "done") reset();
    else if (act === "appt-start") { setApptMode(true); show("appt"); }
    else if (act === "appt-cancel") reset();
    else if (act === "appt-field") { apptField = a.dataset.field; renderApptFields(); }
    else if (act === "key") apptKey(a.dataset.key);
    else if (act === "appt-submit") apptSubmit();
    else if (act === "guide-start") { guide.reset(); show("guide"); }
    else if (act === "guide-cancel") reset();
    else if (act === "case-start") { HallQKioskCases.reset(); show("case"); }
    else if (act === "case-cancel") { HallQKioskCases.reset(); reset(); }
  });

  // 办件进度 (kiosk_cases.js) prints a ready case's 出件 ticket on the same slip
  window.HallQKiosk = { showSlip };

  // 找业务: the search and guided questions end in one service's confirm step
  const guide = HallQGuide.mount({ root: $("guide"), hall, keyboard: true, onChoose: (id) => {
    const s = data.services.find((x) => x.id === id);
    if (!s) return; // not offered here now (no window takes it)
    chosenCategory = data.categories.find((c) => c.id === s.category) || null;
    chosenService = s;
    if (chosenCategory) renderServices();
    renderConfirm();
    show("confirm");
  } });
  function touched() {
    if ($("step-category").hidden || apptMode) {
      armIdle($("step-slip").hidden ? IDLE_MS : SLIP_MS, true);
    }
  }
  document.addEventListener("pointerdown", touched);
  // A hardware keyboard (or a scanner typing the code) works on the appointment form too.
  document.addEventListener("keydown", (ev) => {
    touched();
    if ($("step-appt").hidden || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.key === "Backspace") apptKey("del");
    else if (ev.key === "Enter") apptSubmit();
    else if (ev.key === "Tab") { apptField = apptField === "code" ? "id" : "code"; renderApptFields(); }
    else if (ev.key.length === 1) apptKey(ev.key.toUpperCase());
    else return;
    ev.preventDefault();
  });

  function tick() {
    const w = HallQ.i18n.wall($("clock").dataset.tz); // the hall's time zone, not the browser's
    $("clock").textContent = `${w.y}-${w.mo}-${w.d} ${w.h}:${w.mi}`;
  }

  const hn = $("hall-name");
  if (lang === "en" && hn.dataset.en) hn.textContent = hn.dataset.en;
  const ls = $("lang-switch");
  ls.textContent = t("lang_other");
  ls.href = lang === "en" ? location.pathname : location.pathname + "?lang=en";
  apply();
  tick();
  setInterval(tick, 10000);
  setInterval(() => { if (!$("step-category").hidden) load(); }, 30000); // fresh counts
  load();
  show("category");
})();
