/* The kiosk's optional ID entry on the confirm step and its 老年模式 (large text, high
   contrast). An ID card reader types the number like a keyboard (then Enter); a citizen can
   also tap it on the on-screen pad. It is only ever drawn masked (last four) and is sent once
   with the ticket: the server gives priority from the birth date (HALLQ_ELDERLY_AGE) and
   counts the day's tickets per ID. Cleared when the kiosk resets (kiosk.js calls clear()). */
(function () {
  "use strict";
  const { t } = HallQ.i18n;
  const LEN = 18;
  const $ = (id) => document.getElementById(id);
  let value = "", open = false;

  function render() {
    $("id-value").textContent = Array.from({ length: LEN }, (_, i) =>
      i >= value.length ? "_" : i < LEN - 4 ? "•" : value[i]).join("");
    $("id-field").classList.toggle("active", open);
    $("id-keypad").hidden = !open;
  }

  function pad() {
    const box = $("id-keypad");
    const keys = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "X", "0"];
    box.replaceChildren(...keys.map((k) => button(k, "key num", k)),
      button("del", "key key-fn", t("key_del")), button("clear", "key key-fn", t("key_clear")));
  }

  function button(key, cls, text) {
    const b = document.createElement("button");
    b.className = cls;
    b.textContent = text;
    b.dataset.idKey = key;
    return b;
  }

  function key(k) {
    if (k === "del") value = value.slice(0, -1);
    else if (k === "clear") value = "";
    else if (/^[0-9]$/.test(k) && value.length < LEN) value += k;
    else if (k === "X" && value.length === LEN - 1) value += k; // X only as the check digit
    render();
  }

  function setElder(on) {
    document.body.classList.toggle("elder", on);
    $("elder-toggle").textContent = t(on ? "elder_mode_off" : "elder_mode");
    $("elder-toggle").setAttribute("aria-pressed", String(on));
  }

  HallQ.kioskId = {
    /** The typed ID if complete, else null (an incomplete one is not sent). */
    value: () => (value.length === LEN ? value : null),
    clear() { value = ""; open = false; render(); setElder(false); },
  };

  document.addEventListener("click", (ev) => {
    const k = ev.target.closest("[data-id-key]");
    if (k) { key(k.dataset.idKey); return; }
    if (ev.target.closest("#id-field")) { open = !open; render(); }
    if (ev.target.closest("#elder-toggle")) setElder(!document.body.classList.contains("elder"));
  });
  document.addEventListener("keydown", (ev) => {
    if ($("step-confirm").hidden || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (/^[0-9xX]$/.test(ev.key)) key(ev.key.toUpperCase());
    else if (ev.key === "Backspace") key("del");
    else return;
    ev.preventDefault();
  });

  const age = Number($("id-entry").dataset.elderlyAge || 0);
  $("id-entry-hint").textContent = age > 0 ? t("id_entry_hint", { age }) : t("id_entry_hint_off");
  pad();
  render();
  setElder(false);
})();
