// A journey for people: the readable timeline and JSON Lines (scsim trace,
// the Python module). The journey itself is data (models/pipeline/trace.hpp).
#include "app/trace_writer.hpp"

#include <ostream>

#include "app/format.hpp"
#include "app/json.hpp"

namespace scsim_app {

namespace {
std::string pad(std::string_view s, std::size_t width) {
  std::string out(s);
  if (out.size() < width) out.append(width - out.size(), ' ');
  return out;
}
}  // namespace

void write_journey_text(std::ostream& os, const scsim::Scenario& sc, const scsim::Journey& j) {
  using namespace scsim;
  const sim::Calendar cal(sc.start);
  const PersonInfo& p = j.person;
  const Jurisdiction& jur = sc.jurisdictions.at(p.jurisdiction);
  os << "Journey " << j.number << ": " << person_label(sc, p) << ", booked in " << jur.name << " (" << jur.state
     << ")\n";
  os << "  " << kGroupNames[static_cast<std::size_t>(p.group)] << ", "
     << kLevelNames[static_cast<std::size_t>(p.level)] << ", "
     << kChargeNames[static_cast<std::size_t>(p.charge)] << " charge; leaves criminal custody by "
     << kJailPathNames[static_cast<std::size_t>(p.path)] << "; prints "
     << (p.in_ident ? "on file in IDENT" : "not in IDENT")
     << (scsim::is_arrest_bias_extra(p) ? "; an extra booking from a local arrest bias" : "") << "\n";
  for (const auto& s : j.steps) os << "  " << pad(minute(cal, s.t), 22) << pad(s.to.name(), 28) << s.what << "\n";
  if (j.end == EndState::in_system_at_horizon)
    os << "  => still in the system when the run ends, " << minute(cal, j.end_time) << "\n";
  else
    os << "  => " << kEndStateNames[static_cast<std::size_t>(j.end)] << ", " << minute(cal, j.end_time) << ", "
       << duration_text(j.end_time - p.booked) << " after booking\n";
}

void write_journey_json(std::ostream& os, const scsim::Scenario& sc, const scsim::Journey& j) {
  using namespace scsim;
  const sim::Calendar cal(sc.start);
  const PersonInfo& p = j.person;
  const Jurisdiction& jur = sc.jurisdictions.at(p.jurisdiction);
  Json steps = Json::array();
  for (const auto& s : j.steps)
    steps.push_back(Json{{"t", s.t},
                                 {"time", minute(cal, s.t)},
                                 {"date", sim::format_date(cal.date_of(s.t))},
                                 {"from", s.from.name()},
                                 {"to", s.to.name()},
                                 {"what", s.what}});
  const Json doc{{"journey", j.number},
                         {"person", person_label(sc, p)},
                         {"jurisdiction", jur.id},
                         {"state", jur.state},
                         {"group", kGroupNames[static_cast<std::size_t>(p.group)]},
                         {"level", kLevelNames[static_cast<std::size_t>(p.level)]},
                         {"charge", kChargeNames[static_cast<std::size_t>(p.charge)]},
                         {"jail_path", kJailPathNames[static_cast<std::size_t>(p.path)]},
                         {"in_ident", p.in_ident},
                         {"arrest_bias_extra", is_arrest_bias_extra(p)},
                         {"steps", std::move(steps)},
                         {"end", kEndStateNames[static_cast<std::size_t>(j.end)]},
                         {"end_t", j.end_time},
                         {"end_time", minute(cal, j.end_time)}};
  os << json_text(doc) << "\n";
}

}  // namespace scsim_app
