/* global uPlot, document, window, fetch, setTimeout */
// The live dashboard: polls /api/stats every second and redraws. Plain script, no build step;
// uPlot comes from /vendor (the installed package). Text from the cache (keys, messages) is only
// ever inserted with textContent, never as HTML.
"use strict";

const POLL_MS = 1000;
const charts = {};

const pct = (v) =>
  v === null || v === undefined || Number.isNaN(v) ? "–" : `${(v * 100).toFixed(1)} %`;
const num = (v) => (v === null || v === undefined ? "–" : Math.round(v).toLocaleString("en-US"));
const ms = (v) =>
  v === null || v === undefined ? "–" : `${v < 1 ? v.toFixed(3) : v.toFixed(1)} ms`;

function chartWidth(el) {
  return Math.max(300, el.clientWidth - 4);
}

function makeChart(id, series, yRange) {
  const el = document.getElementById(id);
  const opts = {
    width: chartWidth(el),
    height: 220,
    scales: { x: { time: true }, y: yRange ? { range: yRange } : { auto: true } },
    // A second without reads stays a gap: a line across it would show data that is not there.
    series: [
      {},
      ...series.map((s) => ({
        label: s.label,
        stroke: s.color,
        width: 2,
        spanGaps: false,
        dash: s.dash,
        value: s.format,
      })),
    ],
    axes: [
      {},
      { size: 60, values: (u, vals) => vals.map((v) => (series[0].axis ? series[0].axis(v) : v)) },
    ],
  };
  const data = [[], ...series.map(() => [])];
  const chart = new uPlot(opts, data, el);
  charts[id] = { chart, el };
  return chart;
}

function setupCharts() {
  const pctAxis = (v) => `${Math.round(v * 100)}%`;
  makeChart(
    "chart-hit-rate",
    [
      { label: "overall", color: "#1d4ed8", dash: [6, 4], format: (u, v) => pct(v), axis: pctAxis },
      { label: "L1", color: "#16a34a", format: (u, v) => pct(v) },
      { label: "L2", color: "#ea580c", format: (u, v) => pct(v) },
    ],
    [0, 1],
  );
  makeChart("chart-latency", [
    { label: "p50", color: "#16a34a", format: (u, v) => ms(v) },
    { label: "p95", color: "#ea580c", format: (u, v) => ms(v) },
    { label: "p99", color: "#b42318", format: (u, v) => ms(v) },
  ]);
  makeChart("chart-sizes", [
    { label: "L1", color: "#16a34a", format: (u, v) => num(v) },
    { label: "L2", color: "#ea580c", format: (u, v) => num(v) },
  ]);
  makeChart("chart-throughput", [{ label: "reads/s", color: "#1d4ed8", format: (u, v) => num(v) }]);
  window.addEventListener("resize", () => {
    for (const { chart, el } of Object.values(charts))
      chart.setSize({ width: chartWidth(el), height: 220 });
  });
}

function updateCharts(series) {
  const x = series.t.map((t) => t / 1000);
  charts["chart-hit-rate"].chart.setData([x, series.hitRate, series.l1HitRate, series.l2HitRate]);
  charts["chart-latency"].chart.setData([x, series.p50Ms, series.p95Ms, series.p99Ms]);
  charts["chart-sizes"].chart.setData([x, series.l1Size, series.l2Size]);
  charts["chart-throughput"].chart.setData([x, series.readsPerSec]);
}

function setText(id, text) {
  document.getElementById(id).textContent = text;
}

function element(tag, className, text) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}

function fillList(id, items, render, emptyText) {
  const list = document.getElementById(id);
  list.replaceChildren(...(items.length ? items.map(render) : [element("li", "empty", emptyText)]));
}

function fillTable(id, rows) {
  const body = document.querySelector(`#${id} tbody`);
  body.replaceChildren(
    ...rows.map((cells) => {
      const tr = element("tr");
      for (const [text, className] of cells) tr.append(element("td", className, text));
      return tr;
    }),
  );
}

function update(payload) {
  const { stats, series, alerts } = payload;
  setText("kpi-hit-rate", pct(stats.hitRate));
  setText("kpi-l1-hit-rate", pct(stats.perTier.l1.hitRate));
  setText("kpi-l2-hit-rate", stats.perTier.l2 ? pct(stats.perTier.l2.hitRate) : "no L2");
  setText("kpi-reads", num(stats.reads));
  setText("kpi-rps", num(stats.rates[0] ? stats.rates[0].readsPerSec : 0));
  setText("kpi-p95", ms(stats.latency.p95Ms));
  setText("kpi-l1-size", num(stats.perTier.l1.size));
  setText("kpi-l2-size", stats.perTier.l2 ? num(stats.perTier.l2.size) : "–");
  updateCharts(series);

  const shownAlerts = [
    ...alerts.active,
    ...alerts.history
      .filter((a) => a.state === "cleared")
      .slice(-5)
      .reverse(),
  ];
  fillList(
    "alerts",
    shownAlerts,
    (a) =>
      element(
        "li",
        `alert ${a.state}`,
        `${a.state === "firing" ? "FIRING" : "cleared"} · ${a.name}: ${a.message}`,
      ),
    "none",
  );
  fillList(
    "recommendations",
    stats.recommendations,
    (r) => {
      const li = element("li");
      li.append(element("span", `badge ${r.severity}`, r.kind), element("span", "", r.message));
      li.append(element("div", "reason", r.reason));
      return li;
    },
    "none yet",
  );
  fillTable(
    "hot-keys",
    stats.hotKeys.map((h) => [[h.namespace], [h.key, "key"], [num(h.count)], [pct(h.share)]]),
  );
  const curve = stats.missRatioCurve;
  fillTable("mrc", curve ? curve.points.map((p) => [[num(p.size)], [pct(p.hitRate)]]) : []);
  setText(
    "mrc-note",
    curve
      ? `LRU prediction by SHARDS: ${(curve.samplingRate * 100).toFixed(1)} % of keys sampled, ${num(curve.references)} reads`
      : "",
  );
}

async function poll() {
  const status = document.getElementById("status");
  try {
    const response = await fetch("api/stats", { cache: "no-store" });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    update(await response.json());
    status.textContent = `updated ${new Date().toLocaleTimeString()}`;
    status.className = "status";
  } catch (error) {
    status.textContent = `cannot reach /api/stats: ${error.message}`;
    status.className = "status error";
  }
  setTimeout(poll, POLL_MS);
}

setupCharts();
// For inspection from the console (and the browser test): the uPlot instances by element id.
window.victorDashboard = { charts };
poll();
