#include "models/scenario/error.hpp"

#include <cstdio>

namespace scsim {

namespace {

/// Length of the UTF-8 sequence starting at s[i] if it is a well-formed one, else 0.
std::size_t utf8_length(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k)
    if ((b(i + k) & 0xC0) != 0x80) return 0;
  return n;
}

std::string location_prefix(const std::string& file, int line, int column, const std::string& key_path) {
  std::string s = printable(file, 400) + ":" + std::to_string(line) + ":" + std::to_string(column) + ": ";
  if (!key_path.empty()) s += printable(key_path, 400) + ": ";
  return s;
}

}  // namespace

std::string printable(std::string_view s, std::size_t max_bytes) {
  std::string out;
  out.reserve(std::min(s.size(), max_bytes) + 8);
  for (std::size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    std::size_t n = utf8_length(s, i);
    // C1 controls (U+0080..U+009F) act on some terminals like C0 ones.
    const bool control = c < 0x20 || c == 0x7F || (n == 2 && c == 0xC2 && static_cast<unsigned char>(s[i + 1]) < 0xA0);
    std::string piece;
    if (c == '\n') piece = "\\n";
    else if (c == '\t') piece = "\\t";
    else if (c == '\r') piece = "\\r";
    else if (control || n == 0) {
      // Invalid UTF-8 is shown byte by byte; a C1 control as its two bytes.
      const std::size_t k = n == 0 ? 1 : n;
      for (std::size_t j = 0; j < k; ++j) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(s[i + j]));
        piece += buf;
      }
      n = k;
    } else {
      piece.assign(s.substr(i, n));
    }
    if (out.size() + piece.size() > max_bytes) {
      out += "...";
      break;
    }
    out += piece;
    i += n;
  }
  return out;
}

ScenarioError::ScenarioError(std::string file_, int line_, int column_, std::string key_path_, std::string message_,
                             Kind kind_)
    : std::runtime_error(location_prefix(file_, line_, column_, key_path_) + printable(message_)),
      file(std::move(file_)),
      line(line_),
      column(column_),
      key_path(std::move(key_path_)),
      message(printable(message_)),
      kind(kind_) {}

}  // namespace scsim
