#include "app/uncertainty_report.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <stdexcept>
#include <string_view>

#include "app/format.hpp"
#include "app/json.hpp"
#include "models/scenario/uncertain.hpp"

namespace scsim_app {

const char* version();

namespace report_assets {  // app/report.cpp's assets (report/embed.cmake)
extern const char plotly_js[];
extern const std::size_t plotly_js_size;
}  // namespace report_assets

namespace {

using scsim::Metric;
using UDist = scsim::UncertainParam::Dist;

constexpr Metric kKey[] = {Metric::net_detainer_cost_usd,
                           Metric::extra_jail_bed_days,
                           Metric::detainers_honored,
                           Metric::ice_bookings,
                           Metric::removals,
                           Metric::detainers_issued};

// The page; @SCSIM_DATA@ and /*@SCSIM_PLOTLY@*/ are filled in by render_uncertainty_report.
constexpr std::string_view kPage = R"scsim_html(<!DOCTYPE html>
<!-- scsim uncertainty report (app/uncertainty_report.cpp); everything inline, works from file://. -->
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>scsim uncertainty</title>
<script>
  window.scsimErrors = [];
  window.scsimRecordError = function (msg) {
    window.scsimErrors.push(String(msg));
    document.documentElement.setAttribute('data-script-errors', String(window.scsimErrors.length));
  };
  window.onerror = function (msg, src, line, col) {
    window.scsimRecordError(msg + ' (' + (src || 'inline') + ':' + line + ':' + col + ')');
  };
</script>
<style>
  :root { --ink: #1d2433; --muted: #5b6475; --line: #d9dde5; --accent: #2c5d9c; --bg: #fbfbfc; }
  body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
         color: var(--ink); background: var(--bg); }
  header { padding: 22px 32px 14px; background: #fff; border-bottom: 1px solid var(--line); }
  header h1 { margin: 0 0 4px; font-size: 24px; }
  header p { margin: 2px 0; color: var(--muted); }
  main { padding: 8px 32px 32px; max-width: 1280px; }
  section { margin-top: 22px; }
  h2 { font-size: 19px; margin: 0 0 4px; }
  .note { color: var(--muted); margin: 0 0 8px; font-size: 13.5px; }
  .chart { width: 100%; height: 380px; background: #fff; border: 1px solid var(--line); border-radius: 4px; margin-bottom: 12px; }
  .grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(400px, 1fr)); gap: 12px; }
  table { border-collapse: collapse; background: #fff; font-size: 13.5px; }
  th, td { border: 1px solid var(--line); padding: 4px 8px; vertical-align: top; }
  th { background: #f0f2f6; text-align: left; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
  #render-status { color: var(--muted); font-size: 12px; }
</style>
</head>
<body data-render="pending">
<header>
  <h1 id="title">scsim uncertainty</h1>
  <p id="subtitle"></p>
</header>
<main>
<section>
  <h2>What drives the spread</h2>
  <p class="note" id="tornado-note"></p>
  <label>output <select id="metric"></select></label>
  <div id="tornado" class="chart"></div>
</section>
<section>
  <h2>Across plausible parameter sets</h2>
  <p class="note">Each draw's mean over its replications. Dashed lines: 5th, 50th and 95th percentiles: 90 % of
  the parameter sets give a value between the outer two. The band at the median is the Monte Carlo noise of one
  draw (95 %): when it is much narrower than the spread, the parameters, not the seeds, set the width.</p>
  <div class="grid" id="hists"></div>
</section>
<section>
  <h2>Spread and Monte Carlo noise</h2>
  <table id="summary"></table>
</section>
<section>
  <h2>Uncertain parameters</h2>
  <table id="params"></table>
</section>
<p id="render-status"></p>
</main>
<script type="application/json" id="scsim-data">@SCSIM_DATA@</script>
<script>/*@SCSIM_PLOTLY@*/</script>
<script>
(function () {
  var D = JSON.parse(document.getElementById('scsim-data').textContent);
  var charts = 0;
  var money = function (m) { return /_usd$/.test(m); };
  var fmt = function (v, m) {
    if (v === null || v === undefined) return '—';
    var s = Math.round(v).toLocaleString('en-US');
    return money(m) ? (v < 0 ? '-$' + s.replace('-', '') : '$' + s) : s;
  };
  var text = function (el, t) { el.textContent = t; return el; };
  var M = D.meta;
  text(document.getElementById('title'), 'Uncertainty: ' + M.scenario);
  text(document.getElementById('subtitle'), 'scope ' + M.scope + ' · ' + M.draws + ' draws (' + M.sampler +
       (M.saltelli ? ', Saltelli design' : '') + ') × ' + M.replications + ' replication' +
       (M.replications === 1 ? '' : 's') + ', seed ' + M.seed + ' · scsim ' + M.version);
  text(document.getElementById('tornado-note'), M.saltelli
       ? 'Total Sobol index (share of the output\'s variance the parameter takes part in) and first-order index ' +
         '(its share alone), with 95 % bootstrap intervals.'
       : 'Partial rank correlation of each parameter with the output (the others held fixed), with its 95 % ' +
         'Fisher-z interval: near ±1 the parameter alone moves the output, near 0 it does not.');
  var select = document.getElementById('metric');
  D.metrics.forEach(function (m) { var o = document.createElement('option'); o.value = m; o.textContent = m; select.appendChild(o); });
  function tornado() {
    var rows = (D.sensitivity[select.value] || []).slice();
    var key = M.saltelli ? 'total' : 'prcc';
    var main = rows.filter(function (r) { return r[1] === key; });
    main.sort(function (a, b) { return Math.abs(a[2] || 0) - Math.abs(b[2] || 0); });
    var names = main.map(function (r) { return r[0]; });
    var trace = function (list, name, color) {
      return { type: 'bar', orientation: 'h', name: name, y: list.map(function (r) { return r[0]; }),
               x: list.map(function (r) { return r[2]; }), marker: { color: color },
               error_x: { type: 'data', symmetric: false,
                          array: list.map(function (r) { return r[4] === null || r[2] === null ? 0 : r[4] - r[2]; }),
                          arrayminus: list.map(function (r) { return r[3] === null || r[2] === null ? 0 : r[2] - r[3]; }) } };
    };
    var traces = [trace(main, M.saltelli ? 'total' : 'PRCC', '#2c5d9c')];
    if (M.saltelli) {
      var first = names.map(function (n) { return rows.find(function (r) { return r[0] === n && r[1] === 'first_order'; }); });
      traces.push(trace(first, 'first order', '#9bb7dd'));
    }
    Plotly.react('tornado', traces, { barmode: 'group', margin: { l: 330, r: 20, t: 10, b: 40 },
      xaxis: { title: M.saltelli ? 'Sobol index' : 'partial rank correlation', zeroline: true },
      legend: { orientation: 'h' } }, { displaylogo: false, responsive: true });
  }
  select.addEventListener('change', tornado);
  tornado();
  charts += 1;
  var grid = document.getElementById('hists');
  D.metrics.forEach(function (m, i) {
    var div = document.createElement('div'); div.className = 'chart'; div.id = 'hist-' + i; grid.appendChild(div);
    var s = D.summary[m];
    var line = function (x, dash) { return { type: 'line', xref: 'x', yref: 'paper', x0: x, x1: x, y0: 0, y1: 1,
                                             line: { dash: dash, color: '#1d2433', width: 1 } }; };
    var shapes = [line(s.p05, 'dash'), line(s.p50, 'dash'), line(s.p95, 'dash')];
    if (s.mc_half_width !== null)
      shapes.push({ type: 'rect', xref: 'x', yref: 'paper', x0: s.p50 - s.mc_half_width, x1: s.p50 + s.mc_half_width,
                    y0: 0, y1: 1, fillcolor: 'rgba(200, 80, 60, 0.15)', line: { width: 0 } });
    Plotly.newPlot(div, [{ type: 'histogram', x: D.draws[m], marker: { color: '#2c5d9c' } }],
      { title: { text: m, font: { size: 14 } }, shapes: shapes, margin: { l: 50, r: 20, t: 36, b: 40 },
        xaxis: { title: money(m) ? 'US dollars' : '' }, yaxis: { title: 'draws' }, bargap: 0.05 },
      { displaylogo: false, responsive: true });
    charts += 1;
  });
  var table = document.getElementById('summary');
  table.innerHTML = '<tr><th>output</th><th>mean</th><th>5 %</th><th>median</th><th>95 %</th><th>Monte Carlo ± (95 %)</th></tr>';
  D.metrics.forEach(function (m) {
    var s = D.summary[m], tr = document.createElement('tr');
    text(tr.appendChild(document.createElement('td')), m);
    [s.mean, s.p05, s.p50, s.p95, s.mc_half_width].forEach(function (v) {
      var td = tr.appendChild(document.createElement('td')); td.className = 'num'; text(td, fmt(v, m)); });
    table.appendChild(tr);
  });
  var params = document.getElementById('params');
  params.innerHTML = '<tr><th>parameter</th><th>distribution</th><th>source</th></tr>';
  D.params.forEach(function (p) {
    var tr = document.createElement('tr');
    p.forEach(function (v) { text(tr.appendChild(document.createElement('td')), v); });
    params.appendChild(tr);
  });
  document.body.setAttribute('data-charts', String(charts));
  if (!document.documentElement.hasAttribute('data-script-errors'))
    document.documentElement.setAttribute('data-script-errors', '0');
  text(document.getElementById('render-status'), 'rendered ' + charts + ' charts');
  document.body.setAttribute('data-render', 'complete');
})();
</script>
</body>
</html>
)scsim_html";

void replace_once(std::string& s, std::string_view what, std::string_view with) {
  const std::size_t at = s.find(what);
  if (at == std::string::npos)
    throw std::logic_error("uncertainty page lacks " + std::string(what));
  s.replace(at, what.size(), with);
}

}  // namespace

std::string describe_uncertain(const scsim::UncertainParam& u) {
  auto n = [](double v) { return significant(v, 6); };
  auto cut = [&]() -> std::string {
    const bool lo = !std::isnan(u.min), hi = !std::isnan(u.max);
    if (!lo && !hi) return "";
    return ", truncated to [" + (lo ? n(u.min) : "-inf") + ", " + (hi ? n(u.max) : "inf") + "]";
  };
  switch (u.dist) {
    case UDist::uniform:
      return "uniform (" + n(u.min) + " to " + n(u.max) + ")";
    case UDist::triangular:
      return "triangular (min " + n(u.min) + ", mode " + n(u.mode) + ", max " + n(u.max) + ")";
    case UDist::beta:
      return "beta (alpha " + n(u.alpha) + ", beta " + n(u.beta) + ")" +
             (u.min == 0 && u.max == 1 ? "" : " on [" + n(u.min) + ", " + n(u.max) + "]");
    case UDist::normal:
      return "normal (mean " + n(u.mean) + ", sd " + n(u.sd) + cut() + ")";
    case UDist::lognormal:
      return "lognormal (median " + n(u.median) + ", sigma " + n(u.sigma) + cut() + ")";
    case UDist::discrete: {
      std::string s = "discrete (";
      for (std::size_t i = 0; i < u.values.size(); ++i)
        s += (i ? ", " : "") + n(u.values[i]) + ": " + n(u.probabilities[i]);
      return s + ")";
    }
    case UDist::ensemble:
      return "ensemble " + std::filesystem::path(u.file).filename().string() + " (" +
             std::to_string(u.rows.size()) + " sets)";
  }
  return "";
}

std::string render_uncertainty_report(const UncertaintyPage& p) {
  const auto& d = *p.design;
  const auto& t = *p.table;
  Json metrics = Json::array(), draws = Json::object(), summary = Json::object(),
       sens = Json::object();
  const auto sample = d.sample_draws();
  for (Metric m : kKey) {
    const std::string name = scsim::metric_name(m);
    const std::size_t v = p.scope * scsim::kMetrics + std::size_t(m);
    metrics.push_back(name);
    Json xs = Json::array();
    for (std::size_t i : sample) xs.push_back(rounded(t.mean[i * t.values + v]));
    draws[name] = std::move(xs);
    const auto& r = (*p.rows)[v];
    summary[name] = {{"mean", rounded(r.mean)},
                     {"p05", rounded(r.p05)},
                     {"p50", rounded(r.p50)},
                     {"p95", rounded(r.p95)},
                     {"mc_half_width", rounded(r.mc_half_width)}};
    Json rows = Json::array();
    for (const auto& s : *p.sensitivity)
      if (s.value == v)
        rows.push_back(Json::array(
            {s.parameter, s.index, rounded(s.estimate, 4), rounded(s.low, 4), rounded(s.high, 4)}));
    sens[name] = std::move(rows);
  }
  Json params = Json::array();
  for (const auto& u : p.scenario->uncertain) {
    std::string name = u.path;
    if (u.dist == UDist::ensemble) {
      name = "(ensemble)";
      for (const auto& c : u.columns) name += " " + c;
    } else if (std::find(d.fixed.begin(), d.fixed.end(), u.path) != d.fixed.end()) {
      name += " (fixed by --set)";
    }
    params.push_back(Json::array({name, describe_uncertain(u), u.source}));
  }
  const Json meta = {{"scenario", p.scenario->name},
                     {"scope", p.scope_names.at(p.scope)},
                     {"draws", d.draws},
                     {"replications", t.replications},
                     {"sampler", p.sampler},
                     {"saltelli", d.saltelli},
                     {"seed", p.seed},
                     {"version", version()}};
  const Json data = {{"meta", meta},       {"metrics", metrics},  {"draws", draws},
                     {"summary", summary}, {"sensitivity", sens}, {"params", params}};
  std::string page(kPage);
  replace_once(page, "@SCSIM_DATA@", json_for_html_script(data));
  replace_once(page, "/*@SCSIM_PLOTLY@*/",
               std::string_view(report_assets::plotly_js, report_assets::plotly_js_size));
  return page;
}

}  // namespace scsim_app
