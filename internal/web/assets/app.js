// Keyboard shortcuts of the steward pages. Every shortcut stands for a
// link or a button on the page, which also works without this script.
(function () {
  "use strict";
  var rows = Array.prototype.slice.call(document.querySelectorAll("[data-rows] [data-row]"));
  var at = -1;
  function select(i) {
    if (!rows.length) return;
    at = Math.max(0, Math.min(rows.length - 1, i));
    rows.forEach(function (r, j) { r.classList.toggle("selected", j === at); });
    rows[at].scrollIntoView({ block: "nearest" });
    var a = rows[at].querySelector("a");
    if (a) a.focus();
  }
  function press(key) {
    var el = document.querySelector('[data-key="' + key + '"]');
    if (!el) return false;
    el.click();
    return true;
  }
  // A survivor value picked is highlighted at once, as the server
  // highlights the preselected one.
  document.querySelectorAll(".cluster input[type=radio]").forEach(function (radio) {
    radio.addEventListener("change", function () {
      var row = radio.closest("tr");
      row.querySelectorAll("td").forEach(function (td) { td.classList.remove("chosen"); });
      var td = radio.closest("td");
      if (td) td.classList.add("chosen");
    });
  });
  var help = document.getElementById("help");
  function toggleHelp() { if (help) help.hidden = !help.hidden; }
  document.querySelectorAll("[data-help]").forEach(function (b) { b.addEventListener("click", toggleHelp); });
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    if (t && (t.tagName === "INPUT" && t.type !== "radio" && t.type !== "checkbox" || t.tagName === "TEXTAREA" || t.tagName === "SELECT")) return;
    var k = e.key;
    if (k === "?") { toggleHelp(); e.preventDefault(); return; }
    if (k === "Escape" && help && !help.hidden) { help.hidden = true; return; }
    if (rows.length && (k === "j" || k === "k")) { select(at + (k === "j" ? 1 : -1)); e.preventDefault(); return; }
    if (rows.length && k === "Enter" && at >= 0) { var a = rows[at].querySelector("a"); if (a) { a.click(); e.preventDefault(); } return; }
    if ("jkmnsu".indexOf(k) >= 0 && k.length === 1 && press(k)) e.preventDefault();
  });
})();
