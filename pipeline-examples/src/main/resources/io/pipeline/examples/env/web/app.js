// env-monitor's dashboard: plain SVG charts fed by /api/series and the live /events stream. No dependencies.
(function () {
  "use strict";
  const SVG = "http://www.w3.org/2000/svg";
  const RANGES = { "15m": 15 * 60e3, "1h": 3600e3, "6h": 6 * 3600e3, "24h": 24 * 3600e3 };
  const BUCKETS = { raw: 0, "1m": 60e3, "5m": 300e3 };
  const MAX_DRAWN = 1500; // points drawn per chart; more are thinned evenly
  const W = 600, H = 190, PAD = { left: 46, right: 10, top: 10, bottom: 22 };

  const $ = (id) => document.getElementById(id);
  const state = { config: null, location: null, sensor: "", range: "15m", agg: "raw", series: {}, anomalies: {},
    generation: 0, dirty: new Set(), alerts: [] };

  function el(name, attrs, parent) {
    const node = document.createElementNS(SVG, name);
    for (const key in attrs) node.setAttribute(key, attrs[key]);
    if (parent) parent.appendChild(node);
    return node;
  }
  function fmt(v) { return Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(1); }
  function clock(ms) { return new Date(ms).toISOString().substring(11, 19); }
  function sensors() { return state.config.sensors.filter((s) => !state.sensor || s.id === state.sensor); }

  async function getJson(url) {
    const response = await fetch(url, { cache: "no-store" });
    if (!response.ok) throw new Error(url + ": HTTP " + response.status);
    return response.json();
  }

  async function start() {
    state.config = await getJson("/api/config");
    $("source").textContent = state.config.locations.map((l) => l.name).join(", ") + " · every "
        + state.config.intervalSeconds + " s from " + state.config.source;
    for (const l of state.config.locations) $("location").add(new Option(l.name, l.name));
    for (const s of state.config.sensors) $("sensor").add(new Option(s.label, s.id));
    state.location = state.config.locations[0].name;
    for (const id of ["location", "sensor", "range", "agg"]) {
      $(id).addEventListener("change", () => { state[id] = $(id).value; reload(); });
    }
    (await getJson("/api/alerts")).reverse().forEach(addAlert);
    connect();
    await reload();
  }

  // Charts: one per sensor shown, reloaded from the JSON endpoint whenever a control changes.
  async function reload() {
    const generation = ++state.generation;
    const charts = $("charts");
    charts.replaceChildren();
    charts.dataset.location = state.location;
    const shown = sensors();
    for (const s of shown) charts.appendChild(section(s));
    await Promise.all(shown.map(async (s) => {
      const url = "/api/series?location=" + encodeURIComponent(state.location) + "&sensor=" + s.id
          + "&range=" + state.range + "&agg=" + state.agg;
      const body = await getJson(url);
      if (generation !== state.generation) return; // a newer reload owns the charts
      const points = body.points.map((p) => ({ t: Date.parse(p.t), v: p.v, mean: p.mean, std: p.std, n: 1 }));
      // Live points that arrived while the request was in flight are kept, without duplicates.
      const early = (state.series[s.id] || []).filter((p) => points.length === 0 || p.t > points[points.length - 1].t);
      state.series[s.id] = points.concat(early);
      state.anomalies[s.id] = body.anomalies.map((a) => ({ t: Date.parse(a.time), v: a.value, z: a.z }));
      draw(s.id);
    }));
  }

  function section(s) {
    state.series[s.id] = [];
    state.anomalies[s.id] = [];
    const node = document.createElement("section");
    node.className = "chart";
    node.id = "chart-" + s.id;
    node.dataset.sensor = s.id;
    node.innerHTML = "<h2><span></span><span class=now></span></h2><div class=sub></div>";
    node.querySelector("h2 span").textContent = s.label + " (" + s.unit + ")";
    const svg = el("svg", { viewBox: "0 0 " + W + " " + H, preserveAspectRatio: "none", "data-points": "0" }, node);
    svg.addEventListener("mousemove", (e) => hover(s.id, svg, e));
    svg.addEventListener("mouseleave", () => { $("tooltip").hidden = true; draw(s.id); });
    return node;
  }

  function add(stats) {
    if (stats.location !== state.location || !state.series[stats.sensor]) return;
    const points = state.series[stats.sensor];
    const t = Date.parse(stats.time);
    const last = points[points.length - 1];
    const bucket = BUCKETS[state.agg];
    if (bucket) {
      const start = Math.floor(t / bucket) * bucket;
      if (last && last.t === start) {
        if (last.lastT !== undefined && t <= last.lastT) return;
        last.v = (last.v * last.n + stats.value) / (last.n + 1);
        last.mean = (last.mean * last.n + stats.mean) / (last.n + 1);
        last.std = (last.std * last.n + stats.std) / (last.n + 1);
        last.n += 1;
        last.lastT = t;
      } else if (!last || start > last.t) {
        points.push({ t: start, v: stats.value, mean: stats.mean, std: stats.std, n: 1, lastT: t });
      }
    } else {
      if (last && t <= last.t) return;
      points.push({ t: t, v: stats.value, mean: stats.mean, std: stats.std, n: 1 });
    }
    const from = t - RANGES[state.range];
    while (points.length && points[0].t < from) points.shift();
    schedule(stats.sensor);
  }

  function schedule(sensor) {
    if (state.dirty.size === 0) {
      requestAnimationFrame(() => { state.dirty.forEach((s) => draw(s)); state.dirty.clear(); });
    }
    state.dirty.add(sensor);
  }

  function thin(points) {
    if (points.length <= MAX_DRAWN) return points;
    const step = points.length / MAX_DRAWN, out = [];
    for (let i = 0; i < MAX_DRAWN; i++) out.push(points[Math.floor(i * step)]);
    out.push(points[points.length - 1]);
    return out;
  }

  function scales(sensor) {
    const points = state.series[sensor];
    const spec = state.config.sensors.find((s) => s.id === sensor);
    const end = points.length ? points[points.length - 1].t : Date.now();
    // The whole range once there is that much history; until then, the history there is.
    const start = points.length > 1 ? Math.max(end - RANGES[state.range], points[0].t) : end - RANGES[state.range];
    let lo = Infinity, hi = -Infinity;
    for (const p of points) { lo = Math.min(lo, p.v, p.mean); hi = Math.max(hi, p.v, p.mean); }
    if (spec.above !== undefined && hi >= spec.above * 0.6) { hi = Math.max(hi, spec.above); lo = Math.min(lo, spec.above); }
    if (!isFinite(lo)) { lo = 0; hi = 1; }
    if (hi - lo < 1e-6) { lo -= 1; hi += 1; }
    const margin = (hi - lo) * 0.08;
    lo -= margin; hi += margin;
    return {
      spec, start, end, lo, hi,
      x: (t) => PAD.left + (t - start) / (end - start) * (W - PAD.left - PAD.right),
      y: (v) => H - PAD.bottom - (v - lo) / (hi - lo) * (H - PAD.top - PAD.bottom),
    };
  }

  function draw(sensor, focus) {
    const node = $("chart-" + sensor);
    if (!node) return;
    const svg = node.querySelector("svg");
    const points = state.series[sensor];
    const sc = scales(sensor);
    svg.replaceChildren();
    svg.setAttribute("data-points", String(points.length));
    node.dataset.location = state.location;
    for (let i = 0; i <= 4; i++) {
      const v = sc.lo + (sc.hi - sc.lo) * i / 4, y = sc.y(v);
      el("line", { class: "grid", x1: PAD.left, x2: W - PAD.right, y1: y, y2: y }, svg);
      el("text", { class: "axis", x: PAD.left - 4, y: y + 3, "text-anchor": "end" }, svg).textContent = fmt(v);
    }
    for (let i = 0; i <= 3; i++) {
      const t = sc.start + (sc.end - sc.start) * i / 3;
      el("text", { class: "axis", x: sc.x(t), y: H - 6, "text-anchor": i === 0 ? "start" : i === 3 ? "end" : "middle" }, svg)
          .textContent = clock(t);
    }
    if (sc.spec.above !== undefined && sc.spec.above <= sc.hi && sc.spec.above >= sc.lo) {
      el("line", { class: "limit", x1: PAD.left, x2: W - PAD.right, y1: sc.y(sc.spec.above), y2: sc.y(sc.spec.above) }, svg);
    }
    if (points.length === 0) {
      el("text", { class: "empty", x: W / 2, y: H / 2, "text-anchor": "middle" }, svg).textContent = "waiting for readings…";
      node.querySelector(".now").textContent = "";
      return;
    }
    const drawn = thin(points);
    const line = (key) => drawn.map((p, i) => (i ? "L" : "M") + sc.x(p.t).toFixed(1) + " " + sc.y(p[key]).toFixed(1)).join("");
    el("path", { class: "raw", d: line("v") }, svg);
    el("path", { class: "mean", d: line("mean") }, svg);
    for (const a of state.anomalies[sensor] || []) {
      if (a.t >= sc.start) el("circle", { class: "anomaly", cx: sc.x(a.t), cy: sc.y(a.v), r: 4, "data-z": a.z.toFixed(1) }, svg);
    }
    if (focus) {
      el("line", { class: "cursor", x1: sc.x(focus.t), x2: sc.x(focus.t), y1: PAD.top, y2: H - PAD.bottom }, svg);
      el("circle", { class: "focus", cx: sc.x(focus.t), cy: sc.y(focus.v), r: 3.5 }, svg);
    }
    const last = points[points.length - 1];
    svg.setAttribute("data-last", String(last.v));
    node.querySelector(".now").textContent = fmt(last.v) + " " + sc.spec.unit;
    node.querySelector(".sub").textContent = "mean " + fmt(last.mean) + " ± " + fmt(last.std)
        + (state.agg === "raw" ? "" : " · " + state.agg + " means");
  }

  function hover(sensor, svg, event) {
    const points = state.series[sensor];
    if (!points.length) return;
    const box = svg.getBoundingClientRect();
    const sc = scales(sensor);
    const t = sc.start + ((event.clientX - box.left) / box.width * W - PAD.left) / (W - PAD.left - PAD.right) * (sc.end - sc.start);
    let best = points[0];
    for (const p of points) if (Math.abs(p.t - t) < Math.abs(best.t - t)) best = p;
    const anomaly = (state.anomalies[sensor] || []).find((a) => Math.abs(a.t - best.t) < 1);
    const tip = $("tooltip");
    tip.textContent = new Date(best.t).toISOString().replace("T", " ").substring(0, 19) + " UTC\n"
        + sc.spec.label + ": " + fmt(best.v) + " " + sc.spec.unit + (best.n > 1 ? " (mean of " + best.n + ")" : "")
        + "\nrolling mean " + fmt(best.mean) + " ± " + fmt(best.std)
        + (anomaly ? "\nanomaly: z = " + anomaly.z.toFixed(1) : "");
    tip.hidden = false;
    tip.style.left = (event.clientX + 14) + "px";
    tip.style.top = (event.clientY + 14) + "px";
    draw(sensor, best);
  }

  // Alerts of every location, newest first.
  function addAlert(alert) {
    const list = $("alerts");
    const empty = list.querySelector(".empty");
    if (empty) empty.remove();
    const item = document.createElement("li");
    item.className = "alert " + alert.state.toLowerCase();
    item.dataset.location = alert.location;
    item.dataset.subject = alert.subject;
    item.dataset.state = alert.state;
    item.dataset.kind = alert.kind;
    const time = document.createElement("time");
    time.textContent = clock(Date.parse(alert.time));
    const what = document.createElement("b");
    what.textContent = alert.state === "RAISED" ? "raised" : "cleared";
    item.append(time, what, document.createTextNode(alert.message));
    list.prepend(item);
    while (list.children.length > 200) list.lastChild.remove();
  }

  function connect() {
    const events = new EventSource("/events");
    const status = $("status");
    events.onopen = () => { status.dataset.state = "open"; status.textContent = "live"; };
    events.onerror = () => { status.dataset.state = "connecting"; status.textContent = "reconnecting…"; };
    events.addEventListener("stats", (e) => add(JSON.parse(e.data)));
    events.addEventListener("anomaly", (e) => {
      const a = JSON.parse(e.data);
      if (a.location !== state.location || !state.anomalies[a.sensor]) return;
      state.anomalies[a.sensor].push({ t: Date.parse(a.time), v: a.value, z: a.z });
      schedule(a.sensor);
    });
    events.addEventListener("alert", (e) => addAlert(JSON.parse(e.data)));
  }

  if (!$("alerts").children.length) {
    const none = document.createElement("li");
    none.className = "empty";
    none.textContent = "no alerts yet";
    $("alerts").appendChild(none);
  }
  start().catch((error) => { $("status").dataset.state = "error"; $("status").textContent = String(error); });
})();
