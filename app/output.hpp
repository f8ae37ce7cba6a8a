#pragma once
/// Writers for results: an output directory that appears whole or not at all,
/// CSV/JSON/table renderings of a summary.
#include <filesystem>
#include <iosfwd>
#include <stdexcept>
#include <string>
#include <vector>

#include "analysis/results.hpp"

namespace scsim_app {

/// A user mistake (bad option, existing output directory...): message, exit 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// A validation report found targets outside their intervals, or calibrated
/// parameters at a bound (the report and its file are complete): message, exit 4.
struct TargetsMissed : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// The marker file inside every output directory scsim writes: only a
/// directory carrying it is ever replaced (with --force).
inline constexpr const char* kOutputMarker = ".scsim-output";

/// Says whether an existing file's first 64 KiB show that scsim wrote it.
using Recognizer = bool (*)(const std::string& head);

/// An output (a directory, or one file) that appears whole or not at all and
/// never replaces what scsim did not write (app/output_dir.cpp):
///  - the constructor checks the target and claims it: an existing target is
///    replaced only with --force and only if scsim wrote it (a directory with
///    the marker inside, or an empty one; a file its Recognizer accepts);
///    anything else is a UsageError, before any work is done. The claim is a
///    hidden sibling, `.NAME.scsim-tmp`, locked (flock) while this process
///    lives, so a second process writing the same target is refused at once;
///  - the command writes into the claim;
///  - commit() renames the claim into place atomically (renameat2:
///    RENAME_NOREPLACE for a new target, RENAME_EXCHANGE to replace a
///    directory, then removes the old one);
///  - otherwise the destructor removes the claim.
/// A kill -9 at any moment leaves the old target or the new one, complete;
/// the claims it strands are removed by the next scsim writing that target
/// (only unlocked ones: a directory carrying the marker, or a file by its name).
class OutputTarget {
 public:
  OutputTarget(const OutputTarget&) = delete;
  OutputTarget& operator=(const OutputTarget&) = delete;
  /// The target as the user gave it.
  const std::filesystem::path& final_path() const { return given_; }
  /// Publishes what was written. Throws sim::Cancelled (nothing published) after Ctrl-C.
  void commit();

 protected:
  OutputTarget(std::filesystem::path given, bool directory, bool force, std::string command, Recognizer ours);
  ~OutputTarget();
  std::filesystem::path given_, target_, claim_;

 private:
  /// Throws UsageError unless the target is absent or may be replaced; true if it exists.
  bool check_target() const;
  /// Makes and locks the claim beside the target (removing stale ones first).
  void claim();

  bool directory_, force_;
  Recognizer ours_;
  std::string marker_;                                  // the marker's text (directories)
  std::vector<std::filesystem::path> created_parents_;  // removed again if nothing is published
  int lock_ = -1;  // the claim, locked while this process owns it
  bool committed_ = false;
};

/// An output directory: `file(name)` is where `name` is written before commit().
class OutputDir : public OutputTarget {
 public:
  /// `command` (e.g. "run") goes into the marker.
  OutputDir(std::filesystem::path dir, bool force, std::string command)
      : OutputTarget(std::move(dir), true, force, std::move(command), nullptr) {}
  std::filesystem::path file(const std::string& name) const { return claim_ / name; }
};

/// One output file, written to path() before commit().
class OutputFile : public OutputTarget {
 public:
  OutputFile(std::filesystem::path file, bool force, Recognizer ours)
      : OutputTarget(std::move(file), false, force, std::string(), ours) {}
  const std::filesystem::path& path() const { return claim_; }
  /// Writes `content` to path() and commits.
  void write(const std::string& content);
};

/// Writes `content` to `path` through a temporary file and a rename.
void write_file_atomic(const std::filesystem::path& path, const std::string& content);

void write_summary_csv(std::ostream& os, const scsim::Results& r);
void write_monthly_csv(std::ostream& os, const scsim::Results& r);
void write_flows_csv(std::ostream& os, const scsim::Results& r);
void write_summary_json(std::ostream& os, const scsim::Scenario& sc, const scsim::Results& r);
/// The readable terminal summary of one scope.
void print_summary_table(std::ostream& os, const scsim::Scenario& sc, const scsim::Results& r,
                         std::size_t scope = 0);

}  // namespace scsim_app
