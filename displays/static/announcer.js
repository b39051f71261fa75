/* Voice announcements for the hall screen: a queue, so simultaneous calls are all spoken, in
   order, never dropped or cut off. Each call: a chime (WebAudio), then the sentence twice in
   Mandarin through speechSynthesis with a zh-CN voice. */
(function () {
  "use strict";
  const HallQ = (window.HallQ = window.HallQ || {});
  const DIGITS = "零一二三四五六七八九";

  /** "A012" → "A零一二": digits read one by one, letters stay letters. */
  function spokenNumber(number) {
    return String(number).replace(/[0-9]/g, (d) => DIGITS[Number(d)]);
  }

  /** The sentence for a call: 请A零一二号到5号窗口办理. */
  function sentence(call) {
    return `请${spokenNumber(call.number)}号到${call.window.name}办理`;
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
    if (c) {
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

  function zhVoice() {
    const voices = (window.speechSynthesis && speechSynthesis.getVoices()) || [];
    return voices.find((v) => /^zh[-_]CN/i.test(v.lang)) || voices.find((v) => /^zh/i.test(v.lang))
      || null;
  }

  /** Speak once; resolves on end, on error, or after a generous timeout (some engines never
      fire onend), so one bad utterance never blocks the queue. */
  function speakOnce(text) {
    return new Promise((resolve) => {
      if (!window.speechSynthesis) return setTimeout(resolve, 500);
      const u = new SpeechSynthesisUtterance(text);
      u.lang = "zh-CN";
      u.rate = 0.9;
      const v = zhVoice();
      if (v) u.voice = v;
      let done = false;
      const finish = () => { if (!done) { done = true; clearTimeout(timer); resolve(); } };
      const timer = setTimeout(finish, 2000 + text.length * 400);
      u.onend = finish;
      u.onerror = finish;
      speechSynthesis.speak(u);
    });
  }

  const queue = [];
  let running = false;

  async function run() {
    if (running) return;
    running = true;
    while (queue.length) {
      const { text, onStart } = queue.shift();
      if (onStart) onStart();
      await chime();
      await speakOnce(text);
      await new Promise((r) => setTimeout(r, 400));
      await speakOnce(text);
      await new Promise((r) => setTimeout(r, 600));
    }
    running = false;
  }

  /** Queue one call's announcement; onStart runs when its turn comes (to highlight it). */
  function announce(call, onStart) {
    queue.push({ text: sentence(call), onStart });
    run();
  }

  // Chrome loads voices lazily; ask early so the first call has a zh-CN voice.
  if (window.speechSynthesis) {
    speechSynthesis.getVoices();
    speechSynthesis.onvoiceschanged = () => speechSynthesis.getVoices();
  }

  HallQ.announcer = { announce, sentence, spokenNumber, audioContext, pending: () => queue.length };
})();
