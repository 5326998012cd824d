// The page's messages ("Module complete", "Badge earned", "Saved") are read out by screen readers: they are
// copied into an empty live region once the page has loaded, as text already there at load is often not read.
(function () {
  "use strict";
  const messages = document.querySelector(".flashes");
  const announcer = document.getElementById("announcer");
  if (!messages || !announcer) {
    return;
  }
  window.setTimeout(function () {
    announcer.textContent = messages.textContent.replace(/\s+/g, " ").trim();
  }, 300);
})();
