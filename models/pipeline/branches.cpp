#include "models/pipeline/branches.hpp"

namespace scsim {

std::string_view decision_name(Decision d) {
  constexpr std::array<std::string_view, kDecisions> names{
      "booked",         "covered",   "sharing",         "convicted", "match",   "iar",   "ice_action",
      "released_first", "honored",   "met_at_release",  "picked_up", "custody_outcome", "horizon"};
  return names[static_cast<std::size_t>(d)];
}

std::vector<Transition> pipeline_transitions() {
  using S = Stage;
  using E = EndState;
  using D = Decision;
  constexpr auto st = [](S s) { return Node::stage(s); };
  constexpr auto en = [](E e) { return Node::end(e); };
  // Order is the flows.csv order: append, never reorder.
  std::vector<Transition> t{
      {st(S::booking), st(S::iafis), "prints sent to the SIB and on to FBI IAFIS", D::booked, "every booking"},
      {st(S::iafis), st(S::ident), "jurisdiction activated and sharing: IAFIS forwards to IDENT", D::sharing,
       "covered, sharing at booking"},
      {st(S::iafis), st(S::awaiting_conviction), "post-conviction-only sharing: prints held", D::sharing,
       "covered, sharing at conviction"},
      {st(S::iafis), en(E::released_not_activated), "jurisdiction not activated", D::covered,
       "1 - P(covered | group, charge, coverage)"},
      {st(S::iafis), en(E::released_not_shared), "opt-out: prints not shared with IDENT", D::sharing,
       "covered, no sharing"},
      {st(S::awaiting_conviction), st(S::ident), "convicted: prints forwarded to IDENT", D::convicted,
       "convicted, still sharing"},
      {st(S::awaiting_conviction), en(E::released_not_convicted), "released without a conviction", D::convicted,
       "jail path not convicted"},
      {st(S::awaiting_conviction), en(E::released_not_shared), "sharing stopped before the conviction", D::sharing,
       "no sharing at conviction"},
      {st(S::ident), st(S::lesc), "IDENT match: IAQ to LESC", D::match, "P(in IDENT | group)"},
      {st(S::ident), en(E::released_no_match), "no IDENT record", D::match, "1 - P(in IDENT | group)"},
      {st(S::lesc), st(S::ice_decision), "IAR to the ICE field office", D::iar, "every IAQ"},
      {st(S::ice_decision), st(S::detainer), "ICE lodges a detainer", D::ice_action, "P(detainer | level)"},
      {st(S::ice_decision), st(S::notification_request), "ICE requests notification of release", D::ice_action,
       "P(notification | level)"},
      {st(S::ice_decision), en(E::released_no_action), "no ICE action (priorities, or a citizen recognised)",
       D::ice_action, "citizen recognised, or neither"},
      {st(S::detainer), st(S::detainer_hold), "the jail honours the detainer at release", D::honored,
       "P(honour | level)"},
      {st(S::detainer), en(E::released_detainer_declined), "the jail declines the detainer", D::honored,
       "1 - P(honour | level)"},
      {st(S::detainer), en(E::released_before_ice_action), "released before the detainer arrived", D::released_first,
       "stay < federal delays"},
      {st(S::notification_request), st(S::ice_custody), "ICE meets the release", D::met_at_release,
       "P(ICE meets the release)"},
      {st(S::notification_request), en(E::released_no_action), "ICE does not come", D::met_at_release,
       "1 - P(ICE meets the release)"},
      {st(S::notification_request), en(E::released_before_ice_action), "released before the request arrived",
       D::released_first, "stay < federal delays"},
      {st(S::detainer_hold), st(S::ice_custody), "ICE picks up within the hold", D::picked_up,
       "P(pick-up) x P(delay <= hold)"},
      {st(S::detainer_hold), en(E::released_hold_expired), "hold expired, not picked up", D::picked_up,
       "no pick-up within the hold"},
      {st(S::ice_custody), en(E::removed), "ordered removed", D::custody_outcome, "P(removed)"},
      {st(S::ice_custody), en(E::voluntary_departure), "voluntary departure or return", D::custody_outcome,
       "P(voluntary departure)"},
      {st(S::ice_custody), en(E::relief_granted), "relief from removal granted", D::custody_outcome, "P(relief)"},
      {st(S::ice_custody), en(E::terminated_citizen), "proceedings terminated: US citizen", D::custody_outcome,
       "citizen: P(terminated)"},
      {st(S::ice_custody), en(E::released_on_bond), "released on bond pending a hearing", D::custody_outcome,
       "P(bond)"},
  };
  for (std::size_t s = 0; s < kStages; ++s)
    t.push_back({Node::stage(static_cast<Stage>(s)), en(E::in_system_at_horizon), "still here when the run ends",
                 D::horizon, "the run ends first"});
  return t;
}

}  // namespace scsim
