// The rule editor shows only the fields the chosen kind and scope use. Without this script every
// field stays visible and the server still clears the ones the kind does not use.
(function () {
  "use strict";

  var form = document.querySelector("[data-rule-form]");
  if (!form) return;
  var kind = form.querySelector("[data-rule-kind]");
  var scope = form.querySelector("[data-rule-scope]");

  function show(node, visible) {
    node.hidden = !visible;
    node.setAttribute("data-shown", visible ? "true" : "false");
  }

  function refresh() {
    form.querySelectorAll("[data-for-kinds]").forEach(function (node) {
      show(node, node.getAttribute("data-for-kinds").split(" ").indexOf(kind.value) >= 0);
    });
    form.querySelectorAll("[data-for-scope]").forEach(function (node) {
      show(node, node.getAttribute("data-for-scope") === scope.value);
    });
  }

  kind.addEventListener("change", refresh);
  scope.addEventListener("change", refresh);
  refresh();
})();
