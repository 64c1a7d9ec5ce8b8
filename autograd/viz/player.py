"""The step-through player's stylesheet and script, inlined into every page it writes.

Kept as Python strings (not package data files) so an installed package always has them.
``PLAYER_JS`` is a function expression: the page calls it with the player's id
(``data-player``), so the script finds its own ``.ag-player`` element even where a notebook
runs output scripts from ``document.head`` (classic Notebook's jQuery insertion), where
``document.currentScript`` is not inside the player. It reads the frames from the JSON beside
it and, per frame, rewrites the boxes' ``data``/``grad`` texts and toggles CSS classes on the
one SVG: the layout is computed once, only highlights and numbers change.
"""

from typing import Final

PLAYER_CSS: Final = """
.ag-player{font-family:Helvetica,Arial,sans-serif;border:1px solid #ddd;border-radius:4px;
  padding:8px 10px;outline:none;color:#222;background:#fff}
.ag-player:focus{border-color:#64b5f6}
.ag-player .ag-title{font-weight:bold;margin-bottom:6px}
.ag-player .ag-controls button{font-size:13px;margin-right:4px;cursor:pointer}
.ag-player .ag-slider{width:280px;vertical-align:middle}
.ag-player .ag-counter{font-size:13px;margin-left:6px;font-variant-numeric:tabular-nums}
.ag-player .ag-phase{font-weight:bold;margin-top:8px}
.ag-player .ag-note{color:#b2182b;font-size:13px;margin:6px 0}
.ag-player .ag-step{font-family:Menlo,Consolas,monospace;font-size:14px;margin:4px 0;
  min-height:1.4em;white-space:pre-wrap}
.ag-player .ag-formula{color:#666;font-size:12px;min-height:1.2em}
.ag-player .ag-graph{overflow:auto;max-width:100%;max-height:75vh;margin-top:6px}
.ag-player .ag-graph svg{max-width:none;height:auto}
.ag-player .ag-pending{opacity:.2}
.ag-player g.edge.ag-pending text{visibility:hidden}
.ag-player .ag-backhead{display:none}
.ag-player .ag-back .ag-backhead{display:inline}
.ag-player .ag-back polygon:not(.ag-backhead){visibility:hidden}
.ag-player .ag-hasgrad polygon{fill:#e8f5e9}
.ag-player .ag-src polygon,.ag-player .ag-src ellipse{fill:#ffab91}
.ag-player .ag-cur polygon,.ag-player .ag-cur ellipse{fill:#ffd54f}
.ag-player .ag-edge path{stroke:#e53935;stroke-width:3}
.ag-player .ag-edge polygon{stroke:#e53935;fill:#e53935}
.ag-player .ag-edge text{fill:#e53935;font-weight:bold}
"""
"""Highlights: current node yellow, the op whose rule is applied orange, its edges red.

Edges of ops not computed yet are dimmed and their labels (local derivatives) hidden; in the
backward pass the red edges' arrowheads point the way the gradient flows, to the parent.
"""

PLAYER_JS: Final = r"""
(function (playerId) {
  "use strict";
  var script = document.currentScript;
  var root = script && script.parentElement;
  if (!root || root.getAttribute("data-player") !== playerId || root.getAttribute("data-ready")) {
    // The script ran outside its player (from document.head): take the first player with
    // this id not started yet -- the same graph shown twice gives two such players.
    root = null;
    var same = document.querySelectorAll('.ag-player[data-player="' + playerId + '"]');
    for (var i = 0; i < same.length && !root; i++) {
      if (!same[i].getAttribute("data-ready")) { root = same[i]; }
    }
  }
  if (!root) { return; }
  root.setAttribute("data-ready", "1");
  var data = JSON.parse(root.querySelector(".ag-data").textContent);
  var frames = data.frames;
  var svg = root.querySelector(".ag-graph svg");
  var slider = root.querySelector(".ag-slider");
  var playButton = root.querySelector(".ag-play");
  var marks = ["ag-cur", "ag-src", "ag-edge", "ag-back", "ag-pending", "ag-hasgrad"];
  function byId(id) { return svg.querySelector('[id="' + id + '"]'); }
  var texts = {};
  data.nodes.forEach(function (id) {
    var group = byId(id);
    var found = {};
    if (group) {
      Array.prototype.forEach.call(group.querySelectorAll("text"), function (el) {
        var s = el.textContent;
        if (s.indexOf("data ") === 0) { found.data = el; }
        if (s.indexOf("grad ") === 0) { found.grad = el; }
      });
    }
    texts[id] = found;
  });
  var computedAt = {};
  frames.forEach(function (f, i) {
    if (f.phase === "forward" && !(f.node in computedAt)) { computedAt[f.node] = i; }
  });
  var edges = Array.prototype.slice.call(svg.querySelectorAll("g.edge"));
  var current = 0;
  var timer = null;
  function mark(id, cls) { var el = byId(id); if (el) { el.classList.add(cls); } }
  var backHeads = {};
  function backHead(id) {  // an arrowhead at the edge's start: the gradient flows to the parent
    if (id in backHeads) { return; }
    backHeads[id] = true;
    var g = byId(id);
    var path = g && g.querySelector("path");
    if (!path || !path.getTotalLength) { return; }
    try {
      var a = path.getPointAtLength(0);
      var b = path.getPointAtLength(Math.min(path.getTotalLength(), 10));
      var dx = a.x - b.x, dy = a.y - b.y, n = Math.sqrt(dx * dx + dy * dy);
      if (!n) { return; }
      dx /= n; dy /= n;
      var bx = a.x - 9 * dx, by = a.y - 9 * dy;
      var head = document.createElementNS("http://www.w3.org/2000/svg", "polygon");
      head.setAttribute("class", "ag-backhead");
      head.setAttribute("points", [a.x, a.y, bx - 4 * dy, by + 4 * dx, bx + 4 * dy, by - 4 * dx]
        .map(function (v) { return v.toFixed(2); }).join(" "));
      g.appendChild(head);
    } catch (e) { /* not laid out (hidden output): the caption still says which way */ }
  }
  var view = root.querySelector(".ag-graph");
  function reveal(id) {  // scroll the graph (not the page) so the current node is in sight
    var el = byId(id);
    if (!el) { return; }
    var r = el.getBoundingClientRect();
    var c = view.getBoundingClientRect();
    if (r.left < c.left || r.right > c.right) {
      view.scrollLeft += (r.left + r.right) / 2 - (c.left + c.right) / 2;
    }
    if (r.top < c.top || r.bottom > c.bottom) {
      view.scrollTop += (r.top + r.bottom) / 2 - (c.top + c.bottom) / 2;
    }
  }
  function show(k) {
    k = Math.max(0, Math.min(frames.length - 1, k));
    current = k;
    Object.keys(texts).forEach(function (id) {
      if (texts[id].data) { texts[id].data.textContent = data.pendingData; }
      if (texts[id].grad) { texts[id].grad.textContent = data.pendingGrad; }
    });
    var hasGrad = {};
    for (var j = 0; j <= k; j++) {
      var u = frames[j].update;
      var el = texts[u[0]] && texts[u[0]][u[1]];
      if (el) { el.textContent = u[2]; }
      if (u[1] === "grad") { hasGrad[u[0]] = true; }
    }
    marks.forEach(function (cls) {
      Array.prototype.forEach.call(svg.querySelectorAll("." + cls), function (el) {
        el.classList.remove(cls);
      });
    });
    data.nodes.forEach(function (id) {
      if (computedAt[id] > k) { mark(id, "ag-pending"); mark(id + "op", "ag-pending"); }
      if (hasGrad[id]) { mark(id, "ag-hasgrad"); }
    });
    edges.forEach(function (g) {
      var m = /^[eo](\d+)/.exec(g.id);
      if (m && computedAt["n" + m[1]] > k) { g.classList.add("ag-pending"); }
    });
    var f = frames[k];
    mark(f.node, "ag-cur");
    if (f.source) { mark(f.source, "ag-src"); }
    var back = f.phase === "backward";
    f.edges.forEach(function (id) {
      mark(id, "ag-edge");
      if (back) { backHead(id); mark(id, "ag-back"); }
    });
    reveal(f.node);
    var nForward = Object.keys(computedAt).length;
    root.querySelector(".ag-phase").textContent = !back
      ? "Forward pass: step " + (k + 1) + " of " + nForward
      : "Backward pass: step " + (k + 1 - nForward) + " of " + (frames.length - nForward) +
        (f.edges.length ? " \u2014 the gradient flows back along the red edges, " +
          "the way their arrowheads point" : "");
    root.querySelector(".ag-step").textContent = f.text;
    root.querySelector(".ag-formula").textContent = f.formula;
    root.querySelector(".ag-counter").textContent = (k + 1) + " / " + frames.length;
    slider.value = String(k);
    root.setAttribute("data-frame", String(k));
    root.setAttribute("data-node", f.node);
    root.setAttribute("data-phase", f.phase);
    root.setAttribute("data-value", f.value);
  }
  function stop() {
    if (timer !== null) { clearInterval(timer); timer = null; }
    playButton.textContent = "\u25b6 Play";
  }
  function play() {
    if (timer !== null) { stop(); return; }
    if (current >= frames.length - 1) { show(0); }
    playButton.textContent = "\u23f8 Pause";
    timer = setInterval(function () {
      if (current >= frames.length - 1) { stop(); return; }
      show(current + 1);
    }, 900);
  }
  function go(selector, target) {
    root.querySelector(selector).addEventListener("click", function () { stop(); show(target()); });
  }
  go(".ag-first", function () { return 0; });
  go(".ag-prev", function () { return current - 1; });
  go(".ag-next", function () { return current + 1; });
  go(".ag-last", function () { return frames.length - 1; });
  playButton.addEventListener("click", play);
  slider.addEventListener("input", function () { stop(); show(parseInt(slider.value, 10)); });
  function onKey(e) {
    var keys = {ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1};
    if (e.target && e.target.tagName === "INPUT") { return; }  // the slider handles its own keys
    if (e.key in keys) { stop(); show(current + keys[e.key]); }
    else if (e.key === "Home") { stop(); show(0); }
    else if (e.key === "End") { stop(); show(frames.length - 1); }
    else if (e.key === " ") { play(); }
    else { return; }
    e.preventDefault();
    e.stopPropagation();
  }
  // A page of its own listens everywhere; inside a notebook only the focused player listens.
  (root.parentElement === document.body ? document : root).addEventListener("keydown", onKey);
  root.addEventListener("click", function (e) {
    if (e.target === root || e.target.closest(".ag-graph")) { root.focus(); }
  });
  show(0);
})
"""
"""Prev / Next / Play, slider, arrow keys (Home, End, space); state kept in data-* attributes.

A function expression: the page appends ``("<player id>");`` to call it.
"""
