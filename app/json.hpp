#pragma once
/// JSON as scsim writes it: nlohmann-json (Debian's nlohmann-json3-dev) builds
/// every document, so there is one escaper in the tree. Objects keep the order
/// their keys were added in (ordered_json); numbers that are not finite
/// (an undefined ratio, an interval of one replication) become null.
#include <nlohmann/json.hpp>
#include <string>

namespace scsim_app {

using Json = nlohmann::ordered_json;

/// Compact JSON text (no spaces, no final newline); invalid UTF-8 in a
/// string becomes U+FFFD instead of failing the command.
std::string json_text(const Json& j);

/// json_text() for inside an HTML <script> element: <, > and & (which JSON has
/// only inside strings) are written \u003c, \u003e and \u0026, so no data can
/// close the element or open another.
std::string json_for_html_script(const Json& j);

/// `v` rounded to `digits` significant digits, as an integer when the rounded
/// value is one: numbers of a page, compact and as precise as a chart shows.
/// Not finite: null.
Json rounded(double v, int digits = 8);

}  // namespace scsim_app
