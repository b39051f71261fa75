/* 智能引导, shared by the kiosk and the phone page: a search over the hall's services (names,
   keywords, pinyin and its initials; GET /guide?q=) and the guided questions per category
   (GET /guide/flows), each ending in one service handed to the page's onChoose(service).
   The kiosk adds an on-screen letter keyboard (pinyin needs no input method; a hardware
   keyboard still types Chinese). Looks-ups while typing are sent with live=1; the search the
   citizen settles on (a pause, or a pick) is counted once, and so is the service chosen. */
(function () {
  "use strict";
  const { t, pick } = HallQ.i18n;
  const SETTLE_MS = 1500, TYPE_MS = 150;
  const LETTERS = "qwertyuiopasdfghjklzxcvbnm".split("");

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  function mount({ root, hall, keyboard, onChoose }) {
    let flows = [], path = [], flow = null, typeTimer = null, settleTimer = null;
    let lastCounted = "", seq = 0;
    root.replaceChildren();
    root.classList.add("guide");
    const input = el("input", "guide-q");
    input.id = "guide-q";
    input.type = "search";
    input.autocomplete = "off";
    input.placeholder = t("guide.placeholder");
    const results = el("div", "guide-results");
    results.id = "guide-results";
    const keys = el("div", "guide-keys");
    keys.id = "guide-keys";
    const flowBox = el("div", "guide-flows");
    flowBox.id = "guide-flows";
    const question = el("div", "guide-question");
    question.id = "guide-question";
    question.hidden = true;
    const search = el("div", "guide-search");
    search.append(el("h2", "guide-h", t("guide.search_title")), input);
    if (keyboard) search.append(keys);
    search.append(results);
    root.append(search, flowBox, question);

    if (keyboard) {
      for (const k of LETTERS) {
        const b = el("button", "key guide-key", k);
        b.type = "button";
        b.dataset.key = k;
        keys.append(b);
      }
      for (const [k, label] of [["del", "key_del"], ["clear", "key_clear"]]) {
        const b = el("button", "key key-fn guide-key", t(label));
        b.type = "button";
        b.dataset.key = k;
        keys.append(b);
      }
      keys.addEventListener("click", (ev) => {
        const b = ev.target.closest("[data-key]");
        if (!b) return;
        const k = b.dataset.key;
        input.value = k === "del" ? input.value.slice(0, -1) : k === "clear" ? "" : input.value + k;
        changed();
      });
    }
    input.addEventListener("input", changed);

    function changed() {
      clearTimeout(typeTimer);
      clearTimeout(settleTimer);
      typeTimer = setTimeout(() => lookup(true), TYPE_MS);
      settleTimer = setTimeout(() => lookup(false), SETTLE_MS);
    }

    async function lookup(live) {
      const q = input.value.trim();
      if (!q) { results.replaceChildren(); return; }
      if (!live && q === lastCounted) return;
      if (!live) lastCounted = q;
      const mine = ++seq;
      let found;
      try {
        found = await HallQ.api("GET", `/halls/${hall}/guide?q=${encodeURIComponent(q)}` +
          (live ? "&live=1" : ""));
      } catch (e) {
        return; // the next keystroke tries again
      }
      if (mine !== seq && live) return; // an older answer arriving late
      render(found.services, q);
    }

    function render(services, q) {
      results.replaceChildren();
      if (!services.length) {
        results.append(el("p", "guide-none", t("guide.none")));
        return;
      }
      for (const s of services) {
        const b = el("button", "guide-hit");
        b.type = "button";
        b.dataset.guideService = s.id;
        b.append(el("span", "guide-hit-name", pick(s)));
        b.addEventListener("click", () => choose(s.id, "search", { q }));
        results.append(b);
      }
    }

    function choose(service, via, extra) {
      if (via === "search" && extra.q !== lastCounted) {
        lastCounted = extra.q; // the pick settles the search: count it too
        HallQ.api("GET", `/halls/${hall}/guide?q=${encodeURIComponent(extra.q)}`).catch(() => null);
      }
      HallQ.api("POST", `/halls/${hall}/guide/choices`, { service, via, ...extra })
        .catch(() => null); // statistics never stand in the citizen's way
      onChoose(service);
    }

    function renderFlows() {
      flowBox.replaceChildren();
      if (!flows.length) return;
      flowBox.append(el("h2", "guide-h", t("guide.flows_title")));
      for (const f of flows) {
        const b = el("button", "guide-flow");
        b.type = "button";
        b.dataset.flow = f.category;
        b.textContent = pick(f);
        b.addEventListener("click", () => { flow = f; path = [f.flow]; renderQuestion(); });
        flowBox.append(b);
      }
    }

    function renderQuestion() {
      const node = path[path.length - 1];
      search.hidden = flowBox.hidden = true;
      question.hidden = false;
      question.replaceChildren(el("h2", "guide-ask", pick(node, "question")));
      for (const o of node.options) {
        const b = el("button", "guide-option");
        b.type = "button";
        b.dataset.option = o.label;
        b.textContent = pick(o, "label");
        b.addEventListener("click", () => {
          if (o.service) choose(o.service, "flow", { category: flow.category });
          else { path.push(o.next); renderQuestion(); }
        });
        question.append(b);
      }
      const back = el("button", "btn secondary guide-back", t("back"));
      back.type = "button";
      back.addEventListener("click", () => {
        path.pop();
        if (path.length) renderQuestion(); else reset();
      });
      question.append(back);
    }

    function reset() {
      input.value = "";
      lastCounted = "";
      results.replaceChildren();
      path = [];
      flow = null;
      question.hidden = true;
      search.hidden = flowBox.hidden = false;
    }

    HallQ.api("GET", `/halls/${hall}/guide/flows`).then((r) => {
      flows = r.flows;
      renderFlows();
    }).catch(() => null);
    return { reset, focus: () => input.focus() };
  }

  window.HallQGuide = { mount };
})();
