// A form whose action is hard to take back for the people it touches (unpublishing a quiz learners are taking,
// making someone an admin, deactivating an account) asks first: its data-confirm question is put to the person,
// and the form is sent only if they agree. With data-confirm-when="name=value" it asks only when the form would
// send that value. Without this script the form is sent at once, as every such action can be undone.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm");
    if (!question) { return; }
    var when = form.getAttribute("data-confirm-when");
    if (when) {
      var name = when.slice(0, when.indexOf("="));
      var field = form.elements[name];
      if (!field || field.value !== when.slice(when.indexOf("=") + 1)) { return; }
    }
    if (!window.confirm(question)) { event.preventDefault(); }
  });
}());
