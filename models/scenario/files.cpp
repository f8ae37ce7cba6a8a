#include "models/scenario/files.hpp"

#include <algorithm>
#include <unordered_map>

#include "models/scenario/limits.hpp"
#include "models/scenario/parse.hpp"
#include "models/scenario/loader.hpp"  // parse_override

namespace scsim::scenario_files {

namespace {

namespace fs = std::filesystem;
using schema::fail;
using schema::Node;
using Kind = ScenarioError::Kind;

bool appends(const std::string& key) { return key == "policies" || key == "calibrate" || key == "uncertain"; }

/// Deep merge of `over` onto `base`: maps key by key, the top-level `policies`,
/// `calibrate` and `uncertain` lists append, `jurisdictions` merge by id, a distribution
/// (a map with `dist`) replaces the inherited one whole, other values replace,
/// and `key: ~` removes the inherited key. A merged map is located where the
/// more derived file writes it, so a key missing from it is reported in the
/// file the user ran rather than in a base it extends.
Node merge(Node base, Node over, bool top) {
  if (!base.is_map() || !over.is_map()) return over;
  base.where = over.where;
  // Keys are looked up by hash: maps arrive here before validation has bounded their size.
  std::unordered_map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < base.entries.size(); ++i) index.emplace(base.entries[i].key, i);
  std::vector<bool> removed(base.entries.size(), false);
  for (auto& e : over.entries) {
    const auto it = index.find(e.key);
    if (e.value.kind == Node::Kind::null) {
      // `policies:`, `calibrate:` and `uncertain:` append to the inherited lists, so
      // an empty one appends nothing; it must not silently drop every inherited policy.
      if (top && appends(e.key)) continue;
      if (it != index.end()) removed[it->second] = true, index.erase(it);
      continue;
    }
    if (it == index.end()) {
      index.emplace(e.key, base.entries.size());
      base.entries.push_back(std::move(e));
      removed.push_back(false);
      continue;
    }
    schema::Entry& be = base.entries[it->second];
    Node& b = be.value;
    be.key_where = e.key_where;
    const bool lists = b.is_sequence() && e.value.is_sequence();
    if (top && lists && appends(e.key)) {
      for (auto& item : e.value.items) b.items.push_back(std::move(item));
    } else if (top && lists && e.key == "jurisdictions") {
      std::unordered_map<std::string, std::size_t> ids;  // base ids only: duplicates within one file stay visible
      for (std::size_t i = 0; i < b.items.size(); ++i)
        if (const Node* id = b.items[i].find("id"); id && id->is_scalar()) ids.emplace(id->scalar, i);
      for (auto& item : e.value.items) {
        const Node* id = item.find("id");
        auto hit = id && id->is_scalar() ? ids.find(id->scalar) : ids.end();
        if (hit == ids.end()) {
          b.items.push_back(std::move(item));
        } else {
          b.items[hit->second] = merge(std::move(b.items[hit->second]), std::move(item), false);
          ids.erase(hit);
        }
      }
    } else if (e.value.is_map() && e.value.find("dist")) {
      b = std::move(e.value);
    } else {
      b = merge(std::move(b), std::move(e.value), false);
    }
  }
  std::size_t k = 0;
  for (std::size_t i = 0; i < base.entries.size(); ++i)
    if (!removed[i]) {
      if (k != i) base.entries[k] = std::move(base.entries[i]);
      ++k;
    }
  base.entries.resize(k);
  return base;
}

struct ChainLink {
  fs::path canonical;
  std::string name;
};

Node root_map(Node root, const std::shared_ptr<const schema::SourceFile>& src, const std::string& what) {
  if (root.kind == Node::Kind::null) root = Node{Node::Kind::map, {}, {}, {}, schema::Source{src, 1, 1}};
  if (!root.is_map()) fail(root.where, "", what + " must be a map of keys, got " + root.describe(), Kind::input);
  return root;
}

Node load_chain(const fs::path& file, const std::string& display, std::vector<ChainLink>& chain,
                schema::ParseBudget& budget);

/// `root` merged onto the base its `extends` names (relative to `dir`, shown
/// relative to `display_dir`), if it names one.
Node extend(Node root, const fs::path& dir, const fs::path& display_dir, std::vector<ChainLink>& chain,
            schema::ParseBudget& budget) {
  const schema::Entry* ext = root.entry("extends");
  if (!ext) return root;
  const std::string rel = schema::read_string(ext->value, "extends");
  const fs::path base = dir / rel;
  const std::string base_display = (display_dir / rel).lexically_normal().string();
  if (!fs::is_regular_file(base))
    fail(ext->value.where, "extends", "file not found: '" + rel + "' (looked for " + base_display + ")", Kind::io);
  const fs::path canonical = fs::weakly_canonical(base);
  for (std::size_t i = 0; i < chain.size(); ++i)
    if (chain[i].canonical == canonical) {
      std::string cycle;
      for (std::size_t k = i; k < chain.size(); ++k) cycle += fs::path(chain[k].name).filename().string() + " -> ";
      fail(ext->value.where, "extends", "extends cycle: " + cycle + fs::path(base_display).filename().string(),
           Kind::input);
    }
  if (chain.size() >= limits::kExtendsChain)
    fail(ext->value.where, "extends",
         "more than " + std::to_string(limits::kExtendsChain) +
             " files in one extends chain (the limit is in models/limits.hpp)",
         Kind::input);
  chain.push_back({canonical, base_display});
  Node base_tree = load_chain(base, base_display, chain, budget);
  chain.pop_back();
  base_tree.erase("abstract");  // being extended is what an abstract base is for
  root.erase("extends");
  return merge(std::move(base_tree), std::move(root), true);
}

Node load_chain(const fs::path& file, const std::string& display, std::vector<ChainLink>& chain,
                schema::ParseBudget& budget) {
  auto src = std::make_shared<schema::SourceFile>(schema::SourceFile{display, file.parent_path()});
  const std::string text = parse::read_file(file, display, limits::kScenarioBytes, "", "scenario file");
  Node root = root_map(schema::parse(text, src, budget), src, "a scenario file");
  return extend(std::move(root), file.parent_path(), fs::path(display).parent_path(), chain, budget);
}

void relocate(Node& n, int line, int column_offset) {
  n.where.line = line;
  n.where.column += column_offset;
  for (auto& i : n.items) relocate(i, line, column_offset);
  for (auto& e : n.entries) {
    e.key_where.line = line;
    e.key_where.column += column_offset;
    relocate(e.value, line, column_offset);
  }
}

/// Applies override number `index` (0-based) to the merged tree.
void apply_override(Node& root, const schema::SectionBase& section, std::string_view text, int index,
                    schema::ParseBudget& budget) {
  auto src = std::make_shared<schema::SourceFile>(schema::SourceFile{"<override>", fs::current_path(), true});
  const schema::Source where{src, index + 1, 1};
  if (text.size() > limits::kOverrideBytes)
    fail(where, "",
         "an override of " + std::to_string(text.size()) + " bytes; the limit is " +
             std::to_string(limits::kOverrideBytes) + " (models/limits.hpp)",
         Kind::input);
  const auto eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0)
    fail(where, std::string(text), "expected key.path=value, got '" + std::string(text) + "'", Kind::input);
  const Override o = parse_override(text);
  if (o.first == "extends") fail(where, o.first, "extends cannot be overridden", Kind::input);
  Node value;
  try {
    value = schema::parse(o.second, src, budget);
  } catch (const ScenarioError& e) {
    throw ScenarioError("<override>", index + 1, static_cast<int>(eq) + 1 + e.column, o.first, e.message, e.kind);
  }
  relocate(value, index + 1, static_cast<int>(eq) + 1);
  const schema::PathTarget t = schema::resolve_path(root, section, o.first, where);
  // A map the override changed is reported at the override: a required key it
  // removed, or shares of which it set one and that no longer sum to 1.
  if (value.kind == Node::Kind::null) {
    t.parent->erase(t.name);
    t.parent->where = where;
  } else {
    t.parent->set(t.name, std::move(value), where);
    if (t.map_entry) t.parent->where = where;
  }
}

}  // namespace

Node load_file(const fs::path& file, const std::string& display, schema::ParseBudget& budget) {
  std::vector<ChainLink> chain{{fs::weakly_canonical(file), display}};
  return load_chain(file, display, chain, budget);
}

Node load_text(std::string_view yaml, const fs::path& base_dir, schema::ParseBudget& budget) {
  auto src = std::make_shared<schema::SourceFile>(schema::SourceFile{"<text>", base_dir});
  Node root = root_map(schema::parse(yaml, src, budget), src, "a scenario");
  std::vector<ChainLink> chain;
  return extend(std::move(root), base_dir, base_dir, chain, budget);
}

void apply_overrides(Node& root, const schema::SectionBase& root_section, const std::vector<std::string>& overrides,
                     schema::ParseBudget& budget) {
  if (overrides.size() > limits::kOverrides) {
    auto src = std::make_shared<schema::SourceFile>(schema::SourceFile{"<override>", fs::current_path(), true});
    fail(schema::Source{src, static_cast<int>(limits::kOverrides) + 1, 1}, "",
         "more than " + std::to_string(limits::kOverrides) + " overrides (the limit is in models/limits.hpp)",
         Kind::input);
  }
  for (std::size_t i = 0; i < overrides.size(); ++i)
    apply_override(root, root_section, overrides[i], static_cast<int>(i), budget);
}

}  // namespace scsim::scenario_files
