// schema::parse: YAML text to a schema::Node tree, under the limits of
// models/limits.hpp.
//
// Why not YAML::Load: yaml-cpp's node graph shares an aliased node instead of
// copying it, so a dozen lines nesting aliases (`a1: &a1 [*a0, *a0, ...]`)
// are a small graph but an astronomically large tree, and any walk of it runs
// out of memory; yaml-cpp's parser also recurses once per nesting level up to
// its own bound of 500. So the tree is built here from the parser's events
// (YAML::Parser with an EventHandler): anchors and aliases are refused where
// they appear (no scenario needs them: `extends` shares whole files), and
// nesting, node count and scalar sizes are checked as each event arrives,
// before yaml-cpp recurses any deeper. The events carry the same marks, nulls
// and scalars as YAML::Load's nodes, so trees and positions are unchanged.
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <sstream>
#include <unordered_set>

#include "models/scenario/parse.hpp"
#include "models/scenario/schema.hpp"

namespace scsim::schema {

namespace {

using Kind = ScenarioError::Kind;

class TreeBuilder final : public YAML::EventHandler {
 public:
  TreeBuilder(std::shared_ptr<const SourceFile> file, ParseBudget& budget) : file_(std::move(file)), budget_(budget) {}

  /// The document's root; a null node at 1:1 when the text held no document.
  Node take_root() {
    if (!have_root_) root_ = Node{Node::Kind::null, {}, {}, {}, Source{file_, 1, 1}};
    return std::move(root_);
  }

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    no_anchor(mark, anchor);
    Node n{Node::Kind::null, {}, {}, {}, at(mark)};
    add(std::move(n));
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { refuse_anchors(mark, "an alias (*name)"); }
  void OnAnchor(const YAML::Mark& mark, const std::string&) override { refuse_anchors(mark, "an anchor (&name)"); }

  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor, const std::string& value) override {
    no_anchor(mark, anchor);
    const bool is_key = expecting_key();
    const std::size_t max = is_key ? limits::kKeyBytes : limits::kScalarBytes;
    if (value.size() > max)
      fail(at(mark), path(), std::string(is_key ? "a key" : "a value") + " of " + std::to_string(value.size()) +
                                 " bytes; the limit is " + std::to_string(max) + " (models/limits.hpp)",
           Kind::input);
    // Values are printed (names in tables, messages): no terminal control characters, valid UTF-8.
    if (const auto problem = parse::find_text_problem(value))
      fail(at(mark), path(), std::string(is_key ? "a key" : "a value") + " with " + problem->why, Kind::input);
    Node n{Node::Kind::scalar, value, {}, {}, at(mark)};
    add(std::move(n));
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(Node::Kind::sequence, mark, anchor);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(Node::Kind::map, mark, anchor);
  }
  void OnMapEnd() override { close(); }

 private:
  /// A list or map being filled. A map alternates key and value events.
  struct Open {
    Node node;
    bool have_key = false;
    std::string key;
    Source key_where;
    std::unordered_set<std::string> keys;  // duplicate check without a quadratic scan
  };

  Source at(const YAML::Mark& m) const { return Source{file_, m.line + 1, m.column + 1}; }

  bool expecting_key() const { return !stack_.empty() && stack_.back().node.is_map() && !stack_.back().have_key; }

  /// The key path of the node about to be added, for messages.
  std::string path() const {
    std::string p;
    for (const Open& o : stack_) {
      if (o.node.is_sequence()) p = join_index(p, o.node.items.size());
      else if (o.have_key) p = join(p, o.key);
    }
    return p;
  }

  void refuse_anchors(const YAML::Mark& mark, const std::string& what) {
    fail(at(mark), path(),
         what + " is not supported in scenario files: write the value out, or share it with `extends`",
         Kind::input);
  }
  void no_anchor(const YAML::Mark& mark, YAML::anchor_t anchor) {
    if (anchor != YAML::NullAnchor) refuse_anchors(mark, "an anchor (&name)");
  }

  void count(const Source& where) {
    if (budget_.nodes == 0)
      fail(where, path(),
           "more than " + std::to_string(limits::kScenarioNodes) +
               " YAML values in this scenario (with the files it extends and the overrides); the limit is in "
               "models/scenario/limits.hpp",
           Kind::input);
    --budget_.nodes;
  }

  void open(Node::Kind kind, const YAML::Mark& mark, YAML::anchor_t anchor) {
    no_anchor(mark, anchor);
    if (expecting_key()) fail(at(mark), path(), "map keys must be plain names", Kind::input);
    if (stack_.size() >= static_cast<std::size_t>(limits::kNestingDepth))
      fail(at(mark), path(),
           "lists and maps nested more than " + std::to_string(limits::kNestingDepth) +
               " deep (the limit is in models/limits.hpp)",
           Kind::input);
    count(at(mark));
    Open o;
    o.node.kind = kind;
    o.node.where = at(mark);
    stack_.push_back(std::move(o));
  }

  void close() {
    Node n = std::move(stack_.back().node);
    stack_.pop_back();
    attach(std::move(n));
  }

  void add(Node n) {
    count(n.where);
    attach(std::move(n));
  }

  void attach(Node n) {
    if (stack_.empty()) {
      if (!have_root_) root_ = std::move(n), have_root_ = true;
      return;
    }
    Open& parent = stack_.back();
    if (parent.node.is_sequence()) {
      parent.node.items.push_back(std::move(n));
      return;
    }
    if (!parent.have_key) {
      if (!n.is_scalar()) fail(n.where, path(), "map keys must be plain names", Kind::input);
      if (!parent.keys.insert(n.scalar).second)
        fail(n.where, join(path(), n.scalar), "duplicate key '" + n.scalar + "'", Kind::input);
      parent.key = std::move(n.scalar);
      parent.key_where = n.where;
      parent.have_key = true;
      return;
    }
    parent.node.entries.push_back({std::move(parent.key), parent.key_where, std::move(n)});
    parent.key.clear();
    parent.have_key = false;
  }

  std::shared_ptr<const SourceFile> file_;
  ParseBudget& budget_;
  std::vector<Open> stack_;
  Node root_;
  bool have_root_ = false;
};

}  // namespace

Node parse(std::string_view text, std::shared_ptr<const SourceFile> file, ParseBudget& budget) {
  const std::string name = file ? file->name : "?";
  if (text.size() > budget.bytes)
    throw ScenarioError(name, 1, 1, "",
                        "YAML text of " + std::to_string(text.size() >> 10) + " KiB; the limit is " +
                            std::to_string(budget.bytes >> 10) + " KiB (models/limits.hpp)",
                        Kind::input);
  parse::check_text(text, name, "");
  std::istringstream in{std::string(text)};
  TreeBuilder builder(file, budget);
  try {
    YAML::Parser parser(in);
    parser.HandleNextDocument(builder);
  } catch (const YAML::Exception& e) {
    // yaml-cpp's mark is 0-based; its msg has no location prefix.
    fail(Source{file, e.mark.line + 1, e.mark.column + 1}, "", "YAML syntax error: " + e.msg, Kind::input);
  }
  return builder.take_root();
}

Node parse(std::string_view text, std::shared_ptr<const SourceFile> file) {
  ParseBudget budget;
  return parse(text, std::move(file), budget);
}

}  // namespace scsim::schema
