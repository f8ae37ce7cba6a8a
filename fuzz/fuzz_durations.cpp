// Durations and dates as a scenario writes them: the text parsers, the schema
// readers, a distribution that takes the duration as its mean (and a few
// draws from it), and the conversion to simulation time over the longest
// period a scenario may have.
#include <chrono>
#include <cmath>

#include "fuzz/fuzz_common.hpp"
#include "models/scenario/schema.hpp"
#include "sim/calendar.hpp"
#include "sim/random.hpp"

namespace {

using namespace scsim;
using scsim_fuzz::require;

schema::Node scalar(std::string_view s) {
  static const auto file = std::make_shared<schema::SourceFile>(schema::SourceFile{"<fuzz>", {}});
  schema::Node n;
  n.kind = schema::Node::Kind::scalar;
  n.scalar = std::string(s);
  n.where = schema::Source{file, 1, 1};
  return n;
}

void duration(std::string_view s) {
  try {
    const sim::Duration d = schema::parse_duration_text(s);
    require(d >= 0 && d <= schema::kMaxDuration);
    // The longest period (1990-01-01 to 2099-12-31) plus the duration stays far from int64's end.
    const sim::Calendar cal(sim::parse_date("1990-01-01"));
    const sim::Time t = cal.to_time(sim::parse_date("2099-12-31")) + d + d;
    require(t > 0);
  } catch (const std::invalid_argument&) {
  }
  const schema::Node n = scalar(s);
  try {
    schema::read_duration(n, "k", schema::Key{.name = "k", .type = schema::Type::duration, .range = schema::at_least(0)});
  } catch (const ScenarioError& e) {
    scsim_fuzz::check(e);
  }
  // As a distribution's mean, and as its shape (a number).
  for (const char* kind : {"exponential", "lognormal", "gamma", "weibull"})
    for (const bool as_shape : {false, true}) {
      schema::Node m;
      m.kind = schema::Node::Kind::map;
      m.where = n.where;
      m.set("dist", scalar(kind), n.where);
      m.set("mean", as_shape ? scalar("40d") : n, n.where);
      if (std::string_view(kind) == "lognormal") m.set("median", scalar("1h"), n.where);
      if (std::string_view(kind) == "gamma" || std::string_view(kind) == "weibull")
        m.set("shape", as_shape ? n : scalar("2"), n.where);
      try {
        const Dist d = schema::read_dist(m, "k");
        sim::Stream stream(1);
        for (int i = 0; i < 4; ++i) {
          const sim::Duration x = d.sample(stream);
          require(x >= 0 && x <= 1000000000000000LL);
        }
      } catch (const ScenarioError& e) {
        scsim_fuzz::check(e);
      }
    }
}

void date(std::string_view s) {
  try {
    const sim::Date d = sim::parse_date(s);
    require(d.ok());
    const sim::Calendar cal(sim::parse_date("1990-01-01"));
    (void)cal.to_time(d);  // any four-digit year fits int64 seconds
  } catch (const std::invalid_argument&) {
  }
  try {
    const sim::Date d = schema::read_date(scalar(s), "k");
    require(d.ok());
  } catch (const ScenarioError& e) {
    scsim_fuzz::check(e);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view s = scsim_fuzz::text(data, size);
  duration(s);
  date(s);
  return 0;
}
