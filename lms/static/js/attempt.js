// Saves quiz answers as the learner goes, keeps the question navigator up to date, and shows the time left.
// The server keeps the real deadline; without this script the page works the same, saving on "Save".
(function () {
  "use strict";
  var form = document.getElementById("attempt-form");
  if (!form) { return; }
  var status = document.getElementById("autosave-status");
  var alert = document.getElementById("autosave-alert");
  var timer = null;
  // Answers the server did not take (signed out in another tab, the network down) are kept in this tab until a
  // save goes through, so signing in again and coming back to the attempt puts them back instead of losing them.
  var unsentKey = "lms-unsent:" + form.dataset.autosave;
  var KEEP_UNSENT_MS = 12 * 60 * 60 * 1000;  // a session's length: older answers are not put back

  // A save's outcome on the page; a problem is also read out (a save that went well is not, after every pick).
  function report(text, problem) {
    status.textContent = text;
    if (problem && alert) { alert.textContent = text; }
  }

  function answerFields() {
    var fields = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrf_token" && typeof value === "string") { fields.push([name, value]); }
    });
    return fields;
  }

  function keepUnsent() {
    try {
      window.sessionStorage.setItem(unsentKey, JSON.stringify({ at: Date.now(), fields: answerFields() }));
    } catch (error) { /* storage full or refused: the page itself still holds the answers */ }
  }

  function forgetUnsent() {
    try { window.sessionStorage.removeItem(unsentKey); } catch (error) { /* nothing kept */ }
  }

  // Put answers kept from before back into the form: each control takes the value kept under its name. A question
  // checked since (its answer final, its controls disabled) keeps what the server holds.
  function restoreUnsent() {
    var kept = null;
    try { kept = JSON.parse(window.sessionStorage.getItem(unsentKey) || "null"); } catch (error) { kept = null; }
    var locked = {};
    Array.prototype.forEach.call(form.elements, function (control) {
      if (control.name && control.matches(":disabled")) { locked[control.name] = true; }
    });
    var fields = kept && kept.fields ? kept.fields.filter(function (pair) { return !locked[pair[0]]; }) : [];
    if (!kept || Date.now() - kept.at > KEEP_UNSENT_MS || JSON.stringify(fields) === JSON.stringify(answerFields())) {
      forgetUnsent();  // nothing kept, too old, or the server holds just that (the form was sent and taken)
      return false;
    }
    var values = {};
    fields.forEach(function (pair) { (values[pair[0]] = values[pair[0]] || []).push(pair[1]); });
    Array.prototype.forEach.call(form.elements, function (control) {
      if (!control.name || control.name === "csrf_token" || control.type === "submit" || control.type === "hidden" ||
          control.matches(":disabled")) {
        return;
      }
      var wanted = values[control.name] || [];
      if (control.type === "radio" || control.type === "checkbox") {
        control.checked = wanted.indexOf(control.value) !== -1;
      } else if (control.tagName === "SELECT" || control.tagName === "TEXTAREA" || control.tagName === "INPUT") {
        control.value = wanted.length ? wanted[0] : control.value;
      }
    });
    return true;
  }

  function save() {
    var data = new FormData(form);
    fetch(form.dataset.autosave, {
      method: "POST",
      body: data,
      headers: { "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, status: response.status, body: body }; });
    }).then(function (result) {
      if (result.ok) {
        forgetUnsent();
        var problems = result.body.problems || {};
        var numbers = Object.keys(problems);
        report("Answers saved at " + new Date(result.body.saved_at).toLocaleTimeString() + "." +
          numbers.map(function (n) { return " Question " + n + ": " + problems[n]; }).join(""), numbers.length > 0);
      } else {
        if (result.status === 401 || result.status >= 500) { keepUnsent(); }
        report(result.body.error || "Your answers could not be saved.", true);
      }
    }).catch(function () {
      keepUnsent();
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
  // A form sent with a button leaves the page: keep what it sends until the next page shows the server took it.
  form.addEventListener("submit", keepUnsent);

  if (restoreUnsent()) {
    updateNavigator();
    report("Your answers from before, which had not been saved, are back on the page and are being saved now.", true);
    save();
  }

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
