// `scsim uncertainty SCENARIO --draws N -o DIR`: draws the scenario's
// `uncertain:` parameters (analysis/uncertainty.hpp), runs R replications of
// each draw with common random numbers, and writes uncertainty.csv (the spread
// of every metric across draws beside its Monte Carlo noise), draws.csv (one
// row per draw) and sensitivity.csv (PRCC, or Sobol indices with
// --sensitivity sobol). Runs on threads and, under mpirun, on every rank
// (app/task_farm.hpp); the outputs are the same bytes either way. With
// --resume, the tasks a killed run recorded in DIR.checkpoint/ are not run
// again (app/checkpoint.hpp).
#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <sstream>

#include "analysis/uncertainty.hpp"
#include "app/checkpoint.hpp"
#include "app/commands.hpp"
#include "app/exit_codes.hpp"
#include "app/format.hpp"
#include "app/mpi_session.hpp"
#include "app/output.hpp"
#include "app/run_record.hpp"
#include "app/task_farm.hpp"
#include "app/uncertainty_report.hpp"
#include "models/scenario/loader.hpp"
#include "sim/cancel.hpp"

namespace scsim_app {

namespace {
using scsim::Metric;

struct UncertaintyArgs {
  std::string scenario;
  std::size_t draws = 0;
  SimulationArgs sim;
  std::string sampler = "lhs";
  std::string sensitivity = "prcc";
  std::size_t bootstrap = 500;
  std::vector<std::string> overrides;
  std::string out;
  bool force = false;
  bool resume = false;
  std::string format = "table";
  std::string scope = "national";
};

constexpr Metric kKey[] = {Metric::detainers_issued,    Metric::detainers_honored,
                           Metric::ice_bookings,        Metric::removals,
                           Metric::extra_jail_bed_days, Metric::net_detainer_cost_usd};

/// Everything every rank builds the same way from the command line.
struct Job {
  scsim::Scenario sc;
  scsim::UncertaintyOptions opt;
  scsim::Design design;
  std::size_t tasks = 0;
  std::uint64_t digest = 0;
};

Job build_job(const UncertaintyArgs& a) {
  Job j;
  j.sc = scsim::load_scenario(a.scenario, a.overrides);
  a.sim.apply(j.sc);
  j.opt.draws = a.draws;
  j.opt.replications = j.sc.replications;
  j.opt.seed = j.sc.seed;
  j.opt.sampler = scsim::sampling::sampler_from_name(a.sampler);
  j.opt.sensitivity =
      a.sensitivity == "sobol" ? scsim::SensitivityMethod::sobol : scsim::SensitivityMethod::prcc;
  j.opt.bootstrap = a.bootstrap;
  try {
    j.design = scsim::make_design(j.sc, a.overrides, j.opt);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  } catch (const std::range_error& e) {  // Sobol points of more dimensions than Boost's table holds
    throw UsageError(std::string("--sampler sobol: ") + e.what());
  }
  j.tasks = j.design.draws * j.opt.replications;
  j.digest = scsim::job_digest(j.sc, j.design, j.opt);
  return j;
}

/// One TaskRunner per thread.
TaskFnFactory task_factory(const UncertaintyArgs& a, const Job& j) {
  return [&a, &j] {
    auto runner = std::make_shared<scsim::TaskRunner>(a.scenario, a.overrides, j.design, j.opt);
    return TaskFn([runner](std::size_t task) { return runner->run(task); });
  };
}

/// Threads per process: all cores alone; one per rank under MPI (a rank per core), unless -t says.
unsigned threads_of(const UncertaintyArgs& a) {
  if (a.sim.threads) return a.sim.threads;
  return mpi::size() > 1 ? 1 : 0;
}

std::string job_description(const UncertaintyArgs& a, const Job& j) {
  std::ostringstream os;
  os << "scsim uncertainty " << a.scenario << "\n"
     << "digest " << fmt::format("{:016x}", j.digest) << "\n"
     << "draws " << j.design.draws << " (" << a.sampler << ", sensitivity " << a.sensitivity
     << ")\n"
     << "replications " << j.opt.replications << ", seed " << j.opt.seed << "\n"
     << "tasks " << j.tasks << "\n";
  for (const auto& o : a.overrides) os << "--set " << o << "\n";
  return os.str();
}

// ---------------------------------------------------------------- outputs

std::string uncertainty_csv(const scsim::Scopes& scopes,
                            const std::vector<scsim::UncertaintyRow>& rows) {
  std::ostringstream csv;
  csv << "scope,metric,mean,p05,p50,p95,mc_half_width,draws,replications\n";
  for (const auto& r : rows)
    csv << csv_field(scopes.names[r.value / scsim::kMetrics]) << ','
        << scsim::metric_name(r.value % scsim::kMetrics) << ',' << csv_num(r.mean) << ','
        << csv_num(r.p05) << ',' << csv_num(r.p50) << ',' << csv_num(r.p95) << ','
        << csv_num(r.mc_half_width) << ',' << r.draws << ',' << r.replications << '\n';
  return csv.str();
}

std::string draws_csv(const scsim::Design& d, const scsim::DrawTable& t,
                      const scsim::Scopes& scopes, std::size_t scope) {
  std::ostringstream csv;
  csv << "draw";
  if (d.saltelli) csv << ",block";
  for (const auto& p : d.params) csv << ',' << csv_field(p);
  csv << ",scope";
  for (Metric m : kKey) csv << ',' << scsim::metric_name(m);
  csv << '\n';
  for (std::size_t i = 0; i < d.draws; ++i) {
    csv << i;
    if (d.saltelli) csv << ',' << csv_field(d.blocks[i]);
    for (std::size_t p = 0; p < d.params.size(); ++p) csv << ',' << csv_num(d.value(i, p));
    csv << ',' << csv_field(scopes.names[scope]);
    for (Metric m : kKey)
      csv << ',' << csv_num(t.mean[i * t.values + scope * scsim::kMetrics + std::size_t(m)]);
    csv << '\n';
  }
  return csv.str();
}

std::string sensitivity_csv(const scsim::Scopes& scopes,
                            const std::vector<scsim::SensitivityRow>& rows) {
  std::ostringstream csv;
  csv << "scope,metric,parameter,index,estimate,ci95_low,ci95_high,method,draws\n";
  for (const auto& r : rows)
    csv << csv_field(scopes.names[r.value / scsim::kMetrics]) << ','
        << scsim::metric_name(r.value % scsim::kMetrics) << ',' << csv_field(r.parameter) << ','
        << r.index << ',' << csv_num(r.estimate) << ',' << csv_num(r.low) << ',' << csv_num(r.high)
        << ',' << r.method << ',' << r.draws << '\n';
  return csv.str();
}

void print_table(std::ostream& os, const UncertaintyArgs& a, const Job& j,
                 const scsim::Scopes& scopes, std::size_t scope,
                 const std::vector<scsim::UncertaintyRow>& rows,
                 const std::vector<scsim::SensitivityRow>& sens) {
  const auto& d = j.design;
  os << "\n  UNCERTAINTY of " << j.sc.name << ", scope " << scopes.names[scope] << ": " << d.draws
     << " draws (" << a.sampler
     << (d.saltelli ? ", Saltelli design of " + std::to_string(d.base) + " base rows"
                    : std::string())
     << ") x " << j.opt.replications << " replication" << (j.opt.replications == 1 ? "" : "s")
     << ", seed " << j.opt.seed << ", " << d.params.size() << " parameter"
     << (d.params.size() == 1 ? "" : "s") << " drawn\n";
  if (!d.fixed.empty()) {
    os << "  fixed by --set:";
    for (const auto& f : d.fixed) os << ' ' << f;
    os << "\n";
  }
  os << "\n  "
     << fmt::format("{:<24}{:>16}{:>16}{:>16}{:>16}{:>16}", "metric", "mean", "5%", "median", "95%",
                    "MC +/- (95%)")
     << "\n";
  for (Metric m : kKey) {
    const auto& r = rows[scope * scsim::kMetrics + std::size_t(m)];
    auto show = [m](double v) {
      return m == Metric::net_detainer_cost_usd ? dollars(v) : grouped_number(v, 0);
    };
    os << "  "
       << fmt::format("{:<24}{:>16}{:>16}{:>16}{:>16}{:>16}", scsim::metric_name(m), show(r.mean),
                      show(r.p05), show(r.p50), show(r.p95), show(r.mc_half_width))
       << "\n";
  }
  // What drives the county's (or the nation's) net cost.
  const std::size_t cost = scope * scsim::kMetrics + std::size_t(Metric::net_detainer_cost_usd);
  std::vector<const scsim::SensitivityRow*> drivers;
  for (const auto& s : sens)
    if (s.value == cost && (s.index == "prcc" || s.index == "total")) drivers.push_back(&s);
  std::stable_sort(drivers.begin(), drivers.end(), [](auto* x, auto* y) {
    const double ax = std::isnan(x->estimate) ? -1 : std::abs(x->estimate),
                 ay = std::isnan(y->estimate) ? -1 : std::abs(y->estimate);
    return ax > ay;
  });
  os << "\n  what drives net_detainer_cost_usd ("
     << (d.saltelli ? "total Sobol index" : "partial rank correlation") << ", 95% interval):\n";
  for (const auto* s : drivers)
    os << "    "
       << fmt::format("{:<56}{:>8}  [{}, {}]", s->parameter, significant(s->estimate, 3),
                      significant(s->low, 3), significant(s->high, 3))
       << "\n";
  os << "\n";
}

// ---------------------------------------------------------------- the command

/// Ranks > 0: wait for rank 0, build the same job, compute what it hands out.
void serve(const UncertaintyArgs& a) {
  const std::uint64_t digest = mpi::wait_for_start();
  Job j;
  try {
    j = build_job(a);
    if (j.digest != digest)
      throw CodedError(ExitCode::bad_input,
                       "error: rank " + std::to_string(mpi::rank()) +
                           " built another job than rank 0 (do the ranks see the same files?)");
  } catch (const mpi::QuietExit&) {
    throw;
  } catch (...) {
    const Outcome o = outcome_of(std::current_exception());
    mpi::worker_failed(static_cast<int>(o.code), o.message);
  }
  farm_serve(threads_of(a), task_factory(a, j));
}

void run_uncertainty(const UncertaintyArgs& a, const Common& common) {
  if (mpi::rank() > 0) return serve(a);
  if (a.draws == 0) throw UsageError("--draws must be at least 1");
  const Job j = build_job(a);
  const scsim::Scopes scopes = scsim::Scopes::build(j.sc);
  const std::size_t scope = scope_index(scopes, a.scope);
  const std::string out_dir = a.out.empty() ? "uncertainty-" + stem_of(a.scenario) : a.out;
  OutputDir out(out_dir, a.force, "uncertainty");
  Checkpoint ck(out_dir, j.digest, job_description(a, j), a.resume, a.force);

  std::vector<std::vector<double>> results(j.tasks);
  std::vector<char> skip(j.tasks, 0);
  std::size_t found = 0;
  for (auto& [task, values] : ck.take_found())
    if (task < j.tasks) {
      results[task] = std::move(values);
      skip[task] = 1;
      ++found;
    }
  if (a.resume) {
    const std::string msg = fmt::format("resuming from {}: {} of {} tasks were done, {} to run",
                                        ck.dir().string(), found, j.tasks, j.tasks - found);
    spdlog::info("{}", msg);
    if (!common.quiet) std::cerr << "scsim uncertainty: " << msg << "\n";
  }
  const int ranks = mpi::size();
  spdlog::info(
      "uncertainty of '{}': {} draws x {} replications = {} tasks, {} parameters, seed {}, {} "
      "rank{}",
      j.sc.name, j.design.draws, j.opt.replications, j.tasks, j.design.params.size(), j.opt.seed,
      ranks, ranks == 1 ? "" : "s");
  for (const auto& f : j.design.fixed) spdlog::info("{} is fixed by --set (not drawn)", f);

  mpi::start_workers(j.digest);
  auto last = std::chrono::steady_clock::now();
  const auto t0 = last;
  FarmStats stats;
  try {
    stats = farm_run(
        j.tasks, skip, threads_of(a), task_factory(a, j),
        [&](std::size_t task, std::vector<double>&& values) {
          ck.append(task, values);
          results[task] = std::move(values);
        },
        [&](const FarmProgress& p) {
          const auto now = std::chrono::steady_clock::now();
          if (now - last < std::chrono::seconds(5) && p.done < p.total) return;
          last = now;
          const double secs = std::chrono::duration<double>(now - t0).count();
          spdlog::info("uncertainty: {}/{} tasks ({:.0f}%), {:.1f} tasks/s, {} on other ranks",
                       p.done, p.total,
                       100.0 * double(p.done) / double(std::max<std::size_t>(p.total, 1)),
                       double(p.done) / std::max(secs, 1e-9), p.remote);
        });
  } catch (const sim::Cancelled&) {
    // The output is not written; the work done is kept for --resume.
    if (ck.held() > 0 && !common.quiet)
      std::cerr << "scsim uncertainty: " << ck.held() << " of " << j.tasks << " tasks are kept in "
                << ck.dir().string() << "; the same command with --resume continues\n";
    throw;
  }
  spdlog::info("{} tasks in {:.2f} s ({:.1f} tasks/s; {} here, {} on other ranks)",
               stats.local + stats.remote, stats.seconds,
               double(stats.local + stats.remote) / std::max(stats.seconds, 1e-9), stats.local,
               stats.remote);
  if (ranks > 1)
    spdlog::info(
        "MPI layer: {:.1f} us per task (main threads of all ranks: probing, packing, sending, "
        "handing out)",
        1e6 * stats.mpi_seconds / double(std::max<std::size_t>(stats.local + stats.remote, 1)));

  const auto table = scsim::draw_table(j.design.draws, j.opt.replications, results);
  const auto rows = scsim::summarize_uncertainty(j.design, table);
  const auto sens = scsim::sensitivity_rows(j.design, table, scope, j.opt);
  const std::string unc = uncertainty_csv(scopes, rows);
  write_file_atomic(out.file("uncertainty.csv"), unc);
  write_file_atomic(out.file("draws.csv"), draws_csv(j.design, table, scopes, scope));
  write_file_atomic(out.file("sensitivity.csv"), sensitivity_csv(scopes, sens));
  write_file_atomic(out.file("scenario.resolved.yaml"), j.sc.resolved_yaml);
  UncertaintyPage page{&j.sc,        &j.design, &table,    &rows,     &sens,
                       scopes.names, scope,     a.sampler, j.opt.seed};
  write_file_atomic(out.file("report.html"), render_uncertainty_report(page));
  out.commit();
  ck.remove();
  spdlog::info("wrote {}", out_dir);
  if (a.format == "csv") {
    std::cout << unc;
  } else {
    print_table(std::cout, a, j, scopes, scope, rows, sens);
    std::cout << "  results written to " << out_dir
              << "/ (uncertainty.csv, draws.csv, sensitivity.csv, report.html)\n";
  }
}

void add_uncertainty_command(CLI::App& app, Common& common) {
  auto a = std::make_shared<UncertaintyArgs>();
  auto* cmd = app.add_subcommand("uncertainty",
                                 "Draw the scenario's uncertain parameters, run each draw, and "
                                 "report the spread and what drives it "
                                 "(runs over MPI ranks under mpirun)");
  cmd->add_option("scenario", a->scenario, "Scenario YAML file with an `uncertain:` list")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--draws", a->draws,
                  "Parameter draws (with --sensitivity sobol: base rows N of a Saltelli design of "
                  "N (k + 2) draws)")
      ->required()
      ->check(CLI::PositiveNumber);
  add_simulation_options(cmd, a->sim, "of every draw (the same seeds for every draw)");
  cmd->add_option("--sampler", a->sampler, "lhs (Latin hypercube) or sobol (Sobol points)")
      ->check(CLI::IsMember({"lhs", "sobol"}))
      ->capture_default_str();
  cmd->add_option("--sensitivity", a->sensitivity,
                  "prcc (partial rank correlations of the draws) or sobol (first-order and total "
                  "Sobol indices from "
                  "a Saltelli design)")
      ->check(CLI::IsMember({"prcc", "sobol"}))
      ->capture_default_str();
  cmd->add_option("--bootstrap", a->bootstrap,
                  "Bootstrap resamples for the Sobol indices' intervals")
      ->check(CLI::Range(std::size_t{10}, std::size_t{100000}))
      ->capture_default_str();
  cmd->add_option("--set", a->overrides,
                  "Override a scenario key, e.g. --set pipeline.lesc_analysts=60; on an uncertain "
                  "path it fixes it");
  add_output_dir_options(cmd, a->out, a->force,
                         "Output directory (default: uncertainty-SCENARIO): uncertainty.csv, "
                         "draws.csv, sensitivity.csv, report.html");
  cmd->add_flag("--resume", a->resume,
                "Continue an interrupted run: tasks recorded in DIR.checkpoint/ are not run again");
  add_format_option(cmd, a->format, {"table", "csv"});
  add_scope_option(cmd, a->scope);
  cmd->callback([a, &common] { run_uncertainty(*a, common); });
}

const bool registered = register_command(17, &add_uncertainty_command);
const bool ranks = mpi::register_rank_command("uncertainty");
}  // namespace

}  // namespace scsim_app
