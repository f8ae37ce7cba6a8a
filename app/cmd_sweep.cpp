// `scsim sweep SCENARIO --set key=v1,v2,v3 [--set ...]`: runs the scenario at
// every point of the grid the --set lists span (their cartesian product) and
// writes one tidy sweep.csv, a column per swept key then
// scope,metric,mean,ci95_low,ci95_high,replications. Every point runs with the
// same seed, so neighbouring points differ by the parameter, not by noise.
// The replications of every point are tasks of one farm (app/task_farm.hpp):
// on threads, and under mpirun on every rank, with the same bytes either way.
#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <iostream>
#include <set>
#include <sstream>

#include "analysis/runner.hpp"
#include "app/commands.hpp"
#include "app/exit_codes.hpp"
#include "app/format.hpp"
#include "app/json.hpp"
#include "app/mpi_session.hpp"
#include "app/output.hpp"
#include "app/run_record.hpp"
#include "app/sqlite_writer.hpp"
#include "app/task_farm.hpp"
#include "models/scenario/loader.hpp"

namespace scsim_app {

namespace {
using scsim::Metric;

struct SweepArgs {
  std::string scenario;
  std::vector<std::string> sets;
  SimulationArgs sim;
  std::string out;
  bool force = false;
  std::string format = "table";
  std::string scope = "national";
};

struct Axis {
  std::string key;
  std::vector<std::string> values;
};

constexpr Metric kShown[] = {Metric::detainers_issued,    Metric::detainers_honored,
                             Metric::ice_bookings,        Metric::removals,
                             Metric::extra_jail_bed_days, Metric::net_detainer_cost_usd};

/// Splits "a,{x: 1, y: 2},[c, d]" at the commas outside brackets and quotes,
/// so flow values (distributions, lists) can be swept too.
std::vector<std::string> split_values(const std::string& s, const std::string& key) {
  std::vector<std::string> out;
  std::string cur;
  int depth = 0;
  char quote = 0;
  for (char c : s) {
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      --depth;
    } else if (c == ',' && depth == 0) {
      out.push_back(cur);
      cur.clear();
      continue;
    }
    cur += c;
  }
  out.push_back(cur);
  if (quote || depth != 0)
    throw UsageError("--set " + key + "=" + s + ": unbalanced brackets or quotes");
  for (auto& v : out) {
    v.erase(0, v.find_first_not_of(" \t"));
    v.erase(v.find_last_not_of(" \t") + 1);
    if (v.empty()) throw UsageError("--set " + key + "=" + s + ": empty value in the list");
  }
  return out;
}

std::vector<Axis> parse_axes(const std::vector<std::string>& sets) {
  std::vector<Axis> axes;
  std::set<std::string> keys;
  for (const auto& s : sets) {
    const std::size_t eq = s.find('=');
    if (eq == std::string::npos || eq == 0)
      throw UsageError(
          "--set '" + s +
          "': expected key=value[,value...], e.g. --set pipeline.lesc_analysts=20,40,60");
    Axis a{s.substr(0, eq), split_values(s.substr(eq + 1), s.substr(0, eq))};
    if (!keys.insert(a.key).second)
      throw UsageError("--set " + a.key + " given twice; list its values in one --set");
    axes.push_back(std::move(a));
  }
  return axes;
}

/// One point of the grid: the value of every axis, and its run.
struct Point {
  std::vector<std::string> values;
  RunRecord rec;
};

/// Loads every point of the grid (the last key varies fastest) before any
/// simulation, so a bad key or value fails at once.
std::vector<Point> load_points(const SweepArgs& a, const std::vector<Axis>& axes) {
  std::size_t count = 1;
  for (const auto& ax : axes) count *= ax.values.size();
  if (count > 10000)
    throw UsageError("the grid has " + std::to_string(count) + " points; sweep at most 10,000");
  std::vector<Point> points;
  for (std::size_t i = 0; i < count; ++i) {
    std::vector<std::string> values, overrides;
    std::size_t rest = i;
    for (std::size_t k = axes.size(); k-- > 0;) {
      values.insert(values.begin(), axes[k].values[rest % axes[k].values.size()]);
      rest /= axes[k].values.size();
    }
    std::string label;
    for (std::size_t k = 0; k < axes.size(); ++k) {
      overrides.push_back(axes[k].key + "=" + values[k]);
      label += (k ? ";" : "") + overrides.back();
    }
    RunRecord rec = load_run(a.scenario, overrides, label);
    a.sim.apply(rec.scenario);
    points.push_back(Point{std::move(values), std::move(rec)});
  }
  return points;
}

/// sweep.csv: a column per axis, then the tidy summary of every scope.
std::string sweep_csv(const std::vector<Axis>& axes, const std::vector<Point>& points) {
  std::ostringstream csv;
  for (const auto& ax : axes) csv << csv_field(ax.key) << ',';
  csv << "scope,metric,mean,ci95_low,ci95_high,replications\n";
  for (const Point& p : points) {
    const scsim::Results& r = p.rec.results;
    std::string prefix;
    for (const auto& v : p.values) prefix += csv_field(v) + ',';
    for (std::size_t s = 0; s < r.scopes.size(); ++s)
      for (std::size_t m = 0; m < scsim::kMetrics; ++m) {
        const auto& e = r.summary[s * scsim::kMetrics + m];
        csv << prefix << csv_field(r.scopes.names[s]) << ',' << scsim::metric_name(m) << ','
            << csv_num(e.mean) << ',' << csv_num(e.ci95_low) << ',' << csv_num(e.ci95_high) << ','
            << r.replications << '\n';
      }
  }
  return csv.str();
}

/// One object per point: the axis values, the scope, then every metric of that scope.
void print_json(std::ostream& os, const std::vector<Axis>& axes, const std::vector<Point>& points,
                const std::string& scope) {
  Json out = Json::array();
  for (const Point& p : points) {
    Json point = Json::object();
    for (std::size_t k = 0; k < axes.size(); ++k) point[axes[k].key] = p.values[k];
    point["scope"] = scope;
    const scsim::Results& r = p.rec.results;
    const std::size_t s = r.scopes.find(scope);
    for (std::size_t m = 0; m < scsim::kMetrics; ++m) {
      const auto& e = r.summary[s * scsim::kMetrics + m];
      point[scsim::metric_name(m)] = {
          {"mean", e.mean}, {"ci95_low", e.ci95_low}, {"ci95_high", e.ci95_high}};
    }
    out.push_back(std::move(point));
  }
  os << json_text(out) << "\n";
}

void print_table(std::ostream& os, const std::vector<Axis>& axes, const std::vector<Point>& points,
                 const std::string& scope) {
  const auto& sc = points.front().rec.scenario;
  os << "\n  SWEEP of " << sc.name << ", scope " << scope << ": " << points.size() << " points, "
     << points.front().rec.reps.size() << " replications each, seed " << sc.seed
     << " at every point\n\n";
  std::vector<std::size_t> width;
  std::string head = "  ";
  for (const auto& ax : axes) {
    std::size_t w = ax.key.size();
    for (const auto& v : ax.values) w = std::max(w, v.size());
    width.push_back(w + 2);
    head += fmt::format("{:<{}}", ax.key, w + 2);
  }
  for (Metric m : kShown) head += fmt::format("{:>24}", scsim::metric_name(m));
  os << head << "\n";
  for (const Point& p : points) {
    std::string line = "  ";
    for (std::size_t k = 0; k < axes.size(); ++k)
      line += fmt::format("{:<{}}", p.values[k], width[k]);
    const auto& r = p.rec.results;
    const std::size_t s = r.scopes.find(scope);
    for (Metric m : kShown) {
      const double v = r.at(s, m).mean;
      line += fmt::format("{:>24}",
                          m == Metric::net_detainer_cost_usd ? dollars(v) : grouped_number(v, 0));
    }
    os << line << "\n";
  }
  os << "\n";
}

// ---- the grid's replications as tasks: task i of point p is its replication i - first[p] ----

/// A replication's result as numbers (64-bit integers as two exact 32-bit halves).
std::vector<double> encode(const scsim::ReplicationResult& r) {
  auto u64 = [](std::vector<double>& v, std::uint64_t x) {
    v.push_back(static_cast<double>(x >> 32));
    v.push_back(static_cast<double>(x & 0xffffffffu));
  };
  std::vector<double> v;
  v.reserve(8 + r.monthly.size() + 2 * r.flows.size());
  u64(v, r.replication);
  u64(v, r.scopes);
  u64(v, r.months);
  u64(v, r.events);
  u64(v, r.event_digest);
  v.push_back(r.lesc_utilization);
  u64(v, r.monthly.size());
  v.insert(v.end(), r.monthly.begin(), r.monthly.end());
  u64(v, r.flows.size());
  for (std::uint64_t f : r.flows) u64(v, f);
  return v;
}

scsim::ReplicationResult decode(const std::vector<double>& v) {
  std::size_t at = 0;
  auto u64 = [&] {
    const auto hi = static_cast<std::uint64_t>(v.at(at)),
               lo = static_cast<std::uint64_t>(v.at(at + 1));
    at += 2;
    return (hi << 32) | lo;
  };
  scsim::ReplicationResult r;
  r.replication = u64();
  r.scopes = u64();
  r.months = u64();
  r.events = u64();
  r.event_digest = u64();
  r.lesc_utilization = v.at(at++);
  const std::size_t n = u64();
  r.monthly.assign(v.begin() + long(at), v.begin() + long(at + n));
  at += n;
  const std::size_t nf = u64();
  for (std::size_t i = 0; i < nf; ++i) r.flows.push_back(u64());
  return r;
}

/// Where each point's tasks start (and, last, how many there are).
std::vector<std::size_t> task_starts(const std::vector<Point>& points) {
  std::vector<std::size_t> first{0};
  for (const Point& p : points) first.push_back(first.back() + p.rec.scenario.replications);
  return first;
}

/// Every point's resolved scenario, seed and replications: ranks with another digest built another
/// grid.
std::uint64_t grid_digest(const std::vector<Point>& points) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  auto mix = [&h](const void* data, std::size_t n) {
    const auto* c = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < n; ++i) h = (h ^ c[i]) * 0x100000001b3ULL;
  };
  for (const Point& p : points) {
    const auto& sc = p.rec.scenario;
    mix(sc.resolved_yaml.data(), sc.resolved_yaml.size());
    const std::uint64_t nums[] = {sc.seed, sc.replications};
    mix(nums, sizeof nums);
  }
  return h;
}

TaskFnFactory sweep_tasks(const std::vector<Point>& points, const std::vector<std::size_t>& first) {
  return [&points, &first] {
    return TaskFn([&points, &first](std::size_t task) {
      const std::size_t p =
          static_cast<std::size_t>(std::upper_bound(first.begin(), first.end(), task) -
                                   first.begin()) -
          1;
      const auto& sc = points[p].rec.scenario;
      return encode(scsim::run_scenario(sc, 1, 1, {}, task - first[p]).front());
    });
  };
}

/// Ranks > 0 under mpirun: build the same grid, compute what rank 0 hands out.
void serve_sweep(const SweepArgs& a, const std::vector<Axis>& axes) {
  const std::uint64_t digest = mpi::wait_for_start();
  std::vector<Point> points;
  std::vector<std::size_t> first;
  try {
    points = load_points(a, axes);
    first = task_starts(points);
    if (grid_digest(points) != digest)
      throw CodedError(ExitCode::bad_input,
                       "error: rank " + std::to_string(mpi::rank()) +
                           " built another grid than rank 0 (do the ranks see the same files?)");
  } catch (...) {
    const Outcome o = outcome_of(std::current_exception());
    mpi::worker_failed(static_cast<int>(o.code), o.message);
  }
  farm_serve(a.sim.threads ? a.sim.threads : 1, sweep_tasks(points, first));
}

void run_sweep(const SweepArgs& a, const Common& common) {
  if (a.sets.empty()) throw UsageError("sweep needs at least one --set key=v1,v2,...");
  const std::vector<Axis> axes = parse_axes(a.sets);
  if (mpi::rank() > 0) return serve_sweep(a, axes);
  std::vector<Point> points = load_points(a, axes);
  if (points.front().rec.scenario.seed != points.back().rec.scenario.seed)
    spdlog::warn("the swept keys change the seed: points no longer share random numbers");
  scope_index(scsim::Scopes::build(points.front().rec.scenario),
              a.scope);  // a bad --scope fails before the run

  const std::string out_dir = a.out.empty() ? "sweep-" + stem_of(a.scenario) : a.out;
  OutputDir out(out_dir, a.force, "sweep");
  const std::vector<std::size_t> first = task_starts(points);
  std::vector<std::vector<double>> results(first.back());
  mpi::start_workers(grid_digest(points));
  spdlog::info("sweep of '{}': {} points, {} replications in all, {} rank{}",
               points.front().rec.scenario.name, points.size(), first.back(), mpi::size(),
               mpi::size() == 1 ? "" : "s");
  auto last = std::chrono::steady_clock::now();
  const FarmStats stats = farm_run(
      first.back(), {}, a.sim.threads ? a.sim.threads : (mpi::size() > 1 ? 1 : 0),
      sweep_tasks(points, first),
      [&](std::size_t task, std::vector<double>&& values) { results[task] = std::move(values); },
      [&](const FarmProgress& p) {
        if (std::chrono::steady_clock::now() - last < std::chrono::seconds(5) && p.done < p.total)
          return;
        last = std::chrono::steady_clock::now();
        spdlog::info("sweep: {}/{} replications, {} on other ranks", p.done, p.total, p.remote);
      });
  spdlog::info("{} replications in {:.2f} s ({} here, {} on other ranks)",
               stats.local + stats.remote, stats.seconds, stats.local, stats.remote);
  for (std::size_t i = 0; i < points.size(); ++i) {
    RunRecord& rec = points[i].rec;
    rec.reps.clear();
    for (std::size_t t = first[i]; t < first[i + 1]; ++t) {
      rec.reps.push_back(decode(results[t]));
      std::vector<double>().swap(results[t]);  // a national replication's months are megabytes
    }
    rec.results = scsim::summarize(rec.scenario, rec.reps);
  }
  (void)common;

  const std::string csv = sweep_csv(axes, points);
  if (a.format == "csv")
    std::cout << csv;
  else if (a.format == "json")
    print_json(std::cout, axes, points, a.scope);
  else
    print_table(std::cout, axes, points, a.scope);

  write_file_atomic(out.file("sweep.csv"), csv);
  SqliteWriter db(out.file("results.sqlite"));
  for (const Point& p : points) {
    const std::int64_t id = db.add_run(p.rec);
    for (std::size_t k = 0; k < axes.size(); ++k) db.add_sweep_point(id, axes[k].key, p.values[k]);
  }
  db.commit();
  out.commit();
  spdlog::info("wrote {}", out_dir);
  if (a.format == "table")
    std::cout << "  results written to " << out_dir << "/ (sweep.csv, results.sqlite)\n";
}

void add_sweep_command(CLI::App& app, Common& common) {
  auto a = std::make_shared<SweepArgs>();
  auto* cmd =
      app.add_subcommand("sweep", "Run a scenario over a grid of parameter values (one tidy CSV)");
  cmd->add_option("scenario", a->scenario, "Scenario YAML file")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--set", a->sets,
                  "A swept key and its values, e.g. --set detainers.share_honored=0.2,0.5,1 "
                  "(repeat for a grid)")
      ->allow_extra_args(false)
      ->required();
  add_simulation_options(cmd, a->sim, "of every point");
  add_output_dir_options(cmd, a->out, a->force, "Output directory (default: sweep-SCENARIO)");
  add_format_option(cmd, a->format, {"table", "csv", "json"});
  add_scope_option(cmd, a->scope);
  cmd->callback([a, &common] { run_sweep(*a, common); });
}

const bool registered = register_command(16, &add_sweep_command);
const bool ranks = mpi::register_rank_command("sweep");
}  // namespace

}  // namespace scsim_app
