#pragma once
/// The scsim subcommands. Each lives in its own app/cmd_*.cpp and is added to
/// the CLI by main.cpp; a command throws on failure and main maps exception
/// types to exit codes (see main.cpp).
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace scsim_app {

/// Options every command shares.
struct Common {
  std::string log_level = "warn";
  bool quiet = false;
};

/// Adds one subcommand to the CLI.
using CommandAdder = void (*)(CLI::App& app, Common& common);

/// Called from a static initialiser in each app/cmd_*.cpp:
///     static const bool registered = register_command(10, &add_run_command);
/// `order` sorts the subcommands in --help. Returns true.
bool register_command(int order, CommandAdder add);
/// Adds every registered command, in order.
void add_registered_commands(CLI::App& app, Common& common);

}  // namespace scsim_app
