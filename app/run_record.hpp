#pragma once
/// What the commands that simulate and keep a record (run, budget, compare,
/// sweep) share: the record of one run for results.sqlite and report.html,
/// running it behind the progress bar, and where the record's facts come from
/// (the scenario file's text and stem, the command line, the time).
#include <string>
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

/// The whole text of a file; throws UsageError if it cannot be read.
std::string read_text(const std::string& path);
/// The current UTC time as "YYYY-MM-DDTHH:MM:SSZ" (the record of a run; never in results).
std::string utc_now();
/// The file name without directory and extension: "scenarios/whatif/trust_act.yaml" -> "trust_act".
std::string stem_of(const std::string& path);
/// The command line of this process (from /proc/self/cmdline), for the record.
std::string command_line();

}  // namespace scsim_app
