#pragma once
/// How numbers, money, durations and CSV fields look in everything scsim
/// writes for people and for other programs. One function per look: a writer
/// that needs a new one adds it here rather than beside itself.
#include <string>
#include <string_view>

#include "sim/time.hpp"

namespace scsim_app {

// ---- for programs (CSV) ----

/// The shortest text that reads back as the same double ("0.1", "87243",
/// "1e+20"); zero is "0", never "-0".
std::string num(double v);
/// A number for CSV: num(), or an empty field for NaN.
std::string csv_num(double v);
/// A CSV field, quoted (RFC 4180) when it holds a comma, quote or line break.
std::string csv_field(std::string_view s);

// ---- for people (tables, statements, reports) ----

/// "12,345" (decimals as asked); "—" for NaN; never "-0".
std::string grouped_number(double v, int decimals = 0);
/// "$12,345" / "-$1,234" (whole dollars); "—" for NaN.
std::string dollars(double v);
/// "$80.25" (dollars and cents, e.g. a price per bed-day); "—" for NaN.
std::string dollars_cents(double v);
/// `digits` significant digits ("0.0315", "1.2e+06"); "-" for NaN, "inf" / "-inf".
std::string significant(double v, int digits = 6);
/// A share as a signed percentage: 0.0123 -> "+1.23%"; "-" if not finite.
std::string signed_percent(double share);
/// A share as a whole percentage: 0.456 -> "46%".
std::string percent(double share);
/// A duration as people say it: "45 min", "7.5 hours" (under two days), "3.2 days".
std::string duration_text(sim::Duration d);

}  // namespace scsim_app
