#include "app/draws.hpp"

#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>

#include "app/output.hpp"

namespace scsim_app {

void add_draws_options(CLI::App* cmd, DrawsArgs& d, const std::string& what) {
  auto* draws = cmd->add_option("--draws", d.draws,
                                "Draw the baseline scenario's `uncertain:` parameters N times and " +
                                    what + " (docs/uncertainty.md)")
                    ->check(CLI::PositiveNumber);
  cmd->add_option("--sampler", d.sampler, "With --draws: lhs (Latin hypercube) or sobol (Sobol points)")
      ->check(CLI::IsMember({"lhs", "sobol"}))
      ->needs(draws)
      ->capture_default_str();
}

scsim::UncertaintyOptions draws_options(const scsim::Scenario& sc, const DrawsArgs& d) {
  scsim::UncertaintyOptions opt;
  opt.draws = d.draws;
  opt.replications = sc.replications;
  opt.seed = sc.seed;
  opt.sampler = scsim::sampling::sampler_from_name(d.sampler);
  opt.sensitivity = scsim::SensitivityMethod::none;
  return opt;
}

scsim::Design draws_design(const scsim::Scenario& sc, const std::vector<std::string>& overrides,
                           const scsim::UncertaintyOptions& opt) {
  try {
    return scsim::make_design(sc, overrides, opt);
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("--draws: ") + e.what());
  } catch (const std::range_error& e) {  // Sobol points of more dimensions than Boost's table holds
    throw UsageError(std::string("--sampler sobol: ") + e.what());
  }
}

std::vector<std::vector<double>> run_draw_tasks(std::size_t tasks, unsigned threads,
                                                const TaskFnFactory& make, const std::string& what) {
  std::vector<std::vector<double>> results(tasks);
  auto last = std::chrono::steady_clock::now();
  const auto t0 = last;
  const FarmStats stats = farm_run(
      tasks, {}, threads, make,
      [&](std::size_t task, std::vector<double>&& values) { results[task] = std::move(values); },
      [&](const FarmProgress& p) {
        const auto now = std::chrono::steady_clock::now();
        if (now - last < std::chrono::seconds(5) && p.done < p.total) return;
        last = now;
        const double secs = std::chrono::duration<double>(now - t0).count();
        spdlog::info("{}: {}/{} tasks ({:.0f}%), {:.1f} tasks/s", what, p.done, p.total,
                     100.0 * double(p.done) / double(std::max<std::size_t>(p.total, 1)),
                     double(p.done) / std::max(secs, 1e-9));
      });
  spdlog::info("{}: {} tasks in {:.2f} s", what, stats.local, stats.seconds);
  return results;
}

std::string draws_description(const scsim::Design& d, const scsim::UncertaintyOptions& opt) {
  return fmt::format("{} draw{} ({}) of {} uncertain parameter{}, {} replication{} each, seed {}",
                     d.draws, d.draws == 1 ? "" : "s", scsim::sampling::sampler_name(opt.sampler),
                     d.params.size(), d.params.size() == 1 ? "" : "s", opt.replications,
                     opt.replications == 1 ? "" : "s", opt.seed);
}

}  // namespace scsim_app
