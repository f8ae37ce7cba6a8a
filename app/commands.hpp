#pragma once
/// The scsim subcommands. Each lives in its own app/cmd_*.cpp and is added to
/// the CLI by main.cpp; a command throws on failure and main maps exception
/// types to exit codes (see main.cpp).
#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace scsim {
struct Scenario;
struct Scopes;
}  // namespace scsim

namespace scsim_app {

/// Options every command shares.
struct Common {
  std::string log_level = "warn";
  bool quiet = false;
};

/// -r, -s and -t of the commands that simulate; options not given keep the scenario's values.
struct SimulationArgs {
  std::size_t replications = 0;       // 0: the scenario's
  std::optional<std::uint64_t> seed;  // unset: the scenario's
  unsigned threads = 0;               // 0: all cores (results do not depend on it)
  void apply(scsim::Scenario& sc) const;
};

/// Declares -r/--replications, -s/--seed and -t/--threads on `cmd`. `of` says
/// what they apply to (e.g. "of every point"), `defaults` where the values come
/// from otherwise (e.g. "the baseline's").
void add_simulation_options(CLI::App* cmd, SimulationArgs& s, const std::string& of = "",
                            const std::string& defaults = "the scenario's");

/// -o/--out DIR (`help` says what is written there and the default) and
/// -f/--force (replace an output directory scsim wrote before).
void add_output_dir_options(CLI::App* cmd, std::string& out, bool& force, const std::string& help);

/// --format: what goes to stdout, one of `choices`; the default is `format`'s value.
void add_format_option(CLI::App* cmd, std::string& format, const std::vector<std::string>& choices);

/// --scope: the scope of the terminal table; the default is `scope`'s value.
void add_scope_option(CLI::App* cmd, std::string& scope);

/// The index of the scope a --scope names; UsageError if the run has no such scope.
std::size_t scope_index(const scsim::Scopes& scopes, const std::string& name);

/// Adds one subcommand to the CLI.
using CommandAdder = void (*)(CLI::App& app, Common& common);

/// Called from a static initialiser in each app/cmd_*.cpp:
///     static const bool registered = register_command(10, &add_run_command);
/// `order` sorts the subcommands in --help. Returns true.
bool register_command(int order, CommandAdder add);
/// Adds every registered command, in order.
void add_registered_commands(CLI::App& app, Common& common);

}  // namespace scsim_app
