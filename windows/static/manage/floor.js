/* Hall settings of the floor: the outcomes a window chooses at finish (one per line: code,
   Chinese name, English name) and after how many minutes a held ticket of each kind goes back
   in line by itself. Each save is one audited API call. */
(function () {
  "use strict";
  const M = window.HallQ.manage;
  const { t } = M;
  const H = `/halls/${M.hall}`;
  const KINDS = ["keep", "release", "wait"];
  const $ = (id) => document.getElementById(id);

  async function load() {
    const [{ outcomes }, { return_after_s: after }] = await Promise.all([
      M.api("GET", `${H}/outcomes`), M.api("GET", `${H}/holds`)]);
    $("outcomes").value = outcomes.map((o) => [o.code, o.name, o.name_en].filter(Boolean).join(" ")).join("\n");
    for (const k of KINDS) $("hr-" + k).value = after[k] == null ? "" : Math.round(after[k] / 60);
  }

  $("outcomes-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const outcomes = $("outcomes").value.split("\n").map((line) => line.trim()).filter(Boolean)
      .map((line) => {
        const [code, name, ...en] = line.split(/\s+/);
        return { code, name: name || "", name_en: en.join(" ") };
      });
    M.api("PUT", `${H}/outcomes`, { outcomes }).then(() => M.toast(t("saved"), "ok"), M.fail);
  });
  $("hold-return-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const body = {};
    for (const k of KINDS) {
      const v = $("hr-" + k).value.trim();
      body[k] = v === "" ? null : Number(v) * 60;
    }
    M.api("PUT", `${H}/hold-return`, body).then(() => M.toast(t("saved"), "ok"), M.fail);
  });
  load().catch(M.fail);
})();
