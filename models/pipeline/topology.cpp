#include "models/pipeline/topology.hpp"

#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/graphviz.hpp>
#include <boost/graph/reverse_graph.hpp>
#include <ostream>
#include <stdexcept>

#include "models/pipeline/branches.hpp"

namespace scsim {

const Topology& Topology::pipeline() {
  static const Topology topo(pipeline_transitions());
  return topo;
}

Topology::Topology(std::vector<Transition> transitions)
    : transitions_(std::move(transitions)), lookup_(kNodes * kNodes, -1), graph_(kNodes) {
  for (std::size_t v = 0; v < kNodes; ++v) {
    Node n = v < kStages ? Node::stage(static_cast<Stage>(v)) : Node::end(static_cast<EndState>(v - kStages));
    graph_[v].name = std::string(n.name());
    graph_[v].is_end = n.is_end;
  }
  for (std::size_t i = 0; i < transitions_.size(); ++i) {
    const auto& tr = transitions_[i];
    if (lookup_[tr.from.id() * kNodes + tr.to.id()] != -1)
      throw std::logic_error("duplicate transition " + std::string(tr.from.name()) + " -> " +
                             std::string(tr.to.name()));
    lookup_[tr.from.id() * kNodes + tr.to.id()] = static_cast<int>(i);
    boost::add_edge(tr.from.id(), tr.to.id(), EdgeProps{i}, graph_);
  }
}

void Topology::validate() const {
  const auto n = boost::num_vertices(graph_);
  // Reachability from booking.
  std::vector<boost::default_color_type> color(n, boost::white_color);
  std::vector<bool> reached(n, false);
  struct Mark : boost::default_bfs_visitor {
    std::vector<bool>* seen;
    void discover_vertex(Graph::vertex_descriptor v, const Graph&) const { (*seen)[v] = true; }
  };
  Mark mark;
  mark.seen = &reached;
  boost::breadth_first_search(graph_, Node::stage(Stage::booking).id(),
                              boost::visitor(mark).color_map(boost::make_iterator_property_map(
                                  color.begin(), boost::get(boost::vertex_index, graph_))));
  for (std::size_t v = 0; v < kStages; ++v)
    if (!reached[v]) throw std::logic_error("stage '" + graph_[v].name + "' is not reachable from booking");

  // Every stage must be able to reach an end state: search the reversed graph from all ends.
  auto rev = boost::make_reverse_graph(graph_);
  std::vector<bool> reaches_end(n, false);
  for (std::size_t e = kStages; e < n; ++e) {
    if (boost::out_degree(e, graph_) != 0)
      throw std::logic_error("end state '" + graph_[e].name + "' has an outgoing transition");
    std::vector<boost::default_color_type> c2(n, boost::white_color);
    struct MarkRev : boost::default_bfs_visitor {
      std::vector<bool>* seen;
      void discover_vertex(std::size_t v, const decltype(rev)&) const { (*seen)[v] = true; }
    };
    MarkRev mr;
    mr.seen = &reaches_end;
    boost::breadth_first_search(
        rev, e,
        boost::visitor(mr).color_map(boost::make_iterator_property_map(c2.begin(), boost::get(boost::vertex_index, rev))));
  }
  for (std::size_t v = 0; v < kStages; ++v)
    if (!reaches_end[v]) throw std::logic_error("stage '" + graph_[v].name + "' cannot reach an end state");
  for (std::size_t v = 0; v < kStages; ++v)
    if (boost::out_degree(v, graph_) == 0) throw std::logic_error("stage '" + graph_[v].name + "' has no exit");
}

void Topology::write_dot(std::ostream& os, const std::function<std::string(std::size_t)>& edge_label,
                         const std::string& title) const {
  auto vertex_writer = [this](std::ostream& out, Graph::vertex_descriptor v) {
    const auto& p = graph_[v];
    out << "[label=\"" << p.name << "\""
        << (p.is_end ? ", shape=box, style=\"rounded,filled\", fillcolor=\"#eeeeee\""
                     : ", shape=ellipse, style=filled, fillcolor=\"#dbe9f6\"")
        << "]";
  };
  auto edge_writer = [this, &edge_label](std::ostream& out, Graph::edge_descriptor e) {
    std::size_t i = graph_[e].index;
    std::string label = edge_label ? edge_label(i) : std::string();
    out << "[tooltip=\"" << transitions_[i].why << "\"";
    if (!label.empty()) out << ", label=\"" << label << "\"";
    if (transitions_[i].to == Node::end(EndState::in_system_at_horizon)) out << ", style=dashed, color=gray";
    out << "]";
  };
  auto graph_writer = [&title](std::ostream& out) {
    out << "rankdir=LR;\nnode [fontname=\"Helvetica\"];\nedge [fontname=\"Helvetica\", fontsize=10];\n";
    if (!title.empty()) out << "label=\"" << title << "\";\nlabelloc=t;\n";
  };
  boost::write_graphviz(os, graph_, vertex_writer, edge_writer, graph_writer);
}

}  // namespace scsim
