#include "app/diagram.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "models/pipeline/branches.hpp"

namespace scsim {

std::vector<double> branching_from_flows(const Topology& topo, const std::vector<double>& flows) {
  const auto& tr = topo.transitions();
  if (flows.size() != tr.size())
    throw std::invalid_argument("flows have " + std::to_string(flows.size()) + " edges, the pipeline " +
                                std::to_string(tr.size()));
  std::vector<double> out_of(kNodes, 0.0);
  for (std::size_t e = 0; e < tr.size(); ++e) out_of[tr[e].from.id()] += flows[e];
  std::vector<double> p(tr.size(), std::nan(""));
  for (std::size_t e = 0; e < tr.size(); ++e)
    if (out_of[tr[e].from.id()] > 0) p[e] = flows[e] / out_of[tr[e].from.id()];
  return p;
}

namespace {
/// 1234567.4 -> "1,234,567": counts are read by people, not parsers.
std::string grouped(double v) {
  auto n = static_cast<long long>(std::llround(v));
  std::string digits = std::to_string(n < 0 ? -n : n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return (n < 0 ? "-" : "") + out;
}

std::string probability_text(double p) {
  char buf[32];
  // Rare branches still show: 0.0004 prints as "<0.001" rather than "0.000".
  if (p > 0 && p < 0.001)
    std::snprintf(buf, sizeof buf, "p<0.001");
  else
    std::snprintf(buf, sizeof buf, "p=%.3f", p);
  return buf;
}
}  // namespace

std::string edge_label(const EdgeLabels& labels, std::size_t edge) {
  std::string s;
  auto line = [&s](const std::string& text) {
    if (!s.empty()) s += "\\n";  // DOT's line break inside a label
    s += text;
  };
  const auto& tr = Topology::pipeline().transitions();
  if (labels.rules && edge < tr.size() && tr[edge].decision != Decision::horizon) line(std::string(tr[edge].rule));
  if (edge < labels.probability.size() && !std::isnan(labels.probability[edge]) && labels.probability[edge] > 0)
    line(probability_text(labels.probability[edge]));
  if (edge < labels.count.size() && labels.count[edge] > 0) line(grouped(labels.count[edge]));
  return s;
}

std::string pipeline_dot(const EdgeLabels& labels, const std::string& title) {
  const Topology& topo = Topology::pipeline();
  topo.validate();
  EdgeLabels shown = labels;
  if (shown.probability.empty() && shown.count.empty()) shown.rules = true;  // else the edges would say nothing
  std::ostringstream dot;
  topo.write_dot(dot, [&shown](std::size_t e) { return edge_label(shown, e); }, title);
  return dot.str();
}

std::string dot_to_svg(const std::string& dot) {
  // dot reads a file rather than a pipe so that its error output, not a
  // broken pipe, is what a failure reports.
  char tmpl[] = "/tmp/scsim-graph-XXXXXX";
  const int fd = mkstemp(tmpl);
  if (fd < 0) throw std::runtime_error("cannot create a temporary file for Graphviz");
  close(fd);
  {
    std::ofstream f(tmpl);
    f << dot;
  }
  const std::string cmdline = std::string("dot -Tsvg '") + tmpl + "' 2>&1";
  FILE* p = popen(cmdline.c_str(), "r");
  if (!p) {
    std::remove(tmpl);
    throw std::runtime_error("cannot run Graphviz 'dot' (apt-get install graphviz)");
  }
  std::string svg;
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) svg.append(buf, n);
  const int rc = pclose(p);
  std::remove(tmpl);
  if (rc != 0)
    throw std::runtime_error("Graphviz 'dot' failed (is the graphviz package installed?): " + svg.substr(0, 300));
  return svg;
}

}  // namespace scsim
