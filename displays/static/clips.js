/* The recorded voice: when the browser has no speechSynthesis voice for a language (Debian's
   Chromium has none), a call is joined from short clips the server serves
   (/display/<hall>/voice/<lang>/…, built offline by espeak-ng at setup or recorded by the hall,
   displays/voice.py), decoded once and scheduled back to back in one Web Audio timeline.
   A clip that is missing or does not decode is left out; the rest of the call still plays. */
(function () {
  "use strict";
  const HallQ = (window.HallQ = window.HallQ || {});
  const GAP_S = 0.03; // between two clips: words, not a stammer
  const loaded = {}; // lang -> Promise<{name: AudioBuffer}>
  const names = new Map(); // AudioBuffer -> clip name (what a test or a maintainer asks)

  /** The window's number as said: the digits before 号 in its name (2楼5号窗口 → 5), else the
      last digits in its name (综合窗口12 → 12), else in its id (W05 → 5); null when none. */
  function windowNumber(win) {
    // full-width digits (U+FF10-FF19) count as digits; U+53F7 is 号 (a rule, not a text)
    const norm = (s) => String(s || "").replace(/[\uff10-\uff19]/g, (d) => String(d.charCodeAt(0) - 0xff10));
    const name = norm(win.name);
    const last = /(\d+)(?!.*\d)/;
    const m = name.match(/(\d+)\s*\u53f7/) || name.match(last) || norm(win.id).match(last);
    return m ? Number(m[1]) : null;
  }

  /** A number's clips: 12 → ["ten", "2"] (十二), 25 → ["2", "ten", "5"]; English 25 →
      ["20", "5"]; 100 and more digit by digit. */
  function numberClips(n, lang) {
    if (n >= 100) return String(n).split("");
    if (lang === "en") return n < 20 || n % 10 === 0 ? [String(n)] : [String(n - (n % 10)), String(n % 10)];
    if (n < 10) return [String(n)];
    const tens = Math.floor(n / 10), ones = n % 10;
    return [...(tens > 1 ? [String(tens)] : []), "ten", ...(ones ? [String(ones)] : [])];
  }

  /** The clips of one call, in order. A window with the hall's own recording (window-<id>)
      says that; a window with a number says its number; else just "the window". */
  function sequence(call, lang, have) {
    const chars = String(call.number).toUpperCase().split("").filter((c) => /[0-9A-Z]/.test(c));
    const own = `window-${call.window.id}`;
    const n = windowNumber(call.window);
    if (lang === "en") {
      const where = have[own] ? [own] : n === null ? ["the_window"] : ["window", ...numberClips(n, "en")];
      return ["number", ...chars, "please_go_to", ...where];
    }
    const where = have[own] ? [own] : n === null ? ["window"] : [...numberClips(n, "zh"), "hao", "window"];
    return ["please", ...chars, "hao", "to", ...where, "handle"];
  }

  function base(lang) {
    const hall = document.getElementById("hall-screen").dataset.hall;
    return `/display/${encodeURIComponent(hall)}/voice/${lang}/`;
  }

  /** Fetch and decode every clip of a language once; a failed one is simply absent. */
  function load(lang) {
    const ctx = HallQ.announcer.audioContext();
    if (!ctx) return Promise.resolve({});
    if (!loaded[lang]) {
      loaded[lang] = fetch(base(lang) + "clips.json").then((r) => (r.ok ? r.json() : { clips: {} }))
        .then(async ({ clips }) => {
          const buffers = {};
          await Promise.all(Object.entries(clips || {}).map(async ([name, file]) => {
            try {
              const r = await fetch(base(lang) + file);
              if (!r.ok) return;
              const buf = await ctx.decodeAudioData(await r.arrayBuffer());
              buffers[name] = buf;
              names.set(buf, name);
            } catch (e) { /* undecodable: left out, the rest still speaks */ }
          }));
          return buffers;
        })
        .catch(() => { delete loaded[lang]; return {}; }); // the server was away: ask again next call
    }
    return loaded[lang];
  }

  /** Whether this language has any clip to say a call with (none yet: asked again next time,
      so clips built or recorded after the screen opened are found without a reload). */
  async function usable(lang) {
    const have = await load(lang);
    if (Object.keys(have).length) return true;
    delete loaded[lang];
    return false;
  }

  /** Audio that is allowed to sound now. A context the browser keeps suspended (no tap yet, no
      autoplay flag) would keep the clips and say every call at once after the tap: those calls
      are skipped instead, as speech would be, and the screen's note asks for the tap. */
  async function running(ctx) {
    if (ctx.state !== "running") {
      await Promise.race([ctx.resume().catch(() => {}), new Promise((r) => setTimeout(r, 300))]);
    }
    return ctx.state === "running";
  }

  /** Play one call's clips back to back; resolves when the last one has ended (or, should the
      audio never run, after their length and a margin, so the queue always moves on). */
  async function play(call, lang) {
    const ctx = HallQ.announcer.audioContext();
    const have = await load(lang);
    const bufs = sequence(call, lang, have).map((n) => have[n]).filter(Boolean);
    if (!ctx || !bufs.length || !(await running(ctx))) return;
    let at = ctx.currentTime + 0.05;
    const started = at;
    let last = null;
    for (const buf of bufs) {
      const src = ctx.createBufferSource();
      src.buffer = buf;
      src.connect(ctx.destination);
      src.start(at);
      at += buf.duration + GAP_S;
      last = src;
    }
    await new Promise((resolve) => {
      const timer = setTimeout(resolve, (at - started) * 1000 + 1500);
      last.onended = () => { clearTimeout(timer); resolve(); };
    });
  }

  HallQ.clips = { load, usable, play, sequence, windowNumber, numberClips,
    nameOf: (buf) => names.get(buf) || null };
})();
