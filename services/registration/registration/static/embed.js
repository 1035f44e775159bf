/* Treffpunkt on another website: turns each placeholder
     <div data-treffpunkt-event="EVENT-ID" data-lang="de">…</div>
   into a frame with the event's registration form (/embed/events/EVENT-ID), which keeps its own
   styles whatever the page's are, and fits the frame to the form's height as the form reports it.
   Loaded with <script src="…/static/embed.js" defer>; the Treffpunkt address is this script's own. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var origin = new URL(script.src).origin;
  var TITLES = { de: "Anmeldeformular", en: "Registration form" };
  var MAX_HEIGHT = 20000; // px: a report beyond this is not a form's height
  var frames = [];

  function embed(placeholder) {
    var eventId = placeholder.getAttribute("data-treffpunkt-event") || "";
    if (placeholder.querySelector("iframe") || !/^[0-9a-fA-F-]{36}$/.test(eventId)) return;
    var lang = placeholder.getAttribute("data-lang") === "en" ? "en" : "de";
    var frame = document.createElement("iframe");
    frame.src = origin + "/embed/events/" + eventId + "?lang=" + lang;
    frame.title = placeholder.getAttribute("data-title") || TITLES[lang];
    frame.style.display = "block";
    frame.style.width = "100%";
    frame.style.height = "40rem"; // until the form tells its height
    frame.style.border = "0";
    var loads = 0;
    // After each step (errors, the answer) the frame's new page starts at its top: show it.
    frame.addEventListener("load", function () {
      if (loads++ > 0 && frame.getBoundingClientRect().top < 0) frame.scrollIntoView();
    });
    placeholder.textContent = ""; // the link for visitors without JavaScript
    placeholder.appendChild(frame);
    frames.push(frame);
  }

  // Only from Treffpunkt, only a height, only to the frame that sent it.
  window.addEventListener("message", function (event) {
    if (event.origin !== origin || typeof event.data !== "number" || !isFinite(event.data)) return;
    var height = Math.min(Math.max(Math.ceil(event.data), 0), MAX_HEIGHT);
    frames.forEach(function (frame) {
      if (frame.contentWindow === event.source) frame.style.height = height + "px";
    });
  });

  function embedAll() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-treffpunkt-event]"), embed);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", embedAll);
  else embedAll();
})();
