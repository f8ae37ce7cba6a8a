// Loading a scenario: the root section of the format (Declarations::declare_root), the
// one Declarations instance and the public API of loader.hpp. The other sections are
// declared in declarations.cpp and declarations_federal.cpp (declarations.hpp).
#include "models/scenario/loader.hpp"

#include "models/scenario/declarations.hpp"

namespace scsim {
namespace scenario_declarations {

const Declarations& decl() {
  static const Declarations d;
  return d;
}

void Declarations::declare_root() {
  const auto ignore = [](const Node&, Draft&, const std::string&) {};
  root.add(Key{.name = "extends",
               .type = Type::string,
               .help = "a base scenario, relative to this file (see Files, extends and overrides above)"},
           ignore)
      .field(
          Key{.name = "name", .type = Type::string, .help = "short title (default: the file name without extension)"},
          [](Draft& d) -> std::string& { return d.s.name; })
      .field(Key{.name = "description", .type = Type::string, .help = "what the scenario asks, with its sources"},
             [](Draft& d) -> std::string& { return d.s.description; })
      .field(Key{.name = "abstract",
                 .type = Type::boolean,
                 .help = "a partial scenario (shared defaults) meant only to be extended: it needs no "
                         "jurisdictions, validates, but cannot be run; not inherited by files extending it"},
             [](Draft& d) -> bool& { return d.s.abstract; })
      .nested(
          Key{.name = "period", .help = "the simulated period", .required = true},
          [](Draft& d) -> Scenario& { return d.s; }, period)
      .field(Key{.name = "seed",
                 .type = Type::integer,
                 .help = "master random seed (streams derive from it by name)",
                 .range = at_least(0)},
             [](Draft& d) -> std::uint64_t& { return d.s.seed; })
      .field(Key{.name = "replications", .type = Type::integer, .help = "independent runs", .range = at_least(1)},
             [](Draft& d) -> std::size_t& { return d.s.replications; })
      .field(Key{.name = "volume_scale",
                 .type = Type::number,
                 .help = "multiplies every booking rate (quick runs, tests)",
                 .range = above(0)},
             [](Draft& d) -> double& { return d.s.volume_scale; })
      .nested(Key{.name = "defaults", .help = "what every jurisdiction starts from"}, &Draft::proto, local)
      .nested(
          Key{.name = "pipeline", .help = "federal stage parameters"},
          [](Draft& d) -> PipelineParams& { return d.s.pipeline; }, pipeline)
      .add(Key{.name = "ice",
               .type = Type::map,
               .help = "ICE's decision rules before any dated policy (the keys of ice_priorities)",
               .section = &ice_keys_section(),
               .default_text = "{preset: 2008_levels}"},
           [](const Node& n, Draft& d, const std::string& p) { apply_ice_block(n, p, d.s.base_rules); })
      .add(Key{.name = "detainers",
               .type = Type::map,
               .help = "jails' response to detainers before any dated policy (the keys of detainer_policy; base: "
                       "honor_all, max_hold 48h)",
               .section = &detainer_keys_section()},
           [](const Node& n, Draft& d, const std::string& p) { apply_detainers_block(n, p, d.s.base_rules); })
      .nested(
          Key{.name = "costs", .help = "cost accounting"}, [](Draft& d) -> CostParams& { return d.s.costs; }, costs)
      .add(Key{.name = "jurisdictions",
               .type = Type::list,
               .help = "the counties simulated (or `national`)",
               .section = &jurisdiction},
           [this](const Node& n, Draft& d, const std::string& path) {
             if (!n.is_sequence()) fail(n.where, path, "expected a list of jurisdictions, got " + n.describe());
             if (n.items.empty()) fail(n.where, path, "the jurisdictions list is empty");
             d.has_jurisdictions = true;
             std::map<std::string, const Node*> seen;
             for (std::size_t i = 0; i < n.items.size(); ++i) {
               Jurisdiction j = d.proto;
               jurisdiction.apply(n.items[i], j, join_index(path, i));
               const Node* id = n.items[i].find("id");
               if (const auto it = seen.find(j.id); it != seen.end())
                 fail(id->where, join(join_index(path, i), "id"),
                      "duplicate jurisdiction id '" + j.id + "' (first at line " +
                          std::to_string(it->second->where.line) + ")");
               seen[j.id] = id;
               d.s.jurisdictions.push_back(std::move(j));
             }
           })
      .add(Key{.name = "national",
               .type = Type::map,
               .help = "the 50 states and DC from data (or `jurisdictions`)",
               .section = &national},
           [this](const Node& n, Draft& d, const std::string& path) {
             if (d.has_jurisdictions) fail(n.where, path, "give either 'jurisdictions' or 'national', not both");
             NationalSpec spec;
             national.apply_defaults(spec);
             national.apply(n, spec, path);
             d.s.jurisdictions = build_national(spec, d.proto);
             d.s.national = std::move(spec);
           })
      .add(Key{.name = "policies",
               .type = Type::list,
               .help = "dated policies, applied in file order",
               .section = &policy_section()},
           [](const Node& n, Draft& d, const std::string& path) {
             if (!n.is_sequence()) fail(n.where, path, "expected a list of policies, got " + n.describe());
             std::vector<std::string> ids;
             for (const auto& j : d.s.jurisdictions) ids.push_back(j.id);
             const std::unordered_set<std::string> known(ids.begin(), ids.end());  // scopes may list thousands
             std::map<std::string, const Node*> seen_ids;  // ids are unique in the whole list, dropped policies too
             for (std::size_t i = 0; i < n.items.size(); ++i) {
               const Node& item = n.items[i];
               const std::string p = join_index(path, i);
               ParsedPolicy pp = parse_policy(item, p);
               if (!pp.spec.id.empty()) {
                 const Node* id = item.find("id");
                 if (const auto it = seen_ids.find(pp.spec.id); it != seen_ids.end())
                   fail(id->where, join(p, "id"),
                        "duplicate policy id '" + pp.spec.id + "' (first at " + it->second->where.str() + ")");
                 seen_ids[pp.spec.id] = id;
               }
               if (pp.from_given && std::chrono::sys_days{pp.spec.from} > std::chrono::sys_days{d.s.end}) {
                 // A base written for a longer period (e.g. every ICE era) may carry policies that
                 // start after this scenario ends: they can never apply here, so they are dropped.
                 // Written in this very file, such a date is a mistake.
                 const schema::Source& at = item.find("from")->where;
                 if (at.file && at.file->name != d.top_file) continue;
                 fail(at, join(p, "from"),
                      "policy starts on " + sim::format_date(pp.spec.from) + ", after the period ends (" +
                          sim::format_date(d.s.end) + ")");
               }
               if (pp.spec.scope.kind == Scope::Kind::jurisdictions) {
                 const Node& list = *item.find("scope")->find("jurisdictions");
                 for (std::size_t k = 0; k < pp.spec.scope.ids.size(); ++k)
                   if (!known.count(pp.spec.scope.ids[k]))
                     fail(list.items[k].where, join_index(join(p, "scope.jurisdictions"), k),
                          "unknown jurisdiction '" + pp.spec.scope.ids[k] + "'" +
                              schema::did_you_mean(pp.spec.scope.ids[k], ids));
               }
               if (pp.configure)
                 for (auto& j : d.s.jurisdictions)
                   if (pp.spec.scope.covers(j)) pp.configure(j);
               d.s.policies.push_back(std::move(pp.spec));
             }
           })
      .add(Key{.name = "calibrate",
               .type = Type::list,
               .help = "free parameters for calibration",
               .section = &calibrate},
           [this](const Node& n, Draft& d, const std::string& path) {
             auto params = calibrate.read_list(n, path);
             // Resolving may create maps on the way: one copy serves every path (a map
             // created for one is created again, the same, for the next).
             Node scratch = params.empty() ? Node{} : *d.root;
             for (std::size_t i = 0; i < params.size(); ++i) {
               const Node& pn = *n.items[i].find("path");
               const std::string p = join(join_index(path, i), "path");
               schema::PathTarget t;
               try {
                 t = schema::resolve_path(scratch, root, params[i].path, pn.where);
               } catch (const ScenarioError& e) {
                 fail(pn.where, p, "'" + params[i].path + "': " + e.message);
               }
               const Type ty = t.key->type;
               // A shares entry is allowed: calibrate rescales the rest of its map (models/calibration.hpp).
               const bool numeric = t.map_entry ? (ty == Type::probabilities || ty == Type::weights || ty == Type::shares)
                                                : (ty == Type::integer || ty == Type::number ||
                                                   ty == Type::probability || ty == Type::money);
               if (!numeric)
                 fail(pn.where, p,
                      "'" + params[i].path + "' is a " + std::string(schema::type_name(ty)) +
                          (t.map_entry ? " entry" : "") + ", not a number to calibrate");
             }
             d.s.calibrate = std::move(params);
           })
      .add(Key{.name = "uncertain",
               .type = Type::list,
               .help = "uncertain parameters and their distributions, for `scsim uncertainty` (docs/uncertainty.md)",
               .section = &uncertain_section()},
           [this](const Node& n, Draft& d, const std::string& path) {
             d.s.uncertain = read_uncertain(n, path, *d.root, root);
           })
      .finally([](const Node& m, Draft& d, const std::string&) {
        if (!d.s.abstract && !m.find("jurisdictions") && !m.find("national"))
          fail(m.where, "jurisdictions",
               "a scenario needs 'jurisdictions' (counties) or 'national' (states from data)");
      });
}

}  // namespace scenario_declarations

namespace {

using scenario_declarations::decl;
using scenario_declarations::Draft;
using schema::Node;
namespace fs = std::filesystem;

Scenario finish(Node root, std::string path, std::string default_name, const std::vector<std::string>& overrides,
                schema::ParseBudget& budget) {
  scenario_files::apply_overrides(root, decl().root, overrides, budget);
  Draft d;
  d.root = &root;
  d.top_file = path;
  decl().root.apply_defaults(d);
  decl().root.apply(root, d, "");
  d.s.path = std::move(path);
  if (d.s.name.empty()) d.s.name = std::move(default_name);
  d.s.resolved_yaml = schema::emit(root);
  return std::move(d.s);
}

}  // namespace

Override parse_override(std::string_view text) {
  const auto eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0)
    throw ScenarioError("<override>", 1, 1, std::string(text),
                        "expected key.path=value, got '" + std::string(text) + "'");
  auto trim = [](std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return std::string(s);
  };
  return {trim(text.substr(0, eq)), std::string(text.substr(eq + 1))};
}

Scenario load_scenario(const fs::path& file, const std::vector<std::string>& overrides) {
  const std::string display = file.lexically_normal().string();
  schema::ParseBudget budget;
  return finish(scenario_files::load_file(file, display, budget), display, file.stem().string(), overrides, budget);
}

Scenario load_scenario_text(std::string_view yaml, const fs::path& base_dir,
                            const std::vector<std::string>& overrides) {
  schema::ParseBudget budget;
  return finish(scenario_files::load_text(yaml, base_dir, budget), "<text>", "<text>", overrides, budget);
}

const schema::SectionBase& scenario_section() { return decl().root; }

}  // namespace scsim
