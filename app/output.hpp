#pragma once
/// Writers for results: an output directory that appears whole or not at all,
/// CSV/JSON/table renderings of a summary.
#include <filesystem>
#include <iosfwd>
#include <stdexcept>
#include <string>

#include "analysis/results.hpp"

namespace scsim_app {

/// A user mistake (bad option, existing output directory...): message, exit 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// A validation report found targets outside their tolerance (the report and
/// its file are complete): message, exit 4.
struct TargetsMissed : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Files are written into a hidden sibling directory and the directory is
/// renamed into place by commit(); if the run fails, the destructor removes
/// the partial directory, so `DIR` is either complete or untouched.
class OutputDir {
 public:
  OutputDir(std::filesystem::path final_dir, bool force);
  ~OutputDir();
  OutputDir(const OutputDir&) = delete;
  OutputDir& operator=(const OutputDir&) = delete;
  std::filesystem::path file(const std::string& name) const { return tmp_ / name; }
  const std::filesystem::path& final_path() const { return final_; }
  void commit();

 private:
  std::filesystem::path final_, tmp_;
  bool force_, committed_ = false;
};

/// Writes `content` to `path` through a temporary file and a rename.
void write_file_atomic(const std::filesystem::path& path, const std::string& content);

/// Number formatting shared by every writer: shortest round-trip representation.
std::string num(double v);

void write_summary_csv(std::ostream& os, const scsim::Results& r);
void write_monthly_csv(std::ostream& os, const scsim::Results& r);
void write_flows_csv(std::ostream& os, const scsim::Results& r);
void write_summary_json(std::ostream& os, const scsim::Scenario& sc, const scsim::Results& r);
/// The readable terminal summary of one scope.
void print_summary_table(std::ostream& os, const scsim::Scenario& sc, const scsim::Results& r,
                         std::size_t scope = 0);

}  // namespace scsim_app
