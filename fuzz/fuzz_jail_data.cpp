// State jail data CSV text -> the 51 jurisdictions of a national scenario
// (the reader of data/us_state_jails_2005_2016.csv, then build_national for
// the first year in the file, through a scratch file as the loader does).
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>

#include "fuzz/fuzz_common.hpp"
#include "models/population/national.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using scsim_fuzz::require;
  static const std::string scratch = "/tmp/scsim_fuzz_jail_data_" + std::to_string(::getpid()) + ".csv";
  const std::string_view text = scsim_fuzz::text(data, size);
  try {
    const auto rows = scsim::parse_state_jails_csv(text, scratch);
    for (const auto& r : rows) {
      require(std::isfinite(r.jail_population) && r.jail_population > 0);
      require(std::isfinite(r.latinx_share()) && r.latinx_share() >= 0);
    }
    if (rows.empty()) return 0;
    std::ofstream(scratch, std::ios::binary).write(text.data(), static_cast<std::streamsize>(text.size()));
    scsim::NationalSpec spec;
    spec.data_file = scratch;
    spec.rollout_dir = SCSIM_SOURCE_DIR "/data/sc_rollout";  // the shipped rollout facts, not beside the scratch file
    spec.year = rows.front().year;
    spec.annual_turnover = 16;
    for (const auto& j : scsim::build_national(spec, scsim::Jurisdiction{})) {
      require(std::isfinite(j.bookings_per_day) && j.bookings_per_day > 0);
      for (double v : j.population.group_mix) require(std::isfinite(v) && v >= -1e-12 && v <= 1 + 1e-12);
      for (std::size_t i = 0; i < j.coverage.size(); ++i) {
        require(j.coverage[i].fraction >= 0 && j.coverage[i].fraction <= 1);
        if (i > 0) require(j.coverage[i - 1].fraction <= j.coverage[i].fraction + 1e-12);
      }
    }
  } catch (const scsim::ScenarioError& e) {
    scsim_fuzz::check(e);
  }
  return 0;
}
