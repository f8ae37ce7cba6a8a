#pragma once
/// The pipeline diagram shared by `scsim graph` and the Python module: the
/// stage graph (models/topology.hpp) as Graphviz DOT, its edges labelled with
/// branching probabilities and/or mean simulated counts, and SVG through
/// Graphviz's `dot` program.
#include <string>
#include <vector>

#include "models/pipeline/topology.hpp"

namespace scsim {

/// Per-edge numbers to print on the diagram, indexed like
/// Topology::transitions(). An empty vector prints nothing of that kind; a NaN
/// entry (probability) or a zero count leaves that edge unlabelled.
struct EdgeLabels {
  std::vector<double> probability;  // P(a booking at the edge's source takes this edge)
  std::vector<double> count;        // mean simulated count
  /// Also print each edge's rule: the outcome of the decision that takes it,
  /// as models/pipeline/branches.cpp declares it (always, when there are no numbers).
  bool rules = false;
};

/// P(edge) = count(edge) / count of everything that left its source node; NaN
/// where nothing left. These are the branching probabilities a run realised.
std::vector<double> branching_from_flows(const Topology& topo, const std::vector<double>& flows);

/// "P(detainer | level)" / "p=0.42" / "1,234", those given on separate lines;
/// empty when there is nothing to say.
std::string edge_label(const EdgeLabels& labels, std::size_t edge);

/// DOT of the pipeline with labels; `title` goes on top (empty: none).
std::string pipeline_dot(const EdgeLabels& labels = {}, const std::string& title = {});

/// Renders DOT text to SVG with Graphviz `dot` (Debian: graphviz). Throws
/// std::runtime_error if dot is missing or fails, with its message.
std::string dot_to_svg(const std::string& dot);

}  // namespace scsim
