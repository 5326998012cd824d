// On a call, reads the other person's line aloud with the browser's own speech, for learners who practise
// listening; the transcript stays on the page. Without speech in the browser, the button stays hidden.
(function () {
  "use strict";
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
