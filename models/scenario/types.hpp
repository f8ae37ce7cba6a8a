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

/// What a conviction on a charge counts as (DOMAIN.md §2 and §9): an
/// aggravated felony (INA 101(a)(43)), another felony, a misdemeanour, or
/// nothing criminal (an infraction: some traffic charges).
enum class Offense : std::uint8_t { aggravated, felony, misdemeanor, none };
inline constexpr std::size_t kOffenses = 4;
inline constexpr std::array<std::string_view, kOffenses> kOffenseNames{"aggravated", "felony", "misdemeanor", "none"};

/// A criminal record as counts of convictions, capped where the levels stop
/// counting: one aggravated felony, two felonies, three misdemeanours ("or
/// more" at the cap).
struct Record {
  std::uint8_t aggravated = 0, felonies = 0, misdemeanors = 0;
  static constexpr std::uint8_t kMaxAggravated = 1, kMaxFelonies = 2, kMaxMisdemeanors = 3;
  static constexpr std::size_t kStates = (kMaxAggravated + 1) * (kMaxFelonies + 1) * (kMaxMisdemeanors + 1);
  constexpr std::size_t index() const {
    return (std::size_t(aggravated) * (kMaxFelonies + 1) + felonies) * (kMaxMisdemeanors + 1) + misdemeanors;
  }
  static constexpr Record from_index(std::size_t i) {
    Record r;
    r.misdemeanors = std::uint8_t(i % (kMaxMisdemeanors + 1));
    i /= (kMaxMisdemeanors + 1);
    r.felonies = std::uint8_t(i % (kMaxFelonies + 1));
    r.aggravated = std::uint8_t(i / (kMaxFelonies + 1));
    return r;
  }
  /// The record after one more conviction of class o.
  constexpr Record with(Offense o) const {
    Record r = *this;
    if (o == Offense::aggravated) r.aggravated = kMaxAggravated;
    if (o == Offense::felony && r.felonies < kMaxFelonies) ++r.felonies;
    if (o == Offense::misdemeanor && r.misdemeanors < kMaxMisdemeanors) ++r.misdemeanors;
    return r;
  }
  friend constexpr bool operator==(const Record&, const Record&) = default;
};

/// SC's level of a record (DOMAIN.md §2): Level 1 an aggravated felony or two
/// or more felonies; Level 2 one felony or three or more misdemeanours; Level 3
/// misdemeanours; no conviction: non-criminal.
constexpr Level level_of(const Record& r) {
  if (r.aggravated > 0 || r.felonies >= 2) return Level::level1;
  if (r.felonies == 1 || r.misdemeanors >= 3) return Level::level2;
  if (r.misdemeanors > 0) return Level::level3;
  return Level::noncriminal;
}

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
