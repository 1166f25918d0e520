/**
 * The `local-agent --ui` page: one self-contained HTML document (no external script, style or
 * font, so it works offline and needs no build step). It reads `/api/traces` and `/api/trace`,
 * and refreshes when `/api/events` (server-sent events) says something changed.
 *
 * - the trace list, newest first, filterable by service and by the assembly's trace groups;
 * - the waterfall of the selected trace (one bar per segment, subsegment or span);
 * - the service map of every trace kept (services as nodes, calls as arrows; the nodes X-Ray infers
 *   from subsegments, AWS services in orange).
 */
export const UI_PAGE = String.raw`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>cdk-xray-ecs local-agent</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1d2330; background: #f6f7f9; }
  header { background: #232f3e; color: #fff; padding: 8px 16px; display: flex; gap: 16px; align-items: center; flex-wrap: wrap; }
  header h1 { font-size: 16px; margin: 0; }
  header label { font-size: 13px; }
  main { display: grid; grid-template-columns: minmax(320px, 1fr) 2fr; gap: 12px; padding: 12px; }
  section { background: #fff; border: 1px solid #d5dbe3; border-radius: 4px; padding: 8px; overflow: auto; }
  h2 { font-size: 14px; margin: 0 0 8px; }
  table { border-collapse: collapse; width: 100%; }
  td, th { text-align: left; padding: 3px 6px; border-bottom: 1px solid #eef0f3; vertical-align: top; }
  th { white-space: nowrap; }
  td.id { font-family: ui-monospace, monospace; font-size: 12px; white-space: nowrap; }
  tr.trace { cursor: pointer; }
  tr.trace:hover, tr.trace.selected { background: #e8f1fb; }
  .flag { font-size: 11px; padding: 0 4px; border-radius: 3px; color: #fff; }
  .fault { background: #c0392b; } .error { background: #d68910; } .throttle { background: #7d3c98; }
  .row { position: relative; height: 22px; border-bottom: 1px solid #f0f2f5; }
  .label { position: absolute; left: 0; width: 38%; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; font-size: 12px; line-height: 22px; }
  .lane { position: absolute; left: 40%; right: 0; top: 4px; height: 14px; }
  .bar { position: absolute; height: 14px; background: #3b7dd8; border-radius: 2px; min-width: 2px; }
  .bar.fault { background: #c0392b; } .bar.error { background: #d68910; }
  .muted { color: #6b7685; }
  #problems { color: #a93226; font-size: 12px; }
  #map svg { width: 100%; height: 260px; }
</style>
</head>
<body>
<header>
  <h1>cdk-xray-ecs local-agent</h1>
  <label>Service <select id="service-filter"><option value="">all services</option></select></label>
  <label>Trace group <select id="group-filter"><option value="">no group</option></select></label>
  <span id="counters" class="muted"></span>
</header>
<main>
  <section>
    <h2>Traces <span class="muted">(newest first)</span></h2>
    <div id="group-note" class="muted"></div>
    <table><thead><tr><th>Trace</th><th>Service</th><th>Duration</th><th>HTTP</th><th></th></tr></thead><tbody id="traces"></tbody></table>
    <div id="problems"></div>
  </section>
  <div style="display: grid; gap: 12px;">
    <section id="waterfall"><h2>Waterfall</h2><div class="muted">Select a trace.</div></section>
    <section id="map"><h2>Service map</h2><svg id="map-svg"></svg></section>
  </div>
</main>
<script>
"use strict";
let selected = null;
let refreshing = false;
let again = false;
const $ = (id) => document.getElementById(id);

function text(tag, content, cls) {
  const el = document.createElement(tag);
  if (content !== undefined) el.textContent = content;
  if (cls) el.className = cls;
  return el;
}

function flags(item) {
  const out = [];
  if (item.fault) out.push(text("span", "fault", "flag fault"));
  if (item.error) out.push(text("span", "error", "flag error"));
  if (item.throttle) out.push(text("span", "throttle", "flag throttle"));
  return out;
}

function fillSelect(select, values, labelOf) {
  const current = select.value;
  while (select.options.length > 1) select.remove(1);
  for (const v of values) {
    const o = document.createElement("option");
    o.value = v.value; o.textContent = labelOf(v);
    select.appendChild(o);
  }
  select.value = values.some((v) => v.value === current) ? current : "";
}

async function refresh() {
  if (refreshing) { again = true; return; }
  refreshing = true;
  try {
    const q = new URLSearchParams({ service: $("service-filter").value, group: $("group-filter").value });
    const state = await (await fetch("/api/traces?" + q)).json();
    fillSelect($("service-filter"), state.services.map((s) => ({ value: s })), (v) => v.value);
    fillSelect($("group-filter"), state.groups.map((g) => ({ value: g.name, g })), (v) => v.g.name + (v.g.unsupported ? " (not evaluable locally)" : ""));
    $("group-note").textContent = state.groupUnsupported ? "This group's filter cannot be evaluated locally: " + state.groupUnsupported : "";
    const c = state.counters;
    $("counters").textContent = c.kept + " trace(s) kept of " + c.maxTraces + " · " + c.segments + " segment(s) · " + c.spans + " span(s) · malformed: " + c.malformedDatagrams + " datagram(s), " + c.malformedOtlp + " OTLP";
    const body = $("traces");
    body.replaceChildren();
    for (const t of state.traces) {
      const tr = text("tr", undefined, "trace" + (t.traceId === selected ? " selected" : ""));
      tr.dataset.traceId = t.traceId;
      const idCell = text("td", "…" + t.traceId.slice(-8), "id"); idCell.title = t.traceId;
      tr.appendChild(idCell);
      tr.appendChild(text("td", t.services.join(", ")));
      tr.appendChild(text("td", t.durationMs.toFixed(1) + " ms"));
      tr.appendChild(text("td", [t.httpMethod, t.httpUrl, t.httpStatus].filter((x) => x !== undefined && x !== null).join(" ")));
      const f = text("td"); flags(t).forEach((x) => f.appendChild(x)); if (!t.complete) f.appendChild(text("span", " incomplete", "muted"));
      tr.appendChild(f);
      tr.addEventListener("click", () => { selected = t.traceId; showTrace(t.traceId); refresh(); });
      body.appendChild(tr);
    }
    $("problems").replaceChildren(...state.problems.map((p) => text("div", p)));
    drawMap(state.map);
    if (selected) showTrace(selected);
  } finally {
    refreshing = false;
    if (again) { again = false; refresh(); }
  }
}

async function showTrace(id) {
  const res = await fetch("/api/trace?id=" + encodeURIComponent(id));
  const box = $("waterfall");
  box.replaceChildren(text("h2", "Waterfall"));
  if (!res.ok) { box.appendChild(text("div", "Trace " + id + " is no longer kept.", "muted")); return; }
  const trace = await res.json();
  box.appendChild(text("div", trace.traceId + " · " + trace.durationMs.toFixed(1) + " ms · " + trace.services.join(", "), "muted"));
  const rows = [];
  const walk = (n, depth) => { rows.push({ n, depth }); (n.children || []).forEach((c) => walk(c, depth + 1)); };
  trace.roots.forEach((r) => walk(r, 0));
  const t0 = trace.start;
  const total = Math.max(trace.durationMs / 1000, 1e-6);
  const list = text("div"); list.id = "waterfall-rows";
  for (const { n, depth } of rows) {
    const row = text("div", undefined, "row");
    row.dataset.nodeId = n.id;
    const http = n.http ? " " + [n.http.method, n.http.url, n.http.status].filter((x) => x !== undefined && x !== null).join(" ") : "";
    const ann = n.annotations ? " " + Object.entries(n.annotations).map(([k, v]) => k + "=" + JSON.stringify(v)).join(" ") : "";
    const label = text("div", "\u00a0".repeat(depth * 3) + (n.kind === "subsegment" ? n.name : n.service + (n.name !== n.service ? " › " + n.name : "")) + http + ann, "label");
    label.title = label.textContent;
    const lane = text("div", undefined, "lane");
    const end = n.end === undefined || n.end === null ? n.start : n.end;
    const bar = text("div", undefined, "bar" + (n.fault ? " fault" : n.error ? " error" : ""));
    bar.style.left = ((n.start - t0) / total * 100) + "%";
    bar.style.width = Math.max((end - n.start) / total * 100, 0.3) + "%";
    bar.title = ((end - n.start) * 1000).toFixed(2) + " ms";
    lane.appendChild(bar);
    row.appendChild(label); row.appendChild(lane);
    list.appendChild(row);
  }
  box.appendChild(list);
}

function drawMap(map) {
  const svg = $("map-svg");
  const ns = "http://www.w3.org/2000/svg";
  svg.replaceChildren();
  const names = map.services.slice();
  for (const e of map.edges) { if (!names.includes(e.to)) names.push(e.to); if (!names.includes(e.from)) names.push(e.from); }
  const w = svg.clientWidth || 600, h = 260, r = Math.min(w, h) / 2 - 50;
  const pos = {};
  names.forEach((n, i) => {
    const a = names.length === 1 ? 0 : (2 * Math.PI * i) / names.length - Math.PI / 2;
    pos[n] = { x: w / 2 + (names.length === 1 ? 0 : r * Math.cos(a)), y: h / 2 + (names.length === 1 ? 0 : r * Math.sin(a)) };
  });
  const defs = document.createElementNS(ns, "defs");
  defs.innerHTML = '<marker id="arrow" viewBox="0 0 10 10" refX="22" refY="5" markerWidth="8" markerHeight="8" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#6b7685"/></marker>';
  svg.appendChild(defs);
  for (const e of map.edges) {
    const line = document.createElementNS(ns, "line");
    line.setAttribute("x1", pos[e.from].x); line.setAttribute("y1", pos[e.from].y);
    line.setAttribute("x2", pos[e.to].x); line.setAttribute("y2", pos[e.to].y);
    line.setAttribute("stroke", "#6b7685"); line.setAttribute("marker-end", "url(#arrow)");
    line.dataset.edge = e.from + "->" + e.to;
    svg.appendChild(line);
  }
  for (const n of names) {
    const g = document.createElementNS(ns, "g");
    g.dataset.service = n;
    const c = document.createElementNS(ns, "circle");
    c.setAttribute("cx", pos[n].x); c.setAttribute("cy", pos[n].y); c.setAttribute("r", 14);
    const inferred = (map.inferred || []).find((x) => x.name === n);
    if (inferred) g.dataset.namespace = inferred.namespace;
    c.setAttribute("fill", map.services.includes(n) ? "#3b7dd8" : inferred && inferred.namespace === "aws" ? "#e8912d" : "#aab4c0");
    const t = document.createElementNS(ns, "text");
    t.setAttribute("x", pos[n].x); t.setAttribute("y", pos[n].y + 30); t.setAttribute("text-anchor", "middle"); t.setAttribute("font-size", "12");
    t.textContent = inferred ? n + (inferred.namespace === "aws" ? " (AWS)" : inferred.sql ? " (database)" : "") : n;
    g.appendChild(c); g.appendChild(t); svg.appendChild(g);
  }
}

$("service-filter").addEventListener("change", refresh);
$("group-filter").addEventListener("change", refresh);
const events = new EventSource("/api/events");
events.addEventListener("traces", refresh);
events.addEventListener("problems", refresh);
refresh();
</script>
</body>
</html>
`;
