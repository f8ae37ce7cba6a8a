// How scsim writes numbers, durations, CSV fields and JSON (app/format.*,
// app/json.*, app/output.*): one function per look, and JSON that any strict
// parser reads whatever the scenario's names hold or the numbers are.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <sstream>

#include "analysis/runner.hpp"
#include "app/format.hpp"
#include "app/json.hpp"
#include "app/output.hpp"
#include "app/run_record.hpp"

using namespace scsim_app;

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
}  // namespace

TEST_CASE("numbers for programs read back exactly; zero has no sign", "[formats]") {
  CHECK(num(0.1) == "0.1");
  CHECK(num(87243) == "87243");
  CHECK(num(-0.0) == "0");
  CHECK(std::stod(num(1.0 / 3)) == 1.0 / 3);
  CHECK(csv_num(kNaN).empty());
  CHECK(csv_num(2.5) == "2.5");
}

TEST_CASE("a CSV field is quoted only when it must be", "[formats]") {
  CHECK(csv_field("alpha_ca") == "alpha_ca");
  CHECK(csv_field("a,b") == "\"a,b\"");
  CHECK(csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(csv_field("two\nlines") == "\"two\nlines\"");
}

TEST_CASE("numbers for people: thousands, money, significant digits, shares", "[formats]") {
  CHECK(grouped_number(1234567.891, 2) == "1,234,567.89");
  CHECK(grouped_number(999) == "999");
  CHECK(grouped_number(-1234) == "-1,234");
  CHECK(grouped_number(-0.4) == "0");  // never "-0"
  CHECK(grouped_number(-0.04, 1) == "0.0");
  CHECK(grouped_number(kNaN) == "—");
  CHECK(dollars(-1234.4) == "-$1,234");
  CHECK(dollars(-0.3) == "$0");
  CHECK(dollars_cents(80.254) == "$80.25");
  CHECK(dollars_cents(kNaN) == "—");
  CHECK(significant(0.031549, 3) == "0.0315");
  CHECK(significant(1234567) == "1.23457e+06");
  CHECK(significant(kNaN) == "-");
  CHECK(significant(kInf) == "inf");
  CHECK(significant(-kInf) == "-inf");
  CHECK(signed_percent(0.0123) == "+1.23%");
  CHECK(signed_percent(-0.5) == "-50.00%");
  CHECK(signed_percent(kInf) == "-");
  CHECK(percent(0.456) == "46%");
}

TEST_CASE("durations read as people say them", "[formats]") {
  CHECK(duration_text(45 * sim::kMinute + 59) == "45 min");
  CHECK(duration_text(7 * sim::kHour + 30 * sim::kMinute) == "7.5 hours");
  CHECK(duration_text(2 * sim::kDay - sim::kHour) == "47.0 hours");
  CHECK(duration_text(3 * sim::kDay + 5 * sim::kHour) == "3.2 days");
}

TEST_CASE("JSON text: escapes, null for what is not a number, key order kept", "[formats]") {
  const Json j = {{"name", "tab\there \"q\" back\\slash"}, {"a", kNaN}, {"b", kInf}, {"c", 1.5}, {"0", 2}};
  const std::string text = json_text(j);
  CHECK(text == R"({"name":"tab\there \"q\" back\\slash","a":null,"b":null,"c":1.5,"0":2})");
  // Invalid UTF-8 does not fail the command: it becomes U+FFFD.
  CHECK(json_text(Json("bad \xff byte")) == "\"bad \xEF\xBF\xBD byte\"");
}

TEST_CASE("JSON inside an HTML script: no <, > or & at all, same value", "[formats]") {
  const Json j = {{"d", "</script><b>&amp;"}};
  const std::string text = json_for_html_script(j);
  CHECK(text.find_first_of("<>&") == std::string::npos);
  CHECK(text == R"({"d":"\u003c/script\u003e\u003cb\u003e\u0026amp;"})");
  CHECK(nlohmann::json::parse(text)["d"] == "</script><b>&amp;");
}

TEST_CASE("numbers of a page keep 8 significant digits; whole ones print as integers", "[formats]") {
  CHECK(json_text(rounded(3424.057421)) == "3424.0574");
  CHECK(json_text(rounded(16113353.73)) == "16113354");
  CHECK(json_text(rounded(4637.5)) == "4637.5");
  CHECK(json_text(rounded(-0.0)) == "0");
  CHECK(json_text(rounded(1.234567891e-7)) == "1.2345679e-07");
  CHECK(rounded(kNaN).is_null());
}

TEST_CASE("run --format json is strict JSON whatever the names and numbers hold", "[formats]") {
  RunRecord rec = load_run(std::string(SCSIM_TEST_DIR) + "/fixtures/valid/costs_county.yaml",
                           {"name=Q\"uote \\ back\ttab </script>"}, "fixture");
  rec.reps = scsim::run_scenario(rec.scenario, 2, 1);
  rec.results = scsim::summarize(rec.scenario, rec.reps);
  rec.results.summary[0].ci95_low = kNaN;  // an interval that does not exist
  rec.results.summary[1].mean = kInf;
  std::ostringstream os;
  write_summary_json(os, rec.scenario, rec.results);
  // nlohmann's parser is strict: no nan, no raw control characters.
  const nlohmann::ordered_json doc = nlohmann::ordered_json::parse(os.str());
  CHECK(doc["scenario"] == "Q\"uote \\ back\ttab </script>");
  CHECK(doc["seed"] == rec.scenario.seed);
  CHECK(doc["replications"] == 2);
  const auto& national = doc["scopes"]["national"];
  CHECK(national["bookings"]["ci95_low"].is_null());
  CHECK(national["bookings"]["mean"] == rec.results.summary[0].mean);
  CHECK(national["fingerprints_submitted"]["mean"].is_null());
  CHECK(doc["scopes"].size() == rec.results.scopes.size());
  CHECK(doc["scopes"].begin().key() == "national");  // the order of the results
  CHECK(national.size() == scsim::kMetrics);
}
