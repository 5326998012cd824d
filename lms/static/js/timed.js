// Runs the timed questions of an attempt page (a typing test, a data-entry drill): Start asks the server to start
// the clock, what has been keyed goes to the server every second (so it can tell typing from pasting), and Finish
// stops the clock and shows the result. Every time that counts is the server's; the finish time sent here is only
// checked against the start.
(function () {
  "use strict";
  var form = document.getElementById("attempt-form");
  if (!form) { return; }
  var token = form.querySelector("input[name=csrf_token]").value;

  function post(url, fields) {
    var body = new URLSearchParams(fields);
    body.set("csrf_token", token);
    return fetch(url, {
      method: "POST",
      body: body,
      headers: { "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().then(function (json) {
        // The app's own refusals carry `error`; its error pages' JSON (an expired form) a `message` as well.
        return { ok: response.ok, body: json, message: json.message || json.error };
      });
    });
  }

  function setUp(box) {
    // The boxes the learner keys into; each one's data-entry names it in the posts.
    var boxes = Array.prototype.slice.call(box.querySelectorAll("[data-entry]"));
    var startButton = box.querySelector("[data-timed-start]");
    var finishButton = box.querySelector("[data-timed-finish]");
    var status = box.querySelector(".timed-status");
    // A typing test ends by itself once the passage's length is reached.
    var length = Number(box.dataset.length || 0);
    var started = null;
    var clock = 0;
    var ticker = null;
    var sending = false;
    var sent = null;
    var running = false;

    function keyed() {
      var fields = {};
      boxes.forEach(function (control) { fields[control.dataset.entry] = control.value; });
      return fields;
    }

    function keyedLength() {
      return boxes.reduce(function (sum, control) { return sum + control.value.length; }, 0);
    }

    function say(lines) {
      status.textContent = "";
      lines.forEach(function (line) {
        var p = document.createElement("p");
        p.textContent = line;
        status.appendChild(p);
      });
    }

    function setEnabled(enabled) {
      boxes.forEach(function (control) { control.disabled = !enabled; });
    }

    function sendProgress() {
      var fields = keyed();
      var snapshot = JSON.stringify(fields);
      if (!running || sending || snapshot === sent) { return; }
      sending = true;
      post(box.dataset.progress, fields).then(function () { sent = snapshot; })
        .catch(function () { /* the next tick sends again */ })
        .then(function () { sending = false; });
    }

    function showAgain() {
      startButton.firstChild.textContent = "Try again";
      startButton.hidden = false;
    }

    function finish() {
      if (!running) { return; }
      running = false;
      window.clearInterval(ticker);
      setEnabled(false);
      finishButton.hidden = true;
      var fields = keyed();
      fields.finished_at = new Date(started.getTime() + (performance.now() - clock)).toISOString();
      say(["Finished: measuring your run…"]);
      post(box.dataset.finish, fields).then(function (result) {
        if (!result.ok) {
          say([result.message || "The run could not be recorded."]);
        } else {
          say([result.body.met ? "Your run meets the standard." : "Your run does not meet the standard yet."]
            .concat(result.body.feedback || []));
        }
        showAgain();
        startButton.focus();
      }).catch(function () {
        say(["Could not reach the server: the run was not recorded. Press Try again."]);
        showAgain();
      });
    }

    boxes.forEach(function (control) {
      control.addEventListener("paste", function (event) {
        event.preventDefault();
        say(["Pasting is switched off: type it in."]);
      });
      control.addEventListener("drop", function (event) { event.preventDefault(); });
      // Enter moves on to the next box, as in the forms keyed at work, and from the last to Finish: it must not
      // send the page's form, which would reload the page and lose the run. (A typing test's box takes Enter as
      // a new line.)
      control.addEventListener("keydown", function (event) {
        if (event.key !== "Enter" || control.tagName !== "INPUT") { return; }
        event.preventDefault();
        (boxes[boxes.indexOf(control) + 1] || finishButton).focus();
      });
      control.addEventListener("input", function () {
        if (running && length && keyedLength() >= length) { finish(); }
      });
    });
    finishButton.addEventListener("click", finish);
    startButton.addEventListener("click", function () {
      startButton.disabled = true;
      post(box.dataset.start, {}).then(function (result) {
        startButton.disabled = false;
        if (!result.ok) {
          say([result.message || "The test could not start."]);
          return;
        }
        started = new Date(result.body.started);
        clock = performance.now();
        running = true;
        sent = null;
        boxes.forEach(function (control) { control.value = ""; });
        setEnabled(true);
        startButton.hidden = true;
        finishButton.hidden = false;
        say(["The clock is running."]);
        boxes[0].focus();
        ticker = window.setInterval(sendProgress, 1000);
      }).catch(function () {
        startButton.disabled = false;
        say(["Could not reach the server. Check your connection and press Start again."]);
      });
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-timed]"), setUp);
}());
