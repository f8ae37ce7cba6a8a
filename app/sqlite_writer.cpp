#include "app/sqlite_writer.hpp"

#include <sqlite3.h>

#include <cmath>
#include <memory>

#include "app/output.hpp"
#include "models/costs/costs.hpp"

namespace scsim_app {

namespace fs = std::filesystem;
const char* version();

namespace {
constexpr const char* kSchema = R"sql(
CREATE TABLE runs (
  run_id INTEGER PRIMARY KEY,
  label TEXT NOT NULL,
  scenario_name TEXT NOT NULL,
  scenario_path TEXT NOT NULL,
  scenario_text TEXT NOT NULL,      -- the file as it was read
  resolved_yaml TEXT NOT NULL,      -- after extends and --set overrides: every parameter in force
  overrides TEXT NOT NULL,          -- the --set overrides, one per line
  seed INTEGER NOT NULL,
  replications INTEGER NOT NULL,
  period_start TEXT NOT NULL,
  period_end TEXT NOT NULL,
  version TEXT NOT NULL,
  created_utc TEXT NOT NULL,
  command TEXT NOT NULL
);
CREATE TABLE summary (
  run_id INTEGER NOT NULL REFERENCES runs(run_id),
  scope TEXT NOT NULL, metric TEXT NOT NULL,
  mean REAL, ci95_low REAL, ci95_high REAL, replications INTEGER NOT NULL,
  PRIMARY KEY (run_id, scope, metric)
);
CREATE TABLE monthly (
  run_id INTEGER NOT NULL REFERENCES runs(run_id),
  month TEXT NOT NULL, scope TEXT NOT NULL, metric TEXT NOT NULL,
  mean REAL, ci95_low REAL, ci95_high REAL,
  PRIMARY KEY (run_id, month, scope, metric)
);
CREATE TABLE costs (
  run_id INTEGER NOT NULL REFERENCES runs(run_id),
  scope TEXT NOT NULL,
  period TEXT NOT NULL,             -- "2011" (calendar) or "FY2012" (named after the year it ends in)
  period_kind TEXT NOT NULL,        -- calendar | fiscal
  first_month TEXT NOT NULL, last_month TEXT NOT NULL,
  months INTEGER NOT NULL,          -- months of the period inside the scenario
  complete INTEGER NOT NULL,        -- 1 if the scenario simulates the whole period
  line TEXT NOT NULL, label TEXT NOT NULL, unit TEXT NOT NULL,
  mean REAL, ci95_low REAL, ci95_high REAL,
  PRIMARY KEY (run_id, scope, period, line)
);
CREATE TABLE comparisons (
  base_run_id INTEGER NOT NULL REFERENCES runs(run_id),
  alt_run_id INTEGER NOT NULL REFERENCES runs(run_id),
  scope TEXT NOT NULL, metric TEXT NOT NULL,
  base_mean REAL, alt_mean REAL, diff_mean REAL, diff_ci95_low REAL, diff_ci95_high REAL,
  rel_change REAL,
  PRIMARY KEY (base_run_id, alt_run_id, scope, metric)
);
CREATE TABLE sweep_points (
  run_id INTEGER NOT NULL REFERENCES runs(run_id),
  key TEXT NOT NULL, value TEXT NOT NULL,
  PRIMARY KEY (run_id, key)
);
)sql";

struct StmtDeleter {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Stmt = std::unique_ptr<sqlite3_stmt, StmtDeleter>;

/// Binds positional values and steps a prepared INSERT once.
class Insert {
 public:
  Insert(sqlite3* db, sqlite3_stmt* s) : db_(db), s_(s) {}
  Insert& text(const std::string& v) {
    sqlite3_bind_text(s_.get(), ++i_, v.data(), int(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Insert& integer(std::int64_t v) {
    sqlite3_bind_int64(s_.get(), ++i_, v);
    return *this;
  }
  /// NaN (an undefined ratio) is stored as NULL.
  Insert& real(double v) {
    if (std::isnan(v))
      sqlite3_bind_null(s_.get(), ++i_);
    else
      sqlite3_bind_double(s_.get(), ++i_, v);
    return *this;
  }
  void run() {
    if (sqlite3_step(s_.get()) != SQLITE_DONE)
      throw UsageError(std::string("results.sqlite: insert failed: ") + sqlite3_errmsg(db_));
    sqlite3_reset(s_.get());
    sqlite3_clear_bindings(s_.get());
    i_ = 0;
  }

 private:
  sqlite3* db_;
  Stmt s_;
  int i_ = 0;
};
}  // namespace

SqliteWriter::SqliteWriter(fs::path path) : path_(std::move(path)) {
  std::error_code ec;
  if (fs::exists(path_, ec)) throw UsageError("'" + path_.string() + "' already exists");
  if (sqlite3_open_v2(path_.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK)
    fail("cannot create");
  // One writer, one file, thrown away on failure: the rollback journal is all the safety needed.
  exec("PRAGMA journal_mode=DELETE; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;");
  exec("BEGIN");
  exec(kSchema);
}

SqliteWriter::~SqliteWriter() {
  if (!db_) return;
  if (!committed_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(db_);
  if (!committed_) {
    std::error_code ec;
    fs::remove(path_, ec);
    fs::remove(fs::path(path_.string() + "-journal"), ec);
  }
}

void SqliteWriter::fail(const std::string& what) {
  throw UsageError("results.sqlite: " + what + " '" + path_.string() + "': " + (db_ ? sqlite3_errmsg(db_) : "out of memory"));
}

void SqliteWriter::exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    throw UsageError("results.sqlite: " + msg);
  }
}

sqlite3_stmt* SqliteWriter::prepare(const char* sql) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db_, sql, -1, &s, nullptr) != SQLITE_OK) fail("cannot prepare a statement for");
  return s;
}

std::int64_t SqliteWriter::add_run(const RunRecord& rec) {
  const scsim::Scenario& sc = rec.scenario;
  const scsim::Results& r = rec.results;
  std::string overrides;
  for (const auto& o : rec.overrides) overrides += o + "\n";
  Insert(db_, prepare("INSERT INTO runs (label, scenario_name, scenario_path, scenario_text, resolved_yaml, overrides, "
                      "seed, replications, period_start, period_end, version, created_utc, command) "
                      "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"))
      .text(rec.label)
      .text(sc.name)
      .text(rec.path)
      .text(rec.scenario_text)
      .text(sc.resolved_yaml)
      .text(overrides)
      .integer(static_cast<std::int64_t>(sc.seed))
      .integer(static_cast<std::int64_t>(r.replications))
      .text(sim::format_date(sc.start))
      .text(sim::format_date(sc.end))
      .text(version())
      .text(utc_now())
      .text(command_line())
      .run();
  const std::int64_t id = sqlite3_last_insert_rowid(db_);

  const std::size_t S = r.scopes.size();
  Insert summary(db_, prepare("INSERT INTO summary VALUES (?,?,?,?,?,?,?)"));
  for (std::size_t s = 0; s < S; ++s)
    for (std::size_t m = 0; m < scsim::kMetrics; ++m) {
      const auto& e = r.summary[s * scsim::kMetrics + m];
      summary.integer(id).text(r.scopes.names[s]).text(scsim::metric_name(m)).real(e.mean).real(e.ci95_low)
          .real(e.ci95_high).integer(static_cast<std::int64_t>(r.replications)).run();
    }
  Insert monthly(db_, prepare("INSERT INTO monthly VALUES (?,?,?,?,?,?,?)"));
  for (std::size_t mo = 0; mo < r.months.size(); ++mo)
    for (std::size_t s = 0; s < S; ++s)
      for (std::size_t m = 0; m < scsim::kMetrics; ++m) {
        const auto& e = r.monthly[(mo * S + s) * scsim::kMetrics + m];
        monthly.integer(id).text(r.months.labels[mo]).text(r.scopes.names[s]).text(scsim::metric_name(m))
            .real(e.mean).real(e.ci95_low).real(e.ci95_high).run();
      }
  Insert costs(db_, prepare("INSERT INTO costs VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
  for (const scsim::Period& p : scsim::overlapping_periods(sc)) {
    const auto range = scsim::month_range(r.months, p);
    const bool complete = scsim::covers(sc, p);
    for (std::size_t s = 0; s < S; ++s)
      for (const auto& line : scsim::budget_statement(sc, rec.reps, s, p))
        costs.integer(id).text(r.scopes.names[s]).text(p.label())
            .text(p.kind == scsim::Period::Kind::fiscal ? "fiscal" : "calendar").text(p.first_month())
            .text(p.last_month()).integer(static_cast<std::int64_t>(range.second - range.first))
            .integer(complete ? 1 : 0).text(line.key).text(line.label).text(line.unit).real(line.value.mean)
            .real(line.value.ci95_low).real(line.value.ci95_high).run();
  }
  return id;
}

void SqliteWriter::add_comparisons(std::int64_t base_run, std::int64_t alt_run,
                                   const std::vector<scsim::ComparisonRow>& rows) {
  Insert ins(db_, prepare("INSERT INTO comparisons VALUES (?,?,?,?,?,?,?,?,?,?)"));
  for (const auto& row : rows)
    ins.integer(base_run).integer(alt_run).text(row.scope).text(row.metric).real(row.base_mean).real(row.alt_mean)
        .real(row.diff.mean).real(row.diff.ci95_low).real(row.diff.ci95_high).real(row.rel_change).run();
}

void SqliteWriter::add_sweep_point(std::int64_t run, const std::string& key, const std::string& value) {
  Insert(db_, prepare("INSERT INTO sweep_points VALUES (?,?,?)")).integer(run).text(key).text(value).run();
}

void SqliteWriter::commit() {
  exec("COMMIT");
  committed_ = true;
  if (sqlite3_close(db_) != SQLITE_OK) fail("cannot close");
  db_ = nullptr;
}

}  // namespace scsim_app
