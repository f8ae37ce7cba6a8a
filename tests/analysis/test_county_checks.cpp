// Each shipped county is checked against its own published figures (issue 13 §7):
// scenarios/counties/checks/<county>.csv holds them (none is an input of the county file,
// whose header lists its inputs). The model does not yet meet most of them; this test
// records which it meets and which it misses, so that a change to either shows here and the
// table below is updated in the commit that explains it. It also holds every county to the
// issue's bar for US citizens: at most 2 % of ICE book-ins.
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "analysis/analytic.hpp"
#include "analysis/targets.hpp"
#include "models/scenario/loader.hpp"

using namespace scsim;
namespace fs = std::filesystem;

namespace {

const fs::path kCounties = fs::path(SCSIM_TEST_DIR) / ".." / "scenarios" / "counties";

struct Expected {
  bool pass;
  const char* why;  // for a miss: what the model lacks (docs/targets-and-calibration.md, "County checks")
};

// The analytic expectation of each check of the shipped counties, pass or miss (session 21).
const std::map<std::string, Expected> kExpected{
    {"ice_transfers_from_jail cook_il 2011-01-01..2011-09-06",
     {false, "-45 %: without SC, only the national CAP rate finds people; ICE's jail screening in Cook found more"}},
    {"detainers_declined cook_il 2011-09-07..2012-02-29", {true, ""}},
    {"ident_matches harris_tx 2008-10-27..2009-04-26", {true, ""}},
    {"detainers_issued harris_tx 2009-11-01..2009-11-30",
     {false, "-27 %: the 287(g) deputies referred more than the screening share gives"}},
    {"ice_transfers_from_jail los_angeles_ca 2011-01-01..2011-12-31",
     {false, "-52 %: the national non-citizen rule gives LA 13.8 % of bookings; 14 % of releases went to ICE"}},
    {"ice_bookings_sc los_angeles_ca 2009-08-27..2011-02-28", {true, ""}},
    {"removals_sc_level1 los_angeles_ca 2009-08-27..2010-08-31",
     {false, "-79 %: SC's count covers every booking in the county; removals low nationally too"}},
    {"removals_sc_level2 los_angeles_ca 2009-08-27..2010-08-31", {false, "-61 %: as above"}},
    {"detainers_issued miami_dade_fl 2016-01-01..2016-12-31",
     {false, "10x: ICE in scsim lodges detainers where the jail declines them; ICE stopped asking"}},
    {"detainers_issued miami_dade_fl 2017-01-27..2017-02-16", {false, "12x: as above"}},
    {"removals santa_clara_ca 2010-10-18..2011-10-17", {false, "-14 % of an advocate's 'over 1,000'"}},
};

}  // namespace

TEST_CASE("each county's published figures are checked, and the passes and misses are the recorded ones",
          "[counties][targets]") {
  std::size_t checked = 0;
  for (const char* county : {"cook", "harris", "los_angeles", "miami_dade", "santa_clara"}) {
    INFO(county);
    const Scenario sc = load_scenario(kCounties / (std::string(county) + ".yaml"));
    const Targets t = read_targets((kCounties / "checks" / (std::string(county) + ".csv")).string());
    REQUIRE_FALSE(t.items.empty());
    validate_targets(t, sc);
    const AnalyticResult a = analyze(sc);
    for (const auto& x : t.items) {
      const double v = analytic_value(x, sc, a);
      INFO(x.label() << ": published " << x.value << ", model " << v << " (" << 100 * (v / x.value - 1) << " %)");
      const auto e = kExpected.find(x.label());
      REQUIRE(e != kExpected.end());
      INFO("recorded: " << (e->second.pass ? "pass" : std::string("miss, ") + e->second.why));
      CHECK(within(x, v) == e->second.pass);
      ++checked;
    }
    // US citizens among ICE book-ins over the whole period (issue 13: at most 2 %; published ≈ 1.6 %).
    const double ice = a.count(0, Metric::ice_bookings, sc.start, sc.end);
    const double citizens = a.count(0, Metric::us_citizens_detained, sc.start, sc.end);
    REQUIRE(ice > 0);
    INFO("US citizens " << citizens << " of " << ice << " ICE book-ins");
    CHECK(citizens / ice <= 0.02);
  }
  CHECK(checked == kExpected.size());
}
