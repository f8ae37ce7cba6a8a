#include "models/pipeline/trace.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <ostream>
#include <sstream>
#include <stdexcept>

namespace scsim {

// ------------------------------------------------------------------ journeys
bool Journey::visited(Node n) const {
  if (n.is_end) return n == Node::end(end);
  if (n == Node::stage(Stage::booking)) return true;
  return std::any_of(steps.begin(), steps.end(), [n](const TraceStep& s) { return s.to == n || s.from == n; });
}

std::optional<std::pair<sim::Time, sim::Time>> Journey::hold() const {
  const Node held = Node::stage(Stage::detainer_hold);
  for (std::size_t i = 0; i < steps.size(); ++i) {
    if (!(steps[i].to == held) || steps[i].from == held) continue;
    // The hold lasts until the next step leaves it (pick-up or expiry); a
    // journey cut at the horizon is still held then.
    const sim::Time until = i + 1 < steps.size() ? steps[i + 1].t : end_time;
    return std::make_pair(steps[i].t, std::max(until, steps[i].t));
  }
  return std::nullopt;
}

// ------------------------------------------------------------------ filter
namespace {

/// Friendly names for the questions teachers ask; every stage, end state,
/// group, level and charge name is a term too.
struct Alias {
  std::string_view name;
  JourneyFilter::Term term;
  std::string_view help;
};

using K = JourneyFilter::Term::Kind;
constexpr std::size_t stage_id(Stage s) { return Node::stage(s).id(); }

const std::vector<Alias>& aliases() {
  static const std::vector<Alias> a{
      {"matched", {K::visited, stage_id(Stage::lesc)}, "IDENT matched the prints (an IAQ went to LESC)"},
      {"detained", {K::visited, stage_id(Stage::detainer)}, "ICE lodged a detainer"},
      {"notified", {K::visited, stage_id(Stage::notification_request)}, "ICE asked to be notified of release"},
      {"held", {K::visited, stage_id(Stage::detainer_hold)}, "the jail held the person on a detainer past release"},
      {"declined", {K::end, static_cast<std::size_t>(EndState::released_detainer_declined)},
       "the jail declined the detainer"},
      {"expired", {K::end, static_cast<std::size_t>(EndState::released_hold_expired)},
       "the hold expired without an ICE pick-up"},
      {"citizen", {K::citizen, 0}, "a US citizen (us_born or naturalized)"},
      {"weekend", {K::weekend_hold, 0}, "the detainer hold ran over a Saturday or Sunday"},
      {"holiday", {K::holiday_hold, 0}, "the detainer hold ran over a federal holiday"},
  };
  return a;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::optional<JourneyFilter::Term> lookup_term(std::string_view name) {
  for (const auto& a : aliases())
    if (a.name == name) return a.term;
  if (auto i = index_of(kStageNames, name)) return JourneyFilter::Term{K::visited, *i};
  if (auto i = index_of(kEndStateNames, name)) return JourneyFilter::Term{K::end, *i};
  if (auto i = index_of(kGroupNames, name)) return JourneyFilter::Term{K::group, *i};
  if (auto i = index_of(kLevelNames, name)) return JourneyFilter::Term{K::level, *i};
  if (auto i = index_of(kChargeNames, name)) return JourneyFilter::Term{K::charge, *i};
  return std::nullopt;
}

template <std::size_t N>
std::string joined(const std::array<std::string_view, N>& names) {
  std::string s;
  for (auto n : names) s += (s.empty() ? "" : ", ") + std::string(n);
  return s;
}

/// Calls fn(date) for each civil day that [a, b) touches.
template <class Fn>
bool any_day(const sim::Calendar& cal, sim::Time a, sim::Time b, Fn&& fn) {
  if (b <= a) return false;
  for (sim::Time t = cal.start_of_day(a); t < b; t += sim::kDay)
    if (fn(cal.date_of(t))) return true;
  return false;
}

}  // namespace

JourneyFilter JourneyFilter::parse(std::string_view text) {
  JourneyFilter f;
  while (!text.empty()) {
    const auto comma = text.find(',');
    std::string_view word = trim(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    if (word.empty()) continue;
    bool negate = false;
    if (word.front() == '!') {
      negate = true;
      word = trim(word.substr(1));
    }
    auto term = lookup_term(lower(word));
    if (!term)
      throw std::invalid_argument("unknown trace filter '" + std::string(word) + "'; terms (combine with commas, " +
                                  "negate with '!'):\n" + help());
    term->negate = negate;
    f.terms_.push_back(*term);
  }
  return f;
}

std::string JourneyFilter::help() {
  std::string s;
  for (const auto& a : aliases()) s += "  " + std::string(a.name) + ": " + std::string(a.help) + "\n";
  s += "  a stage visited: " + joined(kStageNames) + "\n";
  s += "  an end state: " + joined(kEndStateNames) + "\n";
  s += "  a group: " + joined(kGroupNames) + "\n";
  s += "  a level: " + joined(kLevelNames) + "\n";
  s += "  a booking charge: " + joined(kChargeNames) + "\n";
  return s;
}

bool JourneyFilter::may_match(const PersonInfo& p) const {
  for (const Term& t : terms_) {
    bool v;
    switch (t.kind) {
      case K::group: v = static_cast<std::size_t>(p.group) == t.index; break;
      case K::level: v = static_cast<std::size_t>(p.level) == t.index; break;
      case K::charge: v = static_cast<std::size_t>(p.charge) == t.index; break;
      case K::citizen: v = is_citizen(p.group); break;
      default: continue;  // decided only when the journey is complete
    }
    if (v == t.negate) return false;
  }
  return true;
}

bool JourneyFilter::matches(const Journey& j, const sim::Calendar& cal) const {
  if (!may_match(j.person)) return false;
  for (const Term& t : terms_) {
    bool v;
    switch (t.kind) {
      case K::visited:
        v = j.visited(t.index < kStages ? Node::stage(static_cast<Stage>(t.index))
                                        : Node::end(static_cast<EndState>(t.index - kStages)));
        break;
      case K::end: v = static_cast<std::size_t>(j.end) == t.index; break;
      case K::weekend_hold: {
        auto h = j.hold();
        v = h && any_day(cal, h->first, h->second, [](sim::Date d) {
              const auto wd = std::chrono::weekday{std::chrono::sys_days{d}};
              return wd == std::chrono::Saturday || wd == std::chrono::Sunday;
            });
        break;
      }
      case K::holiday_hold: {
        auto h = j.hold();
        v = h && any_day(cal, h->first, h->second, [](sim::Date d) { return sim::is_federal_holiday(d); });
        break;
      }
      default: continue;  // checked by may_match
    }
    if (v == t.negate) return false;
  }
  return true;
}

// ------------------------------------------------------------------ collector
JourneyCollector::JourneyCollector(const Scenario& sc, TraceOptions opt, std::function<void(const Journey&)> on_journey)
    : opt_(std::move(opt)), on_journey_(std::move(on_journey)), cal_(sc.start) {}

void JourneyCollector::step(const PersonInfo& p, sim::Time t, Node from, Node to, const std::string& what) {
  auto it = open_.find(p.id);
  if (it == open_.end()) {
    // A journey is followed from its first step (booked) or not at all.
    if (!(from == to && from == Node::stage(Stage::booking))) return;
    if (!keep_going()) return;
    if (opt_.jurisdiction && p.jurisdiction != *opt_.jurisdiction) return;
    if (p.booked < opt_.booked_from) return;
    if (!opt_.filter.may_match(p)) return;
    if (open_.size() >= opt_.max_open) {
      ++skipped_;
      return;
    }
    Journey j;
    j.person = p;
    it = open_.emplace(p.id, std::move(j)).first;
    peak_open_ = std::max(peak_open_, open_.size());
  }
  it->second.steps.push_back({t, from, to, what});
}

void JourneyCollector::finish(const PersonInfo& p, sim::Time t, EndState e) {
  auto it = open_.find(p.id);
  if (it == open_.end()) return;
  Journey j = std::move(it->second);
  open_.erase(it);
  j.end = e;
  j.end_time = t;
  complete(std::move(j));
}

void JourneyCollector::complete(Journey&& j) {
  if (!keep_going() || !opt_.filter.matches(j, cal_)) return;
  j.number = ++kept_count_;
  if (on_journey_)
    on_journey_(j);
  else
    kept_.push_back(std::move(j));
}

void JourneyCollector::close(sim::Time horizon) {
  std::vector<Journey> rest;
  rest.reserve(open_.size());
  for (auto& [id, j] : open_) rest.push_back(std::move(j));
  open_.clear();
  // Hash-map order is not an order: report them as they were booked.
  std::sort(rest.begin(), rest.end(), [](const Journey& a, const Journey& b) {
    return a.person.booked != b.person.booked ? a.person.booked < b.person.booked : a.person.id < b.person.id;
  });
  for (auto& j : rest) {
    j.end = EndState::in_system_at_horizon;
    j.end_time = horizon;
    complete(std::move(j));
  }
}

std::vector<Journey> trace_scenario(const Scenario& sc, const TraceOptions& opt, std::size_t replication,
                                    const std::function<void(const Journey&)>& on_journey) {
  JourneyCollector c(sc, opt, on_journey);
  RunOptions ro;
  ro.tracer = &c;
  run_replication(sc, replication, ro);
  c.close(sc.horizon());
  return c.journeys();
}

// ------------------------------------------------------------------ lookup and labels
std::size_t find_jurisdiction_index(const Scenario& sc, std::string_view key) {
  const std::string k = lower(trim(key));
  const auto& js = sc.jurisdictions;
  for (std::size_t i = 0; i < js.size(); ++i)
    if (lower(js[i].id) == k) return i;
  for (std::size_t i = 0; i < js.size(); ++i)
    if (lower(js[i].name) == k) return i;
  std::optional<std::size_t> by_state;
  for (std::size_t i = 0; i < js.size(); ++i)
    if (lower(js[i].state) == k) {
      if (by_state) throw std::invalid_argument("'" + std::string(key) + "' names a state with several jurisdictions; use an id");
      by_state = i;
    }
  if (by_state) return *by_state;
  std::string ids;
  for (std::size_t i = 0; i < js.size() && i < 12; ++i) ids += (i ? ", " : "") + js[i].id;
  if (js.size() > 12) ids += ", ...";
  throw std::invalid_argument("no jurisdiction '" + std::string(key) + "' in scenario '" + sc.name + "' (ids: " + ids +
                              ")");
}

namespace {
// Person ids are (jurisdiction << 40) | (extra << 39) | serial (models/pipeline.cpp).
constexpr std::uint64_t kSerialMask = (std::uint64_t(1) << 39) - 1;
bool is_extra(const PersonInfo& p) { return (p.id >> 39) & 1; }

}  // namespace

std::string minute(const sim::Calendar& cal, sim::Time t) { return cal.format(t - (t % 60 + 60) % 60); }

std::string person_label(const Scenario& sc, const PersonInfo& p) {
  const std::string& jid = p.jurisdiction < sc.jurisdictions.size() ? sc.jurisdictions[p.jurisdiction].id : "?";
  return jid + "#" + std::to_string(p.id & kSerialMask) + (is_extra(p) ? "b" : "");
}

bool is_arrest_bias_extra(const PersonInfo& p) { return is_extra(p); }

}  // namespace scsim
