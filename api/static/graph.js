// A small force-directed layout in plain SVG: members as circles, relations as lines.
(function () {
  var svg = document.getElementById("graph");
  if (!svg) return;
  var data = JSON.parse(document.getElementById("graph-data").textContent);
  var NS = "http://www.w3.org/2000/svg";
  var w = svg.clientWidth || 800, h = svg.clientHeight || 480;
  var nodes = data.nodes.map(function (n, i) {
    var a = 2 * Math.PI * i / Math.max(1, data.nodes.length);
    return { d: n, x: w / 2 + Math.cos(a) * w / 4, y: h / 2 + Math.sin(a) * h / 4, vx: 0, vy: 0 };
  });
  var index = {}; nodes.forEach(function (n, i) { index[n.d.id] = i; });
  var links = data.edges.filter(function (e) { return e.source in index && e.target in index; });
  for (var step = 0; step < 300; step++) {
    for (var i = 0; i < nodes.length; i++) for (var j = i + 1; j < nodes.length; j++) {
      var a = nodes[i], b = nodes[j], dx = a.x - b.x, dy = a.y - b.y, d2 = dx * dx + dy * dy + 0.01;
      var f = 30000 / d2, d = Math.sqrt(d2);
      a.vx += f * dx / d; a.vy += f * dy / d; b.vx -= f * dx / d; b.vy -= f * dy / d;
    }
    links.forEach(function (l) {
      var a = nodes[index[l.source]], b = nodes[index[l.target]];
      var dx = b.x - a.x, dy = b.y - a.y, d = Math.sqrt(dx * dx + dy * dy) + 0.01, f = (d - 120) * 0.02;
      a.vx += f * dx / d; a.vy += f * dy / d; b.vx -= f * dx / d; b.vy -= f * dy / d;
    });
    nodes.forEach(function (n) {
      n.vx += (w / 2 - n.x) * 0.003; n.vy += (h / 2 - n.y) * 0.003;
      n.x = Math.max(20, Math.min(w - 20, n.x + n.vx * 0.5)); n.y = Math.max(20, Math.min(h - 20, n.y + n.vy * 0.5));
      n.vx *= 0.6; n.vy *= 0.6;
    });
  }
  links.forEach(function (l) {
    var a = nodes[index[l.source]], b = nodes[index[l.target]], line = document.createElementNS(NS, "line");
    line.setAttribute("x1", a.x); line.setAttribute("y1", a.y); line.setAttribute("x2", b.x); line.setAttribute("y2", b.y);
    line.setAttribute("stroke-width", Math.min(6, 1 + l.score / 4));
    var t = document.createElementNS(NS, "title"); t.textContent = l.why; line.appendChild(t);
    svg.appendChild(line);
  });
  nodes.forEach(function (n) {
    var g = document.createElementNS(NS, n.d.external ? "g" : "a");
    if (!n.d.external) g.setAttribute("href", n.d.id);
    var c = document.createElementNS(NS, "circle");
    c.setAttribute("cx", n.x); c.setAttribute("cy", n.y); c.setAttribute("r", 9);
    c.setAttribute("class", n.d.role);
    var title = document.createElementNS(NS, "title"); title.textContent = n.d.label + " — " + n.d.holder; c.appendChild(title);
    var label = document.createElementNS(NS, "text");
    label.setAttribute("x", n.x + 12); label.setAttribute("y", n.y + 4);
    label.textContent = n.d.label.length > 40 ? n.d.label.slice(0, 38) + "…" : n.d.label;
    g.appendChild(c); g.appendChild(label); svg.appendChild(g);
  });
  svg.setAttribute("data-drawn", String(nodes.length));
})();
