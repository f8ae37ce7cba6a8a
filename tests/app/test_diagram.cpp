// `scsim graph`: edges are labelled from the pipeline's declared decisions
// (models/pipeline/branches.cpp) and/or with numbers.
#include <catch2/catch.hpp>

#include <cmath>

#include "app/diagram.hpp"
#include "models/pipeline/branches.hpp"

using namespace scsim;

TEST_CASE("without numbers every edge but the horizon's says the rule of its decision", "[graph]") {
  const std::string dot = pipeline_dot();
  const auto& tr = Topology::pipeline().transitions();
  EdgeLabels rules_only;
  rules_only.rules = true;
  for (const auto& t : tr) {
    INFO(t.from.name() << " -> " << t.to.name());
    if (t.decision == Decision::horizon)
      CHECK(edge_label(rules_only, std::size_t(&t - tr.data())).empty());
    else
      CHECK(dot.find("label=\"" + std::string(t.rule) + "\"") != std::string::npos);
  }
}

TEST_CASE("with probabilities the rule shows only when asked for, above the number", "[graph]") {
  const auto& tr = Topology::pipeline().transitions();
  const int e = Topology::pipeline().edge(Node::stage(Stage::ice_decision), Node::stage(Stage::detainer));
  REQUIRE(e >= 0);
  EdgeLabels labels;
  labels.probability.assign(tr.size(), std::nan(""));
  labels.probability[std::size_t(e)] = 0.25;
  CHECK(edge_label(labels, std::size_t(e)) == "p=0.250");
  labels.rules = true;
  CHECK(edge_label(labels, std::size_t(e)) == "P(detainer | level)\\np=0.250");
  CHECK(pipeline_dot(labels).find("label=\"P(detainer | level)\\np=0.250\"") != std::string::npos);
}
