/* The requester's chat page.
 *
 * The transcript lives on the server (Desk.transcript). The page keeps the id of the last line it
 * shows and asks for what came after it: on load, on every socket (re)connect, after each post,
 * and when the server pushes {"type": "refresh"}. So reloads, lost sockets and server restarts
 * never lose a line.
 */
(function () {
  "use strict";

  const { renderMarkdown, isRtl } = window.DeskbotText;
  const { uuid, requestJson, liveSocket } = window.DeskbotServer;

  const MAX_TEXT = 4000;
  const NAME_KEY = "deskbot.name";
  const ANSWERED_KEY = "deskbot.answeredLines";

  const transcript = document.getElementById("transcript");
  const composer = document.getElementById("composer");
  const input = document.getElementById("chat-input");
  const sendButton = document.getElementById("chat-send");
  const nameInput = document.getElementById("chat-name");
  const errorBox = document.getElementById("chat-error");
  const statusBox = document.querySelector("[data-testid=chat-status]");

  let lastId = 0;
  let loaded = false;
  let inflight = null;
  let again = false;

  // --- small state kept in the browser -------------------------------------------------------

  function storageGet(key, fallback) {
    try {
      const value = localStorage.getItem(key);
      return value === null ? fallback : value;
    } catch (err) {
      return fallback; // storage disabled: the chat still works, it just forgets
    }
  }

  function storageSet(key, value) {
    try {
      localStorage.setItem(key, value);
    } catch (err) {
      /* ignore */
    }
  }

  // Lines whose buttons were already used stay disabled after a reload.
  function answeredLines() {
    try {
      return JSON.parse(storageGet(ANSWERED_KEY, "[]"));
    } catch (err) {
      return [];
    }
  }

  function markAnswered(lineId) {
    const ids = answeredLines().filter((id) => id !== lineId);
    ids.push(lineId);
    storageSet(ANSWERED_KEY, JSON.stringify(ids.slice(-200)));
  }

  function identity() {
    const name = nameInput.value.trim();
    const body = { locale: navigator.language || undefined };
    if (name) body.name = name;
    return body;
  }

  // --- showing things ------------------------------------------------------------------------

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = !message;
  }

  let socketState = "offline";

  function setStatus(state) {
    statusBox.textContent = state === "online" ? "Connected" : "Reconnecting…";
    statusBox.dataset.state = state;
  }

  function socketStatus(state) {
    socketState = state;
    setStatus(state);
  }

  function nearBottom() {
    return transcript.scrollHeight - transcript.scrollTop - transcript.clientHeight < 80;
  }

  function formatTime(iso) {
    const at = new Date(iso);
    return isNaN(at) ? "" : at.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  function renderLine(line) {
    const item = document.createElement("div");
    const outgoing = line.direction !== "in";
    item.className = "line " + (outgoing ? "line--out" : "line--in");
    item.dataset.testid = "chat-line";
    item.dataset.lineId = String(line.id);
    item.dataset.direction = line.direction;
    if (outgoing) {
      // Deskbot and agents write in the conversation's language; Persian reads right to left.
      item.lang = line.lang || "en";
      item.dir = isRtl(line.lang) ? "rtl" : "ltr";
    } else {
      item.dir = "auto"; // the requester may type in any script
    }

    const bubble = document.createElement("div");
    bubble.className = "bubble";
    const text = document.createElement("div");
    text.className = "line-text";
    text.dataset.testid = "chat-line-text";
    text.appendChild(renderMarkdown(line.text));
    bubble.appendChild(text);

    if (line.buttons && line.buttons.length) {
      bubble.appendChild(renderButtons(line, answeredLines().indexOf(line.id) >= 0));
    }
    item.appendChild(bubble);

    const time = document.createElement("time");
    time.dateTime = line.at;
    time.dir = "ltr"; // "06:35 PM", not "PM 06:35", on right-to-left lines
    time.textContent = formatTime(line.at);
    item.appendChild(time);
    return item;
  }

  function renderButtons(line, answered) {
    const group = document.createElement("div");
    group.className = "choices";
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "Choices");
    line.buttons.forEach((spec) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "choice" + (spec.style ? " choice--" + spec.style : "");
      button.dataset.testid = "chat-button";
      button.textContent = spec.label;
      button.disabled = answered;
      button.addEventListener("click", () => press(line.id, spec, group, button));
      group.appendChild(button);
    });
    return group;
  }

  function appendLines(lines) {
    const stick = nearBottom();
    lines.forEach((line) => {
      if (line.id <= lastId) return; // already shown (overlapping fetches)
      transcript.appendChild(renderLine(line));
      lastId = line.id;
    });
    if (stick || !loaded) transcript.scrollTop = transcript.scrollHeight;
  }

  // --- talking to the server -----------------------------------------------------------------

  async function fetchNewLines() {
    const result = await requestJson("GET", "/api/chat/transcript?after=" + lastId);
    if (!result.ok) {
      showError(result.data.error || "Could not load the conversation.");
      return false;
    }
    appendLines(result.data.lines || []);
    return true;
  }

  /** Fetch what is new; calls made while a fetch runs coalesce into one more fetch after it. */
  function refresh() {
    if (inflight !== null) {
      again = true;
      return inflight;
    }
    inflight = (async () => {
      let ok = true;
      do {
        again = false;
        ok = await fetchNewLines();
      } while (again && ok);
      return ok;
    })().finally(() => {
      inflight = null;
    });
    return inflight;
  }

  async function post(path, body) {
    // One event id for every try: a message the server did take is never taken twice. A 503
    // (not taken: the server's database is unavailable) is tried again for about half a minute.
    const result = await requestJson("POST", path, {
      body: Object.assign(identity(), body, { event_id: body.event_id || uuid() }),
      retries: 6,
      onRetry: () => setStatus("offline"),
    });
    setStatus(socketState);
    if (!result.ok) {
      showError(result.data.error || "Your message could not be sent. Please try again.");
      return false;
    }
    showError("");
    await refresh();
    return true;
  }

  async function press(lineId, spec, group, clicked) {
    const buttons = group.querySelectorAll("button");
    buttons.forEach((b) => (b.disabled = true));
    clicked.classList.add("choice--chosen");
    clicked.setAttribute("aria-pressed", "true");
    const ok = await post("/api/chat/actions", { action_id: spec.action_id, value: spec.value });
    if (ok) {
      markAnswered(lineId);
    } else {
      buttons.forEach((b) => (b.disabled = false));
      clicked.classList.remove("choice--chosen");
      clicked.removeAttribute("aria-pressed");
    }
  }

  async function send(event) {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) {
      input.focus();
      return;
    }
    if (text.length > MAX_TEXT) {
      showError("Your message is " + text.length + " characters long; the limit is " + MAX_TEXT +
        ". Please split it into shorter messages.");
      return;
    }
    sendButton.disabled = true;
    const ok = await post("/api/chat/messages", { text: text });
    sendButton.disabled = false;
    if (ok) input.value = "";
    input.focus();
  }

  async function start() {
    nameInput.value = storageGet(NAME_KEY, "");
    nameInput.addEventListener("change", () => storageSet(NAME_KEY, nameInput.value.trim()));
    composer.addEventListener("submit", send);
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        composer.requestSubmit();
      }
    });
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") refresh();
    });

    const ok = await refresh();
    loaded = true;
    if (ok && lastId === 0) {
      // A new conversation: let Deskbot greet. The fixed event id makes this happen once per
      // chat even with two tabs opening at the same moment.
      await post("/api/chat/messages", { text: "/start", event_id: "auto-start" });
    }
    liveSocket("/ws/chat", { onOpen: refresh, onEvent: (e) => e.type === "refresh" && refresh(),
      onStatus: socketStatus });
  }

  start();
})();
