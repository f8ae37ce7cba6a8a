// One jurisdiction's bookings through the stages of the pipeline, as expected
// daily masses. Every branching probability comes from the decision declared
// in models/pipeline/branches.hpp, evaluated with the rules of the day the
// decision is taken; this file only integrates them over who is booked (the
// population's shares) and when things happen (the day kernels).
#include <algorithm>
#include <numeric>

#include "analysis/analytic_engine.hpp"

namespace scsim::chain {

namespace {
constexpr Node st(Stage s) { return Node::stage(s); }
constexpr Node end(EndState e) { return Node::end(e); }
}  // namespace

void Engine::jurisdiction(std::size_t j) {
  const Jurisdiction& jur = sc_.jurisdictions[j];
  const Rollout rollout(jur, cal_);
  start_jurisdiction(jur, rollout);
  const StayClasses stays = stay_classes(jur);
  Booked booked;
  book(jur, rollout, stays, booked);
  emit_unchecked(stays, booked);
  reach_ident(stays, booked);
  emit_federal_counts();
  CustodyStarts custody(G_);
  release_detained(custody);
  release_notified(custody);
  custody_outcomes(custody);
  for (std::size_t k = 0; k < kSlots; ++k)
    if (out_[k].used) add_series(static_cast<int>(k), finish(out_[k]));
}

/// The rules of every grid day and empty series for one jurisdiction.
void Engine::start_jurisdiction(const Jurisdiction& jur, const Rollout& rollout) {
  segs_ = rule_timeline(sc_, jur, cal_, rollout);
  seg_day_.assign(G_, 0);
  for (std::size_t d = 0, s = 0; d < G_; ++d) {
    const sim::Time t = sim::Time(d) * sim::kDay;
    while (s + 1 < segs_.size() && segs_[s + 1].from <= t) ++s;
    seg_day_[d] = s;
  }
  local_.assign(kSlots, Grid(days_, 0.0));
  release_.clear();
  notified_ = {};
  notified_beyond_ = {};
  out_ = {};
  pop_ = &jur.population;
  notices_.assign(G_, 0.0);
  issued_.assign(G_, 0.0);
  requested_.assign(G_, 0.0);
  for (auto& m : matches_) m.assign(G_, 0.0);
}

StayClasses Engine::stay_classes(const Jurisdiction& jur) const {
  StayClasses s;
  for (std::size_t c = 0; c < kCharges; ++c) {
    s.of_charge[c] = jail_kernels(cache_, jur.jail[c], sc_.pipeline, *pk_, G_);
    auto it = std::find(s.classes.begin(), s.classes.end(), s.of_charge[c]);
    s.class_of_charge[c] = static_cast<std::size_t>(it - s.classes.begin());
    if (it == s.classes.end()) s.classes.push_back(s.of_charge[c]);
  }
  return s;
}

// ------------------------------------------------------------ booked, covered, sharing

/// Booking day by booking day: who is booked (arrest bias), covered (rollout)
/// and how the prints are shared.
void Engine::book(const Jurisdiction& jur, const Rollout& rollout, const StayClasses& stays, Booked& booked) {
  const RolloutOrder order(jur.population);
  double dow_sum = 0;
  for (double w : jur.day_of_week) dow_sum += w;
  std::array<double, 7> dow{};
  for (std::size_t d = 0; d < 7; ++d) dow[d] = dow_sum > 0 ? jur.day_of_week[d] * 7.0 / dow_sum : 1.0;
  const double rate = jur.bookings_per_day * sc_.volume_scale;
  for (std::size_t d = first_day_; d <= last_day_; ++d) {
    const unsigned wd = cal_.weekday_of(sim::Time(d) * sim::kDay).iso_encoding() - 1;
    const double per_day = rate * dow[wd];
    if (per_day <= 0) continue;
    const PerGroup<PerCharge<double>> covered = covered_on(d, rollout, order, seg_on(d));
    for (std::size_t c = 0; c < kCharges; ++c)
      for (std::size_t g = 0; g < kGroups; ++g)
        book_cell(jur, stays, d, per_day, Group(g), Charge(c), covered[g][c], booked);
  }
}

/// P(covered) of each (group, charge) cell averaged over a booking day: the
/// coverage level is linear within the day (ramp points fall on midnights).
PerGroup<PerCharge<double>> Engine::covered_on(std::size_t day, const Rollout& rollout, const RolloutOrder& order,
                                               const RuleSegment& seg) const {
  const sim::Time t0 = sim::Time(day) * sim::kDay;
  PerGroup<PerCharge<double>> covered;
  auto each_cell = [&](auto f) {
    for (std::size_t g = 0; g < kGroups; ++g)
      for (std::size_t c = 0; c < kCharges; ++c) covered[g][c] = f(Group(g), Charge(c));
  };
  if (rollout.activation && t0 >= *rollout.activation) {
    const double level = std::min(1.0, seg.coverage_cap);
    each_cell([&](Group g, Charge c) { return p_covered(order, g, c, level); });
    return covered;
  }
  const double v0 = rollout.ramp_at(t0), vm = rollout.ramp_at(t0 + sim::kDay / 2);
  const double level = mean_min_linear(v0, 2 * vm - v0, seg.coverage_cap);
  if (order.even()) {
    each_cell([&](Group, Charge) { return level; });
  } else {  // Simpson's rule over the day (coverage moves by well under 1e-2 a day)
    const double c0 = std::min(v0, seg.coverage_cap), cm = std::min(vm, seg.coverage_cap),
                 c1 = std::min(2 * vm - v0, seg.coverage_cap);
    each_cell([&](Group g, Charge c) {
      return (p_covered(order, g, c, c0) + 4 * p_covered(order, g, c, cm) + p_covered(order, g, c, c1)) / 6;
    });
  }
  return covered;
}

/// The bookings of one (group, charge) cell on one day, by jail path: not
/// covered, not shared, held for a conviction or on to IDENT by level.
void Engine::book_cell(const Jurisdiction& jur, const StayClasses& stays, std::size_t d, double booked_per_day,
                       Group g, Charge c, double covered_share, Booked& booked) {
  const Population& pop = jur.population;
  const RuleSet& r = seg_on(d).rules;
  const ArrestEffect bias = arrest_effect(r, g, c);
  const double cell = booked_per_day * pop.group_mix[std::size_t(g)] * pop.charge_mix[std::size_t(c)] * bias.multiplier;
  if (cell <= 0) return;
  const PerLevel<double> lv = bias.levels(pop.level_given_charge[std::size_t(c)]);
  bookings_ += cell;
  local_[std::size_t(slot(Metric::bookings))][d] += cell;
  flow(st(Stage::booking), st(Stage::iafis), cell);
  const JailKernels& kernels = *stays.of_charge[std::size_t(c)];
  const std::size_t k = stays.class_of_charge[std::size_t(c)];
  for (std::size_t p = 0; p < kJailPaths; ++p) {
    const double mp = cell * jur.jail[std::size_t(c)].path_share[p];
    if (mp <= 0) continue;
    const double not_covered = mp * (1 - covered_share), covered = mp * covered_share;
    auto& unchecked = booked.unchecked[k][p];
    auto end_unchecked = [&](Booked::Unchecked why, Node from, EndState e, double m) {
      ensure(unchecked[why]);
      unchecked[why][d] += m;
      flow(from, end(e), m);
      spend(Stage(from.index), m * kernels.normal[p].mean);
    };
    if (not_covered > 0)
      end_unchecked(Booked::not_activated, st(Stage::iafis), EndState::released_not_activated, not_covered);
    if (covered <= 0) continue;
    const Sharing shared = sharing(r);
    if (shared == Sharing::never) {
      end_unchecked(Booked::not_shared, st(Stage::iafis), EndState::released_not_shared, covered);
    } else if (shared == Sharing::at_conviction) {
      flow(st(Stage::iafis), st(Stage::awaiting_conviction), covered);
      if (!reaches_conviction(JailPath(p))) {
        end_unchecked(Booked::not_convicted, st(Stage::awaiting_conviction), EndState::released_not_convicted, covered);
        continue;
      }
      spend(Stage::awaiting_conviction, covered * kernels.mean_conviction);
      booked.any_awaiting[k] = true;
      for (std::size_t l = 0; l < kLevels; ++l) {
        ensure(booked.awaiting[k][std::size_t(g)][l]);
        booked.awaiting[k][std::size_t(g)][l][d] += covered * lv[l];
      }
    } else {
      booked.any_at_ident[k][p] = true;
      for (std::size_t l = 0; l < kLevels; ++l) {
        ensure(booked.at_ident[k][p][std::size_t(g)][l]);
        booked.at_ident[k][p][std::size_t(g)][l][d] += covered * lv[l];
      }
    }
  }
}

/// Journeys that end before IDENT leave criminal custody after their stay.
void Engine::emit_unchecked(const StayClasses& stays, const Booked& booked) {
  const std::array<EndState, 3> ends{EndState::released_not_activated, EndState::released_not_shared,
                                     EndState::released_not_convicted};
  for (std::size_t c = 0; c < stays.classes.size(); ++c)
    for (std::size_t p = 0; p < kJailPaths; ++p) {
      const Kernel& K = stays.classes[c]->normal[p].stay;
      for (std::size_t i = 0; i < 3; ++i)
        if (!booked.unchecked[c][p][i].empty())
          emit(booked.unchecked[c][p][i], K, {{&out_[std::size_t(end_slot(ends[i]))], 1.0}});
    }
}

/// Prints reach IDENT on the booking day, or on the conviction day under
/// post-conviction-only sharing (the conviction kernel moves those masses).
void Engine::reach_ident(const StayClasses& stays, Booked& booked) {
  for (std::size_t c = 0; c < stays.classes.size(); ++c)
    for (std::size_t p = 0; p < kJailPaths; ++p)
      if (booked.any_at_ident[c][p])
        after_ident(stays.classes[c]->normal[p], p == std::size_t(JailPath::pretrial_release), false,
                    st(Stage::iafis), booked.at_ident[c][p]);
  for (std::size_t c = 0; c < stays.classes.size(); ++c) {
    if (!booked.any_awaiting[c]) continue;
    ByClass at_conviction;
    for (std::size_t g = 0; g < kGroups; ++g)
      for (std::size_t l = 0; l < kLevels; ++l) {
        const Grid& waiting = booked.awaiting[c][g][l];
        if (waiting.empty()) continue;
        Target t;
        const Grid y(waiting.begin(), waiting.begin() + long(G_));
        emit(y, stays.classes[c]->conviction, {{&t, 1.0}});
        double beyond = 0;
        Grid conv = finish(t, &beyond);
        conv.push_back(beyond);
        at_conviction[g][l] = std::move(conv);
      }
    after_ident(stays.classes[c]->post, false, true, st(Stage::awaiting_conviction), at_conviction);
  }
}

// ------------------------------------------------------------ match, ICE action

/// The masses of one stay that reach IDENT (by ident day, group and level):
/// match, LESC, the ICE action, and the race against the release.
void Engine::after_ident(const StayKernels& stay, bool pretrial_bail, bool check_sharing, Node from,
                         const ByClass& at_ident) {
  AfterIdent out(G_);
  Grid& fingerprints = local_[std::size_t(slot(Metric::fingerprints_submitted))];
  const bool bail = pretrial_bail && stay.has_bail;
  for (std::size_t k = 0; k <= G_; ++k) {
    double total = 0;
    for (std::size_t g = 0; g < kGroups; ++g)
      for (std::size_t l = 0; l < kLevels; ++l)
        if (!at_ident[g][l].empty()) total += at_ident[g][l][k];
    if (total <= 0) continue;
    const RuleSet& r = seg_on(k).rules;
    if (check_sharing && !shares_at_conviction(r)) {
      flow(from, end(EndState::released_not_shared), total);
      spend(Stage::awaiting_conviction, total * stay.mean);
      (k < G_ ? out.not_shared[k] : out.not_shared_beyond) += total;
      continue;
    }
    flow(from, st(Stage::ident), total);
    if (k < days_) fingerprints[k] += total;
    for (std::size_t g = 0; g < kGroups; ++g)
      for (std::size_t l = 0; l < kLevels; ++l) {
        if (at_ident[g][l].empty()) continue;
        const double mass = at_ident[g][l][k];
        if (mass > 0) matched(stay, bail, r, k, Group(g), Level(l), mass, out);
      }
  }
  emit_after_ident(stay, out);
}

/// The mass of one (group, level) at IDENT on day k: match, LESC, the ICE
/// action and the race of ICE's request against the release.
void Engine::matched(const StayKernels& stay, bool bail, const RuleSet& r, std::size_t k, Group g, Level l, double mass,
                     AfterIdent& out) {
  const bool in_grid = k < G_;
  const bool citizen = is_citizen(g);
  const double p_in = p_match(*pop_, g);
  const double unmatched = mass * (1 - p_in), matches = mass * p_in;
  flow(st(Stage::ident), end(EndState::released_no_match), unmatched);
  spend(Stage::ident, unmatched * stay.mean);
  (in_grid ? out.no_match[k] : out.no_match_beyond) += unmatched;
  if (matches <= 0) return;
  flow(st(Stage::ident), st(Stage::lesc), matches);
  flow(st(Stage::lesc), st(Stage::ice_decision), matches);
  spend(Stage::ident, matches * pk_->iafis.mean);
  spend(Stage::lesc, matches * pk_->lesc.mean);
  if (in_grid) {
    matches_[std::size_t(l)][k] += matches;
    if (notifies_jail(r)) notices_[k] += matches;
  }
  const IceAction ice = ice_action(sc_.pipeline, r, l, citizen);
  const double detected = matches * ice.recognised, not_recognised = matches - detected;
  const double p_detainer = ice.detainer_share(), p_notification = ice.notification_share();
  const double none_taken = detected + not_recognised * ice.none_share();
  const double detainers = not_recognised * p_detainer, requests = not_recognised * p_notification;
  flow(st(Stage::ice_decision), end(EndState::released_no_action), none_taken);
  flow(st(Stage::ice_decision), st(Stage::detainer), detainers);
  flow(st(Stage::ice_decision), st(Stage::notification_request), requests);
  spend(Stage::ice_decision,
        none_taken * std::max(0.0, stay.mean - pk_->A.mean) + (detainers + requests) * pk_->decision.mean);
  (in_grid ? out.no_action[k] : out.no_action_beyond) += none_taken;
  if (in_grid) {
    issued_[k] += detainers;
    requested_[k] += requests;
  }
  (in_grid ? out.before[k] : out.before_beyond) += detainers + requests;
  const double p_before = stay.before.total;
  flow(st(Stage::detainer), end(EndState::released_before_ice_action), detainers * p_before);
  flow(st(Stage::notification_request), end(EndState::released_before_ice_action), requests * p_before);
  const std::size_t cit = citizen ? 1 : 0;
  if (detainers > 0) detained(stay, bail, r, k, l, cit, detainers, out);
  if (requests > 0) {
    (in_grid ? out.notified[std::size_t(l)][cit][k] : out.notified_beyond[std::size_t(l)][cit]) += requests;
    spend(Stage::notification_request, requests * stay.time_held);
  }
}

/// Detainers lodged on ident day k: the jail's answer at lodging decides
/// whether a pretrial booking loses its bail (and so its release day).
void Engine::detained(const StayKernels& stay, bool bail, const RuleSet& r, std::size_t k, Level l, std::size_t cit,
                      double detainers, AfterIdent& out) {
  auto put = [&](std::size_t variant, double a, double m) {
    if (m <= 0) return;
    AfterIdent::Detained& in = out.detained[{std::size_t(l), cit, variant, lodge_class(a)}];
    in.lodge_share = a;
    if (in.by_day.empty()) in.by_day.assign(G_, 0.0);
    if (k < G_) in.by_day[k] += m;
    else in.beyond += m;
  };
  if (!bail) {
    put(no_bail, 1.0, detainers);
    spend(Stage::detainer, detainers * stay.time_held);
    return;
  }
  const double a = p_honor(r, l);
  const double lost = a * p_bail_lost(sc_.pipeline, r);
  put(lodge_bail, a, detainers * lost);
  put(lodge_kept, a, detainers * (a - lost));
  put(lodge_declined, a, detainers * (1 - a));
  spend(Stage::detainer, detainers * (lost * stay.time_held_bail + (1 - lost) * stay.time_held));
}

/// The stay's kernels take each ident-day mass to its release day.
void Engine::emit_after_ident(const StayKernels& stay, AfterIdent& out) {
  auto O = [&](EndState e) { return &out_[std::size_t(end_slot(e))]; };
  emit(out.no_match, stay.stay, {{O(EndState::released_no_match), 1.0}});
  emit(out.no_action, stay.stay, {{O(EndState::released_no_action), 1.0}});
  emit(out.before, stay.before, {{O(EndState::released_before_ice_action), 1.0}});
  emit(out.not_shared, stay.stay, {{O(EndState::released_not_shared), 1.0}});
  emit_beyond(out.no_match_beyond, stay.stay, {{O(EndState::released_no_match), 1.0}});
  emit_beyond(out.no_action_beyond, stay.stay, {{O(EndState::released_no_action), 1.0}});
  emit_beyond(out.before_beyond, stay.before, {{O(EndState::released_before_ice_action), 1.0}});
  emit_beyond(out.not_shared_beyond, stay.stay, {{O(EndState::released_not_shared), 1.0}});
  for (auto& [key, in] : out.detained) {
    ReleaseInput& dst = release_[key];
    dst.lodge_share = in.lodge_share;
    const Kernel& K = key[2] == lodge_bail ? stay.released_bail : stay.released;
    emit(in.by_day, K, {{&dst.target, 1.0}});
    dst.beyond += in.beyond * K.total;
  }
  for (std::size_t l = 0; l < kLevels; ++l)
    for (std::size_t cit = 0; cit < 2; ++cit) {
      emit(out.notified[l][cit], stay.released, {{&notified_[l][cit], 1.0}});
      notified_beyond_[l][cit] += out.notified_beyond[l][cit] * stay.released.total;
    }
}

/// Counts on the federal side whose delays do not depend on the jail stay.
void Engine::emit_federal_counts() {
  auto M = [&](Metric m) { return &out_[std::size_t(slot(m))]; };
  for (std::size_t l = 0; l < kLevels; ++l)
    emit(matches_[l], pk_->to_match,
         {{M(Metric::ident_matches), 1.0}, {M(by_level(Metric::ident_matches_level1, Level(l))), 1.0}});
  emit(notices_, pk_->to_iar, {{M(Metric::local_notifications), 1.0}});
  emit(issued_, pk_->to_decision, {{M(Metric::detainers_issued), 1.0}});
  emit(requested_, pk_->to_decision, {{M(Metric::notification_requests), 1.0}});
}

// ------------------------------------------------------------ honoured, picked up, met at release

/// Releases of detained people: the jail honours or declines under the rules
/// of the release day; an honoured hold runs on the business-day calendar.
void Engine::release_detained(CustodyStarts& custody) {
  Grid expired(G_, 0.0);
  const int s_honored = slot(Metric::detainers_honored), s_declined = slot(Metric::detainers_declined);
  for (auto& [key, in] : release_) {
    const std::size_t l = key[0], cit = key[1], variant = key[2];
    const double a = in.lodge_share;
    double beyond = 0;
    Grid rel = finish(in.target, &beyond);
    beyond += in.beyond;
    for (std::size_t k = 0; k <= G_; ++k) {
      const double x = k < G_ ? rel[k] : beyond;
      if (x <= 0) continue;
      const RuleSet& r = seg_on(k).rules;
      const double b = p_honor(r, Level(l));
      // The answers at lodging and at release are nested (one uniform).
      const double hp = variant == no_bail ? b : p_honor_given_lodging(a, b, variant != lodge_declined);
      const double hon = x * hp, dec = x - hon;
      flow(st(Stage::detainer), end(EndState::released_detainer_declined), dec);
      flow(st(Stage::detainer), st(Stage::detainer_hold), hon);
      if (k < G_) {
        add_series(s_honored, k, hon);
        add_series(s_declined, k, dec);
        add_series(end_slot(EndState::released_detainer_declined), k, dec);
      }
      if (hon > 0) hold(k, l, cit, hon, r, custody, expired);
    }
  }
  add_series(end_slot(EndState::released_hold_expired), expired);
}

/// Holds that start on release day k: ICE picks up within the hold or not.
void Engine::hold(std::size_t k, std::size_t l, std::size_t cit, double honored, const RuleSet& r,
                  CustodyStarts& custody, Grid& expired) {
  const PickupInHold pick = pickup_in_hold(sc_.pipeline, r);
  const double pickup = pick.p_comes;
  const HoldTable& ht = hold_table_for(pick.max_hold);
  const HoldDay& h = k < G_ ? ht.days[k] : ht.average;
  const double picked = honored * pickup * h.p_in_time;
  flow(st(Stage::detainer_hold), st(Stage::ice_custody), picked);
  flow(st(Stage::detainer_hold), end(EndState::released_hold_expired), honored - picked);
  spend(Stage::detainer_hold, honored * (pickup * h.e_pickup_in_time + h.e_len - pickup * h.e_len_in_time));
  if (k >= G_) {
    custody.beyond[l][cit] += picked;
    return;
  }
  for (std::size_t m = 0; m < h.custody.size(); ++m) {
    const double v = honored * pickup * h.custody[m];
    if (k + m < G_) custody.by_day[l][cit][k + m] += v;
    else custody.beyond[l][cit] += v;
  }
  for (std::size_t m = 0; m < h.end_all.size(); ++m)
    if (k + m < G_) expired[k + m] += honored * (h.end_all[m] - pickup * h.end_in_time[m]);
}

/// Notification requests: ICE meets the release or it does not (rules of the release day).
void Engine::release_notified(CustodyStarts& custody) {
  const PipelineParams& pp = sc_.pipeline;
  for (std::size_t l = 0; l < kLevels; ++l)
    for (std::size_t cit = 0; cit < 2; ++cit) {
      double beyond = 0;
      Grid rel = finish(notified_[l][cit], &beyond);
      beyond += notified_beyond_[l][cit];
      const double np_beyond = p_met_at_release(pp, seg_on(G_).rules);
      ByValue<double> total;
      total.add(np_beyond, beyond);
      for (std::size_t k = 0; k < G_; ++k) {
        const double np = p_met_at_release(pp, seg_on(k).rules);
        total.add(np, rel[k]);
        custody.by_day[l][cit][k] += rel[k] * np;
        add_series(end_slot(EndState::released_no_action), k, rel[k] * (1 - np));
      }
      custody.beyond[l][cit] += beyond * np_beyond;
      for (const auto& [np, mass] : total.groups) {
        flow(st(Stage::notification_request), st(Stage::ice_custody), mass * np);
        flow(st(Stage::notification_request), end(EndState::released_no_action), mass * (1 - np));
      }
    }
}

// ------------------------------------------------------------ outcome in ICE custody

/// Outcomes of proceedings (rules of the custody day) follow the detention
/// (or bond) delay from the custody day.
void Engine::custody_outcomes(const CustodyStarts& custody) {
  const PipelineParams& pp = sc_.pipeline;
  Target removals_all;
  std::array<Target, kLevels> removals_l;
  std::array<Grid, 3> after_detention;  // voluntary departure, relief granted, terminated (citizen)
  for (auto& g : after_detention) g.assign(G_, 0.0);
  Grid bond_in(G_, 0.0);
  for (std::size_t l = 0; l < kLevels; ++l) {
    Grid removed_in(G_, 0.0);
    for (std::size_t cit = 0; cit < 2; ++cit) {
      const Grid& cu = custody.by_day[l][cit];
      const bool citizen = cit == 1;
      auto outcome_on = [&](std::size_t k) { return custody_outcome(pp, seg_on(k).rules, citizen); };
      ByValue<CustodyOutcome> total;
      for (std::size_t k = 0; k < G_; ++k) total.add(outcome_on(k), cu[k]);
      total.add(outcome_on(G_), custody.beyond[l][cit]);
      if (total.sum() <= 0) continue;
      add_series(slot(Metric::ice_bookings), cu);
      add_series(slot(by_level(Metric::ice_bookings_level1, Level(l))), cu);
      if (citizen) add_series(slot(Metric::us_citizens_detained), cu);
      for (const auto& [outcome, mass] : total.groups) {
        const std::array<double, 4> sh = outcome.shares();
        for (std::size_t o = 0; o < 4; ++o)
          flow(st(Stage::ice_custody), end(CustodyOutcome::kOutcomes[o]), mass * sh[o]);
        flow(st(Stage::ice_custody), end(EndState::terminated_citizen), mass * outcome.terminated_share());
        spend(Stage::ice_custody, mass * ((1 - sh[3]) * pk_->detention.mean + sh[3] * pk_->bond.mean));
      }
      for (std::size_t k = 0; k < G_; ++k) {
        const CustodyOutcome outcome = outcome_on(k);
        const std::array<double, 4> sh = outcome.shares();
        removed_in[k] += cu[k] * sh[0];
        after_detention[0][k] += cu[k] * sh[1];
        after_detention[1][k] += cu[k] * sh[2];
        after_detention[2][k] += cu[k] * outcome.terminated_share();
        bond_in[k] += cu[k] * sh[3];
      }
    }
    emit(removed_in, pk_->detention_k, {{&removals_l[l], 1.0}, {&removals_all, 1.0}});
    add_series(slot(by_level(Metric::removals_level1, Level(l))), finish(removals_l[l]));
  }
  const Grid rem = finish(removals_all);
  add_series(slot(Metric::removals), rem);
  add_series(end_slot(EndState::removed), rem);
  const std::array<EndState, 3> after{EndState::voluntary_departure, EndState::relief_granted,
                                      EndState::terminated_citizen};
  for (std::size_t i = 0; i < 3; ++i)
    emit(after_detention[i], pk_->detention_k, {{&out_[std::size_t(end_slot(after[i]))], 1.0}});
  emit(bond_in, pk_->bond_k, {{&out_[std::size_t(end_slot(EndState::released_on_bond))], 1.0}});
}

}  // namespace scsim::chain
