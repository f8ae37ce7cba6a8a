#pragma once
/// The analytic cross-check of the simulator (issue #5): the expected path of
/// a booking, computed from the same scenario, stage graph and decisions
/// (models/pipeline/branches.hpp: each branching probability is declared
/// there once, for the journey to draw from and for this chain to integrate),
/// without drawing a single random number. The engine: analytic_engine.*,
/// analytic_stages.cpp, analytic_kernels.*.
///
/// How it is computed. A booking's branching depends on who it is (group,
/// charge, level, jail path) and on when things happen (rollout coverage and
/// rules at booking; rules and the 48-business-hour calendar at release). So
/// the chain is built as a *mixture over attribute classes* with exact class
/// probabilities from the scenario's shares, on a *daily grid of calendar
/// time*:
///   - bookings of day d are Poisson with that day's rate, so their time of day
///     is uniform; every duration of the scenario (Boost.Math CDFs) is put on a
///     15-minute lattice and turned into a kernel "P(the step lands k days after
///     the booking day)", including the races the journey runs (the federal
///     delays against the remaining jail stay, a lost bail against the stay);
///   - stage arrivals are daily series; a kernel moves a series to the next
///     stage by convolution (FFT), and the rules of the day a step happens on
///     (policy segments, coverage, holidays) are applied to that day's mass.
/// From the expected edge flows the absorbing Markov chain is assembled: Q
/// (transient to transient) and R (transient to end states) are the flow
/// ratios, N = (I - Q)^-1 and B = N R (Eigen). Because every class's flows
/// are summed before the ratios are taken, B's booking row equals the
/// class-mixture end-state shares exactly.
///
/// Approximations, all second order and documented where made:
///   - the rules for the ICE decision (and for honouring at lodging) are those
///     of the ident day rather than of the exact hour the IAR arrives (the
///     federal delays are hours; only bookings within hours of a policy change
///     are affected);
///   - the time of day of a release, a conviction or an ICE custody start is
///     taken as uniform within its day (exact for bookings; for later steps the
///     spread of the stay makes it nearly so); it matters only for holds that
///     start on weekends and days before holidays;
///   - the LESC queue is not modelled (no resource limits): with a busy LESC
///     the simulator's decisions come later than here.
/// The test tests/analysis/test_analytic.cpp measures the agreement with the
/// simulator and shows that a wrong probability is caught.
#include <Eigen/Dense>
#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/pipeline/journey.hpp"
#include "models/scenario/scenario.hpp"
#include "models/pipeline/topology.hpp"

namespace scsim {

struct AnalyticOptions {
  /// Bookings that form the cohort, by booking day (inclusive). Default: every
  /// booking the simulator makes (from the period start to the last booking day).
  std::optional<sim::Date> cohort_from, cohort_until;
  /// Restrict the cohort to these jurisdiction ids (empty: all).
  std::vector<std::string> jurisdictions;
  /// Days after the period end for which journeys are followed so that the
  /// absorption shares are complete (rules and calendar apply day by day; the
  /// little mass left after that follows the last day's rules). 0 is enough for
  /// counts inside the period and makes evaluation faster (calibration).
  int follow_days = 1095;
};

/// The absorbing chain of a booking's path for one cohort.
struct AbsorbingChain {
  /// Transient states: the kStages stages, in Stage order. Absorbing: every
  /// EndState except in_system_at_horizon (an absorbing chain has no horizon).
  static constexpr std::size_t kTransient = kStages;
  static constexpr std::size_t kAbsorbing = kEndStates - 1;
  Eigen::MatrixXd Q;  // kTransient x kTransient, Q(i, j) = P(next stage j | in stage i)
  Eigen::MatrixXd R;  // kTransient x kAbsorbing
  Eigen::MatrixXd N;  // (I - Q)^-1: expected visits of stage j starting from stage i
  Eigen::MatrixXd B;  // N R: P(absorbed in end state e | starting in stage i)
  /// Mean days a visit to each stage lasts (0 for stages nobody reaches).
  Eigen::VectorXd mean_days;
  /// Expected days a booking spends in each stage: N(booking, j) x mean_days(j).
  Eigen::VectorXd expected_days;
};

/// Expected flows of one cohort (and expected daily counts of its events).
struct AnalyticResult {
  Scopes scopes;
  sim::Date start{};
  std::size_t days = 0;                 // days in the period (daily series length)
  double bookings = 0;                  // expected bookings in the cohort
  /// Expected cohort count per topology edge, journeys followed to their end
  /// (edges into in_system_at_horizon carry 0).
  std::vector<double> edge_flow;
  /// P(edge | at its from-stage); 0 out of stages nobody reaches.
  std::vector<double> edge_probability;
  /// Absorption shares (in_system_at_horizon 0; sums to 1).
  std::array<double, kEndStates> end_share{};
  /// Shares as the simulator records them when it stops at the period end:
  /// a journey that ends after the horizon counts as in_system_at_horizon.
  std::array<double, kEndStates> end_share_at_horizon{};
  AbsorbingChain chain;

  /// Metrics with an analytic expectation: the counts of the journey
  /// (bookings ... removals_noncriminal, us_citizens_detained) and the end
  /// states. Day, cost and LESC-wait metrics are not modelled here.
  static bool supports(Metric m);
  /// Expected count of the cohort's events of metric m in scope `scope` on days
  /// [from, to] (inclusive, clipped to the period).
  double count(std::size_t scope, Metric m, sim::Date from, sim::Date to) const;
  /// Same from the period start to the end of `as_of`.
  double cumulative(std::size_t scope, Metric m, sim::Date as_of) const;
  /// Expected count on period day `day` (0 = start).
  double daily(std::size_t scope, Metric m, std::size_t day) const;

  // storage: [(slot * scopes + scope) * days + day]; slot = analytic metric index
  std::vector<double> series;
};

/// Durations-only precomputation (lattices, day kernels, hold kernels) that
/// can be reused while only probabilities, shares and rates change between
/// evaluations (calibration). Opaque; not thread-safe.
class AnalyticCache {
 public:
  AnalyticCache();
  ~AnalyticCache();
  AnalyticCache(const AnalyticCache&) = delete;
  AnalyticCache& operator=(const AnalyticCache&) = delete;
  struct Impl;
  Impl& impl() { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

/// Computes the expected flows of a scenario's cohort. Throws
/// std::invalid_argument for an empty cohort window or an unknown jurisdiction.
AnalyticResult analyze(const Scenario& sc, const AnalyticOptions& opt = {}, AnalyticCache* cache = nullptr);

/// Branching probabilities per edge for labelling the stage graph
/// (`scsim graph`): P(edge | at its from-stage) for the bookings made in
/// jurisdiction `jurisdiction` (its id; "" for all jurisdictions) on the days
/// `from`..`to` inclusive (a single date: from == to), journeys followed to
/// their end. Indexed like Topology::pipeline().transitions(); 0 for edges out
/// of stages no such booking reaches and for edges into in_system_at_horizon.
/// Costs one analytic evaluation (well under a second for a county scenario).
std::vector<double> edge_probabilities(const Scenario& sc, std::string_view jurisdiction, sim::Date from,
                                       sim::Date to);

}  // namespace scsim
