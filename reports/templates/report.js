// The HTML report's only script, inlined and allowed by its SHA-256 (see html_report.py).
// Filters and search over the finding rows, counts, deep links (#spec-…, #rule-…, #finding-…)
// and filter state in the fragment (#f:status=fail&svc=microsoft.keyvault). Everything works on
// the page's own elements: it reads text and data attributes and writes only hidden, open,
// classes and textContent, so nothing from a scanned resource is ever parsed as markup.
(function () {
  "use strict";
  var doc = document;
  var form = doc.getElementById("filters");
  var countEl = doc.getElementById("f-count");
  var FIELDS = ["status", "sev", "sg", "sub", "svc", "phi", "q"];
  var LABELS = { status: "status", sev: "severity", sg: "safeguard", sub: "subscription", svc: "service", phi: "PHI scope", q: "search" };
  var STATUSES = ["fail", "waived", "error", "unknown", "pass", "not_applicable"];
  var all = function (root, selector) { return Array.prototype.slice.call(root.querySelectorAll(selector)); };
  var lower = function (text) { return (text || "").toLowerCase(); };

  var total = 0;
  var rules = all(doc, "details.rule").map(function (el) {
    var rows = all(el, "tr[data-status]").map(function (tr) {
      return { el: tr, status: tr.dataset.status, sub: tr.dataset.sub, svc: tr.dataset.svc, phi: tr.dataset.phi === "1", text: null };
    });
    total += rows.length;
    var cites = el.querySelector(".cites");
    var text = lower(el.querySelector("summary").textContent + " " + (cites ? cites.textContent : ""));
    return { el: el, id: el.id.slice(5), sev: el.dataset.sev, sgs: (el.dataset.sg || "").split(" "), rows: rows, text: text, shown: el.querySelector(".shown") };
  });
  var refs = all(doc, "li[data-ref]").map(function (li) { return { el: li, id: li.dataset.ref }; });
  var nodes = all(doc, "details.node").map(function (el) {
    var summary = el.querySelector("summary");
    return { el: el, sg: el.dataset.sg, body: el.querySelector(".body"), text: lower(summary.textContent), shown: summary.querySelector(".shown") };
  });
  var sections = all(doc, "section.safeguard");

  function rowText(row) {
    if (row.text === null) { row.text = lower(row.el.textContent); }
    return row.text;
  }

  function control(name) { return form ? form.elements.namedItem(name) : null; }
  function read() {
    var f = {};
    FIELDS.forEach(function (name) { var c = control(name); f[name] = c ? c.value : ""; });
    f.q = f.q.trim().toLowerCase();
    return f;
  }
  function setControls(params) {
    FIELDS.forEach(function (name) {
      var c = control(name);
      if (!c) { return; }
      var value = params.get(name) || "";
      if (c.tagName === "SELECT") {
        var known = Array.prototype.some.call(c.options, function (o) { return o.value === value; });
        c.value = known ? value : "";
      } else {
        c.value = value;
      }
    });
  }
  function clearControls() { setControls(new URLSearchParams("")); }

  function findings(n) { return n + (n === 1 ? " finding" : " findings"); }

  function describe(f, shown, counts) {
    var active = FIELDS.filter(function (name) { return f[name]; });
    if (!active.length) { return total + " findings shown in this report."; }
    var parts = STATUSES.filter(function (s) { return counts[s]; }).map(function (s) { return s.replace("_", " ") + " " + counts[s]; });
    var text = "Showing " + shown + " of " + findings(total);
    text += parts.length ? " (" + parts.join(", ") + ")" : "";
    return text + " · filtered by " + active.map(function (name) { return LABELS[name]; }).join(", ") + ".";
  }

  function apply(writeHash) {
    var f = read();
    var rowFilter = !!(f.status || f.sub || f.svc || f.phi);
    var any = rowFilter || !!f.q || !!f.sev || !!f.sg;
    var counts = {};
    var shown = 0;
    var visible = {};
    rules.forEach(function (rule) {
      var ruleOk = (!f.sev || rule.sev === f.sev) && (!f.sg || rule.sgs.indexOf(f.sg) >= 0);
      var ruleMatch = !f.q || rule.text.indexOf(f.q) >= 0;
      var n = 0;
      rule.rows.forEach(function (row) {
        var ok = ruleOk && (!f.status || row.status === f.status) && (!f.sub || row.sub === f.sub) &&
          (!f.svc || row.svc === f.svc) && (!f.phi || (f.phi === "in") === row.phi) &&
          (ruleMatch || rowText(row).indexOf(f.q) >= 0);
        row.el.hidden = !ok;
        if (ok) { n += 1; counts[row.status] = (counts[row.status] || 0) + 1; }
      });
      shown += n;
      var ruleVisible = !any || (ruleOk && (n > 0 || (!rowFilter && ruleMatch)));
      rule.el.hidden = !ruleVisible;
      visible[rule.id] = ruleVisible;
      if (rule.shown) {
        rule.shown.hidden = !any;
        rule.shown.textContent = any ? "(" + n + " of " + rule.rows.length + " shown)" : "";
      }
      if (any && n > 0 && (rowFilter || f.q)) { rule.el.open = true; }
    });
    refs.forEach(function (ref) { ref.el.hidden = !visible[ref.id]; });
    for (var i = nodes.length - 1; i >= 0; i -= 1) {
      var node = nodes[i];
      var own = !rowFilter && !f.sev && (!f.sg || f.sg === node.sg) && (!f.q || node.text.indexOf(f.q) >= 0);
      var inner = !!node.body.querySelector(":scope > details:not([hidden]), :scope > ul > li:not([hidden])");
      node.el.hidden = any && !own && !inner;
      if (node.shown) {
        var n = any ? node.body.querySelectorAll("tr[data-status]:not([hidden])").length : 0;
        var linked = any && n === 0 && all(node.body, "li[data-ref]").some(function (li) { return !li.closest("[hidden]"); });
        node.shown.hidden = !any;
        node.shown.textContent = !any ? "" : linked ? "(matching rules linked)" : "(" + findings(n) + " shown)";
        if (n > 0 && (rowFilter || f.q)) { node.el.open = true; }
      }
    }
    sections.forEach(function (section) {
      section.hidden = any && !section.querySelector(":scope > details:not([hidden])");
    });
    if (countEl) { countEl.textContent = describe(f, shown, counts); }
    if (writeHash) { saveHash(f); }
  }

  function saveHash(f) {
    var params = new URLSearchParams();
    FIELDS.forEach(function (name) { if (f[name]) { params.set(name, f[name]); } });
    var query = params.toString();
    try {
      history.replaceState(null, "", query ? "#f:" + query : location.pathname + location.search);
    } catch (e) {
      // Some browsers refuse history changes on file:// pages; the filters still work.
    }
  }

  var marked = null;
  function reveal(id) {
    var el = doc.getElementById(id);
    if (!el) { return false; }
    if (el.closest("[hidden]") && form) { clearControls(); apply(true); }
    for (var d = el; d; d = d.parentElement) {
      if (d.tagName === "DETAILS") { d.open = true; }
    }
    var target = el.tagName === "DETAILS" ? el.querySelector("summary") : el;
    if (target.tagName !== "SUMMARY" && !target.hasAttribute("tabindex")) { target.setAttribute("tabindex", "-1"); }
    if (marked) { marked.classList.remove("target"); }
    marked = el;
    el.classList.add("target");
    el.scrollIntoView({ block: "start" });
    target.focus({ preventScroll: true });
    return true;
  }

  function route() {
    var raw = location.hash.slice(1);
    if (!raw) { return; }
    if (raw.indexOf("f:") === 0) {
      setControls(new URLSearchParams(raw.slice(2)));
      apply(false);
      return;
    }
    var id = raw;
    try { id = decodeURIComponent(raw); } catch (e) { id = raw; }
    reveal(id);
  }

  if (form) {
    form.hidden = false;
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    all(form, "select").forEach(function (s) { s.addEventListener("change", function () { apply(true); }); });
    var timer = null;
    control("q").addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { apply(true); }, 150);
    });
    doc.getElementById("f-clear").addEventListener("click", function () { clearControls(); apply(true); });
    doc.getElementById("f-open").addEventListener("click", function () { all(doc, "details").forEach(function (d) { d.open = true; }); });
    doc.getElementById("f-close").addEventListener("click", function () { all(doc, "details").forEach(function (d) { d.open = false; }); });
  }

  // A link to the fragment already in the address bar fires no hashchange: reveal it anyway.
  doc.addEventListener("click", function (e) {
    var a = e.target.closest && e.target.closest("a[href^='#']");
    if (a && a.hash === location.hash && a.hash.length > 1) { e.preventDefault(); route(); }
  });
  window.addEventListener("hashchange", route);

  // Printing shows everything: open every section for the printout, then close again what was closed.
  var reopened = [];
  window.addEventListener("beforeprint", function () {
    reopened = all(doc, "details:not([open])");
    reopened.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    reopened.forEach(function (d) { d.open = false; });
    reopened = [];
  });

  // Now, so the sections are open before the page is first shown, and again once loaded, since
  // the browser's own scroll to the fragment moves the focus away from a target it cannot focus.
  route();
  window.addEventListener("load", function () { setTimeout(route, 0); });
})();
