#pragma once
/// What the analysis commands (run, budget, compare, sweep) share: running a
/// scenario behind the progress bar, the record of one run for results.sqlite
/// and report.html, and small text helpers.
#include <string>
#include <string_view>
#include <vector>

#include "app/commands.hpp"
#include "analysis/results.hpp"

namespace scsim_app {

/// One scenario as it was run: enough to reproduce it and to write every table.
struct RunRecord {
  std::string label;                       // "base", a file stem, or a sweep point "key=value;key=value"
  std::string path;                        // the scenario file
  std::string scenario_text;               // the file's text as it was read
  std::vector<std::string> overrides;      // --set key=value, in order
  scsim::Scenario scenario;                // resolved, with the seed and replications actually used
  std::vector<scsim::ReplicationResult> reps;
  scsim::Results results;
};

/// Loads a scenario (file + overrides) into a record, without running it.
RunRecord load_run(const std::string& path, const std::vector<std::string>& overrides, std::string label);

/// Runs rec.scenario's replications (rec.scenario.replications of them) on
/// `threads` threads behind a progress bar labelled `what`, then summarises.
void execute(RunRecord& rec, unsigned threads, const Common& common, const std::string& what);

/// A CSV field, quoted (RFC 4180) when it holds a comma, quote or line break.
std::string csv_field(std::string_view s);
/// A number for CSV: num(), or an empty field for NaN.
std::string csv_num(double v);
/// "12,345" (decimals as asked).
std::string grouped_number(double v, int decimals = 0);
/// "$12,345" / "-$1,234".
std::string dollars(double v);
/// The whole text of a file; throws UsageError if it cannot be read.
std::string read_text(const std::string& path);
/// The current UTC time as "YYYY-MM-DDTHH:MM:SSZ" (the record of a run; never in results).
std::string utc_now();
/// The file name without directory and extension: "scenarios/whatif/trust_act.yaml" -> "trust_act".
std::string stem_of(const std::string& path);
/// The command line of this process (from /proc/self/cmdline), for the record.
std::string command_line();

}  // namespace scsim_app
