/* 办件进度: one case's steps (oldest first) with their times, and, for a ready case of a hall
   with a collection service, a button that takes the 出件 ticket. Shared by the ticket page
   /t/<token> and the phone page's look-up. */
(function () {
  "use strict";
  const { t, pick } = HallQ.i18n;

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  /** Draw case c into box; onCollect() (a promise of {ticket}) takes the 出件 ticket. */
  function render(box, c, onCollect) {
    box.replaceChildren();
    const head = el("div", "case-head");
    head.append(el("b", "case-service", pick(c, "service_name")),
      el("span", "case-no num", t("cases.case_no", { case_no: c.case_no })));
    const ol = el("ol", "case-steps");
    for (const s of c.steps) {
      const li = el("li", "case-step");
      li.dataset.status = s.status;
      li.append(el("span", "case-step-name", t("cases.step_" + s.status)),
        el("span", "case-step-at num", (s.at || "").slice(0, 16).replace("T", " ")));
      ol.append(li);
    }
    box.append(head, ol);
    if (c.status === "ready") box.append(el("p", "case-ready toast ok", t("cases.ready_note")));
    if (c.collect_ticket) {
      box.append(el("p", "case-taken", t("cases.collect_taken", { number: c.collect_ticket })));
    } else if (c.collect && onCollect) {
      const b = el("button", "btn danger wide case-collect", t("cases.collect"));
      b.type = "button";
      const err = el("div", "toast error");
      err.hidden = true;
      b.addEventListener("click", async () => {
        b.disabled = true;
        b.textContent = t("cases.collecting");
        try {
          await onCollect();
        } catch (e) {
          err.textContent = e.message;
          err.hidden = false;
          b.disabled = false;
          b.textContent = t("cases.collect");
        }
      });
      box.append(b, err);
    }
  }

  window.HallQCases = { render };
})();
