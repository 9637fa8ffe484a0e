// The review app's keys and the CSRF header of htmx requests. No framework, no build step.
(function () {
  "use strict";
  var token = document.querySelector('meta[name="csrf-token"]');
  document.addEventListener("htmx:configRequest", function (event) {
    if (token) { event.detail.headers["X-CSRF-Token"] = token.content; }
  });

  function rows() { return Array.prototype.slice.call(document.querySelectorAll("tr.row")); }
  function current() { return document.querySelector("tr.row.selected"); }
  function select(row) {
    var was = current();
    if (was) { was.classList.remove("selected"); }
    if (row) { row.classList.add("selected"); row.scrollIntoView({block: "nearest"}); }
  }
  function move(step) {
    var all = rows(), at = all.indexOf(current());
    if (!all.length) { return; }
    select(all[Math.max(0, Math.min(all.length - 1, at < 0 ? 0 : at + step))]);
  }
  function post(action) {
    var form = document.createElement("form");
    form.method = "post";
    form.action = action;
    var field = document.createElement("input");
    field.type = "hidden"; field.name = "csrf"; field.value = token ? token.content : "";
    form.appendChild(field);
    document.body.appendChild(form);
    form.submit();
  }
  function approveHere() {
    var row = current();
    if (row && row.dataset.kind === "draft") { post(row.dataset.href + "/approve"); return; }
    var button = document.getElementById("approve") || document.querySelector("button.approve");
    if (button) { button.click(); }
  }
  function resolveHere() {
    var row = current();
    if (row && row.dataset.href.indexOf("/message/") === 0) { post(row.dataset.href + "/resolve"); return; }
    if (row && row.dataset.href.indexOf("/case/") === 0) { post(row.dataset.href + "/close"); return; }
    var button = document.getElementById("resolve");
    if (button) { button.click(); }
  }
  function editHere() {
    var row = current();
    if (row && row.dataset.kind === "draft") { window.location = row.dataset.href + "#edit-form"; return; }
    var area = document.getElementById("edit-text");
    if (area) { area.focus(); }
  }

  document.addEventListener("keydown", function (event) {
    var tag = event.target.tagName;
    if (event.ctrlKey || event.metaKey || event.altKey || tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") {
      return;
    }
    var help = document.getElementById("keys");
    switch (event.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "Enter": if (current()) { window.location = current().dataset.href; } else { return; } break;
      case "a": approveHere(); break;
      case "e": editHere(); break;
      case "r": resolveHere(); break;
      case "?": if (help) { help.hidden = !help.hidden; } break;
      default: return;
    }
    event.preventDefault();
  });
  document.addEventListener("click", function (event) {
    var row = event.target.closest && event.target.closest("tr.row");
    if (row) { select(row); }
  });
  document.addEventListener("DOMContentLoaded", function () {
    if (window.location.hash === "#edit-form") { editHere(); }
  });
})();
