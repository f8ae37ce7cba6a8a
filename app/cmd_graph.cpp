// `scsim graph [SCENARIO]`: the stage graph as Graphviz DOT or SVG, from the
// Boost Graph the simulator itself follows; with --flows DIR, edges are
// labelled by the mean simulated counts of a run's flows.csv.
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "app/commands.hpp"
#include "app/output.hpp"
#include "models/scenario_loader.hpp"
#include "models/topology.hpp"

namespace scsim_app {

namespace {
struct GraphArgs {
  std::string scenario, format = "dot", out, flows;
};

std::map<std::pair<std::string, std::string>, double> read_flows(const std::string& dir) {
  std::string path = dir + "/flows.csv";
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
  return m;
}
}  // namespace

namespace {
void add_graph_command(CLI::App& app, Common&) {
  auto a = std::make_shared<GraphArgs>();
  auto* cmd = app.add_subcommand("graph", "Draw the pipeline's stage graph (Graphviz)");
  cmd->add_option("scenario", a->scenario, "Scenario YAML file (for its title)")->check(CLI::ExistingFile);
  cmd->add_option("--format", a->format, "dot or svg (svg needs Graphviz's dot)")->check(CLI::IsMember({"dot", "svg"}))->capture_default_str();
  cmd->add_option("-o,--out", a->out, "Output file (default: stdout)");
  cmd->add_option("--flows", a->flows, "Label edges with the mean counts in DIR/flows.csv");
  cmd->callback([a] {
    const auto& topo = scsim::Topology::pipeline();
    topo.validate();
    std::string title;
    if (!a->scenario.empty()) title = scsim::load_scenario(a->scenario).name;
    std::function<std::string(std::size_t)> label;
    if (!a->flows.empty()) {
      auto flows = read_flows(a->flows);
      label = [&topo, flows](std::size_t e) {
        const auto& t = topo.transitions()[e];
        auto it = flows.find({std::string(t.from.name()), std::string(t.to.name())});
        if (it == flows.end() || it->second == 0) return std::string();
        return num(std::round(it->second));
      };
    }
    std::ostringstream dot;
    topo.write_dot(dot, label, title);
    std::string text = dot.str();
    if (a->format == "svg") {
      char tmpl[] = "/tmp/scsim-graph-XXXXXX";
      int fd = mkstemp(tmpl);
      if (fd < 0) throw UsageError("cannot create a temporary file");
      close(fd);
      { std::ofstream(tmpl) << text; }
      std::string cmdline = std::string("dot -Tsvg '") + tmpl + "' 2>&1";
      FILE* p = popen(cmdline.c_str(), "r");
      if (!p) throw UsageError("cannot run Graphviz 'dot' (apt-get install graphviz)");
      std::string svg;
      char buf[4096];
      std::size_t n;
      while ((n = fread(buf, 1, sizeof buf, p)) > 0) svg.append(buf, n);
      int rc = pclose(p);
      std::remove(tmpl);
      if (rc != 0) throw UsageError("Graphviz 'dot' failed: " + svg.substr(0, 200));
      text = svg;
    }
    if (a->out.empty())
      std::cout << text;
    else
      write_file_atomic(a->out, text);
  });
}

const bool registered = register_command(60, &add_graph_command);
}  // namespace

}  // namespace scsim_app
