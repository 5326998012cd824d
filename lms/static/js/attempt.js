// Saves quiz answers as the learner goes, keeps the question navigator up to date, and shows the time left.
// The server keeps the real deadline; without this script the page works the same, saving on "Save".
(function () {
  "use strict";
  var form = document.getElementById("attempt-form");
  if (!form) { return; }
  var status = document.getElementById("autosave-status");
  var alert = document.getElementById("autosave-alert");
  var timer = null;

  // A save's outcome on the page; a problem is also read out (a save that went well is not, after every pick).
  function report(text, problem) {
    status.textContent = text;
    if (problem && alert) { alert.textContent = text; }
  }

  function save() {
    var data = new FormData(form);
    fetch(form.dataset.autosave, {
      method: "POST",
      body: data,
      headers: { "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (result) {
      if (result.ok) {
        var problems = result.body.problems || {};
        var numbers = Object.keys(problems);
        report("Answers saved at " + new Date(result.body.saved_at).toLocaleTimeString() + "." +
          numbers.map(function (n) { return " Question " + n + ": " + problems[n]; }).join(""), numbers.length > 0);
      } else {
        report(result.body.error || "Your answers could not be saved.", true);
      }
    }).catch(function () {
      report("Could not reach the server: the latest answers are not saved yet. They are sent again with your " +
        "next change, or when you press Save.", true);
    });
  }

  // Whether a question's section holds an answer: an option picked, or something typed or chosen.
  function answered(section) {
    var controls = section.querySelectorAll("input, select, textarea");
    for (var i = 0; i < controls.length; i += 1) {
      var control = controls[i];
      if (control.name === "flag" || control.type === "hidden" || control.type === "submit") { continue; }
      if (control.type === "radio" || control.type === "checkbox") {
        if (control.checked) { return true; }
      } else if (control.value.trim() !== "") {
        return true;
      }
    }
    return false;
  }

  function updateNavigator() {
    var sections = form.querySelectorAll("section.question");
    var done = 0;
    var flags = 0;
    for (var i = 0; i < sections.length; i += 1) {
      var number = sections[i].id.replace("question-", "");
      var link = document.getElementById("nav-" + number);
      var flag = document.getElementById("flag-" + number);
      if (!link) { continue; }
      var isAnswered = answered(sections[i]);
      var isFlagged = Boolean(flag && flag.checked);
      done += isAnswered ? 1 : 0;
      flags += isFlagged ? 1 : 0;
      link.classList.toggle("qnav-answered", isAnswered);
      link.classList.toggle("qnav-flagged", isFlagged);
      link.querySelector(".qnav-state").textContent =
        (isAnswered ? ", answered" : ", not answered") + (isFlagged ? ", flagged" : "");
    }
    var key = document.querySelector(".qnav-key");
    if (key) {
      key.textContent = done + " of " + sections.length + " answered" +
        (flags ? ", " + flags + " flagged (⚑)" : "") + ". Filled numbers are answered.";
    }
  }

  form.addEventListener("change", function (event) {
    updateNavigator();
    if (!event.target.name) { return; }  // not an answer (a drill's box: its run is sent by timed.js)
    window.clearTimeout(timer);
    timer = window.setTimeout(save, 400);
  });
  // Enter in an answer saves here and keeps the learner where they are; without this script the form's first
  // (hidden) button saves and the page comes back at the top. A drill's box handles its own Enter (timed.js).
  form.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key !== "Enter" || event.defaultPrevented || target.tagName !== "INPUT" ||
        target.type === "submit" || target.type === "button") { return; }
    event.preventDefault();
    window.clearTimeout(timer);
    save();
  });
  form.addEventListener("input", updateNavigator);

  var deadline = document.getElementById("deadline");
  var left = document.getElementById("time-left");
  var warning = document.getElementById("time-warning");
  if (deadline && left) {
    var end = new Date(deadline.dataset.deadline).getTime();
    var warned = {};
    var tick = function () {
      var seconds = Math.max(0, Math.round((end - Date.now()) / 1000));
      left.textContent = Math.floor(seconds / 60) + " min " + (seconds % 60) + " s left.";
      [5, 1].forEach(function (minutes) {  // each said once, when it is reached (not on a page opened later)
        if (warning && !warned[minutes] && seconds <= minutes * 60 && seconds > minutes * 60 - 5) {
          warned[minutes] = true;
          warning.textContent = minutes + (minutes === 1 ? " minute" : " minutes") +
            " left to submit this attempt. Your answers are saved as you go.";
        }
      });
    };
    tick();
    window.setInterval(tick, 1000);
  }
}());
