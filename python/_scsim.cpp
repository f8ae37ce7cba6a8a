// _scsim: the C++ half of the Python package `scsim` (python/scsim/__init__.py
// is the half users read). It hands plain columns (numpy arrays and lists of
// str) to Python, which turns them into pandas DataFrames: no pandas in C++,
// and one place (the Python package) decides how tables look.
//
// Every entry point releases the GIL while simulating, so a notebook stays
// responsive to other threads and several runs can go in parallel; Ctrl-C
// stops a simulation within a fraction of a second (KeyboardInterrupt). No C++
// exception escapes: ScenarioError becomes scsim.ScenarioError (a ValueError
// with file, line, column, key_path and message), std::invalid_argument a
// ValueError, anything else a RuntimeError.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>
#include <tuple>
#include <type_traits>
#include <utility>

#include "analysis/analytic.hpp"
#include "analysis/compare.hpp"
#include "models/costs/costs.hpp"
#include "app/diagram.hpp"
#include "app/scenario_reference.hpp"
#include "app/trace_writer.hpp"
#include "analysis/results.hpp"
#include "analysis/runner.hpp"
#include "analysis/uncertainty.hpp"
#include "models/scenario/loader.hpp"
#include "models/scenario/schema.hpp"
#include "models/pipeline/trace.hpp"
#include "sim/cancel.hpp"

namespace py = pybind11;
using namespace scsim;

namespace {

PyObject* g_scenario_error = nullptr;  // scsim.ScenarioError, owned by the module

/// A loaded scenario, shared so that Python objects outlive nothing they point into.
struct PyScenario {
  std::shared_ptr<const Scenario> sc;
};

py::object to_date(const sim::Date& d) {
  // Not cached in a static: a py::object destroyed after the interpreter is would crash at exit.
  return py::module_::import("datetime").attr("date")(int(d.year()), unsigned(d.month()), unsigned(d.day()));
}

template <class T>
py::array_t<T> array(const std::vector<T>& v) {
  py::array_t<T> a(static_cast<py::ssize_t>(v.size()));
  std::copy(v.begin(), v.end(), a.mutable_data());
  return a;
}

/// A table handed to Python column by column, filled row by row: numeric
/// columns become numpy arrays of their exact type (int32 codes, int64
/// counts, float64 values), string columns lists of str. The Python package
/// turns the dict into a DataFrame, with the columns in the order named here.
///   Columns<std::int32_t, double> t({"scope", "mean"});
///   t.row(s, e.mean);
///   out["summary"] = t.dict();
template <class... Ts>
class Columns {
 public:
  explicit Columns(std::array<const char*, sizeof...(Ts)> names, std::size_t rows = 0) : names_(names) {
    std::apply([rows](auto&... col) { (col.reserve(rows), ...); }, cols_);
  }
  void row(Ts... values) {
    std::apply([&](auto&... col) { (col.push_back(std::move(values)), ...); }, cols_);
  }
  py::dict dict() const {
    py::dict d;
    add(d, std::index_sequence_for<Ts...>{});
    return d;
  }

 private:
  template <std::size_t... I>
  void add(py::dict& d, std::index_sequence<I...>) const {
    ((d[names_[I]] = column(std::get<I>(cols_))), ...);
  }
  template <class T>
  static py::object column(const std::vector<T>& v) {
    if constexpr (std::is_arithmetic_v<T>)
      return array(v);
    else
      return py::cast(v);
  }
  std::array<const char*, sizeof...(Ts)> names_;
  std::tuple<std::vector<Ts>...> cols_;
};

std::vector<std::string> metric_names() {
  std::vector<std::string> v;
  for (std::size_t m = 0; m < kMetrics; ++m) v.push_back(metric_name(m));
  return v;
}

PyScenario load(const std::optional<std::string>& path, const std::optional<std::string>& text,
                const std::string& base_dir, const std::vector<std::string>& overrides) {
  auto sc = std::make_shared<Scenario>();
  {
    py::gil_scoped_release nogil;
    if (path)
      *sc = load_scenario(*path, overrides);
    else
      *sc = load_scenario_text(text.value_or(""), base_dir, overrides);
  }
  return PyScenario{std::move(sc)};
}

/// Runs `work` (C++ only: no Python objects) on a thread of its own while this
/// thread, without the GIL, looks for Python signals every 50 ms (Python runs
/// its signal handlers on the main thread only, through PyErr_CheckSignals).
/// When a handler raises (Ctrl-C: KeyboardInterrupt), the simulation is
/// cancelled (sim/cancel.hpp), stops within milliseconds, and the handler's
/// exception is raised here; an error of the work itself is rethrown.
template <class Fn>
auto interruptible(Fn&& work) -> decltype(work()) {
  using R = decltype(work());
  std::atomic<bool> cancel{false};
  std::optional<R> result;
  std::exception_ptr failure;
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  std::optional<py::error_already_set> signal;
  {
    py::gil_scoped_release nogil;
    std::thread worker([&] {
      sim::CancelScope scope(&cancel);
      try {
        result.emplace(work());
      } catch (...) {
        failure = std::current_exception();
      }
      std::lock_guard lock(mu);
      done = true;
      cv.notify_one();
    });
    std::unique_lock lock(mu);
    while (!cv.wait_for(lock, std::chrono::milliseconds(50), [&] { return done; })) {
      if (signal) continue;
      lock.unlock();
      {
        py::gil_scoped_acquire gil;
        if (PyErr_CheckSignals() != 0) {
          signal.emplace();  // takes the raised exception
          cancel = true;
        }
      }
      lock.lock();
    }
    lock.unlock();
    worker.join();
  }
  if (signal) throw *signal;
  if (failure) std::rethrow_exception(failure);
  return std::move(*result);
}

Scenario with_settings(const PyScenario& s, std::optional<std::size_t> replications, std::optional<std::uint64_t> seed) {
  Scenario sc = *s.sc;
  if (replications) {
    if (*replications == 0) throw std::invalid_argument("replications must be at least 1");
    sc.replications = *replications;
  }
  if (seed) sc.seed = *seed;
  return sc;
}

using Code = std::int32_t;  // an index into the scopes, metrics or months list

/// summary: scope x metric.
py::dict summary_table(const Results& r) {
  Columns<Code, Code, double, double, double, double, std::int64_t> t(
      {"scope", "metric", "mean", "stddev", "ci95_low", "ci95_high", "replications"}, r.scopes.size() * kMetrics);
  for (std::size_t s = 0; s < r.scopes.size(); ++s)
    for (std::size_t m = 0; m < kMetrics; ++m) {
      const auto& e = r.summary[s * kMetrics + m];
      t.row(Code(s), Code(m), e.mean, e.stddev, e.ci95_low, e.ci95_high, std::int64_t(e.n));
    }
  return t.dict();
}

/// monthly: month x scope x metric.
py::dict monthly_table(const Results& r) {
  const std::size_t S = r.scopes.size(), M = r.months.size();
  Columns<Code, Code, Code, double, double, double> t({"month", "scope", "metric", "mean", "ci95_low", "ci95_high"},
                                                      M * S * kMetrics);
  for (std::size_t mo = 0; mo < M; ++mo)
    for (std::size_t s = 0; s < S; ++s)
      for (std::size_t m = 0; m < kMetrics; ++m) {
        const auto& e = r.monthly[(mo * S + s) * kMetrics + m];
        t.row(Code(mo), Code(s), Code(m), e.mean, e.ci95_low, e.ci95_high);
      }
  return t.dict();
}

/// Per replication totals: what paired comparisons and custom intervals need.
py::dict per_replication_table(const Results& r, const std::vector<ReplicationResult>& reps) {
  const std::size_t S = r.scopes.size();
  Columns<std::int64_t, Code, Code, double> t({"replication", "scope", "metric", "value"}, reps.size() * S * kMetrics);
  for (const auto& rr : reps)
    for (std::size_t s = 0; s < S; ++s)
      for (std::size_t m = 0; m < kMetrics; ++m)
        t.row(std::int64_t(rr.replication), Code(s), Code(m), rr.total(s, static_cast<Metric>(m)));
  return t.dict();
}

/// flows: mean count per stage-graph edge, and the branching probability it implies.
py::dict flows_table(const Results& r) {
  const auto& tr = Topology::pipeline().transitions();
  const std::vector<double> probability = branching_from_flows(Topology::pipeline(), r.flows);
  Columns<std::string, std::string, std::string, double, double> t({"from", "to", "why", "mean_count", "probability"},
                                                                   tr.size());
  for (std::size_t e = 0; e < tr.size(); ++e)
    t.row(std::string(tr[e].from.name()), std::string(tr[e].to.name()), std::string(tr[e].why), r.flows[e],
          probability[e]);
  return t.dict();
}

/// costs: the budget statement of every scope over every year the run covers.
py::dict costs_table(const Scenario& sc, const Results& r, const std::vector<ReplicationResult>& reps) {
  Columns<std::string, std::string, std::string, std::string, std::string, std::string, double, double, double> t(
      {"scope", "period", "section", "key", "label", "unit", "mean", "ci95_low", "ci95_high"});
  for (const Period& p : covered_periods(sc))
    for (std::size_t s = 0; s < r.scopes.size(); ++s)
      for (const BudgetLine& b : budget_statement(sc, reps, s, p))
        t.row(r.scopes.names[s], p.label(), b.section, b.key, b.label, b.unit, b.value.mean, b.value.ci95_low,
              b.value.ci95_high);
  return t.dict();
}

py::dict results_dict(const Scenario& sc, const std::vector<ReplicationResult>& reps, double wall) {
  const Results r = summarize(sc, reps);
  py::dict out;
  out["scopes"] = r.scopes.names;
  out["metrics"] = metric_names();
  out["months"] = r.months.labels;
  out["summary"] = summary_table(r);
  out["monthly"] = monthly_table(r);
  out["per_replication"] = per_replication_table(r, reps);
  out["flows"] = flows_table(r);
  out["costs"] = costs_table(sc, r, reps);
  out["replications"] = reps.size();
  out["seed"] = sc.seed;
  out["events_per_replication"] = r.events_per_replication;
  out["lesc_utilization"] = r.lesc_utilization;
  out["wall_seconds"] = wall;
  return out;
}

py::dict run(const PyScenario& s, std::optional<std::size_t> replications, std::optional<std::uint64_t> seed,
             unsigned threads) {
  const Scenario sc = with_settings(s, replications, seed);
  std::vector<ReplicationResult> reps;
  double wall = 0;
  {
    const auto t0 = std::chrono::steady_clock::now();
    reps = interruptible([&] { return run_scenario(sc, sc.replications, threads); });
    wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  return results_dict(sc, reps, wall);
}

/// The baseline and each alternative run with the same seed and replication
/// indices (common random numbers); rows are paired differences alt - base.
py::dict compare(const PyScenario& base, const std::vector<PyScenario>& alts, const std::vector<std::string>& labels,
                 std::optional<std::size_t> replications, std::optional<std::uint64_t> seed, unsigned threads,
                 bool with_results) {
  if (alts.size() != labels.size()) throw std::invalid_argument("one label per alternative scenario");
  const Scenario b = with_settings(base, replications, seed);
  std::vector<ComparisonRow> rows;
  std::vector<Scenario> as;
  std::vector<std::vector<ReplicationResult>> runs;  // kept only when asked for: [base, alt...]
  interruptible([&] {
    for (std::size_t i = 0; i < alts.size(); ++i) {
      // The alternative takes the baseline's seed and replication count: that is what pairs them.
      Scenario a = with_settings(alts[i], b.replications, b.seed);
      check_comparable(b, a, "the baseline", labels[i]);
      as.push_back(std::move(a));
    }
    auto base_reps = run_scenario(b, b.replications, threads);
    for (std::size_t i = 0; i < as.size(); ++i) {
      auto alt_reps = run_scenario(as[i], as[i].replications, threads);
      auto part = compare_runs(b, base_reps, as[i], alt_reps, labels[i]);
      rows.insert(rows.end(), std::make_move_iterator(part.begin()), std::make_move_iterator(part.end()));
      if (with_results) runs.push_back(std::move(alt_reps));
    }
    if (with_results) runs.insert(runs.begin(), std::move(base_reps));
    return true;
  });
  Columns<std::string, std::string, std::string, double, double, double, double, double, double, std::int64_t> t(
      {"alternative", "scope", "metric", "base_mean", "alt_mean", "diff", "diff_ci95_low", "diff_ci95_high",
       "rel_change", "replications"},
      rows.size());
  for (const auto& r : rows)
    t.row(r.alt, r.scope, r.metric, r.base_mean, r.alt_mean, r.diff.mean, r.diff.ci95_low, r.diff.ci95_high,
          r.rel_change, std::int64_t(r.diff.n));
  py::dict out;
  out["rows"] = t.dict();
  out["seed"] = b.seed;
  out["replications"] = b.replications;
  if (with_results) {
    py::list results;
    results.append(results_dict(b, runs[0], 0));
    for (std::size_t i = 0; i < as.size(); ++i) results.append(results_dict(as[i], runs[i + 1], 0));
    out["results"] = results;
  }
  return out;
}

/// `scsim uncertainty` from Python: the design of the scenario's `uncertain:`
/// parameters, every task (draw x replication, seeded by (seed, replication)
/// only) on `threads` threads, results kept in task order (the same numbers
/// for any thread count), and the three tables as columns.
py::dict uncertainty(const std::optional<std::string>& path, const std::optional<std::string>& text,
                     const std::string& base_dir, const std::vector<std::string>& overrides, std::size_t draws,
                     std::optional<std::size_t> replications, const std::string& sampler,
                     const std::string& sensitivity, std::optional<std::uint64_t> seed, std::size_t bootstrap,
                     unsigned threads, const std::string& scope_name) {
  if (draws == 0) throw std::invalid_argument("draws must be at least 1");
  if (replications && *replications == 0) throw std::invalid_argument("replications must be at least 1");
  if (sensitivity != "prcc" && sensitivity != "sobol")
    throw std::invalid_argument("sensitivity must be 'prcc' or 'sobol', not '" + sensitivity + "'");
  if (bootstrap < 10) throw std::invalid_argument("bootstrap must be at least 10");
  const ScenarioLoader loader = [path, text, base_dir](const std::vector<std::string>& o) {
    return path ? load_scenario(*path, o) : load_scenario_text(text.value_or(""), base_dir, o);
  };
  Scenario sc;
  {
    py::gil_scoped_release nogil;
    sc = loader(overrides);
  }
  UncertaintyOptions opt;
  opt.draws = draws;
  opt.replications = replications.value_or(sc.replications);
  opt.seed = seed.value_or(sc.seed);
  opt.sampler = sampling::sampler_from_name(sampler);
  opt.sensitivity = sensitivity == "sobol" ? SensitivityMethod::sobol : SensitivityMethod::prcc;
  opt.bootstrap = bootstrap;
  const Scopes scopes = Scopes::build(sc);
  const std::size_t scope = scopes.find(scope_name);
  if (scope == std::string::npos) throw std::invalid_argument("no scope '" + scope_name + "' in this scenario");
  Design d;
  try {
    d = make_design(sc, overrides, opt);
  } catch (const std::range_error& e) {
    throw std::invalid_argument(std::string("sampler 'sobol': ") + e.what());
  }
  const std::size_t tasks = d.draws * opt.replications;
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  threads = static_cast<unsigned>(std::min<std::size_t>(threads, tasks));
  std::vector<std::vector<double>> results(tasks);
  interruptible([&] {
    const std::atomic<bool>* cancel = sim::cancel_flag();  // the interruptible worker's: Ctrl-C
    std::atomic<std::size_t> next{0};
    std::mutex mu;
    std::size_t failed = tasks;
    std::exception_ptr failure;
    std::atomic<bool> stop{false};
    auto work = [&] {
      sim::CancelScope scope_guard(cancel);
      try {
        TaskRunner runner(loader, overrides, d, opt);
        for (std::size_t t; !stop && (t = next++) < tasks;) {
          try {
            results[t] = runner.run(t);
          } catch (...) {
            std::lock_guard lock(mu);
            if (t < failed) {
              failed = t;
              failure = std::current_exception();
            }
            stop = true;
          }
        }
      } catch (...) {
        std::lock_guard lock(mu);
        if (!failure) failure = std::current_exception();
        stop = true;
      }
    };
    std::vector<std::thread> pool;
    for (unsigned i = 1; i < threads; ++i) pool.emplace_back(work);
    work();
    for (auto& t : pool) t.join();
    if (failure) std::rethrow_exception(failure);
    return true;
  });
  const DrawTable table = draw_table(d.draws, opt.replications, results);
  const auto rows = summarize_uncertainty(d, table);
  const auto sens = sensitivity_rows(d, table, scope, opt);

  Columns<Code, Code, double, double, double, double, double, std::int64_t, std::int64_t> u(
      {"scope", "metric", "mean", "p05", "p50", "p95", "mc_half_width", "draws", "replications"}, rows.size());
  for (const auto& r : rows)
    u.row(Code(r.value / kMetrics), Code(r.value % kMetrics), r.mean, r.p05, r.p50, r.p95, r.mc_half_width,
          std::int64_t(r.draws), std::int64_t(r.replications));
  Columns<Code, Code, std::string, std::string, double, double, double, std::string, std::int64_t> st(
      {"scope", "metric", "parameter", "index", "estimate", "ci95_low", "ci95_high", "method", "draws"},
      sens.size());
  for (const auto& r : sens)
    st.row(Code(r.value / kMetrics), Code(r.value % kMetrics), r.parameter, r.index, r.estimate, r.low, r.high,
           r.method, std::int64_t(r.draws));
  // Draws: the parameter values and every metric of the scope, one row per draw.
  py::dict values, outputs;
  for (std::size_t p = 0; p < d.params.size(); ++p) {
    std::vector<double> col(d.draws);
    for (std::size_t i = 0; i < d.draws; ++i) col[i] = d.value(i, p);
    values[py::str(d.params[p])] = array(col);
  }
  for (std::size_t m = 0; m < kMetrics; ++m) {
    std::vector<double> col(d.draws);
    for (std::size_t i = 0; i < d.draws; ++i) col[i] = table.mean[i * table.values + scope * kMetrics + m];
    outputs[py::str(metric_name(m))] = array(col);
  }
  py::dict out;
  out["scopes"] = scopes.names;
  out["metrics"] = metric_names();
  out["uncertainty"] = u.dict();
  out["sensitivity"] = st.dict();
  out["params"] = d.params;
  out["values"] = values;
  out["outputs"] = outputs;
  out["blocks"] = d.saltelli ? py::cast(d.blocks) : py::none();
  out["fixed"] = d.fixed;
  out["factors"] = d.factors;
  out["draws"] = d.draws;
  out["replications"] = opt.replications;
  out["seed"] = opt.seed;
  out["scope"] = scopes.names[scope];
  return out;
}

py::list trace(const PyScenario& s, std::size_t people, const std::string& filter,
               const std::optional<std::string>& jurisdiction, const std::optional<std::string>& since,
               std::optional<std::uint64_t> seed, std::size_t replication) {
  Scenario sc = with_settings(s, std::nullopt, seed);
  TraceOptions opt;
  if (people == 0) throw std::invalid_argument("people must be at least 1");
  opt.people = people;
  opt.filter = JourneyFilter::parse(filter);
  if (jurisdiction) opt.jurisdiction = find_jurisdiction_index(sc, *jurisdiction);
  if (since) opt.booked_from = sim::Calendar(sc.start).to_time(sim::parse_date(*since));
  std::vector<Journey> journeys;
  journeys = interruptible([&] { return trace_scenario(sc, opt, replication); });
  const sim::Calendar cal(sc.start);
  py::list out;
  for (const Journey& j : journeys) {
    const PersonInfo& p = j.person;
    py::dict d;
    d["journey"] = j.number;
    d["person"] = person_label(sc, p);
    d["jurisdiction"] = sc.jurisdictions.at(p.jurisdiction).id;
    d["group"] = std::string(kGroupNames[static_cast<std::size_t>(p.group)]);
    d["level"] = std::string(kLevelNames[static_cast<std::size_t>(p.level)]);
    d["charge"] = std::string(kChargeNames[static_cast<std::size_t>(p.charge)]);
    d["jail_path"] = std::string(kJailPathNames[static_cast<std::size_t>(p.path)]);
    d["in_ident"] = p.in_ident;
    d["end"] = std::string(kEndStateNames[static_cast<std::size_t>(j.end)]);
    d["end_seconds"] = j.end_time;
    d["end_time"] = minute(cal, j.end_time);
    py::list steps;
    for (const auto& st : j.steps) {
      py::dict x;
      x["seconds"] = st.t;
      x["time"] = minute(cal, st.t);
      x["from"] = std::string(st.from.name());
      x["to"] = std::string(st.to.name());
      x["what"] = st.what;
      steps.append(x);
    }
    d["steps"] = steps;
    std::ostringstream text, json;
    scsim_app::write_journey_text(text, sc, j);
    scsim_app::write_journey_json(json, sc, j);
    d["text"] = text.str();
    d["json"] = json.str();
    out.append(d);
  }
  return out;
}

std::string graph(const std::optional<std::vector<double>>& probability, const std::optional<std::vector<double>>& counts,
                  const std::string& title, const std::string& format) {
  if (format != "dot" && format != "svg") throw std::invalid_argument("format must be 'dot' or 'svg', not '" + format + "'");
  EdgeLabels labels;
  const std::size_t edges = Topology::pipeline().transitions().size();
  for (const auto* v : {&probability, &counts})
    if (*v && (*v)->size() != edges)
      throw std::invalid_argument("edge labels need " + std::to_string(edges) + " values (one per flows row), got " +
                                  std::to_string((*v)->size()));
  if (probability) labels.probability = *probability;
  if (counts) labels.count = *counts;
  std::string dot = pipeline_dot(labels, title);
  if (format == "dot") return dot;
  py::gil_scoped_release nogil;
  return dot_to_svg(dot);
}

/// The scenario's branching probabilities per edge, from the analytic chain.
std::vector<double> edge_probs(const PyScenario& s, const std::optional<std::string>& jurisdiction,
                               const std::optional<std::string>& from, const std::optional<std::string>& to) {
  const Scenario& sc = *s.sc;
  std::string id;
  if (jurisdiction) id = sc.jurisdictions[find_jurisdiction_index(sc, *jurisdiction)].id;
  const sim::Date a = from ? sim::parse_date(*from) : sc.start, b = to ? sim::parse_date(*to) : sc.end;
  py::gil_scoped_release nogil;
  return edge_probabilities(sc, id, a, b);
}

py::dict scenario_info(const PyScenario& s) {
  const Scenario& sc = *s.sc;
  py::dict d;
  d["name"] = sc.name;
  d["description"] = sc.description;
  d["path"] = sc.path;
  d["start"] = to_date(sc.start);
  d["end"] = to_date(sc.end);
  d["seed"] = sc.seed;
  d["replications"] = sc.replications;
  d["volume_scale"] = sc.volume_scale;
  d["national"] = sc.national.has_value();
  py::list js;
  for (const auto& j : sc.jurisdictions) {
    py::dict x;
    x["id"] = j.id;
    x["name"] = j.name;
    x["state"] = j.state;
    x["bookings_per_day"] = j.bookings_per_day;
    x["jail_cost_per_day"] = j.jail_cost_per_day;
    x["jail_cost_year"] = j.jail_cost_year;
    x["activation"] = j.activation ? to_date(*j.activation) : py::none();
    js.append(x);
  }
  d["jurisdictions"] = js;
  py::list ps;
  for (const auto& p : sc.policies) {
    py::dict x;
    x["type"] = p.type;
    x["summary"] = p.summary;
    x["from"] = to_date(p.from);
    x["to"] = p.to ? to_date(*p.to) : py::none();
    x["origin"] = p.origin;
    ps.append(x);
  }
  d["policies"] = ps;
  d["scopes"] = Scopes::build(sc).names;
  d["resolved_yaml"] = sc.resolved_yaml;
  return d;
}

void translate(std::exception_ptr p) {
  try {
    if (p) std::rethrow_exception(p);
  } catch (const ScenarioError& e) {
    py::object type = py::reinterpret_borrow<py::object>(g_scenario_error);
    py::object inst = type(e.what());
    inst.attr("file") = e.file;
    inst.attr("line") = e.line;
    inst.attr("column") = e.column;
    inst.attr("key_path") = e.key_path;
    inst.attr("message") = e.message;
    PyErr_SetObject(g_scenario_error, inst.ptr());
  } catch (const std::invalid_argument& e) {
    PyErr_SetString(PyExc_ValueError, e.what());
  } catch (const std::logic_error& e) {
    // ConservationError and broken model invariants: a bug, not bad input.
    PyErr_SetString(PyExc_RuntimeError, e.what());
  }
  // Everything else falls through to pybind11's translators (RuntimeError,
  // MemoryError, ...): none of them terminates the interpreter.
}

}  // namespace

PYBIND11_MODULE(_scsim, m) {
  m.doc() = "C++ core of the scsim package; use `import scsim`, not this module.";

  g_scenario_error = PyErr_NewExceptionWithDoc(
      "scsim.ScenarioError",
      "A scenario that cannot be used. str(e) is 'FILE:LINE:COL: KEY_PATH: message'; the parts are the attributes "
      "file, line, column, key_path and message.",
      PyExc_ValueError, nullptr);
  if (!g_scenario_error) throw py::error_already_set();
  m.add_object("ScenarioError", py::handle(g_scenario_error));
  py::register_exception_translator(&translate);

  py::class_<PyScenario>(m, "Scenario", "A loaded, validated scenario (see scsim.load).");

  m.def("load", &load, py::arg("path"), py::arg("text"), py::arg("base_dir"), py::arg("overrides"));
  m.def("scenario_info", &scenario_info, py::arg("scenario"));
  m.def("run", &run, py::arg("scenario"), py::arg("replications"), py::arg("seed"), py::arg("threads"));
  m.def("compare", &compare, py::arg("base"), py::arg("alternatives"), py::arg("labels"), py::arg("replications"),
        py::arg("seed"), py::arg("threads"), py::arg("with_results"));
  m.def("uncertainty", &uncertainty, py::arg("path"), py::arg("text"), py::arg("base_dir"), py::arg("overrides"),
        py::arg("draws"), py::arg("replications"), py::arg("sampler"), py::arg("sensitivity"), py::arg("seed"),
        py::arg("bootstrap"), py::arg("threads"), py::arg("scope"));
  m.def("trace", &trace, py::arg("scenario"), py::arg("people"), py::arg("filter"), py::arg("jurisdiction"),
        py::arg("since"), py::arg("seed"), py::arg("replication"));
  m.def("edge_probabilities", &edge_probs, py::arg("scenario"), py::arg("jurisdiction"), py::arg("from_date"),
        py::arg("to_date"));
  m.def("graph", &graph, py::arg("probability"), py::arg("counts"), py::arg("title"), py::arg("format"));
  m.def("scenario_reference", [] { return scsim_app::scenario_reference_markdown(); });
  m.def("filter_help", [] { return JourneyFilter::help(); });
  m.def("edges", [] {
    py::list out;
    for (const auto& t : Topology::pipeline().transitions())
      out.append(py::make_tuple(std::string(t.from.name()), std::string(t.to.name()), std::string(t.why)));
    return out;
  });
}
