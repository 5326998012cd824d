// Runs the typing tests of an attempt page: Start asks the server to start the clock, the typed text goes to the
// server every second (so it can tell typing from pasting), and Finish stops the clock and shows the result.
// Every time that counts is the server's; the finish time sent here is only checked against the start.
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
    var area = box.querySelector("textarea");
    var startButton = box.querySelector("[data-typing-start]");
    var finishButton = box.querySelector("[data-typing-finish]");
    var status = box.querySelector(".typing-status");
    var length = Number(box.dataset.length);
    var started = null;
    var clock = 0;
    var ticker = null;
    var sending = false;
    var sent = -1;
    var running = false;

    function say(lines) {
      status.textContent = "";
      lines.forEach(function (line) {
        var p = document.createElement("p");
        p.textContent = line;
        status.appendChild(p);
      });
    }

    function sendProgress() {
      if (!running || sending || area.value === sent) { return; }
      var text = area.value;
      sending = true;
      post(box.dataset.progress, { text: text }).then(function () { sent = text; })
        .catch(function () { /* the next tick sends again */ })
        .then(function () { sending = false; });
    }

    function finish() {
      if (!running) { return; }
      running = false;
      window.clearInterval(ticker);
      area.disabled = true;
      finishButton.hidden = true;
      var claimed = new Date(started.getTime() + (performance.now() - clock)).toISOString();
      say(["Finished: measuring your run…"]);
      post(box.dataset.finish, { text: area.value, finished_at: claimed }).then(function (result) {
        if (!result.ok) {
          say([result.message || "The run could not be recorded."]);
        } else {
          say([result.body.met ? "Your run meets the standard." : "Your run does not meet the standard yet."]
            .concat(result.body.feedback || []));
        }
        startButton.firstChild.textContent = "Try again";
        startButton.hidden = false;
        startButton.focus();
      }).catch(function () {
        say(["Could not reach the server: the run was not recorded. Press Try again."]);
        startButton.firstChild.textContent = "Try again";
        startButton.hidden = false;
      });
    }

    area.addEventListener("paste", function (event) {
      event.preventDefault();
      say(["Pasting is switched off: type the passage."]);
    });
    area.addEventListener("drop", function (event) { event.preventDefault(); });
    area.addEventListener("input", function () {
      if (running && area.value.length >= length) { finish(); }
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
        sent = "";
        area.value = "";
        area.disabled = false;
        startButton.hidden = true;
        finishButton.hidden = false;
        say(["The clock is running: type the passage."]);
        area.focus();
        ticker = window.setInterval(sendProgress, 1000);
      }).catch(function () {
        startButton.disabled = false;
        say(["Could not reach the server. Check your connection and press Start again."]);
      });
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-typing]"), setUp);
}());
