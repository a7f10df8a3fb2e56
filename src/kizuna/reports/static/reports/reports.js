// Kizuna reports: draw the chart described by the page's JSON (#report-chart-data) with Chart.js.
(function () {
  "use strict";
  var numberFormat = new Intl.NumberFormat(document.documentElement.lang || "ja");
  function format(value, kind) {
    if (kind === "yen") { return "¥" + numberFormat.format(value); }
    if (kind === "percent") { return value.toFixed(1) + "%"; }
    return numberFormat.format(value);
  }
  function draw() {
    var canvas = document.getElementById("report-chart");
    var source = document.getElementById("report-chart-data");
    if (!canvas || !source || !window.Chart) { return; }
    var spec = JSON.parse(source.textContent);
    var valueAxis = spec.horizontal ? "x" : "y";
    var scales = {};
    var formats = {};
    var datasets = spec.datasets.map(function (d) {
      var axis = d.axis || valueAxis;
      formats[axis] = d.format;
      var set = {label: d.label, data: d.data, backgroundColor: d.color, borderColor: d.color, type: d.type || spec.type};
      set[spec.horizontal ? "xAxisID" : "yAxisID"] = axis;
      if (d.type === "line") { set.tension = 0.2; set.pointRadius = 3; }
      return set;
    });
    Object.keys(formats).forEach(function (axis) {
      scales[axis] = {beginAtZero: true, position: axis === "y1" ? "right" : undefined,
        grid: {drawOnChartArea: axis !== "y1"},
        ticks: {callback: function (v) { return format(v, formats[axis]); }}};
    });
    new window.Chart(canvas, {
      type: spec.type,
      data: {labels: spec.labels, datasets: datasets},
      options: {
        indexAxis: spec.horizontal ? "y" : "x",
        maintainAspectRatio: false,
        scales: scales,
        plugins: {
          legend: {display: datasets.length > 1},
          tooltip: {callbacks: {label: function (ctx) {
            var raw = spec.horizontal ? ctx.parsed.x : ctx.parsed.y;
            return ctx.dataset.label + ": " + format(raw, spec.datasets[ctx.datasetIndex].format);
          }}}
        }
      }
    });
  }
  document.addEventListener("DOMContentLoaded", draw);
})();
