// A table wider than the screen scrolls inside its box, which takes the keyboard's focus so it can be scrolled
// without a mouse; such a box is given a name (its table's caption, else the heading above it), so a screen reader
// says which table it is rather than an unnamed group.
(function () {
  "use strict";
  // Landmarks' names are told apart by screen readers: a table named after the section it sits in says it is a
  // table of it, and a second table of the same name is numbered.
  var used = {};
  document.querySelectorAll("[role=region][aria-label], section[aria-labelledby]").forEach(function (landmark) {
    var label = landmark.getAttribute("aria-label") ||
      (document.getElementById(landmark.getAttribute("aria-labelledby")) || {}).textContent || "";
    used[label.replace(/\s+/g, " ").trim()] = 1;
  });
  document.querySelectorAll(".table-wrap[tabindex]").forEach(function (box) {
    if (box.hasAttribute("aria-label") || box.hasAttribute("aria-labelledby")) { return; }
    var caption = box.querySelector("caption");
    var name = caption ? caption.textContent : "";
    for (var at = box.previousElementSibling; !name && at; at = at.previousElementSibling) {
      if (/^H[1-6]$/.test(at.tagName)) { name = at.textContent; }
    }
    if (!name) {
      var heading = box.closest("section") && box.closest("section").querySelector("h1, h2, h3");
      name = heading ? "Table: " + heading.textContent : "Table";
    }
    name = name.replace(/\s+/g, " ").trim();
    used[name] = (used[name] || 0) + 1;
    box.setAttribute("role", "region");
    box.setAttribute("aria-label", used[name] > 1 ? name + " (" + used[name] + ")" : name);
  });
}());
