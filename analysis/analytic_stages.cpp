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
  follow_ups(custody);
  custody_outcomes(custody);
  for (std::size_t k = 0; k < kSlots; ++k)
    if (out_[k].used) add_series(static_cast<int>(k), finish(out_[k]));
  // Straight from the jail: every ICE book-in but the later at-large arrests.
  Grid transfers(days_, 0.0);
  const Grid& booked_in = local_[std::size_t(slot(Metric::ice_bookings))];
  const Grid& at_large = local_[std::size_t(slot(Metric::ice_arrests_at_large))];
  for (std::size_t d = 0; d < days_; ++d) transfers[d] = booked_in[d] - at_large[d];
  add_series(slot(Metric::ice_transfers_from_jail), transfers);
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
  jur_ = &jur;
  records_ = RecordTable::build(jur.population);
  posts_.clear();
  notified_mix_ = {};
  before_detainer_ = {};
  before_detainer_mix_ = {};
  for (auto& row : at_large_in_)
    for (auto& g : row) g.clear();  // allocated when first used
  at_large_beyond_ = {};
  at_large_mix_ = {};
  notices_.assign(G_, 0.0);
  issued_.assign(G_, 0.0);
  for (auto& g : issued_by_route_) g.assign(G_, 0.0);
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
  const RouteScreen rs = route_screen(sc_.pipeline, r, g);
  const double found = rs.p287g + rs.cap;
  for (std::size_t p = 0; p < kJailPaths; ++p) {
    const double mp = cell * jur.jail[std::size_t(c)].path_share[p];
    if (mp <= 0) continue;
    // Bookings SC does not identify at booking: a 287(g) officer or CAP may find them.
    auto route = [&](double m) {
      for (Route rt : {Route::p287g, Route::cap}) {
        const double x = m * rs.share(rt);
        if (x <= 0) continue;
        flow(st(Stage::iafis), st(Stage::jail_screening), x);
        booked.any_routed[std::size_t(c)][p][std::size_t(rt)] = true;
        for (std::size_t l = 0; l < kLevels; ++l) {
          Grid& gr = booked.routed[std::size_t(c)][p][std::size_t(rt)][std::size_t(g)][l];
          ensure(gr);
          gr[d] += x * lv[l];
        }
      }
      return m * (1 - found);
    };
    const double not_covered = route(mp * (1 - covered_share)), covered_all = mp * covered_share;
    const Sharing shared = sharing(r);
    const double covered = shared == Sharing::at_booking ? covered_all : route(covered_all);
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
    if (shared == Sharing::never) {
      end_unchecked(Booked::not_shared, st(Stage::iafis), EndState::released_not_shared, covered);
    } else if (shared == Sharing::at_conviction) {
      flow(st(Stage::iafis), st(Stage::awaiting_conviction), covered);
      if (JailPath(p) != JailPath::convicted) {
        end_unchecked(Booked::not_convicted, st(Stage::awaiting_conviction), EndState::released_not_convicted, covered);
        continue;
      }
      // Only convictions of a criminal offense are checked, at the level the conviction gives.
      double not_criminal = 0;
      for (std::size_t l = 0; l < kLevels; ++l) {
        if (lv[l] <= 0) continue;
        const PostConviction& pc = post_of(g, c, Level(l));
        const double m = covered * lv[l];
        not_criminal += m * pc.level[kLevels];
        for (std::size_t l1 = 0; l1 < kLevels; ++l1) {
          if (pc.level[l1] <= 0) continue;
          ensure(booked.awaiting[std::size_t(c)][std::size_t(g)][l1]);
          booked.awaiting[std::size_t(c)][std::size_t(g)][l1][d] += m * pc.level[l1];
          ProfileMix& mix = booked.awaiting_mix[std::size_t(c)][std::size_t(g)][l1];
          for (std::size_t i = 0; i < Profile::kCount; ++i) mix[i] += m * pc.mix[l1][i];
        }
      }
      if (not_criminal > 0)
        end_unchecked(Booked::not_convicted, st(Stage::awaiting_conviction), EndState::released_not_convicted,
                      not_criminal);
      spend(Stage::awaiting_conviction, (covered - not_criminal) * kernels.mean_conviction);
      booked.any_awaiting[std::size_t(c)] = true;
    } else {
      booked.any_at_ident[std::size_t(c)][p] = true;
      for (std::size_t l = 0; l < kLevels; ++l) {
        ensure(booked.at_ident[std::size_t(c)][p][std::size_t(g)][l]);
        booked.at_ident[std::size_t(c)][p][std::size_t(g)][l][d] += covered * lv[l];
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
  // Charges whose stays are the same share the convolutions; each keeps its
  // records, so the masses go through IDENT and ICE's decision charge by charge.
  for (std::size_t k = 0; k < stays.classes.size(); ++k)
    for (std::size_t p = 0; p < kJailPaths; ++p) {
      AfterIdent out(G_);
      bool any = false;
      for (std::size_t c = 0; c < kCharges; ++c) {
        if (stays.class_of_charge[c] != k || !booked.any_at_ident[c][p]) continue;
        const SourceMixes mixes = source_mixes(Charge(c), JailPath(p), nullptr);
        const Source src{Charge(c), JailPath(p), &mixes, false, Route::sc, &booked};
        after_ident(stays.classes[k]->normal[p], src, false, st(Stage::iafis), booked.at_ident[c][p], out);
        fold(out, src);
        any = true;
      }
      if (any) emit_after_ident(stays.classes[k]->normal[p], out);
    }
  // Found by a 287(g) officer or CAP (after the SC masses: those without an IDENT record join them).
  for (std::size_t k = 0; k < stays.classes.size(); ++k)
    for (std::size_t p = 0; p < kJailPaths; ++p) {
      AfterIdent out(G_);
      bool any = false;
      for (std::size_t c = 0; c < kCharges; ++c)
        for (Route rt : {Route::p287g, Route::cap}) {
          if (stays.class_of_charge[c] != k || !booked.any_routed[c][p][std::size_t(rt)]) continue;
          const SourceMixes mixes = source_mixes(Charge(c), JailPath(p), nullptr);
          const Source src{Charge(c), JailPath(p), &mixes, false, rt};
          after_ident(stays.classes[k]->normal[p], src, false, st(Stage::jail_screening),
                      booked.routed[c][p][std::size_t(rt)], out);
          fold(out, src);
          any = true;
        }
      if (any) emit_after_ident(stays.classes[k]->normal[p], out);
    }
  for (std::size_t k = 0; k < stays.classes.size(); ++k) {
    AfterIdent out(G_);
    bool any = false;
    for (std::size_t c = 0; c < kCharges; ++c) {
      if (stays.class_of_charge[c] != k || !booked.any_awaiting[c]) continue;
      ByClass at_conviction;
      for (std::size_t g = 0; g < kGroups; ++g)
        for (std::size_t l = 0; l < kLevels; ++l) {
          const Grid& waiting = booked.awaiting[c][g][l];
          if (waiting.empty()) continue;
          Target t;
          const Grid y(waiting.begin(), waiting.begin() + long(G_));
          emit(y, stays.classes[k]->conviction, {{&t, 1.0}});
          double beyond = 0;
          Grid conv = finish(t, &beyond);
          conv.push_back(beyond);
          at_conviction[g][l] = std::move(conv);
        }
      const SourceMixes mixes = source_mixes(Charge(c), JailPath::convicted, &booked.awaiting_mix[c]);
      const Source src{Charge(c), JailPath::convicted, &mixes, true};
      after_ident(stays.classes[k]->post, src, true, st(Stage::awaiting_conviction), at_conviction, out);
      fold(out, src);
      any = true;
    }
    if (any) emit_after_ident(stays.classes[k]->post, out);
  }
}

/// The profile mixes of one source's masses, folded in once per source: the
/// masses were summed by group as they came (day by day), the mixes depend
/// only on (group, level, release variant) within a source.
void Engine::fold(AfterIdent& out, const Source& src) const {
  const SourceMixes& sm = *src.mixes;
  auto add = [](ProfileMix& mix, PerGroup<double>& pending, std::size_t l, std::size_t variant,
                const SourceMixes& m) {
    for (std::size_t g = 0; g < kGroups; ++g) {
      if (pending[g] <= 0) continue;
      const ProfileMix& w = m[g][l].by_variant[variant];
      for (std::size_t i = 0; i < Profile::kCount; ++i) mix[i] += pending[g] * w[i];
      pending[g] = 0;
    }
  };
  for (auto& [key, in] : out.detained) add(in.mix, in.pending, key[0], key[2], sm);
  for (std::size_t l = 0; l < kLevels; ++l)
    for (std::size_t kind = 0; kind < kKinds; ++kind) add(out.notified_mix[l][kind], out.notified_pending[l][kind], l, 4, sm);
  for (std::size_t kind = 0; kind < kKinds; ++kind)
    for (std::size_t l = 0; l < kLevels; ++l)
      add(out.before_detainer_mix[kind][l], out.before_detainer_pending[kind][l], l, no_bail, sm);
}

// ------------------------------------------------------------ match, ICE action

/// The masses of one stay that reach IDENT (by ident day, group and level):
/// match, LESC, the ICE action, and the race against the release.
void Engine::after_ident(const StayKernels& stay, const Source& src, bool check_sharing, Node from,
                         const ByClass& at_ident, AfterIdent& out) {
  Grid& fingerprints = local_[std::size_t(slot(Metric::fingerprints_submitted))];
  for (std::size_t k = 0; k <= G_; ++k) {
    double total = 0;
    for (std::size_t g = 0; g < kGroups; ++g)
      for (std::size_t l = 0; l < kLevels; ++l)
        if (!at_ident[g][l].empty()) total += at_ident[g][l][k];
    if (total <= 0) continue;
    const RuleSet& r = seg_on(k).rules;
    if (src.route != Route::sc) {  // found by 287(g) or CAP: no IDENT step
      for (std::size_t g = 0; g < kGroups; ++g)
        for (std::size_t l = 0; l < kLevels; ++l)
          if (!at_ident[g][l].empty() && at_ident[g][l][k] > 0)
            matched(stay, src, r, k, Group(g), Level(l), at_ident[g][l][k], out);
      continue;
    }
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
        if (mass > 0) matched(stay, src, r, k, Group(g), Level(l), mass, out);
      }
  }
}

/// The mass of one (group, level) at IDENT on day k: match, LESC, the ICE
/// action and the race of ICE's request against the release.
void Engine::matched(const StayKernels& stay, const Source& src, const RuleSet& r, std::size_t k, Group g, Level l,
                     double mass, AfterIdent& out) {
  const bool in_grid = k < G_;
  const bool citizen = is_citizen(g);
  double matches = mass;
  if (src.route == Route::sc) {
    const double p_in = p_match(*pop_, g);
    double unmatched = mass * (1 - p_in);
    matches = mass * p_in;
    if (src.booked && unmatched > 0) {  // no IDENT record: a 287(g) officer or CAP may find the booking
      const RouteScreen rs = route_screen(sc_.pipeline, r, g);
      for (Route rt : {Route::p287g, Route::cap}) {
        const double x = unmatched * rs.share(rt);
        if (x <= 0) continue;
        flow(st(Stage::ident), st(Stage::jail_screening), x);
        auto& gr = src.booked->routed[std::size_t(src.charge)][std::size_t(src.path)][std::size_t(rt)][std::size_t(g)]
                                     [std::size_t(l)];
        ensure(gr);
        gr[std::min(k, G_)] += x;
        src.booked->any_routed[std::size_t(src.charge)][std::size_t(src.path)][std::size_t(rt)] = true;
      }
      unmatched *= 1 - rs.p287g - rs.cap;
    }
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
  } else {
    flow(st(Stage::jail_screening), st(Stage::ice_decision), mass);
    spend(Stage::jail_screening, mass * pk_->A.mean);
  }
  // LESC recognises citizens, and lawful residents with no removable ground (a share of the mass).
  const SourceMix& sm = (*src.mixes)[std::size_t(g)][std::size_t(l)];
  IceAction ice = ice_action(sc_.pipeline, r, l, citizen ? Status::citizen : Status::removable);
  if (!citizen) ice.recognised = sm.no_ground * p_recognised(sc_.pipeline, Status::no_ground);
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
    issued_by_route_[std::size_t(src.route)][k] += detainers;
    requested_[k] += requests;
  }
  (in_grid ? out.before[k] : out.before_beyond) += requests;
  const std::size_t rt = kind_of(citizen, src.path, src.post, src.route, src.charge);
  if (in_grid && out.before_detainer[rt][std::size_t(l)].empty()) out.before_detainer[rt][std::size_t(l)].assign(G_, 0.0);
  (in_grid ? out.before_detainer[rt][std::size_t(l)][k] : out.before_detainer_beyond[rt][std::size_t(l)]) += detainers;
  out.before_detainer_pending[rt][std::size_t(l)][std::size_t(g)] += detainers;
  const double p_before = stay.before.total;
  flow(st(Stage::notification_request), end(EndState::released_before_ice_action), requests * p_before);
  const std::size_t cit = kind_of(citizen, src.path, src.post, src.route, src.charge);
  if (detainers > 0) detained(stay, src, r, k, g, l, detainers, out);
  if (requests > 0) {
    if (in_grid && out.notified[std::size_t(l)][cit].empty()) out.notified[std::size_t(l)][cit].assign(G_, 0.0);
    (in_grid ? out.notified[std::size_t(l)][cit][k] : out.notified_beyond[std::size_t(l)][cit]) += requests;
    out.notified_pending[std::size_t(l)][cit][std::size_t(g)] += requests;
    spend(Stage::notification_request, requests * stay.time_held);
  }
}

/// Detainers lodged on ident day k: the jail's answer at lodging decides
/// whether a pretrial booking loses its bail (and so its release day).
void Engine::detained(const StayKernels& stay, const Source& src, const RuleSet& r, std::size_t k, Group g, Level l,
                      double detainers, AfterIdent& out) {
  const bool bail = src.path == JailPath::pretrial_release && stay.has_bail;
  const std::size_t cit = kind_of(is_citizen(g), src.path, src.post, src.route, src.charge);
  auto put = [&](std::size_t variant, double a, std::size_t lodge, double m) {
    if (m <= 0) return;
    AfterIdent::Detained& in = out.detained_at(std::size_t(l), cit, variant, lodge);
    in.lodge_share = a;
    in.pending[std::size_t(g)] += m;
    if (in.by_day.empty()) in.by_day.assign(G_, 0.0);
    if (k < G_) in.by_day[k] += m;
    else in.beyond += m;
  };
  if (!bail) {
    put(no_bail, 1.0, lodge_class(1.0), detainers);
    spend(Stage::detainer, detainers * stay.time_held);
    return;
  }
  const double a = p_honor(r, l);
  const double lost = a * p_bail_lost(sc_.pipeline, r, jur_->jail[std::size_t(src.charge)]);
  const std::size_t lodge = lodge_class(a);
  put(lodge_bail, a, lodge, detainers * lost);
  put(lodge_kept, a, lodge, detainers * (a - lost));
  put(lodge_declined, a, lodge, detainers * (1 - a));
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
  for (std::size_t rt = 0; rt < kKinds; ++rt)
    for (std::size_t l = 0; l < kLevels; ++l) {
      emit(out.before_detainer[rt][l], stay.before, {{&before_detainer_[rt][l], 1.0}});
      emit_beyond(out.before_detainer_beyond[rt][l], stay.before, {{&before_detainer_[rt][l], 1.0}});
      for (std::size_t i = 0; i < Profile::kCount; ++i)
        before_detainer_mix_[rt][l][i] += out.before_detainer_mix[rt][l][i];
    }
  for (auto& [key, in] : out.detained) {
    ReleaseInput& dst = release_[key];
    dst.lodge_share = in.lodge_share;
    for (std::size_t i = 0; i < Profile::kCount; ++i) dst.mix[i] += in.mix[i];
    const Kernel& K = key[2] == lodge_bail ? stay.released_bail : stay.released;
    emit(in.by_day, K, {{&dst.target, 1.0}});
    dst.beyond += in.beyond * K.total;
  }
  for (std::size_t l = 0; l < kLevels; ++l)
    for (std::size_t cit = 0; cit < kKinds; ++cit) {
      emit(out.notified[l][cit], stay.released, {{&notified_[l][cit], 1.0}});
      notified_beyond_[l][cit] += out.notified_beyond[l][cit] * stay.released.total;
      for (std::size_t i = 0; i < Profile::kCount; ++i) notified_mix_[l][cit][i] += out.notified_mix[l][cit][i];
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
  for (std::size_t rt = 0; rt < kRoutes; ++rt)
    emit(issued_by_route_[rt], pk_->to_decision, {{M(detainers_by_route(Route(rt))), 1.0}});
  emit(requested_, pk_->to_decision, {{M(Metric::notification_requests), 1.0}});
}

}  // namespace scsim::chain
