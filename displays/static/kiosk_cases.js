/* 办件进度 at the kiosk: a case looked up by its number and the ID number's last six
   characters, typed on an on-screen keyboard (or a hardware one, or a scanner); its steps;
   a ready case's 出件 ticket printed like any other (kiosk.js's slip). Nothing typed is
   kept past the look-up. */
(function () {
  "use strict";
  const { t } = HallQ.i18n;
  const $ = (id) => document.getElementById(id);
  const KEYS = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ".split("").concat(["I", "O"]);
  let field = "no", caseNo = "", suffix = "";

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  function draw() {
    $("case-no").textContent = caseNo || "_";
    $("case-id").textContent = suffix.padEnd(6, "_");
    $("case-no-field").classList.toggle("active", field === "no");
    $("case-id-field").classList.toggle("active", field === "id");
    $("case-submit").disabled = !caseNo || suffix.length !== 6;
  }

  function key(k) {
    $("case-error").hidden = true;
    let v = field === "no" ? caseNo : suffix;
    if (k === "del") v = v.slice(0, -1);
    else if (k === "clear") v = "";
    else if (field === "no" && v.length < 40 && /^[0-9A-Z-]$/.test(k)) v += k;
    else if (field === "id" && v.length < 5 && /^[0-9]$/.test(k)) v += k;
    else if (field === "id" && v.length === 5 && /^[0-9X]$/.test(k)) v += k;
    if (field === "no") caseNo = v; else suffix = v;
    draw();
  }

  function reset() {
    field = "no";
    caseNo = suffix = "";
    $("case-error").hidden = true;
    $("case-result").replaceChildren();
    draw();
  }

  async function submit() {
    const hall = document.getElementById("kiosk").dataset.hall;
    const body = { case_no: caseNo, id_suffix: suffix };
    $("case-result").replaceChildren();
    try {
      const { case: c } = await HallQ.api("POST", `/halls/${hall}/cases/lookup`, body);
      const box = el("div", "case");
      HallQCases.render(box, c, async () => {
        const issued = await HallQ.api("POST", `/halls/${hall}/cases/collect`,
          { ...body, channel: "kiosk" });
        reset();
        await HallQKiosk.showSlip(issued);
      });
      $("case-result").append(box);
    } catch (e) {
      $("case-error").textContent = e.status === 404 ? t("cases.lookup_none") : e.message;
      $("case-error").hidden = false;
    }
  }

  const pad = $("case-keys");
  for (const k of KEYS.sort()) {
    const b = el("button", "key guide-key num", k);
    b.type = "button";
    b.dataset.caseKey = k;
    pad.append(b);
  }
  for (const [k, label] of [["-", null], ["del", "key_del"], ["clear", "key_clear"]]) {
    const b = el("button", "key key-fn guide-key", label ? t(label) : k);
    b.type = "button";
    b.dataset.caseKey = k;
    pad.append(b);
  }
  pad.addEventListener("click", (ev) => {
    const b = ev.target.closest("[data-case-key]");
    if (b) key(b.dataset.caseKey);
  });
  $("case-no-field").addEventListener("click", () => { field = "no"; draw(); });
  $("case-id-field").addEventListener("click", () => { field = "id"; draw(); });
  $("case-submit").addEventListener("click", submit);
  document.addEventListener("keydown", (ev) => {
    if ($("step-case").hidden || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.key === "Backspace") key("del");
    else if (ev.key === "Enter") { if (!$("case-submit").disabled) submit(); }
    else if (ev.key === "Tab") { field = field === "no" ? "id" : "no"; draw(); }
    else if (ev.key.length === 1) key(ev.key.toUpperCase());
    else return;
    ev.preventDefault();
  });
  window.HallQKioskCases = { reset };
  reset();
})();
