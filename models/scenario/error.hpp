#pragma once
/// The error every reader of scsim's input throws (scenario files, overrides,
/// targets and data CSVs).
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace scsim {

/// An input that cannot be used. what() is "FILE:LINE:COL: KEY_PATH: message"
/// (the key path part is left out when empty). Control characters in any part
/// are shown escaped (\n, \x1b) and an overlong message is cut, so what() is
/// always one line of bounded length whatever the input held.
struct ScenarioError : std::runtime_error {
  /// Why, for callers that treat causes differently: calibration turns a
  /// `value` error at trial parameters into a large residual, and stops on the
  /// others.
  enum class Kind {
    value,  // a value out of its range, or inconsistent with other values
    input,  // the input's shape: syntax, limits, unknown or missing keys, wrong types
    io,     // a file that cannot be read
  };
  ScenarioError(std::string file, int line, int column, std::string key_path, std::string message,
                Kind kind = Kind::value);
  std::string file;
  int line = 0, column = 0;  // 1-based
  std::string key_path;      // e.g. "jurisdictions[2].population.group_mix"
  std::string message;       // without the location prefix
  Kind kind = Kind::value;
};

/// `s` with control characters escaped and cut to at most `max_bytes` (at a
/// UTF-8 character boundary, "..." appended): safe to print on one line.
std::string printable(std::string_view s, std::size_t max_bytes = 1000);

}  // namespace scsim
