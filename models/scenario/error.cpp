#include "models/scenario/error.hpp"

namespace scsim {

namespace {
std::string location_prefix(const std::string& file, int line, int column, const std::string& key_path) {
  std::string s = file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": ";
  if (!key_path.empty()) s += key_path + ": ";
  return s;
}
}  // namespace

ScenarioError::ScenarioError(std::string file_, int line_, int column_, std::string key_path_, std::string message_)
    : std::runtime_error(location_prefix(file_, line_, column_, key_path_) + message_),
      file(std::move(file_)),
      line(line_),
      column(column_),
      key_path(std::move(key_path_)),
      message(std::move(message_)) {}

}  // namespace scsim
