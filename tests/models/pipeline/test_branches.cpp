// The pipeline's decisions (models/pipeline/branches.hpp): the journey draws
// an outcome from a uniform, the analytic chain integrates shares; both come
// from one declaration and must agree. A grid of uniforms stands in for the
// draws: the share of grid points giving an outcome is its probability to
// within the grid step.
#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "models/pipeline/branches.hpp"

using namespace scsim;

namespace {

constexpr int kGrid = 20000;
double grid_u(int i) { return (i + 0.5) / kGrid; }
constexpr double kStep = 1.0 / kGrid;

}  // namespace

TEST_CASE("every edge of the stage graph names the decision that takes it, and each decision its stage",
          "[branches]") {
  const auto& tr = Topology::pipeline().transitions();
  std::set<std::string_view> names;
  for (std::size_t d = 0; d < kDecisions; ++d) names.insert(decision_name(Decision(d)));
  CHECK(names.size() == kDecisions);
  std::set<std::size_t> used;
  for (const auto& t : tr) {
    INFO(t.from.name() << " -> " << t.to.name());
    CHECK_FALSE(t.rule.empty());
    used.insert(std::size_t(t.decision));
    if (t.to == Node::end(EndState::in_system_at_horizon)) {
      CHECK(t.decision == Decision::horizon);
      continue;
    }
    if (t.from == Node::stage(Stage::ice_custody)) CHECK(t.decision == Decision::custody_outcome);
    if (t.from == Node::stage(Stage::ice_decision)) CHECK(t.decision == Decision::ice_action);
  }
  CHECK(used.size() == kDecisions);  // no decision without an edge
}

TEST_CASE("the ICE action drawn from uniforms has the shares the chain integrates", "[branches]") {
  PipelineParams pp;
  pp.lesc_citizen_detection = 0.3;
  pp.lesc_lawful_screening = 0.45;
  RuleSet r;
  r.p_detainer = {0.9, 0.6, 0.25, 0.0};
  r.p_notification = {0.3, 0.2, 0.25, 0.0};  // level1: the two sum past 1
  for (Status s : {Status::removable, Status::citizen, Status::no_ground, Status::not_removable})
    for (std::size_t l = 0; l < kLevels; ++l) {
      INFO("level " << l << " status " << kStatusNames[std::size_t(s)]);
      const IceAction a = ice_action(pp, r, Level(l), s);
      CHECK(a.recognised == (s == Status::citizen ? 0.3 : s == Status::no_ground ? 0.45 : 0.0));
      std::array<int, 3> n{};  // detainer, notification, none, among those not recognised
      for (int i = 0; i < kGrid; ++i) {
        const auto o = a.draw(1.0 - 1e-12, grid_u(i));  // u_citizen that never recognises
        n[o == IceAction::detainer ? 0 : o == IceAction::notification ? 1 : 2]++;
      }
      CHECK(n[0] * kStep == Approx(a.detainer_share()).margin(kStep));
      CHECK(n[1] * kStep == Approx(a.notification_share()).margin(kStep));
      CHECK(n[2] * kStep == Approx(a.none_share()).margin(kStep));
      CHECK(a.detainer_share() + a.notification_share() + a.none_share() == Approx(1.0));
      int recognised = 0;
      for (int i = 0; i < kGrid; ++i) recognised += a.draw(grid_u(i), 0.0) == IceAction::recognised_citizen;
      CHECK(recognised * kStep == Approx(a.recognised).margin(kStep));
    }
}

TEST_CASE("the custody path drawn from uniforms has the shares the chain integrates", "[branches]") {
  PipelineParams pp;
  pp.custody_paths = {0.15, 0.25, 0.1, 0.5};
  pp.reinstatement = 0.8;
  pp.court_outcomes = {0.7, 0.15, 0.1, 0.05};
  for (std::size_t si = 0; si < kStatuses; ++si) {
    const Status s = Status(si);
    INFO("status " << kStatusNames[si]);
    const CustodyPlan plan = custody_plan(pp, RuleSet{}, s);
    double sum = 0;
    for (double x : plan.share) sum += x;
    CHECK(sum == Approx(1.0));
    std::array<int, kCustodyPaths> n{};
    std::map<EndState, int> ends;
    for (int i = 0; i < kGrid; ++i) {
      const CustodyPath path = plan.draw(grid_u(i));
      n[std::size_t(path)]++;
      ends[path_end(path, s, grid_u((i * 7919) % kGrid), plan)]++;
    }
    for (std::size_t k = 0; k < kCustodyPaths; ++k) CHECK(n[k] * kStep == Approx(plan.share[k]).margin(kStep));
    const bool removable = s == Status::removable || s == Status::prior_order;
    CHECK((ends[EndState::removed] > 0) == removable);  // only removable people are ever removed
    if (s == Status::citizen) CHECK(ends[EndState::terminated_citizen] == kGrid);
    if (s == Status::prior_order) CHECK(plan.share[std::size_t(CustodyPath::reinstated)] == 0.8);
    if (s == Status::removable) CHECK(plan.share[std::size_t(CustodyPath::reinstated)] == 0.0);
  }
  // A court case's outcome from its own uniform.
  std::map<EndState, int> court;
  for (int i = 0; i < kGrid; ++i) court[CustodyPlan::court_end(grid_u(i), pp.court_outcomes)]++;
  for (std::size_t o = 0; o < 4; ++o)
    CHECK(court[CustodyPlan::kCourtEnds[o]] * kStep == Approx(pp.court_outcomes[o]).margin(kStep));
}

TEST_CASE("profiles at ICE custody: a citizen is a citizen, levels count the conviction", "[branches]") {
  const Population pop;
  const PipelineParams pp;
  const RecordTable t = RecordTable::build(pop);
  for (std::size_t g = 0; g < kGroups; ++g)
    for (std::size_t c = 0; c < kCharges; ++c)
      for (std::size_t l = 0; l < kLevels; ++l)
        for (bool convicted : {false, true}) {
          const ProfileMix m = profile_mix(t, pp, pop, Group(g), Charge(c), Level(l), convicted);
          double sum = 0, citizen = 0, level_above = 0;
          for (std::size_t i = 0; i < Profile::kCount; ++i) {
            sum += m[i];
            if (Profile::status(i) == Status::citizen) citizen += m[i];
            if (Profile::level(i) < Level(l) && m[i] > 0) level_above += m[i];
          }
          CHECK(sum == Approx(1.0));
          CHECK(citizen == Approx(is_citizen(Group(g)) ? 1.0 : 0.0));
          // Without a conviction on the case the level by convictions is never above the one at identification.
          if (!convicted) CHECK(level_above == 0.0);
        }
}

TEST_CASE("answers of the jail on two days are nested through one uniform", "[branches]") {
  RuleSet lodging, release;
  lodging.honor_share = 0.6;
  release.honor_share = 0.35;
  release.honor_level[std::size_t(Level::level3)] = false;
  for (std::size_t l = 0; l < kLevels; ++l)
    for (bool swap : {false, true}) {
      const RuleSet& first = swap ? release : lodging;
      const RuleSet& second = swap ? lodging : release;
      const double a = p_honor(first, Level(l)), b = p_honor(second, Level(l));
      int at_lodging = 0, both = 0, only_later = 0;
      for (int i = 0; i < kGrid; ++i) {
        const bool h1 = honors(first, Level(l), grid_u(i)), h2 = honors(second, Level(l), grid_u(i));
        at_lodging += h1;
        both += h1 && h2;
        only_later += !h1 && h2;
      }
      INFO("level " << l << " a " << a << " b " << b);
      CHECK(at_lodging * kStep == Approx(a).margin(kStep));
      if (at_lodging > 0)
        CHECK(double(both) / at_lodging == Approx(p_honor_given_lodging(a, b, true)).margin(2 * kStep / a));
      if (at_lodging < kGrid)
        CHECK(double(only_later) / (kGrid - at_lodging) ==
              Approx(p_honor_given_lodging(a, b, false)).margin(2 * kStep / (1 - a)));
    }
}

TEST_CASE("an arrest bias keeps, adds and mixes levels as one declaration", "[branches]") {
  RuleSet r;
  r.arrest_bias[std::size_t(Group::removable_known)][std::size_t(Charge::traffic)] = 3;
  r.bias_levels[std::size_t(Group::removable_known)][std::size_t(Charge::traffic)] = PerLevel<double>{0, 0, 0, 1};
  r.arrest_bias[std::size_t(Group::lpr)][std::size_t(Charge::traffic)] = 0.5;
  const PerLevel<double> baseline{0.1, 0.2, 0.3, 0.4};

  const ArrestEffect up = arrest_effect(r, Group::removable_known, Charge::traffic);
  CHECK(up.keep == 1.0);
  CHECK(up.extra == 2.0);
  // One baseline booking plus two extra ones, all of them without a record.
  const PerLevel<double> lv = up.levels(baseline);
  for (std::size_t l = 0; l < kLevels; ++l) CHECK(lv[l] == Approx((baseline[l] + 2 * (l == 3 ? 1.0 : 0.0)) / 3));

  const ArrestEffect down = arrest_effect(r, Group::lpr, Charge::traffic);
  CHECK(down.keep == 0.5);
  CHECK(down.extra == 0.0);
  CHECK(down.levels(baseline) == baseline);

  const ArrestEffect none = arrest_effect(r, Group::us_born, Charge::traffic);
  CHECK(none.multiplier == 1.0);
  CHECK(none.keep == 1.0);
  CHECK(none.extra == 0.0);
}

TEST_CASE("a pick-up counts only when ICE comes and its delay fits in the hold", "[branches]") {
  PipelineParams pp;
  pp.pickup_probability = 0.8;
  RuleSet r;
  r.max_hold_business = 48 * sim::kHour;
  const PickupInHold pick = pickup_in_hold(pp, r);
  const sim::Calendar cal(sim::parse_date("2011-05-23"));  // a Monday; the Friday before Memorial Day follows
  const sim::Time friday_evening = 4 * sim::kDay + 18 * sim::kHour;
  const sim::Time end = pick.hold_end(cal, friday_evening);
  CHECK(end == friday_evening + 5 * sim::kDay);  // Sat, Sun and Memorial Day do not count
  CHECK(pick.picked(0.5, friday_evening, 4 * sim::kDay, end));
  CHECK_FALSE(pick.picked(0.5, friday_evening, 6 * sim::kDay, end));  // too late
  CHECK_FALSE(pick.picked(0.85, friday_evening, sim::kHour, end));     // ICE does not come
}

TEST_CASE("sharing rules route a covered booking", "[branches]") {
  RuleSet r;
  CHECK(sharing(r) == Sharing::at_booking);
  r.post_conviction_only = true;
  CHECK(sharing(r) == Sharing::at_conviction);
  CHECK(shares_at_conviction(r));
  r.no_sharing = true;
  CHECK(sharing(r) == Sharing::never);  // no sharing wins over post-conviction sharing
  CHECK_FALSE(shares_at_conviction(r));
  CHECK(notifies_jail(r));
  r.no_local_notification = true;
  CHECK_FALSE(notifies_jail(r));
  CHECK(reaches_conviction(JailPath::convicted, Offense::misdemeanor));
  CHECK_FALSE(reaches_conviction(JailPath::convicted, Offense::none));  // an infraction is not checked
  CHECK_FALSE(reaches_conviction(JailPath::dismissed, Offense::felony));
}
