// Draws every <canvas data-chart="ID"> from the JSON of the <script id="ID"> that
// json_script rendered beside it (no inline script: the CSP stays strict). The table
// beside each chart holds the same figures for screen readers and copying.
(function () {
  "use strict";

  function draw() {
    if (!window.Chart) return;
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var source = document.getElementById(canvas.getAttribute("data-chart"));
      if (!source || canvas.getAttribute("data-drawn")) return;
      var spec = JSON.parse(source.textContent);
      // eslint-disable-next-line no-new
      new window.Chart(canvas, {
        type: spec.type,
        data: { labels: spec.labels, datasets: spec.datasets },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          plugins: { legend: { display: spec.datasets.length > 1 } },
        },
      });
      canvas.setAttribute("data-drawn", "1");
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
  document.addEventListener("htmx:afterSettle", draw);
})();
