#pragma once
/// The exit status of every scsim command, declared once: main.cpp maps what
/// a command throws to these codes (exit_code_for), `scsim --help` prints the
/// table (exit_code_table) and the README repeats it.
#include <exception>
#include <stdexcept>
#include <string>

namespace scsim_app {

enum class ExitCode : int {
  ok = 0,
  internal_error = 1,  // a bug or the machine (out of memory, disk full)
  bad_input = 2,       // files, values and command-line flags alike; nothing is written
  conservation = 3,    // a model invariant broke: bookings != sum of end states
  check_failed = 4,    // targets missed or a check failed (the report is complete)
  interrupted = 130,   // Ctrl-C or SIGTERM; nothing is written
};

struct ExitCodeRow {
  ExitCode code;
  const char* meaning;
};

inline constexpr ExitCodeRow kExitCodes[] = {
    {ExitCode::ok, "success"},
    {ExitCode::internal_error, "internal error (a bug, or the machine: memory, disk)"},
    {ExitCode::bad_input, "bad input: a file, a value or a command-line flag (nothing written)"},
    {ExitCode::conservation, "conservation violated (a model invariant broke)"},
    {ExitCode::check_failed, "targets missed or a check failed (the report is complete)"},
    {ExitCode::interrupted, "interrupted by Ctrl-C or SIGTERM (nothing written)"},
};

/// The table for --help: one "  CODE  meaning" line per code.
std::string exit_code_table();

/// An error whose exit code is already known (e.g. reported by another MPI
/// rank, its message complete): outcome_of passes both on as they are.
struct CodedError : std::runtime_error {
  CodedError(ExitCode c, const std::string& message) : std::runtime_error(message), code(c) {}
  ExitCode code;
};

/// What to do with an exception that ended a command: its exit code and the
/// line for stderr ("error: ...", "internal error: ...", ...).
struct Outcome {
  ExitCode code;
  std::string message;
};
Outcome outcome_of(std::exception_ptr e);

}  // namespace scsim_app
