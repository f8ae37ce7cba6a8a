// Targets CSV text -> targets checked against the shipped national scenario
// (read_targets' text entry point, then validate_targets).
#include <cmath>

#include "fuzz/fuzz_common.hpp"
#include "models/scenario/loader.hpp"
#include "analysis/targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const scsim::Scenario sc = scsim::load_scenario(SCSIM_SOURCE_DIR "/scenarios/historical/us_2008_2011.yaml");
  try {
    const scsim::Targets t = scsim::parse_targets(scsim_fuzz::text(data, size), "targets.csv");
    for (const auto& x : t.items) {
      scsim_fuzz::require(std::isfinite(x.value) && x.value > 0);
      scsim_fuzz::require(x.tolerance > 0 && x.tolerance < 1);
      scsim_fuzz::require(x.as_of.ok());
    }
    scsim::validate_targets(t, sc);
  } catch (const scsim::ScenarioError& e) {
    scsim_fuzz::check(e);
  }
  return 0;
}
