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
};
inline constexpr std::size_t kDecisions = 13;
std::string_view decision_name(Decision d);

/// The pipeline's edges in flows.csv order, each with its decision and rule:
/// the one list Topology::pipeline() is built from.
std::vector<Transition> pipeline_transitions();

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
inline bool reaches_conviction(JailPath path) { return path == JailPath::convicted; }
/// LESC's answer goes to the jail as well as to ICE (local notification).
inline bool notifies_jail(const RuleSet& r) { return !r.no_local_notification; }

// ------------------------------------------------------------ match

/// P(the prints are in IDENT): a fact about the person (DHS met them before),
/// drawn at booking; no rule changes it.
inline double p_match(const Population& pop, Group g) { return pop.in_ident[std::size_t(g)]; }

// ------------------------------------------------------------ ICE action

/// The field office's answer to an IAR, by level, under the priorities in
/// force. LESC first recognises a matched US citizen with P(recognised)
/// (one uniform); otherwise a second uniform u gives a detainer if
/// u < P(detainer), a notification request if u < P(detainer) +
/// P(notification), and nothing else.
struct IceAction {
  enum Outcome : std::uint8_t { recognised_citizen, detainer, notification, none };
  double recognised = 0;  // citizens only
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
inline IceAction ice_action(const PipelineParams& pp, const RuleSet& r, Level l, bool citizen) {
  return {citizen ? pp.lesc_citizen_detection : 0.0, r.p_detainer[std::size_t(l)], r.p_notification[std::size_t(l)]};
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
/// custody then lasts until the case is disposed of.
inline double p_bail_lost(const PipelineParams& pp, const RuleSet& /*at_lodging*/) { return pp.bail_loss_probability; }
inline bool loses_bail(const PipelineParams& pp, const RuleSet& at_lodging, JailPath path, Level l, double u_honor,
                       double u_bail) {
  return path == JailPath::pretrial_release && honors(at_lodging, l, u_honor) && u_bail < p_bail_lost(pp, at_lodging);
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

// ------------------------------------------------------------ outcome in ICE custody

/// The outcome of proceedings, rules of the day custody starts. One uniform u:
/// a citizen is found and released as a citizen if u < P(terminated); then
/// removal, voluntary departure and relief take consecutive intervals of
/// their shares and release on bond the rest.
struct CustodyOutcome {
  double terminated = 0;  // citizens only
  double removed = 0, voluntary = 0, relief = 0;

  EndState draw(double u) const {
    if (u < terminated) return EndState::terminated_citizen;
    if (u < removed) return EndState::removed;
    if ((u -= removed) < voluntary) return EndState::voluntary_departure;
    if ((u -= voluntary) < relief) return EndState::relief_granted;
    return EndState::released_on_bond;
  }
  /// P(removed), P(voluntary departure), P(relief), P(bond): the intervals of
  /// u above with the citizen's termination interval cut out.
  std::array<double, 4> shares() const {
    const std::array<double, 5> bounds{0.0, removed, removed + voluntary, removed + voluntary + relief, 1.0};
    std::array<double, 4> s{};
    for (std::size_t o = 0; o < 4; ++o)
      s[o] = std::max(0.0, std::min(bounds[o + 1], 1.0) - std::max(bounds[o], terminated));
    return s;
  }
  double terminated_share() const { return std::min(1.0, terminated); }
  friend bool operator==(const CustodyOutcome&, const CustodyOutcome&) = default;
  static constexpr std::array<EndState, 4> kOutcomes{EndState::removed, EndState::voluntary_departure,
                                                     EndState::relief_granted, EndState::released_on_bond};
};
inline CustodyOutcome custody_outcome(const PipelineParams& pp, const RuleSet& /*at_custody*/, bool citizen) {
  return {citizen ? pp.citizen_termination : 0.0, pp.p_removed, pp.p_voluntary_departure, pp.p_relief};
}

// ------------------------------------------------------------ durations

/// The federal side's durations, drawn at booking (in this order) for people
/// whose prints are in IDENT. Release on bond ends custody after `bond`, every
/// other outcome after `detention`.
struct FederalDelays {
  const Dist& iafis;      // submission -> IDENT match
  const Dist& lesc;       // analyst time per IAQ
  const Dist& decision;   // IAR -> detainer or request lodged
  const Dist& pickup;     // release -> ICE arrives
  const Dist& detention;  // ICE custody -> outcome
  const Dist& bond;       // ICE custody -> release on bond
};
inline FederalDelays federal_delays(const PipelineParams& pp) {
  return {pp.iafis_response, pp.lesc_service, pp.ice_decision_delay, pp.pickup_delay, pp.ice_detention,
          pp.bond_release_after};
}

}  // namespace scsim
