#include "app/run_record.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/output.hpp"
#include "app/progress.hpp"
#include "analysis/runner.hpp"
#include "models/scenario/loader.hpp"

namespace scsim_app {

RunRecord load_run(const std::string& path, const std::vector<std::string>& overrides, std::string label) {
  RunRecord rec;
  rec.label = std::move(label);
  rec.path = path;
  rec.overrides = overrides;
  rec.scenario = scsim::load_scenario(path, overrides);
  rec.scenario_text = read_text(path);
  return rec;
}

void execute(RunRecord& rec, unsigned threads, const Common& common, const std::string& what) {
  const scsim::Scenario& sc = rec.scenario;
  spdlog::info("running {} ('{}'): {} replications, seed {}", what, sc.name, sc.replications, sc.seed);
  ProgressBar bar(!common.quiet && ProgressBar::stderr_is_tty(), "scsim " + what, sc.start);
  auto t0 = std::chrono::steady_clock::now();
  rec.reps = scsim::run_scenario(sc, sc.replications, threads, [&](const scsim::RunProgress& p) { bar.update(p); });
  bar.done();
  spdlog::info("{}: {} replications in {:.2f} s", what, rec.reps.size(),
               std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  rec.results = scsim::summarize(sc, rec.reps);
}

std::string read_text(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw UsageError("cannot read '" + path + "'");
  std::ostringstream os;
  os << f.rdbuf();
  return os.str();
}

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string stem_of(const std::string& path) { return std::filesystem::path(path).stem().string(); }

std::string command_line() {
  std::ifstream f("/proc/self/cmdline", std::ios::binary);
  std::string raw((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::string out;
  std::size_t start = 0;
  while (start < raw.size()) {
    std::size_t end = raw.find('\0', start);
    if (end == std::string::npos) end = raw.size();
    std::string arg = raw.substr(start, end - start);
    if (!out.empty()) out += ' ';
    const bool plain = !arg.empty() && arg.find_first_of(" \t\"'\\$`") == std::string::npos;
    out += plain ? arg : "'" + arg + "'";
    start = end + 1;
  }
  return out;
}

}  // namespace scsim_app
