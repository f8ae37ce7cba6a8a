#include "app/exit_codes.hpp"

#include <CLI/CLI.hpp>
#include <new>
#include <string>

#include "app/output.hpp"
#include "models/pipeline/journey.hpp"
#include "models/scenario/schema.hpp"
#include "sim/cancel.hpp"

namespace scsim_app {

std::string exit_code_table() {
  std::string s = "Exit status (every command):\n";
  for (const auto& row : kExitCodes) {
    const std::string code = std::to_string(static_cast<int>(row.code));
    s += "  " + code + std::string(code.size() < 5 ? 5 - code.size() : 1, ' ') + row.meaning + "\n";
  }
  return s;
}

Outcome outcome_of(std::exception_ptr e) {
  using C = ExitCode;
  try {
    std::rethrow_exception(e);
  } catch (const CLI::RuntimeError& x) {  // a command's own status (scsim demo)
    return {static_cast<C>(x.get_exit_code()), ""};
  } catch (const CLI::ParseError& x) {  // bad flags: CLI11's reason, without its "Run with --help" line
    return {C::bad_input, std::string("error: ") + x.what()};
  } catch (const scsim::ScenarioError& x) {
    return {C::bad_input, std::string("error: ") + x.what()};
  } catch (const UsageError& x) {
    return {C::bad_input, std::string("error: ") + x.what()};
  } catch (const TargetsMissed& x) {
    return {C::check_failed, std::string("error: ") + x.what()};
  } catch (const scsim::ConservationError& x) {
    return {C::conservation, std::string("conservation violated (a bug in the model): ") + x.what()};
  } catch (const CodedError& x) {
    return {x.code, x.what()};
  } catch (const sim::Cancelled&) {
    return {C::interrupted, "interrupted: stopped, nothing written"};
  } catch (const std::bad_alloc&) {
    return {C::internal_error, "internal error: out of memory"};
  } catch (const std::exception& x) {
    return {C::internal_error, std::string("internal error: ") + x.what()};
  } catch (...) {
    return {C::internal_error, "internal error: unknown exception"};
  }
}

}  // namespace scsim_app
