/* Console sign-in and sign-out (the session cookie is set by the login endpoint). */
(function () {
  "use strict";
  const M = window.HallQ.manage;
  const form = document.getElementById("login-form");
  if (form) {
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      try {
        await M.api("POST", "/auth/login", {
          username: form.username.value.trim(), password: form.password.value });
        location.reload();
      } catch (e) {
        M.toast(e.message, "error");
      }
    });
  }
  const out = document.getElementById("logout");
  if (out) out.addEventListener("click", async (ev) => {
    ev.preventDefault();
    try { await M.api("POST", "/auth/logout"); } finally { location.reload(); }
  });
})();
