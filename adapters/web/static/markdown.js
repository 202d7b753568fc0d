/* Deskbot's Markdown subset -> DOM nodes, shared by the chat page and the agent console.
 *
 * The subset (conversations/messages.py): *bold*, _italic_, `code`, bare http(s) URLs, newlines.
 * Text only ever reaches the page through text nodes and textContent, never innerHTML, so a
 * message cannot inject markup: escaping is structural rather than a string replace.
 */
(function () {
  "use strict";

  var URL_PATTERN = /https?:\/\/[^\s<>"'`]+/g;
  var CODE_PATTERN = /`([^`\n]+)`/g;
  // Closing marker must follow a non-space, non-marker character: "*bold*", not "* list *".
  var EMPHASIS_SOURCE = "\\*(?=[^\\s*])((?:[^*\\n]*?[^\\s*])?)\\*|_(?=[^\\s_])((?:[^_\\n]*?[^\\s_])?)_";
  var WORD_CHAR = /[\p{L}\p{N}]/u;

  function text(parent, value) {
    if (value) parent.appendChild(document.createTextNode(value));
  }

  function isWordChar(ch) {
    return ch !== "" && ch !== undefined && WORD_CHAR.test(ch);
  }

  // Markers glued to letters are not emphasis: snake_case_names, 2*3*4.
  function renderEmphasis(parent, value) {
    var pattern = new RegExp(EMPHASIS_SOURCE, "gu");
    var last = 0;
    var match;
    while ((match = pattern.exec(value)) !== null) {
      var before = value.charAt(match.index - 1);
      var after = value.charAt(match.index + match[0].length);
      if (isWordChar(before) || isWordChar(after)) {
        pattern.lastIndex = match.index + 1;
        continue;
      }
      text(parent, value.slice(last, match.index));
      var bold = match[1] !== undefined;
      var element = document.createElement(bold ? "strong" : "em");
      renderEmphasis(element, bold ? match[1] : match[2]);
      parent.appendChild(element);
      last = match.index + match[0].length;
    }
    text(parent, value.slice(last));
  }

  // Sentence punctuation after a URL belongs to the sentence; a closing bracket only when the
  // URL did not open one (https://en.wikipedia.org/wiki/Foo_(bar) keeps its parenthesis).
  function trimUrl(url) {
    for (;;) {
      var last = url.charAt(url.length - 1);
      if (".,;:!?،؛؟".indexOf(last) >= 0) {
        url = url.slice(0, -1);
      } else if (last === ")" && url.split("(").length < url.split(")").length) {
        url = url.slice(0, -1);
      } else {
        return url;
      }
    }
  }

  function renderLinks(parent, value) {
    var pattern = new RegExp(URL_PATTERN.source, "g");
    var last = 0;
    var match;
    while ((match = pattern.exec(value)) !== null) {
      var url = trimUrl(match[0]);
      renderEmphasis(parent, value.slice(last, match.index));
      var link = document.createElement("a");
      link.href = url;
      link.textContent = url;
      link.rel = "noopener noreferrer nofollow";
      link.target = "_blank";
      parent.appendChild(link);
      last = match.index + url.length;
      pattern.lastIndex = last;
    }
    renderEmphasis(parent, value.slice(last));
  }

  function renderLine(parent, value) {
    var pattern = new RegExp(CODE_PATTERN.source, "g");
    var last = 0;
    var match;
    while ((match = pattern.exec(value)) !== null) {
      renderLinks(parent, value.slice(last, match.index));
      var code = document.createElement("code");
      code.textContent = match[1];
      parent.appendChild(code);
      last = match.index + match[0].length;
    }
    renderLinks(parent, value.slice(last));
  }

  /** Render Deskbot Markdown into a DocumentFragment of safe nodes. */
  function render(value) {
    var fragment = document.createDocumentFragment();
    String(value == null ? "" : value)
      .split("\n")
      .forEach(function (line, index) {
        if (index > 0) fragment.appendChild(document.createElement("br"));
        renderLine(fragment, line);
      });
    return fragment;
  }

  var RTL_LANGS = ["fa", "ar", "he", "ur", "ps", "ckb", "yi", "dv"];

  /** Whether a language code (fa, fa-IR, ar) is written right to left. */
  function isRtl(lang) {
    return RTL_LANGS.indexOf(String(lang || "").toLowerCase().split(/[-_]/)[0]) >= 0;
  }

  window.DeskbotText = { renderMarkdown: render, isRtl: isRtl };
})();
