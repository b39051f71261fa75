/* The entrance poster /m/<hall>/poster: its texts, and English under each line of a Chinese
   poster (a hall's visitors read either). */
(function () {
  "use strict";
  const { t, apply, lang } = HallQ.i18n;
  // named one by one, so tests/test_strings.py checks each key
  const EN = { p_title: t("p_title", null, "en"), p_step1: t("p_step1", null, "en"),
    p_step2: t("p_step2", null, "en"), p_step3: t("p_step3", null, "en"),
    p_note: t("p_note", null, "en") };
  apply();
  const hn = document.getElementById("hall-name");
  hn.textContent = (lang === "en" && hn.dataset.en) || hn.dataset.zh;
  for (const el of document.querySelectorAll("[data-en]:not(#hall-name)")) {
    el.textContent = lang === "en" ? "" : EN[el.dataset.en];
    el.hidden = lang === "en";
  }
})();
