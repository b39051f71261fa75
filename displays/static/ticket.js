/* The citizen's own ticket page /t/<token>: live status, position, ETA, alerts, cancel, rating,
   and the cases (办件) the approval system reported since, with the 出件 ticket of a ready one. */
(function () {
  "use strict";
  const { t, pick, pickList, minutes, apply, lang } = HallQ.i18n;
  const token = decodeURIComponent(location.pathname.split("/").pop());
  const NEAR = 2; // "near the front": this many or fewer ahead
  const $ = (id) => document.getElementById(id);
  let ticket = null, nearAlerted = false, lastCallKey = null, score = 0, reason = null;
  let audio = null;

  // Low-score reasons (ticket.r_* in the strings): shown in the page's language, always sent as
  // the Chinese label, so the statistics count one label per reason.
  const REASONS = ["r_wait", "r_attitude", "r_explain", "r_slow", "r_env", "r_other"];

  /** A short two-tone alert and a vibration, where the phone allows. */
  function alertCitizen() {
    // Browsers refuse (and log an error) before the first tap; the flash still shows.
    const tapped = !navigator.userActivation || navigator.userActivation.hasBeenActive;
    try {
      if (tapped && navigator.vibrate) navigator.vibrate([400, 150, 400, 150, 400]);
    } catch (e) { /* not allowed: fine */ }
    if (tapped) try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      const now = audio.currentTime;
      [880, 660, 880].forEach((f, i) => {
        const o = audio.createOscillator(), g = audio.createGain();
        o.frequency.value = f;
        g.gain.setValueAtTime(0.0001, now + i * 0.35);
        g.gain.exponentialRampToValueAtTime(0.4, now + i * 0.35 + 0.02);
        g.gain.exponentialRampToValueAtTime(0.0001, now + i * 0.35 + 0.3);
        o.connect(g).connect(audio.destination);
        o.start(now + i * 0.35);
        o.stop(now + i * 0.35 + 0.32);
      });
    } catch (e) { /* no audio on this device */ }
    document.body.classList.remove("flash");
    void document.body.offsetWidth;
    document.body.classList.add("flash");
  }

  function render(tk) {
    const prev = ticket;
    ticket = Object.assign({}, prev || {}, tk);
    $("card").hidden = false;
    $("t-service").textContent = pick(ticket, "service_name");
    $("t-number").textContent = ticket.number;
    $("t-status").textContent = t("st_" + ticket.status);
    $("t-status").className = "t-status st-" + ticket.status;
    const waiting = ticket.status === "waiting";
    $("t-stats").hidden = !waiting;
    $("t-position").textContent = ticket.position ?? "–";
    $("t-eta").textContent = ticket.eta_s == null ? "–"
      : ticket.eta_s > 0 ? t("minutes", { n: minutes(ticket.eta_s) }) : t("eta_soon");
    // no ETA: no open window takes this service now, so "almost next" would be untrue
    const noWindow = waiting && ticket.eta_s == null;
    $("no-window").hidden = !noWindow;
    const near = waiting && !noWindow && ticket.position != null && ticket.position <= NEAR;
    $("near").hidden = !near;
    if (near && !nearAlerted) { nearAlerted = true; alertCitizen(); }
    const called = ticket.status === "called" && ticket.window;
    $("called").hidden = !called;
    if (called) {
      $("called-window").textContent = pick(ticket.window);
      const key = `${ticket.called_at}:${ticket.recall}`;
      if (key !== lastCallKey) { lastCallKey = key; alertCitizen(); }
    }
    if (ticket.status === "serving" && ticket.window) {
      $("t-status").textContent = `${t("st_serving")} · ${pick(ticket.window)}`;
    }
    if (ticket.status === "held" && ticket.hold_kind) { // what this hold asks of the citizen
      const text = t("held_" + ticket.hold_kind, { window: ticket.window ? pick(ticket.window) : "" });
      const back = ticket.hold_until ? t("held_until", { at: ticket.hold_until.slice(11, 16) }) : "";
      $("t-status").textContent = back ? `${text} ${back}` : text;
      $("t-status").dataset.holdKind = ticket.hold_kind;
    } else {
      delete $("t-status").dataset.holdKind;
    }
    $("cancel-card").hidden = !waiting;
    const gone = { no_show: "gone_no_show", cancelled: "gone_cancelled" }[ticket.status];
    $("gone").hidden = !gone;
    if (gone) $("gone").textContent = t(gone);
    const mats = pickList(ticket);
    $("materials-card").hidden = !mats.length || !["waiting", "called", "held"].includes(ticket.status);
    $("materials").replaceChildren(...mats.map((m) => Object.assign(document.createElement("li"), { textContent: m })));
    $("rate-card").hidden = !(ticket.status === "done" && !ticket.rated);
    $("rated").hidden = !(ticket.status === "done" && ticket.rated);
    renderRectification(ticket.rectification);
    $("alerts-btn").hidden = !["waiting", "called", "held"].includes(ticket.status);
    renderMoves(prev);
  }

  /** 顺延 while waiting, rejoin after a no-show: what the server's ``moves`` allow now. */
  function renderMoves(prev) {
    const m = ticket.moves || {};
    // a live update carries no moves: a fresh no-show asks the server until when it may rejoin
    if (prev && prev.status !== "no_show" && ticket.status === "no_show") loadOnce();
    const canPostpone = ticket.status === "waiting" && m.postpones_left > 0;
    $("postpone-card").hidden = !canPostpone;
    if (canPostpone) {
      $("postpone-hint").textContent = t("postpone_hint", { n: m.postpone_steps, left: m.postpones_left });
    }
    const canRejoin = ticket.status === "no_show" && !!m.rejoin_until;
    $("rejoin-card").hidden = !canRejoin;
    if (canRejoin) {
      const until = m.rejoin_until.slice(11, 16); // hall-local hh:mm of the ISO time
      $("rejoin-hint").textContent = t("rejoin_hint", { until, n: m.rejoin_behind });
      $("gone").hidden = true; // "take a new ticket" is not the only way now
    }
  }

  /** POST one of the citizen's moves; the answer is the ticket as it now stands. */
  async function move(action, done) {
    const msg = $("moves-msg");
    try {
      const { ticket: tk } = await HallQ.api("POST", `/tickets/${encodeURIComponent(token)}/${action}`);
      render(tk);
      msg.className = "toast ok";
      msg.textContent = t(done);
    } catch (e) {
      msg.className = "toast error";
      msg.textContent = e.message;
    }
    msg.hidden = false;
  }

  /** The hall's answer to a bad rating (差评整改), once it has one. */
  function renderRectification(c) {
    $("rect-card").hidden = !c;
    if (!c) return;
    $("rect-card").dataset.status = c.status;
    $("rect-response").hidden = !c.response;
    $("rect-response").textContent = c.response || "";
    $("rect-pending").hidden = !!c.response;
    $("rect-meta").textContent = [c.responded_at ? t("rect_answered_at", { at: c.responded_at.slice(0, 16).replace("T", " ") }) : "",
      c.status === "closed" ? t("rect_closed") : ""].filter(Boolean).join(" · ");
  }

  function renderCases(cases) {
    $("cases-card").hidden = !cases.length;
    $("cases").replaceChildren(...cases.map((c) => {
      const box = document.createElement("div");
      box.className = "case";
      box.dataset.case = c.case_no;
      HallQCases.render(box, c, async () => {
        const issued = await HallQ.api("POST", `/tickets/${encodeURIComponent(token)}/collect`,
          { case_no: c.case_no });
        location.href = HallQ.i18n.href(`/t/${encodeURIComponent(issued.token)}`);
      });
      return box;
    }));
  }

  async function loadOnce() {
    try {
      const { ticket: tk, cases } = await HallQ.api("GET", `/tickets/${encodeURIComponent(token)}`);
      render(tk);
      renderCases(cases || []);
      return true;
    } catch (e) {
      $("load-error").textContent = e.status === 404 ? t("not_found") : e.message;
      $("load-error").hidden = false;
      return false;
    }
  }

  function buildRating() {
    const stars = $("stars");
    for (let i = 1; i <= 5; i++) {
      const b = document.createElement("button");
      b.className = "star";
      b.dataset.score = i;
      b.textContent = "★";
      b.setAttribute("aria-label", t("s" + i));
      b.addEventListener("click", () => setScore(i));
      stars.append(b);
    }
    for (const r of REASONS) {
      const b = document.createElement("button");
      b.className = "chip";
      b.dataset.reason = r;
      b.textContent = t(r);
      b.addEventListener("click", () => {
        // Statistics count one label per reason, whatever the page's language: send the
        // canonical Chinese one, show this page's.
        reason = t(r, null, "zh");
        document.querySelectorAll(".chip").forEach((c) => c.classList.toggle("on", c === b));
        updateRateBtn();
      });
      $("reasons").append(b);
    }
  }

  function setScore(i) {
    score = i;
    document.querySelectorAll(".star").forEach((s) => s.classList.toggle("on", Number(s.dataset.score) <= i));
    $("score-label").textContent = t("s" + i);
    $("reasons-box").hidden = i > 2;
    updateRateBtn();
  }

  function updateRateBtn() {
    $("rate-btn").disabled = !score || (score <= 2 && !reason);
  }

  async function submitRating() {
    $("rate-btn").disabled = true;
    try {
      const body = { score };
      if (score <= 2) body.reason = reason;
      const comment = $("comment").value.trim();
      if (comment) body.comment = comment;
      await HallQ.api("POST", `/tickets/${encodeURIComponent(token)}/rating`, body);
      render({ rated: true });
    } catch (e) {
      if (e.code === "already_rated") return render({ rated: true });
      $("rate-error").textContent = e.message;
      $("rate-error").hidden = false;
      updateRateBtn();
    }
  }

  $("cancel-btn").addEventListener("click", () => { $("cancel-confirm").hidden = false; $("cancel-btn").hidden = true; });
  $("cancel-no").addEventListener("click", () => { $("cancel-confirm").hidden = true; $("cancel-btn").hidden = false; });
  $("cancel-yes").addEventListener("click", async () => {
    try {
      const { ticket: tk } = await HallQ.api("DELETE", `/tickets/${encodeURIComponent(token)}`);
      render(tk);
    } catch (e) {
      $("load-error").textContent = e.message;
      $("load-error").hidden = false;
    }
    $("cancel-confirm").hidden = true;
    $("cancel-btn").hidden = false;
  });
  $("postpone-btn").addEventListener("click", () => { $("postpone-confirm").hidden = false; $("postpone-btn").hidden = true; });
  $("postpone-no").addEventListener("click", () => { $("postpone-confirm").hidden = true; $("postpone-btn").hidden = false; });
  $("postpone-yes").addEventListener("click", async () => {
    $("postpone-confirm").hidden = true;
    $("postpone-btn").hidden = false;
    await move("postpone", "postpone_done");
  });
  $("rejoin-btn").addEventListener("click", () => move("rejoin", "rejoin_done"));
  $("rate-btn").addEventListener("click", submitRating);
  $("alerts-btn").addEventListener("click", () => {
    // A tap unlocks sound and vibration on phones that need one.
    audio = audio || new (window.AudioContext || window.webkitAudioContext)();
    audio.resume();
    if (navigator.vibrate) navigator.vibrate(60);
    $("alerts-btn").textContent = t("alerts_on");
    $("alerts-btn").disabled = true;
  });

  const ls = $("lang-switch");
  ls.textContent = t("lang_other");
  ls.href = lang === "en" ? location.pathname : location.pathname + "?lang=en";
  apply();
  buildRating();
  loadOnce().then((ok) => {
    if (!ok) return;
    let service = null;
    const live = HallQ.live({
      // positions: our place comes in the service's queue.positions frames (one per service
      // for every phone), found by our number; status changes still come as ticket.updated
      subs: [{ ticket: token, positions: true }],
      onSnapshot: (d) => { if (d.ticket) { service = d.ticket.service; render(d.ticket); } },
      on: {
        "ticket.updated": (d) => {
          render(d.ticket);
          // a rated ticket changes only when the hall answers its rating (整改): fetch it
          if (d.ticket.status === "done" && ticket.rated) loadOnce();
          // a transfer moves it to another service's frames: subscribe again
          if (d.ticket.service !== service) { service = d.ticket.service; live.resync(); }
        },
        // the approval system moved a case on: its steps (and a ready case's 出件 button)
        "case.updated": () => loadOnce(),
        "case.ready": () => loadOnce(),
        "queue.positions": (d) => {
          const mine = ticket && ticket.status === "waiting" && d.service === ticket.service
            && d.positions[ticket.number];
          if (mine) render({ ...ticket, position: mine[0], eta_s: mine[1] });
        },
      },
    });
  });
})();
