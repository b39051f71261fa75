/* The clerk terminal: sign in, pick a window, call / recall / start / finish / no-show /
   transfer / hold / pause / close, with keyboard shortcuts and live updates. Every refusal the
   server gives is shown as it says it (bilingual messages, localized by HallQ.i18n.message). */
(function () {
  "use strict";
  const { t, pick, pickList, apply, clock } = HallQ.i18n;
  const $ = (id) => document.getElementById(id);
  const KEYS = { n: "call-next", r: "recall", s: "start", f: "finish", x: "no-show", t: "transfer",
    h: "hold", o: "open", p: "pause", c: "close" };
  const S = { user: null, hall: null, windowId: localStorage.getItem("hallq.window"), detail: null,
    services: [], why: "", live: null, refreshTimer: null };

  function show(section) {
    for (const id of ["login", "pick", "work"]) $(id).hidden = id !== section;
    $("logout").hidden = section === "login";
    $("switch-window").hidden = section !== "work";
  }

  let msgTimer = null;
  function say(text, kind = "ok") {
    const m = $("msg");
    m.textContent = text;
    m.className = "toast " + kind;
    m.hidden = false;
    clearTimeout(msgTimer);
    msgTimer = setTimeout(() => (m.hidden = true), kind === "error" ? 10000 : 5000);
  }

  async function call(method, path, body) {
    try {
      return await HallQ.api(method, path, body);
    } catch (e) {
      if (e.status === 401) { S.user = null; show("login"); }
      say(e.message, "error");
      throw e;
    }
  }

  async function start() {
    apply();
    try {
      S.user = (await HallQ.api("GET", "/auth/me")).user;
    } catch (e) {
      show("login");
      return;
    }
    afterLogin();
  }

  function afterLogin() {
    $("hdr-user").textContent = t("signed_in_as", { name: S.user.display_name || S.user.username,
      no: S.user.staff_no || "—" });
    if (S.windowId) openWork().catch(() => pickWindow());
    else pickWindow();
  }

  $("login-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const { user } = await call("POST", "/auth/login",
      { username: $("username").value.trim(), password: $("password").value }).catch(() => ({}));
    if (!user) return;
    $("password").value = "";
    clearTimeout(msgTimer); // the last wrong-password message is over
    $("msg").hidden = true;
    S.user = user;
    afterLogin();
  });

  /** Another clerk's name while they are signed into this window (a manager may still act). */
  function takenBy(w) {
    const me = S.user && S.user.username;
    const manager = S.user && ["manager", "admin"].includes(S.user.role);
    return w.clerk && w.status !== "closed" && w.clerk.username !== me && !manager
      ? w.clerk.display_name : null;
  }

  async function pickWindow() {
    // An account bound to one hall works only there.
    const halls = (await call("GET", "/halls")).halls
      .filter((h) => !S.user.hall || h.id === S.user.hall);
    const sel = $("hall-select");
    sel.replaceChildren(...halls.map((h) => new Option(pick(h), h.id)));
    sel.hidden = halls.length < 2;
    if (!halls.some((h) => h.id === S.hall)) S.hall = halls[0] && halls[0].id;
    sel.value = S.hall;
    sel.onchange = () => { S.hall = sel.value; pickWindow(); };
    const [{ windows }, { services }] = await Promise.all([call("GET", `/halls/${S.hall}/windows`),
      call("GET", `/halls/${S.hall}/services`)]);
    S.services = services;
    const choose = (w) => {
      S.windowId = w.id;
      localStorage.setItem("hallq.window", w.id);
      openWork();
    };
    const me = S.user && S.user.username;
    const mine = windows.find((w) => w.clerk && w.clerk.username === me && w.status !== "closed");
    // Already signed into a window: say so here, not at "开窗" in another one.
    $("signed-elsewhere").hidden = !mine;
    if (mine) {
      $("signed-elsewhere").querySelector("span").textContent =
        t("elsewhere", { w: pick(mine), st: t("status." + mine.status) });
      $("back-to-window").onclick = () => choose(mine);
    }
    $("window-list").replaceChildren(...windows.map((w) => {
      const b = document.createElement("button");
      b.className = "win-btn st-" + w.status + (w === mine ? " mine" : "");
      b.dataset.window = w.id;
      b.innerHTML = "<b></b><span class='ws'></span><ul class='skills'></ul>";
      b.querySelector("b").textContent = pick(w);
      const clerk = w.clerk && w.status !== "closed"
        ? (w.clerk.username === me ? t("you") : w.clerk.display_name) : "";
      b.querySelector(".ws").textContent = t("status." + w.status) + (clerk ? " · " + clerk : "");
      // Primary services first, then by weight; a primary one is marked.
      const skills = Object.entries(w.skills).sort((x, y) => y[1] - x[1]);
      b.querySelector(".skills").replaceChildren(...skills.map(([sid, weight]) => {
        const li = document.createElement("li");
        li.textContent = svcName(sid);
        if (weight >= 1) {
          li.className = "primary";
          li.append(Object.assign(document.createElement("em"), { textContent: t("primary") }));
        }
        return li;
      }));
      const other = takenBy(w);
      if (other) {  // not a workspace that looks live until the first action fails
        b.disabled = true;
        b.classList.add("taken");
        b.title = t("taken_by", { name: other });
      }
      b.addEventListener("click", () => choose(w));
      return b;
    }));
    show("pick");
  }

  async function openWork() {
    await refresh();
    if (takenBy(S.detail.window)) {  // a remembered window someone else took meanwhile
      S.windowId = null;
      throw new Error("taken");
    }
    S.hall = S.detail.window.hall;
    S.services = (await call("GET", `/halls/${S.hall}/services`)).services;
    render();
    show("work");
    if (S.live) S.live.socket.disconnect();
    S.live = HallQ.live({
      subs: [{ window: S.windowId }, { hall: S.hall }],
      resyncEveryMs: 5 * 60 * 1000,
      onSnapshot: scheduleRefresh,
      on: { "window.updated": scheduleRefresh, "queue.updated": scheduleRefresh,
        "ticket.called": scheduleRefresh, "hall.updated": reloadServices,
        "holds.updated": scheduleRefresh },
    });
  }

  async function reloadServices() {
    // A renamed service (or category) arrives as hall.updated, without the names.
    try {
      S.services = (await call("GET", `/halls/${S.hall}/services`)).services;
      scheduleRefresh();
    } catch (e) { /* the next event or resync tries again */ }
  }

  function scheduleRefresh() {
    clearTimeout(S.refreshTimer);
    S.refreshTimer = setTimeout(() => refresh().then(render).catch(() => {}), 150);
  }

  async function refresh() {
    S.detail = await call("GET", `/windows/${S.windowId}`);
  }

  const svcName = (id) => pick(S.services.find((s) => s.id === id) || { name: id });

  function render() {
    const d = S.detail;
    if (!d) return;
    const w = d.window, cur = w.current;
    $("hdr-window").textContent = "· " + pick(w);
    $("hdr-status").textContent = w.pause_reason
      ? t("status_reason", { status: t("status." + w.status), reason: w.pause_reason })
      : t("status." + w.status);
    $("hdr-status").className = "pill st-" + w.status;
    $("hdr-status").hidden = false;
    // No ticket: a calm grey dash and a small label, not a word in the big red number font.
    $("cur-number").textContent = cur ? cur.number : "—";
    $("cur-number").classList.toggle("empty", !cur);
    $("cur-empty").hidden = !!cur;
    $("cur-service").textContent = cur ? pick(cur, "service_name") : "";
    const prio = cur && [1, 2, 3].includes(cur.priority) ? cur.priority : 0;  // 3: 特呼号
    $("cur-priority").hidden = !prio;
    $("cur-priority").className = "prio prio-" + prio;
    $("cur-priority").textContent = prio ? t("prio_" + prio) : "";
    $("cur-status").textContent = cur ? t("status." + cur.status) : "";
    $("cur-status").hidden = !cur;
    $("cur-materials").replaceChildren(...pickList(cur).map((m) => {
      const li = document.createElement("li");
      li.textContent = m;
      return li;
    }));
    $("why").hidden = !(cur && S.why && S.why.ticket === cur.id);
    if (!$("why").hidden) $("why").textContent = t("why", { why: S.why.text });
    $("waiting").replaceChildren(...Object.entries(d.waiting).map(([sid, n]) => {
      const li = document.createElement("li");
      li.innerHTML = "<span></span><em></em><b class='num'></b>";
      li.querySelector("span").textContent = svcName(sid);
      li.querySelector("em").textContent = w.skills[sid] >= 1 ? t("primary") : t("secondary");
      li.querySelector("b").textContent = n;
      return li;
    }));
    $("held").replaceChildren(...(d.held.length ? d.held.map(heldItem)
      : [Object.assign(document.createElement("li"), { className: "none", textContent: t("none_held") })]));
    // Dim what the current state does not allow; the server still has the last word.
    const allowed = {
      open: w.status !== "open", "call-next": w.status === "open" && !cur,
      recall: cur && cur.status === "called", start: cur && cur.status === "called",
      finish: !!cur, "no-show": cur && cur.status === "called", transfer: !!cur, hold: !!cur,
      pause: w.status === "open", close: w.status !== "closed",
    };
    document.querySelectorAll("[data-act]").forEach((b) => {
      b.classList.toggle("na", !allowed[b.dataset.act]);
      b.setAttribute("aria-disabled", allowed[b.dataset.act] ? "false" : "true");
    });
    tickTimers();
  }

  /** One held ticket: number, kind, service and reason, how long, when it returns, and the
      buttons its rules allow at this window (the server's ``actions``). */
  function heldItem(h) {
    const li = document.createElement("li");
    li.dataset.ticket = h.id;
    li.dataset.kind = h.hold_kind;
    li.innerHTML = "<b class='num'></b><em class='kind'></em><span></span><small></small><div class='held-acts'></div>";
    li.querySelector("b").textContent = h.number;
    li.querySelector("em").textContent = t("kind_" + h.hold_kind);
    li.querySelector("em").className = "kind kind-" + h.hold_kind;
    li.querySelector("span").textContent = pick(h, "service_name") +
      (h.hold_reason ? ` · ${h.hold_reason}` : "");
    const since = Date.now() - h.held_for_s * 1000;
    li.querySelector("small").dataset.since = String(since);
    li.querySelector("small").dataset.returns = h.returns_at || "";
    const acts = li.querySelector(".held-acts");
    for (const a of h.actions || []) {
      const b = document.createElement("button");
      b.className = "btn small" + (a === "unhold" ? " secondary" : "");
      b.textContent = t(a);
      b.dataset[a] = h.id;
      b.addEventListener("click", () => heldAct(a, h));
      acts.append(b);
    }
    return li;
  }

  function tickHeld() {
    document.querySelectorAll("#held small[data-since]").forEach((el) => {
      const held = t("held_for", { t: clock((Date.now() - Number(el.dataset.since)) / 1000) });
      const back = el.dataset.returns ? " · " + t("returns_at", {
        t: new Date(el.dataset.returns).toLocaleTimeString(HallQ.i18n.lang === "en" ? "en-GB" : "zh-CN",
          { hour: "2-digit", minute: "2-digit" }) }) : "";
      el.textContent = held + back;
    });
  }

  function tickTimers() {
    tickHeld();
    const cur = S.detail && S.detail.window.current;
    const now = Date.now();
    const at = (s) => (s ? Date.parse(s) : null);
    if (!cur) { $("t-wait").textContent = $("t-serve").textContent = "—"; overtime(null, null); return; }
    const issued = at(cur.issued_at), called = at(cur.called_at), started = at(cur.started_at);
    $("t-wait").textContent = clock(((called || now) - issued) / 1000);
    // Service time runs only once the ticket is started, from its start.
    const serving = cur.status === "serving" && started;
    $("t-serve").textContent = serving ? clock((now - started) / 1000) : "—";
    overtime(serving ? (now - started) / 1000 : null, cur.service_limit_s);
  }

  /** 办理超时: the running service time against the service's norm; a warning from the hall's
      share on (overtime_warn_pct, 80 % by default), another once the norm is passed (the
      managers are alerted by the server then). */
  function overtime(served, limit) {
    const box = $("overtime"), norm = $("t-norm");
    norm.hidden = !limit;
    if (limit) norm.textContent = " / " + t("norm", { limit: clock(limit) });
    const pct = (S.detail && S.detail.window.overtime_warn_pct) || 80;
    const level = !limit || served === null ? "" : served > limit ? "over"
      : served >= limit * pct / 100 ? "warn" : "";
    box.hidden = !level;
    box.className = "overtime " + level;
    box.dataset.level = level;
    $("t-serve").classList.toggle("warn", level === "warn");
    $("t-serve").classList.toggle("over", level === "over");
    if (level) box.textContent = level === "over" ? t("overtime_over", { limit: clock(limit) })
      : t("overtime_warn", { pct });
  }

  /** A small modal: choose from options, type a line, or just confirm (with ``text``);
      or ``choices`` ([value, label, hint]): one button each, chosen by its digit key (1…9) or
      a click, Enter taking the focused (first) one. Resolves to the value (true for a
      confirmation) or null. Enter confirms, Esc cancels. */
  function ask(title, { options, input, value, text, okLabel, choices } = {}) {
    const dlg = $("dlg");
    $("dlg-title").textContent = title;
    $("dlg-text").hidden = !text;
    $("dlg-text").textContent = text || "";
    $("dlg-ok").textContent = okLabel || t("ok");
    $("dlg-ok").hidden = !!choices;
    $("dlg-select").hidden = !options;
    $("dlg-input").hidden = !input;
    $("dlg-choices").hidden = !choices;
    if (options) $("dlg-select").replaceChildren(...options.map(([v, label]) => new Option(label, v)));
    $("dlg-input").value = value || "";
    return new Promise((resolve) => {
      const done = (v) => {
        dlg.close();
        $("dlg-form").onsubmit = null;
        dlg.onkeydown = null;
        resolve(v);
      };
      $("dlg-choices").replaceChildren(...(choices || []).map(([v, label, hint], i) => {
        const b = document.createElement("button");
        b.type = "button";
        b.className = "btn choice" + (i ? " secondary" : "");
        b.dataset.choice = v;
        b.innerHTML = "<kbd></kbd><b></b><small></small>";
        b.querySelector("kbd").textContent = String(i + 1);
        b.querySelector("b").textContent = label;
        b.querySelector("small").textContent = hint || "";
        b.addEventListener("click", () => done(v));
        return b;
      }));
      dlg.onkeydown = choices ? (ev) => {
        const i = Number(ev.key) - 1;
        if (Number.isInteger(i) && i >= 0 && i < choices.length) {
          ev.preventDefault();
          done(choices[i][0]);
        }
      } : null;
      $("dlg-form").onsubmit = (ev) => {
        ev.preventDefault();
        done(options ? $("dlg-select").value : input ? $("dlg-input").value.trim() : true);
      };
      $("dlg-cancel").onclick = () => done(null);
      dlg.oncancel = () => done(null);
      dlg.showModal();
      const first = $("dlg-choices").querySelector("button");
      (choices ? first : options ? $("dlg-select") : input ? $("dlg-input") : $("dlg-ok")).focus();
    });
  }

  const KINDS = ["keep", "release", "wait"];
  const outcomeName = (code) => {
    const o = ((S.detail && S.detail.outcomes) || []).find((x) => x.code === code);
    return o ? pick(o) : code;
  };

  let busy = false;
  async function act(name) {
    if (busy || !S.windowId) return;
    const cur = S.detail && S.detail.window.current;
    const n = cur ? cur.number : "";
    let body;
    if (name === "transfer") {
      const opts = S.services.filter((s) => !cur || s.id !== cur.service).map((s) => [s.id, pick(s)]);
      const svc = await ask(t("transfer_to"), { options: opts });
      if (!svc) return;
      body = { service: svc };
    } else if (name === "finish") {
      // One key: the hall's outcomes as 1…n; Enter takes the first (办结).
      const outcomes = (S.detail && S.detail.outcomes) || [];
      if (outcomes.length) {
        const code = await ask(t("outcome_title") + " · " + n,
          { choices: outcomes.map((o) => [o.code, pick(o)]) });
        if (code === null) return;
        body = { outcome: code };
      }
    } else if (name === "hold" || name === "pause") {
      let kind = null;
      if (name === "hold") {
        kind = await ask(t("hold_kind_title") + " · " + n,
          { choices: KINDS.map((k) => [k, t("kind_" + k), t("kind_" + k + "_hint")]) });
        if (kind === null) return;
      }
      const reason = await ask(t(name + "_reason"), { input: true,
        value: name === "pause" ? t("pause_default") : "" });
      if (reason === null) return;
      body = { ...(kind ? { kind } : {}), ...(reason ? { reason } : {}) };
    } else if (name === "no-show") {
      if (!(await ask(t("confirm_noshow", { n }), { text: t("confirm_noshow_text"),
        okLabel: t("a_noshow") }))) return;
    } else if (name === "close") {
      if (!(await ask(t("confirm_close", { w: pick(S.detail.window) }),
        { text: t("confirm_close_text"), okLabel: t("a_close") }))) return;
    }
    busy = true;
    try {
      const res = await call("POST", `/windows/${S.windowId}/${name}`, body);
      if (name === "call-next") {
        if (!res.ticket) say(t("nobody_waiting"), "info");
        else {
          S.why = { ticket: res.ticket.id,
            text: (HallQ.i18n.lang === "en" && res.why_en) || res.why || "" };
          say(t("called", { n: res.ticket.number }));
        }
      } else {
        const msgs = { recall: "recalled", start: "started", finish: "finished", "no-show": "no_showed",
          transfer: "transferred", hold: "held", open: "opened", pause: "paused", close: "closed" };
        if (name === "finish" && body && body.outcome)
          say(t("finished_as", { n, o: outcomeName(body.outcome) }));
        else say(t(msgs[name], { n, s: body && body.service ? svcName(body.service) : "" }));
      }
      await refresh();
      render();
    } catch (e) {
      /* already shown by call() */
    } finally {
      busy = false;
    }
  }

  async function heldAct(action, h) {
    if (busy) return;
    busy = true;
    try {
      await call("POST", `/windows/${S.windowId}/${action}`, { ticket: h.id });
      say(t(action === "resume" ? "resumed" : "unheld", { n: h.number }));
      await refresh();
      render();
    } catch (e) { /* shown */ } finally {
      busy = false;
    }
  }

  document.querySelectorAll("[data-act]").forEach((b) => b.addEventListener("click", () => act(b.dataset.act)));
  document.addEventListener("keydown", (ev) => {
    if ($("work").hidden || $("dlg").open || ev.ctrlKey || ev.altKey || ev.metaKey) return;
    if (/^(INPUT|SELECT|TEXTAREA)$/.test(ev.target.tagName)) return;
    const name = KEYS[ev.key.toLowerCase()];
    if (!name) return;
    ev.preventDefault();
    // A shortcut does what its button does, and nothing while its button is disabled.
    const b = document.querySelector(`[data-act="${name}"]`);
    if (b && !b.classList.contains("na")) act(name);
  });
  $("logout").addEventListener("click", async () => {
    await HallQ.api("POST", "/auth/logout").catch(() => null);
    if (S.live) S.live.socket.disconnect();
    S.user = null;
    say(t("logged_out"), "info");
    show("login");
  });
  $("switch-window").addEventListener("click", () => {
    localStorage.removeItem("hallq.window");
    S.windowId = null;
    if (S.live) { S.live.socket.disconnect(); S.live = null; }
    pickWindow();
  });
  setInterval(tickTimers, 1000);
  start();
})();
