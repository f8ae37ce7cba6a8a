// scsim: the command line. Every command exits with a code of the one table in
// app/exit_codes.hpp (0 success; 1 internal error; 2 bad input: files, values
// and command-line flags; 3 conservation violated; 4 targets missed or a check
// failed; 130 interrupted): a command throws, and outcome_of maps what it
// threw to the code and to the last line of stderr.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <iostream>

#include "app/commands.hpp"
#include "app/exit_codes.hpp"
#include "app/interrupt.hpp"
#include "app/mpi_session.hpp"
#include "sim/cancel.hpp"

namespace scsim_app {
const char* version();
}

namespace {
int report(std::exception_ptr e) {
  std::cout.flush();  // a report on stdout first, then the reason
  const scsim_app::Outcome o = scsim_app::outcome_of(e);
  if (!o.message.empty()) std::fprintf(stderr, "%s\n", o.message.c_str());
  return static_cast<int>(o.code);
}

int run(int argc, char** argv) {
  using namespace scsim_app;
  CLI::App app{"scsim: a discrete-event simulator of the Secure Communities fingerprint pipeline", "scsim"};
  app.set_version_flag("--version", std::string("scsim ") + version());
  app.require_subcommand(1);
  app.fallthrough();  // global options (--quiet, --log-level) also work after the subcommand
  app.footer(exit_code_table());
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
    // Under mpirun, ranks > 0 of a command that does not spread over ranks end here.
    if (!app.get_subcommands().empty()) mpi::command_chosen(app.get_subcommands().front()->get_name());
  });
  // Ctrl-C stops every simulation this thread (and the threads it starts) runs.
  sim::CancelScope cancel(install_interrupt_handlers());
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {  // --help, --version
    return app.exit(e);
  } catch (const CLI::RequiredError&) {
    // CLI11 says "A subcommand is required" when the command is misspelled: name it.
    const auto rest = app.remaining();
    if (!app.get_subcommands().empty() || rest.empty() || rest.front().rfind('-', 0) == 0) throw;
    std::string known;
    for (const CLI::App* c : app.get_subcommands({})) known += (known.empty() ? "" : ", ") + c->get_name();
    throw CLI::ValidationError("unknown command '" + rest.front() + "' (commands: " + known + ")");
  }  // anything else: main() reports it
  std::cout.flush();
  if (!std::cout) {  // e.g. `scsim run ... > file` on a full disk: the report is lost, so no success
    std::fprintf(stderr, "internal error: cannot write the standard output (%s)\n", std::strerror(errno));
    return static_cast<int>(ExitCode::internal_error);
  }
  if (interrupted()) {  // the command finished before it looked at the flag
    std::fprintf(stderr, "interrupted\n");
    return static_cast<int>(ExitCode::interrupted);
  }
  return static_cast<int>(ExitCode::ok);
}
}  // namespace

int main(int argc, char** argv) {
  // MPI only when started by mpirun (app/mpi_session.hpp); finalised when main returns.
  scsim_app::mpi::Session mpi_session(argc, argv);
  int code = 0;
  try {
    code = run(argc, argv);
  } catch (const scsim_app::mpi::QuietExit& q) {  // a rank > 0 that rank 0 stopped, or not needed
    return q.code;
  } catch (...) {  // a command failed, a flag was bad, or setting up failed (out of memory)
    code = report(std::current_exception());
  }
  if (scsim_app::mpi::rank() == 0) scsim_app::mpi::release_workers(code);  // no rank left waiting
  return code;
}
