/* The reports dashboard: /api/agent/reports drawn as cards, SVG charts, a heatmap and tables.
 *
 * Charts are hand-drawn SVG built with DOM calls (createElementNS, textContent): no chart
 * library, nothing from another origin, nothing to vendor, and the strict CSP holds (no inline
 * script or style, never innerHTML). The data is a few dozen points per chart, which needs no
 * more than lines, bars and rectangles.
 *
 * Every figure that counts tickets is a button that lists those tickets
 * (/api/agent/reports/tickets, the same set the figure counts). The live cards are refetched
 * (/api/agent/reports/live) whenever /ws/agent pushes a refresh (a ticket changed); the whole
 * report on reconnect and every 30 s while the tab is visible.
 */
(function () {
  "use strict";

  const { requestJson, liveSocket } = window.DeskbotServer;
  const { el, coalesced, storageGet, storageSet } = window.DeskbotDom;
  const T = window.DeskbotReportText;

  const LANG_KEY = "deskbot.consoleLang";
  const POLL_MS = 30000;
  const PARAMS = ["from", "to", "by", "channel", "priority", "team", "agent", "lang", "article"];
  const SVG = "http://www.w3.org/2000/svg";
  const COLORS = { a: "#2457c5", b: "#1e8e3e", c: "#b3261e" };

  const $ = (id) => document.getElementById(id);
  const els = {
    status: document.querySelector("[data-testid=reports-status]"),
    lang: $("ui-lang"),
    login: $("login"),
    loginForm: $("login-form"),
    loginToken: $("login-token"),
    loginError: $("login-error"),
    controls: $("controls"),
    error: $("report-error"),
    report: $("report"),
    liveCards: $("live-cards"),
    periodCards: $("period-cards"),
    periodRange: $("period-range"),
    noData: $("no-data"),
    detail: $("period-detail"),
    charts: $("charts"),
    heatmap: $("heatmap"),
    byChannel: $("by-channel"),
    byPriority: $("by-priority"),
    agents: $("agents"),
    articles: $("articles"),
    drill: $("drill"),
    drillTitle: $("drill-title"),
    drillRows: $("drill-rows"),
    drillEmpty: $("drill-empty"),
    drillClose: $("drill-close"),
  };

  let lang = "en";
  let query = {}; // what the controls ask for (only the parameters given)
  let report = null; // the last answer
  let drill = null; // {figure, label, params} of the open ticket list
  let socket = null;

  // --- helpers -------------------------------------------------------------------------------

  function t(key, params) {
    return T.t(lang, key, params);
  }

  function svg(tag, attrs, children) {
    const node = document.createElementNS(SVG, tag);
    Object.entries(attrs || {}).forEach(([name, value]) => node.setAttribute(name, String(value)));
    (children || []).forEach((child) => node.appendChild(child));
    return node;
  }

  function svgText(x, y, value, attrs) {
    const node = svg("text", Object.assign({ x: x, y: y }, attrs || {}));
    node.textContent = value;
    return node;
  }

  function svgTitle(value) {
    const node = svg("title");
    node.textContent = value;
    return node;
  }

  const isNumber = (value) => typeof value === "number" && isFinite(value);

  /** A count, a rate, minutes or an average as text; a missing value is "—", never NaN. */
  function count(value) {
    return isNumber(value) ? String(value) : "—";
  }

  function share(value) {
    return isNumber(value) ? Math.round(value * 100) + "%" : "—";
  }

  function average(value) {
    return isNumber(value) ? value.toFixed(2) : "—";
  }

  function duration(minutes) {
    if (!isNumber(minutes)) return "—";
    const one = (v) => String(Math.round(v * 10) / 10);
    if (minutes < 60) return t("minutes", { n: one(minutes) });
    if (minutes < 1440) return t("hours", { n: one(minutes / 60) });
    return t("days_short", { n: one(minutes / 1440) });
  }

  /** YYYY-MM-DD plus days, in UTC (report days are UTC days). */
  function addDays(day, days) {
    const [y, m, d] = day.split("-").map(Number);
    return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
  }

  // --- server --------------------------------------------------------------------------------

  function queryString(values) {
    const search = new URLSearchParams();
    Object.entries(values).forEach(([name, value]) => {
      if (value !== undefined && value !== null && value !== "") search.set(name, value);
    });
    return search.toString();
  }

  async function call(path) {
    const result = await requestJson("GET", path, { retries: 1 });
    if (result.status === 401) showLogin();
    return result;
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
      els.loginError.textContent = result.data.error || t("login_failed");
      els.loginError.hidden = false;
      return;
    }
    els.loginError.hidden = true;
    els.loginToken.value = "";
    els.login.hidden = true;
    if (socket) socket.reconnectNow();
    refresh();
  }

  function showError(message) {
    els.error.textContent = message || "";
    els.error.hidden = !message;
  }

  const refresh = coalesced(async () => {
    const result = await call("/api/agent/reports?" + queryString(query));
    els.report.removeAttribute("aria-busy");
    if (result.ok) {
      els.login.hidden = true;
      showError("");
      report = result.data;
      fillControls(report);
      render();
      if (drill) openDrill(drill.figure, drill.label, drill.params);
    } else if (result.status !== 401) {
      showError(result.data.error || t("load_failed"));
    }
  });

  // Each ticket change (pushed on /ws/agent) refetches the live cards alone: one cheap query. The
  // period's figures, which a busy desk's database takes longer to compute, follow every POLL_MS.
  const refreshLive = coalesced(async () => {
    if (!report) return refresh();
    const result = await call("/api/agent/reports/live?" + queryString(query));
    if (result.ok && report) {
      report.live = result.data.live;
      renderLive();
    }
  });

  // --- controls ------------------------------------------------------------------------------

  function readLocation() {
    const search = new URLSearchParams(location.search);
    query = {};
    PARAMS.forEach((name) => {
      const value = search.get(name);
      if (value !== null && value !== "") query[name] = value;
    });
  }

  function fillControls(data) {
    const values = Object.assign(
      { from: data.period.from, to: data.period.to, by: data.by },
      data.filters || {}
    );
    PARAMS.forEach((name) => {
      const input = els.controls.elements[name];
      if (input && document.activeElement !== input) input.value = values[name] || "";
    });
  }

  function submitControls(event) {
    event.preventDefault();
    query = {};
    PARAMS.forEach((name) => {
      const value = (els.controls.elements[name].value || "").trim();
      if (value) query[name] = value;
    });
    history.replaceState(null, "", location.pathname + "?" + queryString(query));
    drill = null;
    els.drill.hidden = true;
    refresh();
  }

  // --- language ------------------------------------------------------------------------------

  function applyLanguage() {
    document.documentElement.lang = lang;
    document.documentElement.dir = T.dir(lang);
    document.title = t("title");
    els.lang.value = lang;
    document.querySelectorAll("[data-i18n]").forEach((node) => {
      node.textContent = t(node.dataset.i18n);
    });
  }

  // --- drill-down ----------------------------------------------------------------------------

  /** The report's filters, with ``extra`` (a table row's channel, say) on top. */
  function scope(extra, period) {
    const base = Object.assign({}, report.filters || {});
    const range = period || report.period;
    return Object.assign(base, { from: range.from, to: range.to }, extra || {});
  }

  function drillButton(text, figure, label, params, testid) {
    const button = el("button", { className: "link-button figure-link", text: text, testid: testid });
    button.type = "button";
    button.dataset.figure = figure;
    button.title = t("show_tickets");
    button.addEventListener("click", () => openDrill(figure, label, params));
    return button;
  }

  async function openDrill(figure, label, params) {
    drill = { figure: figure, label: label, params: params };
    const result = await call(
      "/api/agent/reports/tickets?" + queryString(Object.assign({ figure: figure }, params))
    );
    if (!result.ok) {
      if (result.status !== 401) showError(result.data.error || t("load_failed"));
      return;
    }
    const wasHidden = els.drill.hidden;
    els.drill.hidden = false;
    els.drill.dataset.figure = figure;
    els.drillTitle.textContent = t("drill_title", { figure: label });
    els.drillRows.replaceChildren();
    result.data.tickets.forEach((ticket) => {
      const row = el("tr", { testid: "drill-row" });
      row.dataset.ticketId = String(ticket.id);
      const created = new Date(ticket.created_at);
      [
        el("td", { text: "#" + ticket.id, dir: "ltr" }),
        el("td", { text: ticket.subject, dir: "auto" }),
        el("td", {}, [el("span", { className: "badge status--" + ticket.status, text: ticket.status })]),
        el("td", {}, [el("span", { className: "badge priority--" + ticket.priority,
          text: ticket.priority })]),
        el("td", { text: ticket.requester_name, dir: "auto" }),
        el("td", { text: ticket.channel }),
        el("td", { text: ticket.assignee_name || "—", dir: "auto" }),
        el("td", { text: isNaN(created) ? "" : created.toISOString().slice(0, 16).replace("T", " "),
          dir: "ltr" }),
      ].forEach((cell) => row.appendChild(cell));
      els.drillRows.appendChild(row);
    });
    els.drillEmpty.hidden = result.data.tickets.length > 0;
    if (wasHidden) {
      els.drill.scrollIntoView({ block: "start" });
      els.drill.focus({ preventScroll: true });
    }
  }

  // --- cards ---------------------------------------------------------------------------------

  /**
   * One card: its label, its value (a button listing the tickets when ``figure`` is given),
   * optional extra lines, its n, and the previous period's value beside it.
   */
  function card(key, spec) {
    const box = el("div", { className: "card", testid: "card-" + key });
    box.appendChild(el("h3", { text: spec.label }));
    const value = spec.figure
      ? drillButton(spec.value, spec.figure, spec.label, spec.params, "value-" + key)
      : el("span", { text: spec.value, testid: "value-" + key });
    value.dir = "auto"; // "67%" (no letters: left to right), "35 دقیقه" right to left
    value.classList.add("card-value");
    box.appendChild(value);
    (spec.extra || []).forEach((line) => box.appendChild(el("p", { className: "card-extra", text: line })));
    if (spec.n !== undefined) {
      // "n = 3" reads left to right in both languages (its own direction, isolated).
      const n = el("p", { className: "card-n" });
      const sample = el("bdi", { dir: "ltr", text: t("n") + " = " });
      sample.appendChild(
        spec.nFigure
          ? drillButton(count(spec.n), spec.nFigure, spec.label, spec.params, "n-" + key)
          : el("span", { text: count(spec.n), testid: "n-" + key })
      );
      n.appendChild(sample);
      box.appendChild(n);
    }
    if (spec.previous !== undefined) {
      const previous = el("p", { className: "card-previous", testid: "previous-" + key,
        text: t("previous") + ": " });
      previous.appendChild(el("bdi", { dir: "auto", text: spec.previous }));
      box.appendChild(previous);
    }
    return box;
  }

  function renderLive() {
    const live = report.live;
    const params = scope();
    const cards = ["open", "unassigned", "unattended", "pending", "breached"].map((key) =>
      card("live-" + key, { label: t(key), value: count(live[key]), figure: key, params: params })
    );
    cards.push(card("live-oldest", {
      label: t("oldest_waiting"),
      value: duration(live.oldest_waiting_minutes),
      figure: "unattended",
      params: params,
    }));
    els.liveCards.replaceChildren(...cards);
  }

  function renderPeriodCards() {
    const now = report;
    const before = report.previous;
    const params = scope();
    const previousParams = scope({}, before.period);
    const cards = ["created", "resolved", "reopened", "backlog"].map((key) => {
      const box = card("tickets-" + key, {
        label: t(key),
        value: count(now.tickets[key]),
        figure: key,
        params: params,
      });
      const previous = el("p", { className: "card-previous", testid: "previous-tickets-" + key });
      previous.appendChild(document.createTextNode(t("previous") + ": "));
      previous.appendChild(drillButton(count(before.tickets[key]), key, t(key) + " (" + t("previous") + ")",
        previousParams));
      box.appendChild(previous);
      return box;
    });
    const speed = (key, label, nFigure) => {
      const figures = now[key];
      return card(key, {
        label: label,
        value: duration(figures.p50),
        extra: [t("p90") + " " + duration(figures.p90)],
        n: figures.n,
        nFigure: nFigure,
        params: params,
        previous: duration(before[key].p50),
      });
    };
    cards.push(speed("first_response_minutes", t("first_response"), "first_responded"));
    cards.push(speed("resolution_minutes", t("resolution"), "resolved"));
    cards.push(card("sla-first", {
      label: t("sla_first"), value: share(now.sla.first_response_hit_rate),
      n: now.sla.first_response_n, previous: share(before.sla.first_response_hit_rate),
    }));
    cards.push(card("sla-resolution", {
      label: t("sla_resolution"), value: share(now.sla.resolution_hit_rate),
      n: now.sla.resolution_n, nFigure: "resolved", params: params,
      previous: share(before.sla.resolution_hit_rate),
    }));
    cards.push(card("sla-breaches", {
      label: t("breaches"), value: count(now.sla.breaches), figure: "breaches", params: params,
      previous: count(before.sla.breaches),
    }));
    cards.push(card("csat", {
      label: t("csat"), value: average(now.csat.average),
      extra: [share(now.csat.satisfied_rate) + " 4-5"],
      n: now.csat.responses, previous: average(before.csat.average),
    }));
    cards.push(card("fcr", {
      label: t("fcr"), value: share(now.fcr_rate), n: now.tickets.resolved, nFigure: "resolved",
      params: params, previous: share(before.fcr_rate),
    }));
    cards.push(card("reopen-rate", {
      label: t("reopen_rate"), value: share(now.reopen_rate), n: now.tickets.resolved,
      nFigure: "resolved", params: params, previous: share(before.reopen_rate),
    }));
    cards.push(card("deflection", {
      label: t("deflection"), value: share(now.self_service.deflection_rate),
      n: now.self_service.questions, previous: share(before.self_service.deflection_rate),
    }));
    els.periodCards.replaceChildren(...cards);
  }

  /** Nothing happened in the period: no ticket, response, survey, question or breach. */
  function isEmpty(data) {
    return (
      data.tickets.created === 0 &&
      data.tickets.resolved === 0 &&
      data.tickets.reopened === 0 &&
      data.first_response_minutes.n === 0 &&
      data.requester_wait_minutes.n === 0 &&
      data.csat.surveys_sent === 0 &&
      data.self_service.questions === 0 &&
      data.sla.breaches === 0
    );
  }

  // --- charts --------------------------------------------------------------------------------

  function niceMax(value) {
    if (!(value > 0)) return 1;
    const power = Math.pow(10, Math.floor(Math.log10(value)));
    const steps = [1, 2, 2.5, 5, 10];
    for (const step of steps) if (value <= step * power) return step * power;
    return 10 * power;
  }

  /**
   * A chart of ``series`` over the report's buckets: bars (counts) or lines (times, rates). A
   * null value is a gap, never a zero. ``max`` fixes the scale (rates: 1).
   */
  function chart(name, title, series, options) {
    const opts = options || {};
    const points = report.series;
    const figure = el("figure", { className: "chart", testid: "chart-" + name });
    figure.appendChild(el("figcaption", { text: title }));
    const values = series.flatMap((s) => points.map((p) => p[s.key])).filter(isNumber);
    if (!values.length) {
      figure.appendChild(el("p", { className: "muted", text: t("nothing") }));
      return figure;
    }
    const W = 560, H = 200, left = 44, right = 10, top = 10, bottom = 28;
    const top_ = Math.max(...values);
    // Counts get whole-number grid lines: a multiple of the 4 steps.
    const max = opts.max || (opts.whole ? Math.max(4, Math.ceil(top_ / 4) * 4) : niceMax(top_));
    const slot = (W - left - right) / points.length;
    const x = (i) => left + slot * (i + 0.5);
    const y = (v) => top + (H - top - bottom) * (1 - v / max);
    const format = opts.format || count;
    const picture = svg("svg", { viewBox: "0 0 " + W + " " + H, role: "img", class: "chart-svg" });
    picture.setAttribute("aria-label", title);
    const steps = opts.steps || 4;
    for (let i = 0; i <= steps; i++) {
      const v = (max * i) / steps;
      picture.appendChild(svg("line", { x1: left, x2: W - right, y1: y(v), y2: y(v), class: "grid" }));
      picture.appendChild(svgText(left - 6, y(v) + 4, format(v), { class: "axis", "text-anchor": "end" }));
    }
    const every = Math.max(1, Math.ceil(points.length / 8));
    points.forEach((p, i) => {
      if (i % every === 0) {
        picture.appendChild(svgText(x(i), H - 8, p.bucket.slice(5), { class: "axis", "text-anchor": "middle" }));
      }
    });
    series.forEach((s, index) => {
      const color = COLORS[s.color];
      if (s.bars) {
        const width = Math.min(36, Math.max(2, (slot * 0.8) / series.length));
        points.forEach((p, i) => {
          const v = p[s.key];
          if (!isNumber(v)) return;
          const bar = svg("rect", {
            x: x(i) - (width * series.length) / 2 + index * width, y: y(v), width: width,
            height: Math.max(0, y(0) - y(v)), fill: color, class: "bar",
          });
          bar.appendChild(svgTitle(p.bucket + " · " + s.label + ": " + format(v)));
          bar.dataset.bucket = p.bucket;
          bar.dataset.series = s.key;
          if (s.figure) {
            bar.classList.add("bar--link");
            bar.addEventListener("click", () => {
              const start = p.bucket < report.period.from ? report.period.from : p.bucket;
              let end = report.by === "week" ? addDays(p.bucket, 6) : p.bucket;
              if (end > report.period.to) end = report.period.to;
              openDrill(s.figure, s.label + " " + start + (end !== start ? " – " + end : ""),
                scope({}, { from: start, to: end }));
            });
          }
          picture.appendChild(bar);
        });
        return;
      }
      let path = "";
      points.forEach((p, i) => {
        const v = p[s.key];
        if (!isNumber(v)) return;
        const previous = i > 0 ? points[i - 1][s.key] : null;
        path += (isNumber(previous) ? " L" : " M") + x(i).toFixed(1) + " " + y(v).toFixed(1);
        const dot = svg("circle", { cx: x(i), cy: y(v), r: 3.5, fill: color });
        dot.appendChild(svgTitle(p.bucket + " · " + s.label + ": " + format(v)));
        picture.appendChild(dot);
      });
      if (path) picture.insertBefore(svg("path", { d: path.trim(), stroke: color, class: "line" }), picture.firstChild.nextSibling);
    });
    figure.appendChild(picture);
    const legend = el("p", { className: "legend" });
    series.forEach((s) => {
      const swatch = el("span", { className: "swatch swatch--" + s.color });
      legend.appendChild(el("span", { className: "legend-item" }, [swatch, document.createTextNode(s.label)]));
    });
    figure.appendChild(legend);
    return figure;
  }

  function renderCharts() {
    const minutes = (v) => (isNumber(v) ? String(Math.round(v)) : "—");
    els.charts.replaceChildren(
      chart("volume", t("chart_volume"), [
        { key: "created", label: t("created"), color: "a", bars: true, figure: "created" },
        { key: "resolved", label: t("resolved"), color: "b", bars: true, figure: "resolved" },
      ], { whole: true }),
      chart("first-response", t("chart_first_response") + " · " + t("minutes", { n: "" }).trim(), [
        { key: "first_response_p50", label: t("p50"), color: "a" },
        { key: "first_response_p90", label: t("p90"), color: "c" },
      ], { format: minutes, whole: true }),
      chart("resolution", t("chart_resolution") + " · " + t("minutes", { n: "" }).trim(), [
        { key: "resolution_p50", label: t("p50"), color: "a" },
        { key: "resolution_p90", label: t("p90"), color: "c" },
      ], { format: minutes, whole: true }),
      chart("sla", t("chart_sla"), [
        { key: "first_response_hit_rate", label: t("sla_first"), color: "b" },
      ], { format: share, max: 1 }),
      chart("csat", t("chart_csat"), [
        { key: "csat_average", label: t("csat"), color: "a" },
      ], { format: (v) => (isNumber(v) ? String(Math.round(v * 10) / 10) : "—"), max: 5, steps: 5 }),
      chart("deflection", t("chart_deflection"), [
        { key: "deflection_rate", label: t("deflection"), color: "b" },
      ], { format: share, max: 1 })
    );
  }

  function renderHeatmap() {
    const grid = report.heatmap;
    const days = t("days");
    const cell = 22, labelWidth = 78, top = 18;
    const W = labelWidth + 24 * cell, H = top + 7 * cell;
    const max = Math.max(0, ...grid.flat());
    const picture = svg("svg", { viewBox: "0 0 " + W + " " + H, role: "img", class: "heatmap-svg" });
    picture.setAttribute("aria-label", t("heatmap"));
    for (let h = 0; h < 24; h += 3) {
      picture.appendChild(svgText(labelWidth + h * cell + cell / 2, 12, String(h), { class: "axis", "text-anchor": "middle" }));
    }
    grid.forEach((row, d) => {
      picture.appendChild(svgText(labelWidth - 6, top + d * cell + cell * 0.68, days[d], { class: "axis", "text-anchor": "end" }));
      row.forEach((n, h) => {
        const rect = svg("rect", {
          x: labelWidth + h * cell + 1, y: top + d * cell + 1, width: cell - 2, height: cell - 2,
          rx: 3, class: n ? "heat" : "heat heat--empty",
        });
        if (n) rect.setAttribute("fill-opacity", (0.2 + 0.8 * (n / max)).toFixed(2));
        rect.dataset.day = String(d);
        rect.dataset.hour = String(h);
        rect.dataset.count = String(n);
        rect.appendChild(svgTitle(days[d] + " " + String(h).padStart(2, "0") + ":00 · " + n));
        picture.appendChild(rect);
      });
    });
    els.heatmap.replaceChildren(picture);
  }

  // --- tables --------------------------------------------------------------------------------

  function table(testid, columns, rows) {
    if (!rows.length) return el("p", { className: "muted", text: t("nothing") });
    const head = el("tr", {}, columns.map((c) => el("th", { text: c.label })));
    head.firstChild.scope = "col";
    const body = el("tbody");
    rows.forEach((row) => {
      const tr = el("tr", { testid: testid + "-row" });
      columns.forEach((c) => {
        const value = c.format ? c.format(row[c.key]) : row[c.key];
        const td = el("td");
        if (c.figure && isNumber(row[c.key])) {
          td.appendChild(drillButton(String(value), c.figure, c.drillLabel(row), c.params(row)));
        } else if (c.filter) {
          // The whole dashboard narrowed to this row (an article, say): its figures and tickets.
          const params = scope({ [c.filter]: row[c.key] });
          const link = el("a", { text: String(value), testid: testid + "-filter" });
          link.href = location.pathname + "?" + queryString(Object.assign({ by: report.by }, params));
          link.title = t("filter_by", { value: String(value) });
          link.dir = "auto";
          link.addEventListener("click", (event) => {
            event.preventDefault();
            history.pushState(null, "", link.href);
            readLocation();
            drill = null;
            els.drill.hidden = true;
            refresh();
          });
          td.appendChild(link);
        } else {
          td.textContent = value === null || value === undefined ? "—" : String(value);
          if (c.auto) td.dir = "auto";
        }
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    return el("table", { className: "queue-table report-table", testid: testid }, [el("thead", {}, [head]), body]);
  }

  function breakdown(key, filter) {
    const rows = Object.entries(report[key]).map(([name, n]) => ({ name: name, created: n.created, resolved: n.resolved }));
    const link = (figure) => ({
      key: figure, label: t(figure), figure: figure,
      drillLabel: (row) => t(figure) + " · " + row.name,
      params: (row) => scope({ [filter]: row.name }),
    });
    return table(key, [{ key: "name", label: t(filter) }, link("created"), link("resolved")], rows);
  }

  function renderTables() {
    els.byChannel.replaceChildren(breakdown("by_channel", "channel"));
    els.byPriority.replaceChildren(breakdown("by_priority", "priority"));
    // Each of an agent's counts lists its tickets: the figure agent_<count>, for this agent.
    const mine = (key, label, figure) => ({
      key: key, label: label, figure: figure,
      drillLabel: (row) => label + " · " + row.name,
      params: (row) => scope({ actor: row.key }),
    });
    els.agents.replaceChildren(table("agents", [
      { key: "name", label: t("name"), auto: true },
      mine("claimed", t("claimed"), "agent_claimed"),
      mine("resolved", t("resolved"), "agent_resolved"),
      { key: "first_response_p50", label: t("first_response_p50"), format: duration },
      { key: "csat_average", label: t("csat_average"), format: average },
      mine("open", t("open_load"), "agent_open"),
      mine("transfers", t("transfers"), "agent_transfers"),
      mine("merges", t("merges"), "agent_merges"),
    ], report.agents));
    els.articles.replaceChildren(table("articles", [
      { key: "id", label: t("article"), filter: "article" },
      { key: "shown", label: t("shown") },
      { key: "solved", label: t("solved") },
      { key: "rejected", label: t("rejected") },
      { key: "escalated", label: t("escalated") },
      { key: "deflection_rate", label: t("deflection_rate"), format: share },
      { key: "csat_average", label: t("csat_average"), format: average },
    ], report.articles));
  }

  function render() {
    applyLanguage();
    if (!report) return;
    els.periodRange.textContent = report.period.from + " – " + report.period.to;
    renderLive();
    renderPeriodCards();
    const empty = isEmpty(report);
    els.noData.hidden = !empty;
    els.detail.hidden = empty;
    if (!empty) {
      renderCharts();
      renderHeatmap();
      renderTables();
    }
    if (drill && !els.drill.hidden) {
      els.drillTitle.textContent = t("drill_title", { figure: drill.label });
    }
  }

  // --- start ---------------------------------------------------------------------------------

  function start() {
    const saved = storageGet(LANG_KEY);
    lang = T.languages.indexOf(saved) >= 0 ? saved : "en";
    applyLanguage();
    readLocation();
    els.lang.addEventListener("change", () => {
      lang = els.lang.value;
      storageSet(LANG_KEY, lang);
      render();
      if (drill && !els.drill.hidden) els.drillTitle.textContent = t("drill_title", { figure: drill.label });
    });
    els.controls.addEventListener("submit", submitControls);
    window.addEventListener("popstate", () => {
      readLocation();
      refresh();
    });
    els.loginForm.addEventListener("submit", login);
    els.drillClose.addEventListener("click", () => {
      drill = null;
      els.drill.hidden = true;
    });
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") refresh();
    });
    setInterval(() => {
      if (document.visibilityState === "visible") refresh();
    }, POLL_MS);
    refresh();
    socket = liveSocket("/ws/agent", {
      onOpen: refresh,
      onEvent: (event) => {
        if (event.type === "refresh") refreshLive();
      },
      onStatus: (state) => {
        els.status.textContent = t(state === "online" ? "online" : "offline");
        els.status.dataset.state = state;
        els.status.dataset.i18n = state === "online" ? "online" : "offline";
      },
    });
  }

  start();
})();
