/* Page helpers shared by the agent console and the reports dashboard: building DOM nodes
 * (textContent only, never innerHTML, so the strict CSP and escaping hold), coalescing refetches,
 * and localStorage that degrades to "this page only" where storage is blocked. */
(function () {
  "use strict";

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
      /* the value then lasts for this page only */
    }
  }

  window.DeskbotDom = {
    el: el,
    coalesced: coalesced,
    storageGet: storageGet,
    storageSet: storageSet,
  };
})();
