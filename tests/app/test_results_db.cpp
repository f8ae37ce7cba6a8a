// The run record writers (app/sqlite_writer.*, app/report.*): results.sqlite
// is complete after commit and absent after a failure; report.html carries the
// library and the data, and no scenario text can break out of its <script>.
#include <sqlite3.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "app/run_record.hpp"
#include "app/output.hpp"
#include "app/report.hpp"
#include "app/sqlite_writer.hpp"
#include "analysis/runner.hpp"
#include "models/scenario/loader.hpp"

using namespace scsim;
using namespace scsim_app;
namespace fs = std::filesystem;

namespace {

const std::string kFixture = std::string(SCSIM_TEST_DIR) + "/fixtures/valid/costs_county.yaml";

RunRecord small_run(std::vector<std::string> overrides = {}) {
  RunRecord rec = load_run(kFixture, overrides, "fixture");
  rec.scenario.replications = 2;
  rec.reps = run_scenario(rec.scenario, 2, 2);
  rec.results = summarize(rec.scenario, rec.reps);
  return rec;
}

fs::path temp_path(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("scsim-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  fs::path p = dir / name;
  fs::remove(p);
  return p;
}

long long count(const fs::path& db, const std::string& sql) {
  sqlite3* h = nullptr;
  REQUIRE(sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  REQUIRE(sqlite3_prepare_v2(h, sql.c_str(), -1, &s, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(s) == SQLITE_ROW);
  const long long n = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  sqlite3_close(h);
  return n;
}

}  // namespace

TEST_CASE("results.sqlite holds the run, its summary, months, costs and comparisons once committed", "[outputs]") {
  const RunRecord rec = small_run();
  const fs::path db = temp_path("committed.sqlite");
  {
    SqliteWriter w(db);
    const auto id = w.add_run(rec);
    w.add_comparisons(id, id, compare_runs(rec.scenario, rec.reps, rec.scenario, rec.reps, "same"));
    w.add_sweep_point(id, "pipeline.lesc_analysts", "40");
    w.commit();
  }
  const long long S = static_cast<long long>(rec.results.scopes.size()), M = static_cast<long long>(rec.results.months.size());
  const long long K = static_cast<long long>(kMetrics);
  CHECK(count(db, "select count(*) from runs where label='fixture' and seed=11 and replications=2") == 1);
  CHECK(count(db, "select count(*) from runs where scenario_text like '%Three small counties%'") == 1);
  CHECK(count(db, "select count(*) from runs where resolved_yaml like '%gamma_tx%'") == 1);
  CHECK(count(db, "select count(*) from summary") == S * K);
  CHECK(count(db, "select count(*) from monthly") == M * S * K);
  CHECK(count(db, "select count(*) from summary where metric='net_detainer_cost_usd' and mean > 0") == S);
  // 2010, 2011, 2012, FY2011, FY2012 for every scope; only 2011 and FY2011 whole.
  CHECK(count(db, "select count(distinct period) from costs") == 5);
  CHECK(count(db, "select count(distinct period) from costs where complete=1") == 2);
  CHECK(count(db, "select count(*) from comparisons") == S * K);
  CHECK(count(db, "select count(*) from comparisons where diff_mean != 0") == 0);
  CHECK(count(db, "select count(*) from sweep_points") == 1);
  fs::remove_all(db.parent_path());
}

TEST_CASE("a results.sqlite that is not committed leaves nothing behind", "[outputs]") {
  const RunRecord rec = small_run();
  const fs::path db = temp_path("abandoned.sqlite");
  try {
    SqliteWriter w(db);
    w.add_run(rec);
    CHECK(fs::exists(db));
    throw std::runtime_error("the command failed after writing");
  } catch (const std::runtime_error&) {
  }
  CHECK_FALSE(fs::exists(db));
  CHECK_FALSE(fs::exists(db.string() + "-journal"));
  // And an existing file is never overwritten.
  { std::ofstream(db) << "mine"; }
  CHECK_THROWS_AS(SqliteWriter(db), UsageError);
  CHECK(fs::file_size(db) == 4);
  fs::remove_all(db.parent_path());
}

TEST_CASE("report.html inlines the charting library and escapes scenario text", "[outputs]") {
  const RunRecord rec =
      small_run({"description=A </script><script>alert('x')</script> & <b>bold</b> description"});
  const std::string page = render_report(rec);
  CHECK(page.size() > 3'000'000);  // plotly.js is in it
  CHECK(page.find("window.Plotly") != std::string::npos);
  CHECK(page.find(std::string("plotly.js v") + plotly_version()) != std::string::npos);
  CHECK(page.find("@SCSIM_DATA@") == std::string::npos);
  CHECK(page.find("/*@SCSIM_PLOTLY@*/") == std::string::npos);
  CHECK(page.find("<script>alert") == std::string::npos);
  CHECK(page.find("A \\u003c/script\\u003e\\u003cscript\\u003ealert") != std::string::npos);
  // Every scope and month the run has is in the data.
  for (const auto& s : rec.results.scopes.names) CHECK(page.find("\"" + s + "\":{\"bookings\"") != std::string::npos);
  CHECK(page.find("\"months\":[\"2010-07\",") != std::string::npos);
}
