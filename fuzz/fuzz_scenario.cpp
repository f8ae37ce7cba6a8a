// Scenario text -> a validated scenario (load_scenario_text, as for a file;
// `extends` resolves against tests/fixtures/valid). An accepted scenario must
// hold usable numbers, and its resolved YAML must load back to itself.
#include <cmath>
#include <filesystem>

#include "fuzz/fuzz_common.hpp"
#include "models/scenario/loader.hpp"

namespace {

const std::filesystem::path kBaseDir = SCSIM_SOURCE_DIR "/tests/fixtures/valid";

void check_numbers(const scsim::Scenario& sc) {
  using scsim_fuzz::require;
  require(std::isfinite(sc.volume_scale) && sc.volume_scale > 0);
  for (const auto& j : sc.jurisdictions) {
    require(std::isfinite(j.bookings_per_day) && j.bookings_per_day > 0);
    double sum = 0;
    for (double v : j.population.group_mix) require(std::isfinite(v) && v >= 0), sum += v;
    require(std::abs(sum - 1) < 1e-5);
    require(std::isfinite(j.jail_cost_per_day));
    for (const auto& p : j.coverage) require(p.fraction >= 0 && p.fraction <= 1);
    for (const auto& stay : j.jail)
      for (const auto* d : {&stay.pretrial_release, &stay.dismissed, &stay.to_conviction, &stay.sentence_served})
        require(std::isfinite(d->analytic_mean()) && d->analytic_mean() >= 0);
  }
  for (const auto* d : {&sc.pipeline.iafis_response, &sc.pipeline.lesc_service, &sc.pipeline.ice_decision_delay,
                        &sc.pipeline.pickup_delay, &sc.pipeline.ice_detention, &sc.pipeline.bond_release_after})
    require(std::isfinite(d->analytic_mean()) && d->analytic_mean() >= 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  scsim::Scenario sc;
  try {
    sc = scsim::load_scenario_text(scsim_fuzz::text(data, size), kBaseDir);
  } catch (const scsim::ScenarioError& e) {
    scsim_fuzz::check(e);
    return 0;
  }
  check_numbers(sc);
  try {
    const scsim::Scenario again = scsim::load_scenario_text(sc.resolved_yaml, kBaseDir);
    scsim_fuzz::require(again.resolved_yaml == sc.resolved_yaml);
  } catch (const scsim::ScenarioError& e) {
    std::fprintf(stderr, "the resolved YAML does not load back: %s\n", e.what());
    std::abort();
  }
  return 0;
}
