// One replication: set-up, bookings arriving, the results. The journey of
// each booking, and the books it keeps, are in journey.cpp.
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
  }
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

// ------------------------------------------------------------ booking people

Person Model::make_person(std::size_t j, sim::Stream& s, bool extra, const Segment& seg, bool& booked) {
  JurisdictionRun& local = jurisdictions_[j];
  Person p{};
  p.info.jurisdiction = j;
  p.info.booked = sim_.now();
  if (extra) {
    std::size_t cell = seg.extra_mix.sample(s);
    p.info.group = static_cast<Group>(cell / kCharges);
    p.info.charge = static_cast<Charge>(cell % kCharges);
  } else {
    p.info.group = static_cast<Group>(local.group.sample(s));
    p.info.charge = static_cast<Charge>(local.charge.sample(s));
  }
  const auto g = static_cast<std::size_t>(p.info.group);
  const auto c = static_cast<std::size_t>(p.info.charge);
  double u_keep = s.uniform();
  booked = extra || u_keep < seg.keep[g][c];
  const sim::AliasTable* levels = &local.level[c];
  if (extra && seg.extra_level[g * kCharges + c]) levels = &*seg.extra_level[g * kCharges + c];
  p.info.level = static_cast<Level>(levels->sample(s));
  p.info.in_ident = s.uniform() < p_match(local.spec->population, p.info.group);
  p.u_activation = s.uniform();
  p.info.path = static_cast<JailPath>(local.path[c].sample(s));
  draw_stay(p, local.spec->jail[c], s);
  if (p.info.in_ident) draw_federal(p, s);
  p.info.id = (std::uint64_t(j) << 40) | (extra ? (std::uint64_t(1) << 39) : 0) | local.next_id++;
  return p;
}

void Model::draw_stay(Person& p, const JailStay& stay, sim::Stream& s) const {
  switch (p.info.path) {
    case JailPath::pretrial_release:
      p.release = p.info.booked + stay.pretrial_release.sample(s);
      p.disposition = stay.to_conviction.sample(s);
      break;
    case JailPath::dismissed:
      p.release = p.info.booked + stay.dismissed.sample(s);
      p.disposition = p.release - p.info.booked;
      break;
    case JailPath::convicted:
      p.conviction = p.info.booked + stay.to_conviction.sample(s);
      p.release = p.conviction + stay.sentence_served.sample(s);
      p.disposition = p.release - p.info.booked;
      break;
  }
}

// Drawn only for people whose prints are in IDENT, whatever the policies.
void Model::draw_federal(Person& p, sim::Stream& s) const {
  const FederalDelays delay = federal_delays(sc_.pipeline);
  p.d_iafis = delay.iafis.sample(s);
  p.d_lesc = delay.lesc.sample(s);
  p.d_decision = delay.decision.sample(s);
  p.d_pickup = delay.pickup.sample(s);
  p.d_detention = delay.detention.sample(s);
  p.d_bond = delay.bond.sample(s);
  p.u_citizen = s.uniform();
  p.u_decision = s.uniform();
  p.u_bail = s.uniform();
  p.u_honor = s.uniform();
  p.u_pickup = s.uniform();
  p.u_outcome = s.uniform();
}

// Bookings arrive as a Poisson process whose rate is constant within a day
// (day-of-week pattern) and a policy segment; at each change the exponential
// gap is redrawn, which is exact because the process is memoryless.
sim::Process Model::arrivals(std::size_t j, bool extra) {
  JurisdictionRun& local = jurisdictions_[j];
  sim::Stream& gaps = extra ? extra_arrival_streams_[j] : arrival_streams_[j];
  sim::Stream& people = extra ? extra_person_streams_[j] : person_streams_[j];
  double t = 0;
  for (;;) {
    auto now = static_cast<sim::Time>(t);
    const Segment& seg = segment_at(local, now);
    sim::Time change = cal_.start_of_day(now) + sim::kDay;
    auto next_seg = std::upper_bound(local.segments.begin(), local.segments.end(), now,
                                     [](sim::Time x, const Segment& s) { return x < s.from; });
    if (next_seg != local.segments.end()) change = std::min(change, next_seg->from);
    // No new bookings after period.bookings_until (the run itself goes on to the horizon).
    const sim::Time last_booking = sc_.bookings_until ? cal_.to_time(*sc_.bookings_until) + sim::kDay : horizon_;
    change = std::min(change, std::min(horizon_, last_booking));
    const unsigned dow = cal_.weekday_of(now).iso_encoding() - 1;
    const double rate = local.rate_per_second * local.dow[dow] * (extra ? seg.extra_weight : 1.0);
    double next = rate > 0 ? t + gaps.exponential(1.0 / rate) : std::numeric_limits<double>::infinity();
    if (next >= double(change)) {
      if (change >= std::min(horizon_, last_booking)) co_return;
      t = double(change);
      continue;
    }
    t = next;
    co_await sim_.until(static_cast<sim::Time>(t));
    bool booked = false;
    Person p = make_person(j, people, extra, segment_at(local, sim_.now()), booked);
    if (booked) sim_.start(journey(std::move(p)));
    if (tracer_ && !tracer_->keep_going()) [[unlikely]] {
      sim_.stop();
    }
  }
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
