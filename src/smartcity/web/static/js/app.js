// Small behaviours shared by every page. No inline scripts, so a strict CSP stays possible.
(function () {
  "use strict";

  // Menu button on narrow screens.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-nav-toggle]");
    if (!button) return;
    var nav = document.getElementById(button.getAttribute("aria-controls"));
    var open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", open ? "true" : "false");
    if (nav) nav.classList.toggle("open", open);
  });

  // The language links carry the page the visitor is on, including an htmx-pushed URL.
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-lang]");
    if (!link) return;
    var here = window.location.pathname + window.location.search;
    link.href = "/lang/" + link.getAttribute("data-lang") + "?next=" + encodeURIComponent(here);
  });
})();
