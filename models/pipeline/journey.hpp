#pragma once
/// One replication of the Secure Communities pipeline: every booking in every
/// jurisdiction, person by person, over calendar time. The journey of one
/// booking (journey.cpp) reads top to bottom like DOMAIN.md §1 and takes every
/// decision from branches.hpp; model.cpp sets a replication up and collects
/// its results.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "models/pipeline/metrics.hpp"
#include "models/scenario/scenario.hpp"
#include "models/pipeline/topology.hpp"

namespace scsim {

/// Result scopes: "national", each jurisdiction, and each state holding two or
/// more jurisdictions. In a national scenario (one jurisdiction per state) the
/// jurisdiction scopes are named by state code ("CA").
struct Scopes {
  std::vector<std::string> names;                 // [0] == "national"
  std::vector<std::size_t> of_jurisdiction;       // jurisdiction -> its scope
  std::vector<std::size_t> of_state;              // jurisdiction -> its state's scope, or npos
  static Scopes build(const Scenario& sc);
  std::size_t size() const { return names.size(); }
  /// Index of a scope by name; npos if absent.
  std::size_t find(std::string_view name) const;
};

/// The month boundaries of a scenario's period.
struct Months {
  std::vector<sim::Time> starts;                  // start of each month (first clipped to period start)
  std::vector<std::string> labels;                // "2008-10"
  sim::Time horizon = 0;
  static Months build(const Scenario& sc);
  std::size_t size() const { return starts.size(); }
  /// Month containing t (clamped). Months start at midnight, so within the
  /// period a table by day answers (the model asks for every booking).
  std::size_t of(sim::Time t) const {
    if (t >= 0 && t < horizon) [[likely]] {
      const auto d = static_cast<std::size_t>(t / sim::kDay);
      if (d < month_of_day.size()) return month_of_day[d];
    }
    return search(t);
  }
  std::vector<std::uint16_t> month_of_day;       // by day of the period: of(day start)
 private:
  std::size_t search(sim::Time t) const;
};

/// Everything one replication measured. Deterministic given (scenario, seed,
/// replication): no wall-clock values in here.
struct ReplicationResult {
  std::size_t replication = 0;
  std::size_t scopes = 0, months = 0;
  std::vector<double> monthly;                    // [(month * scopes + scope) * kMetrics + metric]
  std::vector<std::uint64_t> flows;               // national count per topology edge
  std::uint64_t events = 0;
  std::uint64_t event_digest = 0;                 // sim::EventDigest of the run, if RunOptions::record_events
  double lesc_utilization = 0;

  double at(std::size_t month, std::size_t scope, Metric m) const {
    return monthly[(month * scopes + scope) * kMetrics + static_cast<std::size_t>(m)];
  }
  double total(std::size_t scope, Metric m) const;
};

/// What a trace sees of a person.
struct PersonInfo {
  std::uint64_t id = 0;
  std::size_t jurisdiction = 0;
  Group group{};
  Charge charge{};
  Level level{};
  JailPath path{};
  bool in_ident = false;
  sim::Time booked = 0;
};

/// Receives the steps of journeys (scsim trace). Untraced runs pay one
/// predictable branch per step.
class TraceSink {
 public:
  virtual ~TraceSink() = default;
  /// One step: the person moved from -> to at time t; `what` says what happened and why.
  virtual void step(const PersonInfo& p, sim::Time t, Node from, Node to, const std::string& what) = 0;
  /// The journey ended (or was still in the system at the horizon).
  virtual void finish(const PersonInfo& p, sim::Time t, EndState e) = 0;
  /// Return false to stop the run early (enough journeys collected).
  virtual bool keep_going() const { return true; }
};

struct RunOptions {
  TraceSink* tracer = nullptr;
  /// Called at each simulated month start with (now, horizon).
  std::function<void(sim::Time, sim::Time)> progress;
  /// Fingerprint the kernel's event sequence (time and kind of every event)
  /// into ReplicationResult::event_digest (golden tests). The progress ticker
  /// adds events of its own, so digests compare only runs without progress.
  bool record_events = false;
};

/// Raised when a run breaks an invariant (conservation of bookings).
struct ConservationError : std::logic_error {
  using std::logic_error::logic_error;
};

/// Runs replication `replication` of the scenario (seeded from
/// (scenario.seed, replication)) and checks conservation before returning.
ReplicationResult run_replication(const Scenario& sc, std::size_t replication, const RunOptions& opt = {});

/// Verifies bookings = sum of end states (in_system_at_horizon included) in
/// every scope; throws ConservationError naming the scope and the numbers.
void check_conservation(const ReplicationResult& r, const Scopes& scopes);

}  // namespace scsim
