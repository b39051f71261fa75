/* Manager console: shared strings and helpers. Uses HallQ.i18n / HallQ.api (read-only). */
(function () {
  "use strict";
  const HallQ = window.HallQ;
  const M = (HallQ.manage = {});
  const main = document.getElementById("main");
  M.hall = main ? main.dataset.hall : null;
  M.lang = HallQ.i18n.lang;

  M.t = HallQ.i18n.t;
  M.pick = HallQ.i18n.pick;
  M.api = HallQ.api;

  /** Element builder: el("td", {class: "x", text: "y"}, child...). */
  M.el = function (tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "text") e.textContent = v;
      else if (k === "class") e.className = v;
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else if (k in e && k !== "list") e[k] = v;
      else e.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) if (c !== null && c !== undefined)
      e.append(c instanceof Node ? c : String(c));
    return e;
  };

  /** Seconds as "12:05" (or h:mm:ss); null as "—". */
  M.dur = (s) => (s === null || s === undefined ? "—" : HallQ.i18n.clock(s));
  M.num = (x, d = 1) => (x === null || x === undefined ? "—" : Number(x).toFixed(d));

  let toastTimer = null;
  M.toast = function (msg, kind) {
    const t = document.getElementById("toast");
    if (!t) return;
    t.textContent = msg;
    t.className = "toast" + (kind ? " " + kind : "");
    t.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => (t.hidden = true), kind === "error" ? 8000 : 3000);
  };
  M.fail = (e) => M.toast(e.message || String(e), "error");

  /** Today in the hall (the server's date is authoritative; the browser's is a first guess). */
  M.today = () => {
    const d = new Date(Date.now() + 8 * 3600 * 1000); // Asia/Shanghai, the default zone
    return d.toISOString().slice(0, 10);
  };

  function init() {
    HallQ.i18n.apply();
    document.querySelectorAll("[data-hall-name]").forEach(
      (e) => (e.textContent = M.lang === "en" ? e.dataset.en : e.dataset.zh));
    document.querySelectorAll(".manage-nav a").forEach((a) => (a.href = HallQ.i18n.href(a.getAttribute("href"))));
    const sw = document.getElementById("lang-switch");
    if (sw) {
      const u = new URL(location.href);
      if (M.lang === "en") u.searchParams.delete("lang");
      else u.searchParams.set("lang", "en");
      sw.href = u.toString();
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
