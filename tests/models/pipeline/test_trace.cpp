// Traced journeys (models/trace.*): tracing observes a run without changing
// it, journeys are complete and connected, filters keep only what they say,
// the run stops once enough journeys are kept, and the timeline explains a
// hold that spans a weekend and a holiday.
#include <catch2/catch.hpp>
#include <chrono>
#include <regex>
#include <sstream>

#include "models/pipeline/journey.hpp"
#include "models/scenario/loader.hpp"
#include "models/pipeline/trace.hpp"
#include "app/trace_writer.hpp"

using namespace scsim;

namespace {

// Two counties over Memorial Day (Mon 2011-05-30) and Independence Day (Mon
// 2011-07-04), with enough removable people that every filter finds journeys.
const char* kCounties = R"(
name: trace test counties
period: {start: 2011-05-01, end: 2011-07-31}
seed: 11
replications: 1
defaults:
  population:
    group_mix: {us_born: 0.5, naturalized: 0.05, lpr: 0.1, other_lawful: 0.05, removable_known: 0.2, removable_unknown: 0.1}
jurisdictions:
  - {id: testco, name: Test County, state: CA, bookings_per_day: 300, activation: 2010-01-01}
  - {id: otherco, name: Other County, state: TX, bookings_per_day: 200, activation: 2010-01-01}
)";

Scenario counties(std::vector<std::string> overrides = {}) { return load_scenario_text(kCounties, ".", overrides); }

/// Sees every step and never stops the run.
struct CountingSink : TraceSink {
  std::size_t steps = 0, finishes = 0;
  void step(const PersonInfo&, sim::Time, Node, Node, const std::string& what) override {
    ++steps;
    if (what.empty()) ++empty_whats;
  }
  void finish(const PersonInfo&, sim::Time, EndState) override { ++finishes; }
  std::size_t empty_whats = 0;
};

std::vector<Journey> trace(const Scenario& sc, const std::string& filter, std::size_t people,
                           std::optional<std::size_t> jurisdiction = std::nullopt) {
  TraceOptions opt;
  opt.people = people;
  opt.filter = JourneyFilter::parse(filter);
  opt.jurisdiction = jurisdiction;
  return trace_scenario(sc, opt);
}

}  // namespace

TEST_CASE("a traced run simulates exactly what an untraced run does", "[trace]") {
  const Scenario sc = counties();
  using clock = std::chrono::steady_clock;
  auto t0 = clock::now();
  const ReplicationResult plain = run_replication(sc, 0);
  auto t1 = clock::now();
  CountingSink sink;
  RunOptions opt;
  opt.tracer = &sink;
  const ReplicationResult traced = run_replication(sc, 0, opt);
  auto t2 = clock::now();
  CHECK(traced.events == plain.events);
  CHECK(traced.monthly == plain.monthly);
  CHECK(traced.flows == plain.flows);
  // Every booking reported its steps and ended once (or is still in the system).
  const double bookings = plain.total(0, Metric::bookings);
  CHECK(double(sink.finishes) <= bookings);
  CHECK(double(sink.finishes) >= bookings - plain.total(0, end_metric(EndState::in_system_at_horizon)));
  CHECK(sink.steps > 3 * sink.finishes);
  CHECK(sink.empty_whats == 0);  // every step says what happened
  using ms = std::chrono::duration<double, std::milli>;
  const double untraced_ms = ms(t1 - t0).count(), traced_ms = ms(t2 - t1).count();
  WARN("untraced " << untraced_ms << " ms, traced (every step) " << traced_ms << " ms, " << plain.events << " events");
}

TEST_CASE("every kept journey runs from its booking to its end through connected steps", "[trace]") {
  const Scenario sc = counties();
  const auto journeys = trace(sc, "", 400);
  REQUIRE(journeys.size() == 400);
  std::size_t matched = 0;
  for (std::size_t i = 0; i < journeys.size(); ++i) {
    const Journey& j = journeys[i];
    CHECK(j.number == i + 1);
    REQUIRE(j.steps.size() >= 3);
    CHECK(j.steps.front().from == Node::stage(Stage::booking));
    CHECK(j.steps.front().to == Node::stage(Stage::booking));
    CHECK(j.steps.front().t == j.person.booked);
    for (std::size_t k = 1; k < j.steps.size(); ++k) {
      CHECK(j.steps[k].from == j.steps[k - 1].to);
      // Time runs forward, except the one end that happened before ICE's action arrived.
      if (j.end != EndState::released_before_ice_action) CHECK(j.steps[k].t >= j.steps[k - 1].t);
    }
    if (j.end != EndState::in_system_at_horizon) {
      CHECK(j.steps.back().to == Node::end(j.end));
      CHECK(j.steps.back().t == j.end_time);
    }
    matched += j.visited(Node::stage(Stage::lesc));
  }
  CHECK(matched > 0);
}

TEST_CASE("filters keep only journeys with every term and a leading bang negates a term", "[trace]") {
  const Scenario sc = counties();
  for (const auto& j : trace(sc, "removed,level3", 5)) {
    CHECK(j.end == EndState::removed);
    CHECK(j.person.level == Level::level3);
    CHECK(j.visited(Node::stage(Stage::ice_custody)));
  }
  const auto matched_noncitizens = trace(sc, "matched, !citizen", 20);
  REQUIRE(matched_noncitizens.size() == 20);
  for (const auto& j : matched_noncitizens) {
    CHECK(j.visited(Node::stage(Stage::lesc)));
    CHECK_FALSE(is_citizen(j.person.group));
  }
  for (const auto& j : trace(sc, "traffic,removable_unknown", 5)) {
    CHECK(j.person.charge == Charge::traffic);
    CHECK(j.person.group == Group::removable_unknown);
    CHECK_FALSE(j.visited(Node::stage(Stage::lesc)));  // never encountered: cannot match
    // Not matched, so released without a match unless CAP or a 287(g) officer found them.
    if (!j.visited(Node::stage(Stage::jail_screening))) CHECK(j.end == EndState::released_no_match);
  }
}

TEST_CASE("an unknown filter term is an error that lists the known terms", "[trace]") {
  CHECK_THROWS_WITH(JourneyFilter::parse("removed,levl3"),
                    Catch::Contains("unknown trace filter 'levl3'") && Catch::Contains("level3") &&
                        Catch::Contains("holiday"));
  CHECK(JourneyFilter::parse(" , ").empty());
}

TEST_CASE("the run stops as soon as enough journeys are kept", "[trace]") {
  const Scenario sc = counties();
  const ReplicationResult full = run_replication(sc, 0);
  TraceOptions opt;
  opt.people = 2;
  JourneyCollector c(sc, opt);
  RunOptions ro;
  ro.tracer = &c;
  const ReplicationResult stopped = run_replication(sc, 0, ro);
  CHECK(c.journeys().size() == 2);
  CHECK(stopped.events * 100 < full.events);  // two journeys need a few minutes of simulated time, not months
}

TEST_CASE("a streaming collector hands journeys over in order and keeps none of them", "[trace]") {
  const Scenario sc = counties();
  TraceOptions opt;
  opt.people = 40;
  std::vector<std::size_t> numbers;
  JourneyCollector c(sc, opt, [&](const Journey& j) { numbers.push_back(j.number); });
  RunOptions ro;
  ro.tracer = &c;
  run_replication(sc, 0, ro);
  c.close(sc.horizon());
  CHECK(c.journeys().empty());  // memory does not grow with the journeys printed
  CHECK(c.kept() == 40);
  REQUIRE(numbers.size() == 40);
  for (std::size_t i = 0; i < numbers.size(); ++i) CHECK(numbers[i] == i + 1);
}

TEST_CASE("at most max_open journeys are followed at once, each from its booking", "[trace]") {
  const Scenario sc = counties();
  TraceOptions opt;
  opt.people = 1000000;  // never enough: the run goes to the horizon
  opt.filter = JourneyFilter::parse("removed");  // undecidable at booking: everyone is a candidate
  opt.max_open = 25;
  JourneyCollector c(sc, opt);
  RunOptions ro;
  ro.tracer = &c;
  run_replication(sc, 0, ro);
  c.close(sc.horizon());
  CHECK(c.peak_open() == 25);
  CHECK(c.skipped() > 0);
  REQUIRE_FALSE(c.journeys().empty());
  for (const Journey& j : c.journeys()) {
    REQUIRE_FALSE(j.steps.empty());
    CHECK(j.steps.front().from == Node::stage(Stage::booking));
    CHECK(j.steps.front().to == Node::stage(Stage::booking));
    CHECK(j.steps.front().t == j.person.booked);
  }
  // Without the bound the same run follows many more at once.
  opt.max_open = std::size_t(-1);
  JourneyCollector all(sc, opt);
  ro.tracer = &all;
  run_replication(sc, 0, ro);
  CHECK(all.peak_open() > 25);
  CHECK(all.skipped() == 0);
}

TEST_CASE("a hold over a weekend and a holiday names the days it does not count", "[trace][calendar]") {
  // Everyone removable, matched, detained and held (ICE never comes), so holds start every day.
  const Scenario sc = counties({"defaults.population.group_mix={us_born: 0, naturalized: 0, lpr: 0, other_lawful: 0, "
                                "removable_known: 1, removable_unknown: 0}",
                                "pipeline.pickup_probability=0"});
  const auto journeys = trace(sc, "held,holiday,weekend", 5);
  REQUIRE(journeys.size() == 5);
  const sim::Calendar cal(sc.start);
  for (const auto& j : journeys) {
    auto hold = j.hold();
    REQUIRE(hold);
    CHECK(hold->second - hold->first > 48 * sim::kHour);  // stretched by the days not counted
    CHECK(j.end == EndState::released_hold_expired);
    std::ostringstream os;
    scsim_app::write_journey_text(os, sc, j);
    const std::string text = os.str();
    INFO(text);
    CHECK((text.find("Memorial Day (Mon 2011-05-30)") != std::string::npos ||
           text.find("Independence Day (Mon 2011-07-04)") != std::string::npos));
    CHECK(text.find("not counting Sat") != std::string::npos);
    // One line per step: "  YYYY-MM-DD Ddd HH:MM  stage  what".
    const std::regex line(R"(^  \d{4}-\d\d-\d\d (Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d\d:\d\d  [a-z_]+ +\S.*$)");
    std::istringstream lines(text);
    std::string l;
    std::size_t step_lines = 0;
    while (std::getline(lines, l)) step_lines += std::regex_match(l, line);
    CHECK(step_lines == j.steps.size());
  }
  // A hold inside a working week spans no holiday: "!holiday" finds those.
  for (const auto& j : trace(sc, "held,!holiday", 5)) {
    auto hold = j.hold();
    REQUIRE(hold);
    for (sim::Time t = cal.start_of_day(hold->first); t < hold->second; t += sim::kDay)
      CHECK_FALSE(sim::is_federal_holiday(cal.date_of(t)));
  }
}

TEST_CASE("the jurisdiction option keeps the people of one jurisdiction found by id or name or state", "[trace]") {
  const Scenario sc = counties();
  CHECK(find_jurisdiction_index(sc, "otherco") == 1);
  CHECK(find_jurisdiction_index(sc, "Other County") == 1);
  CHECK(find_jurisdiction_index(sc, "tx") == 1);
  CHECK_THROWS_WITH(find_jurisdiction_index(sc, "nowhere"), Catch::Contains("testco, otherco"));
  const auto journeys = trace(sc, "", 30, 1);
  REQUIRE(journeys.size() == 30);
  for (const auto& j : journeys) CHECK(j.person.jurisdiction == 1);
}

TEST_CASE("journeys still open at the horizon end there when the run is not stopped early", "[trace]") {
  // A short period and long ICE detention: people taken into custody are still there at the end.
  const Scenario sc = counties({"period={start: 2011-05-01, end: 2011-05-20}"});
  const auto journeys = trace(sc, "ice_custody,in_system_at_horizon", 3);
  REQUIRE(journeys.size() == 3);
  for (const auto& j : journeys) {
    CHECK(j.end == EndState::in_system_at_horizon);
    CHECK(j.end_time == sc.horizon());
    CHECK(j.steps.back().to == Node::stage(Stage::ice_custody));
  }
}

TEST_CASE("a journey in JSON Lines is one line with the person and every step and the end", "[trace]") {
  const Scenario sc = counties();
  const auto journeys = trace(sc, "removed", 1);
  REQUIRE(journeys.size() == 1);
  std::ostringstream os;
  scsim_app::write_journey_json(os, sc, journeys[0]);
  const std::string s = os.str();
  CHECK(s.rfind("{\"journey\":1,\"person\":\"", 0) == 0);
  CHECK(s.back() == '\n');
  CHECK(s.find('\n') == s.size() - 1);
  CHECK(s.find("\"end\":\"removed\"") != std::string::npos);
  std::size_t steps = 0;
  for (std::size_t at = s.find("\"what\":"); at != std::string::npos; at = s.find("\"what\":", at + 1)) ++steps;
  CHECK(steps == journeys[0].steps.size());
}
