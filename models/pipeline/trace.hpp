#pragma once
/// Traced journeys (`scsim trace`, `scsim.trace` in Python): the steps of a
/// few bookings, as a teacher would tell them, chosen by a filter.
///
/// The pipeline reports steps of many people interleaved (journeys are
/// coroutines waiting on each other), so JourneyCollector buffers each
/// person's steps until the pipeline calls finish() and only then decides
/// whether the journey is one the user asked for. Properties known at booking
/// (jurisdiction, group, level, charge, booking date) are checked at the first
/// step, so people who cannot match are never buffered.
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "models/pipeline/journey.hpp"
#include "sim/calendar.hpp"

namespace scsim {

/// One line of a journey.
struct TraceStep {
  sim::Time t = 0;
  Node from, to;
  std::string what;  // what happened and why, from models/pipeline.cpp
};

/// One complete journey: booking to end state (or to the horizon).
struct Journey {
  std::size_t number = 0;  // 1-based, in the order journeys were completed
  PersonInfo person;
  std::vector<TraceStep> steps;
  EndState end{};
  sim::Time end_time = 0;
  /// Did the person visit this node (stage or end state)?
  bool visited(Node n) const;
  /// The detainer hold as [start, end), if the person was held.
  std::optional<std::pair<sim::Time, sim::Time>> hold() const;
};

/// Which journeys to keep: comma-separated terms, all of which must hold
/// ("removed,level3", "held,holiday"); a leading '!' negates a term
/// ("matched,!citizen"). Terms: see JourneyFilter::help().
class JourneyFilter {
 public:
  JourneyFilter() = default;
  /// Throws std::invalid_argument naming the unknown term and listing the known ones.
  static JourneyFilter parse(std::string_view text);
  /// Could a journey of this person pass (terms decidable at booking)?
  bool may_match(const PersonInfo& p) const;
  /// Does the finished journey pass every term?
  bool matches(const Journey& j, const sim::Calendar& cal) const;
  bool empty() const { return terms_.empty(); }
  /// One line per term family, for --help and error messages.
  static std::string help();

  struct Term {
    enum class Kind { visited, end, group, level, charge, citizen, weekend_hold, holiday_hold };
    Kind kind;
    std::size_t index = 0;  // node id, end state, group, level or charge
    bool negate = false;
  };

 private:
  std::vector<Term> terms_;
};

struct TraceOptions {
  std::size_t people = 3;                        // journeys to collect; then the run stops
  JourneyFilter filter;
  std::optional<std::size_t> jurisdiction;       // index into Scenario::jurisdictions
  sim::Time booked_from = std::numeric_limits<sim::Time>::min();  // only people booked at or after this
  /// Journeys followed at once (their steps buffered until they end): a
  /// booking made while this many are open is not followed, which bounds the
  /// memory of a filtered trace (about 2 KiB a journey: 100 MiB at most; the
  /// national baseline has under 40,000 open at once, so it never binds there).
  std::size_t max_open = 50000;
};

/// A TraceSink that keeps the first `people` journeys passing the filter.
class JourneyCollector final : public TraceSink {
 public:
  /// `on_journey` (optional) sees each kept journey as soon as it is complete,
  /// so a command can print while the simulation continues; kept journeys are
  /// then handed over, not stored (journeys() stays empty, kept() counts
  /// them), so a long trace streams in bounded memory. The scenario gives the
  /// calendar for the weekend and holiday terms.
  JourneyCollector(const Scenario& sc, TraceOptions opt, std::function<void(const Journey&)> on_journey = {});

  void step(const PersonInfo& p, sim::Time t, Node from, Node to, const std::string& what) override;
  void finish(const PersonInfo& p, sim::Time t, EndState e) override;
  bool keep_going() const override { return kept_count_ < opt_.people; }

  /// After the run: journeys still open at the horizon end there, in booking
  /// order (unless enough journeys were already kept).
  void close(sim::Time horizon);
  const std::vector<Journey>& journeys() const { return kept_; }
  /// Journeys kept so far (stored or handed to on_journey).
  std::size_t kept() const { return kept_count_; }
  /// Bookings not followed because max_open journeys were open; the most open at once.
  std::size_t skipped() const { return skipped_; }
  std::size_t peak_open() const { return peak_open_; }

 private:
  void complete(Journey&& j);

  TraceOptions opt_;
  std::function<void(const Journey&)> on_journey_;
  sim::Calendar cal_;
  std::unordered_map<std::uint64_t, Journey> open_;
  std::vector<Journey> kept_;
  std::size_t kept_count_ = 0, skipped_ = 0, peak_open_ = 0;
};

/// Runs replication `replication` of `sc` until `opt.people` journeys pass the
/// filter (or the horizon), calling `on_journey` for each as it completes;
/// returns them (none when `on_journey` is given: it had them).
std::vector<Journey> trace_scenario(const Scenario& sc, const TraceOptions& opt, std::size_t replication = 0,
                                    const std::function<void(const Journey&)>& on_journey = {});

/// The index of a jurisdiction by id, state code (national scenarios) or
/// name, case-insensitive; throws std::invalid_argument listing some ids.
std::size_t find_jurisdiction_index(const Scenario& sc, std::string_view key);

/// "los_angeles_ca#1234" (extra bookings from an arrest bias get "+bias").
std::string person_label(const Scenario& sc, const PersonInfo& p);

/// "2011-05-31 Tue 17:00": civil time to the minute, as traces show it
/// (exact seconds are in the JSON's "t").
std::string minute(const sim::Calendar& cal, sim::Time t);

/// Whether the person was booked only because of a local arrest bias.
bool is_arrest_bias_extra(const PersonInfo& p);

}  // namespace scsim
