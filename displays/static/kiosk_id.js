/* The kiosk's optional ID entry on the confirm step, 代办, and 老年模式 (large text, high
   contrast). An ID card reader types the number like a keyboard; a citizen can also tap it on
   the on-screen pad. IDs are only ever drawn masked (last four) and are sent once with the
   ticket: the server gives priority from the holder's birth date (HALLQ_ELDERLY_AGE), counts
   the day's tickets per ID, and for 代办 (an agent taking the ticket for the holder, both IDs)
   the agent's tickets per day. Cleared when the kiosk resets (kiosk.js calls clear()). */
(function () {
  "use strict";
  const { t } = HallQ.i18n;
  const LEN = 18;
  const $ = (id) => document.getElementById(id);
  const ids = { holder: "", agent: "" };
  let field = null; // the field the pad and the keyboard type into: "holder", "agent" or none

  function masked(v) {
    return Array.from({ length: LEN }, (_, i) => (i >= v.length ? "_" : i < LEN - 4 ? "•" : v[i])).join("");
  }

  function render() {
    const agentOn = $("agent-on").checked;
    $("id-value").textContent = masked(ids.holder);
    $("agent-value").textContent = masked(ids.agent);
    $("agent-field").hidden = !agentOn;
    $("id-field").classList.toggle("active", field === "holder");
    $("agent-field").classList.toggle("active", field === "agent");
    $("id-keypad").hidden = !field;
  }

  function pad() {
    const keys = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "X", "0"];
    $("id-keypad").replaceChildren(...keys.map((k) => button(k, "key num", k)),
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
    if (!field) field = "holder";
    let v = ids[field];
    if (k === "del") v = v.slice(0, -1);
    else if (k === "clear") v = "";
    else if (/^[0-9]$/.test(k) && v.length < LEN) v += k;
    else if (k === "X" && v.length === LEN - 1) v += k; // X only as the check digit
    ids[field] = v;
    if (field === "holder" && v.length === LEN && $("agent-on").checked && ids.agent.length < LEN) {
      field = "agent"; // on to the agent's own ID
    }
    render();
  }

  function setElder(on) {
    document.body.classList.toggle("elder", on);
    $("elder-toggle").textContent = t(on ? "elder_mode_off" : "elder_mode");
    $("elder-toggle").setAttribute("aria-pressed", String(on));
  }

  HallQ.kioskId = {
    /** The holder's ID if complete, else null (an incomplete one is not sent). */
    value: () => (ids.holder.length === LEN ? ids.holder : null),
    /** 代办: the agent's ID when the box is ticked and the ID complete. */
    agent: () => ($("agent-on").checked && ids.agent.length === LEN ? ids.agent : null),
    /** Whether 代办 is ticked but an ID is missing (the ticket must not go out without). */
    agentIncomplete: () => $("agent-on").checked
      && (ids.agent.length !== LEN || ids.holder.length !== LEN),
    clear() {
      ids.holder = ids.agent = "";
      field = null;
      $("agent-on").checked = false;
      render();
      setElder(false);
    },
  };

  document.addEventListener("click", (ev) => {
    const k = ev.target.closest("[data-id-key]");
    if (k) { key(k.dataset.idKey); return; }
    if (ev.target.closest("#id-field")) { field = field === "holder" ? null : "holder"; render(); }
    if (ev.target.closest("#agent-field")) { field = field === "agent" ? null : "agent"; render(); }
    if (ev.target.closest("#elder-toggle")) setElder(!document.body.classList.contains("elder"));
  });
  $("agent-on").addEventListener("change", () => {
    if ($("agent-on").checked) field = ids.holder.length === LEN ? "agent" : "holder";
    else { ids.agent = ""; if (field === "agent") field = null; }
    render();
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
