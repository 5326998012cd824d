// The page's messages ("Module complete", "Badge earned", "Saved") are read out by screen readers: they are
// copied into an empty live region once the page has loaded, as text already there at load is often not read.
// A form's summary of its problems takes the focus.
(function () {
  "use strict";
  // A form sent back with problems: its summary takes the focus, so it is read out and the page shows it, wherever
  // on the page the form is.
  const summary = document.querySelector(".error-summary");
  if (summary) {
    if (!summary.hasAttribute("tabindex")) { summary.setAttribute("tabindex", "-1"); }
    summary.focus();
  }
  const messages = document.querySelector(".flashes");
  const announcer = document.getElementById("announcer");
  if (!messages || !announcer) {
    return;
  }
  window.setTimeout(function () {
    announcer.textContent = messages.textContent.replace(/\s+/g, " ").trim();
  }, 300);
})();
