/* The citizen's own ticket page /t/<token>: live status, position, ETA, alerts, cancel, rating. */
(function () {
  "use strict";
  const { t, pick, pickList, minutes, apply, lang } = HallQ.i18n;
  const token = decodeURIComponent(location.pathname.split("/").pop());
  const NEAR = 2; // "near the front": this many or fewer ahead
  const $ = (id) => document.getElementById(id);
  let ticket = null, nearAlerted = false, lastCallKey = null, score = 0, reason = null;
  let audio = null;

  // Low-score reasons: shown in the page's language, always sent as the Chinese label, so the
  // statistics count one label per reason.
  const REASONS = {
    r_wait: { zh: "等候时间太长", en: "Waited too long" },
    r_attitude: { zh: "服务态度不好", en: "Unfriendly staff" },
    r_explain: { zh: "告知不清楚、多次跑腿", en: "Unclear advice, extra trips" },
    r_slow: { zh: "办理效率低", en: "Slow service" },
    r_env: { zh: "环境设施不便", en: "Poor facilities" },
    r_other: { zh: "其他原因", en: "Other" },
  };
  for (const [k, v] of Object.entries(REASONS)) HallQ.i18n.add({ zh: { [k]: v.zh }, en: { [k]: v.en } });

  HallQ.i18n.add({
    zh: {
      my_ticket: "我的排队", called_now: "请您前往", called_do: "办理业务",
      position_label: "前面还有（人）", eta_label: "预计等候", near_front: "快轮到您了，请回到等候区留意叫号",
      enable_alerts: "开启声音和振动提醒", alerts_on: "提醒已开启",
      materials_title: "请备齐以下材料", cancel: "不办了，取消排队",
      cancel_sure: "取消后号码作废，需要重新取号。确定取消吗？", cancel_no: "再等等", cancel_yes: "确定取消",
      rate_title: "请对本次服务进行评价（好差评）", reason_need: "请选择不满意的原因（必选）",
      comment_ph: "其他意见或建议（选填）", rate_submit: "提交评价", rated: "感谢您的评价！",
      privacy: "本页面仅显示票号和窗口，不显示任何个人信息", lang_other: "English",
      st_waiting: "排队中", st_called: "正在叫号", st_serving: "正在办理", st_held: "暂缓办理，请等候工作人员通知",
      st_done: "已办结", st_no_show: "已过号", st_cancelled: "已取消", st_transferred: "已转办",
      eta_soon: "即将", not_found: "未找到该票号，可能链接有误",
      s1: "非常不满意", s2: "不满意", s3: "基本满意", s4: "满意", s5: "非常满意",
    },
    en: {
      my_ticket: "My ticket", called_now: "Please go to", called_do: "now",
      position_label: "People ahead", eta_label: "Estimated wait", near_front: "You're almost next: please return to the waiting area",
      enable_alerts: "Turn on sound & vibration alerts", alerts_on: "Alerts on",
      materials_title: "Please have these documents ready", cancel: "Cancel my ticket",
      cancel_sure: "Your number will be void and you'd need a new ticket. Cancel?", cancel_no: "Keep waiting", cancel_yes: "Yes, cancel",
      rate_title: "Please rate this service", reason_need: "Please pick what went wrong (required)",
      comment_ph: "Anything else? (optional)", rate_submit: "Submit rating", rated: "Thank you for your rating!",
      privacy: "This page shows ticket numbers and windows only, never personal data", lang_other: "中文",
      st_waiting: "Waiting", st_called: "Called", st_serving: "Being served", st_held: "On hold: staff will call you",
      st_done: "Finished", st_no_show: "Missed", st_cancelled: "Cancelled", st_transferred: "Transferred",
      eta_soon: "soon", not_found: "Ticket not found: the link may be wrong",
      s1: "Very dissatisfied", s2: "Dissatisfied", s3: "Acceptable", s4: "Satisfied", s5: "Very satisfied",
    },
  });

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
    const near = waiting && ticket.position != null && ticket.position <= NEAR;
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
    $("cancel-card").hidden = !waiting;
    const mats = pickList(ticket);
    $("materials-card").hidden = !mats.length || !["waiting", "called", "held"].includes(ticket.status);
    $("materials").replaceChildren(...mats.map((m) => Object.assign(document.createElement("li"), { textContent: m })));
    $("rate-card").hidden = !(ticket.status === "done" && !ticket.rated);
    $("rated").hidden = !(ticket.status === "done" && ticket.rated);
    $("alerts-btn").hidden = !["waiting", "called", "held"].includes(ticket.status);
  }

  async function loadOnce() {
    try {
      const { ticket: tk } = await HallQ.api("GET", `/tickets/${encodeURIComponent(token)}`);
      render(tk);
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
    for (const r of Object.keys(REASONS)) {
      const b = document.createElement("button");
      b.className = "chip";
      b.dataset.reason = r;
      b.textContent = t(r);
      b.addEventListener("click", () => {
        // Statistics count one label per reason, whatever the page's language: send the
        // canonical Chinese one, show this page's.
        reason = REASONS[r].zh;
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
          // a transfer moves it to another service's frames: subscribe again
          if (d.ticket.service !== service) { service = d.ticket.service; live.resync(); }
        },
        "queue.positions": (d) => {
          const mine = ticket && ticket.status === "waiting" && d.service === ticket.service
            && d.positions[ticket.number];
          if (mine) render({ ...ticket, position: mine[0], eta_s: mine[1] });
        },
      },
    });
  });
})();
