#include "app/json.hpp"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace scsim_app {

std::string json_text(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

std::string json_for_html_script(const Json& j) {
  const std::string text = json_text(j);
  std::string out;
  out.reserve(text.size() + text.size() / 64);
  for (char c : text) {
    switch (c) {
      case '<': out += "\\u003c"; break;
      case '>': out += "\\u003e"; break;
      case '&': out += "\\u0026"; break;
      default: out += c;
    }
  }
  return out;
}

Json rounded(double v, int digits) {
  if (!std::isfinite(v)) return nullptr;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.*g", digits, v);
  const double r = std::strtod(buf, nullptr);
  // Whole numbers up to 2^53 are exact as integers and print without ".0".
  if (r == std::trunc(r) && std::fabs(r) < 9007199254740992.0) return static_cast<std::int64_t>(r);
  return r;
}

}  // namespace scsim_app
