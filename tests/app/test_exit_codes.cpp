// The exit-code table (app/exit_codes.hpp) and the mapping main() applies to
// what a command throws. Exit 3 cannot be caused from the command line (no
// input breaks conservation: that would be a bug), so it is tested here with
// the ConservationError the model's own check raises for a broken result.
#include <catch2/catch.hpp>
#include <CLI/CLI.hpp>
#include <new>
#include <set>
#include <stdexcept>

#include "app/exit_codes.hpp"
#include "app/output.hpp"
#include "models/pipeline/journey.hpp"
#include "analysis/runner.hpp"
#include "models/scenario/loader.hpp"
#include "models/scenario/schema.hpp"
#include "sim/cancel.hpp"

using namespace scsim_app;

namespace {
const char* kCounty = R"(
name: exit code county
period: {start: 2011-01-03, end: 2011-02-28}
seed: 5
replications: 1
jurisdictions:
  - {id: testco, name: Test County, state: CA, bookings_per_day: 100, activation: 2010-01-01}
)";

template <class E>
Outcome outcome(const E& e) {
  return outcome_of(std::make_exception_ptr(e));
}
}  // namespace

TEST_CASE("the exit-code table has each code once, and --help's text lists them all", "[app][exit]") {
  std::set<int> codes;
  for (const auto& row : kExitCodes) CHECK(codes.insert(static_cast<int>(row.code)).second);
  CHECK(codes == std::set<int>{0, 1, 2, 3, 4, 130});
  const std::string table = exit_code_table();
  for (const auto& row : kExitCodes)
    CHECK_THAT(table, Catch::Contains(std::to_string(static_cast<int>(row.code)) + " ") &&
                          Catch::Contains(row.meaning));
}

TEST_CASE("a broken conservation exits 3 with the model's own message", "[app][exit]") {
  const scsim::Scenario sc = scsim::load_scenario_text(kCounty, ".");
  scsim::ReplicationResult r = scsim::run_replication(sc, 0);
  const scsim::Scopes scopes = scsim::Scopes::build(sc);
  REQUIRE_NOTHROW(scsim::check_conservation(r, scopes));
  r.monthly[static_cast<std::size_t>(scsim::Metric::bookings)] += 1;  // a booking that never ends
  std::exception_ptr thrown;
  try {
    scsim::check_conservation(r, scopes);
  } catch (...) {
    thrown = std::current_exception();
  }
  REQUIRE(thrown);
  const Outcome o = outcome_of(thrown);
  CHECK(o.code == ExitCode::conservation);
  CHECK(static_cast<int>(o.code) == 3);
  CHECK_THAT(o.message, Catch::StartsWith("conservation violated") && Catch::Contains("conservation broken in scope"));
}

TEST_CASE("every kind of failure maps to its code, with the reason in one line", "[app][exit]") {
  CHECK(outcome(UsageError("bad --out")).code == ExitCode::bad_input);
  CHECK(outcome(UsageError("bad --out")).message == "error: bad --out");
  CHECK(outcome(scsim::ScenarioError("s.yaml", 3, 4, "pipeline.x", "no")).code == ExitCode::bad_input);
  CHECK_THAT(outcome(scsim::ScenarioError("s.yaml", 3, 4, "pipeline.x", "no")).message,
             Catch::StartsWith("error: s.yaml:3:4"));
  CHECK(outcome(CLI::ValidationError("--replications", "0 is not positive")).code == ExitCode::bad_input);
  CHECK(outcome(CLI::ExtrasError({"--what"})).code == ExitCode::bad_input);
  CHECK(outcome(CLI::RequiredError("scenario")).code == ExitCode::bad_input);
  CHECK(outcome(TargetsMissed("1 of 2 targets outside")).code == ExitCode::check_failed);
  CHECK(outcome(sim::Cancelled()).code == ExitCode::interrupted);
  CHECK(outcome(std::bad_alloc()).code == ExitCode::internal_error);
  CHECK(outcome(std::bad_alloc()).message == "internal error: out of memory");
  CHECK(outcome(std::runtime_error("disk on fire")).code == ExitCode::internal_error);
  CHECK(outcome(std::logic_error("a bug")).message == "internal error: a bug");
  CHECK(outcome(CLI::RuntimeError(4)).code == ExitCode::check_failed);  // a command's own status
  CHECK(outcome_of(std::make_exception_ptr(42)).code == ExitCode::internal_error);
}

TEST_CASE("a cancelled run throws sim::Cancelled and an uncancelled one is untouched by the watch", "[app][cancel]") {
  const scsim::Scenario sc = scsim::load_scenario_text(kCounty, ".");
  const scsim::ReplicationResult plain = scsim::run_replication(sc, 0);
  std::atomic<bool> flag{false};
  {
    sim::CancelScope scope(&flag);
    const scsim::ReplicationResult watched = scsim::run_replication(sc, 0);
    CHECK(watched.events == plain.events);
    CHECK(watched.monthly == plain.monthly);
    CHECK(watched.flows == plain.flows);
    flag = true;
    CHECK_THROWS_AS(scsim::run_replication(sc, 0), sim::Cancelled);
  }
  CHECK(scsim::run_replication(sc, 0).monthly == plain.monthly);  // the scope is gone with its flag
}

TEST_CASE("run_scenario's worker threads watch the caller's cancel flag", "[app][cancel]") {
  const scsim::Scenario sc = scsim::load_scenario_text(kCounty, ".");
  std::atomic<bool> flag{true};
  sim::CancelScope scope(&flag);
  CHECK_THROWS_AS(scsim::run_scenario(sc, 4, 2), sim::Cancelled);
  flag = false;
  CHECK(scsim::run_scenario(sc, 4, 2).size() == 4);
}
