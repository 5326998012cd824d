// Draws each report chart from the JSON data block beside it, with Chart.js (served from /static/vendor).
// The page states every figure in a table too, so the charts add a picture, never information of their own.
(function () {
  "use strict";
  var colours = ["#0b5394", "#1d6b3a", "#8a4b08", "#6a1b9a"];
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source || typeof Chart === "undefined") {
      return;
    }
    var spec = JSON.parse(source.textContent);
    new Chart(canvas, {
      type: spec.type,
      data: {
        labels: spec.labels,
        datasets: spec.series.map(function (series, index) {
          return {
            label: series.label,
            data: series.values,
            backgroundColor: colours[index % colours.length],
            borderColor: colours[index % colours.length],
          };
        }),
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        indexAxis: spec.horizontal ? "y" : "x",
        // Counts of learners: whole numbers on the value axis.
        scales: { x: { beginAtZero: true, ticks: { precision: 0 } }, y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  });
})();
