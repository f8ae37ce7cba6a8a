#include "models/scenario/parse.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <cmath>
#include <fstream>

namespace scsim::parse {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
  return true;
}

/// YAML 1.2's spellings of the non-finite floats, which from_chars does not take.
bool yaml_non_finite(std::string_view s) {
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) s.remove_prefix(1);
  return iequals(s, ".nan") || iequals(s, ".inf");
}

}  // namespace

Number<double> to_double(std::string_view s) {
  Number<double> out;
  if (yaml_non_finite(s)) {
    out.status = NumberStatus::not_finite;
    return out;
  }
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return out;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out.value);
  if (p != s.data() + s.size() || (ec != std::errc() && ec != std::errc::result_out_of_range)) return out;
  if (ec == std::errc::result_out_of_range) out.status = NumberStatus::out_of_range;
  else if (!std::isfinite(out.value)) out.status = NumberStatus::not_finite;
  else out.status = NumberStatus::ok;
  return out;
}

Number<long long> to_integer(std::string_view s) {
  Number<long long> out;
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return out;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out.value);
  if (p != s.data() + s.size() || (ec != std::errc() && ec != std::errc::result_out_of_range)) return out;
  out.status = ec == std::errc::result_out_of_range ? NumberStatus::out_of_range : NumberStatus::ok;
  return out;
}

std::string why_not(NumberStatus status, std::string_view text, std::string_view what) {
  const std::string shown = "'" + std::string(text.substr(0, 80)) + (text.size() > 80 ? "...'" : "'");
  switch (status) {
    case NumberStatus::out_of_range: return shown + " is out of range for " + std::string(what);
    case NumberStatus::not_finite: return "expected " + std::string(what) + ", got " + shown + " (not a finite number)";
    case NumberStatus::ok:
    case NumberStatus::syntax: break;
  }
  return "expected " + std::string(what) + ", got " + shown;
}

std::string read_file(const std::filesystem::path& path, const std::string& display, std::size_t max_bytes,
                      const std::string& key, std::string_view what) {
  using Kind = ScenarioError::Kind;
  std::error_code ec;
  // A FIFO or a device would block or never end: only regular files are read.
  const auto st = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(st))
    throw ScenarioError(display, 0, 0, key, "cannot open " + std::string(what) + ": no such file", Kind::io);
  if (!std::filesystem::is_regular_file(st))
    throw ScenarioError(display, 0, 0, key, "cannot read " + std::string(what) + ": not a regular file", Kind::io);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ScenarioError(display, 0, 0, key, "cannot open " + std::string(what), Kind::io);
  std::string text;
  // Read at most one byte past the limit: the size on disk may change or lie (/proc).
  constexpr std::size_t kChunk = 64 * 1024;
  while (text.size() <= max_bytes) {
    const std::size_t old = text.size();
    text.resize(old + std::min(kChunk, max_bytes + 1 - old));
    in.read(text.data() + old, static_cast<std::streamsize>(text.size() - old));
    text.resize(old + static_cast<std::size_t>(in.gcount()));
    if (!in) break;
  }
  if (in.bad()) throw ScenarioError(display, 0, 0, key, "error reading " + std::string(what), Kind::io);
  if (text.size() > max_bytes)
    throw ScenarioError(display, 0, 0, key,
                        std::string(what) + " is larger than " + std::to_string(max_bytes >> 10) +
                            " KiB, the limit for it (models/limits.hpp)",
                        Kind::input);
  return text;
}

std::optional<TextProblem> find_text_problem(std::string_view text) {
  char buf[64];
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      const bool allowed = c >= 0x20 || c == '\t' || c == '\n' || (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n');
      if (!allowed || c == 0x7F) {
        std::snprintf(buf, sizeof buf, "control character 0x%02x", c);
        return TextProblem{i, buf};
      }
      ++i;
      continue;
    }
    // A well-formed UTF-8 sequence: no overlong forms, no surrogates, at most U+10FFFF.
    const std::size_t n = (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    bool ok = n != 0 && i + n <= text.size();
    for (std::size_t k = 1; ok && k < n; ++k) ok = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
    if (ok) {
      const auto c1 = static_cast<unsigned char>(text[i + 1]);
      ok = !(n == 2 && c < 0xC2) && !(n == 3 && c == 0xE0 && c1 < 0xA0) && !(n == 3 && c == 0xED && c1 >= 0xA0) &&
           !(n == 4 && c == 0xF0 && c1 < 0x90) && !(n == 4 && (c > 0xF4 || (c == 0xF4 && c1 >= 0x90)));
    }
    if (!ok) {
      std::snprintf(buf, sizeof buf, "invalid UTF-8 (byte 0x%02x)", c);
      return TextProblem{i, buf};
    }
    if (n == 2 && c == 0xC2 && static_cast<unsigned char>(text[i + 1]) < 0xA0) {  // C1: U+0080..U+009F
      std::snprintf(buf, sizeof buf, "control character U+%04X", static_cast<unsigned char>(text[i + 1]));
      return TextProblem{i, buf};
    }
    i += n;
  }
  return std::nullopt;
}

void check_text(std::string_view text, const std::string& display, const std::string& key) {
  const auto problem = find_text_problem(text);
  if (!problem) return;
  // Line and column (in characters) of the offending byte.
  int line = 1, column = 1;
  for (std::size_t i = 0; i < problem->offset; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n') ++line, column = 1;
    else if ((c & 0xC0) != 0x80) ++column;
  }
  throw ScenarioError(display, line, column, key, problem->why + "; is this a text file?", ScenarioError::Kind::input);
}

}  // namespace scsim::parse
