// Self-check questions inside a lesson: picking an option says at once whether it is right and why.
// Nothing is sent to the server. Without this script, "Show the answer" still opens the answer.
(function () {
  "use strict";
  document.querySelectorAll(".selfcheck").forEach(function (check) {
    var result = check.querySelector(".selfcheck-result");
    check.addEventListener("change", function (event) {
      var picked = event.target;
      if (!picked.matches("input[type=radio]")) { return; }
      var right = picked.hasAttribute("data-correct");
      var why = check.querySelector('.selfcheck-why[data-option="' + picked.value + '"]');
      result.textContent = (right ? "Right. " : "Not quite. ") + (why ? why.textContent : "");
      result.className = "selfcheck-result " + (right ? "selfcheck-right" : "selfcheck-wrong");
    });
  });
}());
