// scsim: the command line. Exit codes: 0 success; 1 internal error;
// 2 bad input (scenario, options, files); 3 a model invariant broke.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "app/commands.hpp"
#include "app/output.hpp"
#include "models/pipeline/journey.hpp"
#include "models/scenario/schema.hpp"

namespace scsim_app {
const char* version();
}

int main(int argc, char** argv) {
  using namespace scsim_app;
  CLI::App app{"scsim: a discrete-event simulator of the Secure Communities fingerprint pipeline", "scsim"};
  app.set_version_flag("--version", std::string("scsim ") + version());
  app.require_subcommand(1);
  app.fallthrough();  // global options (--quiet, --log-level) also work after the subcommand
  Common common;
  app.add_option("--log-level", common.log_level, "Logging: trace, debug, info, warn, error, off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}))
      ->capture_default_str();
  app.add_flag("-q,--quiet", common.quiet, "No progress bar, no informational logs");
  add_registered_commands(app, common);

  auto logger = spdlog::stderr_color_mt("scsim");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("[%l] %v");
  app.parse_complete_callback([&] {
    spdlog::set_level(spdlog::level::from_str(common.log_level));
    if (common.quiet && spdlog::get_level() < spdlog::level::warn) spdlog::set_level(spdlog::level::warn);
  });
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const scsim::ScenarioError& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  } catch (const UsageError& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  } catch (const TargetsMissed& e) {
    std::cout.flush();
    std::fprintf(stderr, "error: %s\n", e.what());
    return 4;
  } catch (const scsim::ConservationError& e) {
    std::fprintf(stderr, "model invariant broken: %s\n", e.what());
    return 3;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "internal error: %s\n", e.what());
    return 1;
  }
  return 0;
}
