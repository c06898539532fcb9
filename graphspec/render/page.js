// graphspec drawing page: pan/zoom, search, side panel, collapse/expand of clusters.
// The layout of a cluster's inside never changes; collapsing or expanding one only
// re-places boxes with the same computation as graphspec/render/_layout.py `place`.
(function () {
  "use strict";
  const DATA = JSON.parse(document.getElementById("gs-data").textContent);
  const scene = DATA.scene, plan = DATA.plan, S = DATA.spacing;
  const svg = document.querySelector("#gs-canvas svg");
  const viewport = svg.querySelector("#gs-viewport");
  const lr = scene.rankdir === "LR";
  const nodes = {}, clusters = {};
  scene.nodes.forEach(n => { nodes[n.id] = n; });
  scene.clusters.forEach(c => { clusters[c.id] = c; });
  const collapsed = new Set(scene.clusters.filter(c => c.collapsed).map(c => c.id));
  const TOP = "";

  // ---- placement (mirrors _layout.place) ----
  function pack(targets, widths) {
    const offsets = [0];
    for (let k = 1; k < widths.length; k++) offsets.push(offsets[k - 1] + (widths[k - 1] + widths[k]) / 2 + S.hgap);
    const blocks = [];
    targets.forEach((t, k) => {
      blocks.push([t - offsets[k], 1]);
      while (blocks.length > 1 && blocks[blocks.length - 2][0] > blocks[blocks.length - 1][0]) {
        const [m2, c2] = blocks.pop(), [m1, c1] = blocks.pop();
        blocks.push([(m1 * c1 + m2 * c2) / (c1 + c2), c1 + c2]);
      }
    });
    const out = [];
    blocks.forEach(([m, c]) => { for (let i = 0; i < c; i++) out.push(m); });
    return out.map((v, k) => v + offsets[k]);
  }
  function dims(id) { const [w, h] = DATA.sizes[id]; return lr ? [h, w] : [w, h]; }
  function itemSize(container, item, extent) {
    const kind = plan.levels[container].kind[item];
    if (kind === "dummy") return [S.dummy, 0];
    if (kind === "port-in" || kind === "port-out") return [S.port, 0];
    if (kind === "cluster" && !collapsed.has(item)) return extent[item];
    return dims(item);
  }
  function heads(container) {
    const w = DATA.labels[container];
    if (w === undefined) return [0, 0, 0, 0];
    return lr ? [S.header, 0, 0, w] : [0, S.header, w, 0];
  }
  function size(container, local, extent) {
    const level = plan.levels[container];
    Object.entries(level.kind).forEach(([item, kind]) => {
      if (kind === "cluster" && !collapsed.has(item)) size(item, local, extent);
    });
    const [crossStart, mainStart, crossMin, mainMin] = heads(container);
    const pad = S.pad;
    const centres = {};
    let main = mainStart + pad, lo = Infinity, hi = -Infinity;
    level.layers.forEach(row => {
      const sizes = row.map(item => itemSize(container, item, extent));
      const band = Math.max(0, ...sizes.map(s => s[1]));
      const xs = pack(row.map(i => level.target[i] * S.unit), sizes.map(s => s[0]));
      row.forEach((item, k) => {
        centres[item] = [xs[k], main + band / 2, band];
        lo = Math.min(lo, xs[k] - sizes[k][0] / 2); hi = Math.max(hi, xs[k] + sizes[k][0] / 2);
      });
      main += band + S.vgap;
    });
    if (lo > hi) { lo = 0; hi = 0; }
    const height = Math.max(main - S.vgap + pad, mainMin + 2 * pad);
    const width = Math.max(hi - lo + 2 * pad + crossStart, crossMin + 2 * pad);
    const shift = pad - lo + crossStart + (width - (hi - lo + 2 * pad + crossStart)) / 2;
    Object.keys(centres).forEach(item => {
      const kind = level.kind[item];
      let [x, y, band] = centres[item];
      if (kind === "port-in") y = 0; else if (kind === "port-out") y = height;
      centres[item] = [x + shift, y, band];
    });
    local[container] = centres;
    extent[container] = [width, height];
  }
  function absolute(container, ox, oy, local, extent, geo) {
    const level = plan.levels[container];
    Object.entries(local[container]).forEach(([item, [cx, cy, band]]) => {
      const kind = level.kind[item], x = ox + cx, y = oy + cy;
      if (kind === "dummy" || kind === "port-in" || kind === "port-out") {
        geo.ports[item] = [x, y];
        if (kind === "dummy") geo.spans[item] = [y - band / 2, y + band / 2];
        return;
      }
      const [w, h] = itemSize(container, item, extent);
      if (kind === "cluster" && !collapsed.has(item)) {
        geo.frames[item] = [x - w / 2, y - h / 2, w, h];
        absolute(item, x - w / 2, y - h / 2, local, extent, geo);
      } else geo.boxes[item] = [x - w / 2, y - h / 2, w, h];
    });
  }
  function anchor(item, port, geo, bottom, slot) {
    if (port !== null && geo.ports[port] && geo.frames[item]) return geo.ports[port];
    if (geo.ports[item]) return geo.ports[item];
    const box = geo.boxes[item];
    if (!box) return null;
    const [x, y, w, h] = box;
    let dx = 0;
    if (slot && slot[1] > 1) dx = (slot[0] - (slot[1] - 1) / 2) * Math.min(14, w / (slot[1] + 1));
    return [x + w / 2 + dx, bottom ? y + h : y];
  }
  function route(r, slot, geo) {
    const out = [];
    for (let k = 0; k < r.length; k++) {
      const piece = plan.pieces[r[k]];
      if (piece.level !== TOP && !geo.frames[piece.level]) continue;
      const start = anchor(piece.source, piece.start, geo, true, null);
      const end = anchor(piece.target, piece.end, geo, false, k === r.length - 1 ? slot : null);
      if (!start || !end) return null;
      const last = out[out.length - 1];
      if (last && last[0] === start[0] && last[1] === start[1]) out.pop();
      out.push(start);
      piece.dummies.forEach(d => { const x = geo.ports[d][0], [t, b] = geo.spans[d]; out.push([x, t], [x, b]); });
      out.push(end);
    }
    return out.length ? out : null;
  }
  function place() {
    const local = {}, extent = {}, geo = { boxes: {}, frames: {}, ports: {}, spans: {}, paths: [] };
    size(TOP, local, extent);
    absolute(TOP, 0, 0, local, extent, geo);
    geo.paths = plan.routes.map((r, k) => route(r, plan.slots[k], geo));
    let [w, h] = extent[TOP];
    if (lr) {
      const sw = o => { Object.keys(o).forEach(k => { const [x, y, a, b] = o[k]; o[k] = [y, x, b, a]; }); };
      sw(geo.boxes); sw(geo.frames);
      Object.keys(geo.ports).forEach(k => { const [x, y] = geo.ports[k]; geo.ports[k] = [y, x]; });
      geo.paths = geo.paths.map(p => p && p.map(([x, y]) => [y, x]));
      [w, h] = [h, w];
    }
    geo.width = w; geo.height = h;
    return geo;
  }
  const f = v => (Math.round(v * 10) / 10).toString();
  function pathData(points) {
    let d = "M" + f(points[0][0]) + "," + f(points[0][1]);
    for (let k = 1; k < points.length; k++) {
      const [x0, y0] = points[k - 1], [x1, y1] = points[k];
      if ((!lr && Math.abs(x0 - x1) < 6) || (lr && Math.abs(y0 - y1) < 6)) d += "L" + f(x1) + "," + f(y1);
      else if (lr) { const m = (x0 + x1) / 2; d += "C" + f(m) + "," + f(y0) + " " + f(m) + "," + f(y1) + " " + f(x1) + "," + f(y1); }
      else { const m = (y0 + y1) / 2; d += "C" + f(x0) + "," + f(m) + " " + f(x1) + "," + f(m) + " " + f(x1) + "," + f(y1); }
    }
    return d;
  }
  function show(el, on) { if (el) el.style.display = on ? "" : "none"; }
  function apply(geo) {
    scene.nodes.forEach(n => {
      const el = document.getElementById("n:" + n.id), box = geo.boxes[n.id];
      show(el, !!box);
      if (box) el.setAttribute("transform", "translate(" + f(box[0]) + "," + f(box[1]) + ")");
    });
    scene.clusters.forEach(c => {
      const frame = document.getElementById("c:" + c.id), fr = geo.frames[c.id];
      show(frame, !!fr);
      if (fr) {
        frame.setAttribute("transform", "translate(" + f(fr[0]) + "," + f(fr[1]) + ")");
        const rect = frame.querySelector("rect");
        rect.setAttribute("width", f(fr[2])); rect.setAttribute("height", f(fr[3]));
      }
      const box = document.getElementById("b:" + c.id), bx = geo.boxes[c.id];
      show(box, !!bx);
      if (bx) box.setAttribute("transform", "translate(" + f(bx[0]) + "," + f(bx[1]) + ")");
    });
    svg.querySelectorAll("circle.port").forEach(c => {
      const p = geo.ports[c.id];
      show(c, !!p);
      if (p) { c.setAttribute("cx", f(p[0])); c.setAttribute("cy", f(p[1])); }
    });
    geo.paths.forEach((points, k) => {
      const g = document.getElementById("e:" + k);
      if (!g) return;
      const ok = points && points.length > 1;
      show(g, ok);
      if (!ok) return;
      g.querySelector("path").setAttribute("d", pathData(points));
      const t = g.querySelector("text");
      if (t) {
        const [x0, y0] = points[points.length - 2], [x1, y1] = points[points.length - 1];
        t.setAttribute("x", f((x0 + x1) / 2 + 4)); t.setAttribute("y", f((y0 + y1) / 2));
      }
    });
    const m = 16;
    svg.setAttribute("viewBox", "0 0 " + f(geo.width + 2 * m) + " " + f(geo.height + 2 * m));
    svg.setAttribute("width", f(geo.width + 2 * m)); svg.setAttribute("height", f(geo.height + 2 * m));
    document.body.dataset.collapsed = Array.from(collapsed).sort().join(" ");
  }
  function toggle(id) {
    if (collapsed.has(id)) {
      collapsed.delete(id);
      let c = clusters[id].parent;
      while (c) { collapsed.delete(c); c = clusters[c].parent; }
    } else collapsed.add(id);
    apply(place());
    details("cluster", id);
  }
  window.graphspecToggle = toggle;
  window.graphspecPlace = () => place();

  // ---- pan and zoom: a transform on the canvas ----
  const canvas = document.getElementById("gs-canvas");
  let zoom = 1, px = 0, py = 0;
  function view() { svg.style.transform = "translate(" + px + "px," + py + "px) scale(" + zoom + ")"; }
  canvas.addEventListener("wheel", ev => {
    ev.preventDefault();
    const r = canvas.getBoundingClientRect(), mx = ev.clientX - r.left, my = ev.clientY - r.top;
    const k = Math.exp(-ev.deltaY * 0.0015), nz = Math.min(8, Math.max(0.05, zoom * k));
    px = mx - (mx - px) * nz / zoom; py = my - (my - py) * nz / zoom; zoom = nz; view();
  }, { passive: false });
  let drag = null, moved = false;
  canvas.addEventListener("mousedown", ev => { drag = [ev.clientX - px, ev.clientY - py, ev.clientX, ev.clientY]; moved = false; });
  window.addEventListener("mousemove", ev => {
    if (!drag) return;
    if (Math.abs(ev.clientX - drag[2]) + Math.abs(ev.clientY - drag[3]) > 4) moved = true;
    px = ev.clientX - drag[0]; py = ev.clientY - drag[1]; view();
  });
  window.addEventListener("mouseup", () => { drag = null; });
  function fit() {
    const r = canvas.getBoundingClientRect(), w = parseFloat(svg.getAttribute("width")), h = parseFloat(svg.getAttribute("height"));
    zoom = Math.min(1, r.width / w, r.height / h); px = (r.width - w * zoom) / 2; py = 8; view();
  }
  function focus(id) {
    const el = document.getElementById("n:" + id) || document.getElementById("b:" + id);
    if (!el) return;
    const r = canvas.getBoundingClientRect(), b = el.getBBox(), t = el.transform.baseVal.consolidate().matrix;
    zoom = Math.max(zoom, 1);
    px = r.width / 2 - (t.e + b.width / 2 + 16) * zoom; py = r.height / 2 - (t.f + b.height / 2 + 16) * zoom; view();
  }

  // ---- side panel ----
  const panel = document.getElementById("gs-panel");
  function esc(s) { return String(s).replace(/[&<>"]/g, c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]); }
  function row(k, v) { return v === undefined || v === null || v === "" ? "" : "<tr><th>" + esc(k) + "</th><td>" + esc(v) + "</td></tr>"; }
  function num(v) { return v === undefined || v === null ? "?" : v.toLocaleString("en-US"); }
  function details(kind, id) {
    const item = kind === "node" ? nodes[id] : clusters[id];
    if (!item) return;
    let html = "<h2>" + esc(item.name) + "</h2><p class='kind'>" + esc(item.label) + "</p>";
    (item.diagnostics || []).forEach(d => { html += "<p class='diag'>" + esc(d) + "</p>"; });
    html += "<table>" + row("id", id) + row("output", (item.shapes || []).join(" ")) + row("dtype", item.dtype);
    if (kind === "cluster" || !["input", "output", "in-port", "out-port"].includes(item.kind)) html += row("params", num(item.params)) + row("FLOPs", num(item.flops));
    if (item.activation) html += row("activation", item.activation);
    if (item.shared) html += row("shared layer", item.shared + " (" + (scene.shared[item.shared] || []).join(", ") + ")");
    if (item.diff) html += row("diff", item.diff);
    html += row("source", item.source) + "</table>";
    const args = Object.entries(item.args || {}).concat(Object.entries(item.training || {}));
    if (args.length) html += "<h3>arguments</h3><table class='args'>" + args.map(([k, v]) => row(k, JSON.stringify(v))).join("") + "</table>";
    if (kind === "cluster") html += "<p><button id='gs-toggle'>" + (collapsed.has(id) ? "expand" : "collapse") + "</button></p>";
    panel.innerHTML = html;
    panel.dataset.item = id;
    panel.classList.add("open");
    const b = document.getElementById("gs-toggle");
    if (b) b.addEventListener("click", () => toggle(id));
  }
  svg.addEventListener("click", ev => {
    if (moved) return;
    const n = ev.target.closest("[data-node]");
    if (n) { details("node", n.dataset.node); return; }
    const box = ev.target.closest("g.box[data-cluster]");
    if (box) { toggle(box.dataset.cluster); return; }
    const frame = ev.target.closest("g.frame[data-cluster]");
    if (frame && ev.target.tagName === "text") { toggle(frame.dataset.cluster); return; }
    if (frame) details("cluster", frame.dataset.cluster);
  });

  // ---- search ----
  const search = document.getElementById("gs-search"), hits = document.getElementById("gs-hits");
  search.addEventListener("input", () => {
    const q = search.value.trim().toLowerCase();
    svg.querySelectorAll(".hit").forEach(e => e.classList.remove("hit"));
    if (!q) { hits.textContent = ""; return; }
    const found = scene.nodes.filter(n => n.id.toLowerCase().includes(q));
    found.forEach(n => {
      const shown = document.getElementById("n:" + n.id);
      if (shown && shown.style.display !== "none") shown.classList.add("hit");
      else {
        let c = n.cluster, outer = null;
        while (c) { if (collapsed.has(c)) outer = c; c = clusters[c].parent; }
        if (outer) document.getElementById("b:" + outer).classList.add("hit");
      }
    });
    hits.textContent = found.length + " found";
    if (found.length) focus(found[0].id);
  });
  search.addEventListener("keydown", ev => {
    if (ev.key !== "Enter") return;
    const q = search.value.trim().toLowerCase(), n = scene.nodes.find(n => n.id.toLowerCase().includes(q));
    if (!n) return;
    let c = n.cluster, opened = false;
    while (c) { if (collapsed.has(c)) { collapsed.delete(c); opened = true; } c = clusters[c].parent; }
    if (opened) apply(place());
    document.getElementById("n:" + n.id).classList.add("hit");
    focus(n.id); details("node", n.id);
  });
  document.getElementById("gs-fit").addEventListener("click", fit);
  document.getElementById("gs-expand").addEventListener("click", () => { collapsed.clear(); apply(place()); });
  document.getElementById("gs-collapse").addEventListener("click", () => {
    scene.clusters.forEach(c => { if (c.kind === "repeat" || c.kind === "copy") collapsed.add(c.id); }); apply(place());
  });
  fit();
  document.body.dataset.ready = "1";
})();
