/* The form in another website's frame: tells that page its height whenever it changes (an error
   summary, the answer), so that embed.js there fits the frame to it. Only a number, which says
   nothing about the registrant: any parent may hear it. */
(function () {
  "use strict";
  if (window.parent === window) return;
  var last = 0;
  function report() {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height !== last) {
      last = height;
      window.parent.postMessage(height, "*");
    }
  }
  new ResizeObserver(report).observe(document.documentElement);
  // Browsers ignore `autofocus` in a frame from another origin; the error summary should still be
  // where the focus is after sending, as on the hosted form.
  var first = document.querySelector("[autofocus]");
  if (first && document.activeElement !== first) first.focus();
})();
