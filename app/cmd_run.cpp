// `scsim run`: replications of one scenario, a summary on stdout and, with
// --out, summary.csv, monthly.csv, flows.csv, the resolved scenario,
// results.sqlite and report.html.
#include <spdlog/spdlog.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>

#include "app/run_record.hpp"
#include "app/commands.hpp"
#include "app/output.hpp"
#include "app/progress.hpp"
#include "app/report.hpp"
#include "app/sqlite_writer.hpp"
#include "analysis/runner.hpp"
#include "models/scenario/loader.hpp"

namespace scsim_app {

namespace {
struct RunArgs {
  std::string scenario;
  SimulationArgs sim;
  std::string out;
  bool force = false;
  std::vector<std::string> overrides;
  std::string format = "table";
  std::string scope = "national";
  bool event_digest = false;
};

void run(const RunArgs& a, const Common& common) {
  scsim::Scenario sc = scsim::load_scenario(a.scenario, a.overrides);
  a.sim.apply(sc);
  const std::size_t scope = scope_index(scsim::Scopes::build(sc), a.scope);
  // Check the output directory before spending minutes simulating.
  std::unique_ptr<OutputDir> out;
  if (!a.out.empty()) out = std::make_unique<OutputDir>(a.out, a.force, "run");

  spdlog::info("running '{}': {} replications, seed {}, {} jurisdictions", sc.name, sc.replications, sc.seed,
               sc.jurisdictions.size());
  ProgressBar bar(!common.quiet && ProgressBar::stderr_is_tty(), "scsim run", sc.start);
  auto t0 = std::chrono::steady_clock::now();
  auto reps = scsim::run_scenario(sc, sc.replications, a.sim.threads,
                                  [&](const scsim::RunProgress& p) { bar.update(p); }, 0, a.event_digest);
  bar.done();
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  spdlog::info("{} replications in {:.2f} s", reps.size(), wall);
  scsim::Results res = scsim::summarize(sc, reps);

  if (a.format == "table")
    print_summary_table(std::cout, sc, res, scope);
  else if (a.format == "csv")
    write_summary_csv(std::cout, res);
  else
    write_summary_json(std::cout, sc, res);

  if (out) {
    auto write = [&](const std::string& name, auto&& fn) {
      std::ofstream f(out->file(name));
      fn(f);
      if (!f) throw UsageError("cannot write " + out->file(name).string());
    };
    write("summary.csv", [&](std::ostream& f) { write_summary_csv(f, res); });
    write("monthly.csv", [&](std::ostream& f) { write_monthly_csv(f, res); });
    write("flows.csv", [&](std::ostream& f) { write_flows_csv(f, res); });
    write("scenario.resolved.yaml", [&](std::ostream& f) { f << sc.resolved_yaml; });
    if (a.event_digest)
      write("kernel_events.csv", [&](std::ostream& f) {
        f << "replication,events,digest\n";
        for (const auto& r : reps) f << r.replication << ',' << r.events << ',' << std::hex << r.event_digest << std::dec << '\n';
      });
    // The same run as a database and as a page (app/sqlite_writer.hpp, app/report.hpp).
    RunRecord rec;
    rec.label = stem_of(a.scenario);
    rec.path = a.scenario;
    rec.scenario_text = read_text(a.scenario);
    rec.overrides = a.overrides;
    rec.scenario = sc;
    rec.reps = std::move(reps);
    rec.results = std::move(res);
    SqliteWriter db(out->file("results.sqlite"));
    db.add_run(rec);
    db.commit();
    write_file_atomic(out->file("report.html"), render_report(rec));
    out->commit();
    spdlog::info("wrote {}", a.out);
    if (a.format == "table") std::cout << "  results written to " << a.out << "/\n";
  }
}
}  // namespace

namespace {
void add_run_command(CLI::App& app, Common& common) {
  auto a = std::make_shared<RunArgs>();
  auto* cmd = app.add_subcommand("run", "Run a scenario's replications and summarise them");
  cmd->add_option("scenario", a->scenario, "Scenario YAML file")->required()->check(CLI::ExistingFile);
  add_simulation_options(cmd, a->sim);
  add_output_dir_options(cmd, a->out, a->force,
                         "Write summary.csv, monthly.csv, flows.csv, results.sqlite and report.html into this directory");
  cmd->add_option("--set", a->overrides, "Override a scenario key, e.g. --set pipeline.lesc_analysts=60");
  add_format_option(cmd, a->format, {"table", "csv", "json"});
  cmd->add_flag("--event-digest", a->event_digest,
                "Also write kernel_events.csv: a fingerprint of each replication's kernel event sequence (time and kind of "
                "every event), for reproducibility checks");
  add_scope_option(cmd, a->scope);
  cmd->callback([a, &common] { run(*a, common); });
}

const bool registered = register_command(10, &add_run_command);
}  // namespace

}  // namespace scsim_app
