#pragma once
/// What `compare --draws` and `budget --draws` share (docs/uncertainty.md,
/// "What-ifs and budgets"): the --draws and --sampler options, the design of
/// the scenario's `uncertain:` parameters (analysis/uncertainty.hpp) and
/// running the tasks on this process's threads (app/task_farm.hpp), results
/// kept in task order so that the tables do not depend on the thread count.
#include <cstddef>
#include <string>
#include <vector>

#include "analysis/uncertainty.hpp"
#include "app/commands.hpp"
#include "app/task_farm.hpp"

namespace scsim_app {

struct DrawsArgs {
  std::size_t draws = 0;  // 0: no --draws (the command as without uncertainty)
  std::string sampler = "lhs";
};

/// Declares --draws N and --sampler lhs|sobol (which needs --draws) on `cmd`.
void add_draws_options(CLI::App* cmd, DrawsArgs& d, const std::string& what);

/// The options of a plain design for `sc` (its seed and replications, no sensitivity).
scsim::UncertaintyOptions draws_options(const scsim::Scenario& sc, const DrawsArgs& d);

/// make_design, with what it refuses as a UsageError (exit 2).
scsim::Design draws_design(const scsim::Scenario& sc, const std::vector<std::string>& overrides,
                           const scsim::UncertaintyOptions& opt);

/// Runs tasks 0..n-1 on `threads` threads (0: all cores), logging progress as
/// `what`; returns their results in task order. Ctrl-C throws sim::Cancelled.
std::vector<std::vector<double>> run_draw_tasks(std::size_t tasks, unsigned threads,
                                                const TaskFnFactory& make, const std::string& what);

/// "24 draws (lhs) of 3 uncertain parameters, 2 replications each, seed 11".
std::string draws_description(const scsim::Design& d, const scsim::UncertaintyOptions& opt);

}  // namespace scsim_app
