#include "models/scenario/schema.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include "models/scenario/parse.hpp"

namespace scsim {

namespace schema {

std::string Source::str() const { return (file ? file->name : std::string("?")) + ":" + std::to_string(line); }

void fail(const Source& where, const std::string& key_path, const std::string& message, ScenarioError::Kind kind) {
  throw ScenarioError(where.file ? where.file->name : "?", where.line, where.column, key_path, message, kind);
}

const Source& blame(std::initializer_list<const Node*> nodes, const Source& otherwise) {
  for (const Node* n : nodes)
    if (n && n->where.file && n->where.file->is_override) return n->where;
  return otherwise;
}

// ---------------------------------------------------------------- nodes

const Entry* Node::entry(std::string_view key) const {
  for (const auto& e : entries)
    if (e.key == key) return &e;
  return nullptr;
}
const Node* Node::find(std::string_view key) const {
  const Entry* e = entry(key);
  return e ? &e->value : nullptr;
}
Node* Node::find(std::string_view key) {
  for (auto& e : entries)
    if (e.key == key) return &e.value;
  return nullptr;
}
Node& Node::set(const std::string& key, Node value, const Source& key_where) {
  kind = Kind::map;
  if (Node* n = find(key)) return *n = std::move(value);
  entries.push_back({key, key_where, std::move(value)});
  return entries.back().value;
}
void Node::erase(std::string_view key) {
  std::erase_if(entries, [&](const Entry& e) { return e.key == key; });
}
std::string Node::describe() const {
  switch (kind) {
    case Kind::null: return "nothing (null)";
    case Kind::scalar: return "'" + (scalar.size() > 80 ? scalar.substr(0, 80) + "..." : scalar) + "'";
    case Kind::sequence: return "a list";
    case Kind::map: return "a map";
  }
  return "?";
}

namespace {

void emit_node(YAML::Emitter& out, const Node& n) {
  switch (n.kind) {
    case Node::Kind::null: out << YAML::Null; break;
    case Node::Kind::scalar: out << n.scalar; break;
    case Node::Kind::sequence: {
      const bool flat =
          std::all_of(n.items.begin(), n.items.end(), [](const Node& i) { return !i.is_map() && !i.is_sequence(); });
      if (flat) out << YAML::Flow;
      out << YAML::BeginSeq;
      for (const auto& i : n.items) emit_node(out, i);
      out << YAML::EndSeq;
      break;
    }
    case Node::Kind::map:
      out << YAML::BeginMap;
      for (const auto& e : n.entries) {
        out << YAML::Key << e.key << YAML::Value;
        emit_node(out, e.value);
      }
      out << YAML::EndMap;
      break;
  }
}

}  // namespace

std::string emit(const Node& node) {
  YAML::Emitter out;
  emit_node(out, node);
  return std::string(out.c_str()) + "\n";
}

// ---------------------------------------------------------------- names

std::string join(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}
std::string join_index(const std::string& path, std::size_t index) { return path + "[" + std::to_string(index) + "]"; }

namespace {
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}
}  // namespace

std::string did_you_mean(std::string_view word, std::span<const std::string> candidates) {
  // Typos are short edits; a long word may be further off and still clearly meant.
  // Names are short: a long word gets no suggestion (the edit distance costs |word| x |candidate|).
  if (word.size() > 64) return {};
  const std::size_t limit = std::max<std::size_t>(2, word.size() / 3);
  const std::string* best = nullptr;
  std::size_t best_d = limit + 1;
  for (const auto& c : candidates) {
    if (c.size() > word.size() + limit || word.size() > c.size() + limit) continue;  // too far by length alone
    const std::size_t d = edit_distance(word, c);
    if (d < best_d) best_d = d, best = &c;
  }
  return best ? "; did you mean '" + *best + "'?" : std::string();
}

std::string_view type_name(Type t) {
  switch (t) {
    case Type::string: return "string";
    case Type::boolean: return "bool";
    case Type::integer: return "integer";
    case Type::number: return "number";
    case Type::probability: return "probability";
    case Type::money: return "money";
    case Type::date: return "date";
    case Type::duration: return "duration";
    case Type::enumeration: return "enum";
    case Type::shares: return "shares";
    case Type::probabilities: return "probabilities";
    case Type::weights: return "weights";
    case Type::distribution: return "distribution";
    case Type::list: return "list";
    case Type::map: return "map";
    case Type::scope: return "scope";
  }
  return "?";
}

bool Range::contains(double v) const { return (lo_open ? v > lo : v >= lo) && (hi_open ? v < hi : v <= hi); }

std::string Range::str() const {
  const bool has_lo = std::isfinite(lo), has_hi = std::isfinite(hi);
  if (has_lo && has_hi)
    return std::string(lo_open ? "(" : "[") + render_number(lo) + ", " + render_number(hi) + (hi_open ? ")" : "]");
  if (has_lo) return std::string(lo_open ? "> " : ">= ") + render_number(lo);
  if (has_hi) return std::string(hi_open ? "< " : "<= ") + render_number(hi);
  return "";
}

// ---------------------------------------------------------------- scalar readers

namespace {

const std::string& scalar_of(const Node& n, const std::string& path, std::string_view what) {
  if (!n.is_scalar())
    fail(n.where, path, "expected " + std::string(what) + ", got " + n.describe(), ScenarioError::Kind::input);
  return n.scalar;
}

void check_range(const Node& n, const std::string& path, const Key& k, double v, const std::string& shown) {
  const bool prob = k.type == Type::probability;
  const Range r = prob ? between(0, 1) : k.range;
  if (r.contains(v)) return;
  const std::string rs = r.str();
  const bool interval = rs.front() == '[' || rs.front() == '(';
  fail(n.where, path,
       std::string("must be ") +
           (prob       ? "a probability in "
            : interval ? "in "
                       : "") +
           rs + ", got " + shown);
}

}  // namespace

std::string read_string(const Node& n, const std::string& path) { return scalar_of(n, path, "a string"); }

bool read_bool(const Node& n, const std::string& path) {
  std::string s = scalar_of(n, path, "true or false");
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (s == "true" || s == "yes") return true;
  if (s == "false" || s == "no") return false;
  fail(n.where, path, "expected true or false, got " + n.describe());
}

double read_number(const Node& n, const std::string& path, const Key& k) {
  const char* what = k.type == Type::money ? "a number (US dollars)" : "a number";
  const std::string& s = scalar_of(n, path, what);
  const auto v = parse::to_double(s);
  if (!v) fail(n.where, path, parse::why_not(v.status, s, what));
  check_range(n, path, k, v.value, s);
  return v.value;
}

long long read_integer(const Node& n, const std::string& path, const Key& k) {
  const std::string& s = scalar_of(n, path, "an integer");
  const auto v = parse::to_integer(s);
  if (!v) fail(n.where, path, parse::why_not(v.status, s, "an integer"));
  check_range(n, path, k, static_cast<double>(v.value), s);
  return v.value;
}

void fail_too_large(const Node& n, const std::string& path) {
  fail(n.where, path, "'" + n.scalar + "' is too large here");
}

sim::Duration parse_duration_text(std::string_view text) {
  static const std::vector<std::pair<std::string, sim::Duration>> units{
      {"s", sim::kSecond}, {"min", sim::kMinute}, {"h", sim::kHour}, {"d", sim::kDay}, {"w", 7 * sim::kDay}};
  std::size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.' || text[i] == '-' ||
                             text[i] == '+' || text[i] == 'e' || text[i] == 'E'))
    ++i;
  // 'e' could start a unit in other languages of durations; ours have none.
  std::string_view number = text.substr(0, i), unit = text.substr(i);
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  const auto v = parse::to_double(number);
  if (v.status == parse::NumberStatus::not_finite || v.status == parse::NumberStatus::out_of_range)
    throw std::invalid_argument("duration '" + std::string(text) + "' is not a finite number of " +
                                (unit.empty() ? std::string("units") : std::string(unit)));
  if (!v) throw std::invalid_argument("expected a duration such as 48h or 1.5d, got '" + std::string(text) + "'");
  if (unit.empty())
    throw std::invalid_argument("duration needs a unit (s, min, h, d, w), e.g. '" + std::string(number) + "h'; got '" +
                                std::string(text) + "'");
  auto it = std::find_if(units.begin(), units.end(), [&](const auto& u) { return u.first == unit; });
  if (it == units.end()) {
    // Spelled-out units get the short form; edit distance would offer 's' for 'm'.
    static const std::vector<std::pair<std::string, std::string>> aliases{
        {"m", "min"},    {"mins", "min"},  {"minute", "min"}, {"minutes", "min"}, {"sec", "s"},  {"secs", "s"},
        {"second", "s"}, {"seconds", "s"}, {"hr", "h"},       {"hrs", "h"},       {"hour", "h"}, {"hours", "h"},
        {"day", "d"},    {"days", "d"},    {"week", "w"},     {"weeks", "w"}};
    const auto alias = std::find_if(aliases.begin(), aliases.end(), [&](const auto& a) { return a.first == unit; });
    std::vector<std::string> names;
    for (const auto& u : units) names.push_back(u.first);
    throw std::invalid_argument(
        "unknown duration unit '" + std::string(unit) + "' in '" + std::string(text) + "' (use s, min, h, d or w)" +
        (alias != aliases.end() ? "; did you mean '" + alias->second + "'?" : did_you_mean(unit, names)));
  }
  if (v.value < 0) throw std::invalid_argument("duration must not be negative, got '" + std::string(text) + "'");
  const double seconds = v.value * static_cast<double>(it->second);
  if (seconds > static_cast<double>(kMaxDuration))
    throw std::invalid_argument("duration '" + std::string(text) + "' is longer than 100 years (36525d)");
  const double whole = std::round(seconds);
  if (std::abs(seconds - whole) > 1e-6)
    throw std::invalid_argument("duration '" + std::string(text) + "' is not a whole number of seconds");
  return static_cast<sim::Duration>(whole);
}

sim::Duration read_duration(const Node& n, const std::string& path, const Key& k) {
  const std::string& s = scalar_of(n, path, "a duration such as 48h");
  sim::Duration d = 0;
  try {
    d = parse_duration_text(s);
  } catch (const std::invalid_argument& e) {
    fail(n.where, path, e.what());
  }
  if (!k.range.contains(static_cast<double>(d)))
    fail(n.where, path, "must be " + k.range.str() + " seconds, got '" + s + "'");
  return d;
}

sim::Date read_date(const Node& n, const std::string& path) {
  const std::string& s = scalar_of(n, path, "a date YYYY-MM-DD");
  try {
    return sim::parse_date(s);
  } catch (const std::invalid_argument& e) {
    // parse_date says why after its last ": " (bad month, no such day, ...).
    const std::string why = e.what();
    const auto colon = why.rfind(": ");
    fail(n.where, path,
         "expected a date YYYY-MM-DD, got '" + s + "'" +
             (colon == std::string::npos ? std::string() : " (" + why.substr(colon + 2) + ")"));
  }
}

std::size_t read_choice(const Node& n, const std::string& path, std::span<const std::string> choices) {
  const std::string& s = scalar_of(n, path, "one of the listed names");
  for (std::size_t i = 0; i < choices.size(); ++i)
    if (choices[i] == s) return i;
  std::string list;
  for (const auto& c : choices) list += (list.empty() ? "" : ", ") + c;
  fail(n.where, path, "unknown value '" + s + "' (expected one of: " + list + ")" + did_you_mean(s, choices));
}

std::vector<std::size_t> read_choice_list(const Node& n, const std::string& path, const Key& k) {
  if (!n.is_sequence()) fail(n.where, path, "expected a list, got " + n.describe(), ScenarioError::Kind::input);
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < n.items.size(); ++i)
    out.push_back(read_choice(n.items[i], join_index(path, i), k.choices));
  return out;
}

void read_value_map(const Node& n, const std::string& path, const Key& k, std::span<double> values) {
  std::string list;
  for (const auto& c : k.choices) list += (list.empty() ? "" : ", ") + c;
  if (!n.is_map())
    fail(n.where, path, "expected a map of " + std::string(type_name(k.type)) + " (" + list + "), got " + n.describe(),
         ScenarioError::Kind::input);
  Key value_key{.name = k.name, .type = k.type == Type::weights ? Type::number : Type::probability};
  if (k.type == Type::weights) value_key.range = at_least(0);
  std::vector<bool> given(values.size(), false);
  for (const auto& e : n.entries) {
    const auto it = std::find(k.choices.begin(), k.choices.end(), e.key);
    if (it == k.choices.end())
      fail(e.key_where, join(path, e.key),
           "unknown key '" + e.key + "' (expected: " + list + ")" + did_you_mean(e.key, k.choices), ScenarioError::Kind::input);
    const auto i = static_cast<std::size_t>(it - k.choices.begin());
    values[i] = read_number(e.value, join(path, e.key), value_key);
    given[i] = true;
  }
  double sum = 0;
  for (double v : values) sum += v;
  if (k.type == Type::shares && std::abs(sum - 1.0) > 1e-6) {
    std::string inherited;
    for (std::size_t i = 0; i < values.size(); ++i)
      if (!given[i]) inherited += (inherited.empty() ? "" : ", ") + k.choices[i] + " " + render_number(values[i]);
    std::ostringstream msg;
    msg.precision(12);
    msg << "shares must sum to 1, but sum to " << sum;
    if (!inherited.empty()) msg << " (with inherited " << inherited << ")";
    fail(n.where, path, msg.str());
  }
  if (k.type == Type::weights) {
    if (!(sum > 0)) fail(n.where, path, "weights must not all be zero");
    const double mean = sum / static_cast<double>(values.size());
    for (double& v : values) v /= mean;
  }
}

Dist read_dist(const Node& n, const std::string& path) {
  static const std::vector<std::string> kinds{"fixed", "exponential", "lognormal", "gamma", "weibull", "uniform"};
  static const std::vector<std::vector<std::string>> params{{"value"},         {"mean"},          {"median", "mean"},
                                                            {"shape", "mean"}, {"shape", "mean"}, {"min", "max"}};
  if (!n.is_map())
    fail(n.where, path, "expected a distribution such as {dist: exponential, mean: 27min}, got " + n.describe(),
         ScenarioError::Kind::input);
  const Node* kind_node = n.find("dist");
  if (!kind_node)
    fail(n.where, path, "a distribution needs 'dist' (one of fixed, exponential, lognormal, gamma, weibull, uniform)",
         ScenarioError::Kind::input);
  const std::size_t kind = read_choice(*kind_node, join(path, "dist"), kinds);
  const auto& want = params[kind];
  std::vector<std::string> allowed = want;
  allowed.push_back("dist");
  for (const auto& e : n.entries)
    if (std::find(allowed.begin(), allowed.end(), e.key) == allowed.end())
      fail(e.key_where, join(path, e.key),
           "unknown key '" + e.key + "' for dist: " + kinds[kind] + " (it takes " + want.front() +
               (want.size() > 1 ? " and " + want.back() : std::string()) + ")" + did_you_mean(e.key, allowed),
           ScenarioError::Kind::input);
  Dist d;
  d.kind = static_cast<Dist::Kind>(kind);
  auto get = [&](const std::string& name) {
    const Node* v = n.find(name);
    if (!v) fail(n.where, join(path, name), "dist: " + kinds[kind] + " needs '" + name + "'", ScenarioError::Kind::input);
    if (name == "shape")
      return read_number(*v, join(path, name), Key{.name = name, .type = Type::number, .range = above(0)});
    return static_cast<double>(
        read_duration(*v, join(path, name), Key{.name = name, .type = Type::duration, .range = at_least(0)}));
  };
  auto positive = [&](const std::string& name, double v) {
    if (!(v > 0)) fail(n.find(name)->where, join(path, name), "must be > 0, got '" + n.find(name)->scalar + "'");
    return v;
  };
  switch (d.kind) {
    case Dist::Kind::fixed: d.value = get("value"); break;
    case Dist::Kind::exponential: d.mean = positive("mean", get("mean")); break;
    case Dist::Kind::lognormal:
      d.median = positive("median", get("median"));
      d.mean = get("mean");
      if (!(d.mean > d.median))
        fail(n.find("mean")->where, join(path, "mean"),
             "a lognormal's mean must exceed its median (mean " + n.find("mean")->scalar + " <= median " +
                 n.find("median")->scalar + ")");
      break;
    case Dist::Kind::gamma:
    case Dist::Kind::weibull:
      d.shape = get("shape");
      d.mean = positive("mean", get("mean"));
      break;
    case Dist::Kind::uniform:
      d.min = get("min");
      d.max = get("max");
      if (d.max < d.min) fail(n.find("max")->where, join(path, "max"), "max must not be below min");
      break;
  }
  d.prepare();
  // The sampler multiplies by the scale: an infinite or vanishing one (a shape far too small for the
  // mean) would give NaN or infinite durations.
  const bool scaled = d.kind == Dist::Kind::gamma || d.kind == Dist::Kind::weibull;
  if (!std::isfinite(d.p1_) || !std::isfinite(d.p2_) || (scaled && !(d.p1_ > 0)) || !std::isfinite(d.analytic_mean()))
    fail(n.where, path, "the parameters of this " + kinds[kind] + " are beyond what the sampler can draw from");
  return d;
}

// ---------------------------------------------------------------- renderers

std::string render_number(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

std::string render_duration(sim::Duration s) {
  if (s == 0) return "0s";
  if (s % sim::kDay == 0 && s >= 3 * sim::kDay) return std::to_string(s / sim::kDay) + "d";
  if (s % sim::kHour == 0) return std::to_string(s / sim::kHour) + "h";
  if (s % sim::kMinute == 0) return std::to_string(s / sim::kMinute) + "min";
  return std::to_string(s) + "s";
}

std::string render_dist(const Dist& d) {
  auto dur = [](double s) { return render_duration(static_cast<sim::Duration>(std::llround(s))); };
  switch (d.kind) {
    case Dist::Kind::fixed: return "{dist: fixed, value: " + dur(d.value) + "}";
    case Dist::Kind::exponential: return "{dist: exponential, mean: " + dur(d.mean) + "}";
    case Dist::Kind::lognormal: return "{dist: lognormal, median: " + dur(d.median) + ", mean: " + dur(d.mean) + "}";
    case Dist::Kind::gamma: return "{dist: gamma, shape: " + render_number(d.shape) + ", mean: " + dur(d.mean) + "}";
    case Dist::Kind::weibull:
      return "{dist: weibull, shape: " + render_number(d.shape) + ", mean: " + dur(d.mean) + "}";
    case Dist::Kind::uniform: return "{dist: uniform, min: " + dur(d.min) + ", max: " + dur(d.max) + "}";
  }
  return "";
}

std::string render_value_map(const Key& k, std::span<const double> values) {
  std::string s = "{";
  for (std::size_t i = 0; i < values.size() && i < k.choices.size(); ++i)
    s += (i ? ", " : "") + k.choices[i] + ": " + render_number(values[i]);
  return s + "}";
}

// ---------------------------------------------------------------- sections

const Key* SectionBase::find(std::string_view key) const {
  for (const auto& k : keys_)
    if (k.name == key) return &k;
  return nullptr;
}

void SectionBase::check(const Node& node, const std::string& path) const {
  if (!node.is_map())
    fail(node.where, path, "expected a map (" + name_ + "), got " + node.describe(), ScenarioError::Kind::input);
  std::vector<std::string> names;
  for (const auto& k : keys_) names.push_back(k.name);
  for (const auto& e : node.entries)
    if (!find(e.key))
      fail(e.key_where, join(path, e.key), "unknown key '" + e.key + "'" + did_you_mean(e.key, names),
           ScenarioError::Kind::input);
  for (const auto& k : keys_)
    if (k.required && !node.find(k.name))
      fail(node.where, join(path, k.name), "required key '" + k.name + "' is missing", ScenarioError::Kind::input);
}

// ---------------------------------------------------------------- reference

namespace {

std::string cell(std::string s) {
  std::string out;
  for (char c : s) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

std::string joined(const std::vector<std::string>& v, const char* sep) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
  return s;
}

}  // namespace

std::string markdown(const SectionBase& root, std::string_view title, std::string_view intro) {
  // Every path a section is reachable by is listed under it; the section itself is printed once.
  std::vector<const SectionBase*> order, stack;
  std::map<const SectionBase*, std::vector<std::string>> used_at;
  std::function<void(const SectionBase*, const std::string&)> collect = [&](const SectionBase* s,
                                                                            const std::string& path) {
    if (std::find(stack.begin(), stack.end(), s) != stack.end()) return;  // a variant including its parent
    if (std::find(order.begin(), order.end(), s) == order.end()) order.push_back(s);
    if (!path.empty()) used_at[s].push_back(path);
    stack.push_back(s);
    for (const SectionBase* b : s->includes()) collect(b, path);
    for (const auto& k : s->keys())
      if (k.section && !k.inherited) collect(k.section, join(path, k.name) + (k.type == Type::list ? "[]" : ""));
    for (const SectionBase* v : s->variants()) collect(v, path + " (type: " + v->name() + ")");
    stack.pop_back();
  };
  collect(&root, "");

  std::ostringstream out;
  out << "# " << title << "\n\n" << intro << "\n";
  for (const SectionBase* s : order) {
    out << "\n## " << s->name() << "\n\n" << s->help() << "\n\n";
    if (!used_at[s].empty()) {
      std::vector<std::string> quoted;
      for (const auto& u : used_at[s]) quoted.push_back("`" + u + "`");
      out << "Used at: " << joined(quoted, ", ") << ".\n\n";
    }
    const auto defaults = s->defaults();
    std::vector<std::string> bases;
    const bool own_keys = std::any_of(s->keys().begin(), s->keys().end(), [](const Key& k) { return !k.inherited; });
    if (own_keys)
      out << "| key | type | default | allowed | description |\n|---|---|---|---|---|\n";
    else
      out << "No keys of its own.\n";
    for (std::size_t i = 0; i < s->keys().size(); ++i) {
      const Key& k = s->keys()[i];
      if (k.inherited) continue;
      std::string type(type_name(k.type));
      if (k.section)
        type += (k.type == Type::list ? " of " : ": ") + std::string("[") + k.section->name() + "](#" +
                k.section->name() + ")";
      if (!k.unit.empty()) type += " (" + k.unit + ")";
      std::string allowed = k.range.str();
      if (k.type == Type::probability) allowed = "[0, 1]";
      if (!k.choices.empty())
        allowed = (k.type == Type::enumeration || k.type == Type::list ? "" : "keys: ") + joined(k.choices, ", ");
      const std::string def = k.required ? "required" : defaults[i].empty() ? "—" : "`" + defaults[i] + "`";
      out << "| `" << k.name << "` | " << cell(type) << " | " << cell(def) << " | " << cell(allowed) << " | "
          << cell(k.help) << " |\n";
    }
    if (!s->includes().empty()) {
      std::vector<std::string> links;
      for (const SectionBase* b : s->includes()) links.push_back("[" + b->name() + "](#" + b->name() + ")");
      out << "\nAlso takes the keys of " << joined(links, " and ") << ".\n";
    }
    for (const SectionBase* v : s->variants()) bases.push_back("[" + v->name() + "](#" + v->name() + ")");
    if (!bases.empty()) out << "\nVariants: " << joined(bases, ", ") << ".\n";
  }
  return out.str();
}

// ---------------------------------------------------------------- paths

namespace {
[[noreturn]] void fail_path(const Source& where, const std::string& key_path, const std::string& message) {
  fail(where, key_path, message, ScenarioError::Kind::input);
}
}  // namespace

PathTarget resolve_path(Node& root, const SectionBase& section, std::string_view path, const Source& where) {
  std::vector<std::string> segments;
  for (std::size_t start = 0;;) {
    const std::size_t dot = path.find('.', start);
    segments.emplace_back(path.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  const SectionBase* sec = &section;
  Node* cur = &root;
  std::string done;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    std::string name = segments[i], selector;
    const bool last = i + 1 == segments.size();
    if (const auto open = name.find('['); open != std::string::npos) {
      if (name.back() != ']') fail_path(where, join(done, name), "malformed selector in '" + name + "'");
      selector = name.substr(open + 1, name.size() - open - 2);
      name.resize(open);
    }
    if (name.empty()) fail_path(where, std::string(path), "empty key in path '" + std::string(path) + "'");
    const Key* k = sec->find(name);
    std::vector<std::string> names;
    for (const auto& key : sec->keys()) names.push_back(key.name);
    if (!k) fail_path(where, join(done, name), "unknown key '" + name + "'" + did_you_mean(name, names));
    std::string here = join(done, name);
    if (!selector.empty()) {
      Node* list = cur->find(name);
      if (k->type != Type::list || !k->section) fail_path(where, here, "'" + name + "' is not a list of maps");
      if (!list || !list->is_sequence()) fail_path(where, here, "there is no '" + name + "' list to select from");
      Node* item = nullptr;
      long long index = -1;
      const auto [p, ec] = std::from_chars(selector.data(), selector.data() + selector.size(), index);
      if (ec == std::errc() && p == selector.data() + selector.size()) {
        if (index >= 0 && static_cast<std::size_t>(index) < list->items.size())
          item = &list->items[static_cast<std::size_t>(index)];
      } else {
        for (auto& it : list->items)
          if (const Node* id = it.find("id"); id && id->is_scalar() && id->scalar == selector) {
            if (item)
              fail_path(where, here + "[" + selector + "]",
                        "several items of '" + name + "' have the id '" + selector + "' (at " + item->where.str() +
                            " and " + it.where.str() + ")");
            item = &it;
          }
      }
      here += "[" + selector + "]";
      if (!item) {
        std::vector<std::string> ids;
        for (const auto& it : list->items)
          if (const Node* id = it.find("id"); id && id->is_scalar()) ids.push_back(id->scalar);
        const bool numeric = ec == std::errc() && p == selector.data() + selector.size();
        fail_path(where, here,
                  numeric ? "no item '" + selector + "' in '" + name + "' (it has " + std::to_string(list->items.size()) +
                                " items, from 0)"
                          : "no item '" + selector + "' in '" + name + "' (no item has that id" +
                                (ids.empty() ? std::string("; none has an id)") : ")" + did_you_mean(selector, ids)));
      }
      if (last)
        fail_path(where, here, "name a key inside the item, e.g. '" + here + "." + k->section->keys().front().name + "'");
      if (!item->is_map()) fail_path(where, here, "is not a map");
      sec = &k->section->variant(*item, here);
      cur = item;
      done = here;
      continue;
    }
    if (last) return {k, cur, name, false};
    const bool value_map =
        !k->choices.empty() && !k->section &&
        (k->type == Type::shares || k->type == Type::probabilities || k->type == Type::weights || k->type == Type::map);
    if (!value_map && !(k->type == Type::map && k->section))
      fail_path(where, here, "'" + name + "' is a " + std::string(type_name(k->type)) + "; it has no keys below it");
    Node* m = cur->find(name);
    if (!m) m = &cur->set(name, Node{Node::Kind::map, {}, {}, {}, where}, where);
    if (!m->is_map()) fail_path(where, here, "is not a map");
    if (value_map) {
      const std::string& member = segments[i + 1];
      if (i + 2 != segments.size()) fail_path(where, join(here, member), "'" + member + "' has no keys below it");
      if (std::find(k->choices.begin(), k->choices.end(), member) == k->choices.end())
        fail_path(where, join(here, member), "unknown key '" + member + "'" + did_you_mean(member, k->choices));
      return {k, m, member, true};
    }
    cur = m;
    sec = k->section;
    done = here;
  }
  fail_path(where, std::string(path), "empty path");
}

}  // namespace schema
}  // namespace scsim
