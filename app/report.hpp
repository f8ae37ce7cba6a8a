#pragma once
/// report.html: one self-contained page per run (no network, opens from a
/// file:// URL) with the flow of bookings as a Sankey diagram, monthly series,
/// the cost table and the scenario's key settings. The page template
/// (report/template.html) and plotly.js are compiled into scsim
/// (report/embed.cmake), so the report needs nothing at run time.
#include <string>

#include "app/run_record.hpp"

namespace scsim_app {

/// The page for one run.
std::string render_report(const RunRecord& rec);

/// The version of the inlined plotly.js ("4.1.2").
const char* plotly_version();

}  // namespace scsim_app
