// Saves quiz answers as the learner goes, and shows the time left. The server keeps the real deadline.
(function () {
  "use strict";
  var form = document.getElementById("attempt-form");
  if (!form) { return; }
  var status = document.getElementById("autosave-status");
  var timer = null;

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
        status.textContent = "Answers saved at " + new Date(result.body.saved_at).toLocaleTimeString() + ".";
      } else {
        status.textContent = result.body.error || "Your answers could not be saved.";
      }
    }).catch(function () {
      status.textContent = "Could not reach the server; your answers will be saved when you press Save or Submit.";
    });
  }

  form.addEventListener("change", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(save, 400);
  });

  var deadline = document.getElementById("deadline");
  var left = document.getElementById("time-left");
  if (deadline && left) {
    var end = new Date(deadline.dataset.deadline).getTime();
    var tick = function () {
      var seconds = Math.max(0, Math.round((end - Date.now()) / 1000));
      left.textContent = Math.floor(seconds / 60) + " min " + (seconds % 60) + " s left.";
    };
    tick();
    window.setInterval(tick, 1000);
  }
}());
