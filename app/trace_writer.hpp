#pragma once
/// A traced journey written for people (scsim trace, the Python module).
#include <ostream>

#include "models/pipeline/trace.hpp"

namespace scsim_app {

/// The readable timeline: a header, one line per step, the end.
void write_journey_text(std::ostream& os, const scsim::Scenario& sc, const scsim::Journey& j);
/// One JSON object on one line (JSON Lines): person fields, steps, end.
void write_journey_json(std::ostream& os, const scsim::Scenario& sc, const scsim::Journey& j);

}  // namespace scsim_app
