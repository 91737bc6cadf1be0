// Draws the dashboard's charts (Apache ECharts, served from static/vendor/echarts). Each chart's option is a JSON
// block of the page (json_script: data, never run); every data item carries the link of the list behind it, which a
// click on its bar follows. The same numbers stand in the table beside each chart.
(function () {
  "use strict";
  if (!window.echarts) {
    return;
  }
  var ROW_HEIGHT = 34;
  var NARROW = 500;
  var BAR_WIDTH = 12;
  var charts = [];

  function percent(value) {
    return value == null ? "—" : value + "%";
  }

  // On a phone the names of the rows (county, institution) stand above their bars, in full, rather than beside
  // them, where they would squeeze the bars or have to be cut.
  function namesAboveBars(option) {
    var stacked = option.series.some(function (series) { return series.stack; });
    var bars = stacked ? 1 : option.series.length;
    var block = bars * BAR_WIDTH + (bars - 1) * 3;
    option.series.forEach(function (series) {
      series.barWidth = BAR_WIDTH;
      series.barGap = "25%";
    });
    option.yAxis.axisLabel = { inside: true, align: "left", verticalAlign: "bottom", padding: [0, 0, block / 2 + 3, 0],
      color: "#212529", fontSize: 12 };
    option.yAxis.z = 10;
    option.grid.left = 8;
    option.grid.top += 12;
    return block + 24;
  }

  function draw(element) {
    var source = document.getElementById(element.getAttribute("data-chart"));
    if (!source) {
      return;
    }
    var option = JSON.parse(source.textContent);
    var portal = option.portal || {};
    delete option.portal;
    var rowHeight = ROW_HEIGHT;
    if (portal.rows && element.clientWidth < NARROW) {
      rowHeight = namesAboveBars(option);
    } else if (portal.rows) {
      option.yAxis.axisLabel = { width: 150, overflow: "truncate" };
    }
    // Horizontal bars get a row per county or institution; vertical charts a fixed height.
    var height = portal.rows ? Math.max(180, 72 + portal.rows * rowHeight) : 300;
    element.style.height = height + "px";
    if (portal.percent) {
      option.tooltip.valueFormatter = percent;
    }
    var chart = window.echarts.init(element, null, { renderer: "canvas", locale: "ZH" });
    chart.setOption(option);
    chart.on("click", function (params) {
      if (params.data && params.data.link) {
        window.location.assign(params.data.link);
      }
    });
    charts.push(chart);
  }

  document.querySelectorAll(".dashboard-chart[data-chart]").forEach(draw);
  window.addEventListener("resize", function () {
    charts.forEach(function (chart) {
      chart.resize();
    });
  });
})();
