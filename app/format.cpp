#include "app/format.hpp"

#include <spdlog/fmt/fmt.h>

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace scsim_app {

std::string num(double v) {
  if (v == 0) return "0";  // no "-0"
  return fmt::format("{}", v);
}

std::string csv_num(double v) { return std::isnan(v) ? std::string() : num(v); }

std::string csv_field(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
  std::string o = "\"";
  for (char c : s) {
    if (c == '"') o += '"';
    o += c;
  }
  return o + "\"";
}

std::string grouped_number(double v, int decimals) {
  if (std::isnan(v)) return "—";
  std::string s = fmt::format("{:.{}f}", v, decimals);
  if (s[0] == '-' && s.find_first_not_of("-0.") == std::string::npos) s.erase(0, 1);  // no "-0.0"
  // Thousands separators, built front to back (GCC 12 warns, wrongly, on inserts into the middle).
  const std::size_t begin = (s[0] == '-') ? 1 : 0;
  const std::size_t end = std::min(s.find('.'), s.size());
  std::string out = s.substr(0, begin);
  for (std::size_t i = begin; i < end; ++i) {
    if (i > begin && (end - i) % 3 == 0) out += ',';
    out += s[i];
  }
  return out + s.substr(end);
}

std::string dollars(double v) {
  if (std::isnan(v)) return "—";
  std::string g = grouped_number(std::fabs(v), 0);
  return (v < 0 && g != "0" ? "-$" : "$") + g;
}

std::string dollars_cents(double v) { return std::isnan(v) ? "—" : fmt::format("${:.2f}", v); }

std::string significant(double v, int digits) {
  if (std::isnan(v)) return "-";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return fmt::format("{:.{}g}", v, digits);
}

std::string signed_percent(double share) {
  return std::isfinite(share) ? fmt::format("{:+.2f}%", 100 * share) : "-";
}

std::string percent(double share) { return fmt::format("{:.0f}%", 100 * share); }

std::string duration_text(sim::Duration d) {
  if (d < sim::kHour) return std::to_string(d / sim::kMinute) + " min";
  if (d < 2 * sim::kDay) return fmt::format("{:.1f} hours", double(d) / double(sim::kHour));
  return fmt::format("{:.1f} days", double(d) / double(sim::kDay));
}

}  // namespace scsim_app
