// Input from strangers: every reader works under the limits of
// models/limits.hpp and fails with a ScenarioError naming file, line and key
// (or <override> and its position), whatever the input holds. The broken
// fixtures (tests/fixtures/broken, targets/broken, broken_csv) pin the errors
// of small hostile files; here are the ones too large to check in, the
// override and error-kind rules, and the number parser.
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>

#include "models/scenario/limits.hpp"
#include "models/scenario/parse.hpp"
#include "models/scenario/loader.hpp"
#include "analysis/targets.hpp"

using namespace scsim;
namespace fs = std::filesystem;

namespace {

const fs::path kTests = fs::path(SCSIM_TEST_DIR);

const std::string kHead = R"(period: {start: 2010-01-01, end: 2010-12-31}
jurisdictions:
  - {id: a_county, state: CA, bookings_per_day: 100}
)";

struct TempDir {
  fs::path path;
  explicit TempDir(const std::string& name)
      : path(fs::temp_directory_path() / ("scsim_hostile_" + name + "_" + std::to_string(::getpid()))) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  fs::path write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name, std::ios::binary) << text;
    return path / name;
  }
};

ScenarioError error_of(const std::function<void()>& load) {
  try {
    load();
  } catch (const ScenarioError& e) {
    return e;
  }
  FAIL("no ScenarioError");
  throw;  // unreachable
}

ScenarioError text_error(const std::string& yaml, const std::vector<std::string>& overrides = {}) {
  return error_of([&] { load_scenario_text(yaml, ".", overrides); });
}

/// yaml-cpp's node tree against ours: same shape, scalars and positions.
void same_tree(const YAML::Node& y, const schema::Node& n, const std::string& path) {
  INFO(path);
  REQUIRE(n.where.line == y.Mark().line + 1);
  REQUIRE(n.where.column == y.Mark().column + 1);
  switch (y.Type()) {
    case YAML::NodeType::Null: REQUIRE(n.kind == schema::Node::Kind::null); break;
    case YAML::NodeType::Scalar:
      REQUIRE(n.is_scalar());
      REQUIRE(n.scalar == y.Scalar());
      break;
    case YAML::NodeType::Sequence: {
      REQUIRE(n.is_sequence());
      REQUIRE(n.items.size() == y.size());
      std::size_t i = 0;
      for (const auto& item : y) {
        same_tree(item, n.items[i], path + "[" + std::to_string(i) + "]");
        ++i;
      }
      break;
    }
    case YAML::NodeType::Map: {
      REQUIRE(n.is_map());
      REQUIRE(n.entries.size() == y.size());
      std::size_t i = 0;
      for (const auto& kv : y) {
        const schema::Entry& e = n.entries[i++];
        REQUIRE(e.key == kv.first.Scalar());
        REQUIRE(e.key_where.line == kv.first.Mark().line + 1);
        REQUIRE(e.key_where.column == kv.first.Mark().column + 1);
        same_tree(kv.second, e.value, path + "." + e.key);
      }
      break;
    }
    case YAML::NodeType::Undefined: FAIL("undefined node at " << path);
  }
}

}  // namespace

TEST_CASE("the tree built from parser events is yaml-cpp's tree, positions included", "[scenario][hostile]") {
  // schema::parse no longer goes through YAML::Load (models/yaml_input.cpp);
  // every shipped scenario and fixture must come out exactly as before.
  std::vector<fs::path> files;
  for (const fs::path& dir : {kTests / ".." / "scenarios", kTests / "fixtures"})
    for (const auto& e : fs::recursive_directory_iterator(dir))
      if (e.path().extension() == ".yaml") files.push_back(e.path());
  REQUIRE(files.size() > 40);
  int compared = 0;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    YAML::Node y;
    try {
      y = YAML::Load(text);
    } catch (const YAML::Exception&) {
      continue;  // the syntax-error fixtures
    }
    schema::Node n;
    try {
      n = schema::parse(text, std::make_shared<schema::SourceFile>(schema::SourceFile{f.string(), f.parent_path()}));
    } catch (const ScenarioError& e) {
      // Only what the limits refuse may differ: anchors, nesting, sizes, bytes that are not text.
      INFO(e.what());
      CHECK(e.kind == ScenarioError::Kind::input);
      continue;
    }
    if (y.Mark().is_null()) {  // no document at all (an empty or comment-only file)
      CHECK(n.kind == schema::Node::Kind::null);
      continue;
    }
    same_tree(y, n, f.filename().string());
    ++compared;
  }
  CHECK(compared > 35);
}

TEST_CASE("oversized scenario input stops at a limit with file and line", "[scenario][hostile]") {
  TempDir dir("limits");
  SECTION("a file larger than the limit") {
    const auto f = dir.write("big.yaml", kHead + "description: |\n" + std::string(limits::kScenarioBytes, ' ') + "\n");
    const ScenarioError e = error_of([&] { load_scenario(f); });
    CHECK(e.file == f.string());
    CHECK_THAT(e.message, Catch::Contains("larger than 512 KiB"));
  }
  SECTION("more YAML values than the limit, counted across the extends chain") {
    // 60,000 values in each of two files: each alone is under the limit.
    std::string list = "[";
    for (int i = 0; i < 60000; ++i) list += i ? ",0" : "0";
    list += "]";
    dir.write("base.yaml", "abstract: true\nname: " + list + "\n");
    const auto child = dir.write("child.yaml", "extends: base.yaml\ndescription: " + list + "\n" + kHead);
    // The child is read first; its base crosses the limit.
    const ScenarioError e = error_of([&] { load_scenario(child); });
    CHECK(e.file == (dir.path / "base.yaml").lexically_normal().string());
    CHECK(e.line == 2);
    CHECK_THAT(e.message, Catch::Contains("more than 100000 YAML values"));
  }
  SECTION("a value longer than the limit") {
    const ScenarioError e = text_error(kHead + "description: " + std::string(limits::kScalarBytes + 1, 'x') + "\n");
    CHECK(e.line == 4);
    CHECK(e.key_path == "description");
    CHECK_THAT(e.message, Catch::Contains("a value of 65537 bytes; the limit is 65536"));
    CHECK(std::string(e.what()).size() < 1200);  // the value is not echoed back whole
  }
  SECTION("an extends chain longer than the limit") {
    dir.write("f0.yaml", kHead);
    for (std::size_t i = 1; i <= limits::kExtendsChain + 1; ++i)
      dir.write("f" + std::to_string(i) + ".yaml", "extends: f" + std::to_string(i - 1) + ".yaml\n");
    const auto top = dir.path / ("f" + std::to_string(limits::kExtendsChain + 1) + ".yaml");
    const ScenarioError e = error_of([&] { load_scenario(top); });
    CHECK(e.key_path == "extends");
    CHECK_THAT(e.message, Catch::Contains("more than 16 files in one extends chain"));
    CHECK_NOTHROW(load_scenario(dir.path / ("f" + std::to_string(limits::kExtendsChain - 1) + ".yaml")));
  }
  SECTION("something that is not a regular file") {
    const ScenarioError e = error_of([&] { load_scenario(dir.path); });
    CHECK(e.kind == ScenarioError::Kind::io);
    CHECK_THAT(e.message, Catch::Contains("not a regular file"));
    const fs::path fifo = dir.path / "fifo.yaml";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);  // opening it would block until a writer came
    CHECK_THAT(error_of([&] { load_scenario(fifo); }).message, Catch::Contains("not a regular file"));
    CHECK_THAT(error_of([&] { read_targets("/dev/zero"); }).message, Catch::Contains("not a regular file"));
  }
}

TEST_CASE("hostile overrides are refused at <override> and their position", "[scenario][hostile]") {
  auto check = [](const ScenarioError& e, int line, const std::string& key, const std::string& message) {
    INFO(e.what());
    CHECK(e.file == "<override>");
    CHECK(e.line == line);
    CHECK(e.key_path == key);
    CHECK_THAT(e.message, Catch::Contains(message));
  };
  check(text_error(kHead, {"seed=1", "volume_scale=nan"}), 2, "volume_scale", "not a finite number");
  check(text_error(kHead, {"volume_scale=1e999"}), 1, "volume_scale", "out of range");
  check(text_error(kHead, {"seed=&a 5"}), 1, "seed", "an anchor (&name) is not supported");
  check(text_error(kHead, {"description=" + std::string(40, '[') + std::string(40, ']')}), 1, "description",
        "nested more than 32 deep");
  check(text_error(kHead, {"description=a\x1b[2Jb"}), 1, "description", "control character 0x1b");
  check(text_error(kHead, {"pipeline.ice_detention={dist: fixed, value: 1e999h}"}), 1, "pipeline.ice_detention.value",
        "not a finite number of h");
  const ScenarioError big = text_error(kHead, {"description=" + std::string(limits::kOverrideBytes, 'x')});
  check(big, 1, "", "the limit is 65536");
  const ScenarioError many = text_error(kHead, std::vector<std::string>(limits::kOverrides + 1, "seed=1"));
  check(many, static_cast<int>(limits::kOverrides) + 1, "", "more than 1000 overrides");
}

TEST_CASE("an override that breaks a base file's row is reported at the override", "[scenario][hostile]") {
  // tests/fixtures/valid/child.yaml extends base.yaml, whose rows these overrides change.
  const fs::path child = kTests / "fixtures" / "valid" / "child.yaml";
  auto error = [&](const std::string& o) { return error_of([&] { load_scenario(child, {"seed=1", o}); }); };
  struct Case {
    std::string override, key, message;
  };
  for (const Case& c : std::vector<Case>{
           {"jurisdictions[alpha_ca].bookings_per_day=~", "jurisdictions[0].bookings_per_day", "required: bookings_per_day"},
           {"defaults.population.group_mix.us_born=0.9", "defaults.population.group_mix", "shares must sum to 1"},
           {"period.start=2013-01-01", "period.end", "is before its start"},
           {"jurisdictions[beta_tx].bookings_per_day=3", "jurisdictions[1].bookings_per_day", "not both"},
           {"jurisdictions[alpha_ca].activation=2010-01-01", "jurisdictions[0].coverage", "not both"},
       }) {
    const ScenarioError e = error(c.override);
    INFO(c.override << " -> " << e.what());
    CHECK(e.file == "<override>");
    CHECK(e.line == 2);
    CHECK(e.key_path == c.key);
    CHECK_THAT(e.message, Catch::Contains(c.message));
  }
}

TEST_CASE("errors say whether a value, the input's shape or a file is at fault", "[scenario][hostile]") {
  // Calibration turns only value errors into residuals (models/calibration.cpp).
  using Kind = ScenarioError::Kind;
  CHECK(text_error(kHead, {"pipeline.pickup_probability=1.5"}).kind == Kind::value);
  CHECK(text_error(kHead, {"defaults.population.group_mix.us_born=0.9"}).kind == Kind::value);
  CHECK(text_error(kHead, {"volume_scale=-1"}).kind == Kind::value);
  CHECK(text_error(kHead + "pipelin: {}\n").kind == Kind::input);
  CHECK(text_error(kHead + "pipeline: [1]\n").kind == Kind::input);
  CHECK(text_error("period: {start: 2010-01-01}\n").kind == Kind::input);
  CHECK(text_error(kHead + "x: [\n").kind == Kind::input);
  CHECK(text_error(kHead + "extends: no_such_file.yaml\n").kind == Kind::io);
  CHECK(error_of([] { load_scenario("no/such/scenario.yaml"); }).kind == Kind::io);
}

TEST_CASE("an error message is one line of bounded length whatever the input held", "[scenario][hostile]") {
  // A control character written as a YAML escape is refused in the value (names end up on terminals).
  const ScenarioError esc = text_error(kHead + "name: \"a\\u001b[2Jb\"\n");
  CHECK(esc.line == 4);
  CHECK(esc.key_path == "name");
  CHECK_THAT(esc.message, Catch::Contains("a value with control character 0x1b"));
  CHECK_THAT(text_error(kHead + "name: \"a\\u0085b\"\n").message, Catch::Contains("control character U+0085"));
  // A line break is allowed in a value, and shown escaped when the value is quoted in a message.
  const ScenarioError quoted = text_error(kHead + "seed: \"1\\n2\\t" + std::string(5000, 'y') + "\"\n");
  const std::string what = quoted.what();
  CHECK(what.find('\n') == std::string::npos);
  CHECK_THAT(what, Catch::Contains("seed: expected an integer, got '1\\n2\\tyyy"));
  CHECK(what.size() < 1200);
  CHECK(printable("tab\there \xc2\x9b x \xff") == "tab\\there \\xc2\\x9b x \\xff");
}

TEST_CASE("numbers are read by one locale-independent parser", "[scenario][hostile]") {
  using parse::NumberStatus;
  CHECK(parse::to_double("0.025").value == 0.025);
  CHECK(parse::to_double("+1e-3").value == 1e-3);
  CHECK(parse::to_double("-0").value == 0);
  CHECK(parse::to_double(".5").value == 0.5);
  for (const char* bad : {"", " 1", "1 ", "1,5", "0x10", "1e", "1_000", "--1", "+"})
    CHECK(parse::to_double(bad).status == NumberStatus::syntax);
  for (const char* huge : {"1e999", "-1e999", "1e-400"}) CHECK(parse::to_double(huge).status == NumberStatus::out_of_range);
  for (const char* nf : {"nan", "NaN", "inf", "-inf", "infinity", ".nan", ".NaN", ".inf", "-.Inf", "+.INF"})
    CHECK(parse::to_double(nf).status == NumberStatus::not_finite);
  CHECK(parse::to_integer("9223372036854775807").value == 9223372036854775807LL);
  CHECK(parse::to_integer("9223372036854775808").status == NumberStatus::out_of_range);
  CHECK(parse::to_integer("+42").value == 42);
  CHECK(parse::to_integer("4.0").status == NumberStatus::syntax);
  // Exactly what std::from_chars gives (the shipped scenarios' values must not move).
  std::mt19937_64 rng(7);
  for (int i = 0; i < 2000; ++i) {
    const double x = std::ldexp(static_cast<double>(rng() >> 11), static_cast<int>(rng() % 200) - 150);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", x);
    double want = 0;
    std::from_chars(buf, buf + std::strlen(buf), want);
    REQUIRE(parse::to_double(buf).value == want);
  }
}
