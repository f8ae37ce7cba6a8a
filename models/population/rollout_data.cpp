#include "models/population/rollout_data.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <span>
#include <sstream>
#include <stdexcept>

#include "models/scenario/csv.hpp"
#include "models/scenario/limits.hpp"
#include "models/scenario/parse.hpp"

namespace scsim {
namespace {

using sim::Date;

constexpr std::string_view kKey = "national.rollout_dir";

constexpr std::array<std::string_view, 3> kCountsColumns{"date", "counties", "source"};
constexpr std::array<std::string_view, 3> kStatesColumns{"date", "states", "source"};
constexpr std::array<std::string_view, 4> kRampColumns{"state", "date", "coverage", "source"};
constexpr std::array<std::string_view, 4> kStartColumns{"state", "start", "floor", "source"};
constexpr std::array<std::string_view, 2> kFirstColumns{"state", "source"};

/// The rows of one rollout file and the checks on their fields; every error
/// names the file, line, column and the column's header name.
class Table {
 public:
  Table(std::string_view text, std::string path, std::span<const std::string_view> columns)
      : path_(std::move(path)), columns_(columns) {
    if (text.size() > limits::kDataBytes)
      throw ScenarioError(path_, 0, 0, std::string(kKey), "the file is larger than the limit (models/limits.hpp)");
    parse::check_text(text, path_, "");
    rows_ = csv::read_table(text, path_, columns_);  // quoted fields allowed: sources hold commas
  }
  const std::vector<csv::Row>& rows() const { return rows_; }

  [[noreturn]] void fail(const csv::Row& r, std::size_t i, const std::string& message) const {
    throw ScenarioError(path_, r.line, r.fields[i].column, std::string(columns_[i]), message);
  }
  /// The file has no data row.
  [[noreturn]] void fail_empty() const {
    throw ScenarioError(path_, 1, 1, std::string(columns_[0]), "no rows after the header");
  }

  Date date(const csv::Row& r, std::size_t i) const {
    try {
      return sim::parse_date(r.fields[i].text);
    } catch (const std::invalid_argument&) {
      fail(r, i, "'" + r.fields[i].text + "' is not a date (YYYY-MM-DD)");
    }
  }
  int integer(const csv::Row& r, std::size_t i, int lo, int hi) const {
    const auto v = parse::to_integer(r.fields[i].text);
    if (!v) fail(r, i, parse::why_not(v.status, r.fields[i].text, "a whole number"));
    if (v.value < lo || v.value > hi)
      fail(r, i, "'" + r.fields[i].text + "' is outside [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    return static_cast<int>(v.value);
  }
  double share(const csv::Row& r, std::size_t i) const {
    const auto v = parse::to_double(r.fields[i].text);
    if (!v) fail(r, i, parse::why_not(v.status, r.fields[i].text, "a share"));
    if (v.value < 0 || v.value > 1) fail(r, i, "'" + r.fields[i].text + "' is outside [0, 1]");
    return v.value;
  }
  std::string state(const csv::Row& r, std::size_t i) const {
    if (!is_state_code(r.fields[i].text))
      fail(r, i, "'" + r.fields[i].text + "' is not the postal code of a state or DC");
    return r.fields[i].text;
  }
  std::string source(const csv::Row& r, std::size_t i) const {
    if (r.fields[i].text.empty()) fail(r, i, "a source is required on every row");
    return r.fields[i].text;
  }
  /// Dates in file order must increase strictly.
  void check_after(const csv::Row& r, std::size_t i, Date previous, Date d) const {
    if (!(previous < d))
      fail(r, i, "dates must increase: " + sim::format_date(d) + " is not after " + sim::format_date(previous));
  }

 private:
  std::string path_;
  std::span<const std::string_view> columns_;
  std::vector<csv::Row> rows_;
};

/// date,<count>,source rows: dates increasing, counts within [0, max] and non-decreasing.
std::vector<DatedCount> dated_counts(const Table& t, int max, std::string_view what) {
  std::vector<DatedCount> out;
  for (const auto& r : t.rows()) {
    DatedCount c{t.date(r, 0), t.integer(r, 1, 0, max), t.source(r, 2), r.line};
    if (!out.empty()) {
      t.check_after(r, 0, out.back().date, c.date);
      if (c.count < out.back().count)
        t.fail(r, 1,
               "the " + std::string(what) + " fall from " + std::to_string(out.back().count) + " to " +
                   std::to_string(c.count) + " (a rollout count cannot go down)");
    }
    out.push_back(std::move(c));
  }
  if (out.empty()) t.fail_empty();
  return out;
}

/// A state listed twice in a file where each state has one row.
void check_unique(const Table& t, const csv::Row& r, std::map<std::string, int>& seen, const std::string& state) {
  const auto [it, fresh] = seen.emplace(state, r.line);
  if (!fresh) t.fail(r, 0, "second row for " + state + " (first at line " + std::to_string(it->second) + ")");
}

/// The rows of a file with one row per state, made by `make`, in file order.
template <class T, class Make>
std::vector<T> one_row_per_state(const Table& t, Make make) {
  std::vector<T> out;
  std::map<std::string, int> seen;
  for (const auto& r : t.rows()) {
    T v = make(r);
    check_unique(t, r, seen, v.state);
    out.push_back(std::move(v));
  }
  return out;
}

std::string path_in(const std::string& dir, std::string_view file) {
  return (std::filesystem::path(dir) / std::string(file)).string();
}

std::string read_text(const std::string& path) {
  return csv::read_file(path, limits::kDataBytes, std::string(kKey), "rollout data file");
}

std::string format_share(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

/// A state in two roles (a fixed ramp and a forced start, ...): the builder would silently use one.
[[noreturn]] void conflict(const std::string& path, int line, const std::string& state, const std::string& why) {
  throw ScenarioError(path, line, 1, "state", state + " " + why);
}

}  // namespace

bool is_state_code(std::string_view s) {
  return std::find(kStateCodes.begin(), kStateCodes.end(), s) != kStateCodes.end();
}

std::vector<CoveragePoint> RolloutData::states_started_ramp() const {
  std::vector<CoveragePoint> out;
  for (const auto& c : states_started) out.push_back({c.date, double(c.count)});
  return out;
}

std::vector<DatedCount> parse_national_counts(std::string_view text, const std::string& path) {
  const Table t(text, path, kCountsColumns);
  auto out = dated_counts(t, kUsCounties, "counties");
  if (out.size() < 2 || out.back().count != kUsCounties)
    t.fail(t.rows().back(), 1,
           "the last row must count all " + std::to_string(kUsCounties) +
               " counties (the date every county was activated), after at least one earlier row");
  return out;
}

std::vector<DatedCount> parse_states_started(std::string_view text, const std::string& path) {
  const Table t(text, path, kStatesColumns);
  return dated_counts(t, static_cast<int>(kStateCodes.size()), "states");
}

std::vector<StateRamp> parse_state_ramps(std::string_view text, const std::string& path) {
  const Table t(text, path, kRampColumns);
  std::vector<StateRamp> out;
  std::map<std::string, int> seen;
  for (const auto& r : t.rows()) {
    const std::string state = t.state(r, 0);
    const CoveragePoint p{t.date(r, 1), t.share(r, 2)};
    std::string source = t.source(r, 3);
    if (out.empty() || out.back().state != state) {
      check_unique(t, r, seen, state);  // a state's rows stay together
      out.push_back(StateRamp{state, {}, {}, r.line});
    }
    StateRamp& s = out.back();
    if (!s.ramp.empty()) {
      t.check_after(r, 1, s.ramp.back().date, p.date);
      if (p.fraction < s.ramp.back().fraction)
        t.fail(r, 2,
               "coverage falls from " + format_share(s.ramp.back().fraction) + " to " + r.fields[2].text +
                   ": a ramp says where ICE activated SC and does not go down (a state's refusal is a "
                   "state_refuses policy in the scenario)");
    }
    s.ramp.push_back(p);
    s.sources.push_back(std::move(source));
  }
  return out;
}

std::vector<ForcedStart> parse_forced_starts(std::string_view text, const std::string& path) {
  const Table t(text, path, kStartColumns);
  return one_row_per_state<ForcedStart>(t, [&](const csv::Row& r) {
    return ForcedStart{t.state(r, 0), t.date(r, 1), t.share(r, 2), t.source(r, 3), r.line};
  });
}

std::vector<FirstState> parse_border_first(std::string_view text, const std::string& path) {
  const Table t(text, path, kFirstColumns);
  return one_row_per_state<FirstState>(
      t, [&](const csv::Row& r) { return FirstState{t.state(r, 0), t.source(r, 1), r.line}; });
}

RolloutData read_rollout_data(const std::string& dir) {
  const auto read = [&](std::string_view file, auto parse) {
    const std::string path = path_in(dir, file);
    return parse(read_text(path), path);
  };
  RolloutData d;
  d.counties = read(kNationalCountsFile, parse_national_counts);
  d.states_started = read(kStatesStartedFile, parse_states_started);
  d.state_ramps = read(kStateRampsFile, parse_state_ramps);
  d.forced_starts = read(kForcedStartsFile, parse_forced_starts);
  d.border_first = read(kBorderFirstFile, parse_border_first);

  std::map<std::string, int> fixed;
  for (const auto& s : d.state_ramps) fixed[s.state] = s.line;
  std::set<std::string> started;
  for (const auto& f : d.forced_starts) {
    if (const auto it = fixed.find(f.state); it != fixed.end())
      conflict(path_in(dir, kForcedStartsFile), f.line, f.state,
               "has a ramp in " + std::string(kStateRampsFile) + " (line " + std::to_string(it->second) +
                   "); a forced start is for a state without one");
    started.insert(f.state);
  }
  for (const auto& b : d.border_first)
    if (fixed.count(b.state) || started.count(b.state))
      conflict(path_in(dir, kBorderFirstFile), b.line, b.state,
               "already has a ramp or a forced start; " + std::string(kBorderFirstFile) +
                   " orders the states without either");
  return d;
}

}  // namespace scsim
