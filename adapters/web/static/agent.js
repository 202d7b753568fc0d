/* The agent console: queue, ticket detail, activity feed and agent commands.
 *
 * Every action is an agent command sent to the engine ("claim 12", "reply 12 text"), the same
 * commands agents type in Slack or Telegram, or a press of a button the engine put on an agent
 * channel post (Claim, Accept, Decline), so the console holds no help-desk rules of its own.
 *
 * The activity feed is the web agent channel: what the engine posts there (new tickets, transfer
 * offers, SLA alerts, ratings) read back like the requester's chat transcript. The console keeps
 * the id of the last feed line it shows and asks only for what came after it.
 *
 * The console refetches the queue, the open ticket and the feed when the server pushes a refresh,
 * after each command, on reconnect, and every 30 seconds as a fallback (the agent channel may live
 * on another platform, in which case the server has nothing to push).
 */
(function () {
  "use strict";

  const { renderMarkdown, isRtl } = window.DeskbotText;
  const { uuid, requestJson, liveSocket } = window.DeskbotServer;
  const { el, coalesced, storageGet, storageSet } = window.DeskbotDom;

  const NAME_KEY = "deskbot.agentName";
  const POLL_MS = 30000;
  const FEED_ANSWERED_KEY = "deskbot.agentFeedAnswered";
  /** Feed lines kept on the page; older ones are dropped (the ticket detail has the history). */
  const FEED_MAX_LINES = 300;
  /** Desk.transcript answers a page at a time (500 lines today). After the first load a refresh
   * brings a few lines; a page this large means more may be waiting behind it. */
  const FEED_FULL_PAGE = 100;
  // "#12" (or "#۱۲") as a word of its own: not "C#1", "&#12;" or "##12".
  const TICKET_REF =
    /(^|[^\p{L}\p{N}_&#])#([0-9\u06F0-\u06F9\u0660-\u0669]{1,10})(?![\p{L}\p{N}])/gu;
  const KIND_LABELS = {
    requester: "Requester",
    agent: "Agent",
    note: "Internal note · not sent to the requester",
    system: "System",
  };

  const $ = (id) => document.getElementById(id);
  const els = {
    status: document.querySelector("[data-testid=agent-status]"),
    nameShown: $("agent-name"),
    nameChange: $("agent-name-change"),
    namePanel: $("name-panel"),
    nameForm: $("name-form"),
    nameInput: $("name-input"),
    login: $("login"),
    loginForm: $("login-form"),
    loginToken: $("login-token"),
    loginError: $("login-error"),
    tabs: Array.from(document.querySelectorAll("[role=tab]")),
    rows: $("queue-rows"),
    queueEmpty: $("queue-empty"),
    detail: $("detail"),
    title: $("ticket-title"),
    meta: $("ticket-meta"),
    description: $("ticket-description"),
    faqs: $("ticket-faqs"),
    entries: $("ticket-entries"),
    claim: $("claim"),
    resolve: $("resolve"),
    resolveForm: $("resolve-form"),
    resolveSummary: $("resolve-summary"),
    resolveCancel: $("resolve-cancel"),
    replyForm: $("reply-form"),
    replyInput: $("reply-input"),
    noteForm: $("note-form"),
    noteInput: $("note-input"),
    commandForm: $("command-form"),
    commandInput: $("command-input"),
    output: $("command-output"),
    feedLines: $("feed-lines"),
    feedEmpty: $("feed-empty"),
  };

  let agentName = "";
  let view = "all";
  let selectedId = null;
  let socket = null;
  let revealDetail = false;
  let feedLastId = 0;
  let feedLoaded = false;

  // --- helpers -------------------------------------------------------------------------------

  function age(iso) {
    const seconds = (Date.now() - new Date(iso).getTime()) / 1000;
    if (!isFinite(seconds)) return "";
    if (seconds < 60) return "just now";
    if (seconds < 3600) return Math.floor(seconds / 60) + " min";
    if (seconds < 86400) return Math.floor(seconds / 3600) + " h";
    return Math.floor(seconds / 86400) + " d";
  }

  function dateTime(iso) {
    const at = new Date(iso);
    return isNaN(at) ? "" : at.toLocaleString();
  }

  /** "14:05" for today, "3 Jan, 14:05" before that. */
  function shortTime(iso) {
    const at = new Date(iso);
    if (isNaN(at)) return "";
    const clock = { hour: "2-digit", minute: "2-digit" };
    if (at.toDateString() === new Date().toDateString()) return at.toLocaleTimeString([], clock);
    return at.toLocaleString([], Object.assign({ month: "short", day: "numeric" }, clock));
  }

  function showOutput(text, ok) {
    els.output.textContent = text;
    els.output.dataset.ok = ok ? "true" : "false";
    els.output.classList.toggle("reply--error", !ok);
  }

  // --- server --------------------------------------------------------------------------------

  function headers() {
    // Browsers only allow Latin-1 in header values; percent-encode so any name fits.
    return agentName ? { "X-Deskbot-Agent": encodeURIComponent(agentName) } : {};
  }

  async function call(method, path, body) {
    const result = await requestJson(method, path, {
      headers: headers(),
      body: body,
      retries: method === "GET" ? 1 : 3,
    });
    if (result.status === 401) showLogin();
    return result;
  }

  // --- who is this agent ---------------------------------------------------------------------

  function setName(name) {
    agentName = name;
    els.nameShown.textContent = name || "—";
    els.namePanel.hidden = Boolean(name);
  }

  function askName() {
    els.namePanel.hidden = false;
    els.nameInput.value = agentName;
    els.nameInput.focus();
  }

  function showLogin() {
    els.login.hidden = false;
    els.loginToken.focus();
  }

  async function login(event) {
    event.preventDefault();
    const result = await requestJson("POST", "/agent/login", {
      body: { token: els.loginToken.value },
    });
    if (!result.ok) {
      els.loginError.textContent = result.data.error || "Could not sign in.";
      els.loginError.hidden = false;
      return;
    }
    els.loginError.hidden = true;
    els.loginToken.value = "";
    els.login.hidden = true;
    if (socket) socket.reconnectNow();
    refreshAll();
  }

  // --- queue ---------------------------------------------------------------------------------

  function renderQueue(tickets) {
    els.rows.replaceChildren();
    tickets.forEach((ticket) => {
      const row = el("tr", { className: "queue-row", testid: "queue-row" });
      row.dataset.ticketId = String(ticket.id);
      row.classList.toggle("selected", ticket.id === selectedId);
      if (ticket.id === selectedId) row.setAttribute("aria-current", "true");
      const open = el("button", {
        className: "link-button",
        text: ticket.subject || "(no subject)",
        dir: "auto",
      });
      open.type = "button";
      open.addEventListener("click", () => openTicket(ticket.id));
      row.addEventListener("click", (event) => {
        if (event.target !== open) openTicket(ticket.id);
      });
      const cells = [
        el("td", { text: "#" + ticket.id }),
        el("td", {}, [open]),
        el("td", {}, [el("span", {
          className: "badge priority--" + ticket.priority, text: ticket.priority })]),
        el("td", {}, [el("span", { className: "badge status--" + ticket.status,
          text: ticket.status })]),
        el("td", { className: "col-requester" }, [
          el("span", { text: ticket.requester_name, dir: "auto" })]),
        el("td", { className: "col-channel", text: ticket.channel }),
        el("td", {}, [el("span", { text: ticket.assignee_name || "—", dir: "auto" })]),
        el("td", { className: "col-age", text: age(ticket.created_at) }),
      ];
      cells[7].title = dateTime(ticket.created_at);
      cells.forEach((cell) => row.appendChild(cell));
      els.rows.appendChild(row);
    });
    els.queueEmpty.hidden = tickets.length > 0;
  }

  const refreshQueue = coalesced(async () => {
    if (view === "mine" && !agentName) {
      renderQueue([]);
      askName();
      return;
    }
    const result = await call("GET", "/api/agent/tickets?view=" + encodeURIComponent(view));
    if (result.ok) {
      els.login.hidden = true;
      renderQueue(result.data.tickets || []);
    } else if (result.status !== 401) {
      showOutput(result.data.error || "Could not load the queue.", false);
    }
  });

  function selectView(next) {
    view = next;
    els.tabs.forEach((tab) => tab.setAttribute("aria-selected", String(tab.dataset.view === view)));
    refreshQueue();
  }

  // --- ticket detail -------------------------------------------------------------------------

  function renderDetail(detail) {
    const ticket = detail.ticket;
    els.detail.hidden = false;
    els.detail.dataset.ticketId = String(ticket.id);
    els.title.textContent = "#" + ticket.id + " " + (ticket.subject || "");

    els.meta.replaceChildren();
    [
      ["Status", ticket.status],
      ["Priority", ticket.priority],
      ["Requester", ticket.requester_name],
      ["Channel", ticket.channel],
      ["Assignee", ticket.assignee_name || "nobody yet"],
      ["Language", ticket.lang],
      ["Opened", dateTime(ticket.created_at)],
      ["Updated", dateTime(ticket.updated_at)],
    ].forEach(([label, value]) => {
      els.meta.appendChild(el("dt", { text: label }));
      els.meta.appendChild(el("dd", { text: value, dir: "auto" }));
    });

    els.description.replaceChildren(renderMarkdown(detail.description || ""));
    els.description.lang = ticket.lang || "";

    els.faqs.replaceChildren();
    (detail.faqs_tried.length ? detail.faqs_tried : ["none"]).forEach((faq) => {
      els.faqs.appendChild(el("li", { text: faq }));
    });

    els.entries.replaceChildren();
    detail.entries.forEach((entry) => {
      const item = el("li", { className: "entry entry--" + entry.kind, testid: "ticket-entry" });
      item.dataset.kind = entry.kind;
      const time = el("time", { text: dateTime(entry.at) });
      time.dateTime = entry.at;
      item.appendChild(el("div", { className: "entry-head" }, [
        el("span", { className: "entry-kind", text: KIND_LABELS[entry.kind] || entry.kind }),
        el("span", { className: "entry-author", text: entry.author, dir: "auto" }),
        time,
      ]));
      const text = el("div", { className: "entry-text", testid: "ticket-entry-text" });
      text.dir = "auto"; // requesters may write in any script
      text.appendChild(renderMarkdown(entry.text));
      item.appendChild(text);
      els.entries.appendChild(item);
    });
  }

  const refreshDetail = coalesced(async () => {
    if (selectedId === null) return;
    const id = selectedId;
    const result = await call("GET", "/api/agent/tickets/" + id);
    if (id !== selectedId) return; // another ticket was opened meanwhile
    if (result.ok) {
      renderDetail(result.data);
      if (revealDetail) {
        // Opened from the feed: on a narrow screen the detail may be out of sight.
        const box = els.detail.getBoundingClientRect();
        if (box.top < 0 || box.top > window.innerHeight) els.detail.scrollIntoView();
      }
      revealDetail = false;
    } else if (result.status !== 401) {
      els.detail.hidden = true;
      showOutput(result.data.error || "Could not load ticket #" + id + ".", false);
    }
  });

  function openTicket(id, options) {
    revealDetail = Boolean(options && options.reveal);
    if (id !== selectedId) {
      els.replyInput.value = "";
      els.noteInput.value = "";
      els.resolveSummary.value = "";
      els.resolveForm.hidden = true;
    }
    selectedId = id;
    els.rows.querySelectorAll("tr").forEach((row) => {
      const current = row.dataset.ticketId === String(id);
      row.classList.toggle("selected", current);
      if (current) row.setAttribute("aria-current", "true");
      else row.removeAttribute("aria-current");
    });
    refreshDetail();
  }

  function refreshAll() {
    refreshQueue();
    refreshDetail();
    refreshFeed();
  }

  // --- activity feed -------------------------------------------------------------------------

  // Lines whose buttons were used successfully stay disabled after a reload.
  function answeredFeedLines() {
    try {
      const ids = JSON.parse(storageGet(FEED_ANSWERED_KEY) || "[]");
      return Array.isArray(ids) ? ids : [];
    } catch (err) {
      return [];
    }
  }

  function markFeedAnswered(lineId) {
    const ids = answeredFeedLines().filter((id) => id !== lineId);
    ids.push(lineId);
    storageSet(FEED_ANSWERED_KEY, JSON.stringify(ids.slice(-FEED_MAX_LINES)));
  }

  /** Persian (U+06F0..) and Arabic-Indic (U+0660..) digits to 0-9: both blocks start at a
   * code point ending in 0, so the low four bits are the digit. */
  function asciiDigits(value) {
    return value.replace(/[\u06F0-\u06F9\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) & 0xf));
  }

  /** Turn each "#12" in the rendered text into a button that opens ticket 12 (not inside links
   * or code, which keep their text exactly). */
  function linkTicketRefs(root) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const nodes = [];
    while (walker.nextNode()) {
      if (!walker.currentNode.parentElement.closest("a, code")) nodes.push(walker.currentNode);
    }
    nodes.forEach((node) => {
      const value = node.nodeValue;
      const pattern = new RegExp(TICKET_REF.source, "gu");
      const parts = document.createDocumentFragment();
      let last = 0;
      let match;
      while ((match = pattern.exec(value)) !== null) {
        const start = match.index + match[1].length;
        const id = Number(asciiDigits(match[2]));
        parts.appendChild(document.createTextNode(value.slice(last, start)));
        const ref = el("button", {
          className: "link-button ticket-ref",
          text: value.slice(start, pattern.lastIndex),
          testid: "feed-ticket-ref",
        });
        ref.type = "button";
        ref.dataset.ticketId = String(id);
        ref.title = "Open ticket #" + id;
        ref.addEventListener("click", () => openTicket(id, { reveal: true }));
        parts.appendChild(ref);
        last = pattern.lastIndex;
      }
      if (last === 0) return;
      parts.appendChild(document.createTextNode(value.slice(last)));
      node.replaceWith(parts);
    });
  }

  function renderFeedLine(line, answered) {
    const item = el("li", { className: "feed-line", testid: "feed-line" });
    item.dataset.lineId = String(line.id);
    item.dataset.direction = line.direction;
    // The engine writes agent posts in the team's language; Persian reads right to left.
    item.lang = line.lang || "en";
    item.dir = isRtl(line.lang) ? "rtl" : "ltr";

    const time = el("time", { className: "feed-time", text: shortTime(line.at) });
    time.dateTime = line.at;
    time.title = dateTime(line.at);
    time.dir = "ltr";
    item.appendChild(time);

    const text = el("div", { className: "feed-text", testid: "feed-line-text" });
    text.appendChild(renderMarkdown(line.text));
    linkTicketRefs(text);
    item.appendChild(text);

    if (line.buttons && line.buttons.length) {
      item.classList.add("feed-line--actionable");
      const group = el("div", { className: "choices" });
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", "Actions");
      line.buttons.forEach((spec) => {
        const button = el("button", {
          className: "choice" + (spec.style ? " choice--" + spec.style : ""),
          text: spec.label,
          testid: "feed-button",
        });
        button.type = "button";
        button.dataset.actionId = spec.action_id;
        button.disabled = answered;
        button.addEventListener("click", () => pressFeedButton(line.id, spec, group, button));
        group.appendChild(button);
      });
      item.appendChild(group);
    }
    return item;
  }

  function appendFeedLines(lines) {
    const list = els.feedLines;
    const stick = !feedLoaded || list.scrollHeight - list.scrollTop - list.clientHeight < 80;
    const answered = answeredFeedLines();
    lines.forEach((line) => {
      if (line.id <= feedLastId) return; // already shown (overlapping fetches)
      list.appendChild(renderFeedLine(line, answered.indexOf(line.id) >= 0));
      feedLastId = line.id;
    });
    while (list.childElementCount > FEED_MAX_LINES) list.firstElementChild.remove();
    els.feedEmpty.hidden = list.childElementCount > 0;
    if (stick) list.scrollTop = list.scrollHeight;
  }

  const refreshFeed = coalesced(async () => {
    // Page through everything after the last line shown, but render only the newest lines: the
    // first load of a long-lived channel would otherwise build thousands of nodes to drop them.
    let cursor = feedLastId;
    let fresh = [];
    let complete = false;
    for (;;) {
      const result = await call("GET", "/api/agent/feed?after=" + cursor);
      if (!result.ok) {
        if (result.status !== 401) {
          showOutput(result.data.error || "Could not load the activity feed.", false);
        }
        break;
      }
      const lines = (result.data.lines || []).filter((line) => line.id > cursor);
      if (lines.length) {
        cursor = lines[lines.length - 1].id;
        fresh = fresh.concat(lines).slice(-FEED_MAX_LINES);
      }
      if (!lines.length || (feedLoaded && lines.length < FEED_FULL_PAGE)) {
        complete = true;
        break;
      }
    }
    appendFeedLines(fresh);
    if (complete) feedLoaded = true;
  });

  async function pressFeedButton(lineId, spec, group, clicked) {
    const buttons = Array.from(group.querySelectorAll("button"));
    buttons.forEach((button) => (button.disabled = true));
    clicked.setAttribute("aria-busy", "true");
    const ok = await postAgent("/api/agent/actions", {
      action_id: spec.action_id,
      value: spec.value,
      event_id: uuid(),
    });
    clicked.removeAttribute("aria-busy");
    if (ok) {
      markFeedAnswered(lineId);
      clicked.classList.add("choice--chosen");
      clicked.setAttribute("aria-pressed", "true");
    } else {
      // Refused ("#12 is already claimed by bob") or not sent: the line stays as it was.
      buttons.forEach((button) => (button.disabled = false));
    }
  }

  // --- commands ------------------------------------------------------------------------------

  /** Post a command or a button press; shows the engine's reply and resolves to whether it
   * succeeded. The event id stays the same across retries, so a retry takes effect once. */
  async function postAgent(path, body) {
    if (!agentName) {
      askName();
      showOutput("Tell us your name first; requesters see it on your replies.", false);
      return false;
    }
    const result = await call("POST", path, body);
    if (!result.ok) {
      if (result.status !== 401) showOutput(result.data.error || "The command failed.", false);
      return false;
    }
    showOutput(result.data.text || "Done.", result.data.ok);
    refreshAll();
    return result.data.ok;
  }

  function runCommand(text) {
    return postAgent("/api/agent/commands", { text: text, event_id: uuid() });
  }

  function bind() {
    els.nameForm.addEventListener("submit", (event) => {
      event.preventDefault();
      const name = els.nameInput.value.trim();
      if (!name) return;
      storageSet(NAME_KEY, name);
      setName(name);
      refreshQueue();
    });
    els.nameChange.addEventListener("click", askName);
    els.loginForm.addEventListener("submit", login);
    els.tabs.forEach((tab) => tab.addEventListener("click", () => selectView(tab.dataset.view)));

    els.claim.addEventListener("click", () => runCommand("claim " + selectedId));
    els.resolve.addEventListener("click", () => {
      els.resolveForm.hidden = false;
      els.resolveSummary.focus();
    });
    els.resolveCancel.addEventListener("click", () => {
      els.resolveForm.hidden = true;
    });
    els.resolveForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      const summary = els.resolveSummary.value.trim();
      const ok = await runCommand("resolve " + selectedId + (summary ? " " + summary : ""));
      if (ok) {
        els.resolveSummary.value = "";
        els.resolveForm.hidden = true;
      }
    });
    els.replyForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      const text = els.replyInput.value.trim();
      if (text && (await runCommand("reply " + selectedId + " " + text))) {
        els.replyInput.value = "";
      }
    });
    els.noteForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      const text = els.noteInput.value.trim();
      if (text && (await runCommand("note " + selectedId + " " + text))) {
        els.noteInput.value = "";
      }
    });
    els.commandForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      const text = els.commandInput.value.trim();
      if (text && (await runCommand(text))) els.commandInput.value = "";
    });
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") refreshAll();
    });
    setInterval(() => {
      if (document.visibilityState === "visible") refreshAll();
    }, POLL_MS);
  }

  function start() {
    bind();
    setName(storageGet(NAME_KEY));
    if (!agentName) askName();
    refreshQueue();
    refreshFeed();
    socket = liveSocket("/ws/agent", {
      onOpen: refreshAll,
      onEvent: (event) => {
        if (event.type === "refresh") refreshAll();
      },
      onStatus: (state) => {
        els.status.textContent = state === "online" ? "Live" : "Reconnecting…";
        els.status.dataset.state = state;
      },
    });
  }

  start();
})();
