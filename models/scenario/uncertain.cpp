#include "models/scenario/uncertain.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

#include "models/scenario/csv.hpp"
#include "models/scenario/parse.hpp"

namespace scsim {
namespace {

namespace fs = std::filesystem;
using schema::above;
using schema::fail;
using schema::join;
using schema::join_index;
using schema::Key;
using schema::Node;
using schema::Range;
using schema::render_number;
using schema::Section;
using schema::Type;
using UDist = UncertainParam::Dist;

/// The largest ensemble file read (a few thousand parameter sets of a few dozen parameters).
constexpr std::size_t kEnsembleBytes = std::size_t{16} << 20;

const std::vector<std::string> kDists{"uniform", "triangular", "beta",
                                      "normal",  "lognormal",  "discrete"};

/// The parameter keys each distribution needs, then those it may take.
struct Takes {
  std::vector<std::string> required, optional;
};
const std::vector<Takes> kTakes{
    {{"min", "max"}, {}},
    {{"min", "mode", "max"}, {}},
    {{"alpha", "beta"}, {"min", "max"}},
    {{"mean", "sd"}, {"min", "max"}},
    {{"median", "sigma"}, {"min", "max"}},
    {{"values"}, {"probabilities"}},
};
const std::vector<std::string> kParamKeys{"min",   "max",    "mode",         "alpha",
                                          "beta",  "mean",   "sd",           "median",
                                          "sigma", "values", "probabilities"};

std::string words(const std::vector<std::string>& v) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i)
    s += (i == 0 ? "" : i + 1 == v.size() ? " and " : ", ") + v[i];
  return s;
}

double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

std::vector<double> read_numbers(const Node& n, const std::string& path, const Key& k) {
  if (!n.is_sequence())
    fail(n.where, path, "expected a list of numbers, got " + n.describe(),
         ScenarioError::Kind::input);
  if (n.items.empty()) fail(n.where, path, "the list is empty");
  std::vector<double> out;
  for (std::size_t i = 0; i < n.items.size(); ++i)
    out.push_back(schema::read_number(n.items[i], join_index(path, i), k));
  return out;
}

/// Checks what one item can check alone: which keys its distribution takes, and their values.
void check_item(const Node& m, UncertainParam& u, const std::string& path) {
  const Node* path_node = m.find("path");
  const Node* ensemble_node = m.find("ensemble");
  if (path_node && ensemble_node)
    fail(m.find("ensemble")->where, join(path, "ensemble"),
         "give either 'path' (with 'dist') or 'ensemble', not both", ScenarioError::Kind::input);
  if (!path_node && !ensemble_node)
    fail(m.where, join(path, "path"), "required key 'path' is missing (or give 'ensemble: FILE')",
         ScenarioError::Kind::input);
  if (u.source.find_first_not_of(" \t") == std::string::npos)
    fail(m.find("source")->where, join(path, "source"),
         "say where this uncertainty comes from (a study, a range, a guess)");
  u.origin = m.where.str();
  if (ensemble_node) {
    for (const auto& e : m.entries)
      if (e.key != "ensemble" && e.key != "source")
        fail(e.key_where, join(path, e.key),
             "an ensemble item takes only 'ensemble' and 'source', not '" + e.key + "'",
             ScenarioError::Kind::input);
    u.dist = UDist::ensemble;
    return;
  }
  if (u.path.empty()) fail(path_node->where, join(path, "path"), "the path is empty");
  const Node* dist_node = m.find("dist");
  if (!dist_node)
    fail(m.where, join(path, "dist"),
         "required key 'dist' is missing (one of " + words(kDists) + ")",
         ScenarioError::Kind::input);
  const std::string& name = kDists[static_cast<std::size_t>(u.dist)];
  const Takes& takes = kTakes[static_cast<std::size_t>(u.dist)];
  for (const auto& e : m.entries) {
    if (std::find(kParamKeys.begin(), kParamKeys.end(), e.key) == kParamKeys.end()) continue;
    const bool ok =
        std::find(takes.required.begin(), takes.required.end(), e.key) != takes.required.end() ||
        std::find(takes.optional.begin(), takes.optional.end(), e.key) != takes.optional.end();
    if (!ok)
      fail(e.key_where, join(path, e.key),
           "dist: " + name + " takes " + words(takes.required) +
               (takes.optional.empty() ? "" : " (and optionally " + words(takes.optional) + ")") +
               ", not '" + e.key + "'",
           ScenarioError::Kind::input);
  }
  for (const auto& r : takes.required)
    if (!m.find(r))
      fail(m.where, join(path, r), "dist: " + name + " needs '" + r + "'",
           ScenarioError::Kind::input);
  auto at = [&](const char* key) -> const schema::Source& { return m.find(key)->where; };
  auto need_below = [&](const char* lo, const char* hi, double a, double b) {
    if (!(a < b))
      fail(schema::blame({m.find(lo)}, at(hi)), join(path, hi),
           std::string(hi) + " (" + render_number(b) + ") must exceed " + lo + " (" +
               render_number(a) + ")");
  };
  const bool has_min = m.find("min") != nullptr, has_max = m.find("max") != nullptr;
  switch (u.dist) {
    case UDist::uniform:
      need_below("min", "max", u.min, u.max);
      break;
    case UDist::triangular:
      need_below("min", "max", u.min, u.max);
      if (!(u.mode >= u.min && u.mode <= u.max))
        fail(at("mode"), join(path, "mode"),
             "mode (" + render_number(u.mode) + ") must lie within [min, max] = [" +
                 render_number(u.min) + ", " + render_number(u.max) + "]");
      break;
    case UDist::beta:
      if (!has_min) u.min = 0;
      if (!has_max) u.max = 1;
      if (has_min || has_max) need_below("min", "max", u.min, u.max);
      break;
    case UDist::normal:
    case UDist::lognormal: {
      const bool logn = u.dist == UDist::lognormal;
      if (logn && has_min && u.min < 0)
        fail(at("min"), join(path, "min"),
             "a lognormal's values are positive: min must be >= 0, got " + render_number(u.min));
      if (has_min && has_max) need_below("min", "max", u.min, u.max);
      // The truncation must keep some of the distribution, or its quantiles are noise.
      auto z = [&](double x) {
        if (logn) return x <= 0 ? -INFINITY : (std::log(x) - std::log(u.median)) / u.sigma;
        return (x - u.mean) / u.sd;
      };
      const double lo = has_min ? normal_cdf(z(u.min)) : 0.0,
                   hi = has_max ? normal_cdf(z(u.max)) : 1.0;
      if (!(hi - lo > 1e-6))
        fail(at(has_max ? "max" : "min"), join(path, has_max ? "max" : "min"),
             "the truncation to [" + (has_min ? render_number(u.min) : std::string("-inf")) + ", " +
                 (has_max ? render_number(u.max) : std::string("inf")) +
                 "] keeps almost none of this " + name + " (less than one in a million)");
      break;
    }
    case UDist::discrete: {
      const Node* probs = m.find("probabilities");
      if (!probs) {
        u.probabilities.assign(u.values.size(), 1.0 / static_cast<double>(u.values.size()));
        break;
      }
      if (u.probabilities.size() != u.values.size())
        fail(probs->where, join(path, "probabilities"),
             "expected one probability per value (" + std::to_string(u.values.size()) + "), got " +
                 std::to_string(u.probabilities.size()));
      double sum = 0;
      for (double p : u.probabilities) sum += p;
      if (std::abs(sum - 1.0) > 1e-9)
        fail(probs->where, join(path, "probabilities"),
             "probabilities must sum to 1, but sum to " + render_number(sum));
      break;
    }
    case UDist::ensemble:
      break;
  }
}

struct Declarations {
  Section<UncertainParam> item{
      "uncertain",
      "An uncertain parameter: a key path (as `--set` and `calibrate:` take it) with the "
      "distribution its value is "
      "drawn from and the source of that distribution; or `ensemble: FILE`, a CSV of parameter "
      "sets (a column per "
      "path, optional `weight` column) drawn as a whole. `scsim uncertainty` draws them "
      "(docs/uncertainty.md); every "
      "other command runs the values the scenario writes, and `--set` on an uncertain path fixes "
      "it. Every value a "
      "distribution can give must be one its key accepts: probabilities take uniform, triangular, "
      "beta or discrete, "
      "or a normal or lognormal truncated inside [0, 1]. Integer keys get rounded draws."};
  Declarations() {
    auto number = [this](std::string name, std::string help, double UncertainParam::*member,
                         Range range = {}) {
      const Key k{.name = name, .type = Type::number, .range = range};
      item.add(Key{.name = std::move(name),
                   .type = Type::number,
                   .help = std::move(help),
                   .range = range},
               [k, member](const Node& n, UncertainParam& u, const std::string& p) {
                 u.*member = schema::read_number(n, p, k);
               });
    };
    item.add(Key{.name = "path",
                 .type = Type::string,
                 .help = "the parameter, e.g. `pipeline.pickup_probability` or "
                         "`jurisdictions[los_angeles_ca].jail_cost_per_day` (required unless "
                         "`ensemble`)"},
             [](const Node& n, UncertainParam& u, const std::string& p) {
               u.path = schema::read_string(n, p);
             })
        .add(
            Key{.name = "dist",
                .type = Type::enumeration,
                .help =
                    "the distribution: uniform (min, max), triangular (min, mode, max), beta "
                    "(alpha, beta; on "
                    "[min, max], default [0, 1]), normal (mean, sd; optionally truncated to [min, "
                    "max]), "
                    "lognormal (median, sigma of the log; optionally truncated), discrete (values, "
                    "probabilities)",
                .choices = kDists},
            [](const Node& n, UncertainParam& u, const std::string& p) {
              u.dist = static_cast<UDist>(schema::read_choice(n, p, kDists));
            });
    number("min", "lower end (uniform, triangular, beta), or lower truncation (normal, lognormal)",
           &UncertainParam::min);
    number("max", "upper end (uniform, triangular, beta), or upper truncation (normal, lognormal)",
           &UncertainParam::max);
    number("mode", "most likely value (triangular)", &UncertainParam::mode);
    number("alpha", "first shape parameter (beta): mean = alpha / (alpha + beta) on [0, 1]",
           &UncertainParam::alpha, above(0));
    number("beta", "second shape parameter (beta)", &UncertainParam::beta, above(0));
    number("mean", "mean (normal, before truncation)", &UncertainParam::mean);
    number("sd", "standard deviation (normal, before truncation)", &UncertainParam::sd, above(0));
    number("median", "median (lognormal, before truncation)", &UncertainParam::median, above(0));
    number("sigma", "standard deviation of the natural log (lognormal)", &UncertainParam::sigma,
           above(0));
    item.add(Key{.name = "values", .type = Type::list, .help = "the values (discrete)"},
             [](const Node& n, UncertainParam& u, const std::string& p) {
               u.values = read_numbers(n, p, Key{.name = "values", .type = Type::number});
             })
        .add(Key{.name = "probabilities",
                 .type = Type::list,
                 .help = "the probability of each value, summing to 1 (discrete; default: equal)"},
             [](const Node& n, UncertainParam& u, const std::string& p) {
               u.probabilities =
                   read_numbers(n, p, Key{.name = "probabilities", .type = Type::probability});
             })
        .add(Key{.name = "ensemble",
                 .type = Type::string,
                 .help = "a CSV file of parameter sets, relative to this scenario file: a header "
                         "of key paths and "
                         "optionally `weight`, one row per set (e.g. a calibrated ensemble); "
                         "instead of path and dist"},
             [](const Node& n, UncertainParam& u, const std::string& p) {
               const std::string rel = schema::read_string(n, p);
               if (rel.empty()) fail(n.where, p, "the file name is empty");
               u.file = (n.where.file ? n.where.file->dir / rel : fs::path(rel))
                            .lexically_normal()
                            .string();
             })
        .field(Key{.name = "source",
                   .type = Type::string,
                   .help = "where the distribution comes from: a study, a published range, an "
                           "expert's guess",
                   .required = true},
               &UncertainParam::source)
        .finally(check_item);
  }
};

const Declarations& decl() {
  static const Declarations d;
  return d;
}

/// What a resolved path accepts: its range, whether it is an integer; fails if it is no number.
Range accepted(const schema::PathTarget& t, const std::string& shown, const schema::Source& where,
               const std::string& key_path, bool& integer) {
  const Type ty = t.key->type;
  integer = false;
  if (t.map_entry) {
    if (ty == Type::probabilities) return schema::between(0, 1);
    if (ty == Type::weights) return schema::at_least(0);
    fail(where, key_path,
         "'" + shown + "' is an entry of a " + std::string(schema::type_name(ty)) +
             " map, which must still sum to 1 after a draw; uncertain takes numbers, probabilities "
             "and weights",
         ScenarioError::Kind::input);
  }
  switch (ty) {
    case Type::probability:
      return schema::between(0, 1);
    case Type::integer:
      integer = true;
      return t.key->range;
    case Type::number:
    case Type::money:
      return t.key->range;
    default:
      fail(where, key_path,
           "'" + shown + "' is a " + std::string(schema::type_name(ty)) + ", not a number to draw",
           ScenarioError::Kind::input);
  }
}

/// "[60, 120]", "(0, inf)", "(-inf, 1]".
std::string interval(const Range& r) {
  auto end = [](double v) {
    return std::isinf(v) ? std::string(v < 0 ? "-inf" : "inf") : render_number(v);
  };
  return (r.lo_open || std::isinf(r.lo) ? "(" : "[") + end(r.lo) + ", " + end(r.hi) +
         (r.hi_open || std::isinf(r.hi) ? ")" : "]");
}

bool inside(const Range& s, const Range& r) {
  const bool lo_ok = s.lo > r.lo || (s.lo == r.lo && (!r.lo_open || s.lo_open));
  const bool hi_ok = s.hi < r.hi || (s.hi == r.hi && (!r.hi_open || s.hi_open));
  return lo_ok && hi_ok;
}

std::string describe(const UncertainParam& u) {
  const std::string& name = kDists[static_cast<std::size_t>(u.dist)];
  auto n = [](double v) { return render_number(v); };
  switch (u.dist) {
    case UDist::normal:
      return "normal (mean " + n(u.mean) + ", sd " + n(u.sd) + ")";
    case UDist::lognormal:
      return "lognormal (median " + n(u.median) + ", sigma " + n(u.sigma) + ")";
    default:
      return name;
  }
}

/// Resolves `path` in `scratch`, with the resolver's message after the path on failure.
schema::PathTarget resolve(Node& scratch, const schema::SectionBase& root_section,
                           const std::string& shown, const schema::Source& where,
                           const std::string& key_path) {
  try {
    return schema::resolve_path(scratch, root_section, shown, where);
  } catch (const ScenarioError& e) {
    fail(where, key_path, "'" + shown + "': " + e.message, ScenarioError::Kind::input);
  }
}

void refuse_run_keys(const schema::PathTarget& t, const Node& scratch, const std::string& shown,
                     const schema::Source& where, const std::string& key_path) {
  if (t.parent == &scratch && (t.name == "seed" || t.name == "replications"))
    fail(where, key_path,
         "'" + shown +
             "' is how the scenario is run, not a parameter: every draw runs the same seeds "
             "(common random numbers)",
         ScenarioError::Kind::input);
}

/// Reads an ensemble file: header of paths (and `weight`), rows of values, each within its key.
void read_ensemble(UncertainParam& u, const Node& item, const std::string& path, Node& scratch,
                   const schema::SectionBase& root_section) {
  const Node& file_node = *item.find("ensemble");
  std::string text;
  try {
    text = csv::read_file(u.file, kEnsembleBytes, "", "the ensemble file");
  } catch (const ScenarioError& e) {
    fail(file_node.where, join(path, "ensemble"), e.message, ScenarioError::Kind::input);
  }
  std::vector<std::string_view> names;
  csv::Reader header_reader(text, u.file, names);
  std::string_view line;
  std::vector<Range> ranges;
  std::size_t weight_col = std::string::npos;
  std::vector<std::string> header;
  std::vector<std::string_view> column_names;
  auto src = std::make_shared<schema::SourceFile>(
      schema::SourceFile{u.file, file_node.where.file ? file_node.where.file->dir : fs::path()});
  // Header first (its own reader: column names are known only after it).
  while (header_reader.next(line)) {
    if (line.find_first_not_of(" \t") == std::string_view::npos || line.front() == '#') continue;
    for (const auto& f : header_reader.split(line)) {
      const schema::Source where{src, header_reader.line(), f.column};
      if (f.text == "weight") {
        if (weight_col != std::string::npos)
          fail(where, "weight", "the 'weight' column appears twice", ScenarioError::Kind::input);
        weight_col = header.size();
        header.push_back(f.text);
        ranges.push_back(schema::at_least(0));
        u.column_integer.push_back(false);
        continue;
      }
      if (f.text.empty()) fail(where, "header", "an empty column name", ScenarioError::Kind::input);
      const auto t = resolve(scratch, root_section, f.text, where, f.text);
      refuse_run_keys(t, scratch, f.text, where, f.text);
      bool integer = false;
      ranges.push_back(accepted(t, f.text, where, f.text, integer));
      u.column_integer.push_back(integer);
      header.push_back(f.text);
      u.columns.push_back(f.text);
    }
    break;
  }
  if (u.columns.empty())
    fail(file_node.where, join(path, "ensemble"), "'" + u.file + "' names no parameter column",
         ScenarioError::Kind::input);
  for (const auto& h : header) column_names.push_back(h);
  csv::Reader reader(text, u.file, column_names);
  bool past_header = false;
  double weight_sum = 0;
  while (reader.next(line)) {
    if (line.find_first_not_of(" \t") == std::string_view::npos || line.front() == '#') continue;
    if (!past_header) {
      past_header = true;
      continue;
    }
    const auto fields = reader.split(line);
    if (fields.size() != header.size())
      reader.fail(fields.size() < header.size() ? static_cast<int>(line.size()) + 1
                                                : fields[header.size()].column,
                  std::min(fields.size(), header.size() - 1),
                  "expected " + std::to_string(header.size()) + " columns, found " +
                      std::to_string(fields.size()));
    std::vector<double> row;
    double weight = 1;
    for (std::size_t c = 0; c < fields.size(); ++c) {
      const auto v = parse::to_double(fields[c].text);
      if (!v)
        reader.fail(fields[c].column, c, parse::why_not(v.status, fields[c].text, "a number"));
      if (!ranges[c].contains(v.value) || (u.column_integer[c] && v.value != std::floor(v.value)))
        reader.fail(fields[c].column, c,
                    "'" + fields[c].text + "' is not a value this key accepts (" +
                        (u.column_integer[c] ? std::string("an integer ") : std::string()) +
                        ranges[c].str() + ")");
      if (c == weight_col)
        weight = v.value;
      else
        row.push_back(v.value);
    }
    weight_sum += weight;
    u.rows.push_back(std::move(row));
    u.weights.push_back(weight);
  }
  if (u.rows.empty())
    fail(file_node.where, join(path, "ensemble"), "'" + u.file + "' holds no parameter set",
         ScenarioError::Kind::input);
  if (!(weight_sum > 0))
    fail(file_node.where, join(path, "ensemble"), "the weights of '" + u.file + "' are all zero");
  for (double& w : u.weights) w /= weight_sum;
}

}  // namespace

const schema::SectionBase& uncertain_section() { return decl().item; }

const std::vector<std::string>& uncertain_dist_names() { return kDists; }

Range support(const UncertainParam& u) {
  const double inf = std::numeric_limits<double>::infinity();
  const bool has_min = !std::isnan(u.min), has_max = !std::isnan(u.max);
  switch (u.dist) {
    case UDist::uniform:
    case UDist::triangular:
    case UDist::beta:
      return schema::between(u.min, u.max);
    case UDist::normal:
      return Range{has_min ? u.min : -inf, has_max ? u.max : inf, !has_min, !has_max};
    case UDist::lognormal:
      return Range{has_min ? u.min : 0.0, has_max ? u.max : inf, !has_min || u.min == 0, !has_max};
    case UDist::discrete: {
      const auto [lo, hi] = std::minmax_element(u.values.begin(), u.values.end());
      return schema::between(*lo, *hi);
    }
    case UDist::ensemble:
      break;
  }
  return Range{};
}

std::vector<UncertainParam> read_uncertain(const Node& list, const std::string& path,
                                           const Node& root,
                                           const schema::SectionBase& root_section) {
  std::vector<UncertainParam> items = decl().item.read_list(list, path);
  // Resolving may create maps on the way: one copy serves every path.
  Node scratch = root;
  // Every key drawn, by the first place that draws it (for duplicates).
  struct Drawn {
    std::string path, origin;
    std::size_t item;
  };
  std::vector<Drawn> drawn;
  for (std::size_t i = 0; i < items.size(); ++i) {
    UncertainParam& u = items[i];
    const Node& item = list.items[i];
    const std::string p = join_index(path, i);
    if (u.dist == UDist::ensemble) {
      read_ensemble(u, item, p, scratch, root_section);
      for (const auto& c : u.columns) drawn.push_back({c, u.origin, i});
      continue;
    }
    const Node& pn = *item.find("path");
    const auto t = resolve(scratch, root_section, u.path, pn.where, join(p, "path"));
    refuse_run_keys(t, scratch, u.path, pn.where, join(p, "path"));
    const Range r = accepted(t, u.path, pn.where, join(p, "path"), u.integer);
    const Range s = support(u);
    if (!inside(s, r)) {
      const bool probability = r.lo == 0 && r.hi == 1 && !r.lo_open && !r.hi_open;
      std::string hint;
      if (u.dist == UDist::normal || u.dist == UDist::lognormal)
        hint = probability ? "; truncate it with min and max inside [0, 1], or use beta"
                           : "; truncate it with min and max to " + interval(r);
      fail(item.find("dist")->where, join(p, "dist"),
           "'" + u.path + "' takes " +
               (probability ? "a probability in [0, 1]" : "values " + r.str()) + ", but this " +
               describe(u) + " gives values in " + interval(s) + hint);
    }
    drawn.push_back({u.path, u.origin, i});
  }
  // The same key twice (by any spelling: an index and an id select the same jurisdiction).
  std::vector<std::string> paths;
  for (const auto& d : drawn) paths.push_back(d.path);
  // A file that extends another may draw an inherited key differently: its entry replaces the
  // base's.
  const auto ids = same_key_ids(root, root_section, paths);
  std::vector<bool> replaced(items.size(), false);
  for (std::size_t a = 0; a < ids.size(); ++a) {
    if (ids[a] == a) continue;
    const Drawn& first = drawn[ids[a]];
    const Node& first_item = list.items[first.item];
    const Node& item = list.items[drawn[a].item];
    if (first_item.where.file != item.where.file && items[first.item].dist != UDist::ensemble) {
      replaced[first.item] = true;
      continue;
    }
    const std::string at = first_item.where.file == item.where.file
                               ? "line " + std::to_string(first_item.where.line)
                               : first.origin;
    fail(item.where, join_index(path, drawn[a].item),
         "'" + drawn[a].path + "' is uncertain twice (first at " + at + ")");
  }
  std::vector<UncertainParam> kept;
  for (std::size_t i = 0; i < items.size(); ++i)
    if (!replaced[i]) kept.push_back(std::move(items[i]));
  return kept;
}

std::vector<std::size_t> same_key_ids(const Node& root, const schema::SectionBase& root_section,
                                      const std::vector<std::string>& paths) {
  Node scratch = root;
  const schema::Source nowhere{
      std::make_shared<schema::SourceFile>(schema::SourceFile{"<paths>", {}}), 0, 0};
  // First pass: creates every map a path passes through; the second finds them all, so
  // no node moves between the lookups whose addresses are compared.
  for (const auto& p : paths) schema::resolve_path(scratch, root_section, p, nowhere);
  std::vector<std::pair<const Node*, std::string>> keys;
  for (const auto& p : paths) {
    const auto t = schema::resolve_path(scratch, root_section, p, nowhere);
    keys.emplace_back(t.parent, t.name);
  }
  std::vector<std::size_t> ids(paths.size());
  for (std::size_t a = 0; a < paths.size(); ++a) {
    ids[a] = a;
    for (std::size_t b = 0; b < a; ++b)
      if (keys[b] == keys[a]) {
        ids[a] = b;
        break;
      }
  }
  return ids;
}

}  // namespace scsim
