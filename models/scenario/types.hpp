#pragma once
/// Vocabulary of the pipeline: population groups, criminal levels, booking
/// charge classes. Names here are the scenario keys and the metric suffixes.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace scsim {

/// Who is booked (DOMAIN.md §4). Whether a person can match in IDENT is a
/// per-group probability, not a property of the name.
enum class Group : std::uint8_t { us_born, naturalized, lpr, other_lawful, removable_known, removable_unknown };
inline constexpr std::size_t kGroups = 6;
inline constexpr std::array<std::string_view, kGroups> kGroupNames{
    "us_born", "naturalized", "lpr", "other_lawful", "removable_known", "removable_unknown"};
inline constexpr bool is_citizen(Group g) { return g == Group::us_born || g == Group::naturalized; }

/// SC criminal levels (DOMAIN.md §2), assigned from history and charge at booking.
enum class Level : std::uint8_t { level1, level2, level3, noncriminal };
inline constexpr std::size_t kLevels = 4;
inline constexpr std::array<std::string_view, kLevels> kLevelNames{"level1", "level2", "level3", "noncriminal"};

/// Booking charge classes; arrest biases act on one class (e.g. traffic).
enum class Charge : std::uint8_t { violent_felony, other_felony, misdemeanor, traffic };
inline constexpr std::size_t kCharges = 4;
inline constexpr std::array<std::string_view, kCharges> kChargeNames{"violent_felony", "other_felony", "misdemeanor",
                                                                     "traffic"};

/// How a booking leaves criminal custody.
enum class JailPath : std::uint8_t { pretrial_release, dismissed, convicted };
inline constexpr std::size_t kJailPaths = 3;
inline constexpr std::array<std::string_view, kJailPaths> kJailPathNames{"pretrial_release", "dismissed", "convicted"};

template <class T>
using PerGroup = std::array<T, kGroups>;
template <class T>
using PerLevel = std::array<T, kLevels>;
template <class T>
using PerCharge = std::array<T, kCharges>;

/// Index of `name` in `names`, if present.
template <std::size_t N>
constexpr std::optional<std::size_t> index_of(const std::array<std::string_view, N>& names, std::string_view name) {
  for (std::size_t i = 0; i < N; ++i)
    if (names[i] == name) return i;
  return std::nullopt;
}

}  // namespace scsim
