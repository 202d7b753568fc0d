/* The agent console: queue, ticket detail and agent commands.
 *
 * Every action is an agent command sent to the engine ("claim 12", "reply 12 text"), the same
 * commands agents type in Slack or Telegram, so the console holds no help-desk rules of its own.
 * The console refetches the queue and the open ticket when the server pushes a refresh, after
 * each command, on reconnect, and every 30 seconds as a fallback (the agent channel may live on
 * another platform, in which case the server has nothing to push).
 */
(function () {
  "use strict";

  const { renderMarkdown } = window.DeskbotText;
  const { uuid, requestJson, liveSocket } = window.DeskbotServer;

  const NAME_KEY = "deskbot.agentName";
  const POLL_MS = 30000;
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
  };

  let agentName = "";
  let view = "all";
  let selectedId = null;
  let socket = null;

  // --- helpers -------------------------------------------------------------------------------

  function storageGet(key) {
    try {
      return localStorage.getItem(key) || "";
    } catch (err) {
      return "";
    }
  }

  function storageSet(key, value) {
    try {
      localStorage.setItem(key, value);
    } catch (err) {
      /* the name then lasts for this page only */
    }
  }

  /** Run `task` now, or once more after the current run if one is in flight. */
  function coalesced(task) {
    let running = null;
    let again = false;
    return function run() {
      if (running !== null) {
        again = true;
        return running;
      }
      running = (async () => {
        do {
          again = false;
          await task();
        } while (again);
      })().finally(() => {
        running = null;
      });
      return running;
    };
  }

  function el(tag, options, children) {
    const node = document.createElement(tag);
    const opts = options || {};
    if (opts.className) node.className = opts.className;
    if (opts.text !== undefined) node.textContent = opts.text;
    if (opts.testid) node.dataset.testid = opts.testid;
    if (opts.dir) node.dir = opts.dir;
    (children || []).forEach((child) => node.appendChild(child));
    return node;
  }

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
        el("td", {}, [el("span", { text: ticket.requester_name, dir: "auto" })]),
        el("td", { text: ticket.channel }),
        el("td", {}, [el("span", { text: ticket.assignee_name || "—", dir: "auto" })]),
        el("td", { text: age(ticket.created_at) }),
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
    } else if (result.status !== 401) {
      els.detail.hidden = true;
      showOutput(result.data.error || "Could not load ticket #" + id + ".", false);
    }
  });

  function openTicket(id) {
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
  }

  // --- commands ------------------------------------------------------------------------------

  /** Send one agent command; shows the engine's reply and resolves to whether it succeeded. */
  async function runCommand(text) {
    if (!agentName) {
      askName();
      showOutput("Tell us your name first; requesters see it on your replies.", false);
      return false;
    }
    const result = await call("POST", "/api/agent/commands", { text: text, event_id: uuid() });
    if (!result.ok) {
      if (result.status !== 401) showOutput(result.data.error || "The command failed.", false);
      return false;
    }
    showOutput(result.data.text || "Done.", result.data.ok);
    refreshAll();
    return result.data.ok;
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
