// The search box: the index (static/search-index.js) is loaded when first needed,
// then titles, names and concept labels are matched word by word, ignoring case
// and accents. Results are listed on search.html; other pages submit the form there.
(function () {
  "use strict";
  var root = document.body.getAttribute("data-root") || "";
  var input = document.getElementById("q");
  var list = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  var MAX = 100;
  var folded = null;

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function withIndex(then) {
    if (window.KG_SEARCH) { then(); return; }
    var script = document.createElement("script");
    script.src = root + "static/search-index.js";
    script.onload = then;
    document.head.appendChild(script);
  }

  function search(text) {
    var words = fold(text).split(/\s+/).filter(Boolean);
    if (!folded) { folded = window.KG_SEARCH.map(function (row) { return fold(row[1]); }); }
    var found = [];
    for (var i = 0; i < folded.length && found.length < MAX; i++) {
      if (words.every(function (w) { return folded[i].indexOf(w) >= 0; })) { found.push(window.KG_SEARCH[i]); }
    }
    return found;
  }

  function show(text) {
    if (!list) { return; }
    while (list.firstChild) { list.removeChild(list.firstChild); }
    if (!text.trim()) { status.textContent = "Type in the search box."; return; }
    var found = search(text);
    found.forEach(function (row) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = root + row[2];
      link.textContent = row[1];
      var kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = row[0];
      item.appendChild(kind);
      item.appendChild(document.createTextNode(" "));
      item.appendChild(link);
      list.appendChild(item);
    });
    status.textContent = found.length === 0 ? "Nothing matches \u201c" + text + "\u201d."
      : (found.length === MAX ? "The first " + MAX + " matches" : found.length + (found.length === 1 ? " match" : " matches"))
        + " for \u201c" + text + "\u201d.";
  }

  if (list && input) {
    var asked = new URLSearchParams(window.location.search).get("q") || "";
    input.value = asked;
    withIndex(function () {
      show(input.value);
      input.addEventListener("input", function () { show(input.value); });
    });
    input.form.addEventListener("submit", function (event) { event.preventDefault(); withIndex(function () { show(input.value); }); });
  }
}());
