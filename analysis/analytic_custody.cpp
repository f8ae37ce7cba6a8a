// After the jail's answer: holds and pick-ups, notified releases, ICE's
// follow-up of failed detainers, the paths through ICE custody, and the
// records and profiles the masses carry there (DOMAIN.md §9). Split from
// analytic_stages.cpp (the stages up to ICE's decision); the same engine.
#include <algorithm>
#include <numeric>

#include "analysis/analytic_engine.hpp"

namespace scsim::chain {

namespace {
constexpr Node st(Stage s) { return Node::stage(s); }
constexpr Node end(EndState e) { return Node::end(e); }
}  // namespace

// ------------------------------------------------------------ honoured, picked up, met at release

/// Releases of detained people: the jail honours or declines under the rules
/// of the release day; an honoured hold runs on the business-day calendar.
void Engine::release_detained(CustodyStarts& custody) {
  Grid expired(G_, 0.0);
  const int s_honored = slot(Metric::detainers_honored), s_declined = slot(Metric::detainers_declined);
  for (auto& [key, in] : release_) {
    const std::size_t l = key[0], variant = key[2];
    const std::size_t kind = key[1];
    const double a = in.lodge_share;
    const ProfileMix mix = shares_of(in.mix);
    const std::size_t part = custody.part(route_of_kind(kind), mix);
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
      const double followed = dec * p_at_large(r, Level(l));
      flow(st(Stage::detainer), end(EndState::released_detainer_declined), dec - followed);
      flow(st(Stage::detainer), st(Stage::at_large), followed);
      flow(st(Stage::detainer), st(Stage::detainer_hold), hon);
      if (k < G_) {
        add_series(s_honored, k, hon);
        add_series(s_declined, k, dec);
        add_series(end_slot(EndState::released_detainer_declined), k, dec - followed);
      }
      to_at_large(k, kind, Level(l), followed, mix);
      if (hon > 0) hold(k, kind, Level(l), mix, part, hon, r, custody, expired);
    }
  }
  add_series(end_slot(EndState::released_hold_expired), expired);
}

/// Holds that start on release day k: ICE picks up within the hold or not.
void Engine::hold(std::size_t k, std::size_t kind, Level l, const ProfileMix& mix, std::size_t part, double honored,
                  const RuleSet& r, CustodyStarts& custody, Grid& expired) {
  const PickupInHold pick = pickup_in_hold(sc_.pipeline, r);
  const double pickup = pick.p_comes;
  const HoldTable& ht = hold_table_for(pick.max_hold);
  const HoldDay& h = k < G_ ? ht.days[k] : ht.average;
  const double picked = honored * pickup * h.p_in_time;
  flow(st(Stage::detainer_hold), st(Stage::ice_custody), picked);
  const double f = p_at_large(r, l);
  flow(st(Stage::detainer_hold), end(EndState::released_hold_expired), (honored - picked) * (1 - f));
  flow(st(Stage::detainer_hold), st(Stage::at_large), (honored - picked) * f);
  spend(Stage::detainer_hold, honored * (pickup * h.e_pickup_in_time + h.e_len - pickup * h.e_len_in_time));
  if (k >= G_) {
    custody.add(part, G_, picked);
    to_at_large(G_, kind, l, (honored - picked) * f, mix);
    return;
  }
  for (std::size_t m = 0; m < h.custody.size(); ++m) custody.add(part, k + m, honored * pickup * h.custody[m]);
  double expired_all = 0;
  for (std::size_t m = 0; m < h.end_all.size(); ++m) {
    const double e = honored * (h.end_all[m] - pickup * h.end_in_time[m]);
    expired_all += e;
    if (k + m < G_) expired[k + m] += e * (1 - f);
    to_at_large(std::min(k + m, G_), kind, l, e * f, mix);
  }
  // What the table leaves out (the hold ends beyond its days) still ends, beyond the grid.
  to_at_large(G_, kind, l, std::max(0.0, (honored - picked) - expired_all) * f, mix);
}

/// Notification requests: ICE meets the release or it does not (rules of the release day).
void Engine::release_notified(CustodyStarts& custody) {
  const PipelineParams& pp = sc_.pipeline;
  for (std::size_t l = 0; l < kLevels; ++l)
    for (std::size_t cit = 0; cit < kKinds; ++cit) {
      if (!notified_[l][cit].used && notified_beyond_[l][cit] <= 0) continue;
      double beyond = 0;
      Grid rel = finish(notified_[l][cit], &beyond);
      beyond += notified_beyond_[l][cit];
      const double np_beyond = p_met_at_release(pp, seg_on(G_).rules);
      const std::size_t part = custody.part(route_of_kind(cit), shares_of(notified_mix_[l][cit]));
      ByValue<double> total;
      total.add(np_beyond, beyond);
      for (std::size_t k = 0; k < G_; ++k) {
        const double np = p_met_at_release(pp, seg_on(k).rules);
        total.add(np, rel[k]);
        custody.add(part, k, rel[k] * np);
        add_series(end_slot(EndState::released_no_action), k, rel[k] * (1 - np));
      }
      custody.add(part, G_, beyond * np_beyond);
      for (const auto& [np, mass] : total.groups) {
        flow(st(Stage::notification_request), st(Stage::ice_custody), mass * np);
        flow(st(Stage::notification_request), end(EndState::released_no_action), mass * (1 - np));
      }
    }
}

// ------------------------------------------------------------ ICE's follow-up

void Engine::to_at_large(std::size_t k, std::size_t kind, Level l, double mass, const ProfileMix& mix) {
  if (mass <= 0) return;
  const std::size_t rt = kind, li = std::size_t(l);
  if (k < G_ && at_large_in_[rt][li].empty()) at_large_in_[rt][li].assign(G_, 0.0);
  (k < G_ ? at_large_in_[rt][li][k] : at_large_beyond_[rt][li]) += mass;
  for (std::size_t i = 0; i < Profile::kCount; ++i) at_large_mix_[rt][li][i] += mass * mix[i];
}

/// Detainers that arrived too late are followed up like declined ones (rules
/// of the release day); every follow-up becomes an ICE book-in after the
/// at-large delay.
void Engine::follow_ups(CustodyStarts& custody) {
  for (std::size_t rt = 0; rt < kKinds; ++rt)
    for (std::size_t l = 0; l < kLevels; ++l) {
      if (!before_detainer_[rt][l].used && before_detainer_[rt][l].total <= 0) continue;
      double beyond = 0;
      const Grid rel = finish(before_detainer_[rt][l], &beyond);
      const ProfileMix mix = shares_of(before_detainer_mix_[rt][l]);
      ByValue<double> by_p;
      for (std::size_t k = 0; k <= G_; ++k) {
        const double x = k < G_ ? rel[k] : beyond;
        if (x <= 0) continue;
        const double f = p_at_large(seg_on(k).rules, Level(l));
        by_p.add(f, x);
        if (k < G_) add_series(end_slot(EndState::released_before_ice_action), k, x * (1 - f));
        to_at_large(k, rt, Level(l), x * f, mix);
      }
      for (const auto& [f, mass] : by_p.groups) {
        flow(st(Stage::detainer), end(EndState::released_before_ice_action), mass * (1 - f));
        flow(st(Stage::detainer), st(Stage::at_large), mass * f);
      }
    }
  for (std::size_t rt = 0; rt < kKinds; ++rt)
    for (std::size_t l = 0; l < kLevels; ++l) {
      const Grid& in = at_large_in_[rt][l];
      double total = at_large_beyond_[rt][l];
      for (double x : in) total += x;
      if (total <= 0) continue;
      flow(st(Stage::at_large), st(Stage::ice_custody), total);
      spend(Stage::at_large, total * pk_->at_large.mean);
      add_series(slot(Metric::followed_up_at_large), in);
      Target t;
      emit(in, pk_->at_large_k, {{&t, 1.0}});
      double beyond = 0;
      const Grid arrests = finish(t, &beyond);
      add_series(slot(Metric::ice_arrests_at_large), arrests);
      const std::size_t part = custody.part(route_of_kind(rt), shares_of(at_large_mix_[rt][l]));
      for (std::size_t k = 0; k < G_; ++k)
        if (arrests[k] > 0) custody.add(part, k, arrests[k]);
      custody.add(part, G_, beyond + at_large_beyond_[rt][l]);
    }
}

// ------------------------------------------------------------ outcome in ICE custody

/// Paths through ICE custody (rules of the custody day), by profile: each
/// path's end states follow its duration from the custody day.
void Engine::custody_outcomes(const CustodyStarts& starts) {
  const PipelineParams& pp = sc_.pipeline;
  struct {
    std::array<std::array<Grid, Profile::kCount>, kRoutes> by_day;
    std::array<std::array<double, Profile::kCount>, kRoutes> beyond;
  } custody;
  starts.split(custody.by_day, custody.beyond);
  constexpr std::size_t P = kCustodyPaths;
  // Inputs to each path's kernel: removals by level, and the other end states.
  std::array<std::array<Grid, kLevels>, P> removed_in;
  std::array<std::array<Grid, kLevels>, P> removed_sc_in;  // the part SC identified
  std::array<std::array<bool, kLevels>, P> removed_sc_used{};
  std::array<std::array<Grid, kEndStates>, P> other_in;
  std::array<std::array<bool, kEndStates>, P> other_used{};
  std::array<std::array<bool, kLevels>, P> removed_used{};
  auto grid = [&](Grid& g) -> Grid& {
    if (g.empty()) g.assign(G_, 0.0);
    return g;
  };
  for (std::size_t rt = 0; rt < kRoutes; ++rt)
  for (std::size_t pi = 0; pi < Profile::kCount; ++pi) {
    const Grid& cu = custody.by_day[rt][pi];
    const double cu_beyond = custody.beyond[rt][pi];
    const Level lv = Profile::level(pi);
    const Status status = Profile::status(pi);
    double total_in = cu_beyond;
    for (double x : cu) total_in += x;
    if (total_in <= 0) continue;
    add_series(slot(Metric::ice_bookings), cu);
    add_series(slot(by_level(Metric::ice_bookings_level1, lv)), cu);
    add_series(slot(ice_bookings_by_route(Route(rt))), cu);
    add_series(slot(ice_bookings_by_route(Route(rt), lv)), cu);
    if (status == Status::citizen) add_series(slot(Metric::us_citizens_detained), cu);
    auto plan_on = [&](std::size_t k) { return custody_plan(pp, seg_on(k).rules, status); };
    ByValue<CustodyPlan> total;
    for (std::size_t k = 0; k < G_; ++k) total.add(plan_on(k), cu[k]);
    total.add(plan_on(G_), cu_beyond);
    for (const auto& [plan, mass] : total.groups)
      for (std::size_t path = 0; path < P; ++path) {
        const double m = mass * plan.share[path];
        if (m <= 0) continue;
        spend(Stage::ice_custody, m * pk_->path[path].mean);
        if (CustodyPath(path) == CustodyPath::court) {
          for (std::size_t o = 0; o < 4; ++o)
            flow(st(Stage::ice_custody), end(CustodyPlan::kCourtEnds[o]), m * plan.court[o]);
        } else {
          flow(st(Stage::ice_custody), end(path_end(CustodyPath(path), status, 0, plan)), m);
        }
      }
    for (std::size_t k = 0; k < G_; ++k) {
      if (cu[k] <= 0) continue;
      const CustodyPlan plan = plan_on(k);
      for (std::size_t path = 0; path < P; ++path) {
        const double m = cu[k] * plan.share[path];
        if (m <= 0) continue;
        add_series(slot(CustodyPath(path) == CustodyPath::released_pending ? Metric::ice_released_pending
                                                                             : Metric::ice_detained),
                   k, m);
        auto to = [&](EndState e, double x) {
          if (x <= 0) return;
          if (e == EndState::removed) {
            grid(removed_in[path][std::size_t(lv)])[k] += x;
            removed_used[path][std::size_t(lv)] = true;
            if (Route(rt) == Route::sc) {
              grid(removed_sc_in[path][std::size_t(lv)])[k] += x;
              removed_sc_used[path][std::size_t(lv)] = true;
            }
          } else {
            grid(other_in[path][std::size_t(e)])[k] += x;
            other_used[path][std::size_t(e)] = true;
          }
        };
        if (CustodyPath(path) == CustodyPath::court) {
          for (std::size_t o = 0; o < 4; ++o) to(CustodyPlan::kCourtEnds[o], m * plan.court[o]);
        } else {
          to(path_end(CustodyPath(path), status, 0, plan), m);
        }
      }
    }
  }
  Target removals_all, removals_sc;
  std::array<Target, kLevels> removals_l, removals_sc_l;
  std::array<Target, P> removals_path;
  for (std::size_t path = 0; path < P; ++path) {
    const Kernel& K = pk_->path_k[path];
    for (std::size_t l = 0; l < kLevels; ++l)
      if (removed_used[path][l])
        emit(removed_in[path][l], K, {{&removals_l[l], 1.0}, {&removals_all, 1.0}, {&removals_path[path], 1.0}});
    for (std::size_t l = 0; l < kLevels; ++l)
      if (removed_sc_used[path][l]) emit(removed_sc_in[path][l], K, {{&removals_sc_l[l], 1.0}, {&removals_sc, 1.0}});
    for (std::size_t e = 0; e < kEndStates; ++e)
      if (other_used[path][e]) emit(other_in[path][e], K, {{&out_[std::size_t(end_slot(EndState(e)))], 1.0}});
  }
  for (std::size_t l = 0; l < kLevels; ++l)
    if (removals_sc_l[l].used) add_series(slot(by_level(Metric::removals_sc_level1, Level(l))), finish(removals_sc_l[l]));
  if (removals_sc.used) add_series(slot(Metric::removals_sc), finish(removals_sc));
  for (std::size_t l = 0; l < kLevels; ++l)
    if (removals_l[l].used) add_series(slot(by_level(Metric::removals_level1, Level(l))), finish(removals_l[l]));
  if (!removals_all.used) return;
  const Grid rem = finish(removals_all);
  add_series(slot(Metric::removals), rem);
  add_series(end_slot(EndState::removed), rem);
  constexpr std::array<std::pair<CustodyPath, Metric>, 3> by_path{
      std::pair{CustodyPath::reinstated, Metric::removals_reinstated},
      std::pair{CustodyPath::stipulated, Metric::removals_stipulated},
      std::pair{CustodyPath::court, Metric::removals_court}};
  for (const auto& [path, metric] : by_path)
    if (removals_path[std::size_t(path)].used) add_series(slot(metric), finish(removals_path[std::size_t(path)]));
}

// ------------------------------------------------------------ records and profiles

const PostConviction& Engine::post_of(Group g, Charge c, Level l) {
  const std::size_t key = (std::size_t(g) * kCharges + std::size_t(c)) * kLevels + std::size_t(l);
  auto it = posts_.find(key);
  if (it == posts_.end()) it = posts_.emplace(key, post_conviction(records_, sc_.pipeline, *pop_, g, c, l)).first;
  return it->second;
}

Engine::SourceMixes Engine::source_mixes(Charge c, JailPath path,
                                         const PerGroup<std::array<ProfileMix, kLevels>>* post) {
  SourceMixes out{};
  const double keep = 1 - p_recognised(sc_.pipeline, Status::no_ground);
  const double pc = jur_->jail[std::size_t(c)].pretrial_convicted;
  for (std::size_t g = 0; g < kGroups; ++g)
    for (std::size_t l = 0; l < kLevels; ++l) {
      SourceMix& sm = out[g][l];
      auto screened = [&](ProfileMix m) {  // shares of the people LESC did not screen out
        for (std::size_t i = 0; i < Profile::kCount; ++i)
          if (Profile::status(i) == Status::no_ground) m[i] *= keep;
        return shares_of(m);
      };
      auto no_ground = [](const ProfileMix& m) {
        double x = 0;
        for (std::size_t i = 0; i < Profile::kCount; ++i)
          if (Profile::status(i) == Status::no_ground) x += m[i];
        return x;
      };
      if (post) {
        const ProfileMix m = shares_of((*post)[g][l]);
        sm.no_ground = no_ground(m);
        sm.by_variant.fill(screened(m));
        continue;
      }
      const ProfileMix open = profile_mix(records_, sc_.pipeline, *pop_, Group(g), c, Level(l), false);
      sm.no_ground = no_ground(open);
      if (path == JailPath::dismissed) {
        sm.by_variant.fill(screened(open));
        continue;
      }
      const ProfileMix closed = profile_mix(records_, sc_.pipeline, *pop_, Group(g), c, Level(l), true);
      if (path == JailPath::convicted) {
        sm.by_variant.fill(screened(closed));
        continue;
      }
      // Released pretrial: the case is still open at ICE custody, unless a
      // detainer cost the bail (then it closed first, a conviction with P(pc)).
      sm.by_variant.fill(screened(open));
      ProfileMix lost{};
      for (std::size_t i = 0; i < Profile::kCount; ++i) lost[i] = pc * closed[i] + (1 - pc) * open[i];
      sm.by_variant[lodge_bail] = screened(lost);
    }
  return out;
}

}  // namespace scsim::chain
