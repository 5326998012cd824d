// On a call, reads the other person's line aloud with the browser's own speech, for learners who practice
// listening; the transcript stays on the page. Without speech in the browser, the button stays hidden. After a
// reply, the new line takes the focus.
(function () {
  "use strict";
  // Back from a reply (the page's address names the question): the other person's new line takes the focus, so
  // it is read out next instead of the page from its top.
  // (Once the page has loaded: the browser's own move to the address's fragment would take the focus back.)
  var asked = /^#question-(\d+)$/.exec(window.location.hash);
  var latest = asked && document.getElementById("line-" + asked[1]);
  if (latest) {
    window.addEventListener("load", function () { window.setTimeout(function () { latest.focus(); }, 0); });
  }
  if (!("speechSynthesis" in window)) { return; }
  Array.prototype.forEach.call(document.querySelectorAll("[data-say]"), function (button) {
    var line = document.getElementById(button.dataset.say);
    if (!line) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var words = line.cloneNode(true);
      var speaker = words.querySelector(".speaker");
      if (speaker) { speaker.remove(); }
      window.speechSynthesis.cancel();
      window.speechSynthesis.speak(new SpeechSynthesisUtterance(words.textContent.trim()));
    });
  });
}());
