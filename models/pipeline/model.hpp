#pragma once
/// Internal to models/pipeline: one replication of the pipeline as a set of
/// coroutines on one sim::Simulation. model.cpp sets it up and collects the
/// results; journey.cpp books people and follows each booking's journey, which
/// reads top to bottom like DOMAIN.md §1 and takes every decision from
/// branches.hpp, keeping the books as it goes; journey_text.cpp says in words
/// what happened (scsim trace).
#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/pipeline/branches.hpp"
#include "models/pipeline/journey.hpp"
#include "models/pipeline/timeline.hpp"
#include "models/scenario/draw.hpp"
#include "sim/random.hpp"
#include "sim/resource.hpp"
#include "sim/simulation.hpp"

namespace scsim::detail {

inline constexpr double kSecondsPerDay = 86400.0;

/// "27 min", "5.5 hours", "3.2 days" (traces).
std::string hours_text(sim::Duration d);
/// A probability with two decimals (traces).
std::string share_text(double p);

/// The rules in force in one jurisdiction from `from` until the next segment
/// (timeline.hpp), with what arrest biases do to bookings then.
struct Segment : RuleSegment {
  PerGroup<PerCharge<double>> keep;  // P(a baseline booking of (g, c) happens) = min(1, bias)
  double extra_weight = 0;         // extra bookings per baseline booking from biases > 1
  sim::AliasTable extra_mix;       // which (g, c) an extra booking is
  std::vector<std::optional<sim::AliasTable>> extra_level;  // by g * kCharges + c: levels of extra bookings
};

/// One jurisdiction in this replication: everything precomputed about it, and
/// the count of its bookings so far.
struct JurisdictionRun {
  const Jurisdiction* spec;
  std::size_t scope, state_scope;
  double rate_per_second;          // baseline bookings
  std::array<double, 7> dow;       // Mon..Sun, mean 1
  sim::AliasTable group, charge;
  PerCharge<sim::AliasTable> level, path, offense;
  PerCharge<PerLevel<std::array<sim::AliasTable, kOffenses>>> record;  // RecordTable as alias tables
  std::vector<Segment> segments;
  std::optional<Rollout> rollout;
  RolloutOrder order;              // where each group sits in the rollout order
  std::uint64_t next_id = 0;
};

/// A booking, as it lives in its journey's coroutine frame. Every random
/// number the journey may need is drawn at booking from the jurisdiction's
/// person stream, so a policy that changes one person's path never shifts the
/// draws of another (common random numbers across scenarios).
struct Person {
  PersonInfo info;
  double u_activation;        // covered once the share of the group's bookings covered exceeds it
  sim::Time release;          // end of criminal custody without a detainer
  sim::Time conviction = -1;  // when convicted (convicted path only)
  sim::Duration disposition;  // booking -> case disposition (pretrial: not before the release)
  Offense offense = Offense::none;  // what a conviction on the charge counts as (in IDENT or convicted path)
  // Drawn only for people whose prints are in IDENT or who are foreign-born (policy-invariant).
  Record record;              // prior convictions, consistent with the level at booking
  Grounds grounds;            // which of them (and the status, a prior order) make the person removable
  bool case_convicted = false;  // the case ends in a conviction (at `disposition`)
  bool convicted_in_custody = false;  // the case closed with a conviction before ICE custody
  // The federal delays as drawn (models/scenario/draw.hpp): most are never
  // used, so they become seconds only when the journey needs them (Model::d_*).
  double x_iafis = 0, x_lesc = 0, x_decision = 0, x_pickup = 0;
  std::array<double, kCustodyPaths> x_path{};
  double u_citizen = 1, u_decision = 1, u_bail = 1, u_honor = 1, u_pickup = 1, u_outcome = 1, u_court = 1;
  double u_at_large = 1;
  double u_route = 1;             // drawn at booking for foreign-born people: found by 287(g) or CAP
  Route route = Route::sc;        // how ICE came to know of the person
  double x_at_large = 0;
};

/// What the jail does when criminal custody ends under a detainer.
struct HoldAtRelease {
  bool honored = false;
  PickupInHold pickup{};  // under the rules of the release day
  bool picked = false;    // ICE picks up within the hold
  sim::Time ends = 0;     // pick-up, or the end of the hold
};

/// ICE custody: the path, how it ends and after how long.
struct Custody {
  CustodyPath path;
  Status status;
  Level level;  // by convictions at book-in
  EndState outcome;
  sim::Duration held;
};

class Model {
 public:
  Model(const Scenario& sc, std::size_t replication, const RunOptions& opt);
  ReplicationResult run();

 private:
  /// Journeys hold one of these: it proves each ends exactly once.
  struct OpenJourney {
    Model* model;
    std::size_t jurisdiction;
    bool ended = false;
    OpenJourney(Model* m, std::size_t j) : model(m), jurisdiction(j) { ++model->open_[jurisdiction]; }
    OpenJourney(const OpenJourney&) = delete;
    ~OpenJourney() {
      if (ended) return;
      if (!model->tearing_down_) ++model->lost_;  // a journey finished without an end state
    }
  };
  friend struct OpenJourney;

  // --- set-up (model.cpp) ---
  JurisdictionRun setup(const Jurisdiction& jur, std::size_t j);
  static Segment with_arrest_bias(RuleSegment rules, const Population& pop);

  // --- the journey of one booking, DOMAIN.md §1 (journey.cpp) ---
  sim::Process journey(Person p);
  void book(const Person& p);
  Sharing at_iafis(Person& p, bool& ended);
  bool shared_at_conviction(Person& p, bool& ended);
  bool screened(Person& p, Node from);
  const RuleSet& screening_reported(const Person& p);
  void matched(const Person& p);
  const RuleSet& iar_answered(const Person& p, sim::Duration waited);
  void no_ice_action(Person& p, const RuleSet& rules, IceAction::Outcome action, bool& ended);
  bool lodge_detainer(Person& p, const RuleSet& decided_under, bool& ended, sim::Time& at_large);
  sim::Time release_under_detainer(Person& p);
  HoldAtRelease answer_at_release(Person& p, sim::Time release, bool& ended, sim::Time& at_large);
  sim::Time follow_up(Person& p, Node from, EndState e, sim::Time released, sim::Time ends, bool& ended,
                      const std::string& why);
  bool request_notification(Person& p, const RuleSet& decided_under, bool& ended);
  bool met_at_release(Person& p, bool& ended);
  Custody enter_custody(const Person& p, Node from);
  void leave_custody(Person& p, const Custody& c, bool& ended);

  // --- booking people (journey.cpp) ---
  sim::Process arrivals(std::size_t j, bool extra);
  sim::Process progress_ticker();
  Person make_person(std::size_t j, sim::Stream& s, bool extra, const Segment& seg, bool& booked);
  void draw_stay(Person& p, const JailStay& stay, sim::Stream& s) const;
  void draw_federal(Person& p, const JurisdictionRun& local, sim::Stream& s) const;
  // A person's federal delays in seconds (drawn by draw_federal).
  sim::Duration d_iafis(const Person& p) const { return dist_duration(sc_.pipeline.iafis_response, p.x_iafis); }
  sim::Duration d_lesc(const Person& p) const { return dist_duration(sc_.pipeline.lesc_service, p.x_lesc); }
  sim::Duration d_decision(const Person& p) const { return dist_duration(sc_.pipeline.ice_decision_delay, p.x_decision); }
  sim::Duration d_pickup(const Person& p) const { return dist_duration(sc_.pipeline.pickup_delay, p.x_pickup); }
  sim::Duration d_path(const Person& p, CustodyPath path) const {
    return dist_duration(path_duration(sc_.pipeline, path), p.x_path[std::size_t(path)]);
  }
  sim::Duration d_at_large(const Person& p) const { return dist_duration(sc_.pipeline.at_large_delay, p.x_at_large); }
  const Segment& segment_at(const JurisdictionRun& local, sim::Time t) const {
    auto it = std::upper_bound(local.segments.begin(), local.segments.end(), t,
                               [](sim::Time x, const Segment& s) { return x < s.from; });
    return *(it - 1);
  }
  bool covered(const JurisdictionRun& local, const Segment& seg, const Person& p, sim::Time t) const;
  /// SCAAP reimburses jail days of undocumented people with a felony or two
  /// misdemeanours held at least scaap_min_days consecutive days (DOMAIN.md §5).
  bool scaap_eligible(const Person& p, sim::Duration stay) const {
    const bool undocumented = p.info.group == Group::removable_known || p.info.group == Group::removable_unknown;
    const bool serious = p.info.charge == Charge::violent_felony || p.info.charge == Charge::other_felony ||
                         p.info.level == Level::level1 || p.info.level == Level::level2;
    return undocumented && serious && stay >= sc_.costs.scaap_min_days * sim::kDay;
  }

  // --- bookkeeping (journey.cpp; collect: model.cpp) ---
  void add(const Person& p, Metric m, sim::Time t, double v = 1);
  void add_days(const Person& p, Metric m, sim::Time t0, sim::Time t1);
  void move(const Person& p, Node from, Node to, const std::string& what = {});
  /// Records the single end state of a journey, reached at time t; `why`
  /// (traces only) says what decided it, else the edge's description is used.
  void finish(Person& p, Node from, EndState e, sim::Time t, bool& ended, const std::string& why = {});
  ReplicationResult collect(const sim::EventDigest& digest);

  // --- trace text: what happened and why (journey_text.cpp). Untraced runs
  // never build it: explain() calls its argument only when a tracer is set. ---
  template <class F>
  std::string explain(F&& text) const {
    return tracer_ ? std::string(text()) : std::string();
  }
  /// Civil time to the minute (traces line up; seconds add nothing a reader needs).
  std::string when(sim::Time t) const { return cal_.format(t - (t % 60 + 60) % 60); }
  /// The last policy setting `part` of the rules in force in p's jurisdiction
  /// at t (it is the one that decided, policies applying in file order), with
  /// where it was written; `otherwise` if none.
  std::string policy_in_force(const Person& p, sim::Time t, RulePart part, std::string_view otherwise) const;
  /// The days in [from, until) a business-time hold does not count, e.g.
  /// "Sat 2011-05-28, Sun 2011-05-29, Memorial Day (Mon 2011-05-30)"; empty if none.
  std::string days_not_counted(sim::Time from, sim::Time until) const;
  std::string released_text(const Person& p) const;
  std::string booked_text(const Person& p) const;
  std::string not_activated_text(const Person& p, const Segment& seg) const;
  std::string not_shared_text(const Person& p, std::string_view what) const;
  std::string to_ident_text(Node from) const;
  std::string no_match_text(const Person& p) const;
  std::string iar_text(const Person& p, sim::Duration waited, bool notify_jail) const;
  /// The priorities that decided, e.g. "P(detainer)=0.80, ... for level2 under ice_priorities ...".
  std::string priorities_text(const Person& p, const RuleSet& rules) const;
  std::string no_bail_text(const Person& p, double p_lost, sim::Time release) const;
  std::string hold_text(sim::Duration max_hold, sim::Time hold_end) const;
  std::string hold_expired_text(const Person& p, const PickupInHold& pickup) const;
  std::string outcome_text(const Custody& c) const;

  const Scenario& sc_;
  RunOptions opt_;
  TraceSink* tracer_;
  Scopes scopes_;
  Months months_;
  sim::Calendar cal_;
  sim::Time horizon_;
  const Topology& topo_;
  sim::RandomStreams streams_;
  std::vector<JurisdictionRun> jurisdictions_;
  std::vector<sim::Stream> person_streams_, arrival_streams_, extra_person_streams_, extra_arrival_streams_;
  std::vector<double> monthly_;
  std::vector<std::uint64_t> flows_;
  std::vector<std::int64_t> open_;  // journeys started and not yet ended, per jurisdiction
  std::array<std::int64_t, kStages> open_at_{};  // journeys currently in each stage
  std::uint64_t double_finish_ = 0, lost_ = 0;
  std::size_t replication_;
  bool tearing_down_ = false;
  sim::Simulation sim_;  // declared after everything its processes touch: destroyed first
  sim::Resource lesc_;
};

}  // namespace scsim::detail
