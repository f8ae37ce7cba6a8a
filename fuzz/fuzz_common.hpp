#pragma once
// Shared by the libFuzzer harnesses (fuzz/README.md). A harness feeds its
// input to one reader; a ScenarioError is the expected outcome of bad input
// and must obey what every such error promises (one printable line of bounded
// length with a file and a line); any other exception escapes and libFuzzer
// reports it, like a crash, a hang or memory beyond the limits.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "models/scenario/error.hpp"

namespace scsim_fuzz {

inline std::string_view text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

/// Aborts (a finding) unless `e` keeps the promises of models/error.hpp.
inline void check(const scsim::ScenarioError& e) {
  const std::string what = e.what();
  bool ok = !e.file.empty() && e.line >= 0 && e.column >= 0 && what.size() < 4096 && !e.message.empty();
  for (char c : what) ok = ok && (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f);
  if (!ok) std::abort();
}

/// Aborts unless `condition` holds: an invariant of a value the reader accepted.
inline void require(bool condition) {
  if (!condition) std::abort();
}

}  // namespace scsim_fuzz
