#pragma once
/// The pipeline's stage graph. Nodes are the transient stages and the end
/// states; edges are the declared transitions. The journey coroutine reports
/// every move it makes and a move that is not an edge here is a bug (it
/// throws), so the graph drawn by `scsim graph` and analysed by `scsim analyze`
/// is the one the simulator actually follows. Built once as a Boost Graph and
/// validated: every stage reachable from booking, every stage able to reach an
/// end state, end states absorbing.
#include <boost/graph/adjacency_list.hpp>
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "models/pipeline/metrics.hpp"

namespace scsim {

/// A node of the stage graph: a transient Stage or an EndState.
struct Node {
  bool is_end = false;
  std::uint8_t index = 0;
  static constexpr Node stage(Stage s) { return {false, static_cast<std::uint8_t>(s)}; }
  static constexpr Node end(EndState e) { return {true, static_cast<std::uint8_t>(e)}; }
  constexpr std::size_t id() const { return is_end ? kStages + index : index; }
  std::string_view name() const { return is_end ? kEndStateNames[index] : kStageNames[index]; }
  friend constexpr bool operator==(Node a, Node b) { return a.is_end == b.is_end && a.index == b.index; }
};
inline constexpr std::size_t kNodes = kStages + kEndStates;

/// The decision that takes an edge (models/pipeline/branches.hpp).
enum class Decision : std::uint8_t;

struct Transition {
  Node from, to;
  std::string_view why;  // what makes a booking take this edge
  Decision decision;     // the decision that takes it
  std::string_view rule; // that decision's outcome, in a few words (graph labels)
};

class Topology {
 public:
  struct VertexProps {
    std::string name;
    bool is_end = false;
  };
  struct EdgeProps {
    std::size_t index = 0;
  };
  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS, VertexProps, EdgeProps>;

  /// The model's transitions (pipeline_transitions(), models/pipeline/branches.cpp),
  /// an edge to in_system_at_horizon from every transient stage included.
  static const Topology& pipeline();
  explicit Topology(std::vector<Transition> transitions);

  const Graph& graph() const { return graph_; }
  const std::vector<Transition>& transitions() const { return transitions_; }
  /// Edge index of from->to, or -1 if it is not a transition.
  int edge(Node from, Node to) const { return lookup_[from.id() * kNodes + to.id()]; }
  /// Throws std::logic_error describing the first structural problem, if any.
  void validate() const;
  /// Graphviz DOT; `edge_label(i)` labels edge i (empty: no label).
  void write_dot(std::ostream& os, const std::function<std::string(std::size_t)>& edge_label = {},
                 const std::string& title = {}) const;

 private:
  std::vector<Transition> transitions_;
  std::vector<int> lookup_;
  Graph graph_;
};

}  // namespace scsim
