// --set strings, one per input line, applied to tests/fixtures/valid/child.yaml
// (which extends base.yaml), as `scsim run child.yaml --set ... --set ...`.
#include <string>
#include <vector>

#include "fuzz/fuzz_common.hpp"
#include "models/scenario/loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string> overrides;
  const std::string_view text = scsim_fuzz::text(data, size);
  for (std::size_t start = 0; start <= text.size() && overrides.size() < 64;) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    overrides.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  for (const auto& o : overrides) {
    try {
      scsim::parse_override(o);
    } catch (const scsim::ScenarioError& e) {
      scsim_fuzz::check(e);
    }
  }
  try {
    const scsim::Scenario sc = scsim::load_scenario(SCSIM_SOURCE_DIR "/tests/fixtures/valid/child.yaml", overrides);
    scsim_fuzz::require(!sc.jurisdictions.empty());
  } catch (const scsim::ScenarioError& e) {
    scsim_fuzz::check(e);
  }
  return 0;
}
