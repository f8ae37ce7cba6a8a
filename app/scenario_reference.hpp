#pragma once
/// The scenario file reference (Markdown): every declared key with type, unit,
/// default, range and help, with the prose around it.
#include <string>

namespace scsim_app {

std::string scenario_reference_markdown();

}  // namespace scsim_app
