#pragma once
/// Bounds on what scsim reads from files and the command line. Scenario files
/// travel (a class, a colleague, one day a web form), so every reader works
/// under these limits and stops with a ScenarioError naming file and line when
/// one is exceeded, before the input can cost much time or memory.
///
/// Each bound sits one to two orders of magnitude above what the shipped
/// scenarios and data use (measured when they were set: the largest scenario
/// file is 17 KB with 463 YAML nodes, nesting 7 deep; the state jail CSV is
/// 34 KB, 613 lines of at most 90 bytes), and low enough that an input at
/// every bound at once loads in well under a second and 200 MiB.
#include <cstddef>

namespace scsim::limits {

// ---- scenario files (YAML) ----

/// Bytes of one scenario file (or inline text, or override value). Also what
/// bounds yaml-cpp's scanner: it holds every token of a flow collection nested
/// in another (`[[a, a, ...]]`, `[[[[...`) until the collection closes, at up
/// to 250 bytes of memory per byte of input, before any event reaches the
/// loader; 512 KiB keeps that under 130 MiB and 0.3 s. A county-level national
/// scenario (3,200 counties, one flow-style line each) fits.
inline constexpr std::size_t kScenarioBytes = std::size_t{512} << 10;
/// YAML nodes (scalars, lists, maps and map keys) of one load: every file of
/// the extends chain and every override together. Bounds memory, and the
/// validation work that grows with the number of jurisdictions and policies.
inline constexpr std::size_t kScenarioNodes = 100'000;
/// Nesting of lists and maps. The scenario format needs 7; yaml-cpp's parser
/// and the loader's tree walks recurse once per level.
inline constexpr int kNestingDepth = 32;
/// Bytes of one scalar (a description may be a few paragraphs).
inline constexpr std::size_t kScalarBytes = 64 * 1024;
/// Bytes of one map key (declared keys are at most 40).
inline constexpr std::size_t kKeyBytes = 256;
/// Files in one `extends` chain (the shipped ones use 3).
inline constexpr std::size_t kExtendsChain = 16;
/// Bytes of one --set override and how many one command takes.
inline constexpr std::size_t kOverrideBytes = 64 * 1024;
inline constexpr std::size_t kOverrides = 1000;

// ---- CSV files ----

/// Bytes of a targets CSV (the shipped one: 13 rows).
inline constexpr std::size_t kTargetsBytes = std::size_t{1} << 20;
/// Bytes of a state jail data CSV (the shipped one: 34 KB).
inline constexpr std::size_t kDataBytes = std::size_t{16} << 20;
/// Bytes of any other CSV scsim reads back (a run's flows.csv).
inline constexpr std::size_t kSmallCsvBytes = std::size_t{1} << 20;
/// Bytes of one CSV line and fields of one CSV record.
inline constexpr std::size_t kCsvLineBytes = 8 * 1024;
inline constexpr std::size_t kCsvFields = 64;

}  // namespace scsim::limits
