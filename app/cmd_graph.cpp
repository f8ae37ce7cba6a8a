// `scsim graph [SCENARIO]`: the stage graph as Graphviz DOT or SVG, from the
// Boost Graph the simulator itself follows (app/diagram.*). Edges carry
//   - the rule of the decision that takes them, as models/pipeline/branches.cpp
//     declares it (with --rules, or when there are no numbers to show);
//   - with a SCENARIO, its branching probabilities P(edge | at its stage),
//     computed by the analytic chain (models/analytic.hpp) for the bookings of
//     the period (or --from/--to, --jurisdiction): no simulation needed;
//   - with --flows DIR, the mean simulated counts of a run's flows.csv (and,
//     without a scenario, the branching shares those counts realised).
#include <cmath>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "app/commands.hpp"
#include "app/output.hpp"
#include "analysis/analytic.hpp"
#include "app/diagram.hpp"
#include "models/scenario/loader.hpp"
#include "models/pipeline/topology.hpp"
#include "models/pipeline/trace.hpp"

namespace scsim_app {

namespace {
struct GraphArgs {
  std::string scenario, format = "dot", out, flows, jurisdiction, from, to;
  bool no_probabilities = false, rules = false;
  std::vector<std::string> overrides;
};

/// Mean count per topology edge from DIR/flows.csv (written by `scsim run --out DIR`).
std::vector<double> read_flows(const std::string& dir) {
  const std::string path = dir + "/flows.csv";
  std::ifstream f(path);
  if (!f) throw UsageError("cannot read '" + path + "' (run `scsim run ... --out " + dir + "` first)");
  std::map<std::pair<std::string, std::string>, double> m;
  std::string line;
  std::getline(f, line);
  if (line != "from,to,mean_count") throw UsageError(path + ":1: unexpected header '" + line + "'");
  int n = 1;
  while (std::getline(f, line)) {
    ++n;
    std::istringstream ls(line);
    std::string a, b, c;
    if (!std::getline(ls, a, ',') || !std::getline(ls, b, ',') || !std::getline(ls, c))
      throw UsageError(path + ":" + std::to_string(n) + ": expected from,to,mean_count");
    try {
      m[{a, b}] = std::stod(c);
    } catch (const std::exception&) {
      throw UsageError(path + ":" + std::to_string(n) + ": mean_count '" + c + "' is not a number");
    }
  }
  const auto& tr = scsim::Topology::pipeline().transitions();
  std::vector<double> counts(tr.size(), 0.0);
  for (std::size_t e = 0; e < tr.size(); ++e) {
    auto it = m.find({std::string(tr[e].from.name()), std::string(tr[e].to.name())});
    if (it != m.end()) counts[e] = it->second;
  }
  return counts;
}

void graph(const GraphArgs& a) {
  scsim::EdgeLabels labels;
  labels.rules = a.rules;
  std::string title;
  if (!a.flows.empty()) labels.count = read_flows(a.flows);
  if (!a.scenario.empty()) {
    const scsim::Scenario sc = scsim::load_scenario(a.scenario, a.overrides);
    title = sc.name;
    if (!a.no_probabilities) {
      try {
        std::string jurisdiction;
        if (!a.jurisdiction.empty())
          jurisdiction = sc.jurisdictions[scsim::find_jurisdiction_index(sc, a.jurisdiction)].id;
        const sim::Date from = a.from.empty() ? sc.start : sim::parse_date(a.from);
        const sim::Date to = a.to.empty() ? sc.end : sim::parse_date(a.to);
        labels.probability = scsim::edge_probabilities(sc, jurisdiction, from, to);
      } catch (const std::invalid_argument& e) {
        throw UsageError(e.what());
      }
      if (!a.jurisdiction.empty()) title += " — " + a.jurisdiction;
    }
  } else if (!labels.count.empty() && !a.no_probabilities) {
    labels.probability = scsim::branching_from_flows(scsim::Topology::pipeline(), labels.count);
  }
  std::string text = scsim::pipeline_dot(labels, title);
  if (a.format == "svg") {
    try {
      text = scsim::dot_to_svg(text);
    } catch (const std::runtime_error& e) {
      throw UsageError(e.what());
    }
  }
  if (a.out.empty())
    std::cout << text;
  else
    write_file_atomic(a.out, text);
}

void add_graph_command(CLI::App& app, Common&) {
  auto a = std::make_shared<GraphArgs>();
  auto* cmd = app.add_subcommand("graph", "Draw the pipeline's stage graph (Graphviz), edges labelled by "
                                          "branching probabilities and/or simulated counts");
  cmd->add_option("scenario", a->scenario, "Scenario YAML file: title and branching probabilities")
      ->check(CLI::ExistingFile);
  cmd->add_option("--format", a->format, "dot or svg (svg needs Graphviz's dot)")
      ->check(CLI::IsMember({"dot", "svg"}))
      ->capture_default_str();
  cmd->add_option("-o,--out", a->out, "Output file (default: stdout)");
  cmd->add_option("--flows", a->flows, "Label edges with the mean counts in DIR/flows.csv (from `scsim run --out DIR`)");
  cmd->add_option("-j,--jurisdiction", a->jurisdiction, "Probabilities for one jurisdiction's bookings (id, name or state)");
  cmd->add_option("--from", a->from, "Probabilities for bookings from this date (default: period start)");
  cmd->add_option("--to", a->to, "... until this date, inclusive (default: period end)");
  cmd->add_flag("--no-probabilities", a->no_probabilities, "Leave the branching probabilities off");
  cmd->add_flag("--rules", a->rules,
                "Also label each edge with the rule of the decision that takes it (shown anyway without numbers)");
  cmd->add_option("--set", a->overrides, "Override a scenario key, e.g. --set volume_scale=0.1");
  cmd->callback([a] { graph(*a); });
}

const bool registered = register_command(60, &add_graph_command);
}  // namespace

}  // namespace scsim_app
