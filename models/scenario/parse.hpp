#pragma once
/// Reading text safely: numbers (locale-independent, std::from_chars), whole
/// files under a size bound, and a check that a file is text at all. Every
/// reader of scsim's input (scenario files, overrides, CSVs) goes through
/// these, so a number means the same everywhere and no reader can be made to
/// read without end.
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "models/scenario/error.hpp"

namespace scsim::parse {

/// Why a text is not a number.
enum class NumberStatus {
  ok,
  syntax,        // not a number at all, or with text around it
  out_of_range,  // 1e999, 1e-400, an integer beyond 64 bits
  not_finite,    // nan, inf, and YAML's .nan and .inf
};

template <class T>
struct Number {
  T value{};
  NumberStatus status = NumberStatus::syntax;
  explicit operator bool() const { return status == NumberStatus::ok; }
};

/// The whole of `s` as a finite double: an optional sign ('+' allowed),
/// digits with an optional point and exponent; no spaces, no hex. The value
/// is exactly std::from_chars's.
Number<double> to_double(std::string_view s);
/// The whole of `s` as a 64-bit integer (an optional sign, decimal digits).
Number<long long> to_integer(std::string_view s);

/// Why `text` is not a number, for a message: "'1e999' is out of range",
/// "'nan' is not a finite number", or "expected WHAT, got 'x'".
std::string why_not(NumberStatus status, std::string_view text, std::string_view what);

/// Reads a whole regular file of at most `max_bytes`. Throws ScenarioError
/// (at `display`, line 0, with `key` as the key path) when the file cannot
/// be opened or is not a regular file (kind io), or is larger (kind input).
/// `what` names the file in messages ("scenario file", "targets file").
std::string read_file(const std::filesystem::path& path, const std::string& display, std::size_t max_bytes,
                      const std::string& key, std::string_view what);

/// Where (byte offset) and why `text` is not clean UTF-8 text: NUL and other
/// control characters (C0 other than tab, LF and a CR before LF; DEL; C1),
/// malformed or overlong UTF-8, surrogates. Nothing when it is clean.
struct TextProblem {
  std::size_t offset = 0;
  std::string why;
};
std::optional<TextProblem> find_text_problem(std::string_view text);

/// Fails with a ScenarioError at the offending line and column unless `text`
/// is UTF-8 without NUL or control characters other than tab, LF and CR (a
/// binary file, UTF-16 or a stray escape sequence).
void check_text(std::string_view text, const std::string& display, const std::string& key);

}  // namespace scsim::parse
