#pragma once
/// Stages, end states and metrics of the pipeline. Names are stable
/// snake_case: they appear in summary.csv, monthly.csv, the graph and traces.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "models/scenario/types.hpp"

namespace scsim {

/// Where a booking is in the pipeline (transient states of its journey).
enum class Stage : std::uint8_t {
  booking,               // arrested, booked, printed
  iafis,                 // prints at the SIB and FBI IAFIS
  awaiting_conviction,   // post-conviction-only sharing: prints held until a conviction
  ident,                 // prints checked against DHS IDENT
  lesc,                  // IAQ queued and answered at ICE's LESC
  ice_decision,          // the field office decides: detainer, notification request, nothing
  detainer,              // a detainer (I-247) lodged with the jail
  notification_request,  // a request to be notified of release (PEP's I-247N)
  detainer_hold,         // held past release, up to 48 business hours
  ice_custody,           // in ICE custody, in proceedings
  at_large,              // released after a failed detainer: ICE arrests the person at large later
  jail_screening,        // found by a 287(g) officer or ICE's jail screening (CAP) instead of SC
};
inline constexpr std::size_t kStages = 12;
inline constexpr std::array<std::string_view, kStages> kStageNames{
    "booking",  "iafis",    "awaiting_conviction",  "ident",         "lesc",
    "ice_decision", "detainer", "notification_request", "detainer_hold", "ice_custody", "at_large", "jail_screening"};

/// Every booking ends in exactly one of these (DOMAIN.md §1).
enum class EndState : std::uint8_t {
  released_not_activated,      // no IDENT check: jurisdiction not activated
  released_not_shared,         // no IDENT check: opted out of sharing / state refused
  released_not_convicted,      // no IDENT check: post-conviction-only sharing, never convicted
  released_no_match,           // checked, no IDENT record
  released_no_action,          // matched; ICE took no action (or a notified release was not met)
  released_before_ice_action,  // matched; released before ICE's detainer arrived
  released_detainer_declined,  // the jail declined the detainer
  released_hold_expired,       // held, ICE did not pick up within the hold
  removed,
  voluntary_departure,
  relief_granted,
  terminated_citizen,          // proceedings terminated: a US citizen
  released_on_bond,            // released pending proceedings (bond, recognisance, supervision)
  terminated_not_removable,    // proceedings terminated: a lawful resident without a removable conviction
  in_system_at_horizon,        // still in jail, on hold or in ICE custody when the run ends
};
inline constexpr std::size_t kEndStates = 15;
inline constexpr std::array<std::string_view, kEndStates> kEndStateNames{
    "released_not_activated", "released_not_shared",        "released_not_convicted", "released_no_match",
    "released_no_action",     "released_before_ice_action", "released_detainer_declined",
    "released_hold_expired",  "removed",                    "voluntary_departure",    "relief_granted",
    "terminated_citizen",     "released_on_bond",           "terminated_not_removable",
    "in_system_at_horizon"};

/// Per-replication metrics. Counts are attributed to the month in which they
/// happen; day metrics are split over the months they span and cut at the horizon.
enum class Metric : std::uint16_t {
  bookings,
  fingerprints_submitted,
  ident_matches,
  ident_matches_level1, ident_matches_level2, ident_matches_level3, ident_matches_noncriminal,
  local_notifications,
  detainers_issued,
  detainers_honored,
  detainers_declined,
  notification_requests,
  detainer_hold_days,
  ice_bookings,
  ice_bookings_level1, ice_bookings_level2, ice_bookings_level3, ice_bookings_noncriminal,
  removals,
  removals_level1, removals_level2, removals_level3, removals_noncriminal,
  us_citizens_detained,
  ice_detained,                // ICE book-ins held in detention
  ice_released_pending,        // ICE book-ins released pending proceedings
  removals_reinstated,         // removals on a reinstated prior order
  removals_stipulated,         // removals on a stipulated order
  removals_court,              // removals ordered by an immigration judge
  followed_up_at_large,        // releases ICE follows up (declined, expired, before the detainer), at release
  ice_arrests_at_large,        // ICE book-ins from an at-large arrest
  ice_transfers_from_jail,     // ICE book-ins straight from the jail: picked up from a hold or met at release
                               // (ice_bookings - ice_arrests_at_large; counties' "turned over to ICE")
  // By route to the detainer (Route): Secure Communities, a 287(g) agreement, CAP.
  detainers_issued_sc, detainers_issued_287g, detainers_issued_cap,
  ice_bookings_sc,
  ice_bookings_sc_level1, ice_bookings_sc_level2, ice_bookings_sc_level3, ice_bookings_sc_noncriminal,
  ice_bookings_287g,
  ice_bookings_287g_level1, ice_bookings_287g_level2, ice_bookings_287g_level3, ice_bookings_287g_noncriminal,
  ice_bookings_cap,
  ice_bookings_cap_level1, ice_bookings_cap_level2, ice_bookings_cap_level3, ice_bookings_cap_noncriminal,
  removals_sc,                 // removals of people Secure Communities identified (the seed's figures)
  removals_sc_level1, removals_sc_level2, removals_sc_level3, removals_sc_noncriminal,
  ice_detention_days,
  extra_jail_days_detainer,
  jail_bed_days,               // criminal custody days of everyone booked in the period
  scaap_eligible_days,         // detainer-attributable jail days of SCAAP-eligible people (DOMAIN.md §5)
  lesc_wait_hours,             // total hours IAQs waited for an analyst
  // Costs (models/costs.*), computed after the run from the day counts above.
  extra_jail_bed_days,         // detainer_hold_days + extra_jail_days_detainer: the county's extra beds
  hold_cost_usd,               // detainer_hold_days x the jail's cost per bed-day
  extra_jail_cost_usd,         // extra_jail_days_detainer x the jail's cost per bed-day
  staff_cost_usd,              // detainers_issued x staff_cost_per_detainer
  detainer_cost_usd,           // hold + extra custody + staff: what honouring detainers costs the county
  scaap_offset_usd,            // SCAAP reimbursement of scaap_eligible_days
  net_detainer_cost_usd,       // detainer_cost_usd - scaap_offset_usd
  ice_detention_cost_usd,      // ice_detention_days x ICE's per diem (the federal side)
  end_first,                   // end_<state> follow, kEndStates of them
  kCount = end_first + kEndStates
};
inline constexpr std::size_t kMetrics = static_cast<std::size_t>(Metric::kCount);

inline constexpr Metric end_metric(EndState e) {
  return static_cast<Metric>(static_cast<std::size_t>(Metric::end_first) + static_cast<std::size_t>(e));
}
inline constexpr Metric by_level(Metric first_of_four, Level l) {
  return static_cast<Metric>(static_cast<std::size_t>(first_of_four) + static_cast<std::size_t>(l));
}

/// How ICE came to lodge its detainer (DOMAIN.md §9): an IDENT match under
/// Secure Communities, a 287(g) jail officer, or ICE's Criminal Alien Program.
enum class Route : std::uint8_t { sc, p287g, cap };
inline constexpr std::size_t kRoutes = 3;
inline constexpr std::array<std::string_view, kRoutes> kRouteNames{"sc", "287g", "cap"};
/// detainers_issued_<route>
inline constexpr Metric detainers_by_route(Route r) {
  return static_cast<Metric>(static_cast<std::size_t>(Metric::detainers_issued_sc) + static_cast<std::size_t>(r));
}
/// ice_bookings_<route>, then by_level(ice_bookings_<route>_level1, l)
inline constexpr Metric ice_bookings_by_route(Route r) {
  return static_cast<Metric>(static_cast<std::size_t>(Metric::ice_bookings_sc) + 5 * static_cast<std::size_t>(r));
}
inline constexpr Metric ice_bookings_by_route(Route r, Level l) {
  return static_cast<Metric>(static_cast<std::size_t>(ice_bookings_by_route(r)) + 1 + static_cast<std::size_t>(l));
}

/// snake_case name of a metric ("end_removed" for end states).
std::string metric_name(Metric m);
inline std::string metric_name(std::size_t i) { return metric_name(static_cast<Metric>(i)); }
/// True for metrics measured in days (split across months), false for counts.
bool is_day_metric(Metric m);

}  // namespace scsim
