// The component tree of a finding aid, read level by level from
// /api/collections/{key}/components: a 3,000-component finding aid is never one answer.
(function () {
  "use strict";
  var root = document.getElementById("tree");
  if (!root) { return; }
  var key = root.getAttribute("data-key");
  var PAGE = 50;

  function text(tag, value, cls) {
    var el = document.createElement(tag);
    el.textContent = value;
    if (cls) { el.className = cls; }
    return el;
  }

  function load(list, parent, offset) {
    var url = "/api/collections/" + encodeURIComponent(key) + "/components?limit=" + PAGE +
      "&offset=" + offset + (parent ? "&parent=" + encodeURIComponent(parent) : "");
    return fetch(url, { headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (page) {
        page.items.forEach(function (item) { list.appendChild(node(item)); });
        var shown = page.offset + page.items.length;
        if (shown < page.total) {
          var li = document.createElement("li");
          var more = text("button", "Suite (" + (page.total - shown) + ") / more", "more");
          more.type = "button";
          more.addEventListener("click", function () {
            li.remove();
            load(list, parent, shown);
          });
          li.appendChild(more);
          list.appendChild(li);
        }
      });
  }

  function node(item) {
    var li = document.createElement("li");
    li.setAttribute("data-key", item.key);
    var label = (item.identifier ? item.identifier + " — " : "") + (item.title || item.key);
    var line = document.createElement("span");
    if (item.children) {
      var toggle = text("button", "+", "toggle");
      toggle.type = "button";
      toggle.setAttribute("aria-expanded", "false");
      toggle.setAttribute("aria-label", "Déplier / expand: " + label);
      var sub = null;
      toggle.addEventListener("click", function () {
        var open = toggle.getAttribute("aria-expanded") === "true";
        if (open) {
          sub.hidden = true;
          toggle.textContent = "+";
          toggle.setAttribute("aria-expanded", "false");
          return;
        }
        if (!sub) {
          sub = document.createElement("ul");
          li.appendChild(sub);
          load(sub, item.key, 0);
        }
        sub.hidden = false;
        toggle.textContent = "−";
        toggle.setAttribute("aria-expanded", "true");
      });
      line.appendChild(toggle);
    }
    var link = text("a", label);
    link.href = item.id;
    line.appendChild(link);
    if (item.dates) { line.appendChild(text("span", " · " + item.dates, "meta")); }
    if (item.children) { line.appendChild(text("span", " (" + item.children + ")", "meta")); }
    li.appendChild(line);
    return li;
  }

  var top = document.createElement("ul");
  root.textContent = "";
  root.appendChild(top);
  load(top, null, 0).catch(function () {
    root.textContent = "Le plan de classement n'a pas pu être chargé / the tree could not be loaded.";
  });
})();
