#pragma once
/// The error every bad input ends in: a scenario, targets or data file, an
/// override. Part of the yaml-free scenario core, so the pipeline, the
/// population build and the browser build can report input errors without
/// yaml-cpp.
#include <stdexcept>
#include <string>

namespace scsim {

/// An input that cannot be used. what() is "FILE:LINE:COL: KEY_PATH: message"
/// (the key path part is left out when empty).
struct ScenarioError : std::runtime_error {
  ScenarioError(std::string file, int line, int column, std::string key_path, std::string message);
  std::string file;
  int line = 0, column = 0;  // 1-based
  std::string key_path;      // e.g. "jurisdictions[2].population.group_mix"
  std::string message;       // without the location prefix
};

}  // namespace scsim
