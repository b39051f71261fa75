/* HallQ i18n: Simplified Chinese by default, English with ?lang=en.
   Every text lives in strings.zh.js / strings.en.js (loaded right after this file by
   hallq_base.html), grouped by page. A page names its groups in the base template's
   `{% block strings %}` (the <body data-strings="kiosk">); t("key") looks in those groups, then
   in "common"; t("group.key") names the group, e.g. t("status.waiting"). */
(function () {
  "use strict";
  const HallQ = (window.HallQ = window.HallQ || {});
  const params = new URLSearchParams(location.search);
  const lang = params.get("lang") === "en" ? "en" : "zh";
  const tables = { zh: {}, en: {} };
  const scopes = () => ((document.body && document.body.dataset.strings) || "").split(/\s+/)
    .filter(Boolean);

  /** Called by strings.<lang>.js with that language's groups. */
  function load(l, groups) {
    tables[l] = groups;
  }

  function lookup(l, key) {
    const table = tables[l] || {};
    const dot = key.indexOf(".");
    if (dot > 0) return (table[key.slice(0, dot)] || {})[key.slice(dot + 1)];
    for (const g of [...scopes(), "common"]) if (table[g] && key in table[g]) return table[g][key];
    return undefined;
  }

  /** Translate key (in the page's language, or in l), filling {name} placeholders from vars. */
  function t(key, vars, l = lang) {
    let s = lookup(l, key) ?? lookup("zh", key) ?? key;
    if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
    return s;
  }

  /** The localized field of a server object: name / name_en. */
  function pick(obj, field = "name") {
    if (!obj) return "";
    return (lang === "en" && obj[field + "_en"]) || obj[field] || "";
  }

  /** The localized list field of a server object: materials / materials_en. The English list
   * is shown whole or not at all: when it is empty, the Chinese one. */
  function pickList(obj, field = "materials") {
    if (!obj) return [];
    const en = obj[field + "_en"];
    return (lang === "en" && Array.isArray(en) && en.length ? en : obj[field]) || [];
  }

  /** Server messages are bilingual "中文 (English)": keep the part for this language. */
  function message(msg) {
    const m = /^(.*?)\s*\(([^()]*)\)\s*$/.exec(msg || "");
    if (!m) return msg || "";
    return lang === "en" ? m[2] : m[1];
  }

  /** Fill every [data-i18n] element (and [data-i18n-placeholder]) under root. */
  function apply(root = document) {
    root.querySelectorAll("[data-i18n]").forEach((el) => (el.textContent = t(el.dataset.i18n)));
    root.querySelectorAll("[data-i18n-placeholder]").forEach(
      (el) => (el.placeholder = t(el.dataset.i18nPlaceholder)));
    document.documentElement.lang = lang === "en" ? "en" : "zh-CN";
  }

  /** Minutes (rounded up) for an ETA in seconds. */
  function minutes(s) {
    return s == null ? null : Math.max(1, Math.ceil(s / 60));
  }

  /** mm:ss or h:mm:ss for a timer. */
  function clock(s) {
    s = Math.max(0, Math.floor(s));
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    const p = (n) => String(n).padStart(2, "0");
    return h ? `${h}:${p(m)}:${p(sec)}` : `${p(m)}:${p(sec)}`;
  }

  /** Wall-clock parts of date in time zone tz (the hall's, not the browser's):
   * {y, mo, d, h, mi, s} as zero-padded strings and wd 0 (Sunday)…6. */
  function wall(tz, date) {
    let f;
    try {
      f = new Intl.DateTimeFormat("en-US", { timeZone: tz || "Asia/Shanghai", hourCycle: "h23",
        year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
        second: "2-digit", weekday: "short" });
    } catch (e) { // an unknown zone name: the hall's default
      return wall("Asia/Shanghai", date);
    }
    const o = {};
    for (const part of f.formatToParts(date || new Date())) o[part.type] = part.value;
    return { y: o.year, mo: o.month, d: o.day, h: o.hour === "24" ? "00" : o.hour, mi: o.minute,
      s: o.second, wd: ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"].indexOf(o.weekday) };
  }

  /** Keep ?lang=en on links between pages. */
  function href(path) {
    return lang === "en" ? path + (path.includes("?") ? "&" : "?") + "lang=en" : path;
  }

  HallQ.i18n = { lang, load, t, pick, pickList, message, apply, minutes, clock, wall, href };
})();
