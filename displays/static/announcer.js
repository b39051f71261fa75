/* Voice announcements for the hall screen: a queue, so simultaneous calls are all spoken, in
   order, never dropped or cut off. Each call: a chime (WebAudio), then the sentence twice in
   Mandarin, through speechSynthesis when the browser has a zh-CN voice, else joined from the
   server's recorded clips (clips.js). A hall that serves foreigners adds English with
   ?voice=zh,en (Mandarin twice, then English once); ?voice=en is English only; English too uses
   an en voice when there is one, else the English clips. The sentences are announcer.* in the
   strings, each said in its own language whatever the page's. */
(function () {
  "use strict";
  const HallQ = (window.HallQ = window.HallQ || {});
  const { t } = HallQ.i18n;

  /** "A012" → "A零一二": digits read one by one, letters stay letters. */
  function spokenNumber(number) {
    const digits = t("announcer.digits", null, "zh");
    return String(number).replace(/[0-9]/g, (d) => digits[Number(d)]);
  }

  /** The sentence for a call: 请A零一二号到5号窗口办理. */
  function sentence(call) {
    return t("announcer.sentence", { number: spokenNumber(call.number), window: call.window.name },
      "zh");
  }

  /** In English: "Number A 0 1 2, please go to Window 5." (characters read one by one). */
  function sentenceEn(call) {
    const where = call.window.name_en || t("announcer.window_n", { id: call.window.id }, "en");
    return t("announcer.sentence", { number: String(call.number).split("").join(" "), window: where },
      "en");
  }

  // The languages spoken, from the screen's URL: ?voice=zh (default), en, or zh,en.
  const LANGS = (new URLSearchParams(location.search).get("voice") || "zh").split(",")
    .map((l) => l.trim()).filter((l, i, all) => (l === "zh" || l === "en") && all.indexOf(l) === i);
  if (!LANGS.length) LANGS.push("zh");

  /** What one call says, in order: each language twice, or once each when there are two. */
  function utterances(call) {
    const say = { zh: [sentence(call), "zh-CN", "zh", call], en: [sentenceEn(call), "en-US", "en", call] };
    if (LANGS.length === 1) return [say[LANGS[0]], say[LANGS[0]]];
    return LANGS[0] === "zh" ? [say.zh, say.zh, say.en] : [say.en, say.zh, say.zh];
  }

  let ctx = null;
  function audioContext() {
    if (!ctx) {
      try { ctx = new (window.AudioContext || window.webkitAudioContext)(); } catch (e) { ctx = null; }
    }
    if (ctx && ctx.state === "suspended") ctx.resume().catch(() => {});
    return ctx;
  }

  /** A three-note "ding-dong" chime, resolved when it has finished. */
  function chime() {
    const c = audioContext();
    if (c && c.state === "running") { // a suspended context would keep it and ring it later
      try {
        const now = c.currentTime + 0.02;
        [[784, 0], [659, 0.28], [523, 0.56]].forEach(([f, at]) => {
          const o = c.createOscillator(), g = c.createGain();
          o.type = "sine";
          o.frequency.value = f;
          g.gain.setValueAtTime(0.0001, now + at);
          g.gain.exponentialRampToValueAtTime(0.5, now + at + 0.02);
          g.gain.exponentialRampToValueAtTime(0.0001, now + at + 0.5);
          o.connect(g).connect(c.destination);
          o.start(now + at);
          o.stop(now + at + 0.52);
        });
      } catch (e) { /* a chime is nice to have; the voice matters */ }
    }
    return new Promise((r) => setTimeout(r, 1100));
  }

  /** The browser's voice for a language: the exact one, else one of the same language; a
      Cantonese voice (zh-HK, zh-MO, yue) is no Mandarin voice (the clips speak instead). */
  function voiceFor(lang) {
    const voices = (window.speechSynthesis && speechSynthesis.getVoices()) || [];
    const [base] = lang.split("-");
    const tag = (v) => String(v.lang || "").replace("_", "-").toLowerCase();
    const cantonese = (v) => /^(zh-(hk|mo)|yue)/.test(tag(v));
    return voices.find((v) => tag(v) === lang.toLowerCase())
      || voices.find((v) => tag(v).startsWith(base) && !cantonese(v)) || null;
  }

  /** Speak once; resolves on end, on error, or after a generous timeout (some engines never
      fire onend), so one bad utterance never blocks the queue. */
  function speakOnce(text, lang) {
    return new Promise((resolve) => {
      if (!window.speechSynthesis) return setTimeout(resolve, 500);
      const u = new SpeechSynthesisUtterance(text);
      u.lang = lang;
      u.rate = 0.9;
      const v = voiceFor(lang);
      try { if (v) u.voice = v; } catch (e) { /* not a native voice object: the lang decides */ }
      let done = false;
      const finish = () => { if (!done) { done = true; clearTimeout(timer); resolve(); } };
      const timer = setTimeout(finish, 2000 + text.length * 400);
      u.onend = finish;
      u.onerror = finish;
      speechSynthesis.speak(u);
    });
  }

  /** Say one sentence: with the browser's voice for its language when it has one, else with
      the recorded clips, else ask speechSynthesis anyway (an engine may speak unlisted). */
  async function say(text, bcp47, lang, call) {
    if (voiceFor(bcp47) || !HallQ.clips) return speakOnce(text, bcp47);
    if (await HallQ.clips.usable(lang)) return HallQ.clips.play(call, lang);
    return speakOnce(text, bcp47);
  }

  const queue = [];
  let running = false;

  async function run() {
    if (running) return;
    running = true;
    while (queue.length) {
      const { said, onStart } = queue.shift();
      if (onStart) onStart();
      await chime();
      for (let i = 0; i < said.length; i++) {
        try { await say(...said[i]); } catch (e) { /* one failed sentence never stops the queue */ }
        await new Promise((r) => setTimeout(r, i === said.length - 1 ? 600 : 400));
      }
    }
    running = false;
  }

  /** Queue one call's announcement; onStart runs when its turn comes (to highlight it). */
  function announce(call, onStart) {
    queue.push({ said: utterances(call), onStart });
    run();
  }

  // Chrome loads voices lazily; ask early so the first call has a zh-CN voice. The clips of the
  // languages spoken are fetched and decoded now too, so the first call needs no wait.
  if (window.speechSynthesis) {
    speechSynthesis.getVoices();
    speechSynthesis.onvoiceschanged = () => speechSynthesis.getVoices();
  }

  HallQ.announcer = { announce, sentence, sentenceEn, spokenNumber, audioContext, voiceFor,
    pending: () => queue.length, busy: () => running };
  if (HallQ.clips && document.getElementById("hall-screen")) LANGS.forEach((l) => HallQ.clips.load(l));
})();
