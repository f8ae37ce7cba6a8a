#pragma once
/// results.sqlite: every run an output directory holds, in one SQLite file a
/// notebook or a spreadsheet can query. Tables:
///   runs(run_id, label, scenario_name, scenario_path, scenario_text, resolved_yaml,
///        overrides, seed, replications, period_start, period_end, version, created_utc, command)
///   summary(run_id, scope, metric, mean, ci95_low, ci95_high, replications)
///   monthly(run_id, month, scope, metric, mean, ci95_low, ci95_high)
///   costs(run_id, scope, period, period_kind, first_month, last_month, months, complete,
///         line, label, unit, mean, ci95_low, ci95_high)
///   comparisons(base_run_id, alt_run_id, scope, metric, base_mean, alt_mean,
///               diff_mean, diff_ci95_low, diff_ci95_high, rel_change)
///   sweep_points(run_id, key, value)
/// Everything goes in through one transaction, committed by commit(); a writer
/// destroyed before that rolls back and deletes the file, so a failed command
/// never leaves a half-filled database (and OutputDir never publishes one).
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "app/run_record.hpp"
#include "analysis/compare.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace scsim_app {

class SqliteWriter {
 public:
  /// Creates `path` (which must not exist) and opens the transaction.
  explicit SqliteWriter(std::filesystem::path path);
  ~SqliteWriter();
  SqliteWriter(const SqliteWriter&) = delete;
  SqliteWriter& operator=(const SqliteWriter&) = delete;

  /// Adds a run with its summary, monthly and cost tables; returns its run_id.
  std::int64_t add_run(const RunRecord& rec);
  void add_comparisons(std::int64_t base_run, std::int64_t alt_run, const std::vector<scsim::ComparisonRow>& rows);
  void add_sweep_point(std::int64_t run, const std::string& key, const std::string& value);
  void commit();

 private:
  void exec(const char* sql);
  sqlite3_stmt* prepare(const char* sql);
  [[noreturn]] void fail(const std::string& what);

  std::filesystem::path path_;
  sqlite3* db_ = nullptr;
  bool committed_ = false;
};

}  // namespace scsim_app
