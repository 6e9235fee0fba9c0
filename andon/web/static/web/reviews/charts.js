// Draws every <canvas data-chart="ID"> from the JSON config in <script id="ID">, built on the
// server. Sets data-ready on <body> so that browser tests can wait for the charts.
(function () {
  function draw() {
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var config = JSON.parse(document.getElementById(canvas.dataset.chart).textContent);
      new window.Chart(canvas, config);
    });
    document.body.dataset.chartsReady = "true";
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
