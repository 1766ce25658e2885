// Streamlit's own interface strings in Vietnamese (dashboard/chrome.py holds the strings).
// Runs once per page load: every text node and label attribute that appears later (a
// tooltip, a menu, the connection-lost dialog) is translated as it is added. Charts (SVG)
// and tables (canvas) are skipped: their text is the app's own, already Vietnamese.
(() => {
  if (window.__progressLocalized) return;
  window.__progressLocalized = true;
  const STRINGS = __STRINGS__;
  const PATTERNS = __PATTERNS__.map(([re, to]) => [new RegExp(re), to]);
  const ATTRIBUTES = ["title", "aria-label", "placeholder", "data-title"];
  const SKIPPED = new Set(["svg", "canvas", "script", "style"]);

  function vietnamese(text) {
    const key = text.trim();
    if (!key) return null;
    if (Object.prototype.hasOwnProperty.call(STRINGS, key)) return text.replace(key, STRINGS[key]);
    for (const [re, to] of PATTERNS) {
      if (re.test(key)) return text.replace(key, key.replace(re, to));
    }
    return null;
  }

  function translateText(node) {
    const done = vietnamese(node.nodeValue || "");
    if (done !== null) node.nodeValue = done;
  }

  function translateAttributes(el) {
    for (const name of ATTRIBUTES) {
      const value = el.getAttribute(name);
      const done = value && vietnamese(value);
      if (done) el.setAttribute(name, done);
    }
  }

  function skipped(node) {
    const el = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
    return !el || !!el.closest("svg, canvas, script, style");
  }

  function translateTree(root) {
    if (skipped(root)) return;
    if (root.nodeType === Node.TEXT_NODE) return translateText(root);
    if (root.nodeType !== Node.ELEMENT_NODE) return;
    translateAttributes(root);
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT, {
      acceptNode: (n) => (n.nodeType === Node.ELEMENT_NODE && SKIPPED.has(n.localName)
        ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT),
    });
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (n.nodeType === Node.TEXT_NODE) translateText(n); else translateAttributes(n);
    }
  }

  // Streamlit hands the browser's language (navigator.language, read on every render) to
  // its widgets: the date picker's calendar names months and weekdays in it, tables format
  // numbers with it. This is a Vietnamese app whatever the computer's language: month and
  // weekday names in Vietnamese, the week from Monday, 1.234 for a thousand.
  for (const [name, value] of [["language", "vi-VN"], ["languages", ["vi-VN", "vi"]]]) {
    Object.defineProperty(navigator, name, { get: () => value, configurable: true });
  }
  window.dispatchEvent(new Event("languagechange"));

  new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === "childList") {
        for (const n of r.addedNodes) translateTree(n);
      } else if (r.type === "characterData") {
        if (!skipped(r.target)) translateText(r.target);
      } else if (!skipped(r.target)) {
        translateAttributes(r.target);
      }
    }
  }).observe(document.body, { subtree: true, childList: true, characterData: true,
                              attributes: true, attributeFilter: ATTRIBUTES });
  translateTree(document.body);

  // Printing: a chart is drawn at the screen's width in pixels. Give each chart's SVG its
  // own coordinates (viewBox) so the print stylesheet (app.css) can scale it to the sheet.
  window.addEventListener("beforeprint", () => {
    for (const box of document.querySelectorAll(".stPlotlyChart .svg-container")) {
      const width = parseFloat(box.style.width);
      const height = parseFloat(box.style.height);
      if (!width || !height) continue;
      box.style.setProperty("--print-ratio", `${width} / ${height}`);
      for (const svg of box.querySelectorAll(":scope > svg.main-svg")) {
        svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
      }
    }
  });
  window.addEventListener("afterprint", () => {
    for (const svg of document.querySelectorAll(".stPlotlyChart svg.main-svg[viewBox]")) {
      svg.removeAttribute("viewBox");
    }
  });
})();
