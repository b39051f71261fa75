/* Taking a ticket on the phone, /m/<hall>: services by category with their waiting counts and
   waits → one service's materials, people ahead and wait → take (channel "mobile") → the
   ticket's own page /t/<token>. The token of the last ticket taken here is kept on the phone
   (localStorage), so coming back to this page leads to it again instead of a second number.
   Above the list, 找业务 (guide.js); below it, 办件进度 (a case look-up, cases.js). */
(function () {
  "use strict";
  const { t, pick, pickList, minutes, apply, lang, href } = HallQ.i18n;
  const main = document.getElementById("mobile");
  const hall = main.dataset.hall;
  const KEEP = `hallq.mobile.${hall}`;
  const REFRESH_MS = 30000;
  const $ = (id) => document.getElementById(id);
  let data = { categories: [], services: [] }, chosen = null, busy = false;

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  function etaText(s) {
    if (s == null) return "—"; // no open window takes it now
    return s > 0 ? t("eta_short", { n: minutes(s) }) : t("eta_none");
  }

  function kept() {
    try {
      const k = JSON.parse(localStorage.getItem(KEEP) || "null");
      return k && k.day === new Date().toDateString() ? k : null; // numbers restart each day
    } catch (e) {
      return null;
    }
  }

  function showMine() {
    const k = kept();
    $("mine").hidden = !k;
    if (!k) return;
    $("mine").textContent = t("m_mine", { number: k.number });
    $("mine").href = href(`/t/${encodeURIComponent(k.token)}`);
  }

  async function load() {
    try {
      data = await HallQ.api("GET", `/halls/${hall}/services`);
      data.services = data.services.filter((s) => s.servable !== false);
      $("m-error").hidden = true;
    } catch (e) {
      $("m-error").textContent = t("load_failed");
      $("m-error").hidden = false;
      return;
    }
    renderList();
    if (chosen) {
      chosen = data.services.find((s) => s.id === chosen.id) || null;
      if (chosen) renderConfirm(); else showList();
    }
  }

  function renderList() {
    const box = $("m-categories");
    box.replaceChildren();
    for (const c of data.categories) {
      const svcs = data.services.filter((s) => s.category === c.id);
      if (!svcs.length) continue;
      const sec = el("section", "m-cat");
      const h = el("h2");
      h.append(el("span", "m-prefix", c.prefix), pick(c));
      sec.append(h);
      for (const s of svcs) {
        const b = el("button", "m-row");
        b.dataset.service = s.id;
        b.append(el("span", "m-row-name", pick(s)),
          el("span", "m-row-meta", t("pick_hint", { eta: etaText(s.eta_s), n: s.waiting ?? 0 })));
        b.addEventListener("click", () => { chosen = s; renderConfirm(); });
        sec.append(b);
      }
      box.append(sec);
    }
    if (!box.children.length) box.append(el("p", "m-hint", t("no_services")));
  }

  function showList() {
    $("m-confirm").hidden = true;
    $("m-list").hidden = false;
  }

  function renderConfirm() {
    const s = chosen;
    $("m-service").textContent = pick(s);
    const ahead = s.ahead ?? s.waiting ?? 0;
    const others = ahead - (s.waiting ?? 0);
    $("m-ahead").textContent = ahead;
    $("m-eta").textContent = etaText(s.eta_s);
    $("m-others").hidden = others <= 0;
    $("m-others").textContent = others > 0 ? t("ahead_others", { n: others }) : "";
    const mats = pickList(s);
    $("m-materials").replaceChildren(...(mats.length ? mats : [t("no_materials")])
      .map((m) => el("li", null, m)));
    if (!busy) $("m-take-error").hidden = true;
    $("m-take").disabled = busy || main.dataset.on !== "1";
    $("m-list").hidden = true;
    $("m-confirm").hidden = false;
  }

  async function take() {
    if (busy || !chosen) return; // a double tap takes one ticket
    busy = true;
    $("m-take").disabled = true;
    $("m-take").textContent = t("taking");
    try {
      const { ticket, token } = await HallQ.issue(hall, { service: chosen.id, channel: "mobile" });
      try {
        localStorage.setItem(KEEP, JSON.stringify({ token, number: ticket.number,
          day: new Date().toDateString() }));
      } catch (e) { /* private mode: the ticket page's own link is enough */ }
      location.href = href(`/t/${encodeURIComponent(token)}`);
    } catch (e) {
      $("m-take-error").textContent = e.message;
      $("m-take-error").hidden = false;
      $("m-take").disabled = false;
      $("m-take").textContent = t("take_ticket");
      busy = false;
    }
  }

  $("m-book").href = href(`/m/${hall}/book`);
  // 找业务: search (the phone's own keyboard) or guided questions → the service's confirm
  HallQGuide.mount({ root: $("m-guide"), hall, keyboard: false, onChoose: (id) => {
    const s = data.services.find((x) => x.id === id);
    if (s) { chosen = s; renderConfirm(); window.scrollTo(0, 0); }
  } });

  // 办件进度: a case by its number and the ID number's last six characters
  $("m-case-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const body = { case_no: $("m-case-no").value.trim(),
      id_suffix: $("m-case-id").value.trim().toUpperCase() };
    $("m-case-error").hidden = true;
    $("m-case").replaceChildren();
    try {
      const { case: c } = await HallQ.api("POST", `/halls/${hall}/cases/lookup`, body);
      HallQCases.render($("m-case"), c, async () => {
        const { token } = await HallQ.api("POST", `/halls/${hall}/cases/collect`,
          { ...body, channel: "mobile" });
        location.href = href(`/t/${encodeURIComponent(token)}`);
      });
    } catch (e) {
      $("m-case-error").textContent = e.status === 404 ? t("cases.lookup_none") : e.message;
      $("m-case-error").hidden = false;
    }
  });

  $("m-back").addEventListener("click", () => { chosen = null; showList(); });
  $("m-take").addEventListener("click", take);
  const ls = $("lang-switch");
  ls.textContent = t("lang_other");
  ls.href = lang === "en" ? location.pathname : location.pathname + "?lang=en";
  const hn = $("hall-name");
  hn.textContent = (lang === "en" && hn.dataset.en) || hn.dataset.zh;
  apply();
  $("m-off").hidden = main.dataset.on === "1";
  showMine();
  load();
  setInterval(() => { if (!busy) load(); }, REFRESH_MS);
})();
