#pragma once
/// Every decision of the pipeline, declared once (DOMAIN.md §1).
///
/// A decision is a function from who the person is (group, charge, level,
/// jail path), the rules in force on the day it is taken (a RuleSet: the
/// scenario's defaults after every policy in force, models/pipeline/timeline.hpp)
/// and the scenario's parameters, to the probabilities of its outcomes and the
/// durations they take. Three readers use these declarations and nothing else:
///   - the journey (journey.cpp) draws every uniform at booking (common random
///     numbers) and asks the decision which outcome its uniform gives;
///   - the analytic chain (analysis/analytic_*.cpp) integrates the same
///     probabilities over the population and the calendar, evaluating each
///     decision with the rules of the day it is taken;
///   - the stage graph: pipeline_transitions() below is the list of edges
///     (topology.cpp builds the graph from it), each with the decision that
///     takes it and its rule in words (`scsim graph`).
/// A new effect of a policy changes the rule it sets (RuleSet and RulePart,
/// models/scenario/scenario.hpp), the policy's registry entry
/// (models/scenario/policies.cpp) and the one decision here that reads it.
///
/// Probabilities are compared with uniforms in [0, 1) as `u < p`, so p = 0
/// never and p = 1 always happens. Where the journey and the chain compute a
/// probability differently (a threshold against shares), both forms live here
/// side by side, and tests/models/pipeline/test_branches.cpp checks they agree.
#include <algorithm>
#include <vector>

#include "models/pipeline/timeline.hpp"
#include "models/pipeline/topology.hpp"
#include "models/scenario/scenario.hpp"

namespace scsim {

/// The decisions, in the order a journey meets them.
enum class Decision : std::uint8_t {
  booked,           // booking -> iafis: every booking (arrest_effect decides who is booked)
  covered,          // iafis: Secure Communities covers the booking (rollout, rollout order, freeze)
  sharing,          // iafis, awaiting_conviction: the sharing rule forwards the prints to IDENT
  convicted,        // awaiting_conviction: only convictions reach IDENT
  match,            // ident: the prints are in IDENT
  iar,              // lesc: LESC answers every IAQ
  ice_action,       // ice_decision: citizen recognised, detainer, notification request or nothing
  released_first,   // detainer, notification_request: the jail releases before ICE's request arrives
  honored,          // detainer: the jail honours the detainer at release
  met_at_release,   // notification_request: ICE meets the notified release
  picked_up,        // detainer_hold: ICE picks up within the hold
  custody_outcome,  // ice_custody: the outcome of proceedings
  horizon,          // any stage: the run ends first
  follow_up,        // detainer, detainer_hold: ICE follows a failed detainer up with an at-large arrest
  route,            // iafis, ident: a 287(g) officer or CAP finds a booking SC did not identify
};
inline constexpr std::size_t kDecisions = 15;
std::string_view decision_name(Decision d);

/// The pipeline's edges in flows.csv order, each with its decision and rule:
/// the one list Topology::pipeline() is built from.
std::vector<Transition> pipeline_transitions();

/// How ICE's case stands against a person in custody (DOMAIN.md §9).
enum class Status : std::uint8_t {
  citizen,         // never removable: released once citizenship is established
  no_ground,       // lawful, no removable conviction or status violation, none charged: LESC may see it
  not_removable,   // lawful, charged with a removable offence but not convicted (yet)
  removable,       // no status, a status violation, or a removable conviction
  prior_order,     // removable with a prior order ICE can reinstate
};
inline constexpr std::size_t kStatuses = 5;
inline constexpr std::array<std::string_view, kStatuses> kStatusNames{"citizen", "no_ground", "not_removable",
                                                                       "removable", "prior_order"};

// ------------------------------------------------------------ booked

/// An arrest bias m on (group, charge) multiplies the cell's booking rate: a
/// baseline booking is made with probability min(1, m), and extra bookings
/// come at (m - 1)+ times the cell's baseline rate, with the policy's own SC
/// levels if it gives them (else the cell's).
struct ArrestEffect {
  double multiplier = 1;  // on the cell's booking rate
  double keep = 1;        // P(a baseline booking of the cell is made)
  double extra = 0;       // extra bookings per baseline booking of the cell
  const std::optional<PerLevel<double>>* extra_levels = nullptr;  // unset: the cell's levels

  /// Levels of all the cell's bookings: the baseline mix, plus the extra
  /// bookings' mix in proportion (m - 1) / m.
  PerLevel<double> levels(const PerLevel<double>& baseline) const {
    PerLevel<double> lv = baseline;
    if (multiplier > 1 && extra_levels && *extra_levels)
      for (std::size_t l = 0; l < kLevels; ++l) lv[l] = (lv[l] + (multiplier - 1) * (**extra_levels)[l]) / multiplier;
    return lv;
  }
};
inline ArrestEffect arrest_effect(const RuleSet& r, Group g, Charge c) {
  const double m = r.arrest_bias[std::size_t(g)][std::size_t(c)];
  return {m, std::min(1.0, m), std::max(0.0, m - 1.0), &r.bias_levels[std::size_t(g)][std::size_t(c)]};
}

// ------------------------------------------------------------ covered

/// Share of the jurisdiction's bookings covered at t: its rollout, frozen at
/// the coverage a state refusal found (RuleSegment::coverage_cap).
inline double coverage_level(const Rollout& rollout, const RuleSegment& seg, sim::Time t) {
  return std::min(rollout.coverage(t), seg.coverage_cap);
}
/// P(a booking of (g, c) is covered) when a share `level` of all bookings is:
/// where the cell sits in the rollout order (timeline.hpp, RolloutOrder).
inline double p_covered(const RolloutOrder& order, Group g, Charge c, double level) { return order.share(g, c, level); }

// ------------------------------------------------------------ sharing, convicted

/// When IAFIS forwards a covered booking's prints to IDENT.
enum class Sharing : std::uint8_t { never, at_conviction, at_booking };
inline Sharing sharing(const RuleSet& r) {
  return r.no_sharing ? Sharing::never : r.post_conviction_only ? Sharing::at_conviction : Sharing::at_booking;
}
/// Post-conviction-only sharing: the prints go on at conviction unless sharing stopped since.
inline bool shares_at_conviction(const RuleSet& r) { return !r.no_sharing; }
/// Only a conviction of a criminal offense (not an infraction) sends the prints on.
inline bool reaches_conviction(JailPath path, Offense o) { return path == JailPath::convicted && o != Offense::none; }
/// LESC's answer goes to the jail as well as to ICE (local notification).
inline bool notifies_jail(const RuleSet& r) { return !r.no_local_notification; }

// ------------------------------------------------------------ other routes to a detainer

/// Bookings SC does not identify at booking (not covered, not shared, checked
/// only at conviction, or no IDENT record) may still be found by a 287(g)
/// officer (rules of the booking day) or, failing that, by ICE's Criminal Alien
/// Program. They screen foreign-born bookings by interview and foreign-born
/// lists; the interview establishes a naturalised citizen's status, so only
/// non-citizens are found. One uniform drawn at booking decides. The screening
/// takes the time an IAQ would (IAFIS response and analyst time).
inline bool screenable(Group g) { return !is_citizen(g); }
struct RouteScreen {
  double p287g = 0, cap = 0;  // shares of the bookings screened
  /// Route::sc stands for "not found".
  Route draw(double u) const { return u < p287g ? Route::p287g : u < p287g + cap ? Route::cap : Route::sc; }
  double share(Route r) const { return r == Route::p287g ? p287g : r == Route::cap ? cap : 0.0; }
};
inline RouteScreen route_screen(const PipelineParams& pp, const RuleSet& at_booking, Group g) {
  if (!screenable(g)) return {};
  const double a = at_booking.screening_287g;
  return {a, (1 - a) * pp.cap_screening};
}

// ------------------------------------------------------------ match

/// P(the prints are in IDENT): a fact about the person (DHS met them before),
/// drawn at booking; no rule changes it.
inline double p_match(const Population& pop, Group g) { return pop.in_ident[std::size_t(g)]; }

// ------------------------------------------------------------ ICE action

/// The field office's answer to an IAR, by level, under the priorities in
/// force. LESC first recognises a person ICE cannot remove with P(recognised)
/// (one uniform); otherwise a second uniform u gives a detainer if
/// u < P(detainer), a notification request if u < P(detainer) +
/// P(notification), and nothing else.
struct IceAction {
  enum Outcome : std::uint8_t { recognised_citizen, detainer, notification, none };
  double recognised = 0;  // citizens and lawful residents without a ground (p_recognised)
  double p_detainer = 0, p_notification = 0;  // as declared (their sum may pass 1)

  Outcome draw(double u_citizen, double u_decision) const {
    if (u_citizen < recognised) return recognised_citizen;
    if (u_decision < p_detainer) return detainer;
    if (u_decision < p_detainer + p_notification) return notification;
    return none;
  }
  // Shares of the people not recognised:
  double detainer_share() const { return p_detainer; }
  double notification_share() const { return std::max(0.0, std::min(1.0, p_detainer + p_notification) - p_detainer); }
  double none_share() const { return std::max(0.0, 1 - p_detainer - p_notification); }
};
/// P(LESC recognises a person ICE cannot remove): a matched citizen, or a
/// lawful resident with no removable ground in the record, the status or
/// the charge (Status::no_ground); wrong determinations are the rest.
inline double p_recognised(const PipelineParams& pp, Status s) {
  return s == Status::citizen ? pp.lesc_citizen_detection : s == Status::no_ground ? pp.lesc_lawful_screening : 0.0;
}
inline IceAction ice_action(const PipelineParams& pp, const RuleSet& r, Level l, Status s) {
  return {p_recognised(pp, s), r.p_detainer[std::size_t(l)], r.p_notification[std::size_t(l)]};
}

// ------------------------------------------------------------ released first

/// ICE's request (detainer or notification) reaches a jail that has already
/// released the person: the race of the federal delays against the stay.
inline bool released_first(sim::Time request_arrives, sim::Time release) { return request_arrives >= release; }

// ------------------------------------------------------------ honored (and the bail)

/// P(the jail honours a detainer for this level) under the rules of the day it
/// answers. One uniform per person decides every answer (at lodging, where a
/// detainer costs a pretrial booking its bail, and at release), so answers on
/// days with different rules are nested.
inline double p_honor(const RuleSet& r, Level l) {
  return r.honor_level[std::size_t(l)] ? r.honor_share : 0.0;
}
inline bool honors(const RuleSet& r, Level l, double u_honor) { return u_honor < p_honor(r, l); }
/// P(honoured at release) given the answer at lodging (P at_lodging then,
/// P at_release now), the answers nested through one uniform.
inline double p_honor_given_lodging(double at_lodging, double at_release, bool honored_at_lodging) {
  if (honored_at_lodging) return at_lodging > 0 ? std::min(at_lodging, at_release) / at_lodging : 0.0;
  return at_lodging < 1 ? std::max(0.0, at_release - at_lodging) / (1 - at_lodging) : 0.0;
}
/// P(a pretrial booking whose detainer is honoured at lodging loses its bail):
/// custody then lasts until the case is disposed of. Only a release that needs
/// money bail is lost (the jail's financial_release share of its charge class);
/// a release on recognisance or citation goes to the hold, and ICE picks the
/// person up with the case still pending.
inline double p_bail_lost(const PipelineParams& pp, const RuleSet& /*at_lodging*/, const JailStay& stay) {
  return pp.bail_loss_probability * stay.financial_release;
}
inline bool loses_bail(const PipelineParams& pp, const RuleSet& at_lodging, const JailStay& stay, JailPath path,
                       Level l, double u_honor, double u_bail) {
  return path == JailPath::pretrial_release && honors(at_lodging, l, u_honor) &&
         u_bail < p_bail_lost(pp, at_lodging, stay);
}

// ------------------------------------------------------------ picked up within the hold

/// An honoured detainer holds the person max_hold of business time after
/// release (8 CFR 287.7(d): 48 hours without weekends and holidays); ICE comes
/// at all with P(comes), pickup_delay after the release, and picks up only if
/// that fits in the hold. Rules of the release day.
struct PickupInHold {
  double p_comes = 0;
  sim::Duration max_hold = 0;  // business time

  sim::Time hold_end(const sim::Calendar& cal, sim::Time release) const {
    return cal.add_business_time(release, max_hold);
  }
  bool picked(double u_pickup, sim::Time release, sim::Duration delay, sim::Time hold_end) const {
    return u_pickup < p_comes && release + delay <= hold_end;
  }
};
inline PickupInHold pickup_in_hold(const PipelineParams& pp, const RuleSet& r) {
  return {pp.pickup_probability, r.max_hold_business};
}

// ------------------------------------------------------------ met at a notified release

/// P(ICE meets a release it asked to be notified of), rules of the release day.
inline double p_met_at_release(const PipelineParams& pp, const RuleSet& /*at_release*/) {
  return pp.notification_pickup_probability;
}

// ------------------------------------------------------------ ICE's follow-up

/// P(ICE arrests at large, after at_large_delay, a person released on a
/// declined detainer, an expired hold or before the detainer arrived), by the
/// level at identification, under the rules of the day criminal custody ended.
inline double p_at_large(const RuleSet& at_release, Level l) { return at_release.p_at_large[std::size_t(l)]; }

// ------------------------------------------------------------ record, conviction, removability

/// P(record | charge class, SC level at identification, offense of the
/// charge): the records consistent with the level, weighted by the prior-record
/// shares (Population::prior_*). A record is consistent when the record with a
/// conviction on the charge has the level (the level counts "charged with or
/// convicted of", DOMAIN.md §2); when no record is (a level below what the
/// charge alone gives: LESC did not see the charge), the record itself has the
/// level; failing that (zero weights), the smallest record of that level.
struct RecordTable {
  using Weights = std::array<double, Record::kStates>;
  PerCharge<PerLevel<std::array<Weights, kOffenses>>> p{};
  static RecordTable build(const Population& pop);
};

/// What decides a person's status, drawn once (policy-invariant): the record
/// and the offense of the charge, and which of them are grounds.
struct Grounds {
  bool prior = false;    // a removable conviction in the prior record
  bool charged = false;  // a conviction on the charge would be removable
  bool status = false;   // other lawful status: removable on a status violation
  bool order = false;    // a prior removal order
};
/// P(some conviction of the record is a removable one).
double p_removable_record(const PipelineParams& pp, const Record& r);
/// Status with the case convicted (a conviction on the charge) or not.
inline Status status_of(Group g, const Grounds& gr, bool convicted) {
  if (is_citizen(g)) return Status::citizen;
  const bool lawful = g == Group::lpr || g == Group::other_lawful;
  if (lawful) {
    if (gr.prior || (g == Group::other_lawful && gr.status) || (convicted && gr.charged)) return Status::removable;
    return gr.charged ? Status::not_removable : Status::no_ground;
  }
  return gr.order ? Status::prior_order : Status::removable;
}
/// SC level a conviction record gives: the record, plus the case if convicted.
inline Level convicted_level(const Record& r, Offense o, bool convicted) {
  return level_of(convicted ? r.with(o) : r);
}

/// A person's level and status at ICE custody as one class (chain masses).
struct Profile {
  static constexpr std::size_t kCount = kLevels * kStatuses;
  static constexpr std::size_t index(Level l, Status s) { return std::size_t(l) * kStatuses + std::size_t(s); }
  static constexpr Level level(std::size_t i) { return Level(i / kStatuses); }
  static constexpr Status status(std::size_t i) { return Status(i % kStatuses); }
};
using ProfileMix = std::array<double, Profile::kCount>;
/// P(level by convictions, status | group, charge, SC level at identification,
/// convicted) over records, offenses and grounds: the chain's masses.
/// `post_conviction`: the level at identification is that of the record with
/// the conviction (people checked at conviction), and only convictions of a
/// criminal offense are checked; `level` is then that level.
ProfileMix profile_mix(const RecordTable& t, const PipelineParams& pp, const Population& pop, Group g, Charge c,
                       Level level, bool convicted);
/// Post-conviction-only sharing: P(level at identification | group, charge,
/// SC level at booking) for bookings convicted of a criminal offense (index
/// kLevels: the conviction is not a criminal one), and the profile of each.
struct PostConviction {
  std::array<double, kLevels + 1> level{};
  std::array<ProfileMix, kLevels> mix{};  // unnormalised: sums to level[l]
};
PostConviction post_conviction(const RecordTable& t, const PipelineParams& pp, const Population& pop, Group g,
                               Charge c, Level booked_level);

// ------------------------------------------------------------ paths through ICE custody

/// How custody ends (DOMAIN.md §9), by status: citizens and lawful residents
/// without a removable ground are released when that is established; a prior
/// order is reinstated; otherwise release pending proceedings, voluntary
/// return, stipulated removal, or a detained immigration-court case with its
/// outcomes. Paths are consecutive intervals of one uniform (court outcomes
/// a second one), each with its own duration.
enum class CustodyPath : std::uint8_t { terminated, released_pending, voluntary_return, stipulated, reinstated, court };
inline constexpr std::size_t kCustodyPaths = 6;

struct CustodyPlan {
  std::array<double, kCustodyPaths> share{};  // by CustodyPath, sum 1
  std::array<double, 4> court{};              // removed, voluntary_departure, relief, terminated

  CustodyPath draw(double u) const {
    for (std::size_t i = 0; i + 1 < kCustodyPaths; ++i) {
      if (u < share[i]) return CustodyPath(i);
      u -= share[i];
    }
    return CustodyPath::court;
  }
  static constexpr std::array<EndState, 4> kCourtEnds{EndState::removed, EndState::voluntary_departure,
                                                      EndState::relief_granted, EndState::terminated_not_removable};
  static EndState court_end(double u, const std::array<double, 4>& court) {
    for (std::size_t i = 0; i < 3; ++i) {
      if (u < court[i]) return kCourtEnds[i];
      u -= court[i];
    }
    return kCourtEnds[3];
  }
  friend bool operator==(const CustodyPlan&, const CustodyPlan&) = default;
};
inline CustodyPlan custody_plan(const PipelineParams& pp, const RuleSet& /*at_custody*/, Status s) {
  CustodyPlan plan;
  plan.court = pp.court_outcomes;
  if (s == Status::citizen || s == Status::no_ground || s == Status::not_removable) {
    plan.share[std::size_t(CustodyPath::terminated)] = 1;
    return plan;
  }
  const double reinstated = s == Status::prior_order ? pp.reinstatement : 0.0;
  plan.share[std::size_t(CustodyPath::reinstated)] = reinstated;
  plan.share[std::size_t(CustodyPath::released_pending)] = (1 - reinstated) * pp.custody_paths[0];
  plan.share[std::size_t(CustodyPath::voluntary_return)] = (1 - reinstated) * pp.custody_paths[1];
  plan.share[std::size_t(CustodyPath::stipulated)] = (1 - reinstated) * pp.custody_paths[2];
  plan.share[std::size_t(CustodyPath::court)] = (1 - reinstated) * pp.custody_paths[3];
  return plan;
}
/// The end state of a path (the court's from its own uniform).
inline EndState path_end(CustodyPath path, Status s, double u_court, const CustodyPlan& plan) {
  switch (path) {
    case CustodyPath::terminated:
      return s == Status::citizen ? EndState::terminated_citizen : EndState::terminated_not_removable;
    case CustodyPath::released_pending: return EndState::released_on_bond;
    case CustodyPath::voluntary_return: return EndState::voluntary_departure;
    case CustodyPath::stipulated:
    case CustodyPath::reinstated: return EndState::removed;
    case CustodyPath::court: return CustodyPlan::court_end(u_court, plan.court);
  }
  return EndState::removed;
}
/// The duration of each path.
inline const Dist& path_duration(const PipelineParams& pp, CustodyPath path) {
  switch (path) {
    case CustodyPath::terminated: return pp.termination_time;
    case CustodyPath::released_pending: return pp.bond_release_after;
    case CustodyPath::voluntary_return: return pp.voluntary_return_time;
    case CustodyPath::stipulated: return pp.stipulated_time;
    case CustodyPath::reinstated: return pp.reinstatement_time;
    case CustodyPath::court: return pp.ice_detention;
  }
  return pp.ice_detention;
}

// ------------------------------------------------------------ durations

/// The federal side's durations, drawn at booking (in this order) for people
/// whose prints are in IDENT; then the duration of every custody path
/// (path_duration, in CustodyPath order).
struct FederalDelays {
  const Dist& iafis;      // submission -> IDENT match
  const Dist& lesc;       // analyst time per IAQ
  const Dist& decision;   // IAR -> detainer or request lodged
  const Dist& pickup;     // release -> ICE arrives
};
inline FederalDelays federal_delays(const PipelineParams& pp) {
  return {pp.iafis_response, pp.lesc_service, pp.ice_decision_delay, pp.pickup_delay};
}

}  // namespace scsim
