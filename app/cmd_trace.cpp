// `scsim trace SCENARIO`: a few complete journeys, one line per step, for
// teaching ("watch a fingerprint travel") and for checking the model by eye.
// Journeys print as soon as each is complete; the run stops once enough are
// printed, so a trace of a national scenario takes seconds, not minutes.
#include <spdlog/spdlog.h>

#include <iostream>

#include "app/commands.hpp"
#include "app/output.hpp"
#include "app/trace_writer.hpp"
#include "models/scenario/loader.hpp"
#include "models/pipeline/trace.hpp"

namespace scsim_app {

namespace {
struct TraceArgs {
  std::string scenario;
  std::size_t people = 3;
  std::string filter, jurisdiction, since, format = "text";
  std::optional<std::uint64_t> seed;  // unset: the scenario's
  std::size_t replication = 0;
  std::vector<std::string> overrides;
};

void trace(const TraceArgs& a) {
  scsim::Scenario sc = scsim::load_scenario(a.scenario, a.overrides);
  if (a.seed) sc.seed = *a.seed;
  scsim::TraceOptions opt;
  opt.people = a.people;
  try {
    opt.filter = scsim::JourneyFilter::parse(a.filter);
    if (!a.jurisdiction.empty()) opt.jurisdiction = scsim::find_jurisdiction_index(sc, a.jurisdiction);
    if (!a.since.empty()) opt.booked_from = sim::Calendar(sc.start).to_time(sim::parse_date(a.since));
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  const bool json = a.format == "jsonl";
  std::size_t printed = 0;
  // Journeys are printed as they complete and not kept: memory stays bounded
  // (TraceOptions::max_open) however many are asked for.
  scsim::JourneyCollector collector(sc, opt, [&](const scsim::Journey& j) {
    if (json) {
      write_journey_json(std::cout, sc, j);
    } else {
      if (printed) std::cout << "\n";
      write_journey_text(std::cout, sc, j);
    }
    ++printed;
    std::cout.flush();
  });
  scsim::RunOptions ro;
  ro.tracer = &collector;
  scsim::run_replication(sc, a.replication, ro);
  collector.close(sc.horizon());
  spdlog::debug("trace: at most {} journeys open at once, {} bookings not followed", collector.peak_open(),
                collector.skipped());
  // stderr: JSON Lines on stdout stay clean
  if (collector.skipped())
    std::cerr << "scsim trace: " << collector.skipped() << " bookings were not followed while " << opt.max_open
              << " journeys were open at once (the memory bound)\n";
  if (printed < a.people)
    std::cerr << "scsim trace: " << printed << " of " << a.people << " journeys matched"
              << (a.filter.empty() ? "" : " '" + a.filter + "'") << " before the end of the period ("
              << sim::format_date(sc.end) << ")\n";
}

void add_trace_command(CLI::App& app, Common&) {
  auto a = std::make_shared<TraceArgs>();
  auto* cmd = app.add_subcommand("trace", "Print complete journeys of a few bookings, step by step");
  cmd->add_option("scenario", a->scenario, "Scenario YAML file")->required()->check(CLI::ExistingFile);
  cmd->add_option("-n,--people", a->people, "Journeys to print")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--filter", a->filter,
                  "Only journeys with all of these comma-separated terms, e.g. removed,level3 or held,holiday "
                  "(prefix '!' to negate); an unknown term lists them all");
  cmd->add_option("-j,--jurisdiction", a->jurisdiction, "Only people booked in this jurisdiction (id, name or state)");
  cmd->add_option("--since", a->since, "Only people booked on or after this date (YYYY-MM-DD)");
  cmd->add_option("-s,--seed", a->seed, "Master seed (default: the scenario's)");
  cmd->add_option("--replication", a->replication, "Which replication's random numbers")->capture_default_str();
  cmd->add_option("--set", a->overrides, "Override a scenario key, e.g. --set volume_scale=0.1");
  cmd->add_option("--format", a->format, "text or jsonl (one JSON object per journey)")
      ->check(CLI::IsMember({"text", "jsonl"}))
      ->capture_default_str();
  cmd->callback([a] { trace(*a); });
}

const bool registered = register_command(30, &add_trace_command);
}  // namespace

}  // namespace scsim_app
