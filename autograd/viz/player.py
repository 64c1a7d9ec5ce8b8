"""The players' stylesheet and scripts, inlined into every page they write.

Kept as Python strings (not package data files) so an installed package always has them. A
player's script is a function expression: the page calls it with the player's id
(``data-player``), so the script finds its own ``.ag-player`` element even where a notebook
runs output scripts from ``document.head`` (classic Notebook's jQuery insertion), where
``document.currentScript`` is not inside the player. Both players -- the step-through of one
pass (:mod:`autograd.viz.stepper`) and the training player (:mod:`autograd.viz.training`) --
share :data:`KIT_JS`: finding their element, fit-to-width / zoom / pan of the graph, the
keyboard (kept from the notebook around them), Play with a speed, and the switch from the line
shown where scripts cannot run to the live controls. The layout of the graph is computed once
by Graphviz; a frame only toggles CSS classes and rewrites texts.
"""

from typing import Final

PALETTE: Final = {
    "current": "#f0e442",  # Okabe-Ito yellow: the value this step computes or updates
    "source": "#e69f00",  # orange: the op whose rule this step applies
    "edge": "#0072b2",  # blue: the edges this step reads or sends gradient along
    "grad": "#cfe8f7",  # pale sky blue: values that have their gradient already
}
"""The players' colours: Okabe and Ito's palette, told apart with any colour vision."""

_CSS: Final = """
.ag-player{font-family:Helvetica,Arial,sans-serif;border:1px solid #ddd;border-radius:4px;
  padding:8px 10px;outline:none;color:#222;background:#fff;max-width:100%;box-sizing:border-box}
.ag-player:focus{border-color:#0072b2;box-shadow:0 0 0 2px #56b4e9}
.ag-player .ag-title{font-weight:bold;margin-bottom:6px}
.ag-player .ag-noscript{background:#fff4d6;border:1px solid #e69f00;padding:6px 8px;margin:6px 0}
.ag-player .ag-controls{display:flex;flex-wrap:wrap;gap:4px 6px;align-items:center}
.ag-player button,.ag-player select{font-size:13px;cursor:pointer;min-height:26px}
.ag-player .ag-slider{flex:1 1 160px;min-width:120px;max-width:320px}
.ag-player .ag-counter{font-size:13px;font-variant-numeric:tabular-nums}
.ag-player .ag-phase{font-weight:bold;margin-top:8px}
.ag-player .ag-note{color:#b2182b;font-size:13px;margin:6px 0}
.ag-player .ag-step{font-family:Menlo,Consolas,monospace;font-size:14px;margin:4px 0;
  min-height:1.4em;white-space:pre-wrap;overflow-wrap:anywhere}
.ag-player .ag-formula{color:#555;font-size:12px;min-height:1.2em;overflow-wrap:anywhere}
.ag-player .ag-legend{font-size:12px;margin:6px 0;display:flex;flex-wrap:wrap;gap:4px 12px}
.ag-player .ag-legend span{display:inline-flex;align-items:center;gap:4px}
.ag-player .ag-legend i{display:inline-block;width:14px;height:10px;border:1px solid #777}
.ag-player .ag-sw-current{background:CURRENT}
.ag-player .ag-sw-source{background:SOURCE}
.ag-player .ag-sw-edge{background:EDGE}
.ag-player .ag-sw-grad{background:GRAD}
.ag-player .ag-sw-pending{background:#fff;opacity:.3}
.ag-player .ag-graph{overflow:auto;max-width:100%;max-height:75vh;margin-top:6px;cursor:grab;
  border:1px solid #eee;touch-action:pan-x pan-y}
.ag-player .ag-graph.ag-dragging{cursor:grabbing}
.ag-player .ag-graph svg{display:block;max-width:none}
.ag-player .ag-pending{opacity:.2}
.ag-player g.edge.ag-pending text{visibility:hidden}
.ag-player .ag-backhead{display:none}
.ag-player .ag-back .ag-backhead{display:inline}
.ag-player .ag-back polygon:not(.ag-backhead){visibility:hidden}
.ag-player .ag-graph svg g.ag-hasgrad polygon{fill:GRAD}
@media (prefers-color-scheme: dark){
  .ag-player{color:#e6e6e6;background:#1e1e1e;border-color:#555}
  .ag-player .ag-noscript{background:#3a2e12;color:#f5deb3}
  .ag-player .ag-formula{color:#bbb}
  .ag-player .ag-note{color:#ff8a80}
  .ag-player .ag-graph{border-color:#333}
  .ag-player .ag-graph svg polygon[fill="white"],.ag-player .ag-graph svg polygon[fill="#ffffff"]
    {fill:#1e1e1e}
  .ag-player .ag-graph svg polygon[fill="#e3f2fd"]{fill:#17324a}
  .ag-player .ag-graph svg ellipse[fill="#f5f5f5"],.ag-player .ag-graph svg polygon[fill="#f5f5f5"]
    {fill:#333}
  .ag-player .ag-graph svg polygon[fill="#fafafa"],.ag-player .ag-graph svg path[fill="#fafafa"]
    {fill:#262626}
  .ag-player .ag-graph svg [stroke="black"]{stroke:#c8c8c8}
  .ag-player .ag-graph svg polygon[fill="black"]{fill:#c8c8c8}
  .ag-player .ag-graph svg text{fill:#e6e6e6}
  .ag-player .ag-graph svg g.ag-hasgrad polygon{fill:#1f4a63}
  .ag-player .ag-sw-grad{background:#1f4a63}
  .ag-player .ag-sw-edge{background:#56b4e9}
}
/* the highlights come last and name the element, so they win over both schemes' fills */
.ag-player .ag-graph svg g.ag-src polygon,.ag-player .ag-graph svg g.ag-src ellipse{fill:SOURCE}
.ag-player .ag-graph svg g.ag-cur polygon,.ag-player .ag-graph svg g.ag-cur ellipse{fill:CURRENT}
.ag-player .ag-graph svg g.ag-cur polygon{stroke-width:2.5}
.ag-player .ag-graph svg g.ag-edge path{stroke:EDGE;stroke-width:3}
.ag-player .ag-graph svg g.ag-edge polygon{stroke:EDGE;fill:EDGE}
.ag-player .ag-graph svg g.ag-edge text{fill:EDGE;font-weight:bold}
@media (prefers-color-scheme: dark){
  .ag-player .ag-graph svg g.ag-cur text,.ag-player .ag-graph svg g.ag-src text{fill:#111}
  .ag-player .ag-graph svg g.ag-edge path{stroke:#56b4e9}
  .ag-player .ag-graph svg g.ag-edge polygon{stroke:#56b4e9;fill:#56b4e9}
  .ag-player .ag-graph svg g.ag-edge text{fill:#56b4e9}
}
"""


def _coloured(css: str) -> str:
    for role, colour in PALETTE.items():
        css = css.replace(role.upper(), colour)
    return css


PLAYER_CSS: Final = _coloured(_CSS)
"""The shared stylesheet; dark mode follows the reader's ``prefers-color-scheme``."""

LEGEND_HTML: Final = (
    '<div class="ag-legend ag-js" style="display:none">'
    '<span><i class="ag-sw-current"></i>the value this step computes</span>'
    '<span><i class="ag-sw-source"></i>the operation whose rule it applies</span>'
    '<span><i class="ag-sw-edge"></i>the edges it uses (backward: the arrowhead points where '
    "the gradient goes)</span>"
    '<span><i class="ag-sw-grad"></i>has its gradient</span>'
    '<span><i class="ag-sw-pending"></i>not computed yet</span>'
    "</div>"
)
"""The legend of the highlight colours (shown once scripts run)."""

NO_SCRIPT_TEXT: Final = (
    "This player runs in JavaScript, and nothing has run it here: the notebook is not trusted "
    "(it came from elsewhere), or this viewer shows pages without their scripts. Trust the "
    'notebook (JupyterLab and Notebook 7: the command "Trust Notebook") or run the cell '
    "again; the page written by .save() works in any browser, offline."
)
"""What a player shows where its script cannot run, instead of dead buttons."""

SPEEDS: Final = (("0.25", "¼×"), ("0.5", "½×"), ("1", "1×"), ("2", "2×"), ("4", "4×"))
"""Play speeds offered, as (factor, label); 1× is one frame per ``BASE_INTERVAL_MS``."""

BASE_INTERVAL_MS: Final = 900
READABLE_SCALE: Final = 0.6  # a graph fitted to a narrow screen is not shrunk below this
LARGEST_SCALE: Final = 1.5  # nor one fitted to a wide screen grown past this

STATIC_CSS: Final = """
.ag-player .ag-graph.ag-js,.ag-player .ag-static{display:block!important}
.ag-player .ag-static{font-size:13px;margin:6px 0}
.ag-player .ag-phase:empty,.ag-player .ag-step:empty,.ag-player .ag-formula:empty{display:none}
.ag-player .ag-graph{cursor:auto}
.ag-player .ag-graph svg{width:100%;height:auto;min-width:var(--ag-min,0);
  max-width:var(--ag-max,none)}
"""
"""What a saved page shows where scripts do not run: the graph of the last frame, fitted.

A page's ``<head>`` holds it inside ``<noscript>``, so it applies only where scripts are off;
the graph is fitted to the width as the script fits it (between ``READABLE_SCALE`` and
``LARGEST_SCALE`` of its natural size, the bounds the graph carries as ``--ag-min`` and
``--ag-max``) and scrolls past that. A notebook gets the fragment only, so an untrusted one
keeps the graph hidden: its sanitizer strips the SVG to run-on text.
"""


def controls_html(total: int, what: str = "step") -> str:
    """Return the buttons, slider, counter, speed and zoom controls (hidden until scripts run)."""
    speeds = "".join(
        f'<option value="{factor}"{" selected" if factor == "1" else ""}>{label}</option>'
        for factor, label in SPEEDS
    )
    return (
        '<div class="ag-controls ag-js" style="display:none">'
        f'<button type="button" class="ag-first" title="first {what} (Home)">« First</button>'
        f'<button type="button" class="ag-prev" title="previous {what} (←)">◀ Prev</button>'
        '<button type="button" class="ag-play" title="play / pause (space)">▶ Play</button>'
        f'<button type="button" class="ag-next" title="next {what} (→)">Next ▶</button>'
        f'<button type="button" class="ag-last" title="last {what} (End)">Last »</button>'
        f'<input type="range" class="ag-slider" min="0" max="{total - 1}" value="0" step="1" '
        f'aria-label="{what}">'
        f'<span class="ag-counter">1 / {total}</span>'
        f'<label title="play speed">speed <select class="ag-speed">{speeds}</select></label>'
        '<button type="button" class="ag-fit" title="fit the graph to the width (0)">Fit</button>'
        '<button type="button" class="ag-zoom-out" title="zoom out (-)">−</button>'
        '<button type="button" class="ag-zoom-in" title="zoom in (+)">+</button>'
        "</div>"
    )


KIT_JS: Final = (
    r"""
  "use strict";
  function findRoot(playerId) {
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
    if (root) {
      root.setAttribute("data-ready", "1");
      // Keys inside the player are the player's: JupyterLab and Notebook 7 (Lumino) do not
      // look for shortcuts past an element carrying this attribute.
      root.setAttribute("data-lm-suppress-shortcuts", "true");
      // Shown only once the script runs: a sanitizer (an untrusted notebook) keeps inline
      // styles but drops the hidden attribute, so these start as display:none.
      Array.prototype.forEach.call(root.querySelectorAll(".ag-js"), function (el) {
        el.style.display = "";
      });
      var blocked = root.querySelector(".ag-noscript");
      if (blocked) { blocked.parentNode.removeChild(blocked); }
    }
    return root;
  }
  function setTitle(el, text) {  // the hover text of an SVG node or edge (Graphviz writes two)
    if (!el) { return; }
    var a = el.querySelector("a");
    if (a) { a.setAttributeNS("http://www.w3.org/1999/xlink", "xlink:title", text); }
    var t = el.querySelector("title");
    if (t) { t.textContent = text; }
  }
  function getTitle(el) {
    var a = el && el.querySelector("a");
    return a ? (a.getAttributeNS("http://www.w3.org/1999/xlink", "title") || "") : "";
  }
  function graphView(root, view) {  // fit-to-width, zoom and pan of one SVG in a scrolling box
    var svg = view.querySelector("svg");
    var width = parseFloat(svg.getAttribute("width")) || svg.getBBox().width;
    var height = parseFloat(svg.getAttribute("height")) || svg.getBBox().height;
    var scale = 1;
    var fitted = true;
    function apply() {
      svg.style.width = (width * scale * 4 / 3) + "px";  // Graphviz sizes in pt
      svg.style.height = (height * scale * 4 / 3) + "px";
      root.setAttribute("data-zoom", scale.toFixed(3));
    }
    function fit(readable) {
      // Fit to the width; on a narrow screen (a phone) not below READABLE of the natural size
      // at first, so the text stays legible and the graph pans, with the current node in view.
      var room = view.clientWidth || root.clientWidth || width;
      scale = Math.min(LARGEST, Math.max(0.05, (room - 2) / (width * 4 / 3)));
      if (readable) { scale = Math.max(scale, READABLE); }
      fitted = !readable || scale < READABLE + 1e-9;
      apply();
    }
    function zoom(by) { scale = Math.min(8, Math.max(0.05, scale * by)); fitted = false; apply(); }
    var drag = null;
    view.addEventListener("pointerdown", function (e) {
      if (e.button !== 0) { return; }
      drag = {x: e.clientX, y: e.clientY, left: view.scrollLeft, top: view.scrollTop};
      view.classList.add("ag-dragging");
    });
    window.addEventListener("pointermove", function (e) {
      if (!drag) { return; }
      view.scrollLeft = drag.left - (e.clientX - drag.x);
      view.scrollTop = drag.top - (e.clientY - drag.y);
    });
    window.addEventListener("pointerup", function () {
      drag = null;
      view.classList.remove("ag-dragging");
    });
    if (window.ResizeObserver) {
      new ResizeObserver(function () { if (fitted) { fit(true); } }).observe(view);
    }
    function reveal(el) {  // scroll the graph (not the page) so that ``el`` is in sight
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
    fit(true);
    return {fit: function () { fit(false); }, zoom: zoom, reveal: reveal};
  }
  function wire(root, nav) {
    // nav: {go(k), current(), count(), view}; Prev/Next/First/Last, slider, Play with a speed,
    // zoom buttons and the keyboard.
    var slider = root.querySelector(".ag-slider");
    var playButton = root.querySelector(".ag-play");
    var speed = root.querySelector(".ag-speed");
    var timer = null;
    function stop() {
      if (timer !== null) { clearInterval(timer); timer = null; }
      playButton.textContent = "\u25b6 Play";
      root.removeAttribute("data-playing");
    }
    function interval() { return BASE / parseFloat(speed.value || "1"); }
    function tick() {
      if (nav.current() >= nav.count() - 1) { stop(); return; }
      nav.go(nav.current() + 1);
    }
    function play() {
      if (timer !== null) { stop(); return; }
      if (nav.current() >= nav.count() - 1) { nav.go(0); }
      playButton.textContent = "\u23f8 Pause";
      root.setAttribute("data-playing", "1");
      timer = setInterval(tick, interval());
    }
    speed.addEventListener("change", function () {
      if (timer !== null) { clearInterval(timer); timer = setInterval(tick, interval()); }
    });
    function button(selector, target) {
      root.querySelector(selector).addEventListener("click", function () {
        stop(); nav.go(target());
      });
    }
    button(".ag-first", function () { return 0; });
    button(".ag-prev", function () { return nav.current() - 1; });
    button(".ag-next", function () { return nav.current() + 1; });
    button(".ag-last", function () { return nav.count() - 1; });
    playButton.addEventListener("click", play);
    slider.addEventListener("input", function () { stop(); nav.go(parseInt(slider.value, 10)); });
    function zoomButton(selector, act) {
      root.querySelector(selector).addEventListener("click", act);
    }
    zoomButton(".ag-fit", function () { nav.view.fit(); });
    zoomButton(".ag-zoom-in", function () { nav.view.zoom(1.25); });
    zoomButton(".ag-zoom-out", function () { nav.view.zoom(0.8); });
    function onKey(e) {
      var tag = e.target && e.target.tagName;
      if (tag === "SELECT" || tag === "BUTTON" && (e.key === " " || e.key === "Enter")) {
        e.stopPropagation();  // the control's own key; the notebook must not get it
        return;
      }
      var moves = {ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1, PageDown: 10,
                   PageUp: -10};
      var inner = {ArrowDown: 1, ArrowUp: -1};
      if (nav.inner && e.key in inner) { stop(); nav.inner(inner[e.key]); }
      else if (e.key in moves) { stop(); nav.go(nav.current() + moves[e.key]); }
      else if (e.key === "Home") { stop(); nav.go(0); }
      else if (e.key === "End") { stop(); nav.go(nav.count() - 1); }
      else if (e.key === " ") { play(); }
      else if (e.key === "+" || e.key === "=") { nav.view.zoom(1.25); }
      else if (e.key === "-") { nav.view.zoom(0.8); }
      else if (e.key === "0") { nav.view.fit(); }
      else { return; }
      e.preventDefault();  // the slider steps once, by the player; the page does not scroll
      e.stopPropagation();  // and the notebook around the player never sees the key
    }
    // Listen first, on the window in the capture phase, and keep the keys the player handles
    // from everything after it: Notebook 7 and JupyterLab read keys on the way down (their
    // shortcuts move the cell selection; inside a cell an input's keys are stopped), so a
    // listener on the player would hear them late or never. A page of its own takes the keys
    // typed anywhere on it; inside a notebook only those typed in the player.
    var own = root.parentElement === document.body;
    window.addEventListener("keydown", function (e) {
      var t = e.target;
      if (root.contains(t) || own && (t === document.body || t === document.documentElement)) {
        onKey(e);
      }
    }, true);
    root.addEventListener("click", function (e) {
      if (e.target === root || e.target.closest(".ag-graph")) { root.focus(); }
    });
    return {stop: stop};
  }
""".replace("BASE", str(BASE_INTERVAL_MS))
    .replace("READABLE", str(READABLE_SCALE))
    .replace("LARGEST", str(LARGEST_SCALE))
)
"""Helpers both players' scripts start with (inside their own function: no globals)."""

GRAPH_JS: Final = r"""
  function graphFrames(root, svg, data) {
    // Renders frames on the one laid-out SVG. data: {nodes, names, pendingData, pendingGrad};
    // a frame: {phase, node, source, edges, update: [id, key, shown, exact]}. Returns
    // render(frames, k, highlight): the state after frames 0..k, frame k highlighted if asked.
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
          if (/^(out |\d+ outs,)/.test(s)) { found.out = el; }  // a collapsed box's outputs
        });
      }
      texts[id] = found;
    });
    var edges = Array.prototype.slice.call(svg.querySelectorAll("g.edge"));
    var edgeTitles = {};
    edges.forEach(function (g) { edgeTitles[g.id] = getTitle(g); });
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
        (path.parentNode || g).appendChild(head);
      } catch (e) { /* not laid out (hidden output): the caption still says which way */ }
    }
    return function render(frames, k, highlight) {
      var computedAt = {};
      frames.forEach(function (f, i) {
        if (f.phase === "forward" && !(f.node in computedAt)) { computedAt[f.node] = i; }
      });
      var state = {};  // node id -> {data: [shown, exact], grad: [shown, exact]}
      var gradOf = {};
      data.nodes.forEach(function (id) { state[id] = {}; });
      for (var j = 0; j <= k; j++) {
        var u = frames[j].update;
        state[u[0]][u[1]] = [u[2], u[3]];
        if (frames[j].phase === "backward") { gradOf[u[0]] = true; }
      }
      data.nodes.forEach(function (id) {
        var s = state[id], t = texts[id];
        if (t.data) { t.data.textContent = s.data ? s.data[0] : data.pendingData; }
        if (t.grad) { t.grad.textContent = s.grad ? s.grad[0] : data.pendingGrad; }
        if (t.out) {
          t.out.textContent = s.out ? s.out[0] : (data.pendingOut || {})[id] || "";
          setTitle(byId(id), data.names[id] + ": " + t.out.textContent);
          return;
        }
        var parts = [];
        ["data", "grad"].forEach(function (key) {
          if (!t[key]) { return; }
          var v = s[key];
          if (!v) {
            parts.push((key === "data" ? data.pendingData : data.pendingGrad) +
                       " (not computed yet)");
            return;
          }
          parts.push(v[0] + (v[1] ? " (exactly " + v[1] + ")" : ""));
        });
        setTitle(byId(id), data.names[id] + ": " + parts.join(", "));
      });
      marks.forEach(function (cls) {
        Array.prototype.forEach.call(svg.querySelectorAll("." + cls), function (el) {
          el.classList.remove(cls);
        });
      });
      data.nodes.forEach(function (id) {
        if (computedAt[id] > k) { mark(id, "ag-pending"); mark(id + "op", "ag-pending"); }
        if (gradOf[id]) { mark(id, "ag-hasgrad"); }
      });
      edges.forEach(function (g) {
        var m = /^[eo](\d+)/.exec(g.id);
        var pending = m && computedAt["n" + m[1]] > k;
        if (pending) { g.classList.add("ag-pending"); }
        setTitle(g, pending ? "not computed yet" : edgeTitles[g.id]);
      });
      var f = frames[k];
      if (!highlight) { return null; }
      mark(f.node, "ag-cur");
      if (f.source) { mark(f.source, "ag-src"); }
      var back = f.phase === "backward";
      f.edges.forEach(function (id) {
        mark(id, "ag-edge");
        if (back) { backHead(id); mark(id, "ag-back"); }
      });
      return byId(f.node);
    };
  }
  function phaseText(frames, k) {
    var nForward = 0;
    frames.forEach(function (f) { if (f.phase === "forward") { nForward++; } });
    var f = frames[k];
    if (f.phase !== "backward") { return "Forward pass: step " + (k + 1) + " of " + nForward; }
    return "Backward pass: step " + (k + 1 - nForward) + " of " + (frames.length - nForward) +
      (f.edges.length ? " \u2014 the gradient flows back along the blue edges, " +
        "the way their arrowheads point" : "");
  }
"""
"""Frames drawn on the laid-out SVG: numbers, hover texts, highlights (both players)."""

STEP_JS: Final = r"""
  var root = findRoot(playerId);
  if (!root) { return; }
  var data = JSON.parse(root.querySelector(".ag-data").textContent);
  var frames = data.frames;
  var view = root.querySelector(".ag-graph");
  var render = graphFrames(root, view.querySelector("svg"), data);
  var graph = graphView(root, view);
  var current = 0;
  function show(k) {
    k = Math.max(0, Math.min(frames.length - 1, k));
    current = k;
    var f = frames[k];
    graph.reveal(render(frames, k, true));
    root.querySelector(".ag-phase").textContent = phaseText(frames, k);
    root.querySelector(".ag-step").textContent = f.text;
    root.querySelector(".ag-formula").textContent = f.formula;
    root.querySelector(".ag-counter").textContent = (k + 1) + " / " + frames.length;
    root.querySelector(".ag-slider").value = String(k);
    root.setAttribute("data-frame", String(k));
    root.setAttribute("data-node", f.node);
    root.setAttribute("data-phase", f.phase);
    root.setAttribute("data-value", f.value);
  }
  wire(root, {go: show, current: function () { return current; },
              count: function () { return frames.length; }, view: graph});
  show(0);
"""

PLAYER_JS: Final = "\n(function (playerId) {" + KIT_JS + GRAPH_JS + STEP_JS + "})\n"

TRAIN_STEP_JS: Final = r"""
  var root = findRoot(playerId);
  if (!root) { return; }
  var data = JSON.parse(root.querySelector(".ag-data").textContent);
  var steps = data.steps, meta = data.meta;
  var view = root.querySelector(".ag-graph");
  var svg = view.querySelector("svg");
  var render = graphFrames(root, svg, data);
  var graph = graphView(root, view);
  var edgeTexts = data.edgeIds.map(function (id) {
    var g = svg.querySelector('[id="' + id + '"]');
    return g ? {g: g, text: g.querySelector("text")} : null;
  });
  var current = 0, inner = meta.length;  // meta.length: the whole step, every number shown
  var body = root.querySelector(".ag-weights tbody");
  var cells = data.params.map(function (name) {
    var tr = document.createElement("tr");
    tr.setAttribute("data-name", name);
    var row = [name, "", "", ""].map(function (text, i) {
      var td = document.createElement("td");
      td.textContent = text;
      if (i) { td.className = ["", "ag-w-value", "ag-w-grad", "ag-w-change"][i]; }
      tr.appendChild(td);
      return td;
    });
    body.appendChild(tr);
    return row;
  });
  var curve = root.querySelector(".ag-loss");
  var NS = "http://www.w3.org/2000/svg";
  var W = CURVE_W, H = CURVE_H, PAD = 24;
  var lo = Math.min.apply(null, data.losses), hi = Math.max.apply(null, data.losses);
  if (!(hi > lo)) { hi = lo + 1; }
  var last = Math.max(1, data.losses.length - 1);
  function px(i) { return PAD + (W - PAD - 6) * i / last; }
  function py(v) { return 6 + (H - PAD - 6) * (hi - v) / (hi - lo); }
  function el(name, attrs, text) {
    var e = document.createElementNS(NS, name);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text) { e.textContent = text; }
    return e;
  }
  function drawCurve(k) {
    while (curve.firstChild) { curve.removeChild(curve.firstChild); }
    curve.appendChild(el("line", {x1: PAD, y1: H - PAD, x2: W - 4, y2: H - PAD}));
    curve.appendChild(el("line", {x1: PAD, y1: 4, x2: PAD, y2: H - PAD}));
    curve.appendChild(el("text", {x: 2, y: 12}, steps[0] ? fmtNum(hi) : ""));
    curve.appendChild(el("text", {x: 2, y: H - PAD}, fmtNum(lo)));
    curve.appendChild(el("text", {x: W - 60, y: H - 6}, "step " + (k + 1)));
    var pts = [];
    for (var i = 0; i <= k; i++) {
      pts.push(px(i).toFixed(1) + "," + py(data.losses[i]).toFixed(1));
    }
    curve.appendChild(el("polyline", {points: pts.join(" ")}));
    curve.appendChild(el("circle", {cx: px(k), cy: py(data.losses[k]), r: 3}));
  }
  function fmtNum(v) { return Number(v.toPrecision(3)).toString(); }
  var canvas = root.querySelector(".ag-boundary");
  if (!data.grid) { root.querySelector(".ag-boundary-panel").style.display = "none"; }
  function drawBoundary(k) {
    if (!data.grid) { return; }
    var n = data.grid, ctx = canvas.getContext("2d");
    var bytes = atob(steps[k].grid);
    var img = ctx.createImageData(n, n);
    for (var i = 0; i < n * n; i++) {
      var t = bytes.charCodeAt(i) / 255;  // 0: class 0 (orange), 1: the other class (blue)
      var a = [230, 159, 0], b = [0, 114, 178], w = Math.abs(t - 0.5) * 1.2;
      var c = t < 0.5 ? a : b;
      img.data[4 * i] = Math.round(255 - (255 - c[0]) * w);
      img.data[4 * i + 1] = Math.round(255 - (255 - c[1]) * w);
      img.data[4 * i + 2] = Math.round(255 - (255 - c[2]) * w);
      img.data[4 * i + 3] = 255;
    }
    var small = document.createElement("canvas");
    small.width = n; small.height = n;
    small.getContext("2d").putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(small, 0, 0, canvas.width, canvas.height);
    var e = data.extent;
    data.points.forEach(function (p, i) {
      var x = (p[0] - e[0]) / (e[1] - e[0]) * canvas.width;
      var y = (e[3] - p[1]) / (e[3] - e[2]) * canvas.height;
      ctx.beginPath();
      ctx.arc(x, y, i === data.example ? 6 : 3.5, 0, 2 * Math.PI);
      ctx.fillStyle = data.labels[i] > data.threshold ? "#0072b2" : "#e69f00";
      ctx.fill();
      ctx.lineWidth = i === data.example ? 2.5 : 1;
      ctx.strokeStyle = i === data.example ? "#000" : "#fff";
      ctx.stroke();
    });
  }
  function framesOf(k) {
    return meta.map(function (m, i) {
      var r = steps[k].frames[i];
      return {phase: m.phase, node: m.node, source: m.source, edges: m.edges,
              update: [m.node, m.key, r[1], r[2]], text: r[0]};
    });
  }
  function show(k, j) {
    k = Math.max(0, Math.min(steps.length - 1, k));
    j = Math.max(0, Math.min(meta.length, j === undefined ? meta.length : j));
    current = k; inner = j;
    var s = steps[k], frames = framesOf(k), whole = j === meta.length;
    edgeTexts.forEach(function (e, i) {
      if (!e) { return; }
      if (e.text) { e.text.textContent = s.edges[i]; }
      setTitle(e.g, data.edgeTips[i][0] + s.edges[i] + data.edgeTips[i][1]);
    });
    var shown = render(frames, Math.min(j, meta.length - 1), !whole);
    if (!whole) { graph.reveal(shown); }
    root.querySelector(".ag-phase").textContent = whole
      ? "Optimizer step " + (k + 1) + " of " + steps.length + ": batch loss " + s.loss +
        "; the graph shows example " + data.example + "'s forward and backward pass"
      : phaseText(frames, j);
    root.querySelector(".ag-step").textContent = whole
      ? "use ▲/▼ (or the frame buttons) to step through this example's pass"
      : frames[j].text;
    root.querySelector(".ag-inner-counter").textContent = whole
      ? "the whole step (" + meta.length + " frames)" : "frame " + (j + 1) + " / " + meta.length;
    root.querySelector(".ag-loss-text").textContent = "step " + (k + 1) + ": loss " + s.loss;
    drawCurve(k);
    drawBoundary(k);
    cells.forEach(function (row, i) {
      row[1].textContent = s.params[i][0];
      row[2].textContent = s.params[i][1];
      row[3].textContent = s.params[i][2];
    });
    root.querySelector(".ag-counter").textContent = (k + 1) + " / " + steps.length;
    root.querySelector(".ag-slider").value = String(k);
    root.setAttribute("data-step", String(k));
    root.setAttribute("data-frame", String(j));
    root.setAttribute("data-loss", s.lossExact);
  }
  function move(by) {  // past the whole step, the next frame is the pass's first
    show(current, by > 0 && inner >= meta.length ? 0 : inner + by);
  }
  root.querySelector(".ag-inner-prev").addEventListener("click", function () { move(-1); });
  root.querySelector(".ag-inner-next").addEventListener("click", function () { move(1); });
  root.querySelector(".ag-inner-all").addEventListener("click", function () { show(current); });
  wire(root, {go: function (k) { show(k); }, current: function () { return current; },
              count: function () { return steps.length; }, view: graph, inner: move});
  show(0);
"""

TRAIN_JS: Final = (
    "\n(function (playerId) {"
    + KIT_JS
    + GRAPH_JS
    + TRAIN_STEP_JS.replace("CURVE_W", "300").replace("CURVE_H", "150")
    + "})\n"
)
"""The training player: steps, and inside a step the example's frames (▲/▼)."""
"""The step-through player: Prev / Next / Play (with a speed), slider, keys, zoom and pan.

A function expression: the page appends ``("<player id>");`` to call it. State is kept in
``data-*`` attributes of the player element (``data-frame``, ``data-node``, ``data-value``),
which the browser tests read.
"""
