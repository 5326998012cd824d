// Draws each report chart from the JSON data block beside it, with Chart.js (served from /static/vendor).
// The page states every figure in a table too, so the charts add a picture, never information of their own;
// on a page of several charts, each table folds under its summary once its chart is drawn (a click opens it).
(function () {
  "use strict";
  var colours = ["#0b5394", "#1d6b3a", "#8a4b08", "#6a1b9a"];
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source || typeof Chart === "undefined") {
      return;
    }
    var spec = JSON.parse(source.textContent);
    var values = { beginAtZero: true, ticks: { precision: 0 } }; // counts and percentages: whole numbers
    var labels = {};
    if (spec.horizontal) {
      // One bar per label, each with its label: the box grows with the labels rather than skipping some,
      // and on a narrow screen a long label is shortened (the table beside the chart gives it whole).
      canvas.parentElement.style.height = Math.max(18, spec.labels.length * 1.75 + 4) + "rem";
      var longest = canvas.parentElement.clientWidth < 500 ? 22 : 60;
      labels.ticks = {
        autoSkip: false,
        callback: function (value) {
          var label = String(this.getLabelForValue(value));
          return label.length > longest ? label.slice(0, longest - 1) + "\u2026" : label;
        },
      };
    }
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
        scales: spec.horizontal ? { x: values, y: labels } : { x: labels, y: values },
      },
    });
    var figures = canvas.closest(".chart").querySelector("details[data-fold-when-drawn]");
    if (figures) {
      figures.open = false;
    }
  });
})();
