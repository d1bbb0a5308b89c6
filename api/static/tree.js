// The component tree of a finding aid, read level by level from
// /api/collections/{key}/components: a 3,000-component finding aid is never one answer.
// Each component shows its shelfmark, title (a link to its permalink), dates, access points
// and digital objects. `?open=KEY` in the page's address unfolds the tree down to that
// component and focuses it (the component pages link there).
(function () {
  "use strict";
  var root = document.getElementById("tree");
  if (!root) { return; }
  var key = root.getAttribute("data-key");
  var start = root.getAttribute("data-parent");  // a component page: its sub-components
  var PAGE = 50;
  // words in the page's language, from the one catalogue (api/i18n.py)
  var MORE = root.getAttribute("data-more") || "Suite";
  var EXPAND = root.getAttribute("data-expand") || "Déplier";
  var COLON = document.documentElement.lang === "fr" ? " : " : ": ";
  var DIGITAL = root.getAttribute("data-digital") || "Document numérisé";
  var FAILED = root.getAttribute("data-failed") || "Le plan de classement n’a pas pu être chargé.";
  var api = "/api/collections/" + encodeURIComponent(key) + "/components";

  function text(tag, value, cls) {
    var el = document.createElement(tag);
    el.textContent = value;
    if (cls) { el.className = cls; }
    return el;
  }

  function get(url) {
    return fetch(url, { headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); });
  }

  // one page of children appended to `list`; resolves to the items' elements by key
  function load(list, parent, offset) {
    var url = api + "?limit=" + PAGE + "&offset=" + offset +
      (parent ? "&parent=" + encodeURIComponent(parent) : "");
    return get(url).then(function (page) {
      var made = {};
      page.items.forEach(function (item) {
        var li = node(item);
        made[item.key] = li;
        list.appendChild(li);
      });
      var shown = page.offset + page.items.length;
      if (shown < page.total) {
        var li = document.createElement("li");
        var more = text("button", MORE + " (" + (page.total - shown) + ")", "more");
        more.type = "button";
        more.addEventListener("click", function () {
          li.remove();
          load(list, parent, shown);
        });
        li.appendChild(more);
        list.appendChild(li);
      }
      return { made: made, next: shown < page.total ? shown : null };
    });
  }

  function node(item) {
    var li = document.createElement("li");
    li.setAttribute("data-key", item.key);
    var label = (item.identifier ? item.identifier + " — " : "") + (item.title || item.key);
    var line = document.createElement("span");
    line.className = "line";
    if (item.children) {
      var toggle = text("button", "+", "toggle");
      toggle.type = "button";
      toggle.setAttribute("aria-expanded", "false");
      toggle.setAttribute("aria-label", EXPAND + COLON + label);
      li.collexOpen = function () {
        var open = toggle.getAttribute("aria-expanded") === "true";
        if (!li.collexSub) {
          li.collexSub = document.createElement("ul");
          li.appendChild(li.collexSub);
          li.collexLoaded = load(li.collexSub, item.key, 0);
        }
        li.collexSub.hidden = false;
        toggle.textContent = "−";
        toggle.setAttribute("aria-expanded", "true");
        return open ? Promise.resolve(null) : li.collexLoaded;
      };
      toggle.addEventListener("click", function () {
        if (toggle.getAttribute("aria-expanded") === "true") {
          li.collexSub.hidden = true;
          toggle.textContent = "+";
          toggle.setAttribute("aria-expanded", "false");
          return;
        }
        li.collexOpen();
      });
      line.appendChild(toggle);
    }
    var link = text("a", label);
    // the permalink (the component's IRI), as a path of this server
    link.href = "/id/collection/" + encodeURIComponent(key) + "/c/" + encodeURIComponent(item.key);
    line.appendChild(link);
    if (item.dates) { line.appendChild(text("span", " · " + item.dates, "meta")); }
    if (item.children) { line.appendChild(text("span", " (" + item.children + ")", "meta")); }
    li.appendChild(line);
    var extra = (item.access_points || []).length + (item.digital_objects || []).length;
    if (extra) {
      var tags = document.createElement("span");
      tags.className = "tags";
      (item.access_points || []).forEach(function (a) {
        var t = text("a", a.label, "tag");
        t.href = a.page;
        tags.appendChild(t);
      });
      (item.digital_objects || []).forEach(function (d) {
        var t = text("a", d.label || DIGITAL, "tag digital");
        t.href = d.iri;
        tags.appendChild(t);
      });
      li.appendChild(tags);
    }
    return li;
  }

  // unfold down to `target`: its ancestors' keys come from the component's own answer
  function reveal(list, parent, path, offset) {
    var want = path[0];
    return load(list, parent, offset).then(function (got) {
      var li = got.made[want];
      if (!li) {
        if (got.next === null) { return null; }
        var more = list.querySelector("li > button.more");
        if (more) { more.parentNode.remove(); }
        return reveal(list, parent, path, got.next);
      }
      if (path.length === 1) { return li; }
      li.collexSub = document.createElement("ul");
      li.appendChild(li.collexSub);
      var toggle = li.querySelector("button.toggle");
      toggle.textContent = "−";
      toggle.setAttribute("aria-expanded", "true");
      li.collexLoaded = reveal(li.collexSub, want, path.slice(1), 0);
      return li.collexLoaded;
    });
  }

  var top = document.createElement("ul");
  root.textContent = "";
  root.appendChild(top);
  var target = new URLSearchParams(window.location.search).get("open");
  var done;
  if (target && !start) {
    done = get(api + "/" + encodeURIComponent(target)).then(function (c) {
      var prefix = c.collection.iri + "/c/";
      var path = c.ancestors.map(function (a) { return a.iri.slice(prefix.length); });
      path.push(c.key);
      return reveal(top, null, path, 0);
    }).then(function (li) {
      if (li) {
        li.classList.add("target");
        var a = li.querySelector("a");
        a.setAttribute("aria-current", "location");
        a.focus();
      }
    });
  } else {
    done = load(top, start, 0);
  }
  done.then(function () { root.setAttribute("data-ready", "true"); }).catch(function () {
    root.textContent = FAILED;
  });
})();
