#include "analysis/uncertainty.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "analysis/runner.hpp"
#include "analysis/sensitivity.hpp"
#include "models/scenario/loader.hpp"
#include "models/scenario/uncertain.hpp"
#include "sim/random.hpp"
#include "sim/stats.hpp"

namespace scsim {

namespace {
using UDist = UncertainParam::Dist;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// One factor as drawn: its entry and, for an ensemble, the columns still drawn.
struct Factor {
  const UncertainParam* u = nullptr;
  std::vector<std::size_t> columns;  // ensemble columns kept
  std::vector<std::size_t> params;   // indices into Design::params
};

/// Writes the factor's values at probability p into `row`.
void draw_factor(const Factor& f, double p, double* row) {
  if (f.u->dist == UDist::ensemble) {
    const auto& set = f.u->rows[sampling::ensemble_row(*f.u, p)];
    for (std::size_t c = 0; c < f.columns.size(); ++c) row[f.params[c]] = set[f.columns[c]];
  } else {
    row[f.params[0]] = sampling::quantile(*f.u, p);
  }
}

std::uint64_t fnv(std::uint64_t h, const void* data, std::size_t n) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < n; ++i) {
    h ^= p[i];
    h *= 0x100000001b3ULL;
  }
  return h;
}
}  // namespace

std::vector<std::string> Design::overrides(std::size_t draw) const {
  std::vector<std::string> out;
  for (std::size_t p = 0; p < params.size(); ++p)
    out.push_back(params[p] + "=" + schema::render_number(value(draw, p)));
  return out;
}

std::vector<std::size_t> Design::sample_draws() const {
  std::vector<std::size_t> out;
  const std::size_t n = saltelli ? 2 * base : draws;
  for (std::size_t i = 0; i < n; ++i) out.push_back(i);
  return out;
}

Design make_design(const Scenario& sc, const std::vector<std::string>& set_overrides,
                   const UncertaintyOptions& opt) {
  if (sc.uncertain.empty())
    throw std::invalid_argument(
        "the scenario declares no uncertain parameters (add an `uncertain:` list; "
        "docs/uncertainty.md)");
  if (opt.draws == 0) throw std::invalid_argument("--draws must be at least 1");
  if (opt.replications == 0) throw std::invalid_argument("-r must be at least 1");

  // Which drawn keys a --set fixes: compared as keys, not as spellings.
  std::vector<std::string> paths;  // every drawn path, then every --set path
  for (const auto& u : sc.uncertain) {
    if (u.dist == UDist::ensemble)
      paths.insert(paths.end(), u.columns.begin(), u.columns.end());
    else
      paths.push_back(u.path);
  }
  const std::size_t drawn = paths.size();
  for (const auto& o : set_overrides) paths.push_back(parse_override(o).first);
  const schema::Node tree = schema::parse(
      sc.resolved_yaml, std::make_shared<schema::SourceFile>(schema::SourceFile{"<resolved>", {}}));
  const auto ids = same_key_ids(tree, scenario_section(), paths);
  std::vector<bool> is_fixed(drawn, false);
  for (std::size_t s = drawn; s < paths.size(); ++s)
    for (std::size_t a = 0; a < drawn; ++a)
      if (ids[a] == ids[s] || ids[s] == a) is_fixed[a] = true;

  Design d;
  std::vector<Factor> factors;
  std::size_t at = 0;
  for (const auto& u : sc.uncertain) {
    Factor f{&u, {}, {}};
    const std::size_t n = u.dist == UDist::ensemble ? u.columns.size() : 1;
    for (std::size_t c = 0; c < n; ++c, ++at) {
      const std::string& path = u.dist == UDist::ensemble ? u.columns[c] : u.path;
      if (is_fixed[at]) {
        d.fixed.push_back(path);
        continue;
      }
      f.columns.push_back(c);
      f.params.push_back(d.params.size());
      d.params.push_back(path);
    }
    if (f.params.empty()) continue;
    d.factors.push_back(u.dist == UDist::ensemble ? "ensemble:" + u.file : u.path);
    d.factor_params.push_back(f.params);
    factors.push_back(std::move(f));
  }
  const std::size_t k = factors.size();
  if (k == 0)
    throw std::invalid_argument(
        "every uncertain parameter is fixed by --set: nothing left to draw");
  if (opt.sensitivity == SensitivityMethod::prcc && opt.draws < d.params.size() + 3)
    throw std::invalid_argument("partial rank correlations of " + std::to_string(d.params.size()) +
                                " parameters need at least " + std::to_string(d.params.size() + 3) +
                                " draws");
  if (opt.sensitivity == SensitivityMethod::sobol && opt.draws < 2)
    throw std::invalid_argument("Sobol indices need at least 2 base draws");

  d.saltelli = opt.sensitivity == SensitivityMethod::sobol;
  d.base = opt.draws;
  const std::size_t np = d.params.size();
  if (!d.saltelli) {
    d.draws = opt.draws;
    const auto unit = sampling::unit_design(opt.sampler, d.draws, k, opt.seed);
    d.values.assign(d.draws * np, 0.0);
    d.blocks.assign(d.draws, "");
    for (std::size_t i = 0; i < d.draws; ++i)
      for (std::size_t f = 0; f < k; ++f)
        draw_factor(factors[f], unit[i * k + f], &d.values[i * np]);
    return d;
  }
  // Saltelli: A = first k columns, B = last k; then A with column i from B, for each factor i.
  const std::size_t n = opt.draws;
  d.draws = n * (k + 2);
  const auto unit = sampling::unit_design(opt.sampler, n, 2 * k, opt.seed);
  d.values.assign(d.draws * np, 0.0);
  auto fill = [&](std::size_t draw, std::size_t j,
                  std::size_t from_b) {  // from_b: factor taken from B, or k + 1 for B
    for (std::size_t f = 0; f < k; ++f) {
      const bool b = from_b == k + 1 || from_b == f;
      draw_factor(factors[f], unit[j * 2 * k + (b ? k : 0) + f], &d.values[draw * np]);
    }
  };
  for (std::size_t j = 0; j < n; ++j) {
    fill(j, j, k);  // A (k: no factor from B)
    fill(n + j, j, k + 1);
  }
  d.blocks.assign(2 * n, "");
  std::fill(d.blocks.begin(), d.blocks.begin() + long(n), "A");
  std::fill(d.blocks.begin() + long(n), d.blocks.end(), "B");
  for (std::size_t i = 0; i < k; ++i) {
    for (std::size_t j = 0; j < n; ++j) fill((2 + i) * n + j, j, i);
    d.blocks.insert(d.blocks.end(), n, "AB:" + d.factors[i]);
  }
  return d;
}

std::uint64_t job_digest(const Scenario& sc, const Design& d, const UncertaintyOptions& opt) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  h = fnv(h, sc.resolved_yaml.data(), sc.resolved_yaml.size());
  for (const auto& p : d.params) h = fnv(h, p.data(), p.size() + 1);
  for (const auto& b : d.blocks) h = fnv(h, b.data(), b.size() + 1);
  h = fnv(h, d.values.data(), d.values.size() * sizeof(double));
  const std::uint64_t nums[] = {opt.replications,
                                opt.seed,
                                d.draws,
                                d.base,
                                d.saltelli ? 1u : 0u,
                                static_cast<std::uint64_t>(opt.sampler)};
  h = fnv(h, nums, sizeof nums);
  return h;
}

TaskRunner::TaskRunner(std::filesystem::path scenario, std::vector<std::string> set_overrides,
                       const Design& design, const UncertaintyOptions& opt)
    : TaskRunner(
          [file = std::move(scenario)](const std::vector<std::string>& o) {
            return load_scenario(file, o);
          },
          std::move(set_overrides), design, opt) {}

TaskRunner::TaskRunner(ScenarioLoader load, std::vector<std::string> set_overrides,
                       const Design& design, const UncertaintyOptions& opt)
    : load_(std::move(load)),
      set_overrides_(std::move(set_overrides)),
      design_(design),
      opt_(opt) {}

ReplicationResult TaskRunner::run_replication(std::size_t task) {
  const std::size_t draw = task / opt_.replications, rep = task % opt_.replications;
  if (draw >= design_.draws)
    throw std::out_of_range("task " + std::to_string(task) + " is beyond the design");
  if (draw != loaded_) {
    std::vector<std::string> o = set_overrides_;
    const auto mine = design_.overrides(draw);
    o.insert(o.end(), mine.begin(), mine.end());
    sc_ = load_(o);
    sc_->seed = opt_.seed;
    loaded_ = draw;
  }
  auto reps = run_scenario(*sc_, 1, 1, {}, rep);
  return std::move(reps.front());
}

std::vector<double> TaskRunner::run(std::size_t task) {
  const ReplicationResult r = run_replication(task);
  std::vector<double> out(r.scopes * kMetrics);
  for (std::size_t s = 0; s < r.scopes; ++s)
    for (std::size_t m = 0; m < kMetrics; ++m)
      out[s * kMetrics + m] = r.total(s, static_cast<Metric>(m));
  return out;
}

DrawTable draw_table(std::size_t draws, std::size_t replications,
                     const std::vector<std::vector<double>>& tasks) {
  DrawTable t;
  t.draws = draws;
  t.replications = replications;
  t.values = tasks.empty() ? 0 : tasks.front().size();
  t.mean.assign(draws * t.values, 0.0);
  t.variance.assign(draws * t.values, 0.0);
  const double r = static_cast<double>(replications);
  for (std::size_t d = 0; d < draws; ++d)
    for (std::size_t v = 0; v < t.values; ++v) {
      double sum = 0;
      for (std::size_t i = 0; i < replications; ++i) sum += tasks[d * replications + i][v];
      const double mean = sum / r;
      double ss = 0;
      for (std::size_t i = 0; i < replications; ++i) {
        const double e = tasks[d * replications + i][v] - mean;
        ss += e * e;
      }
      t.mean[d * t.values + v] = mean;
      t.variance[d * t.values + v] = replications > 1 ? ss / (r - 1) : 0.0;
    }
  return t;
}

std::vector<UncertaintyRow> summarize_uncertainty(const Design& d, const DrawTable& t) {
  const auto sample = d.sample_draws();
  const double n = static_cast<double>(sample.size());
  const std::size_t dof = sample.size() * (t.replications - 1);
  const double tq = dof > 0 ? sim::student_t_quantile(0.975, static_cast<double>(dof)) : kNaN;
  std::vector<UncertaintyRow> rows;
  std::vector<double> xs(sample.size());
  for (std::size_t v = 0; v < t.values; ++v) {
    double sum = 0, pooled = 0;
    for (std::size_t i = 0; i < sample.size(); ++i) {
      xs[i] = t.mean[sample[i] * t.values + v];
      sum += xs[i];
      pooled += t.variance[sample[i] * t.values + v];
    }
    std::sort(xs.begin(), xs.end());
    UncertaintyRow row;
    row.value = v;
    row.mean = sum / n;
    row.p05 = sensitivity::quantile_sorted(xs, 0.05);
    row.p50 = sensitivity::quantile_sorted(xs, 0.50);
    row.p95 = sensitivity::quantile_sorted(xs, 0.95);
    row.mc_half_width =
        dof > 0 ? tq * std::sqrt(pooled / n / static_cast<double>(t.replications)) : kNaN;
    row.draws = sample.size();
    row.replications = t.replications;
    rows.push_back(row);
  }
  return rows;
}

std::vector<std::vector<double>> paired_differences(const std::vector<std::vector<double>>& base,
                                                    const std::vector<std::vector<double>>& alt) {
  if (base.size() != alt.size())
    throw std::invalid_argument("paired_differences: " + std::to_string(base.size()) +
                                " baseline tasks but " + std::to_string(alt.size()) +
                                " alternative ones");
  std::vector<std::vector<double>> out(base.size());
  for (std::size_t i = 0; i < base.size(); ++i) {
    if (base[i].size() != alt[i].size())
      throw std::invalid_argument("paired_differences: task " + std::to_string(i) +
                                  " has another number of values in the alternative");
    out[i].resize(base[i].size());
    for (std::size_t v = 0; v < base[i].size(); ++v) out[i][v] = alt[i][v] - base[i][v];
  }
  return out;
}

namespace {
bool same_number(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }
bool same_numbers(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!same_number(a[i], b[i])) return false;
  return true;
}
bool same_entry(const UncertainParam& a, const UncertainParam& b) {
  if (a.dist != b.dist || a.path != b.path || a.integer != b.integer) return false;
  for (auto f : {&UncertainParam::min, &UncertainParam::max, &UncertainParam::mode,
                 &UncertainParam::alpha, &UncertainParam::beta, &UncertainParam::mean,
                 &UncertainParam::sd, &UncertainParam::median, &UncertainParam::sigma})
    if (!same_number(a.*f, b.*f)) return false;
  if (!same_numbers(a.values, b.values) || !same_numbers(a.probabilities, b.probabilities))
    return false;
  if (a.columns != b.columns || !same_numbers(a.weights, b.weights) ||
      a.rows.size() != b.rows.size())
    return false;
  for (std::size_t i = 0; i < a.rows.size(); ++i)
    if (!same_numbers(a.rows[i], b.rows[i])) return false;
  return true;
}
std::string entry_name(const UncertainParam& u) {
  return u.dist == UDist::ensemble ? "ensemble " + u.file : u.path;
}
/// The scalar text `path` holds in the scenario as resolved ("" when not written).
std::string written_value(const Scenario& sc, const std::string& path) {
  const auto src =
      std::make_shared<schema::SourceFile>(schema::SourceFile{"<resolved " + sc.path + ">", {}});
  schema::ParseBudget trusted;
  trusted.bytes = std::max(trusted.bytes, sc.resolved_yaml.size());
  schema::Node tree = schema::parse(sc.resolved_yaml, src, trusted);
  const auto t = schema::resolve_path(tree, scenario_section(), path, schema::Source{src, 0, 0});
  const schema::Node* v = t.parent->find(t.name);
  return v && v->is_scalar() ? v->scalar : std::string();
}
}  // namespace

void check_draws_apply(const Scenario& base, const Scenario& alt, const Design& d,
                       const std::string& base_label, const std::string& alt_label) {
  const std::string why =
      "--draws draws the baseline's `uncertain:` parameters and runs every scenario on the same "
      "draws; give '" +
      alt_label + "' no `uncertain:` list or the baseline's (e.g. extend it)";
  if (!alt.uncertain.empty()) {
    const std::size_t n = std::min(base.uncertain.size(), alt.uncertain.size());
    for (std::size_t i = 0; i < n; ++i)
      if (!same_entry(base.uncertain[i], alt.uncertain[i]))
        throw std::invalid_argument("'" + alt_label + "' declares uncertain[" + std::to_string(i) +
                                    "] (" + entry_name(alt.uncertain[i]) + ") unlike '" +
                                    base_label + "' (" + entry_name(base.uncertain[i]) +
                                    "): " + why);
    if (alt.uncertain.size() != base.uncertain.size())
      throw std::invalid_argument("'" + alt_label + "' declares " +
                                  std::to_string(alt.uncertain.size()) +
                                  " uncertain parameters, '" + base_label + "' " +
                                  std::to_string(base.uncertain.size()) + ": " + why);
  }
  for (const auto& path : d.params) {
    const std::string b = written_value(base, path), a = written_value(alt, path);
    if (a != b)
      throw std::invalid_argument(
          "'" + alt_label + "' sets " + path + " to " + (a.empty() ? "its default" : a) +
          " where '" + base_label + "' has " + (b.empty() ? "its default" : b) +
          ", but the baseline draws " + path +
          ": every draw would overwrite it and erase that part of the what-if (fix it with --set, "
          "or leave it out of `uncertain:`)");
  }
}

std::vector<SensitivityRow> sensitivity_rows(const Design& d, const DrawTable& t, std::size_t scope,
                                             const UncertaintyOptions& opt) {
  std::vector<SensitivityRow> rows;
  if (opt.sensitivity == SensitivityMethod::none) return rows;
  const std::size_t np = d.params.size();
  if (!d.saltelli) {
    const std::size_t n = d.draws;
    std::vector<double> y(n);
    for (std::size_t m = 0; m < kMetrics; ++m) {
      const std::size_t v = scope * kMetrics + m;
      for (std::size_t i = 0; i < n; ++i) y[i] = t.mean[i * t.values + v];
      const auto r = sensitivity::prcc(d.values, n, np, y);
      for (std::size_t p = 0; p < np; ++p)
        rows.push_back(
            {v, d.params[p], "prcc", r[p].estimate, r[p].low, r[p].high, "prcc_fisher_z", n});
    }
    return rows;
  }
  const std::size_t n = d.base, k = d.factors.size();
  const auto resamples = sensitivity::bootstrap_resamples(n, opt.bootstrap, opt.seed);
  std::vector<double> fa(n), fb(n);
  std::vector<std::vector<double>> fab(k, std::vector<double>(n));
  for (std::size_t m = 0; m < kMetrics; ++m) {
    const std::size_t v = scope * kMetrics + m;
    for (std::size_t j = 0; j < n; ++j) {
      fa[j] = t.mean[j * t.values + v];
      fb[j] = t.mean[(n + j) * t.values + v];
      for (std::size_t i = 0; i < k; ++i) fab[i][j] = t.mean[((2 + i) * n + j) * t.values + v];
    }
    const auto s = sensitivity::sobol(fa, fb, fab, resamples);
    for (std::size_t i = 0; i < k; ++i) {
      rows.push_back({v, d.factors[i], "first_order", s.first[i].estimate, s.first[i].low,
                      s.first[i].high, "saltelli2010_bootstrap", d.draws});
      rows.push_back({v, d.factors[i], "total", s.total[i].estimate, s.total[i].low,
                      s.total[i].high, "jansen1999_bootstrap", d.draws});
    }
  }
  return rows;
}

}  // namespace scsim
