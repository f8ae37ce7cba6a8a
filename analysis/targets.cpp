#include "analysis/targets.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <span>
#include <limits>

#include "models/scenario/csv.hpp"
#include "models/scenario/limits.hpp"
#include "models/scenario/parse.hpp"
#include "models/scenario/schema.hpp"  // did_you_mean

namespace scsim {

namespace {

// The columns with `kind` (the current form) and without it (files written before it).
constexpr std::array<std::string_view, 7> kColumns{"metric", "scope", "as_of", "value", "kind", "tolerance", "source"};
constexpr std::array<std::string_view, 6> kLegacyColumns{"metric", "scope", "as_of", "value", "tolerance", "source"};

/// Interval of a kind relative to the value: [X(1+lo), X(1+hi)]; point and exact use the tolerance.
std::pair<double, double> relative_interval(TargetKind k, double tolerance) {
  switch (k) {
    case TargetKind::more_than: return {0.0, 0.15};
    case TargetKind::approx: return {-0.05, 0.05};
    case TargetKind::just_over: return {0.0, 0.05};
    case TargetKind::less_than: return {1 / 1.15 - 1, 0.0};
    case TargetKind::point:
    case TargetKind::exact: break;
  }
  return {-tolerance, tolerance};
}

std::string plain(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

[[noreturn]] void fail(const std::string& file, int line, int column, std::string_view key, const std::string& msg) {
  throw ScenarioError(file, line, column, std::string(key), msg);
}

std::vector<std::string> metric_names() {
  std::vector<std::string> v;
  for (std::size_t i = 0; i < kMetrics; ++i) v.push_back(metric_name(i));
  return v;
}

}  // namespace

std::optional<Metric> metric_by_name(std::string_view name) {
  for (std::size_t i = 0; i < kMetrics; ++i)
    if (metric_name(i) == name) return static_cast<Metric>(i);
  return std::nullopt;
}

std::string_view target_kind_name(TargetKind k) { return kTargetKindNames[static_cast<std::size_t>(k)]; }

std::string Target::dates() const {
  return (from ? sim::format_date(*from) + ".." : std::string()) + sim::format_date(as_of);
}

std::string Target::label() const { return metric + " " + scope + " " + dates(); }

double Target::low() const { return value * (1 + relative_interval(kind, tolerance).first); }
double Target::high() const { return value * (1 + relative_interval(kind, tolerance).second); }

std::string Target::interval_text() const {
  return std::string(target_kind_name(kind)) + " [" + plain(low()) + ", " + plain(high()) + "]";
}

bool within(const Target& t, double v) {
  if (!std::isfinite(v)) return false;
  // The precision a calibrated file records (6 significant digits), so that a
  // fit resting on an interval's end is inside it.
  const double slack = 1e-6 * std::abs(t.value);
  return v >= t.low() - slack && v <= t.high() + slack;
}

double target_residual(const Target& t, double v) {
  const double unit = t.value * t.tolerance;
  if (t.kind == TargetKind::point || t.kind == TargetKind::exact) return (v - t.value) / unit;
  if (within(t, v)) return 0.0;  // the same ends as the check
  if (v < t.low()) return (v - t.low()) / unit;
  if (v > t.high()) return (v - t.high()) / unit;
  return 0.0;
}

TargetCheck check_value(const Target& t, const sim::Estimate& simulated) {
  TargetCheck c;
  c.target = &t;
  c.simulated = simulated;
  c.relative_error =
      simulated.n == 0 ? std::numeric_limits<double>::quiet_NaN() : (simulated.mean - t.value) / t.value;
  c.pass = std::isfinite(c.relative_error) && within(t, simulated.mean);
  return c;
}

Targets parse_targets(std::string_view text, const std::string& file) {
  Targets out;
  out.path = file;
  if (text.size() > limits::kTargetsBytes)
    throw ScenarioError(file, 0, 0, "",
                        "targets file larger than " + std::to_string(limits::kTargetsBytes >> 10) +
                            " KiB, the limit for it (models/limits.hpp)",
                        ScenarioError::Kind::input);
  parse::check_text(text, file, "");
  // Which columns the header names decides how messages name the columns of
  // every line (a field past `value` is `kind` or `tolerance`), so look first.
  bool has_kind = false;
  {
    csv::Reader peek(text, file, kLegacyColumns);
    std::string_view first;
    while (peek.next(first)) {
      if (first.find_first_not_of(" \t") == std::string_view::npos || first.front() == '#') continue;
      const auto f = peek.split(first);
      has_kind = f.size() > 4 && f[4].text == "kind";
      break;
    }
  }
  csv::Reader reader(text, file,
                     has_kind ? std::span<const std::string_view>(kColumns) : std::span<const std::string_view>(kLegacyColumns));
  std::string_view line;
  int line_no = 0;
  bool header = false, with_kind = false;
  std::size_t ncols = kLegacyColumns.size();
  while (reader.next(line)) {
    line_no = reader.line();
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    if (line.front() == '#') continue;
    const auto fields = reader.split(line);
    if (!header) {
      // metric,scope,as_of,value then `kind` (optional: older files lack it), tolerance, source.
      with_kind = has_kind;
      const std::span<const std::string_view> cols =
          with_kind ? std::span<const std::string_view>(kColumns) : std::span<const std::string_view>(kLegacyColumns);
      const std::string expected = with_kind ? "metric,scope,as_of,value,kind,tolerance,source"
                                             : "metric,scope,as_of,value,kind,tolerance,source (or, without kind, "
                                               "metric,scope,as_of,value,tolerance,source)";
      for (std::size_t i = 0; i < cols.size(); ++i) {
        if (i >= fields.size())
          fail(file, line_no, static_cast<int>(line.size()) + 1, cols[i],
               "header lacks column '" + std::string(cols[i]) + "' (expected " + expected + ")");
        if (fields[i].text != cols[i])
          fail(file, line_no, fields[i].column, cols[i],
               "header has '" + fields[i].text + "' where '" + std::string(cols[i]) + "' is expected" +
                   (i == 4 ? std::string(" (or 'kind')") : std::string()));
      }
      if (fields.size() > cols.size())
        fail(file, line_no, fields[cols.size()].column, "header", "unexpected extra column '" + fields[cols.size()].text + "'");
      ncols = cols.size();
      header = true;
      continue;
    }
    const std::span<const std::string_view> cols =
        with_kind ? std::span<const std::string_view>(kColumns) : std::span<const std::string_view>(kLegacyColumns);
    if (fields.size() != ncols)
      fail(file, line_no, fields.size() < ncols ? static_cast<int>(line.size()) + 1 : fields[ncols].column,
           fields.size() < ncols ? cols[fields.size()] : cols.back(),
           "expected " + std::to_string(ncols) + " columns, found " + std::to_string(fields.size()));
    Target t;
    t.file = file;
    t.line = line_no;
    // metric: a name or A/B
    t.metric = fields[0].text;
    if (t.metric.empty()) fail(file, line_no, fields[0].column, "metric", "value is required");
    const auto slash = t.metric.find('/');
    const std::string num = t.metric.substr(0, slash);
    auto check_metric = [&](const std::string& name, int column) {
      auto m = metric_by_name(name);
      if (!m) fail(file, line_no, column, "metric", "unknown metric '" + name + "'" + schema::did_you_mean(name, metric_names()));
      const bool money = name.size() > 4 && name.compare(name.size() - 4, 4, "_usd") == 0;
      if (is_day_metric(*m) || money || *m == Metric::lesc_wait_hours)
        fail(file, line_no, column, "metric",
             "'" + name + "' is not a count (day, hour and dollar metrics are totals over stays, not events by a date)");
      return *m;
    };
    t.numerator = check_metric(num, fields[0].column);
    if (slash != std::string::npos) {
      const std::string den = t.metric.substr(slash + 1);
      if (den.empty() || den.find('/') != std::string::npos)
        fail(file, line_no, fields[0].column + static_cast<int>(slash) + 1, "metric", "a ratio is written A/B with two metric names");
      t.denominator = check_metric(den, fields[0].column + static_cast<int>(slash) + 1);
    }
    t.scope = fields[1].text;
    t.scope_column = fields[1].column;
    t.as_of_column = fields[2].column;
    if (t.scope.empty()) fail(file, line_no, fields[1].column, "scope", "value is required");
    {
      const std::string& d = fields[2].text;
      const auto dots = d.find("..");
      const std::string to_text = dots == std::string::npos ? d : d.substr(dots + 2);
      auto date = [&](const std::string& x) {
        try {
          return sim::parse_date(x);
        } catch (const std::exception&) {
          fail(file, line_no, fields[2].column, "as_of",
               "'" + d + "' is not a date (YYYY-MM-DD) or a window (YYYY-MM-DD..YYYY-MM-DD)");
        }
      };
      t.as_of = date(to_text);
      if (dots != std::string::npos) {
        t.from = date(d.substr(0, dots));
        if (std::chrono::sys_days{*t.from} > std::chrono::sys_days{t.as_of})
          fail(file, line_no, fields[2].column, "as_of", "window '" + d + "' ends before it starts");
      }
    }
    const auto v = parse::to_double(fields[3].text);
    if (!v) {
      const bool syntax = v.status == parse::NumberStatus::syntax;
      fail(file, line_no, fields[3].column, "value",
           syntax ? "'" + fields[3].text + "' is not a number" : parse::why_not(v.status, fields[3].text, "a number"));
    }
    if (!(v.value > 0)) fail(file, line_no, fields[3].column, "value", "must be positive (errors are relative to it)");
    if (t.is_ratio() && v.value > 1)
      fail(file, line_no, fields[3].column, "value", "a ratio of counts of the same people is at most 1, got " + fields[3].text);
    t.value = v.value;
    const std::size_t tol_i = with_kind ? 5 : 4;
    if (with_kind) {
      const csv::Field& k = fields[4];
      if (k.text.empty())
        fail(file, line_no, k.column, "kind",
             "value is required: one of point, exact, more_than, approx, just_over, less_than (how the source states the figure)");
      const auto it = std::find(kTargetKindNames.begin(), kTargetKindNames.end(), k.text);
      if (it == kTargetKindNames.end()) {
        const std::vector<std::string> names(kTargetKindNames.begin(), kTargetKindNames.end());
        fail(file, line_no, k.column, "kind",
             "unknown kind '" + k.text + "' (expected point, exact, more_than, approx, just_over or less_than)" +
                 schema::did_you_mean(k.text, names));
      }
      t.kind = static_cast<TargetKind>(it - kTargetKindNames.begin());
    }
    std::string tol = fields[tol_i].text;
    const bool percent = !tol.empty() && tol.back() == '%';
    if (percent) tol.pop_back();
    const auto tv = parse::to_double(tol);
    if (!tv)
      fail(file, line_no, fields[tol_i].column, "tolerance", "'" + fields[tol_i].text + "' is not a number (0.05 or 5%)");
    t.tolerance = percent ? tv.value / 100 : tv.value;
    if (!(t.tolerance > 0 && t.tolerance < 1))
      fail(file, line_no, fields[tol_i].column, "tolerance",
           "a relative tolerance in (0, 1) is expected, got " + fields[tol_i].text);
    t.source = fields[tol_i + 1].text;
    out.items.push_back(std::move(t));
  }
  if (!header)
    fail(file, 1, 1, "metric", "empty file (expected the header metric,scope,as_of,value,kind,tolerance,source)");
  if (out.items.empty()) fail(file, line_no, 1, "metric", "no targets after the header");
  return out;
}

Targets read_targets(const std::string& path) {
  return parse_targets(csv::read_file(path, limits::kTargetsBytes, "", "the targets file"), path);
}

void validate_targets(const Targets& t, const Scenario& sc) {
  const Scopes scopes = Scopes::build(sc);
  for (const auto& x : t.items) {
    if (scopes.find(x.scope) == std::string::npos)
      fail(t.path, x.line, x.scope_column, "scope",
           "unknown scope '" + x.scope + "' in scenario '" + sc.name + "'" + schema::did_you_mean(x.scope, scopes.names));
    if ((x.from && *x.from < sc.start) || x.as_of < sc.start || x.as_of > sc.end)
      fail(t.path, x.line, x.as_of_column, "as_of",
           "date " + x.dates() + " is outside the scenario's period (" + sim::format_date(sc.start) +
               " to " + sim::format_date(sc.end) + ")");
  }
}

namespace {

/// A metric's count from the period start to the end of `as_of` in one replication.
double cumulative(const ReplicationResult& r, const Months& months, std::size_t scope, Metric m, sim::Time cut) {
  double v = 0;
  for (std::size_t mo = 0; mo < months.size(); ++mo) {
    const sim::Time a = months.starts[mo];
    const sim::Time b = mo + 1 < months.size() ? months.starts[mo + 1] : months.horizon;
    if (a >= cut) break;
    const double x = r.at(mo, scope, m);
    v += b <= cut ? x : x * double(cut - a) / double(b - a);
  }
  return v;
}

}  // namespace

double simulated_value(const Target& t, const Scenario& sc, const ReplicationResult& r) {
  const Scopes scopes = Scopes::build(sc);
  const Months months = Months::build(sc);
  const std::size_t s = scopes.find(t.scope);
  if (s == std::string::npos) throw std::invalid_argument("unknown scope '" + t.scope + "'");
  const sim::Calendar cal(sc.start);
  const sim::Time cut = std::min(months.horizon, cal.to_time(t.as_of) + sim::kDay);
  const sim::Time cut_from = t.from ? cal.to_time(*t.from) : 0;
  auto count = [&](Metric m) {
    return cumulative(r, months, s, m, cut) - (cut_from > 0 ? cumulative(r, months, s, m, cut_from) : 0.0);
  };
  const double num = count(t.numerator);
  if (!t.denominator) return num / sc.volume_scale;
  const double den = count(*t.denominator);
  return den > 0 ? num / den : std::numeric_limits<double>::quiet_NaN();
}

double analytic_value(const Target& t, const Scenario& sc, const AnalyticResult& a) {
  const std::size_t s = a.scopes.find(t.scope);
  if (s == std::string::npos) throw std::invalid_argument("unknown scope '" + t.scope + "'");
  const sim::Date from = t.from ? *t.from : sc.start;
  const double num = a.count(s, t.numerator, from, t.as_of);
  if (!t.denominator) return num / sc.volume_scale;
  const double den = a.count(s, *t.denominator, from, t.as_of);
  return den > 0 ? num / den : 0.0;
}

std::vector<TargetCheck> check_targets(const Targets& t, const Scenario& sc, const std::vector<ReplicationResult>& reps) {
  std::vector<TargetCheck> out;
  for (const auto& x : t.items) {
    std::vector<double> xs;
    for (const auto& r : reps) {
      const double v = simulated_value(x, sc, r);
      if (std::isfinite(v)) xs.push_back(v);
    }
    TargetCheck c = check_value(x, sim::estimate(xs));
    out.push_back(c);
  }
  return out;
}

std::string targets_check_csv(const std::vector<TargetCheck>& checks) {
  auto num = [](double v) {
    if (!std::isfinite(v)) return std::string();
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.10g", v);
    return std::string(buf);
  };
  auto quote = [](const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string q = "\"";
    for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
  };
  std::string out =
      "metric,scope,as_of,observed,simulated_mean,ci95_low,ci95_high,relative_error,kind,interval_low,interval_high,"
      "tolerance,pass,replications,source\n";
  for (const auto& c : checks) {
    const Target& t = *c.target;
    out += quote(t.metric) + "," + quote(t.scope) + "," + t.dates() + "," + num(t.value) + "," +
           num(c.simulated.mean) + "," + num(c.simulated.ci95_low) + "," + num(c.simulated.ci95_high) + "," +
           num(c.relative_error) + "," + std::string(target_kind_name(t.kind)) + "," + num(t.low()) + "," +
           num(t.high()) + "," + num(t.tolerance) + "," + (c.pass ? "true" : "false") + "," +
           std::to_string(c.simulated.n) + "," + quote(t.source) + "\n";
  }
  return out;
}

}  // namespace scsim
