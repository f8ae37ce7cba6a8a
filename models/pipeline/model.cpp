// One replication: set-up, the run, the results. Bookings arriving, their
// journeys and the books they keep are in journey.cpp.
#include "models/pipeline/model.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

#include "models/pipeline/branches.hpp"
#include "models/scenario/error.hpp"

namespace scsim {
namespace detail {

Model::Model(const Scenario& sc, std::size_t replication, const RunOptions& opt)
    : sc_(sc),
      opt_(opt),
      tracer_(opt.tracer),
      scopes_(Scopes::build(sc)),
      months_(Months::build(sc)),
      cal_(sc.start),
      horizon_(sc.horizon()),
      topo_(Topology::pipeline()),
      streams_(sc.seed, replication),
      monthly_(months_.size() * scopes_.size() * kMetrics, 0.0),
      flows_(topo_.transitions().size(), 0),
      open_(sc.jurisdictions.size(), 0),
      replication_(replication),
      lesc_(sim_, sc.pipeline.lesc_analysts, "lesc") {
  for (std::size_t j = 0; j < sc.jurisdictions.size(); ++j) {
    jurisdictions_.push_back(setup(sc.jurisdictions[j], j));
    person_streams_.push_back(streams_.make("person", j));
    arrival_streams_.push_back(streams_.make("arrivals", j));
    extra_person_streams_.push_back(streams_.make("bias.person", j));
    extra_arrival_streams_.push_back(streams_.make("bias.arrivals", j));
  }
}

JurisdictionRun Model::setup(const Jurisdiction& jur, std::size_t j) {
  JurisdictionRun local{};
  local.spec = &jur;
  local.scope = scopes_.of_jurisdiction[j];
  local.state_scope = scopes_.of_state[j];
  local.rate_per_second = jur.bookings_per_day * sc_.volume_scale / kSecondsPerDay;
  double dow_sum = 0;
  for (double w : jur.day_of_week) dow_sum += w;
  for (std::size_t d = 0; d < 7; ++d) local.dow[d] = dow_sum > 0 ? jur.day_of_week[d] * 7.0 / dow_sum : 1.0;
  const Population& pop = jur.population;
  local.group = sim::AliasTable(pop.group_mix);
  local.charge = sim::AliasTable(pop.charge_mix);
  for (std::size_t c = 0; c < kCharges; ++c) {
    local.level[c] = sim::AliasTable(pop.level_given_charge[c]);
    local.path[c] = sim::AliasTable(jur.jail[c].path_share);
    local.offense[c] = sim::AliasTable(pop.offense_given_charge[c]);
  }
  const RecordTable records = RecordTable::build(pop);
  for (std::size_t c = 0; c < kCharges; ++c)
    for (std::size_t l = 0; l < kLevels; ++l)
      for (std::size_t o = 0; o < kOffenses; ++o) local.record[c][l][o] = sim::AliasTable(records.p[c][l][o]);
  local.rollout.emplace(jur, cal_);
  local.order = RolloutOrder(pop);
  // Policy change points; a segment's rules are the base rules with every
  // policy active at its start applied in file order.
  for (RuleSegment& rs : rule_timeline(sc_, jur, cal_, *local.rollout))
    local.segments.push_back(with_arrest_bias(std::move(rs), pop));
  return local;
}

// Arrest bias (branches.hpp, arrest_effect): baseline bookings are kept with
// probability min(1, m) and a separate stream of extra bookings comes at
// (m - 1)+ times the cell's baseline rate. Baseline people are thus the same
// people in a biased scenario (common random numbers).
Segment Model::with_arrest_bias(RuleSegment rules, const Population& pop) {
  Segment seg;
  static_cast<RuleSegment&>(seg) = std::move(rules);
  std::vector<double> extra(kGroups * kCharges, 0.0);
  for (std::size_t g = 0; g < kGroups; ++g)
    for (std::size_t c = 0; c < kCharges; ++c) {
      const ArrestEffect bias = arrest_effect(seg.rules, Group(g), Charge(c));
      seg.keep[g][c] = bias.keep;
      double w = bias.extra * pop.group_mix[g] * pop.charge_mix[c];
      extra[g * kCharges + c] = w;
      seg.extra_weight += w;
    }
  if (seg.extra_weight > 0) {
    seg.extra_mix = sim::AliasTable(extra);
    seg.extra_level.resize(kGroups * kCharges);
    for (std::size_t g = 0; g < kGroups; ++g)
      for (std::size_t c = 0; c < kCharges; ++c) {
        const ArrestEffect bias = arrest_effect(seg.rules, Group(g), Charge(c));
        if (*bias.extra_levels) seg.extra_level[g * kCharges + c].emplace(**bias.extra_levels);
      }
  }
  return seg;
}

sim::Process Model::progress_ticker() {
  for (std::size_t m = 1; m < months_.size(); ++m) {
    co_await sim_.until(months_.starts[m]);
    opt_.progress(sim_.now(), horizon_);
  }
}

ReplicationResult Model::run() {
  for (std::size_t j = 0; j < jurisdictions_.size(); ++j) {
    sim_.start(arrivals(j, false));
    bool any_bias = false;
    for (const auto& s : jurisdictions_[j].segments) any_bias |= s.extra_weight > 0;
    if (any_bias) sim_.start(arrivals(j, true));
  }
  if (opt_.progress) sim_.start(progress_ticker());
  sim::EventDigest digest;
  if (opt_.record_events) sim_.record_events(&digest);
  sim_.run_until(horizon_);
  sim_.record_events(nullptr);
  return collect(digest);
}

ReplicationResult Model::collect(const sim::EventDigest& digest) {
  // Whoever is still in a journey at the horizon ends there.
  for (std::size_t j = 0; j < jurisdictions_.size(); ++j) {
    if (open_[j] <= 0) continue;
    Person p{};
    p.info.jurisdiction = j;
    add(p, end_metric(EndState::in_system_at_horizon), horizon_ - 1, double(open_[j]));
  }
  if (double_finish_ || lost_)
    throw ConservationError("a journey ended " + std::string(double_finish_ ? "twice" : "without an end state") +
                            " (replication " + std::to_string(replication_) + ")");

  ReplicationResult r;
  r.replication = replication_;
  r.scopes = scopes_.size();
  r.months = months_.size();
  r.monthly = std::move(monthly_);
  r.flows = flows_;
  // Journeys open at the horizon end there, through the stage they are in.
  for (std::size_t s = 0; s < kStages; ++s) {
    int e = topo_.edge(Node::stage(static_cast<Stage>(s)), Node::end(EndState::in_system_at_horizon));
    r.flows[static_cast<std::size_t>(e)] += static_cast<std::uint64_t>(open_at_[s]);
  }
  r.events = sim_.events_processed();
  if (opt_.record_events) r.event_digest = digest.hash;
  r.lesc_utilization = lesc_.utilization();
  tearing_down_ = true;
  check_conservation(r, scopes_);
  return r;
}

}  // namespace detail

ReplicationResult run_replication(const Scenario& sc, std::size_t replication, const RunOptions& opt) {
  if (sc.abstract)
    throw ScenarioError(sc.path, 0, 0, "abstract",
                        "'" + sc.name + "' is abstract (shared defaults): run a scenario that extends it");
  detail::Model m(sc, replication, opt);
  return m.run();
}

}  // namespace scsim
