#pragma once
/// Parameter uncertainty (docs/uncertainty.md): draws of a scenario's
/// `uncertain:` parameters (models/scenario/uncertain.hpp), R replications of
/// each with common random numbers, the spread of every metric across draws
/// and which parameters drive it.
///
/// The work is a list of tasks, task = draw x R + replication: each loads the
/// scenario with its draw's values as overrides (any declared numeric key,
/// like calibration) and runs one replication, seeded by (seed, replication)
/// only, so replication r of every draw sees the same random numbers and the
/// draws differ by their parameters, not by noise. A task's result is its
/// totals per scope and metric; everything else is computed from the results
/// in task order, so the numbers do not depend on which thread, process or
/// MPI rank ran which task, nor on the order they finished.
///
/// Designs:
///  - plain (sensitivity by PRCC): N draws of the factors by Latin hypercube
///    or Sobol points;
///  - Saltelli (sensitivity by Sobol indices): two base matrices A and B of N
///    rows (the first and last k columns of a 2k-dimensional design) and, per
///    factor i, A with column i taken from B: N (k + 2) draws.
/// A factor is one uncertain entry: a distribution, or an ensemble (its
/// columns drawn together as one row of the file).
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "analysis/sampling.hpp"
#include "models/pipeline/journey.hpp"
#include "models/scenario/scenario.hpp"

namespace scsim {

/// none: a plain design and no sensitivity table (compare --draws, budget --draws).
enum class SensitivityMethod { prcc, sobol, none };

struct UncertaintyOptions {
  std::size_t draws = 0;         // N: plain draws, or the base rows of a Saltelli design
  std::size_t replications = 1;  // R per draw
  sampling::Sampler sampler = sampling::Sampler::lhs;
  SensitivityMethod sensitivity = SensitivityMethod::prcc;
  std::uint64_t seed = 1;       // simulation seed of every draw, and the design's
  std::size_t bootstrap = 500;  // resamples for the Sobol indices' intervals
};

struct Design {
  std::vector<std::string> params;   // parameter paths: the value columns of draws.csv
  std::vector<std::string> factors;  // factor names: a path, or "ensemble:FILE"
  std::vector<std::vector<std::size_t>> factor_params;  // the params each factor sets
  std::vector<std::string> fixed;                       // uncertain paths a --set fixes (not drawn)
  bool saltelli = false;
  std::size_t base = 0;             // N
  std::size_t draws = 0;            // rows: N, or N (k + 2)
  std::vector<double> values;       // [draw * params.size() + param]
  std::vector<std::string> blocks;  // per draw: "" (plain), "A", "B", "AB:<factor>"

  double value(std::size_t draw, std::size_t param) const {
    return values[draw * params.size() + param];
  }
  /// "path=value" for every parameter of the draw (values written to round-trip exactly).
  std::vector<std::string> overrides(std::size_t draw) const;
  /// The draws that sample the distributions (plain: all; Saltelli: A and B).
  std::vector<std::size_t> sample_draws() const;
};

/// The design for `sc` (loaded with `set_overrides`, whose keys are fixed).
/// Throws std::invalid_argument when there is nothing to draw or the options
/// do not fit (no draws, too few for the method).
Design make_design(const Scenario& sc, const std::vector<std::string>& set_overrides,
                   const UncertaintyOptions& opt);

/// A 64-bit digest of the job (scenario as resolved, design values,
/// replications, seed): a checkpoint or an MPI rank with another digest
/// belongs to another job.
std::uint64_t job_digest(const Scenario& sc, const Design& d, const UncertaintyOptions& opt);

/// Loads the scenario of a draw from its overrides (the --set ones, then the draw's).
using ScenarioLoader = std::function<Scenario(const std::vector<std::string>& overrides)>;

/// Runs tasks; one per thread (it keeps the scenario of its last draw loaded).
class TaskRunner {
 public:
  TaskRunner(std::filesystem::path scenario, std::vector<std::string> set_overrides,
             const Design& design, const UncertaintyOptions& opt);
  /// The same with another way to load the scenario (YAML text from Python; an
  /// alternative scenario run on the baseline's draws). The design's paths must
  /// resolve in what `load` gives.
  TaskRunner(ScenarioLoader load, std::vector<std::string> set_overrides, const Design& design,
             const UncertaintyOptions& opt);
  /// The task's totals, [scope * kMetrics + metric]. Honours the calling thread's cancel flag.
  std::vector<double> run(std::size_t task);
  /// The task's replication itself (for tables other than totals, e.g. a budget statement).
  ReplicationResult run_replication(std::size_t task);
  /// The scenario of the last task's draw (its values: prices, probabilities).
  const Scenario& scenario() const { return *sc_; }

 private:
  ScenarioLoader load_;
  std::vector<std::string> set_overrides_;
  const Design& design_;
  UncertaintyOptions opt_;
  std::optional<Scenario> sc_;
  std::size_t loaded_ = static_cast<std::size_t>(-1);
};

/// What the draws gave, per draw and value (scope x metric).
struct DrawTable {
  std::size_t draws = 0, replications = 0, values = 0;
  std::vector<double> mean;      // [draw * values + v]: mean over the replications
  std::vector<double> variance;  // [draw * values + v]: sample variance over them (0 when R = 1)
};
/// From the task results in task order ([draw * R + r][value]).
DrawTable draw_table(std::size_t draws, std::size_t replications,
                     const std::vector<std::vector<double>>& tasks);

struct UncertaintyRow {
  std::size_t value = 0;  // scope * kMetrics + metric
  double mean = 0, p05 = 0, p50 = 0, p95 = 0;
  double mc_half_width =
      0;  // Student-t 95 % half-width of one draw's mean (pooled over draws); NaN if R = 1
  std::size_t draws = 0, replications = 0;
};
/// One row per value, over the sample draws.
std::vector<UncertaintyRow> summarize_uncertainty(const Design& d, const DrawTable& t);

/// What-ifs under uncertainty (compare --draws): task by task, alt - base. Both
/// ran the same design with the same seeds, so task i of each is draw i x
/// replication r with the same random numbers: a paired difference. Its
/// draw_table() and summarize_uncertainty() give the distribution of the
/// difference over the draws (mean, p05, p50, p95) and, as mc_half_width, the
/// Monte Carlo noise of one draw's paired difference. Throws
/// std::invalid_argument when the shapes differ.
std::vector<std::vector<double>> paired_differences(const std::vector<std::vector<double>>& base,
                                                    const std::vector<std::vector<double>>& alt);

/// Throws std::invalid_argument unless `alt` can run on the draws of `base`'s
/// design: `alt` declares no `uncertain:` list or exactly `base`'s (same
/// entries in the same order: paths, distributions and their parameters,
/// ensemble rows; sources aside), and `alt` writes the same value as `base`
/// for every drawn path (a draw overwrites it, so a what-if that changed it
/// would be erased). The message names the labels and the first difference.
void check_draws_apply(const Scenario& base, const Scenario& alt, const Design& d,
                       const std::string& base_label, const std::string& alt_label);

struct SensitivityRow {
  std::size_t value = 0;                   // scope * kMetrics + metric
  std::string parameter;                   // a path (PRCC) or a factor (Sobol)
  std::string index;                       // prcc | first_order | total
  double estimate = 0, low = 0, high = 0;  // NaN when undefined (the metric does not vary)
  std::string method;  // prcc_fisher_z | saltelli2010_bootstrap | jansen1999_bootstrap
  std::size_t draws = 0;
};
/// Sensitivity of the values of scope `scope` (all metrics) to the parameters.
std::vector<SensitivityRow> sensitivity_rows(const Design& d, const DrawTable& t, std::size_t scope,
                                             const UncertaintyOptions& opt);

}  // namespace scsim
