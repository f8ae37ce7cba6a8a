#pragma once
/// A small declarative schema engine for YAML input (STYLE.md point 8).
///
/// Each key is declared once, as a `Key` (type, unit, range, help) in a
/// `Section<T>` that binds it to a member of a struct T. The same declaration
/// validates a tree, fills the struct and documents the format (`markdown`).
/// A key's default is the value the struct already holds, or an explicit YAML
/// text in the declaration where the struct has none (e.g. a distribution).
///
/// Trees are yaml-cpp documents copied into `schema::Node`, which remembers the
/// file each node came from: yaml-cpp's Mark has only line and column, and
/// trees merged from several files (`extends`, overrides) must still report
/// where a bad value was written.
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <limits>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "models/scenario/error.hpp"
#include "models/scenario/limits.hpp"
#include "models/scenario/scenario.hpp"

namespace scsim {

namespace schema {

struct SourceFile {
  std::string name;           // as shown in messages
  std::filesystem::path dir;  // relative paths written in this file resolve against it
  bool is_override = false;   // a command-line override (--set), not a file
};

struct Source {
  std::shared_ptr<const SourceFile> file;
  int line = 0, column = 0;  // 1-based
  std::string str() const;   // "file:line"
};

/// Throws ScenarioError at `where`.
[[noreturn]] void fail(const Source& where, const std::string& key_path, const std::string& message,
                       ScenarioError::Kind kind = ScenarioError::Kind::value);

struct Entry;

/// A YAML node with its source. Maps keep file order; scalars stay text.
struct Node {
  enum class Kind { null, scalar, sequence, map };
  Kind kind = Kind::null;
  std::string scalar;
  std::vector<Node> items;     // sequence
  std::vector<Entry> entries;  // map, in file order
  Source where;

  bool is_map() const { return kind == Kind::map; }
  bool is_sequence() const { return kind == Kind::sequence; }
  bool is_scalar() const { return kind == Kind::scalar; }
  const Entry* entry(std::string_view key) const;
  const Node* find(std::string_view key) const;
  Node* find(std::string_view key);
  /// Replaces the value of `key` or appends it.
  Node& set(const std::string& key, Node value, const Source& key_where);
  void erase(std::string_view key);
  std::string describe() const;  // "'abc'", "a map", "a list", "null": for "got ..." messages
};

struct Entry {
  std::string key;
  Source key_where;
  Node value;
};

/// What a load may still parse: one budget is shared by every file of an
/// extends chain and the overrides (models/limits.hpp).
struct ParseBudget {
  std::size_t nodes = limits::kScenarioNodes;
  std::size_t bytes = limits::kScenarioBytes;  // of one text
};

/// Parses the first document of `text` into a tree, under the limits of
/// models/limits.hpp (size, nodes, nesting, scalar and key lengths); anchors
/// and aliases are refused. Syntax errors carry yaml-cpp's mark; everything
/// else file:line:col and the key path. Never builds yaml-cpp's node graph
/// (models/yaml_input.cpp says why).
Node parse(std::string_view text, std::shared_ptr<const SourceFile> file, ParseBudget& budget);
Node parse(std::string_view text, std::shared_ptr<const SourceFile> file);

/// The location to report a cross-key check at: the first of `nodes` (null
/// entries skipped) written by an override, since the override is what made
/// the values disagree; else `otherwise`.
const Source& blame(std::initializer_list<const Node*> nodes, const Source& otherwise);
/// Block-style YAML of the tree (for the record of a resolved scenario).
std::string emit(const Node& node);

/// "a.b" / "a[2]" joins for key paths in messages.
std::string join(const std::string& path, std::string_view key);
std::string join_index(const std::string& path, std::size_t index);

/// "; did you mean 'x'?" when a candidate is within a small edit distance.
std::string did_you_mean(std::string_view word, std::span<const std::string> candidates);

enum class Type {
  string,
  boolean,
  integer,
  number,
  probability,
  money,
  date,
  duration,
  enumeration,
  shares,         // map of named shares, partial maps merge into the inherited ones, sum 1
  probabilities,  // map of named probabilities, partial maps allowed
  weights,        // map of named non-negative weights, normalised to mean 1
  distribution,   // Dist: {dist: lognormal, median: 3d, mean: 23d}
  list,           // of `choices`, of sections, or of custom items
  map,            // a nested section or custom map
  scope,          // policy scope: all | {states: [..]} | {jurisdictions: [..]}
};
std::string_view type_name(Type t);

/// Closed/open numeric interval; the default is unbounded.
struct Range {
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
  bool lo_open = false, hi_open = false;
  bool contains(double v) const;
  std::string str() const;  // "[0, 1]", "> 0", ">= 1", "" when unbounded
};
inline Range at_least(double lo) { return {lo, std::numeric_limits<double>::infinity(), false, false}; }
inline Range above(double lo) { return {lo, std::numeric_limits<double>::infinity(), true, false}; }
inline Range between(double lo, double hi) { return {lo, hi, false, false}; }

class SectionBase;

/// One declared key. Written with designated initialisers, fields in this order.
/// (Every member has an initialiser so that -Wextra accepts partial designated initialisers.)
struct Key {
  std::string name{};
  Type type = Type::string;
  std::string help{};
  std::string unit{};                    // for the reference, e.g. "USD", "per day"
  Range range{};                         // numbers and durations (durations are never negative)
  std::vector<std::string> choices{};    // enumeration values, names in a map type, items of a list
  const SectionBase* section = nullptr;  // map / list item schema
  bool required = false;
  std::string default_text{};  // explicit default as YAML, when the struct holds none
  bool inherited = false;      // copied by Section::include (documented once, at the base)
};

// ---- Scalar readers: each fails with a ScenarioError naming `path`. ----
std::string read_string(const Node& n, const std::string& path);
bool read_bool(const Node& n, const std::string& path);
double read_number(const Node& n, const std::string& path, const Key& k);  // number, probability, money
long long read_integer(const Node& n, const std::string& path, const Key& k);
sim::Duration read_duration(const Node& n, const std::string& path, const Key& k);
/// The longest duration a scenario may give: no stage of the pipeline lasts a
/// century, and sums of such durations stay far from int64 seconds' end.
inline constexpr sim::Duration kMaxDuration = 36525 * sim::kDay;
sim::Duration parse_duration_text(std::string_view text);  // throws std::invalid_argument
sim::Date read_date(const Node& n, const std::string& path);
std::size_t read_choice(const Node& n, const std::string& path, std::span<const std::string> choices);
[[noreturn]] void fail_too_large(const Node& n, const std::string& path);
std::vector<std::size_t> read_choice_list(const Node& n, const std::string& path, const Key& k);
/// shares / probabilities / weights: entries named by k.choices overwrite `values` (partial maps merge).
void read_value_map(const Node& n, const std::string& path, const Key& k, std::span<double> values);
Dist read_dist(const Node& n, const std::string& path);

std::string render_number(double v);
std::string render_duration(sim::Duration seconds);
std::string render_dist(const Dist& d);
std::string render_value_map(const Key& k, std::span<const double> values);

template <std::size_t N>
std::vector<std::string> names(const std::array<std::string_view, N>& a) {
  return {a.begin(), a.end()};
}

/// The untyped face of a section: what validation, path lookup and the
/// reference need.
class SectionBase {
 public:
  SectionBase(std::string name, std::string help) : name_(std::move(name)), help_(std::move(help)) {}
  // Sections refer to each other (and to themselves, in bound lambdas) by address.
  SectionBase(const SectionBase&) = delete;
  SectionBase& operator=(const SectionBase&) = delete;
  virtual ~SectionBase() = default;
  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  const std::vector<Key>& keys() const { return keys_; }
  const Key* find(std::string_view key) const;
  /// Fails unless `node` is a map whose keys are declared and whose required keys are present.
  void check(const Node& node, const std::string& path) const;
  /// Rendered default of each key (parallel to keys()); "" when none.
  virtual std::vector<std::string> defaults() const = 0;
  /// The section describing a given list item (polymorphic items override this).
  virtual const SectionBase& variant(const Node& /*item*/, const std::string& /*path*/) const { return *this; }
  /// All variants, for the reference.
  virtual std::vector<const SectionBase*> variants() const { return {}; }
  /// Sections whose keys this one took over with Section::include.
  const std::vector<const SectionBase*>& includes() const { return includes_; }

 protected:
  std::string name_, help_;
  std::vector<Key> keys_;
  std::vector<const SectionBase*> includes_;
};

namespace detail {
template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};
template <class T>
struct is_array : std::false_type {};
template <std::size_t N>
struct is_array<std::array<double, N>> : std::true_type {};
}  // namespace detail

/// Reads a node into a value of the member's type, guided by the key's type.
template <class M>
void read_into(const Node& n, const std::string& path, const Key& k, M& out) {
  if constexpr (detail::is_optional<M>::value) {
    if (n.kind == Node::Kind::null) {  // `key: ~` means "not given"
      out.reset();
      return;
    }
    typename M::value_type v{};
    read_into(n, path, k, v);
    out = v;
  } else if constexpr (std::is_same_v<M, std::string>) {
    out = k.type == Type::enumeration ? k.choices[read_choice(n, path, k.choices)] : read_string(n, path);
  } else if constexpr (std::is_same_v<M, bool>) {
    out = read_bool(n, path);
  } else if constexpr (std::is_integral_v<M>) {
    if (k.type == Type::enumeration) {
      out = static_cast<M>(read_choice(n, path, k.choices));
    } else {
      const long long v = k.type == Type::duration ? read_duration(n, path, k) : read_integer(n, path, k);
      if (!std::in_range<M>(v)) fail_too_large(n, path);  // e.g. 1e10 analysts into an int
      out = static_cast<M>(v);
    }
  } else if constexpr (std::is_same_v<M, double>) {
    out = read_number(n, path, k);
  } else if constexpr (std::is_same_v<M, sim::Date>) {
    out = read_date(n, path);
  } else if constexpr (std::is_same_v<M, Dist>) {
    out = read_dist(n, path);
  } else if constexpr (detail::is_array<M>::value) {
    read_value_map(n, path, k, out);
  } else if constexpr (std::is_same_v<M, std::vector<std::size_t>>) {
    out = read_choice_list(n, path, k);
  } else {
    static_assert(sizeof(M) == 0, "schema: no reader for this member type");
  }
}

/// The reference's rendering of a default value.
template <class M>
std::string render(const Key& k, const M& v) {
  if constexpr (detail::is_optional<M>::value) {
    return v ? render(k, *v) : std::string();
  } else if constexpr (std::is_same_v<M, std::string>) {
    return v.empty() ? std::string() : v;
  } else if constexpr (std::is_same_v<M, bool>) {
    return v ? "true" : "false";
  } else if constexpr (std::is_integral_v<M>) {
    if (k.type == Type::enumeration) return k.choices.at(static_cast<std::size_t>(v));
    if (k.type == Type::duration) return render_duration(static_cast<sim::Duration>(v));
    return std::to_string(v);
  } else if constexpr (std::is_same_v<M, double>) {
    return render_number(v);
  } else if constexpr (std::is_same_v<M, sim::Date>) {
    return sim::format_date(v);
  } else if constexpr (std::is_same_v<M, Dist>) {
    return render_dist(v);
  } else if constexpr (detail::is_array<M>::value) {
    return render_value_map(k, v);
  } else if constexpr (std::is_same_v<M, std::vector<std::size_t>>) {
    if (v.empty()) return {};
    std::string s = "[";
    for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + k.choices.at(v[i]);
    return s + "]";
  } else {
    static_assert(sizeof(M) == 0, "schema: no renderer for this member type");
  }
}

/// Keys bound to a struct T. Keys are applied in declaration order (not file
/// order), so a key may rely on the ones declared before it.
template <class T>
class Section : public SectionBase {
 public:
  using Setter = std::function<void(const Node& value, T& target, const std::string& path)>;
  using Renderer = std::function<std::string(T& prototype)>;
  using Defaulter = std::function<void(T& target)>;
  using Check = std::function<void(const Node& map, T& target, const std::string& path)>;

  using SectionBase::SectionBase;

  /// A key with custom reading. `render` shows its default in the reference;
  /// `reset` puts the default into a fresh T (nested sections).
  Section& add(Key key, Setter set, Renderer render = {}, Defaulter reset = {}) {
    if (!key.default_text.empty() && !reset) {
      reset = [this, i = keys_.size()](T& t) { apply_default(i, t); };
    }
    keys_.push_back(std::move(key));
    bound_.push_back({std::move(set), std::move(render), std::move(reset)});
    return *this;
  }

  /// A key stored in `proj(t)` (a member pointer or a lambda returning a reference).
  template <class Proj>
  Section& field(Key key, Proj proj) {
    using M = std::remove_cvref_t<std::invoke_result_t<Proj, T&>>;
    Key k = key;
    return add(
        std::move(key),
        [proj, k](const Node& n, T& t, const std::string& p) { read_into(n, p, k, std::invoke(proj, t)); },
        [proj, k](T& t) { return schema::render<M>(k, std::invoke(proj, t)); });
  }

  /// A key holding a nested section stored in `proj(t)`; partial maps keep the inherited values.
  template <class Proj, class U>
  Section& nested(Key key, Proj proj, const Section<U>& sub) {
    key.type = Type::map;
    key.section = &sub;
    return add(
        std::move(key),
        [proj, &sub](const Node& n, T& t, const std::string& p) { sub.apply(n, std::invoke(proj, t), p); }, {},
        [proj, &sub](T& t) { sub.apply_defaults(std::invoke(proj, t)); });
  }

  /// A key holding a list of `sub` items stored in the vector `proj(t)`; the list replaces the inherited one.
  template <class Proj, class U>
  Section& list(Key key, Proj proj, const Section<U>& sub) {
    key.type = Type::list;
    key.section = &sub;
    return add(std::move(key),
               [proj, &sub](const Node& n, T& t, const std::string& p) { std::invoke(proj, t) = sub.read_list(n, p); });
  }

  /// Copies the keys of a base section (T derives from B), e.g. common policy keys.
  template <class B>
  Section& include(const Section<B>& base) {
    static_assert(std::is_base_of_v<B, T>);
    includes_.push_back(&base);
    for (std::size_t i = 0; i < base.keys().size(); ++i) {
      Key k = base.keys()[i];
      k.inherited = true;
      keys_.push_back(std::move(k));
      bound_.push_back({[&base, i](const Node& n, T& t, const std::string& p) { base.apply_key(i, n, t, p); },
                        {},
                        [&base, i](T& t) { base.apply_key_default(i, t); }});
    }
    for (const auto& c : base.checks())
      checks_.push_back([c](const Node& m, T& t, const std::string& p) { c(m, t, p); });
    return *this;
  }

  /// A cross-key check run after the keys of a map were applied.
  Section& finally(Check check) {
    checks_.push_back(std::move(check));
    return *this;
  }

  /// Validates `map` against the declarations and applies its keys to `target`.
  void apply(const Node& map, T& target, const std::string& path) const {
    check(map, path);
    for (std::size_t i = 0; i < keys_.size(); ++i)
      if (const Entry* e = map.entry(keys_[i].name)) bound_[i].set(e->value, target, join(path, keys_[i].name));
    for (const auto& c : checks_) c(map, target, path);
  }

  /// Puts every declared default into `target` (recursively through nested sections).
  void apply_defaults(T& target) const {
    for (const auto& b : bound_)
      if (b.reset) b.reset(target);
  }

  /// A list of maps, each read from a defaulted T.
  std::vector<T> read_list(const Node& n, const std::string& path) const {
    if (!n.is_sequence()) fail(n.where, path, "expected a list, got " + n.describe());
    std::vector<T> out;
    for (std::size_t i = 0; i < n.items.size(); ++i) {
      T item{};
      apply_defaults(item);
      apply(n.items[i], item, join_index(path, i));
      out.push_back(std::move(item));
    }
    return out;
  }

  const std::vector<Check>& checks() const { return checks_; }
  void apply_key(std::size_t i, const Node& n, T& t, const std::string& path) const { bound_[i].set(n, t, path); }
  void apply_key_default(std::size_t i, T& t) const {
    if (bound_[i].reset) bound_[i].reset(t);
  }

  std::vector<std::string> defaults() const override {
    T proto{};
    apply_defaults(proto);
    std::vector<std::string> out;
    for (std::size_t i = 0; i < keys_.size(); ++i) {
      if (keys_[i].required)
        out.emplace_back();
      else if (!keys_[i].default_text.empty())
        out.push_back(keys_[i].default_text);
      else
        out.push_back(bound_[i].render ? bound_[i].render(proto) : std::string());
    }
    return out;
  }

 private:
  void apply_default(std::size_t i, T& t) const {
    const Node n = parse(keys_[i].default_text, std::make_shared<SourceFile>(SourceFile{"<default>", {}}));
    bound_[i].set(n, t, keys_[i].name);
  }

  struct Bound {
    Setter set;
    Renderer render;
    Defaulter reset;
  };
  std::vector<Bound> bound_;
  std::vector<Check> checks_;
};

/// Markdown reference of `root` and every section reachable from it: a
/// table of keys (type, unit, default, allowed values, help) per section.
std::string markdown(const SectionBase& root, std::string_view title, std::string_view intro);

/// Resolves a key path such as `pipeline.lesc_analysts`,
/// `jurisdictions[los_angeles_ca].jail_cost_per_day` (list items by index or
/// by `id`) or `ice.detainer_probability.level3` against the declarations and
/// the tree. Missing maps are created in `root` on the way. Returns the key
/// declaration and the map node that holds (or will hold) the final name.
struct PathTarget {
  const Key* key = nullptr;  // the declared key (for a value-map entry: the map's key)
  Node* parent = nullptr;    // the map that holds `name`
  std::string name;          // last path segment
  bool map_entry = false;    // a member of a shares / probabilities / weights map
};
PathTarget resolve_path(Node& root, const SectionBase& section, std::string_view path, const Source& where);

}  // namespace schema
}  // namespace scsim
