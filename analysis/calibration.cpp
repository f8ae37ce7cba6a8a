#include "analysis/calibration.hpp"

#include <Eigen/SVD>
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <unsupported/Eigen/NonLinearOptimization>

#include "analysis/analytic.hpp"
#include "models/scenario/parse.hpp"
#include "models/scenario/loader.hpp"
#include "models/scenario/schema.hpp"

namespace scsim {

namespace fs = std::filesystem;
using YNode = schema::Node;

namespace {

std::string fmt(double v, int digits = 9) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", digits, v);
  return buf;
}

/// A number written by fmt or in a scenario; NaN for anything that is not a finite number.
double number(std::string_view s) {
  const auto v = parse::to_double(s);
  return v ? v.value : std::numeric_limits<double>::quiet_NaN();
}

/// The position in the resolved tree's `policies` list of the item a path
/// "policies[SEL]..." selects, SEL being a position or a policy's `id`; -1 if none.
long policy_index(const std::string& path, const YNode& tree) {
  const auto close = path.find(']');
  if (path.rfind("policies[", 0) != 0 || close == std::string::npos) return -1;
  const std::string sel = path.substr(9, close - 9);
  const YNode* list = tree.find("policies");
  if (!list || !list->is_sequence()) return -1;
  if (const auto v = parse::to_integer(sel); v)
    return v.value >= 0 && std::size_t(v.value) < list->items.size() ? static_cast<long>(v.value) : -1;
  for (std::size_t i = 0; i < list->items.size(); ++i)
    if (const YNode* id = list->items[i].find("id"); id && id->is_scalar() && id->scalar == sel) return long(i);
  return -1;
}

/// The path with a policy selected by position (policies[memo_2011].x -> policies[7].x): one name per parameter.
std::string canonical_path(const std::string& path, const YNode& tree) {
  const long idx = policy_index(path, tree);
  if (idx < 0) return path;
  return "policies[" + std::to_string(idx) + "]" + path.substr(path.find(']') + 1);
}

/// 6 significant digits: what the calibrated file records.
double round6(double v) { return v == 0 ? 0 : number(fmt(v, 6)); }

/// "file:line" (as the loader records origins) -> ScenarioError coordinates.
[[noreturn]] void fail_at(const std::string& origin, const std::string& key, const std::string& msg) {
  std::string file = origin;
  int line = 0;
  if (auto pos = file.rfind(':'); pos != std::string::npos) {
    if (const auto v = parse::to_integer(std::string_view(file).substr(pos + 1));
        v && v.value >= 0 && v.value <= std::numeric_limits<int>::max()) {
      line = static_cast<int>(v.value);
      file.resize(pos);
    }
  }
  throw ScenarioError(file, line, 0, key, msg, ScenarioError::Kind::input);
}

/// One free parameter and how to write it into a scenario.
struct Param {
  CalibrationParam decl;
  double start = 0;
  bool start_given = true;
  bool integer = false;
  // shares entry: the map's path and its entries as written
  bool shares = false;
  std::string map_path, entry;
  // inside policies[i]
  long policy = -1;
  std::string policy_type;
  std::string note;
};

struct SharesGroup {
  std::string map_path;
  std::vector<std::string> names;
  std::vector<double> original;
  std::vector<int> param_of;  // parameter index per entry, -1 if not calibrated
};

double number_of(const YNode& n) { return number(n.scalar); }

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> segs;
  std::size_t start = 0;
  for (;;) {
    const std::size_t dot = path.find('.', start);
    segs.push_back(path.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return segs;
}

class Problem {
 public:
  Problem(fs::path file, const Targets& targets, const CalibrationOptions& opt)
      : file_(std::move(file)), targets_(targets), opt_(opt) {}

  void prepare();
  const Scenario& scenario() const { return sc0_; }
  std::size_t n() const { return params_.size(); }
  std::size_t m() const { return targets_.items.size(); }
  const std::vector<Param>& params() const { return params_; }
  const Eigen::VectorXd& u0() const { return u0_; }

  double theta(std::size_t k, double u) const {
    const auto& d = params_[k].decl;
    double v = d.lower + (d.upper - d.lower) * u;
    if (params_[k].integer) v = std::round(v);
    return v;
  }
  std::vector<std::string> overrides(const Eigen::VectorXd& u, bool include_base = true) const;
  /// Analytic target values at the parameters u (in [0,1]); nullopt if the scenario does not load.
  std::optional<Eigen::VectorXd> values(const Eigen::VectorXd& u);
  /// Target residuals (tolerance units; target_residual) followed by the pull towards the start.
  Eigen::VectorXd residuals(const Eigen::VectorXd& u);
  /// (value - observed) / (observed x tolerance) per target: the targets' sensitivity,
  /// which identifiability looks at whether or not a value lies inside its interval.
  Eigen::VectorXd point_residuals(const Eigen::VectorXd& u);
  int evaluations() const { return evaluations_; }
  const std::vector<std::string>& held() const { return held_; }

 private:
  fs::path file_;
  const Targets& targets_;
  CalibrationOptions opt_;
  Scenario sc0_;
  std::vector<Param> params_;
  std::vector<SharesGroup> groups_;
  std::vector<std::string> held_;
  Eigen::VectorXd u0_;
  AnalyticCache cache_;
  int evaluations_ = 0;
  Eigen::VectorXd last_u_, last_r_;
};

void Problem::prepare() {
  sc0_ = load_scenario(file_, opt_.overrides);
  if (sc0_.calibrate.empty())
    throw ScenarioError(file_.string(), 0, 0, "calibrate",
                        "the scenario declares no free parameters (add a `calibrate:` list of {path, lower, upper})");
  validate_targets(targets_, sc0_);
  for (const auto& t : targets_.items) {
    for (auto m : {std::optional<Metric>(t.numerator), t.denominator})
      if (m && !AnalyticResult::supports(*m))
        throw ScenarioError(targets_.path, t.line, 1, "metric",
                            "'" + metric_name(*m) +
                                "' has no analytic expectation, so calibrate cannot fit it (check-targets can check it)");
  }
  auto src = std::make_shared<schema::SourceFile>(schema::SourceFile{"<resolved " + file_.string() + ">", file_.parent_path()});
  schema::ParseBudget trusted;  // our own emission of a tree that was loaded under the limits
  trusted.bytes = std::max(trusted.bytes, sc0_.resolved_yaml.size());
  YNode tree = schema::parse(sc0_.resolved_yaml, src, trusted);
  std::set<std::string> seen;
  std::vector<bool> pattern_used(opt_.free.size(), false);
  for (const auto& c : sc0_.calibrate) {
    Param p;
    p.decl = c;
    if (!seen.insert(canonical_path(c.path, tree)).second)
      fail_at(c.origin, "calibrate", "'" + c.path + "' is declared twice (by position or id)");
    if (!opt_.free.empty()) {
      bool is_free = false;
      for (std::size_t i = 0; i < opt_.free.size(); ++i)
        if (c.path.rfind(opt_.free[i], 0) == 0) is_free = pattern_used[i] = true;
      if (!is_free) {  // fixed at the value the scenario writes
        held_.push_back(c.path);
        continue;
      }
    }
    YNode scratch = tree;
    schema::PathTarget t;
    try {
      t = schema::resolve_path(scratch, scenario_section(), c.path, schema::Source{src, 0, 0});
    } catch (const ScenarioError& e) {
      fail_at(c.origin, "calibrate", "'" + c.path + "': " + e.message);
    }
    p.integer = !t.map_entry && t.key->type == schema::Type::integer;
    const YNode* v = t.parent->find(t.name);
    if (v && v->is_scalar() && std::isfinite(number_of(*v))) {
      p.start = number_of(*v);
    } else {
      p.start = 0.5 * (c.lower + c.upper);
      p.start_given = false;
    }
    if (t.map_entry && t.key->type == schema::Type::shares) {
      p.shares = true;
      const auto dot = c.path.rfind('.');
      p.map_path = c.path.substr(0, dot);
      p.entry = c.path.substr(dot + 1);
      std::vector<double> vals;
      for (const auto& name : t.key->choices) {
        const YNode* e = t.parent->find(name);
        if (!e || !e->is_scalar() || !std::isfinite(number_of(*e)))
          fail_at(c.origin, "calibrate",
                  "'" + c.path + "' is an entry of the shares map '" + p.map_path +
                      "', which must be written whole (every one of its names) to calibrate an entry; '" + name +
                      "' is missing");
        vals.push_back(number_of(*e));
      }
      auto g = std::find_if(groups_.begin(), groups_.end(), [&](const SharesGroup& x) { return x.map_path == p.map_path; });
      if (g == groups_.end()) {
        groups_.push_back({p.map_path, t.key->choices, vals, std::vector<int>(vals.size(), -1)});
        g = groups_.end() - 1;
      }
      const auto idx = std::find(g->names.begin(), g->names.end(), p.entry) - g->names.begin();
      g->param_of[std::size_t(idx)] = int(params_.size());
      if (std::count(g->param_of.begin(), g->param_of.end(), -1) == 0)
        fail_at(c.origin, "calibrate",
                "every entry of the shares map '" + p.map_path + "' is calibrated; leave one free to take the remainder");
    }
    if (c.path.rfind("policies[", 0) == 0) {
      p.policy = policy_index(c.path, tree);
      if (p.policy < 0) fail_at(c.origin, "calibrate", "'" + c.path + "': no such policy");
      const YNode& item = tree.find("policies")->items[std::size_t(p.policy)];
      p.policy_type = item.find("type") ? item.find("type")->scalar : "";
      // Named from the tree: Scenario::policies leaves out base policies that start after the period.
      std::string what = p.policy_type;
      for (const char* k : {"preset", "group", "rule", "mode", "from", "to"})
        if (const YNode* f = item.find(k); f && f->is_scalar()) what += std::string(" ") + k + " " + f->scalar;
      if (const YNode* sc = item.find("scope"); sc && sc->is_map() && !sc->entries.empty() && sc->entries[0].value.is_sequence()) {
        what += " in";
        for (const auto& id : sc->entries[0].value.items) what += " " + id.scalar;
      }
      const YNode* id = item.find("id");
      p.note = "policies[" + std::to_string(p.policy) + "]" + (id && id->is_scalar() ? " '" + id->scalar + "'" : "") +
               " is " + what + " (" + item.where.str() + ")";
    }
    params_.push_back(std::move(p));
  }
  for (std::size_t i = 0; i < opt_.free.size(); ++i)
    if (!pattern_used[i])
      throw ScenarioError(file_.string(), 0, 0, "calibrate",
                          "no declared parameter path starts with '" + opt_.free[i] + "' (--free)");
  u0_.resize(long(params_.size()));
  for (std::size_t k = 0; k < params_.size(); ++k) {
    const auto& d = params_[k].decl;
    u0_(long(k)) = std::clamp((params_[k].start - d.lower) / (d.upper - d.lower), 0.02, 0.98);
  }
}

std::vector<std::string> Problem::overrides(const Eigen::VectorXd& u, bool include_base) const {
  std::vector<std::string> o;
  if (include_base) o = opt_.overrides;
  for (std::size_t k = 0; k < params_.size(); ++k)
    if (!params_[k].shares) o.push_back(params_[k].decl.path + "=" + fmt(theta(k, u(long(k)))));
  for (const auto& g : groups_) {
    // Calibrated entries take their values; the others share the remainder in
    // their original proportions; the last free entry absorbs the rounding.
    double fixed = 0, free_orig = 0;
    std::size_t n_free = 0, last_free = 0;
    for (std::size_t i = 0; i < g.names.size(); ++i) {
      if (g.param_of[i] >= 0) fixed += theta(std::size_t(g.param_of[i]), u(g.param_of[i]));
      else free_orig += g.original[i], ++n_free, last_free = i;
    }
    const double rest = 1.0 - fixed;
    std::vector<double> v(g.names.size());
    double others = 0;
    for (std::size_t i = 0; i < g.names.size(); ++i) {
      if (g.param_of[i] >= 0) v[i] = theta(std::size_t(g.param_of[i]), u(g.param_of[i]));
      else v[i] = free_orig > 0 ? g.original[i] / free_orig * rest : rest / double(n_free);
      v[i] = number(fmt(v[i]));
      if (i != last_free) others += v[i];
    }
    v[last_free] = number(fmt(1.0 - others));
    for (std::size_t i = 0; i < g.names.size(); ++i) o.push_back(g.map_path + "." + g.names[i] + "=" + fmt(v[i]));
  }
  return o;
}

std::optional<Eigen::VectorXd> Problem::values(const Eigen::VectorXd& u) {
  ++evaluations_;
  Scenario sc;
  try {
    sc = load_scenario(file_, overrides(u));
  } catch (const ScenarioError& e) {
    // A value the trial parameters make invalid (a shares remainder below 0, or
    // P(detainer) + P(notification) > 1) is a point to steer away from; a file
    // that cannot be read, or no longer parses, ends the fit with its error.
    if (e.kind != ScenarioError::Kind::value) throw;
    return std::nullopt;
  }
  AnalyticOptions ao;
  ao.follow_days = 0;
  const AnalyticResult a = analyze(sc, ao, &cache_);
  Eigen::VectorXd v(static_cast<Eigen::Index>(m()));
  for (std::size_t i = 0; i < m(); ++i) v(long(i)) = analytic_value(targets_.items[i], sc, a);
  return v;
}

Eigen::VectorXd Problem::residuals(const Eigen::VectorXd& u) {
  if (last_u_.size() == u.size() && last_u_ == u) return last_r_;
  Eigen::VectorXd r(static_cast<Eigen::Index>(m() + n()));
  const auto v = values(u);
  for (std::size_t i = 0; i < m(); ++i) {
    const Target& t = targets_.items[i];
    r(long(i)) = v ? target_residual(t, (*v)(long(i))) : 1e3;
  }
  for (std::size_t k = 0; k < n(); ++k) r(long(m() + k)) = opt_.prior_weight * (u(long(k)) - u0_(long(k)));
  last_u_ = u;
  last_r_ = r;
  return r;
}

Eigen::VectorXd Problem::point_residuals(const Eigen::VectorXd& u) {
  Eigen::VectorXd r(static_cast<Eigen::Index>(m()));
  const auto v = values(u);
  for (std::size_t i = 0; i < m(); ++i) {
    const Target& t = targets_.items[i];
    r(long(i)) = v ? ((*v)(long(i)) - t.value) / (t.value * t.tolerance) : 1e3;
  }
  return r;
}

/// Bounded parameters in unbounded coordinates: u = (1 + sin z) / 2. Unlike a
/// logistic map, a bound is reached in a finite step, so a parameter that the
/// targets push against a bound does not stall the search there.
Eigen::VectorXd u_of(const Eigen::VectorXd& z) { return (0.5 * (1.0 + z.array().sin())).matrix(); }
double z_of(double u) { return std::asin(std::clamp(2 * u - 1, -1.0, 1.0)); }

/// Levenberg-Marquardt over z (see u_of), with the Jacobian by forward
/// differences in the [0,1] scale.
struct Functor {
  Problem* p;
  std::function<void(const std::string&)> progress;
  int inputs() const { return int(p->n()); }
  int values() const { return int(p->m() + p->n()); }
  int operator()(const Eigen::VectorXd& z, Eigen::VectorXd& f) const {
    f = p->residuals(u_of(z));
    return 0;
  }
  int df(const Eigen::VectorXd& z, Eigen::MatrixXd& J) const {
    const Eigen::VectorXd u = u_of(z);
    const Eigen::VectorXd f0 = p->residuals(u);
    J.resize(values(), inputs());
    for (long k = 0; k < u.size(); ++k) {
      Eigen::VectorXd u1 = u;
      const double h = u(k) + 1e-4 < 1.0 ? 1e-4 : -1e-4;
      u1(k) += h;
      const Eigen::VectorXd f1 = p->residuals(u1);
      J.col(k) = (f1 - f0) / h * (0.5 * std::cos(z(k)));
    }
    if (progress) {
      const double cost = f0.head(long(p->m())).squaredNorm();
      progress("evaluations " + std::to_string(p->evaluations()) + ": cost " + fmt(cost, 5) +
               " (sum of squared errors in tolerances)");
    }
    return int(u.size()) + 1;
  }
};

std::string status_text(Eigen::LevenbergMarquardtSpace::Status s) {
  using namespace Eigen::LevenbergMarquardtSpace;
  switch (s) {
    case RelativeReductionTooSmall: return "converged (relative reduction of the cost below ftol)";
    case RelativeErrorTooSmall: return "converged (relative change of the parameters below xtol)";
    case RelativeErrorAndReductionTooSmall: return "converged (cost and parameters both settled)";
    case CosinusTooSmall: return "converged (residuals orthogonal to the Jacobian)";
    case TooManyFunctionEvaluation: return "stopped: evaluation budget reached";
    case FtolTooSmall: case XtolTooSmall: case GtolTooSmall: return "stopped: tolerance too small for further progress";
    case ImproperInputParameters: return "improper input";
    case UserAsked: return "stopped by request";
    default: return "unknown";
  }
}

}  // namespace

CalibrationResult calibrate(const fs::path& scenario_file, const Targets& targets, const CalibrationOptions& opt) {
  Problem p(scenario_file, targets, opt);
  p.prepare();
  const std::size_t n = p.n(), m = p.m();
  CalibrationResult res;
  res.scenario = scenario_file.string();

  Eigen::VectorXd u0 = p.u0();
  Eigen::VectorXd z(u0.size());
  for (long k = 0; k < u0.size(); ++k) z(k) = z_of(u0(k));
  const auto start_values = p.values(u0);
  if (!start_values) throw ScenarioError(scenario_file.string(), 0, 0, "calibrate", "the scenario does not load at its starting parameters");
  Functor f{&p, opt.progress};
  Eigen::LevenbergMarquardt<Functor> lm(f);
  lm.parameters.maxfev = opt.max_evaluations;
  lm.parameters.factor = 1.0;
  lm.parameters.xtol = 1e-7;
  lm.parameters.ftol = 1e-9;
  const auto status = lm.minimize(z);
  res.status = status_text(status);

  // The fit as the calibrated file will record it (6 significant digits).
  Eigen::VectorXd u = u_of(z);
  for (std::size_t k = 0; k < n; ++k) {
    const auto& d = p.params()[k].decl;
    const double v = round6(p.theta(k, u(long(k))));
    u(long(k)) = std::clamp((v - d.lower) / (d.upper - d.lower), 0.0, 1.0);
  }
  const auto fitted = p.values(u);
  if (!fitted) throw ScenarioError(scenario_file.string(), 0, 0, "calibrate", "the fitted scenario does not load");

  // Jacobian of the targets (tolerance units) in the [0,1] scale, for identifiability.
  // It is the targets' sensitivity, not that of the interval residuals: a target
  // inside its interval has a zero residual around the fit, yet still says how
  // far the parameters may move before it leaves the interval.
  Eigen::MatrixXd J(static_cast<Eigen::Index>(m), static_cast<Eigen::Index>(n));
  {
    const Eigen::VectorXd r0 = p.point_residuals(u);
    for (std::size_t k = 0; k < n; ++k) {
      Eigen::VectorXd u1 = u;
      const double h = u(long(k)) + 1e-3 <= 1.0 ? 1e-3 : -1e-3;
      u1(long(k)) += h;
      J.col(long(k)) = (p.point_residuals(u1) - r0) / h;
    }
  }
  // Parameters no target depends on are reported as such; the SVD looks at the
  // others (a zero column would otherwise mix into an arbitrary null-space basis).
  std::vector<bool> inert(n, false);
  std::vector<long> live;
  for (std::size_t k = 0; k < n; ++k) {
    inert[k] = J.col(long(k)).norm() < 1e-6 * opt.flat_threshold;
    if (!inert[k]) live.push_back(long(k));
  }
  Eigen::MatrixXd JL(J.rows(), static_cast<Eigen::Index>(live.size()));
  for (std::size_t i = 0; i < live.size(); ++i) JL.col(long(i)) = J.col(live[i]);
  Eigen::JacobiSVD<Eigen::MatrixXd> svd(JL, Eigen::ComputeFullV);
  const Eigen::VectorXd s = svd.singularValues();
  const Eigen::MatrixXd VL = svd.matrixV();
  Eigen::MatrixXd V = Eigen::MatrixXd::Zero(long(n), long(live.size()));
  for (std::size_t i = 0; i < live.size(); ++i) V.row(live[i]) = VL.row(long(i));
  for (long k = 0; k < s.size(); ++k) res.singular_values.push_back(s(k));
  std::vector<bool> flat_param(n, false);
  std::vector<std::vector<std::string>> partners(n);
  for (std::size_t k = 0; k < n; ++k)
    if (inert[k]) {
      flat_param[k] = true;
      res.flat.push_back({0.0, {{p.params()[k].decl.path, 1.0}}});
    }
  for (long k = 0; k < long(live.size()); ++k) {
    const double sk = k < s.size() ? s(k) : 0.0;
    if (sk >= opt.flat_threshold) continue;
    FlatDirection fd;
    fd.singular_value = sk;
    for (long i = 0; i < long(n); ++i)
      if (std::abs(V(i, k)) >= 0.25) fd.loadings.emplace_back(p.params()[std::size_t(i)].decl.path, V(i, k));
    for (const auto& la : fd.loadings) {
      const auto ia = std::size_t(std::find_if(p.params().begin(), p.params().end(),
                                               [&](const Param& x) { return x.decl.path == la.first; }) -
                                  p.params().begin());
      flat_param[ia] = true;
      for (const auto& lb : fd.loadings)
        if (lb.first != la.first && std::find(partners[ia].begin(), partners[ia].end(), lb.first) == partners[ia].end())
          partners[ia].push_back(lb.first);
    }
    res.flat.push_back(std::move(fd));
  }

  res.evaluations = p.evaluations();
  res.cost_start = 0;
  res.cost = 0;
  for (std::size_t i = 0; i < m; ++i) {
    const Target& t = targets.items[i];
    FittedTarget ft;
    ft.target = &t;
    ft.start = (*start_values)(long(i));
    ft.fitted = (*fitted)(long(i));
    ft.relative_error = (ft.fitted - t.value) / t.value;
    ft.within = within(t, ft.fitted);
    res.cost_start += std::pow(target_residual(t, ft.start), 2);
    res.cost += std::pow(target_residual(t, ft.fitted), 2);
    res.targets.push_back(ft);
  }
  for (std::size_t k = 0; k < n; ++k) {
    const Param& q = p.params()[k];
    FittedParameter fp;
    fp.path = q.decl.path;
    fp.origin = q.decl.origin;
    fp.lower = q.decl.lower;
    fp.upper = q.decl.upper;
    fp.start = q.start;
    fp.start_given = q.start_given;
    fp.value = p.theta(k, u(long(k)));
    fp.shares_entry = q.shares;
    fp.note = q.note;
    fp.bound = bound_side(q.decl, fp.value);
    fp.at_bound = fp.bound != BoundSide::none;
    fp.physical = fp.at_bound && q.decl.physical_bound == bound_side_name(fp.bound);
    fp.source = q.decl.source;
    fp.reason = q.decl.reason;
    double var = 0;
    for (long j = 0; j < s.size(); ++j)
      if (s(j) >= opt.flat_threshold) var += std::pow(V(long(k), j) / s(j), 2);
    if (inert[k]) var = std::numeric_limits<double>::infinity();
    fp.one_tolerance = flat_param[k] ? std::numeric_limits<double>::infinity() : std::sqrt(var) * (fp.upper - fp.lower);
    res.params.push_back(fp);
    if (flat_param[k]) {
      std::string with;
      for (const auto& b : partners[k]) with += (with.empty() ? "" : ", ") + b;
      res.unidentified.push_back(fp.path + ": on a flat direction of the targets" +
                                 (inert[k] ? std::string(" (no target depends on it)")
                                           : with.empty() ? std::string(" (the targets barely move it)")
                                                          : " together with " + with) +
                                 "; the targets do not fix it (start " +
                                 (fp.start_given ? fmt(fp.start, 6) : std::string("mid-range")) + ", fitted " +
                                 fmt(fp.value, 6) + (fp.at_bound ? ", at a bound" : "") + ")");
    } else if (fp.at_bound) {
      res.unidentified.push_back(fp.path + ": at its " + std::string(bound_side_name(fp.bound)) +
                                 " bound; the targets would push it further" +
                                 (fp.physical ? " (a physical bound: " + fp.reason + ")" : std::string()));
    }
  }
  res.overrides = p.overrides(u, false);
  res.fixed = opt.overrides;
  res.held = p.held();
  return res;
}

BoundSide bound_side(const CalibrationParam& p, double value) {
  const double margin = kBoundMargin * (p.upper - p.lower);
  if (value <= p.lower + margin) return BoundSide::lower;
  if (value >= p.upper - margin) return BoundSide::upper;
  return BoundSide::none;
}

std::string_view bound_side_name(BoundSide s) {
  switch (s) {
    case BoundSide::lower: return "lower";
    case BoundSide::upper: return "upper";
    case BoundSide::none: break;
  }
  return "";
}

std::vector<ParameterBound> parameter_bounds(const Scenario& sc) {
  std::vector<ParameterBound> out;
  if (sc.calibrate.empty()) return out;
  const fs::path dir = fs::path(sc.path).parent_path();
  auto src = std::make_shared<schema::SourceFile>(schema::SourceFile{"<resolved " + sc.path + ">", dir});
  schema::ParseBudget trusted;  // our own emission of a tree that was loaded under the limits
  trusted.bytes = std::max(trusted.bytes, sc.resolved_yaml.size());
  YNode tree = schema::parse(sc.resolved_yaml, src, trusted);
  for (const auto& c : sc.calibrate) {
    ParameterBound b;
    b.param = &c;
    try {
      const schema::PathTarget t = schema::resolve_path(tree, scenario_section(), c.path, schema::Source{src, 0, 0});
      if (const YNode* v = t.parent->find(t.name); v && v->is_scalar() && std::isfinite(number_of(*v)))
        b.value = number_of(*v);
    } catch (const ScenarioError&) {
      // The loader resolved every path; a path that no longer does has no value to report.
    }
    if (b.value) {
      b.side = bound_side(c, *b.value);
      b.physical = b.side != BoundSide::none && c.physical_bound == bound_side_name(b.side);
    }
    out.push_back(b);
  }
  return out;
}

// ------------------------------------------------------------------ writing the calibrated file

namespace {

YNode scalar(std::string v) {
  YNode n;
  n.kind = YNode::Kind::scalar;
  n.scalar = std::move(v);
  return n;
}
YNode map_node() {
  YNode n;
  n.kind = YNode::Kind::map;
  return n;
}
YNode& child(YNode& parent, const std::string& key) {
  if (YNode* c = parent.find(key)) return *c;
  return parent.set(key, map_node(), parent.where);
}

/// Writes `value` at `path` into the output tree `out`, copying from the
/// resolved tree `tree` whatever a merge would otherwise lose (lists replace
/// whole, except top-level jurisdictions, which merge by id).
void write_path(YNode& out, const YNode& tree, const std::string& path, const YNode& value) {
  const auto segs = split_path(path);
  YNode* o = &out;
  const YNode* t = &tree;
  for (std::size_t i = 0; i < segs.size(); ++i) {
    std::string name = segs[i], sel;
    if (auto open = name.find('['); open != std::string::npos) {
      sel = name.substr(open + 1, name.size() - open - 2);
      name.resize(open);
    }
    const bool last = i + 1 == segs.size();
    if (last) {
      o->set(name, value, o->where);
      return;
    }
    const YNode* tn = t ? t->find(name) : nullptr;
    if (sel.empty()) {
      o = &child(*o, name);
      t = tn;
      continue;
    }
    // A list item, selected by index or id.
    const YNode* titem = nullptr;
    if (tn && tn->is_sequence()) {
      const auto idx = parse::to_integer(sel);
      if (idx && idx.value >= 0 && std::size_t(idx.value) < tn->items.size()) titem = &tn->items[std::size_t(idx.value)];
      else
        for (const auto& it : tn->items)
          if (const YNode* id = it.find("id"); id && id->scalar == sel) titem = &it;
    }
    if (!titem) throw std::logic_error("calibrated path '" + path + "' does not resolve");
    if (o == &out && name == "jurisdictions") {
      YNode* list = out.find("jurisdictions");
      if (!list) {
        YNode seq;
        seq.kind = YNode::Kind::sequence;
        list = &out.set("jurisdictions", seq, out.where);
      }
      const std::string id = titem->find("id")->scalar;
      YNode* item = nullptr;
      for (auto& it : list->items)
        if (it.find("id")->scalar == id) item = &it;
      if (!item) {
        YNode m = map_node();
        m.set("id", scalar(id), m.where);
        list->items.push_back(m);
        item = &list->items.back();
      }
      o = item;
    } else {
      // Any other list replaces the inherited one: write it whole.
      YNode* list = o->find(name);
      if (!list) list = &o->set(name, *tn, o->where);
      const std::size_t idx = std::size_t(titem - tn->items.data());
      o = &list->items[idx];
    }
    t = titem;
  }
}

std::string upper_case(std::string_view s) {
  std::string u(s);
  for (char& c : u) c = char(std::toupper(static_cast<unsigned char>(c)));
  return u;
}

std::string pct(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.2f%%", 100 * v);
  return buf;
}

}  // namespace

std::string calibrated_scenario_yaml(const CalibrationResult& r, const Targets& targets, const fs::path& out_file) {
  const fs::path original = fs::absolute(r.scenario).lexically_normal();
  const fs::path out_dir = fs::absolute(out_file).lexically_normal().parent_path();
  const std::string rel = fs::relative(original, out_dir).generic_string();
  const Scenario sc = load_scenario(r.scenario);
  auto src = std::make_shared<schema::SourceFile>(schema::SourceFile{"<resolved>", original.parent_path()});
  schema::ParseBudget trusted;  // our own emission of a tree that was loaded under the limits
  trusted.bytes = std::max(trusted.bytes, sc.resolved_yaml.size());
  const YNode tree = schema::parse(sc.resolved_yaml, src, trusted);

  YNode out = map_node();
  out.set("name", scalar(sc.name + " (calibrated)"), out.where);
  // Values inside policies[i] become added policies that re-apply them.
  std::map<long, std::vector<std::pair<std::string, std::string>>> policy_values;
  std::vector<std::string> all = r.fixed;
  all.insert(all.end(), r.overrides.begin(), r.overrides.end());
  auto value_src = std::make_shared<schema::SourceFile>(schema::SourceFile{"<value>", original.parent_path()});
  for (const auto& o : all) {
    const Override kv = parse_override(o);
    const std::string& path = kv.first;
    if (path.rfind("policies[", 0) == 0) {
      const auto close = path.find(']');
      policy_values[policy_index(path, tree)].emplace_back(path.substr(close + 2), kv.second);
    } else {
      write_path(out, tree, path, schema::parse(kv.second, value_src));
    }
  }
  if (!policy_values.empty()) {
    // Policies append in an extending file and apply in file order, so a fitted
    // value inside policies[i] is written by replaying the list from the first
    // fitted policy on: each policy again (fitted where fitted), so whatever
    // followed it in the original still follows it. Arrest biases multiply and
    // commute: only fitted ones are replayed, carrying fitted / original.
    YNode list;
    list.kind = YNode::Kind::sequence;
    const YNode& policies = *tree.find("policies");
    const long first = policy_values.begin()->first;
    for (std::size_t idx = std::size_t(first); idx < policies.items.size(); ++idx) {
      const YNode& orig = policies.items[idx];
      const std::string type = orig.find("type")->scalar;
      const auto fitted = policy_values.find(long(idx));
      if (type == "arrest_bias" && fitted == policy_values.end()) continue;
      if (const YNode* from = orig.find("from"); from && sim::parse_date(from->scalar) > sc.end) continue;  // never applies
      YNode copy = orig;
      // Ids are unique in a scenario: the id keeps naming the original (whose
      // values the replay supersedes); the replay goes without it.
      copy.erase("id");
      if (fitted != policy_values.end())
        for (const auto& [key, value] : fitted->second) {
          std::string v = value;
          if (type == "arrest_bias" && key == "multiplier") {
            const double o = number(orig.find("multiplier")->scalar);
            v = fmt(o > 0 ? number(value) / o : number(value));
          }
          write_path(copy, orig, key, schema::parse(v, value_src));
        }
      list.items.push_back(copy);
    }
    out.set("policies", list, out.where);
  }

  std::ostringstream os;
  const fs::path target_file = fs::absolute(targets.path).lexically_normal();
  os << "# " << out_file.filename().string() << " — written by `scsim calibrate`; re-run it rather than editing.\n"
     << "#\n"
     << "# What it asks: the scenario " << rel << " with its free parameters (its `calibrate:` list)\n"
     << "# fitted to the targets in " << fs::relative(target_file, out_dir).generic_string() << ", by weighted least\n"
     << "# squares on relative errors (one unit = one tolerance; a range figure counts 0 inside\n"
     << "# its interval) with the analytic chain (models/analytic.hpp) and Eigen's\n"
     << "# Levenberg-Marquardt: " << r.status << ",\n"
     << "# " << r.evaluations << " evaluations, cost " << fmt(r.cost_start, 4) << " -> " << fmt(r.cost, 4) << ".\n"
     << "#\n# Targets (observed; fitted, analytic; relative error; kind [interval]):\n";
  for (const auto& t : r.targets)
    os << "#   " << t.target->label() << ": observed " << fmt(t.target->value, 6) << "; fitted " << fmt(t.fitted, 6)
       << "; error " << pct(t.relative_error) << "; " << t.target->interval_text()
       << (t.target->kind == TargetKind::point || t.target->kind == TargetKind::exact
               ? " ±" + fmt(100 * t.target->tolerance, 3) + "%"
               : std::string())
       << (t.within ? "" : "  OUTSIDE") << (t.target->source.empty() ? "" : "  [" + t.target->source + "]") << "\n";
  os << "#\n# Parameters [lower, upper] (declared at): start -> fitted (change moving the targets by one tolerance):\n";
  for (const auto& p : r.params) {
    os << "#   " << p.path << " [" << fmt(p.lower, 6) << ", " << fmt(p.upper, 6) << "] (" << p.origin << "): "
       << (p.start_given ? fmt(p.start, 6) : "mid-range") << " -> " << fmt(p.value, 6) << " ("
       << (std::isfinite(p.one_tolerance) ? "±" + fmt(p.one_tolerance, 2) : std::string("not pinned")) << ")"
       << (p.at_bound ? p.physical ? "  at its physical " + std::string(bound_side_name(p.bound)) + " bound"
                                   : "  AT " + upper_case(bound_side_name(p.bound)) + " BOUND"
                      : std::string())
       << (p.shares_entry ? "  (shares entry: the rest of its map rescaled)" : "") << "\n";
    if (!p.note.empty()) os << "#       " << p.note << "\n";
    if (!p.source.empty()) os << "#       range: " << p.source << "\n";
    if (p.physical) os << "#       physical bound: " << p.reason << "\n";
  }
  if (!r.held.empty()) {
    os << "#   held at the values the scenario writes (not free in this fit):";
    for (const auto& h : r.held) os << " " << h;
    os << "\n";
  }
  os << "#\n# Identifiability: singular values of the target Jacobian (tolerances per full range):";
  for (double s : r.singular_values) os << " " << fmt(s, 3);
  os << "\n";
  if (r.unidentified.empty()) os << "#   every parameter is pinned down by the targets.\n";
  for (const auto& u : r.unidentified) os << "#   NOT PINNED: " << u << "\n";
  os << "extends: " << rel << "\n";
  os << schema::emit(out);
  return os.str();
}

void verify_calibrated_file(const CalibrationResult& r, const Targets& targets, const fs::path& written) {
  const Scenario sc = load_scenario(written);
  AnalyticOptions ao;
  ao.follow_days = 0;
  const AnalyticResult a = analyze(sc, ao);
  for (const auto& t : r.targets) {
    const double v = analytic_value(*t.target, sc, a);
    if (std::abs(v - t.fitted) > 1e-6 * std::max(std::abs(t.fitted), 1.0) + 1e-9)
      throw ScenarioError(written.string(), 0, 0, "",
                          "the written file does not reproduce the fit for " + t.target->label() + " (" + fmt(v, 8) +
                              " instead of " + fmt(t.fitted, 8) +
                              "): a policy parameter cannot be re-applied by an added policy here; set the fitted "
                              "values in the scenario itself");
  }
  (void)targets;
}

}  // namespace scsim
