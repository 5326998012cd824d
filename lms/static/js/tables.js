// A table wider than the screen scrolls inside its box, which takes the keyboard's focus so it can be scrolled
// without a mouse; such a box is given a name (its table's caption, else the heading above it), so a screen reader
// says which table it is rather than an unnamed group.
(function () {
  "use strict";
  document.querySelectorAll(".table-wrap[tabindex]").forEach(function (box) {
    if (box.hasAttribute("aria-label") || box.hasAttribute("aria-labelledby")) { return; }
    var caption = box.querySelector("caption");
    var name = caption ? caption.textContent : "";
    for (var at = box.previousElementSibling; !name && at; at = at.previousElementSibling) {
      if (/^H[1-6]$/.test(at.tagName)) { name = at.textContent; }
    }
    if (!name) {
      var heading = box.closest("section") && box.closest("section").querySelector("h1, h2, h3");
      name = heading ? heading.textContent : "Table";
    }
    box.setAttribute("role", "region");
    box.setAttribute("aria-label", name.replace(/\s+/g, " ").trim());
  });
}());
