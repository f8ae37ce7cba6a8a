#pragma once
/// report.html of `scsim uncertainty`: one self-contained page (plotly.js
/// inlined, as app/report.hpp's) with a tornado chart of what drives each key
/// output, the distribution of each across the parameter sets with its 5th,
/// 50th and 95th percentiles, the spread beside the Monte Carlo noise, and the
/// uncertain parameters with their sources.
#include <string>
#include <vector>

#include "analysis/uncertainty.hpp"

namespace scsim_app {

struct UncertaintyPage {
  const scsim::Scenario* scenario = nullptr;
  const scsim::Design* design = nullptr;
  const scsim::DrawTable* table = nullptr;
  const std::vector<scsim::UncertaintyRow>* rows = nullptr;
  const std::vector<scsim::SensitivityRow>* sensitivity = nullptr;
  std::vector<std::string> scope_names;
  std::size_t scope = 0;
  std::string sampler;
  std::uint64_t seed = 0;
};

std::string render_uncertainty_report(const UncertaintyPage& page);

/// "triangular (min 90, mode 130, max 160)", "ensemble calibrated.csv (200 sets)".
std::string describe_uncertain(const scsim::UncertainParam& u);

}  // namespace scsim_app
