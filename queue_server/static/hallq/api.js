/* HallQ API helper: JSON in and out, errors thrown as HallQ.ApiError with a localized message. */
(function () {
  "use strict";
  const HallQ = (window.HallQ = window.HallQ || {});

  class ApiError extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  /** fetch a URL with JSON; resolves to the JSON body, rejects with ApiError. */
  async function fetchJSON(method, url, body, headers = {}) {
    const opts = { method, headers: { Accept: "application/json", ...headers },
      credentials: "same-origin" };
    // a paired device (displays/static/device.js) sends its own token
    if (HallQ.deviceToken && !opts.headers.Authorization)
      opts.headers.Authorization = "Bearer " + HallQ.deviceToken;
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(url, opts);
    } catch (e) {
      throw new ApiError(0, "network", HallQ.i18n.t("network_error"));
    }
    let data = null;
    try {
      data = await res.json();
    } catch (e) {
      data = null;
    }
    if (!res.ok) {
      const err = (data && data.error) || {};
      throw new ApiError(res.status, err.code || "http_" + res.status,
        HallQ.i18n.message(err.message) || HallQ.i18n.t("server_error", { status: res.status }));
    }
    return data;
  }

  /** The JSON API: path is relative to /api/v1. */
  const api = (method, path, body, headers) => fetchJSON(method, "/api/v1" + path, body, headers);

  /** Take a ticket, retrying a lost answer with the same Idempotency-Key: the server then
   * answers the ticket the first try got instead of issuing a second number. */
  async function issue(hall, body, tries = 3) {
    const key = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
    for (let i = 1; ; i++) {
      try {
        return await api("POST", `/halls/${hall}/tickets`, body, { "Idempotency-Key": key });
      } catch (e) {
        if (e.status !== 0 || i >= tries) throw e;  // only a lost answer is worth a retry
        await new Promise((r) => setTimeout(r, 400 * i));
      }
    }
  }

  HallQ.ApiError = ApiError;
  HallQ.api = api;
  HallQ.issue = issue;
  HallQ.fetchJSON = fetchJSON;
})();
