// Self-check questions inside a lesson: "Check my answer" says whether the option picked is right and why.
// Picking alone says nothing, so a keyboard user can arrow through the options without each one being graded.
// Nothing is sent to the server. Without this script, "Show the answer" still opens the answer.
(function () {
  "use strict";
  document.querySelectorAll(".selfcheck").forEach(function (check) {
    var result = check.querySelector(".selfcheck-result");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button button-secondary button-small";
    button.textContent = "Check my answer";
    check.querySelector("fieldset").appendChild(button);
    button.addEventListener("click", function () {
      var picked = check.querySelector("input[type=radio]:checked");
      if (!picked) {
        result.textContent = "Pick an option first.";
        result.className = "selfcheck-result";
        return;
      }
      var right = picked.hasAttribute("data-correct");
      var why = check.querySelector('.selfcheck-why[data-option="' + picked.value + '"]');
      result.textContent = (right ? "Right. " : "Not quite. ") + (why ? why.textContent : "");
      result.className = "selfcheck-result " + (right ? "selfcheck-right" : "selfcheck-wrong");
    });
    check.addEventListener("change", function () {  // a new pick: the last verdict no longer applies
      result.textContent = "";
      result.className = "selfcheck-result";
    });
  });
}());
