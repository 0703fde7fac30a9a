// Plotly (served from the installed plotly package) behind four small chart kinds the dashboard needs.
"use strict";
const charts = (() => {
  const layout = (title, extra = {}) => ({
    title: { text: title, font: { size: 14 } }, margin: { l: 50, r: 16, t: 40, b: 60 }, autosize: true,
    font: { family: "system-ui, 'WenQuanYi Micro Hei', sans-serif", size: 12 }, paper_bgcolor: "#fff", plot_bgcolor: "#fff", ...extra,
  });
  const options = { responsive: true, displaylogo: false, modeBarButtonsToRemove: ["lasso2d", "select2d"] };

  function box() {
    return h("div", { class: "chart" });
  }
  function draw(traces, title, extra) {
    const node = box();
    requestAnimationFrame(() => Plotly.newPlot(node, traces, layout(title, extra), options));
    return node;
  }
  return {
    bar: (title, x, y, extra = {}) => draw([{ type: "bar", x, y, marker: { color: "#d9480f" } }], title, extra),
    bars: (title, series, extra = {}) => draw(series.map((s) => ({ type: "bar", ...s })), title, { barmode: "group", ...extra }),
    lines: (title, series, extra = {}) => draw(series.map((s) => ({ type: "scatter", mode: "lines+markers", ...s })), title, extra),
    heatmap: (title, x, y, z, extra = {}) => draw([{ type: "heatmap", x, y, z, colorscale: "Oranges", hoverongaps: false }], title,
      { yaxis: { autorange: "reversed", type: "category" }, xaxis: { type: "category" }, ...extra }),
    scatter: (title, series, extra = {}) => draw(series.map((s) => ({ type: "scatter", mode: "markers", ...s })), title, extra),
  };
})();
