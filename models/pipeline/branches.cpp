#include "models/pipeline/branches.hpp"

namespace scsim {

std::string_view decision_name(Decision d) {
  constexpr std::array<std::string_view, kDecisions> names{
      "booked",         "covered",   "sharing",         "convicted", "match",   "iar",   "ice_action",
      "released_first", "honored",   "met_at_release",  "picked_up", "custody_outcome", "horizon",     "follow_up"};
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
      {st(S::ice_custody), en(E::removed), "removed: reinstated, stipulated or court order", D::custody_outcome,
       "removable: reinstated, stipulated, court x P(removed)"},
      {st(S::ice_custody), en(E::voluntary_departure), "voluntary return or departure", D::custody_outcome,
       "removable: voluntary return, court x P(voluntary departure)"},
      {st(S::ice_custody), en(E::relief_granted), "relief from removal granted", D::custody_outcome,
       "removable: court x P(relief)"},
      {st(S::ice_custody), en(E::terminated_citizen), "released: a US citizen", D::custody_outcome, "citizen"},
      {st(S::ice_custody), en(E::released_on_bond), "released pending proceedings", D::custody_outcome,
       "removable: P(released pending)"},
      {st(S::ice_custody), en(E::terminated_not_removable), "proceedings terminated: no removable ground",
       D::custody_outcome, "lawful without a removable conviction, court x P(terminated)"},
      {st(S::detainer), st(S::at_large), "released (detainer declined or too late): ICE follows up at large",
       D::follow_up, "P(at large | level)"},
      {st(S::detainer_hold), st(S::at_large), "hold expired: ICE follows up at large", D::follow_up,
       "P(at large | level)"},
      {st(S::at_large), st(S::ice_custody), "arrested at large by ICE", D::follow_up, "after the at-large delay"},
  };
  for (std::size_t s = 0; s < kStages; ++s)
    t.push_back({Node::stage(static_cast<Stage>(s)), en(E::in_system_at_horizon), "still here when the run ends",
                 D::horizon, "the run ends first"});
  return t;
}

namespace {
double prior_weight(const Population& pop, Charge c, const Record& r) {
  const auto ci = std::size_t(c);
  const double a = pop.prior_aggravated[ci];
  return (r.aggravated ? a : 1 - a) * pop.prior_felonies[ci][r.felonies] * pop.prior_misdemeanors[ci][r.misdemeanors];
}
Record smallest_record(Level l) {
  Record r;
  if (l == Level::level1) r.aggravated = 1;
  if (l == Level::level2) r.felonies = 1;
  if (l == Level::level3) r.misdemeanors = 1;
  return r;
}
}  // namespace

RecordTable RecordTable::build(const Population& pop) {
  RecordTable t;
  for (std::size_t c = 0; c < kCharges; ++c)
    for (std::size_t l = 0; l < kLevels; ++l)
      for (std::size_t o = 0; o < kOffenses; ++o) {
        Weights& w = t.p[c][l][o];
        double sum = 0;
        for (int pass = 0; pass < 2 && sum <= 0; ++pass)
          for (std::size_t i = 0; i < Record::kStates; ++i) {
            const Record r = Record::from_index(i);
            const Level got = pass == 0 ? level_of(r.with(Offense(o))) : level_of(r);
            w[i] = got == Level(l) ? prior_weight(pop, Charge(c), r) : 0.0;
            sum += w[i];
          }
        if (sum <= 0) {
          w.fill(0.0);
          w[smallest_record(Level(l)).index()] = sum = 1;
        }
        for (double& x : w) x /= sum;
      }
  return t;
}

double p_removable_record(const PipelineParams& pp, const Record& r) {
  const auto& q = pp.removable_conviction;
  double none = 1;
  for (int i = 0; i < r.aggravated; ++i) none *= 1 - q[std::size_t(Offense::aggravated)];
  for (int i = 0; i < r.felonies; ++i) none *= 1 - q[std::size_t(Offense::felony)];
  for (int i = 0; i < r.misdemeanors; ++i) none *= 1 - q[std::size_t(Offense::misdemeanor)];
  return 1 - none;
}

namespace {
/// Adds mass x P(grounds) to the profiles of one (record, offense).
void add_grounds(ProfileMix& mix, const PipelineParams& pp, Group g, const Record& r, Offense o, bool convicted,
                 double mass) {
  const double q_prior = p_removable_record(pp, r), q_charged = pp.removable_conviction[std::size_t(o)];
  const double q_status = g == Group::other_lawful ? pp.status_violation : 0.0;
  const double q_order = pp.prior_order[std::size_t(g)];
  const Level lv = convicted_level(r, o, convicted);
  for (int bits = 0; bits < 16; ++bits) {
    const Grounds gr{(bits & 1) != 0, (bits & 2) != 0, (bits & 4) != 0, (bits & 8) != 0};
    const double w = (gr.prior ? q_prior : 1 - q_prior) * (gr.charged ? q_charged : 1 - q_charged) *
                     (gr.status ? q_status : 1 - q_status) * (gr.order ? q_order : 1 - q_order);
    if (w > 0) mix[Profile::index(lv, status_of(g, gr, convicted))] += mass * w;
  }
}
}  // namespace

ProfileMix profile_mix(const RecordTable& t, const PipelineParams& pp, const Population& pop, Group g, Charge c,
                       Level level, bool convicted) {
  ProfileMix mix{};
  for (std::size_t o = 0; o < kOffenses; ++o) {
    const double po = pop.offense_given_charge[std::size_t(c)][o];
    if (po <= 0) continue;
    const auto& w = t.p[std::size_t(c)][std::size_t(level)][o];
    for (std::size_t i = 0; i < Record::kStates; ++i)
      if (w[i] > 0) add_grounds(mix, pp, g, Record::from_index(i), Offense(o), convicted, po * w[i]);
  }
  return mix;
}

PostConviction post_conviction(const RecordTable& t, const PipelineParams& pp, const Population& pop, Group g,
                               Charge c, Level booked_level) {
  PostConviction pc;
  for (std::size_t o = 0; o < kOffenses; ++o) {
    const double po = pop.offense_given_charge[std::size_t(c)][o];
    if (po <= 0) continue;
    if (Offense(o) == Offense::none) {
      pc.level[kLevels] += po;
      continue;
    }
    const auto& w = t.p[std::size_t(c)][std::size_t(booked_level)][o];
    for (std::size_t i = 0; i < Record::kStates; ++i) {
      if (w[i] <= 0) continue;
      const Record r = Record::from_index(i);
      const auto l1 = std::size_t(level_of(r.with(Offense(o))));
      pc.level[l1] += po * w[i];
      add_grounds(pc.mix[l1], pp, g, r, Offense(o), true, po * w[i]);
    }
  }
  return pc;
}

}  // namespace scsim
