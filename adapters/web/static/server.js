/* Talking to the Deskbot server, shared by the chat page and the agent console: JSON requests
 * with idempotent retries, and a notification socket that reconnects with backoff. */
(function () {
  "use strict";

  /** A random UUID v4. crypto.randomUUID exists only in secure contexts (https, localhost), and
   * the chat may be served over plain http on a LAN, so build it from getRandomValues. */
  function uuid() {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (b) => (b + 0x100).toString(16).slice(1)).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)]
      .join("-");
  }

  /** Milliseconds before reconnect attempt n: about 1, 2, 4 ... 30 s, with jitter so a restarted
   * server is not hit by every open tab in the same instant. */
  function backoffMs(attempt) {
    const base = Math.min(30000, 1000 * Math.pow(2, attempt));
    return Math.round(base * (0.5 + Math.random() / 2));
  }

  function wait(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  const RETRYABLE = new Set([502, 503, 504]);

  /**
   * Send a JSON request and read the JSON answer: resolves to {ok, status, data}, never throws.
   * With `retries`, a lost connection or a gateway error is retried with the very same body;
   * that is safe because every posted body carries an event_id the server deduplicates on.
   */
  async function requestJson(method, path, options) {
    const opts = options || {};
    const headers = Object.assign({ Accept: "application/json" }, opts.headers || {});
    const init = { method: method, headers: headers, credentials: "same-origin" };
    if (opts.body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(opts.body);
    }
    const retries = opts.retries || 0;
    for (let attempt = 0; ; attempt++) {
      let response;
      try {
        response = await fetch(path, init);
      } catch (err) {
        if (attempt < retries) {
          if (opts.onRetry) opts.onRetry(0);
          await wait(500 * Math.pow(2, attempt));
          continue;
        }
        return {
          ok: false,
          status: 0,
          data: { error: "Cannot reach the server. Check your connection and try again." },
        };
      }
      if (RETRYABLE.has(response.status) && attempt < retries) {
        // Not taken (the server's database is restarting, say): the same body again, after the
        // server's Retry-After when it gives one.
        if (opts.onRetry) opts.onRetry(response.status);
        const asked = Number(response.headers.get("Retry-After")) * 1000;
        await wait(Math.max(500 * Math.pow(2, attempt), isFinite(asked) ? asked : 0));
        continue;
      }
      let data;
      try {
        data = await response.json();
      } catch (err) {
        data = { error: "Unexpected answer from the server (HTTP " + response.status + ")." };
      }
      return { ok: response.ok, status: response.status, data: data };
    }
  }

  /**
   * A WebSocket on `path` that reconnects with backoff for as long as the page lives.
   * handlers.onOpen runs on every (re)connect: that is where a page fetches what it missed.
   * handlers.onEvent gets each JSON message; handlers.onStatus gets "online" | "offline".
   */
  function liveSocket(path, handlers) {
    let attempt = 0;
    let timer = null;
    let socket = null;
    const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + path;

    function connect() {
      timer = null;
      socket = new WebSocket(url);
      socket.addEventListener("open", () => {
        attempt = 0;
        if (handlers.onStatus) handlers.onStatus("online");
        if (handlers.onOpen) handlers.onOpen();
      });
      socket.addEventListener("message", (event) => {
        let data;
        try {
          data = JSON.parse(event.data);
        } catch (err) {
          return;
        }
        if (handlers.onEvent) handlers.onEvent(data);
      });
      socket.addEventListener("close", () => {
        socket = null;
        if (handlers.onStatus) handlers.onStatus("offline");
        timer = setTimeout(connect, backoffMs(attempt++));
      });
    }

    /** Reconnect now (for instance after logging in, or when the browser is back online). */
    function reconnectNow() {
      if (socket !== null && socket.readyState <= WebSocket.OPEN) return;
      if (timer !== null) clearTimeout(timer);
      attempt = 0;
      connect();
    }

    connect();
    window.addEventListener("online", reconnectNow);
    return { reconnectNow: reconnectNow };
  }

  window.DeskbotServer = { uuid: uuid, requestJson: requestJson, liveSocket: liveSocket };
})();
