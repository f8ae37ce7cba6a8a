// The analytic chain's cohort, its sums over jurisdictions and scopes, and
// the absorbing chain assembled from the expected edge flows.
#include "analysis/analytic_engine.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>

namespace scsim::chain {

int slot_of(Metric m) {
  for (std::size_t i = 0; i < kCountSlots; ++i)
    if (kCountMetrics[i] == m) return static_cast<int>(i);
  const auto mi = static_cast<std::size_t>(m), first = static_cast<std::size_t>(Metric::end_first);
  if (mi >= first && mi < first + kEndStates) return static_cast<int>(kCountSlots + mi - first);
  return -1;
}

double mean_min_linear(double v0, double v1, double cap) {
  if (std::max(v0, v1) <= cap) return 0.5 * (v0 + v1);
  if (std::min(v0, v1) >= cap) return cap;
  const double x = (cap - v0) / (v1 - v0);  // where the line crosses the cap
  return v0 < v1 ? x * 0.5 * (v0 + cap) + (1 - x) * cap : x * cap + (1 - x) * 0.5 * (cap + v1);
}

AfterIdent::AfterIdent(std::size_t G) : no_match(G, 0.0), no_action(G, 0.0), before(G, 0.0), not_shared(G, 0.0) {
  // notified and before_detainer: allocated when first used (most kinds stay empty)
}

void CustodyStarts::split(std::array<std::array<Grid, Profile::kCount>, kRoutes>& by_day,
                          std::array<std::array<double, Profile::kCount>, kRoutes>& beyond) const {
  for (auto& row : by_day)
    for (auto& g : row) g.assign(G, 0.0);
  beyond = {};
  for (const Part& p : parts)
    for (std::size_t i = 0; i < Profile::kCount; ++i) {
      const double w = p.mix[i];
      if (w <= 0) continue;
      Grid& dst = by_day[std::size_t(p.route)][i];
      for (std::size_t d = 0; d < G; ++d) dst[d] += w * p.by_day[d];
      beyond[std::size_t(p.route)][i] += w * p.beyond;
    }
}

// ------------------------------------------------------------ series

void Engine::undeclared(Node from, Node to) {
  throw std::logic_error("analytic chain uses an undeclared transition " + std::string(from.name()) + " -> " +
                         std::string(to.name()));
}

void Engine::emit(const Grid& x, const Kernel& K, std::initializer_list<Emit> outs) {
  double sx = 0;
  for (double v : x) sx += v;
  if (sx == 0) return;
  Spec& X = spec_;  // reused: one transform per emit
  conv_->forward(x, X);
  const Spec& KS = conv_->kernel(K);
  for (const Emit& o : outs) {
    if (o.factor == 0) continue;
    Target& t = *o.target;
    if (!t.used) {
      t.acc.assign(conv_->bins(), {0.0, 0.0});
      t.used = true;
    }
    for (std::size_t i = 0; i < X.size(); ++i) t.acc[i] += o.factor * X[i] * KS[i];
    t.total += o.factor * sx * K.total;
  }
}

void Engine::emit_beyond(double x, const Kernel& K, std::initializer_list<Emit> outs) {
  for (const Emit& o : outs) o.target->total += o.factor * x * K.total;
}

Grid Engine::finish(Target& t, double* beyond) {
  Grid g;
  if (t.used) conv_->inverse(t.acc, g, G_);
  else g.assign(G_, 0.0);
  if (beyond) *beyond = std::max(0.0, t.total - std::accumulate(g.begin(), g.end(), 0.0));
  t = Target{};
  return g;
}

const HoldTable& Engine::hold_table_for(sim::Duration max_hold) {
  if (last_hold_ && last_hold_max_ == max_hold) return *last_hold_;
  auto it = holds_.find(max_hold);
  if (it == holds_.end()) {
    const Dist& pickup = federal_delays(sc_.pipeline).pickup;
    it = holds_.emplace(max_hold, hold_table(cache_, cal_, max_hold, pickup, pk_->pickup, G_)).first;
  }
  last_hold_max_ = max_hold;
  last_hold_ = it->second.get();
  return *it->second;
}

std::size_t Engine::lodge_class(double share) {
  for (std::size_t i = 0; i < lodge_classes_.size(); ++i)
    if (lodge_classes_[i] == share) return i;
  lodge_classes_.push_back(share);
  return lodge_classes_.size() - 1;
}

// ------------------------------------------------------------ the cohort and the results

AnalyticResult Engine::run() {
  AnalyticResult res;
  res.scopes = Scopes::build(sc_);
  res.start = sc_.start;
  set_cohort();
  res.days = days_;
  res.series.assign(kSlots * res.scopes.size() * days_, 0.0);
  for (std::size_t j = 0; j < sc_.jurisdictions.size(); ++j) {
    const auto& jur = sc_.jurisdictions[j];
    if (!opt_.jurisdictions.empty() &&
        std::find(opt_.jurisdictions.begin(), opt_.jurisdictions.end(), jur.id) == opt_.jurisdictions.end())
      continue;
    jurisdiction(j);
    add_to_scopes(j, res);
  }
  shares(res);
  absorbing_chain(res);
  return res;
}

/// The period's days, the cohort's booking days, the grid and the kernels.
void Engine::set_cohort() {
  days_ = static_cast<std::size_t>(sc_.horizon() / sim::kDay);
  std::size_t booking_days = days_;
  if (sc_.bookings_until) {
    const sim::Time t = cal_.to_time(*sc_.bookings_until) + sim::kDay;
    booking_days = static_cast<std::size_t>(std::clamp<sim::Time>(t / sim::kDay, 0, sim::Time(days_)));
  }
  auto day_of = [&](sim::Date d) { return cal_.to_time(d) / sim::kDay; };
  const long lo = opt_.cohort_from ? day_of(*opt_.cohort_from) : 0;
  const long hi = opt_.cohort_until ? day_of(*opt_.cohort_until) : long(booking_days) - 1;
  if (lo > hi) throw std::invalid_argument("analytic cohort: the first booking day is after the last");
  if (hi < 0 || lo >= long(booking_days))
    throw std::invalid_argument("analytic cohort: no bookings are made on those days (the period books from " +
                                sim::format_date(sc_.start) + " for " + std::to_string(booking_days) + " days)");
  first_day_ = static_cast<std::size_t>(std::max(0L, lo));
  last_day_ = static_cast<std::size_t>(std::min(long(booking_days) - 1, hi));
  G_ = days_ + static_cast<std::size_t>(std::max(0, opt_.follow_days));
  std::size_t n = 1;
  while (n < 2 * G_) n <<= 1;
  conv_ = std::make_unique<Convolver>(n);
  pk_ = pipeline_kernels(cache_, sc_.pipeline, G_);
  for (const auto& id : opt_.jurisdictions)
    if (!sc_.find_jurisdiction(id)) throw std::invalid_argument("analytic cohort: unknown jurisdiction '" + id + "'");
}

/// Adds jurisdiction j's daily counts to the national, its own and its state's scope.
void Engine::add_to_scopes(std::size_t j, AnalyticResult& res) const {
  const Scopes& scopes = res.scopes;
  const std::size_t S = scopes.size();
  for (std::size_t s : {std::size_t(0), scopes.of_jurisdiction[j], scopes.of_state[j]}) {
    if (s == std::string::npos) continue;
    for (std::size_t k = 0; k < kSlots; ++k) {
      double* dst = &res.series[(k * S + s) * days_];
      const Grid& src = local_[k];
      for (std::size_t d = 0; d < days_; ++d) dst[d] += src[d];
    }
  }
}

namespace {
/// Expected flow out of each stage and into each node.
struct EdgeTotals {
  std::array<double, kStages> out_of{};
  std::array<double, kNodes> into{};
  EdgeTotals(const std::vector<Transition>& tr, const std::vector<double>& edge) {
    for (std::size_t e = 0; e < tr.size(); ++e) {
      if (!tr[e].from.is_end) out_of[tr[e].from.index] += edge[e];
      into[tr[e].to.id()] += edge[e];
    }
  }
};
}  // namespace

/// Shares: absorption from the edge flows, and as recorded at the horizon.
void Engine::shares(AnalyticResult& res) const {
  const std::size_t S = res.scopes.size();
  res.bookings = bookings_;
  res.edge_flow = flows_.edge;
  const auto& tr = topo_.transitions();
  const EdgeTotals totals(tr, flows_.edge);
  res.edge_probability.assign(tr.size(), 0.0);
  for (std::size_t e = 0; e < tr.size(); ++e)
    if (totals.out_of[tr[e].from.index] > 0) res.edge_probability[e] = flows_.edge[e] / totals.out_of[tr[e].from.index];
  if (bookings_ > 0) {
    for (std::size_t e = 0; e < kEndStates; ++e)
      res.end_share[e] = totals.into[Node::end(EndState(e)).id()] / bookings_;
    double recorded = 0;
    for (std::size_t e = 0; e + 1 < kEndStates; ++e) {
      const double* s = &res.series[(std::size_t(end_slot(EndState(e))) * S + 0) * days_];
      double v = 0;
      for (std::size_t d = 0; d < days_; ++d) v += s[d];
      res.end_share_at_horizon[e] = v / bookings_;
      recorded += v;
    }
    const double in_system = std::max(0.0, bookings_ - recorded);
    res.end_share_at_horizon[kEndStates - 1] = in_system / bookings_;
  }
  // The simulator books whoever is still in a journey at the horizon on its last day.
  for (std::size_t s = 0; s < S; ++s) {
    double b = 0, ended = 0;
    for (std::size_t d = 0; d < days_; ++d) {
      b += res.series[(std::size_t(slot(Metric::bookings)) * S + s) * days_ + d];
      for (std::size_t e = 0; e + 1 < kEndStates; ++e)
        ended += res.series[(std::size_t(end_slot(EndState(e))) * S + s) * days_ + d];
    }
    if (days_ > 0)
      res.series[(std::size_t(end_slot(EndState::in_system_at_horizon)) * S + s) * days_ + days_ - 1] =
          std::max(0.0, b - ended);
  }
}

/// Q and R are the flow ratios, N = (I - Q)^-1 and B = N R.
void Engine::absorbing_chain(AnalyticResult& res) const {
  const auto& tr = topo_.transitions();
  const EdgeTotals totals(tr, flows_.edge);
  AbsorbingChain& ch = res.chain;
  const std::size_t T = AbsorbingChain::kTransient, A = AbsorbingChain::kAbsorbing;
  ch.Q = Eigen::MatrixXd::Zero(T, T);
  ch.R = Eigen::MatrixXd::Zero(T, A);
  for (std::size_t e = 0; e < tr.size(); ++e) {
    const auto& t = tr[e];
    if (t.from.is_end || totals.out_of[t.from.index] <= 0) continue;
    const double p = flows_.edge[e] / totals.out_of[t.from.index];
    if (t.to.is_end) {
      if (t.to.index < A) ch.R(t.from.index, t.to.index) += p;
    } else {
      ch.Q(t.from.index, t.to.index) += p;
    }
  }
  ch.N = (Eigen::MatrixXd::Identity(T, T) - ch.Q).inverse();
  ch.B = ch.N * ch.R;
  ch.mean_days = Eigen::VectorXd::Zero(T);
  ch.expected_days = Eigen::VectorXd::Zero(T);
  for (std::size_t s = 0; s < T; ++s) {
    const double visits = s == std::size_t(Stage::booking) ? bookings_ : totals.into[Node::stage(Stage(s)).id()];
    if (visits > 0) ch.mean_days(s) = flows_.time[s] / visits;
  }
  for (std::size_t s = 0; s < T; ++s) ch.expected_days(s) = ch.N(std::size_t(Stage::booking), s) * ch.mean_days(s);
}

}  // namespace scsim::chain
