#include "models/pipeline/journey.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "models/scenario/error.hpp"
#include "models/pipeline/branches.hpp"
#include "models/pipeline/timeline.hpp"
#include "sim/resource.hpp"
#include "sim/simulation.hpp"

namespace scsim {

// ------------------------------------------------------------------ scopes
Scopes Scopes::build(const Scenario& sc) {
  Scopes s;
  s.names.push_back("national");
  std::map<std::string, std::size_t> per_state;
  for (const auto& j : sc.jurisdictions) ++per_state[j.state];
  const bool national = sc.national.has_value();
  for (const auto& j : sc.jurisdictions) {
    s.of_jurisdiction.push_back(s.names.size());
    s.names.push_back(national ? j.state : j.id);
  }
  std::map<std::string, std::size_t> state_scope;
  for (const auto& j : sc.jurisdictions) {
    if (national || per_state[j.state] < 2) {
      s.of_state.push_back(std::string::npos);
      continue;
    }
    auto [it, added] = state_scope.try_emplace(j.state, s.names.size());
    if (added) s.names.push_back(j.state);
    s.of_state.push_back(it->second);
  }
  return s;
}

std::size_t Scopes::find(std::string_view name) const {
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return i;
  return std::string::npos;
}

// ------------------------------------------------------------------ months
Months Months::build(const Scenario& sc) {
  Months m;
  sim::Calendar cal(sc.start);
  m.horizon = sc.horizon();
  using namespace std::chrono;
  year_month ym{sc.start.year(), sc.start.month()};
  for (;;) {
    sim::Date first{ym.year(), ym.month(), day{1}};
    sim::Time t = std::max<sim::Time>(0, cal.to_time(first));
    if (t >= m.horizon) break;
    m.starts.push_back(t);
    m.labels.push_back(sim::format_date(first).substr(0, 7));
    ym += months{1};
  }
  return m;
}

std::size_t Months::of(sim::Time t) const {
  auto it = std::upper_bound(starts.begin(), starts.end(), t);
  return it == starts.begin() ? 0 : static_cast<std::size_t>(it - starts.begin()) - 1;
}

double ReplicationResult::total(std::size_t scope, Metric m) const {
  double s = 0;
  for (std::size_t mo = 0; mo < months; ++mo) s += at(mo, scope, m);
  return s;
}

void check_conservation(const ReplicationResult& r, const Scopes& scopes) {
  for (std::size_t s = 0; s < r.scopes; ++s) {
    double booked = r.total(s, Metric::bookings);
    double ended = 0;
    for (std::size_t e = 0; e < kEndStates; ++e) ended += r.total(s, end_metric(static_cast<EndState>(e)));
    if (booked != ended) {
      std::ostringstream os;
      os << "conservation broken in scope '" << scopes.names[s] << "' (replication " << r.replication
         << "): " << booked << " bookings but " << ended << " end states";
      throw ConservationError(os.str());
    }
  }
}

namespace {

constexpr double kSecondsPerDay = 86400.0;

// ---- words for traces (scsim trace): used only when a tracer is set ----
std::string_view charge_words(Charge c) {
  constexpr std::array<std::string_view, kCharges> w{"a violent felony", "a non-violent felony", "a misdemeanor",
                                                     "a traffic"};
  return w[static_cast<std::size_t>(c)];
}
std::string_view group_words(Group g) {
  constexpr std::array<std::string_view, kGroups> w{
      "US-born citizen", "naturalised citizen", "lawful permanent resident", "visa holder (other lawful status)",
      "removable non-citizen with a DHS record", "removable non-citizen never encountered by DHS"};
  return w[static_cast<std::size_t>(g)];
}
std::string_view level_words(Level l) {
  constexpr std::array<std::string_view, kLevels> w{
      "Level 1 (aggravated felony or two serious offences)", "Level 2 (a felony or three misdemeanors)",
      "Level 3 (misdemeanors)", "no criminal record (non-criminal)"};
  return w[static_cast<std::size_t>(l)];
}
std::string_view path_words(JailPath j) {
  constexpr std::array<std::string_view, kJailPaths> w{"pretrial release: bail or own recognisance",
                                                       "charges dismissed", "sentence served after conviction"};
  return w[static_cast<std::size_t>(j)];
}
std::string hours_text(sim::Duration d) {
  char buf[32];
  if (d < 2 * sim::kHour)
    std::snprintf(buf, sizeof buf, "%lld min", static_cast<long long>(d / sim::kMinute));
  else if (d < 2 * sim::kDay)
    std::snprintf(buf, sizeof buf, "%.1f hours", double(d) / double(sim::kHour));
  else
    std::snprintf(buf, sizeof buf, "%.1f days", double(d) / kSecondsPerDay);
  return buf;
}
std::string share_text(double p) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.2f", p);
  return buf;
}

/// The rules in force in one jurisdiction from `from` until the next segment
/// (models/timeline.hpp), with what arrest biases do to bookings then.
struct Segment : RuleSegment {
  PerGroup<PerCharge<double>> keep;  // P(a baseline booking of (g, c) happens) = min(1, bias)
  double extra_weight = 0;         // extra bookings per baseline booking from biases > 1
  sim::AliasTable extra_mix;       // which (g, c) an extra booking is
  std::vector<std::optional<sim::AliasTable>> extra_level;  // by g * kCharges + c: levels of extra bookings
};

/// Everything precomputed about one jurisdiction.
struct Place {
  const Jurisdiction* spec;
  std::size_t scope, state_scope;
  double rate_per_second;          // baseline bookings
  std::array<double, 7> dow;       // Mon..Sun, mean 1
  sim::AliasTable group, charge;
  PerCharge<sim::AliasTable> level, path;
  std::vector<Segment> segments;
  std::optional<Rollout> rollout;
  RolloutOrder order;              // where each group sits in the rollout order
  std::uint64_t next_id = 0;
};

/// A booking, as it lives in its journey's coroutine frame. Every random
/// number the journey may need is drawn at booking from the jurisdiction's
/// person stream, so a policy that changes one person's path never shifts the
/// draws of another (common random numbers across scenarios).
struct Person {
  PersonInfo info;
  double u_activation;        // covered once the share of the group's bookings covered exceeds it
  sim::Time release;          // end of criminal custody without a detainer
  sim::Time conviction = -1;  // when convicted (convicted path only)
  sim::Duration disposition;  // booking -> case disposition, if a detainer costs the bail
  // Drawn only for people whose prints are in IDENT (policy-invariant).
  sim::Duration d_iafis = 0, d_lesc = 0, d_decision = 0, d_pickup = 0, d_detention = 0, d_bond = 0;
  double u_citizen = 1, u_decision = 1, u_bail = 1, u_honor = 1, u_pickup = 1, u_outcome = 1;
};

class Model {
 public:
  Model(const Scenario& sc, std::size_t replication, const RunOptions& opt);
  ReplicationResult run();

 private:
  // --- the journey of one booking (DOMAIN.md §1) ---
  sim::Process journey(Person p);
  sim::Process arrivals(std::size_t j, bool extra);
  sim::Process progress_ticker();

  Person make_person(std::size_t j, sim::Stream& s, bool extra, const Segment& seg, bool& booked);
  const Segment& segment_at(const Place& pl, sim::Time t) const;
  bool covered(const Place& pl, const Segment& seg, const Person& p, sim::Time t) const;
  /// SCAAP reimburses jail days of undocumented people with a felony or two
  /// misdemeanours held at least scaap_min_days consecutive days (DOMAIN.md §5).
  bool scaap_eligible(const Person& p, sim::Duration stay) const {
    const bool undocumented = p.info.group == Group::removable_known || p.info.group == Group::removable_unknown;
    const bool serious = p.info.charge == Charge::violent_felony || p.info.charge == Charge::other_felony ||
                         p.info.level == Level::level1 || p.info.level == Level::level2;
    return undocumented && serious && stay >= sc_.costs.scaap_min_days * sim::kDay;
  }

  // --- bookkeeping ---
  void add(const Person& p, Metric m, sim::Time t, double v = 1);
  void add_days(const Person& p, Metric m, sim::Time t0, sim::Time t1);
  void move(const Person& p, Node from, Node to, const std::string& what = {});
  /// Records the single end state of a journey, reached at time t; `why`
  /// (traces only) says what decided it, else the edge's description is used.
  void finish(Person& p, Node from, EndState e, sim::Time t, bool& ended, const std::string& why = {});

  // --- trace text: what happened and why. Untraced runs never build it:
  // explain() calls its argument only when a tracer is set. ---
  template <class F>
  std::string explain(F&& text) const {
    return tracer_ ? std::string(text()) : std::string();
  }
  /// Civil time to the minute (traces line up; seconds add nothing a reader needs).
  std::string when(sim::Time t) const { return cal_.format(t - (t % 60 + 60) % 60); }
  /// The last policy setting `part` of the rules in force in p's jurisdiction
  /// at t (it is the one that decided, policies applying in file order), with
  /// where it was written; `otherwise` if none.
  std::string policy_in_force(const Person& p, sim::Time t, RulePart part, std::string_view otherwise) const;
  /// The days in [from, until) a business-time hold does not count, e.g.
  /// "Sat 2011-05-28, Sun 2011-05-29, Memorial Day (Mon 2011-05-30)"; empty if none.
  std::string days_not_counted(sim::Time from, sim::Time until) const;
  std::string released_text(const Person& p) const {
    return "released " + when(p.release) + " (" + std::string(path_words(p.info.path)) + ")";
  }

  const Scenario& sc_;
  RunOptions opt_;
  TraceSink* tracer_;
  Scopes scopes_;
  Months months_;
  sim::Calendar cal_;
  sim::Time horizon_;
  const Topology& topo_;
  sim::RandomStreams streams_;
  std::vector<Place> places_;
  std::vector<sim::Stream> person_streams_, arrival_streams_, extra_person_streams_, extra_arrival_streams_;
  std::vector<double> monthly_;
  std::vector<std::uint64_t> flows_;
  std::vector<std::int64_t> open_;  // journeys started and not yet ended, per jurisdiction
  std::array<std::int64_t, kStages> open_at_{};  // journeys currently in each stage
  std::uint64_t double_finish_ = 0, lost_ = 0;
  std::size_t replication_;
  bool tearing_down_ = false;

  /// Journeys hold one of these: it proves each ends exactly once.
  struct Token {
    Model* m;
    std::size_t j;
    bool ended = false;
    Token(Model* model, std::size_t jur) : m(model), j(jur) { ++m->open_[j]; }
    Token(const Token&) = delete;
    ~Token() {
      if (ended) return;
      if (!m->tearing_down_) ++m->lost_;  // a journey finished without an end state
    }
  };
  friend struct Token;
  sim::Simulation sim_;  // declared after everything its processes touch: destroyed first
  sim::Resource lesc_;
};

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
  // Policy change points per jurisdiction; a segment's rules are the base
  // rules with every policy active at its start applied in file order.
  for (std::size_t j = 0; j < sc.jurisdictions.size(); ++j) {
    const Jurisdiction& jur = sc.jurisdictions[j];
    Place pl{};
    pl.spec = &jur;
    pl.scope = scopes_.of_jurisdiction[j];
    pl.state_scope = scopes_.of_state[j];
    pl.rate_per_second = jur.bookings_per_day * sc.volume_scale / kSecondsPerDay;
    double dow_sum = 0;
    for (double w : jur.day_of_week) dow_sum += w;
    for (std::size_t d = 0; d < 7; ++d) pl.dow[d] = dow_sum > 0 ? jur.day_of_week[d] * 7.0 / dow_sum : 1.0;
    const Population& pop = jur.population;
    pl.group = sim::AliasTable(pop.group_mix);
    pl.charge = sim::AliasTable(pop.charge_mix);
    for (std::size_t c = 0; c < kCharges; ++c) {
      pl.level[c] = sim::AliasTable(pop.level_given_charge[c]);
      pl.path[c] = sim::AliasTable(jur.jail[c].path_share);
    }
    pl.rollout.emplace(jur, cal_);
    pl.order = RolloutOrder(pop);

    for (RuleSegment& rs : rule_timeline(sc, jur, cal_, *pl.rollout)) {
      Segment seg;
      static_cast<RuleSegment&>(seg) = std::move(rs);
      // Arrest bias: a multiplier m on (group, charge) keeps baseline bookings
      // with probability min(1, m) and adds a separate stream of extra bookings
      // at rate (m - 1)+ times the baseline rate of that cell. Baseline people
      // are thus the same people in a biased scenario (common random numbers).
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
      pl.segments.push_back(std::move(seg));
    }
    places_.push_back(std::move(pl));
    person_streams_.push_back(streams_.make("person", j));
    arrival_streams_.push_back(streams_.make("arrivals", j));
    extra_person_streams_.push_back(streams_.make("bias.person", j));
    extra_arrival_streams_.push_back(streams_.make("bias.arrivals", j));
  }
}

const Segment& Model::segment_at(const Place& pl, sim::Time t) const {
  auto it = std::upper_bound(pl.segments.begin(), pl.segments.end(), t,
                             [](sim::Time x, const Segment& s) { return x < s.from; });
  return *(it - 1);
}

bool Model::covered(const Place& pl, const Segment& seg, const Person& p, sim::Time t) const {
  return p.u_activation < p_covered(pl.order, p.info.group, p.info.charge, coverage_level(*pl.rollout, seg, t));
}

void Model::add(const Person& p, Metric m, sim::Time t, double v) {
  if (t >= horizon_ || t < 0) return;
  const Place& pl = places_[p.info.jurisdiction];
  std::size_t base = months_.of(t) * scopes_.size();
  auto mi = static_cast<std::size_t>(m);
  monthly_[(base + 0) * kMetrics + mi] += v;
  monthly_[(base + pl.scope) * kMetrics + mi] += v;
  if (pl.state_scope != std::string::npos) monthly_[(base + pl.state_scope) * kMetrics + mi] += v;
}

void Model::add_days(const Person& p, Metric m, sim::Time t0, sim::Time t1) {
  t0 = std::max<sim::Time>(t0, 0);
  t1 = std::min(t1, horizon_);
  while (t0 < t1) {
    std::size_t mo = months_.of(t0);
    sim::Time cut = mo + 1 < months_.size() ? std::min(t1, months_.starts[mo + 1]) : t1;
    add(p, m, t0, double(cut - t0) / kSecondsPerDay);
    t0 = cut;
  }
}

void Model::move(const Person& p, Node from, Node to, const std::string& what) {
  int e = topo_.edge(from, to);
  if (e < 0)
    throw std::logic_error("journey took an undeclared transition " + std::string(from.name()) + " -> " +
                           std::string(to.name()));
  ++flows_[static_cast<std::size_t>(e)];
  --open_at_[from.index];
  if (!to.is_end) ++open_at_[to.index];
  if (tracer_) [[unlikely]]
    tracer_->step(p.info, sim_.now(), from, to, what.empty() ? std::string(topo_.transitions()[e].why) : what);
}

void Model::finish(Person& p, Node from, EndState e, sim::Time t, bool& ended, const std::string& why) {
  if (ended) {
    ++double_finish_;
    return;
  }
  ended = true;
  --open_[p.info.jurisdiction];
  --open_at_[from.index];
  // An end reached after the horizon is not an end yet: the person is still in the system.
  EndState recorded = t > horizon_ ? EndState::in_system_at_horizon : e;
  int edge = topo_.edge(from, Node::end(recorded));
  if (edge < 0)
    throw std::logic_error("journey ended through an undeclared transition " + std::string(from.name()) + " -> " +
                           std::string(kEndStateNames[static_cast<std::size_t>(recorded)]));
  ++flows_[static_cast<std::size_t>(edge)];
  add(p, end_metric(recorded), std::min(t, horizon_ - 1));
  if (tracer_) [[unlikely]] {
    if (recorded == e)
      tracer_->step(p.info, t, from, Node::end(e), why.empty() ? std::string(topo_.transitions()[edge].why) : why);
    tracer_->finish(p.info, std::min(t, horizon_), recorded);
  }
}

std::string Model::policy_in_force(const Person& p, sim::Time t, RulePart part, std::string_view otherwise) const {
  const PolicySpec* last = nullptr;
  for (const auto& pol : sc_.policies) {
    if (!pol.sets_part(part)) continue;
    if (!pol.scope.covers(*places_[p.info.jurisdiction].spec)) continue;
    if (cal_.to_time(pol.from) <= t && (!pol.to || t < cal_.to_time(*pol.to))) last = &pol;
  }
  return last ? last->summary + " (" + last->origin + ")" : std::string(otherwise);
}

std::string Model::days_not_counted(sim::Time from, sim::Time until) const {
  std::string out;
  for (sim::Time day = cal_.start_of_day(from); day < until; day += sim::kDay) {
    const sim::Date d = cal_.date_of(day);
    if (cal_.is_business_day(d)) continue;
    const std::string date = when(day).substr(11, 3) + " " + sim::format_date(d);  // "Sat 2011-05-28"
    std::string name;
    for (const auto& h : sim::federal_holidays(int(d.year())))
      if (h.date == d) name = std::string(h.name) + " (" + date + ")";
    out += (out.empty() ? "" : ", ") + (name.empty() ? date : name);
  }
  return out;
}

Person Model::make_person(std::size_t j, sim::Stream& s, bool extra, const Segment& seg, bool& booked) {
  Place& pl = places_[j];
  const Jurisdiction& jur = *pl.spec;
  Person p{};
  p.info.jurisdiction = j;
  p.info.booked = sim_.now();
  if (extra) {
    std::size_t cell = seg.extra_mix.sample(s);
    p.info.group = static_cast<Group>(cell / kCharges);
    p.info.charge = static_cast<Charge>(cell % kCharges);
  } else {
    p.info.group = static_cast<Group>(pl.group.sample(s));
    p.info.charge = static_cast<Charge>(pl.charge.sample(s));
  }
  const auto g = static_cast<std::size_t>(p.info.group);
  const auto c = static_cast<std::size_t>(p.info.charge);
  double u_keep = s.uniform();
  booked = extra || u_keep < seg.keep[g][c];
  const sim::AliasTable* levels = &pl.level[c];
  if (extra && seg.extra_level[g * kCharges + c]) levels = &*seg.extra_level[g * kCharges + c];
  p.info.level = static_cast<Level>(levels->sample(s));
  p.info.in_ident = s.uniform() < p_match(jur.population, p.info.group);
  p.u_activation = s.uniform();
  p.info.path = static_cast<JailPath>(pl.path[c].sample(s));
  const JailStay& stay = jur.jail[c];
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
  if (p.info.in_ident) {
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
  p.info.id = (std::uint64_t(j) << 40) | (extra ? (std::uint64_t(1) << 39) : 0) | pl.next_id++;
  return p;
}

// The journey of one booking. Steps that need no waiting for anyone else
// (people never matched, released on schedule) are settled at once with their
// known end time, so most bookings cost no event beyond their arrival.
sim::Process Model::journey(Person p) {
  using S = Stage;
  using E = EndState;
  const auto st = [](Stage s) { return Node::stage(s); };
  Token token(this, p.info.jurisdiction);
  const Place& pl = places_[p.info.jurisdiction];
  const PipelineParams& pp = sc_.pipeline;
  const auto level = static_cast<std::size_t>(p.info.level);

  // Booked: prints taken and sent to the State Identification Bureau and IAFIS.
  ++open_at_[static_cast<std::size_t>(S::booking)];
  add(p, Metric::bookings, p.info.booked);
  add_days(p, Metric::jail_bed_days, p.info.booked, p.release);
  if (tracer_) [[unlikely]]
    tracer_->step(p.info, sim_.now(), st(S::booking), st(S::booking),
                  "booked on " + std::string(charge_words(p.info.charge)) + " charge and fingerprinted; " +
                      std::string(group_words(p.info.group)) + ", " + std::string(level_words(p.info.level)) +
                      "; without ICE, criminal custody ends " + when(p.release) + " (" +
                      std::string(path_words(p.info.path)) + ")");
  move(p, st(S::booking), st(S::iafis),
       explain([] { return "prints sent to the State Identification Bureau and on to FBI IAFIS"; }));

  // Does IAFIS forward the prints to IDENT?
  const Segment* seg = &segment_at(pl, sim_.now());
  if (!covered(pl, *seg, p, sim_.now())) {
    finish(p, st(S::iafis), E::released_not_activated, p.release, token.ended, explain([&] {
             std::string why = "IAFIS checks criminal history only: Secure Communities ";
             if (pl.rollout->activation)
               why += "starts here on " + sim::format_date(*pl.spec->activation);
             else if (!pl.rollout->ramp.empty())
               why += "has not reached this booking's area yet (rollout ramp)";
             else
               why += "is never activated here in this scenario";
             if (seg->coverage_cap < 1.0)
               why += "; rollout frozen by " + policy_in_force(p, sim_.now(), RulePart::rollout_freeze, "a state refusal");
             return why + "; " + released_text(p);
           }));
    co_return;
  }
  const Sharing shared = sharing(seg->rules);
  if (shared == Sharing::never) {
    finish(p, st(S::iafis), E::released_not_shared, p.release, token.ended, explain([&] {
             return "prints not forwarded to IDENT under " +
                    policy_in_force(p, sim_.now(), RulePart::sharing, "a no-sharing rule") + "; " +
                    released_text(p);
           }));
    co_return;
  }
  Node at = st(S::iafis);
  if (shared == Sharing::at_conviction) {
    move(p, at, st(S::awaiting_conviction), explain([&] {
           return "prints held until a conviction under " +
                  policy_in_force(p, sim_.now(), RulePart::post_conviction, "post-conviction-only sharing");
         }));
    if (!reaches_conviction(p.info.path)) {
      finish(p, st(S::awaiting_conviction), E::released_not_convicted, p.release, token.ended,
             explain([&] { return "never convicted, so the prints never reach IDENT; " + released_text(p); }));
      co_return;
    }
    co_await sim_.until(p.conviction);
    seg = &segment_at(pl, sim_.now());
    if (!shares_at_conviction(seg->rules)) {
      finish(p, st(S::awaiting_conviction), E::released_not_shared, p.release, token.ended, explain([&] {
               return "convicted, but sharing has stopped under " +
                      policy_in_force(p, sim_.now(), RulePart::sharing, "a no-sharing rule") + "; " +
                      released_text(p);
             }));
      co_return;
    }
    at = st(S::awaiting_conviction);
  }
  move(p, at, st(S::ident), explain([&] {
         return std::string(at == st(S::iafis) ? "Secure Communities is active here" : "convicted") +
                ": IAFIS also sends the prints to DHS IDENT";
       }));
  add(p, Metric::fingerprints_submitted, sim_.now());

  // IDENT: only people DHS has met before can match.
  if (!p.info.in_ident) {
    finish(p, st(S::ident), E::released_no_match, p.release, token.ended, explain([&] {
             return std::string(p.info.group == Group::removable_unknown
                                    ? "no IDENT match: DHS never encountered this person"
                                    : "no IDENT match: this person's prints are not in DHS's records") +
                    "; " + released_text(p);
           }));
    co_return;
  }
  co_await sim_.timeout(p.d_iafis);
  add(p, Metric::ident_matches, sim_.now());
  add(p, by_level(Metric::ident_matches_level1, p.info.level), sim_.now());
  move(p, st(S::ident), st(S::lesc), explain([&] {
         return "IDENT match, " + hours_text(p.d_iafis) +
                " after submission: an Immigration Alien Query (IAQ) goes to ICE's LESC";
       }));

  // LESC: an analyst checks the databases and answers with an IAR.
  sim::Duration waited = co_await lesc_.request();
  co_await sim_.timeout(p.d_lesc);
  lesc_.release();
  add(p, Metric::lesc_wait_hours, sim_.now(), double(waited) / 3600.0);
  seg = &segment_at(pl, sim_.now());
  const bool notify_jail = notifies_jail(seg->rules);
  if (notify_jail) add(p, Metric::local_notifications, sim_.now());
  move(p, st(S::lesc), st(S::ice_decision), explain([&] {
         return std::string("LESC answers with an Immigration Alien Response (IAR)") +
                (waited > 0 ? " after waiting " + hours_text(waited) + " for an analyst" : "") +
                (notify_jail ? ", to the ICE field office and the jail"
                             : ", to the ICE field office only: no local notification under " +
                                   policy_in_force(p, sim_.now(), RulePart::local_notification, "an opt-out"));
       }));

  // The field office decides, by level and the priorities in force.
  const RuleSet& r = seg->rules;
  const bool citizen = is_citizen(p.info.group);
  // The priorities that decide, for traces.
  const auto priorities = [&] {
    return "P(detainer)=" + share_text(r.p_detainer[level]) + ", P(notification)=" +
           share_text(r.p_notification[level]) + " for " + std::string(kLevelNames[level]) + " under " +
           policy_in_force(p, sim_.now(), RulePart::ice_priorities, "the scenario's ICE priorities");
  };
  const IceAction ice = ice_action(pp, r, p.info.level, citizen);
  const IceAction::Outcome action = ice.draw(p.u_citizen, p.u_decision);
  if (action == IceAction::recognised_citizen) {
    finish(p, st(S::ice_decision), E::released_no_action, std::max(sim_.now(), p.release), token.ended,
           explain([&] { return "LESC's checks show a US citizen: no ICE action; " + released_text(p); }));
    co_return;
  }
  const bool detainer = action == IceAction::detainer;
  if (action == IceAction::none) {
    finish(p, st(S::ice_decision), E::released_no_action, std::max(sim_.now(), p.release), token.ended,
           explain([&] { return "ICE takes no action (" + priorities() + "); " + released_text(p); }));
    co_return;
  }
  co_await sim_.timeout(p.d_decision);

  Node custody_from = st(S::detainer_hold);
  if (detainer) {
    move(p, st(S::ice_decision), st(S::detainer),
         explain([&] { return "ICE lodges a detainer (Form I-247) with the jail: " + priorities(); }));
    add(p, Metric::detainers_issued, sim_.now());
    if (released_first(sim_.now(), p.release)) {
      finish(p, st(S::detainer), E::released_before_ice_action, p.release, token.ended,
             explain([&] { return "already " + released_text(p) + ", before the detainer arrived"; }));
      co_return;
    }
    // A detainer costs the bail: the person stays until the case is disposed of.
    sim::Time release = p.release;
    const Segment& at_lodging = segment_at(pl, sim_.now());
    if (loses_bail(pp, at_lodging.rules, p.info.path, p.info.level, p.u_honor, p.u_bail))
      release = std::max(p.release, p.info.booked + p.disposition);
    if (release > p.release) {
      add_days(p, Metric::extra_jail_days_detainer, p.release, release);
      add_days(p, Metric::jail_bed_days, p.release, release);
      if (tracer_) [[unlikely]]
        tracer_->step(p.info, sim_.now(), st(S::detainer), st(S::detainer),
                      "with a detainer there is no bail (P=" + share_text(p_bail_lost(pp, at_lodging.rules)) +
                          "): custody lasts until the case is disposed of, " + when(release) + " instead of " +
                          when(p.release));
    }
    co_await sim_.until(release);

    // At release the jail honours or declines the hold, under the rules of that day.
    const Segment& at_release = segment_at(pl, sim_.now());
    if (!honors(at_release.rules, p.info.level, p.u_honor)) {
      if (release > p.release && scaap_eligible(p, release - p.info.booked))
        add_days(p, Metric::scaap_eligible_days, p.release, release);
      add(p, Metric::detainers_declined, sim_.now());
      finish(p, st(S::detainer), E::released_detainer_declined, sim_.now(), token.ended, explain([&] {
               return "the jail declines the detainer under " +
                      policy_in_force(p, sim_.now(), RulePart::detainer_response, "the scenario's detainer rule") +
                      "; released at the end of criminal custody";
             }));
      co_return;
    }
    add(p, Metric::detainers_honored, sim_.now());
    // 8 CFR 287.7(d): at most 48 hours, excluding Saturdays, Sundays and holidays.
    const PickupInHold pickup = pickup_in_hold(pp, at_release.rules);
    const sim::Time hold_end = pickup.hold_end(cal_, sim_.now());
    const bool picked = pickup.picked(p.u_pickup, sim_.now(), p.d_pickup, hold_end);
    const sim::Time out = picked ? sim_.now() + p.d_pickup : hold_end;
    move(p, st(S::detainer), st(S::detainer_hold), explain([&] {
           const std::string skipped = days_not_counted(sim_.now(), hold_end);
           return "criminal custody is over; the jail holds the person for ICE: at most " +
                  std::to_string(pickup.max_hold / sim::kHour) +
                  " hours excluding weekends and holidays (8 CFR 287.7(d)), so until " + when(hold_end) +
                  (skipped.empty() ? std::string() : ", not counting " + skipped);
         }));
    add_days(p, Metric::detainer_hold_days, sim_.now(), out);
    add_days(p, Metric::jail_bed_days, sim_.now(), out);
    if (scaap_eligible(p, out - p.info.booked)) add_days(p, Metric::scaap_eligible_days, p.release, out);
    co_await sim_.until(out);
    if (!picked) {
      finish(p, st(S::detainer_hold), E::released_hold_expired, sim_.now(), token.ended, explain([&] {
               return p.u_pickup < pickup.p_comes
                          ? "hold expired: ICE would have come " + hours_text(p.d_pickup) +
                                " after release, too late; released"
                          : "hold expired: ICE did not come (P(pick-up)=" + share_text(pickup.p_comes) +
                                "); released";
             }));
      co_return;
    }
  } else {
    move(p, st(S::ice_decision), st(S::notification_request),
         explain([&] { return "ICE asks to be notified of the release, without a hold (I-247N): " + priorities(); }));
    add(p, Metric::notification_requests, sim_.now());
    if (released_first(sim_.now(), p.release)) {
      finish(p, st(S::notification_request), E::released_before_ice_action, p.release, token.ended,
             explain([&] { return "already " + released_text(p) + ", before the request arrived"; }));
      co_return;
    }
    co_await sim_.until(p.release);
    const double p_met = p_met_at_release(pp, segment_at(pl, sim_.now()).rules);
    if (!(p.u_pickup < p_met)) {
      finish(p, st(S::notification_request), E::released_no_action, sim_.now(), token.ended, explain([&] {
               return "released; ICE does not come to the notified release (P(comes)=" + share_text(p_met) + ")";
             }));
      co_return;
    }
    custody_from = st(S::notification_request);
  }

  // ICE custody and removal proceedings.
  move(p, custody_from, st(S::ice_custody), explain([&] {
         return custody_from == st(S::detainer_hold)
                    ? "ICE picks the person up " + hours_text(p.d_pickup) + " into the hold: transferred to ICE detention"
                    : std::string("ICE meets the release: transferred to ICE detention");
       }));
  add(p, Metric::ice_bookings, sim_.now());
  add(p, by_level(Metric::ice_bookings_level1, p.info.level), sim_.now());
  if (citizen) add(p, Metric::us_citizens_detained, sim_.now());
  const EndState outcome = custody_outcome(pp, segment_at(pl, sim_.now()).rules, citizen).draw(p.u_outcome);
  const sim::Duration held = outcome == E::released_on_bond ? p.d_bond : p.d_detention;
  const sim::Time custody_start = sim_.now();
  add_days(p, Metric::ice_detention_days, custody_start, custody_start + held);
  co_await sim_.timeout(held);
  if (outcome == E::removed) {
    add(p, Metric::removals, sim_.now());
    add(p, by_level(Metric::removals_level1, p.info.level), sim_.now());
  }
  finish(p, st(S::ice_custody), outcome, sim_.now(), token.ended, explain([&] {
           return std::string(topo_.transitions()[static_cast<std::size_t>(
                                  topo_.edge(st(S::ice_custody), Node::end(outcome)))].why) +
                  ", after " + hours_text(held) + " in ICE detention";
         }));
}

// Bookings arrive as a Poisson process whose rate is constant within a day
// (day-of-week pattern) and a policy segment; at each change the exponential
// gap is redrawn, which is exact because the process is memoryless.
sim::Process Model::arrivals(std::size_t j, bool extra) {
  Place& pl = places_[j];
  sim::Stream& gaps = extra ? extra_arrival_streams_[j] : arrival_streams_[j];
  sim::Stream& people = extra ? extra_person_streams_[j] : person_streams_[j];
  double t = 0;
  for (;;) {
    auto now = static_cast<sim::Time>(t);
    const Segment& seg = segment_at(pl, now);
    sim::Time change = cal_.start_of_day(now) + sim::kDay;
    auto next_seg = std::upper_bound(pl.segments.begin(), pl.segments.end(), now,
                                     [](sim::Time x, const Segment& s) { return x < s.from; });
    if (next_seg != pl.segments.end()) change = std::min(change, next_seg->from);
    // No new bookings after period.bookings_until (the run itself goes on to the horizon).
    const sim::Time last_booking = sc_.bookings_until ? cal_.to_time(*sc_.bookings_until) + sim::kDay : horizon_;
    change = std::min(change, std::min(horizon_, last_booking));
    const unsigned dow = cal_.weekday_of(now).iso_encoding() - 1;
    const double rate = pl.rate_per_second * pl.dow[dow] * (extra ? seg.extra_weight : 1.0);
    double next = rate > 0 ? t + gaps.exponential(1.0 / rate) : std::numeric_limits<double>::infinity();
    if (next >= double(change)) {
      if (change >= std::min(horizon_, last_booking)) co_return;
      t = double(change);
      continue;
    }
    t = next;
    co_await sim_.until(static_cast<sim::Time>(t));
    bool booked = false;
    Person p = make_person(j, people, extra, segment_at(pl, sim_.now()), booked);
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
  for (std::size_t j = 0; j < places_.size(); ++j) {
    sim_.start(arrivals(j, false));
    bool any_bias = false;
    for (const auto& s : places_[j].segments) any_bias |= s.extra_weight > 0;
    if (any_bias) sim_.start(arrivals(j, true));
  }
  if (opt_.progress) sim_.start(progress_ticker());
  sim::EventDigest digest;
  if (opt_.record_events) sim_.record_events(&digest);
  sim_.run_until(horizon_);
  sim_.record_events(nullptr);

  // Whoever is still in a journey at the horizon ends there.
  for (std::size_t j = 0; j < places_.size(); ++j) {
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

}  // namespace

ReplicationResult run_replication(const Scenario& sc, std::size_t replication, const RunOptions& opt) {
  if (sc.abstract)
    throw ScenarioError(sc.path, 0, 0, "abstract",
                        "'" + sc.name + "' is abstract (shared defaults): run a scenario that extends it");
  Model m(sc, replication, opt);
  return m.run();
}

}  // namespace scsim
