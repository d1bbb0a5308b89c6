// A network's members and the relations between them, in plain SVG: a small force-directed
// layout, then scaled to use the whole frame; labels wrapped on two lines at rest and kept
// inside the frame, the full title and holder on hover and on keyboard focus; each relation
// says why in words. The lists under the graph say the same for those who do not see it.
(function () {
  "use strict";
  var svg = document.getElementById("graph");
  if (!svg) { return; }
  var data = JSON.parse(document.getElementById("graph-data").textContent);
  var NS = "http://www.w3.org/2000/svg";
  var w = svg.clientWidth || 800;
  var narrow = w < 560;
  var h = Math.max(narrow ? 360 : 320, Math.min(620, 120 + data.nodes.length * (narrow ? 70 : 45)));
  svg.setAttribute("height", String(h));
  svg.style.height = h + "px";
  var LINE = narrow ? 18 : 30;  // characters per label line
  var CHAR = 6.2;                // average width of a character at 11px
  var R = 9;

  function wrap(label) {
    var words = label.split(/\s+/), lines = [""];
    for (var i = 0; i < words.length; i++) {
      var cur = lines[lines.length - 1];
      if (!cur.length || (cur + " " + words[i]).length <= LINE) {
        lines[lines.length - 1] = cur ? cur + " " + words[i] : words[i];
      } else if (lines.length < 2) {
        lines.push(words[i]);
      } else {
        lines[1] += " …";
        break;
      }
    }
    return lines.map(function (l) { return l.length > LINE + 2 ? l.slice(0, LINE) + "…" : l; });
  }

  var nodes = data.nodes.map(function (n, i) {
    var a = 2 * Math.PI * i / Math.max(1, data.nodes.length);
    var lines = wrap(n.label);
    var half = Math.max.apply(null, lines.map(function (l) { return l.length; })) * CHAR / 2;
    return { d: n, lines: lines, half: Math.min(half, w / 2 - 4),
             x: Math.cos(a) * 100, y: Math.sin(a) * 100, vx: 0, vy: 0 };
  });
  var index = {};
  nodes.forEach(function (n, i) { index[n.d.id] = i; });
  var links = data.edges.filter(function (e) { return e.source in index && e.target in index; });
  for (var step = 0; step < 400; step++) {
    for (var i = 0; i < nodes.length; i++) {
      for (var j = i + 1; j < nodes.length; j++) {
        var a = nodes[i], b = nodes[j], dx = a.x - b.x, dy = a.y - b.y;
        var d2 = dx * dx + dy * dy + 0.01, d = Math.sqrt(d2), f = 4000 / d2;
        a.vx += f * dx / d; a.vy += f * dy / d; b.vx -= f * dx / d; b.vy -= f * dy / d;
      }
    }
    links.forEach(function (l) {
      var a = nodes[index[l.source]], b = nodes[index[l.target]];
      var dx = b.x - a.x, dy = b.y - a.y, d = Math.sqrt(dx * dx + dy * dy) + 0.01;
      var f = (d - 60) * 0.05;
      a.vx += f * dx / d; a.vy += f * dy / d; b.vx -= f * dx / d; b.vy -= f * dy / d;
    });
    nodes.forEach(function (n) {
      n.vx -= n.x * 0.01; n.vy -= n.y * 0.01;  // gravity: the unrelated stay near
      n.x += n.vx * 0.5; n.y += n.vy * 0.5;
      n.vx *= 0.6; n.vy *= 0.6;
    });
  }
  // scale to the frame: every node and its label inside, the frame used
  var minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
  nodes.forEach(function (n) {
    minX = Math.min(minX, n.x); maxX = Math.max(maxX, n.x);
    minY = Math.min(minY, n.y); maxY = Math.max(maxY, n.y);
  });
  var widest = nodes.reduce(function (m, n) { return Math.max(m, n.half); }, 0);
  var padX = Math.min(widest, w / 3) + 6, top = R + 6, bottom = R + 2 * 14 + 8;
  nodes.forEach(function (n) {
    n.x = maxX > minX ? padX + (n.x - minX) / (maxX - minX) * (w - 2 * padX) : w / 2;
    n.y = maxY > minY ? top + (n.y - minY) / (maxY - minY) * (h - top - bottom) : h / 2;
  });

  links.forEach(function (l) {
    var a = nodes[index[l.source]], b = nodes[index[l.target]];
    var line = document.createElementNS(NS, "line");
    line.setAttribute("x1", a.x); line.setAttribute("y1", a.y);
    line.setAttribute("x2", b.x); line.setAttribute("y2", b.y);
    line.setAttribute("stroke-width", Math.min(6, 1 + l.score / 4));
    var t = document.createElementNS(NS, "title");
    t.textContent = a.d.label + " — " + b.d.label + " : " + (l.reason || l.why);
    line.appendChild(t);
    svg.appendChild(line);
  });
  nodes.forEach(function (n) {
    var g = document.createElementNS(NS, n.d.external ? "g" : "a");
    if (!n.d.external) { g.setAttribute("href", n.d.id); }
    g.setAttribute("class", "node");
    var c = document.createElementNS(NS, "circle");
    c.setAttribute("cx", n.x); c.setAttribute("cy", n.y); c.setAttribute("r", R);
    c.setAttribute("class", n.d.role);
    var title = document.createElementNS(NS, "title");
    title.textContent = n.d.label + (n.d.holder ? " — " + n.d.holder : "");
    g.appendChild(title);
    var x = Math.max(n.half + 2, Math.min(w - n.half - 2, n.x));
    var text = document.createElementNS(NS, "text");
    text.setAttribute("x", x); text.setAttribute("y", n.y + R + 13);
    text.setAttribute("text-anchor", "middle");
    n.lines.forEach(function (l, k) {
      var span = document.createElementNS(NS, "tspan");
      span.setAttribute("x", x);
      if (k) { span.setAttribute("dy", "14"); }
      span.textContent = l;
      text.appendChild(span);
    });
    g.appendChild(c); g.appendChild(text); svg.appendChild(g);
  });
  svg.setAttribute("data-drawn", String(nodes.length));
})();
